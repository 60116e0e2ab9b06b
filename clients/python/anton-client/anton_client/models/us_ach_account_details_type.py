from enum import StrEnum

class UsAchAccountDetailsType(StrEnum):
    US_ACH = "us_ach"

    def __str__(self) -> str:
        return str(self.value)
