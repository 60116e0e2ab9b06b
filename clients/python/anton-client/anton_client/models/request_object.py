from enum import StrEnum

class RequestObject(StrEnum):
    REQUEST = "request"

    def __str__(self) -> str:
        return str(self.value)
