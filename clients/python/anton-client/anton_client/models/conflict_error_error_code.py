from enum import StrEnum

class ConflictErrorErrorCode(StrEnum):
    IDEMPOTENCY_REQUEST_IN_PROGRESS = "idempotency_request_in_progress"

    def __str__(self) -> str:
        return str(self.value)
