from enum import StrEnum

class WebhookAttemptError(StrEnum):
    CONNECT = "connect"
    ENDPOINT_DISABLED = "endpoint_disabled"
    HTTP_STATUS = "http_status"
    INVALID_URL = "invalid_url"
    REFUSED_DESTINATION = "refused_destination"
    REQUEST = "request"
    SECRET_UNAVAILABLE = "secret_unavailable"
    TIMEOUT = "timeout"
    TLS = "tls"

    def __str__(self) -> str:
        return str(self.value)
