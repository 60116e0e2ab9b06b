from enum import StrEnum

class RiskRuleName(StrEnum):
    BANK_DETAILS_CHANGED = "bank_details_changed"
    DAILY_COUNT = "daily_count"
    DAILY_SUM = "daily_sum"
    HOURLY_COUNT = "hourly_count"
    HOURLY_SUM = "hourly_sum"
    PAYOUT_AMOUNT = "payout_amount"

    def __str__(self) -> str:
        return str(self.value)
