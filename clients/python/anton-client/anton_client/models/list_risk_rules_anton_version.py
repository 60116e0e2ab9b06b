from enum import StrEnum

class ListRiskRulesAntonVersion(StrEnum):
    VALUE_0 = "2026-11-28"

    def __str__(self) -> str:
        return str(self.value)
