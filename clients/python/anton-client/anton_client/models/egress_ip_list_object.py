from enum import StrEnum

class EgressIpListObject(StrEnum):
    LIST = "list"

    def __str__(self) -> str:
        return str(self.value)
