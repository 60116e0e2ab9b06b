from enum import StrEnum

class RequestListObject(StrEnum):
    LIST = "list"

    def __str__(self) -> str:
        return str(self.value)
