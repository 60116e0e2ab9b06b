from enum import StrEnum

class BankAccountType(StrEnum):
    GB_FPS = "gb_fps"
    IBAN = "iban"
    US_ACH = "us_ach"

    def __str__(self) -> str:
        return str(self.value)
