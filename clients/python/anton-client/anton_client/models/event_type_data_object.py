from enum import StrEnum

class EventTypeDataObject(StrEnum):
    ALERT = "alert"
    PAYOUT = "payout"
    RECIPIENT = "recipient"
    WEBHOOK_DELIVERY = "webhook_delivery"
    WEBHOOK_ENDPOINT = "webhook_endpoint"

    def __str__(self) -> str:
        return str(self.value)
