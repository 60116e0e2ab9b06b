from enum import StrEnum

class TooManyRequestsErrorErrorCode(StrEnum):
    AUTHENTICATION_RATE_LIMITED = "authentication_rate_limited"
    RATE_LIMITED = "rate_limited"

    def __str__(self) -> str:
        return str(self.value)
