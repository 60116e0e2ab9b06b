//! The client's errors. None of them holds the API key; API errors carry the server's request id
//! (quote it to support).

use std::fmt;
use std::time::Duration;

/// The `type` of an API error (docs/reference.md §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorType {
    InvalidRequest,
    Authentication,
    Permission,
    Idempotency,
    RateLimit,
    Api,
    /// A type this SDK version does not know.
    Other(String),
}

impl ErrorType {
    fn parse(s: &str) -> Self {
        match s {
            "invalid_request_error" => Self::InvalidRequest,
            "authentication_error" => Self::Authentication,
            "permission_error" => Self::Permission,
            "idempotency_error" => Self::Idempotency,
            "rate_limit_error" => Self::RateLimit,
            "api_error" => Self::Api,
            other => Self::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "invalid_request_error",
            Self::Authentication => "authentication_error",
            Self::Permission => "permission_error",
            Self::Idempotency => "idempotency_error",
            Self::RateLimit => "rate_limit_error",
            Self::Api => "api_error",
            Self::Other(s) => s,
        }
    }
}

/// An error answer from the API: the envelope's fields plus the HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub kind: ErrorType,
    /// e.g. `insufficient_funds`, `resource_missing`, `parameter_invalid`.
    pub code: Option<String>,
    pub message: String,
    /// The request field at fault, when there is one.
    pub param: Option<String>,
    pub request_id: Option<String>,
    /// From `Retry-After` (429, 503).
    pub retry_after: Option<Duration>,
}

impl ApiError {
    pub(crate) fn from_body(
        status: u16,
        body: &[u8],
        request_id: Option<String>,
        retry_after: Option<Duration>,
    ) -> Self {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let e = &v["error"];
        let text = |k: &str| e[k].as_str().map(str::to_owned);
        Self {
            status,
            kind: ErrorType::parse(e["type"].as_str().unwrap_or(if status >= 500 {
                "api_error"
            } else {
                "invalid_request_error"
            })),
            code: text("code"),
            message: text("message").unwrap_or_else(|| format!("HTTP {status}")),
            param: text("param"),
            request_id: text("request_id").or(request_id),
            retry_after,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}", self.message, self.kind.as_str())?;
        if let Some(code) = &self.code {
            write!(f, "/{code}")?;
        }
        if let Some(param) = &self.param {
            write!(f, ", param {param}")?;
        }
        write!(f, ", HTTP {}", self.status)?;
        if let Some(id) = &self.request_id {
            write!(f, ", request {id}")?;
        }
        f.write_str(")")
    }
}

/// Everything a client call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The API answered with an error (after any retries).
    #[error("{0}")]
    Api(Box<ApiError>),
    /// No answer: connection refused or reset, TLS failure (including an untrusted certificate),
    /// timeout — after any retries.
    #[error("request failed: {0}")]
    Transport(#[source] reqwest::Error),
    /// The answer was not what this SDK expected.
    #[error("unexpected response (HTTP {status}): {message}")]
    Decode {
        status: u16,
        message: String,
        request_id: Option<String>,
    },
    /// The client was configured wrongly (bad key format, non-https base URL, bad CA file).
    #[error("client configuration: {0}")]
    Config(String),
}

impl Error {
    /// The API error, if the server answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(e) => Some(e.as_ref()),
            _ => None,
        }
    }

    /// The server's request id, when there was an answer.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api(e) => e.request_id.as_deref(),
            Self::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }
}
