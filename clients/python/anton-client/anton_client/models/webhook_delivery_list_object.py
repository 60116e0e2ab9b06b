from enum import StrEnum

class WebhookDeliveryListObject(StrEnum):
    LIST = "list"

    def __str__(self) -> str:
        return str(self.value)
