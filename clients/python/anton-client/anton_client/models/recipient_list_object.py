from enum import StrEnum

class RecipientListObject(StrEnum):
    LIST = "list"

    def __str__(self) -> str:
        return str(self.value)
