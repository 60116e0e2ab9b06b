from enum import StrEnum

class RecipientEventObject(StrEnum):
    EVENT = "event"

    def __str__(self) -> str:
        return str(self.value)
