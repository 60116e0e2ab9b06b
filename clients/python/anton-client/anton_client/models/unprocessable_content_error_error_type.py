from enum import StrEnum

class UnprocessableContentErrorErrorType(StrEnum):
    IDEMPOTENCY_ERROR = "idempotency_error"

    def __str__(self) -> str:
        return str(self.value)
