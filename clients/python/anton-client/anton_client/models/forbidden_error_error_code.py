from enum import StrEnum

class ForbiddenErrorErrorCode(StrEnum):
    APPROVER_IS_CREATOR = "approver_is_creator"
    BROWSER_REQUEST_REFUSED = "browser_request_refused"
    IP_NOT_ALLOWED = "ip_not_allowed"
    MISSING_SCOPE = "missing_scope"

    def __str__(self) -> str:
        return str(self.value)
