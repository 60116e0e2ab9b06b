from enum import StrEnum

class ForbiddenErrorErrorCode(StrEnum):
    BROWSER_REQUEST_REFUSED = "browser_request_refused"
    IP_NOT_ALLOWED = "ip_not_allowed"
    MISSING_SCOPE = "missing_scope"

    def __str__(self) -> str:
        return str(self.value)
