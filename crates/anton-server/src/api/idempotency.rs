//! Idempotent POSTs (DESIGN.md §2).
//!
//! Every mutating handler hands its work to [`run`] as a job for the group-commit writer. With an
//! `Idempotency-Key`:
//! - a stored record for the key (looked up inside the write job) → the stored status and body, byte for byte, with
//!   `Idempotent-Replayed: true` (or 422 when the request's fingerprint differs);
//! - the key's first request still running on this node → 409;
//! - otherwise the job runs in a savepoint and its response — success or the handler's error —
//!   is stored **in the same transaction** as its effects. A concurrent twin on another node
//!   loses on the primary key and then replays the winner's response.

use anton_store::idempotency::{self, StoredResponse};
use anton_store::{now_us, StoreError, Tenant};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Connection};

use super::error::{ApiError, ErrorType};
use crate::state::AppState;

const KEY_LEN_MAX: usize = 255;

/// What a handler's job produces: the status and the JSON body text.
pub type Reply = (StatusCode, String);
/// A job's result: `Ok(Ok)` committed, `Ok(Err)` refused by the handler (its writes are rolled back,
/// the refusal is stored), `Err` an unexpected store error (nothing stored).
pub type JobResult = Result<Result<Reply, ApiError>, StoreError>;

/// SHA-256 of method, path and raw body: what makes two requests "the same request".
pub fn fingerprint(method: &Method, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_str().as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(body);
    hex::encode(h.finalize())
}

/// A JSON response from stored or fresh text; `replayed` adds `Idempotent-Replayed: true`.
pub fn reply(status: StatusCode, body: String, replayed: bool) -> Response {
    let mut resp = (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    if replayed {
        resp.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    resp
}

/// 422: the key was first used with another request.
pub fn mismatch() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorType::Idempotency,
        "idempotency_key_reused",
        "This Idempotency-Key was already used with a different request (method, path or body). \
         Use a new key for a new request.",
    )
}

/// 409: the key's first request is still running.
pub fn in_progress() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        ErrorType::Idempotency,
        "idempotency_request_in_progress",
        "A request with this Idempotency-Key is still being processed. Retry shortly.",
    )
}

fn replay(stored: StoredResponse, fp: &str) -> Response {
    if stored.fingerprint != fp {
        return mismatch().into_response();
    }
    reply(
        StatusCode::from_u16(stored.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        stored.body,
        true,
    )
}

/// Marks a key as running on this node; the mark is removed however the request ends
/// (including cancellation). A second request with the key meanwhile gets 409.
pub struct InFlight {
    state: AppState,
    key: (Tenant, String),
}

impl InFlight {
    pub fn enter(state: &AppState, tenant: &Tenant, key: &str) -> Result<Self, ApiError> {
        let marker = (tenant.clone(), key.to_owned());
        let fresh = state
            .in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(marker.clone());
        if !fresh {
            return Err(in_progress());
        }
        Ok(Self {
            state: state.clone(),
            key: marker,
        })
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.state
            .in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.key);
    }
}

/// Reads and validates the `Idempotency-Key` header.
pub fn key_from(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let s = v.to_str().map_err(|_| {
        ApiError::invalid(
            "idempotency_key_invalid",
            "Idempotency-Key must be printable ASCII.",
        )
    })?;
    if s.is_empty() || s.len() > KEY_LEN_MAX || !s.bytes().all(|b| (0x21..0x7f).contains(&b)) {
        return Err(ApiError::invalid(
            "idempotency_key_invalid",
            "Idempotency-Key must be 1 to 255 printable ASCII characters without spaces.",
        ));
    }
    Ok(Some(s.to_owned()))
}

type Job = Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, JobResult> + Send>;

enum Step {
    Existing(StoredResponse),
    Fresh(Reply),
}

/// Runs a mutating handler's `job` with the idempotency rules above.
pub async fn run<F>(
    state: &AppState,
    tenant: &Tenant,
    headers: &HeaderMap,
    method: &Method,
    path: &str,
    body: &[u8],
    job: F,
) -> Result<Response, ApiError>
where
    F: for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, JobResult> + Send + 'static,
{
    let Some(key) = key_from(headers)? else {
        let out = state.store.write(job).await?;
        return Ok(match out {
            Ok((status, body)) => reply(status, body, false),
            Err(e) => e.into_response(),
        });
    };
    let fp = fingerprint(method, path, body);
    // No read before the write job: the job checks for a stored record itself, in the same
    // transaction, which is both cheaper (one round trip fewer) and race-free.
    let _guard = InFlight::enter(state, tenant, &key)?;

    let job: Job = Box::new(job);
    let t = tenant.clone();
    let fp2 = fp.clone();
    let key2 = key.clone();
    let request_id = super::request_id::current().unwrap_or_default();
    let outcome = state
        .store
        .write(move |c| {
            Box::pin(super::request_id::scope(request_id, async move {
                if let Some(stored) = idempotency::get(&mut *c, &t, &key2).await? {
                    return Ok(Step::Existing(stored));
                }
                let (status, body) = {
                    let mut sp = c.begin().await?;
                    match job(&mut sp).await? {
                        Ok(r) => {
                            sp.commit().await?;
                            r
                        }
                        Err(e) => {
                            sp.rollback().await?;
                            (e.status, e.body())
                        }
                    }
                };
                let stored = StoredResponse {
                    fingerprint: fp2,
                    status: status.as_u16(),
                    body,
                };
                idempotency::insert(c, &t, &key2, &stored, now_us()).await?;
                Ok(Step::Fresh((status, stored.body)))
            }))
        })
        .await;
    match outcome {
        Ok(Step::Existing(stored)) => Ok(replay(stored, &fp)),
        Ok(Step::Fresh((status, body))) => Ok(reply(status, body, false)),
        Err(StoreError::UniqueViolation) => {
            // Another node stored this key between our check and our insert: replay its answer.
            match idempotency::get(state.store.read(), tenant, &key).await? {
                Some(stored) => Ok(replay(stored, &fp)),
                None => Err(ApiError::unavailable()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// Wraps a serializable value as a 200 reply.
pub fn ok_json<T: serde::Serialize>(v: &T) -> Result<Reply, ApiError> {
    serde_json::to_string(v)
        .map(|s| (StatusCode::OK, s))
        .map_err(|e| ApiError::internal(&e))
}
