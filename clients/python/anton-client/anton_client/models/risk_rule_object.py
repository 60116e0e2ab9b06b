from enum import StrEnum

class RiskRuleObject(StrEnum):
    RISK_RULE = "risk_rule"

    def __str__(self) -> str:
        return str(self.value)
