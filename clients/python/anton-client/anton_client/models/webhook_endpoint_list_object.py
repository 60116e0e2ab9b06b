from enum import StrEnum

class WebhookEndpointListObject(StrEnum):
    LIST = "list"

    def __str__(self) -> str:
        return str(self.value)
