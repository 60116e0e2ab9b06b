from enum import StrEnum

class LedgerAccount(StrEnum):
    AVAILABLE = "available"
    FUNDING = "funding"
    IN_FLIGHT = "in_flight"
    PAID_OUT = "paid_out"

    def __str__(self) -> str:
        return str(self.value)
