from enum import StrEnum

class WebhookDeliveryStatus(StrEnum):
    CANCELED = "canceled"
    EXHAUSTED = "exhausted"
    PENDING = "pending"
    RETRYING = "retrying"
    SUCCEEDED = "succeeded"

    def __str__(self) -> str:
        return str(self.value)
