//! Records each answered request whose API key was recognised (valid, revoked or expired) in its
//! merchant's request log (docs/reference.md §6), through [`anton_engine::Engine::log_request`],
//! which never waits. What is kept: the request id, arrival time, method, route template, status,
//! error code, key id, client address, user agent, duration and Idempotency-Key — never a body,
//! a key or bank details. A request whose key is missing, malformed or unknown belongs to no
//! merchant and is only counted in the operator's metrics.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use anton_core::id::{KeyId, RequestId};
use anton_engine::Engine;
use anton_store::request_log::{created_us_of, RequestRecord};
use anton_store::Tenant;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

/// Who a request was for, set by the [`crate::auth::Auth`] extractor once it has found the key.
#[derive(Clone, Default)]
pub(crate) struct Caller(Arc<OnceLock<(KeyId, Tenant)>>);

impl Caller {
    pub(crate) fn set(&self, key: &KeyId, tenant: &Tenant) {
        let _ = self.0.set((key.clone(), tenant.clone()));
    }
}

/// The error code of an error response, for the log (set where error bodies are made).
#[derive(Clone, Debug)]
pub(crate) struct ErrorCode(pub String);

/// Longest Idempotency-Key kept (the API refuses longer ones; the log keeps what was sent).
const IDEMPOTENCY_KEY_MAX: usize = 255;

fn header_text(headers: &HeaderMap, name: &str, max: usize) -> Option<String> {
    let v = headers.get(name)?.to_str().ok()?;
    Some(v.chars().take(max).collect())
}

/// The middleware (`Router::layer`, so the matched route is known).
pub async fn record(State(engine): State<Engine>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let caller = Caller::default();
    req.extensions_mut().insert(caller.clone());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let source_ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip().to_canonical().to_string());
    // Bounded here; cut to 256 characters and cleaned of control characters by the engine.
    let user_agent = header_text(req.headers(), "user-agent", 1024);
    let idempotency_key = header_text(req.headers(), "idempotency-key", IDEMPOTENCY_KEY_MAX);
    let response = next.run(req).await;
    let Some((key_id, tenant)) = caller.0.get().cloned() else {
        return response;
    };
    let Some(id) = crate::request_id::current().and_then(|id| RequestId::parse(&id).ok()) else {
        return response;
    };
    // The arrival: the millisecond in the request id, which orders the log.
    let Some(created_us) = created_us_of(&id) else {
        return response;
    };
    engine.log_request(RequestRecord {
        tenant,
        id,
        created_us,
        method,
        route,
        status: response.status().as_u16(),
        error_code: response
            .extensions()
            .get::<ErrorCode>()
            .map(|c| c.0.clone()),
        key_id,
        source_ip,
        user_agent,
        duration_us: i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX),
        idempotency_key,
    });
    response
}
