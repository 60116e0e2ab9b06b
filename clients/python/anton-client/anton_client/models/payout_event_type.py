from enum import StrEnum

class PayoutEventType(StrEnum):
    PAYOUT_CANCELED = "payout.canceled"
    PAYOUT_CREATED = "payout.created"
    PAYOUT_FAILED = "payout.failed"
    PAYOUT_PAID = "payout.paid"
    PAYOUT_PROCESSING = "payout.processing"
    PAYOUT_RETURNED = "payout.returned"
    PAYOUT_REVIEW_REQUIRED = "payout.review_required"
    PAYOUT_UPDATED = "payout.updated"

    def __str__(self) -> str:
        return str(self.value)
