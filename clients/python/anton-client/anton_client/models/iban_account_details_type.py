from enum import StrEnum

class IbanAccountDetailsType(StrEnum):
    IBAN = "iban"

    def __str__(self) -> str:
        return str(self.value)
