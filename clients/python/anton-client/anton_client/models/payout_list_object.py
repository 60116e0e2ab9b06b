from enum import StrEnum

class PayoutListObject(StrEnum):
    LIST = "list"

    def __str__(self) -> str:
        return str(self.value)
