from enum import StrEnum

class GbFpsAccountDetailsType(StrEnum):
    GB_FPS = "gb_fps"

    def __str__(self) -> str:
        return str(self.value)
