from enum import StrEnum

class DeletedRecipientObject(StrEnum):
    RECIPIENT = "recipient"

    def __str__(self) -> str:
        return str(self.value)
