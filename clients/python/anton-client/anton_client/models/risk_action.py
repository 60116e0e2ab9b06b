from enum import StrEnum

class RiskAction(StrEnum):
    ALERT = "alert"
    BLOCK = "block"
    REVIEW = "review"

    def __str__(self) -> str:
        return str(self.value)
