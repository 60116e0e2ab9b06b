from enum import StrEnum

class FailingCode(StrEnum):
    ACCOUNT_CLOSED = "account_closed"
    DECLINED = "declined"
    INVALID_ACCOUNT_NUMBER = "invalid_account_number"
    NO_ACCOUNT = "no_account"

    def __str__(self) -> str:
        return str(self.value)
