//! Idempotent requests, the HTTP side (docs/reference.md §2). The rules live in the engine
//! (`anton_engine::idempotency`, one implementation for every mutation); here:
//!
//! - the `Idempotency-Key` header, and the request's fingerprint — SHA-256 of method, path and
//!   the body's canonical form, what makes two requests "the same request";
//! - [`JsonReply`], how an outcome is rendered (the object as JSON, or the error envelope with
//!   the request's id), which the engine stores with a keyed request's effects;
//! - [`reply`]: an answer as a response, `Idempotent-Replayed: true` on a replay.

use anton_engine::audit::Actor;
use anton_engine::idempotency::{Answer, IdempotencyKey, Keyed, Mutation, Render, Reply};
use anton_engine::EngineError;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::auth::Auth;
use crate::error::ApiError;
use crate::request_id;

/// SHA-256 of method, path and the body's canonical form: what makes two requests "the same
/// request". A JSON body counts by what it says, not how it is written: object keys in any order,
/// any whitespace and `2500.0` for `2500` are the same request; another body (or none) counts
/// byte for byte.
pub fn fingerprint(method: &Method, path: &str, body: &[u8]) -> String {
    match canonical_json(body) {
        Some(canonical) => digest(method, path, &[b"json\0", &canonical]),
        None => digest(method, path, &[body]),
    }
}

/// The fingerprint earlier versions stored (SHA-256 of method, path and the raw body), when it
/// differs from [`fingerprint`]: see `Keyed::earlier_fingerprint`.
fn raw_fingerprint(method: &Method, path: &str, body: &[u8]) -> Option<String> {
    canonical_json(body).map(|_| digest(method, path, &[body]))
}

fn digest(method: &Method, path: &str, body: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_str().as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    for part in body {
        h.update(part);
    }
    hex::encode(h.finalize())
}

/// `body` as compact JSON with every object's keys sorted and integral numbers as integers (as
/// the request is read), if it is JSON.
fn canonical_json(body: &[u8]) -> Option<Vec<u8>> {
    let mut value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let _ = crate::body::integral_numbers(&mut value);
    value.sort_all_objects();
    serde_json::to_vec(&value).ok()
}

/// The request's key and fingerprint, when it carries an `Idempotency-Key`.
pub fn keyed(
    headers: &HeaderMap,
    method: &Method,
    path: &str,
    body: &[u8],
) -> Result<Option<Keyed>, ApiError> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let text = v.to_str().map_err(|_| {
        ApiError::invalid(
            "idempotency_key_invalid",
            "Idempotency-Key must be printable ASCII.",
        )
    })?;
    Ok(Some(Keyed {
        key: IdempotencyKey::parse(text)?,
        fingerprint: fingerprint(method, path, body),
        earlier_fingerprint: raw_fingerprint(method, path, body),
    }))
}

/// A mutation of this request: its idempotency, `render` for its outcome, and the key acting
/// (which the mutation's transaction confirms is still usable).
pub fn mutation<R>(
    auth: &Auth,
    headers: &HeaderMap,
    method: &Method,
    path: &str,
    body: &[u8],
    render: R,
) -> Result<Mutation<R>, ApiError> {
    Ok(Mutation {
        keyed: keyed(headers, method, path, body)?,
        render,
        actor: actor(auth),
    })
}

/// Who acts in this request, for the audit log: its key, from its client's address.
pub fn actor(auth: &Auth) -> Actor {
    Actor::key(
        auth.key_id.clone(),
        auth.source_ip.map(|ip| ip.to_string()),
        request_id::current(),
    )
}

/// A mutation without idempotency (`DELETE`s).
pub fn unkeyed<R>(auth: &Auth, render: R) -> Mutation<R> {
    Mutation {
        keyed: None,
        render,
        actor: actor(auth),
    }
}

/// Renders an outcome as this API answers it: 200 with the object `object` makes of it, or the
/// error envelope carrying the request's id.
pub struct JsonReply<F> {
    request_id: String,
    object: F,
}

/// A [`JsonReply`] for the current request.
pub fn json<F>(object: F) -> JsonReply<F> {
    JsonReply {
        request_id: request_id::current().unwrap_or_default(),
        object,
    }
}

impl<T, O, F> Render<T> for JsonReply<F>
where
    O: Serialize,
    F: Fn(&T) -> O + Send + Sync + 'static,
{
    fn render(&self, outcome: Result<&T, &EngineError>) -> Reply {
        match outcome {
            Ok(t) => match serde_json::to_string(&(self.object)(t)) {
                Ok(body) => Reply {
                    status: StatusCode::OK.as_u16(),
                    body,
                },
                Err(e) => self.error(&ApiError::internal(&e)),
            },
            Err(e) => self.error(&ApiError::of(e)),
        }
    }
}

impl<F> JsonReply<F> {
    fn error(&self, e: &ApiError) -> Reply {
        Reply {
            status: e.status.as_u16(),
            body: request_id::with_id(self.request_id.clone(), || e.body()),
        }
    }
}

/// An answer as the response: JSON, with `Idempotent-Replayed: true` when it is a replay.
pub fn reply(answer: Answer) -> Response {
    let status =
        StatusCode::from_u16(answer.reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    // The error's code, for the request log (a replayed error was not made by `ApiError`).
    let code = (status.is_client_error() || status.is_server_error())
        .then(|| serde_json::from_str::<serde_json::Value>(&answer.reply.body).ok())
        .flatten()
        .and_then(|v| v["error"]["code"].as_str().map(str::to_owned));
    let mut resp = (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        answer.reply.body,
    )
        .into_response();
    if let Some(code) = code {
        resp.extensions_mut()
            .insert(crate::request_log::ErrorCode(code));
    }
    if answer.replayed {
        resp.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_matches_its_canonical_form_and_the_raw_fingerprint_earlier_versions_stored() {
        let mut headers = HeaderMap::new();
        headers.insert("idempotency-key", HeaderValue::from_static("order-1"));
        let (method, path) = (Method::POST, "/v1/payouts");
        let body = br#"{"amount": 2500, "currency": "USD"}"#;
        let keyed = keyed(&headers, &method, path, body).unwrap().unwrap();
        // What versions before the canonical form stored: SHA-256 of method, path, raw body.
        let mut h = Sha256::new();
        h.update(b"POST\0/v1/payouts\0");
        h.update(body);
        let raw = hex::encode(h.finalize());
        assert!(keyed.is_same_request(&raw));
        assert_ne!(keyed.fingerprint, raw);
        // The same request written another way matches; another request matches neither.
        let rewritten = fingerprint(&method, path, br#"{"currency":"USD","amount":2500.0}"#);
        assert!(keyed.is_same_request(&rewritten));
        let other = fingerprint(&method, path, br#"{"amount": 2501, "currency": "USD"}"#);
        assert!(!keyed.is_same_request(&other));
    }
}
