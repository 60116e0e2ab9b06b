//! Request bodies: at most 64 KiB (413 beyond), JSON only, unknown fields rejected, and every parse
//! error turned into a 400 that names the offending field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorType};

pub const BODY_BYTES_MAX: usize = 64 * 1024;

/// The raw request body, size-checked. Kept raw because idempotency fingerprints the exact bytes.
pub struct RawBody(pub Bytes);

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorType::InvalidRequest,
        "body_too_large",
        format!("Request bodies are limited to {BODY_BYTES_MAX} bytes."),
    )
}

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > BODY_BYTES_MAX as u64) {
            return Err(too_large());
        }
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = axum::body::to_bytes(req.into_body(), BODY_BYTES_MAX)
            .await
            .map_err(|_| too_large())?;
        if !bytes.is_empty() {
            if let Some(ct) = content_type {
                let mime = ct.split(';').next().unwrap_or("").trim();
                if !mime.eq_ignore_ascii_case("application/json") {
                    return Err(ApiError::new(
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        ErrorType::InvalidRequest,
                        "unsupported_content_type",
                        "Request bodies must be JSON (Content-Type: application/json).",
                    ));
                }
            }
        }
        Ok(Self(bytes))
    }
}

/// Parses a JSON body into `T` (whose serde derive denies unknown fields). An empty body parses as
/// `{}` so POSTs without parameters need no body.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        let (code, msg) = if inner.is_syntax() || inner.is_eof() {
            (
                "invalid_json",
                format!("The body is not valid JSON: {message}"),
            )
        } else if message.starts_with("unknown field") {
            ("parameter_unknown", format!("Unknown parameter: {message}"))
        } else if message.starts_with("missing field") {
            ("parameter_missing", format!("Missing parameter: {message}"))
        } else {
            (
                "parameter_invalid",
                format!("Invalid parameter: {}", without_value(&message)),
            )
        };
        let mut err = ApiError::invalid(code, msg);
        if path != "." {
            err = err.with_param(path);
        }
        err
    })
}

/// serde's "invalid type: integer `123456789`, expected a string" echoes the value the client
/// sent — which may be an account number. Keep only what was expected.
fn without_value(message: &str) -> String {
    let head = message.split(" at line ").next().unwrap_or(message);
    match head.split_once(", expected ") {
        Some((_, expected)) if head.starts_with("invalid ") => format!("expected {expected}"),
        _ if head.starts_with("invalid ") => {
            "the value has the wrong type or is out of range".into()
        }
        _ => head.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "the field exists to be parsed")]
    struct T {
        account_number: String,
    }

    #[test]
    fn a_wrongly_typed_value_is_not_echoed_back() {
        let err = parse_json::<T>(br#"{"account_number": 123456789012}"#).unwrap_err();
        assert!(!err.message.contains("123456789012"), "{}", err.message);
        assert_eq!(err.param.as_deref(), Some("account_number"));
        assert_eq!(err.code, "parameter_invalid");
    }
}
