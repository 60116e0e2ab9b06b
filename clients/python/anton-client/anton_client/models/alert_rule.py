from enum import StrEnum

class AlertRule(StrEnum):
    API_KEY_FROM_BROWSER = "api_key_from_browser"
    API_KEY_NEW_ADDRESS = "api_key_new_address"
    API_KEY_REVOKED_USED = "api_key_revoked_used"
    AUTH_FAILURES_SPIKE = "auth_failures_spike"
    SERVER_ERRORS = "server_errors"
    UNUSUAL_PAYOUT_ACTIVITY = "unusual_payout_activity"
    WEBHOOK_ENDPOINT_DISABLED = "webhook_endpoint_disabled"
    WEBHOOK_ENDPOINT_FAILING = "webhook_endpoint_failing"

    def __str__(self) -> str:
        return str(self.value)
