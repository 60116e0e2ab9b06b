from enum import StrEnum

class AuditEntryObject(StrEnum):
    AUDIT_ENTRY = "audit_entry"

    def __str__(self) -> str:
        return str(self.value)
