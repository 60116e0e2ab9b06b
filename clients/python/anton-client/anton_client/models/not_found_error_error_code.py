from enum import StrEnum

class NotFoundErrorErrorCode(StrEnum):
    RESOURCE_MISSING = "resource_missing"
    UNRECOGNIZED_URL = "unrecognized_url"

    def __str__(self) -> str:
        return str(self.value)
