from enum import StrEnum

class RiskRuleName(StrEnum):
    AMOUNT_VS_HISTORY = "amount_vs_history"
    BANK_DETAILS_CHANGED = "bank_details_changed"
    DAILY_COUNT = "daily_count"
    DAILY_SUM = "daily_sum"
    HOURLY_COUNT = "hourly_count"
    HOURLY_SUM = "hourly_sum"
    NEW_ADDRESS = "new_address"
    NEW_DESTINATION = "new_destination"
    NEW_KEY_BURST = "new_key_burst"
    PAYOUT_AMOUNT = "payout_amount"
    SHARED_BANK_ACCOUNT = "shared_bank_account"

    def __str__(self) -> str:
        return str(self.value)
