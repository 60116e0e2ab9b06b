from enum import StrEnum

class PayoutStatus(StrEnum):
    CANCELED = "canceled"
    FAILED = "failed"
    PAID = "paid"
    PENDING = "pending"
    PROCESSING = "processing"
    REQUIRES_REVIEW = "requires_review"
    RETURNED = "returned"

    def __str__(self) -> str:
        return str(self.value)
