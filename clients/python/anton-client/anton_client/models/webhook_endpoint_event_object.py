from enum import StrEnum

class WebhookEndpointEventObject(StrEnum):
    EVENT = "event"

    def __str__(self) -> str:
        return str(self.value)
