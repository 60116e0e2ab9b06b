from enum import StrEnum

class RecoveryObject(StrEnum):
    RECOVERY = "recovery"

    def __str__(self) -> str:
        return str(self.value)
