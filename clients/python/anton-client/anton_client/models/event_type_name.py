from enum import StrEnum

class EventTypeName(StrEnum):
    ALERT_RAISED = "alert.raised"
    ALERT_RESOLVED = "alert.resolved"
    DELIVERY_EXHAUSTED = "delivery.exhausted"
    DELIVERY_FAILING = "delivery.failing"
    DELIVERY_RECOVERED = "delivery.recovered"
    PAYOUT_CANCELED = "payout.canceled"
    PAYOUT_CREATED = "payout.created"
    PAYOUT_FAILED = "payout.failed"
    PAYOUT_PAID = "payout.paid"
    PAYOUT_PROCESSING = "payout.processing"
    PAYOUT_RETURNED = "payout.returned"
    PAYOUT_REVIEW_REQUIRED = "payout.review_required"
    PAYOUT_UPDATED = "payout.updated"
    RECIPIENT_CREATED = "recipient.created"
    RECIPIENT_DELETED = "recipient.deleted"
    RECIPIENT_UPDATED = "recipient.updated"
    WEBHOOK_ENDPOINT_DISABLED = "webhook_endpoint.disabled"

    def __str__(self) -> str:
        return str(self.value)
