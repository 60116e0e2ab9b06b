from enum import StrEnum

class WebhookEndpointEventType(StrEnum):
    WEBHOOK_ENDPOINT_DISABLED = "webhook_endpoint.disabled"
    WEBHOOK_ENDPOINT_TEST = "webhook_endpoint.test"

    def __str__(self) -> str:
        return str(self.value)
