from enum import StrEnum

class AlertListObject(StrEnum):
    LIST = "list"

    def __str__(self) -> str:
        return str(self.value)
