from enum import StrEnum

class RecipientObject(StrEnum):
    RECIPIENT = "recipient"

    def __str__(self) -> str:
        return str(self.value)
