from enum import StrEnum

class BalanceTransactionListObject(StrEnum):
    LIST = "list"

    def __str__(self) -> str:
        return str(self.value)
