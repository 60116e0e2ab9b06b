from enum import StrEnum

class AlertEventType(StrEnum):
    ALERT_RAISED = "alert.raised"
    ALERT_RESOLVED = "alert.resolved"

    def __str__(self) -> str:
        return str(self.value)
