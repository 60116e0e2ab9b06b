//! Request ids and per-request headers: every request gets `req_…`, returned in `Request-Id`, attached to every log line of
//! the request (a tracing span) and to every error body (a task-local, read by `ApiError`). The
//! optional `Anton-Version` request header must name the version this server speaks, and an
//! HTTP/1.1 request must carry exactly one `Host`.

use anton_core::id::RequestId;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::IntoResponse;
use axum::response::Response;
use tracing::Instrument;

use crate::error::ApiError;

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request being served, or `None` outside a request.
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// Runs `f` (synchronously) as if it were serving request `id`.
pub fn with_id<R>(id: String, f: impl FnOnce() -> R) -> R {
    CURRENT.sync_scope(id, f)
}

/// Runs `f` as if it were serving request `id` (background work that answers a request later).
pub async fn scope<F: std::future::Future>(id: String, f: F) -> F::Output {
    CURRENT.scope(id, f).await
}

pub async fn middleware(req: Request, next: Next) -> Response {
    let id = RequestId::generate().to_string();
    let started = std::time::Instant::now();
    let method = req.method().clone();
    // The path holds only ids, never secrets (keys travel in headers, bank details in bodies).
    let path = req.uri().path().to_owned();
    let span =
        tracing::info_span!("request", request.id = %id, http.method = %method, http.path = %path);
    let version_ok = req
        .headers()
        .get("anton-version")
        .is_none_or(|v| v.as_bytes() == anton_core::API_VERSION.as_bytes());
    // RFC 9112 §3.2: an HTTP/1.1 request carries exactly one Host (a proxy and the server could
    // otherwise disagree on which host a request is for).
    let host_ok = req.version() != axum::http::Version::HTTP_11
        || req
            .headers()
            .get_all(axum::http::header::HOST)
            .iter()
            .count()
            == 1;
    let mut resp = if !host_ok {
        CURRENT
            .scope(id.clone(), async {
                ApiError::invalid(
                    "host_invalid",
                    "An HTTP/1.1 request carries exactly one Host header.",
                )
                .into_response()
            })
            .await
    } else if version_ok {
        CURRENT
            .scope(id.clone(), next.run(req).instrument(span.clone()))
            .await
    } else {
        CURRENT
            .scope(id.clone(), async {
                ApiError::invalid(
                    "api_version_invalid",
                    format!(
                        "Unknown Anton-Version; this server speaks {}.",
                        anton_core::API_VERSION
                    ),
                )
                .into_response()
            })
            .await
    };
    let headers = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&id) {
        headers.insert("request-id", v);
    }
    headers.insert(
        "strict-transport-security",
        HeaderValue::from_static("max-age=63072000; includeSubDomains"),
    );
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("cache-control", HeaderValue::from_static("no-store"));
    span.in_scope(|| {
        tracing::info!(
            http.status = resp.status().as_u16(),
            duration_ms = started.elapsed().as_secs_f64() * 1000.0,
            "request served"
        );
    });
    resp
}
