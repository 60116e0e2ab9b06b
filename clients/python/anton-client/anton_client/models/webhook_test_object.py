from enum import StrEnum

class WebhookTestObject(StrEnum):
    WEBHOOK_TEST = "webhook_test"

    def __str__(self) -> str:
        return str(self.value)
