from enum import StrEnum

class AchAccountType(StrEnum):
    CHECKING = "checking"
    SAVINGS = "savings"

    def __str__(self) -> str:
        return str(self.value)
