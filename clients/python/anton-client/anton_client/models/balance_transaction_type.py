from enum import StrEnum

class BalanceTransactionType(StrEnum):
    FUNDING = "funding"
    PAYOUT = "payout"
    PAYOUT_PAID = "payout_paid"
    PAYOUT_RELEASE = "payout_release"
    PAYOUT_RETURN = "payout_return"

    def __str__(self) -> str:
        return str(self.value)
