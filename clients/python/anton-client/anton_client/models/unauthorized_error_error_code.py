from enum import StrEnum

class UnauthorizedErrorErrorCode(StrEnum):
    API_KEY_EXPIRED = "api_key_expired"
    API_KEY_REVOKED = "api_key_revoked"
    INVALID_API_KEY = "invalid_api_key"
    MISSING_API_KEY = "missing_api_key"

    def __str__(self) -> str:
        return str(self.value)
