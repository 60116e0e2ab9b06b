from enum import StrEnum

class BadRequestErrorErrorType(StrEnum):
    INVALID_REQUEST_ERROR = "invalid_request_error"

    def __str__(self) -> str:
        return str(self.value)
