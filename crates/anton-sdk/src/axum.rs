//! An axum extractor that hands a handler only verified events (feature `axum`).
//!
//! ```no_run
//! use anton_sdk::axum::VerifiedEvent;
//! use anton_sdk::webhook::Webhook;
//! use axum::{routing::post, Router};
//!
//! async fn hook(VerifiedEvent(event): VerifiedEvent) -> &'static str {
//!     // Only reached for an authentic, fresh delivery.
//!     println!("{} {}", event.id, event.kind);
//!     "ok"
//! }
//!
//! # fn app(secret: &str) -> Result<Router, anton_sdk::webhook::WebhookError> {
//! let app = Router::new()
//!     .route("/webhooks/anton", post(hook))
//!     .with_state(Webhook::new(secret)?);
//! # Ok(app)
//! # }
//! ```
//!
//! The extractor reads the raw body (at most [`MAX_BODY`] bytes), verifies `Anton-Signature` (or,
//! when that header is absent, the Standard Webhooks headers) and parses the event. On any failure
//! it answers `400 Bad Request` with `{"error":"<code>"}` and the handler never runs. The state
//! (or a part of it, through `FromRef`) must provide the [`Webhook`] verifier.

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::types::Event;
use crate::webhook::{
    Webhook, WebhookError, ANTON_SIGNATURE, WEBHOOK_ID, WEBHOOK_SIGNATURE, WEBHOOK_TIMESTAMP,
};

/// The largest body read: Anton's events are a few KiB.
pub const MAX_BODY: usize = 256 * 1024;

/// A verified event. Extract it last (it consumes the body).
#[derive(Debug, Clone)]
pub struct VerifiedEvent(pub Event);

/// Why the extractor refused a request (400, or 413 for an oversized body).
#[derive(Debug)]
pub enum WebhookRejection {
    Invalid(WebhookError),
    BodyUnreadable,
}

impl IntoResponse for WebhookRejection {
    fn into_response(self) -> Response {
        let code = match &self {
            Self::Invalid(e) => e.code(),
            Self::BodyUnreadable => "body_unreadable",
        };
        (
            StatusCode::BAD_REQUEST,
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            format!("{{\"error\":\"{code}\"}}"),
        )
            .into_response()
    }
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

impl<S> FromRequest<S> for VerifiedEvent
where
    Webhook: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebhookRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let webhook = Webhook::from_ref(state);
        let headers = req.headers().clone();
        let body = axum::body::to_bytes(req.into_body(), MAX_BODY)
            .await
            .map_err(|_| WebhookRejection::BodyUnreadable)?;
        verify_headers(&webhook, &headers, &body)
            .map(VerifiedEvent)
            .map_err(WebhookRejection::Invalid)
    }
}

/// Verifies a delivery from its headers: `Anton-Signature` when present, else the Standard
/// Webhooks set.
pub fn verify_headers(
    webhook: &Webhook,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Event, WebhookError> {
    if let Some(sig) = header(headers, ANTON_SIGNATURE) {
        return webhook.verify(body, sig);
    }
    match (
        header(headers, WEBHOOK_ID),
        header(headers, WEBHOOK_TIMESTAMP),
        header(headers, WEBHOOK_SIGNATURE),
    ) {
        (Some(id), Some(ts), Some(sig)) => webhook.verify_standard(body, id, ts, sig),
        _ => Err(WebhookError::MalformedHeader),
    }
}
