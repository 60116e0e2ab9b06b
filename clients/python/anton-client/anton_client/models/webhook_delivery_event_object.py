from enum import StrEnum

class WebhookDeliveryEventObject(StrEnum):
    EVENT = "event"

    def __str__(self) -> str:
        return str(self.value)
