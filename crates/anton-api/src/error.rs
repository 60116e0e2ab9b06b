//! The one error type of the HTTP API, rendering docs/reference.md §2's envelope:
//! `{"error":{"type","code","message","param","request_id"}}`.
//!
//! Unexpected errors become an opaque 500 (or 503 when the database is unreachable) carrying only
//! the request id; their cause chain is logged once, here, at the boundary.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use anton_engine::EngineError;

use crate::request_id;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorType {
    InvalidRequest,
    Authentication,
    Permission,
    Idempotency,
    RateLimit,
    Api,
}

impl ErrorType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request_error",
            Self::Authentication => "authentication_error",
            Self::Permission => "permission_error",
            Self::Idempotency => "idempotency_error",
            Self::RateLimit => "rate_limit_error",
            Self::Api => "api_error",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub kind: ErrorType,
    pub code: &'static str,
    pub message: String,
    pub param: Option<String>,
    /// Seconds, for 429.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        kind: ErrorType,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            kind,
            code,
            message: message.into(),
            param: None,
            retry_after: None,
        }
    }

    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorType::InvalidRequest,
            code,
            message,
        )
    }

    pub fn not_found(kind: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorType::InvalidRequest,
            "resource_missing",
            format!("No such {kind}: '{}'", truncate(id, 80)),
        )
    }

    pub fn unauthenticated(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorType::Authentication,
            code,
            message,
        )
    }

    pub fn permission(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, ErrorType::Permission, code, message)
    }

    pub fn rate_limited(retry_after_s: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorType::RateLimit,
            "rate_limited",
            "Too many requests. Retry after the number of seconds in the Retry-After header.",
        );
        e.retry_after = Some(retry_after_s.max(1));
        e
    }

    /// A failed authentication while its client address, or the node, is over its budget of
    /// failures (`crate::client`). A request with a valid key never gets this.
    pub fn authentication_limited(retry_after_s: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorType::RateLimit,
            "authentication_rate_limited",
            "Too many failed authentications. Requests with a valid API key are not affected; \
             retry after the number of seconds in the Retry-After header.",
        );
        e.retry_after = Some(retry_after_s.max(1));
        e
    }

    /// An unexpected failure. The cause is logged here, once; the client sees only the request id.
    pub fn internal(err: &(dyn std::error::Error + 'static)) -> Self {
        let mut chain = String::new();
        let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
        while let Some(e) = cur {
            if !chain.is_empty() {
                chain.push_str(": ");
            }
            chain.push_str(&e.to_string());
            cur = e.source();
        }
        tracing::error!(error.chain = %chain, "request failed unexpectedly");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorType::Api,
            "internal_error",
            "An unexpected error occurred. Quote the request id when contacting support.",
        )
    }

    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorType::Api,
            "service_unavailable",
            "The service is temporarily unavailable. Retry with the same Idempotency-Key.",
        )
    }

    /// The envelope as JSON text, with the current request id.
    pub fn body(&self) -> String {
        json!({
            "error": {
                "type": self.kind.as_str(),
                "code": self.code,
                "message": self.message,
                "param": self.param,
                "request_id": request_id::current(),
            }
        })
        .to_string()
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

impl ApiError {
    /// The envelope of an engine error: its code, message and parameter, with the status and
    /// type its kind calls for. An unexpected error is logged here, once, and shown opaque.
    pub fn of(e: &EngineError) -> Self {
        let refused = |status: StatusCode, kind: ErrorType| {
            let mut api = Self::new(status, kind, e.code(), e.to_string());
            api.param = e.param().map(str::to_owned);
            api
        };
        match e {
            EngineError::NotFound { .. } => {
                refused(StatusCode::NOT_FOUND, ErrorType::InvalidRequest)
            }
            EngineError::Invalid { .. }
            | EngineError::ReferenceMissing { .. }
            | EngineError::CurrencyMismatch { .. }
            | EngineError::LiveRailNotConfigured { .. } => {
                refused(StatusCode::BAD_REQUEST, ErrorType::InvalidRequest)
            }
            // The request is well formed; the current state of an object refuses it (409, not
            // 400: the same request may succeed once that state changes).
            EngineError::InsufficientFunds { .. }
            | EngineError::RiskBlocked { .. }
            | EngineError::NotCancelable(_)
            | EngineError::InvalidTransition(_)
            | EngineError::Conflict { .. } => {
                refused(StatusCode::CONFLICT, ErrorType::InvalidRequest)
            }
            EngineError::IdempotencyKeyReused => {
                refused(StatusCode::UNPROCESSABLE_ENTITY, ErrorType::Idempotency)
            }
            EngineError::IdempotencyInProgress => {
                refused(StatusCode::CONFLICT, ErrorType::Idempotency)
            }
            EngineError::Forbidden { .. } => refused(StatusCode::FORBIDDEN, ErrorType::Permission),
            EngineError::KeyNotUsable => {
                refused(StatusCode::UNAUTHORIZED, ErrorType::Authentication)
            }
            EngineError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable");
                Self::unavailable()
            }
            EngineError::Internal(_) => Self::internal(e),
        }
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        Self::of(&e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (
            self.status,
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            self.body(),
        )
            .into_response();
        resp.extensions_mut()
            .insert(crate::request_log::ErrorCode(self.code.to_owned()));
        if let Some(s) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                resp.headers_mut().insert("retry-after", v);
            }
        }
        resp
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
