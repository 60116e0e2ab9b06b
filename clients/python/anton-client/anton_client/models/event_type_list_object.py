from enum import StrEnum

class EventTypeListObject(StrEnum):
    LIST = "list"

    def __str__(self) -> str:
        return str(self.value)
