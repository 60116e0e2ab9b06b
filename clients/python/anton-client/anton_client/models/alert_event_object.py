from enum import StrEnum

class AlertEventObject(StrEnum):
    EVENT = "event"

    def __str__(self) -> str:
        return str(self.value)
