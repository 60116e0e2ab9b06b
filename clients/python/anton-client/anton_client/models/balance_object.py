from enum import StrEnum

class BalanceObject(StrEnum):
    BALANCE = "balance"

    def __str__(self) -> str:
        return str(self.value)
