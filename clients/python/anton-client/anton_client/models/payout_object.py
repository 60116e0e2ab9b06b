from enum import StrEnum

class PayoutObject(StrEnum):
    PAYOUT = "payout"

    def __str__(self) -> str:
        return str(self.value)
