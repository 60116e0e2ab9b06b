from enum import StrEnum

class EventTypeObject(StrEnum):
    EVENT_TYPE = "event_type"

    def __str__(self) -> str:
        return str(self.value)
