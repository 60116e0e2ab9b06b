from enum import StrEnum

class ConflictErrorErrorCode(StrEnum):
    IDEMPOTENCY_REQUEST_IN_PROGRESS = "idempotency_request_in_progress"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    PAYOUT_INVALID_TRANSITION = "payout_invalid_transition"
    PAYOUT_NOT_CANCELABLE = "payout_not_cancelable"
    PAYOUT_NOT_IN_REVIEW = "payout_not_in_review"
    RECIPIENT_HAS_ACTIVE_PAYOUTS = "recipient_has_active_payouts"
    RISK_BLOCKED = "risk_blocked"
    WEBHOOK_ENDPOINT_DISABLED = "webhook_endpoint_disabled"

    def __str__(self) -> str:
        return str(self.value)
