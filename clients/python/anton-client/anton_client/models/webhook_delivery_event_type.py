from enum import StrEnum

class WebhookDeliveryEventType(StrEnum):
    DELIVERY_EXHAUSTED = "delivery.exhausted"
    DELIVERY_FAILING = "delivery.failing"
    DELIVERY_RECOVERED = "delivery.recovered"

    def __str__(self) -> str:
        return str(self.value)
