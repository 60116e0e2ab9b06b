from enum import StrEnum

class RecipientEventType(StrEnum):
    RECIPIENT_CREATED = "recipient.created"
    RECIPIENT_DELETED = "recipient.deleted"
    RECIPIENT_UPDATED = "recipient.updated"

    def __str__(self) -> str:
        return str(self.value)
