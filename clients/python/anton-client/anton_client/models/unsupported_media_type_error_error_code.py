from enum import StrEnum

class UnsupportedMediaTypeErrorErrorCode(StrEnum):
    UNSUPPORTED_CONTENT_TYPE = "unsupported_content_type"

    def __str__(self) -> str:
        return str(self.value)
