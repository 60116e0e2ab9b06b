from enum import StrEnum

class PayoutEventObject(StrEnum):
    EVENT = "event"

    def __str__(self) -> str:
        return str(self.value)
