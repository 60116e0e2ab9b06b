from enum import StrEnum

class RiskRuleListObject(StrEnum):
    LIST = "list"

    def __str__(self) -> str:
        return str(self.value)
