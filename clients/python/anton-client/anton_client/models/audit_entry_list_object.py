from enum import StrEnum

class AuditEntryListObject(StrEnum):
    LIST = "list"

    def __str__(self) -> str:
        return str(self.value)
