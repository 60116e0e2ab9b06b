from enum import StrEnum

class AuditActorType(StrEnum):
    API_KEY = "api_key"
    MEMBER = "member"
    OPERATOR = "operator"
    SYSTEM = "system"

    def __str__(self) -> str:
        return str(self.value)
