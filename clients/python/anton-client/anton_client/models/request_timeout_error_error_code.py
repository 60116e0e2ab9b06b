from enum import StrEnum

class RequestTimeoutErrorErrorCode(StrEnum):
    BODY_TIMEOUT = "body_timeout"

    def __str__(self) -> str:
        return str(self.value)
