//! Counts every HTTP request in the node's metrics (`anton_http_requests_total`,
//! `anton_http_request_duration_seconds`, `anton_idempotent_replays_total`): by route template
//! (`/v1/payouts/{id}`, never the path as sent; `unmatched` for unknown URLs), method and status.
//! The API's router layers it; the binary layers it on the portal's routes too (`/login`,
//! `/{mode}/payouts/{id}`, …), so a portal 5xx or a wave of failed sign-ins shows in the same
//! families and alerts.

use std::sync::Arc;
use std::time::Instant;

use anton_metrics::Metrics;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

/// The middleware (`Router::layer`, so the matched route is known).
pub async fn record(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().clone();
    let response = next.run(req).await;
    metrics.request(
        &route,
        method.as_str(),
        response.status().as_u16(),
        started.elapsed(),
    );
    if response.headers().contains_key("idempotent-replayed") {
        metrics.idempotent_replay();
    }
    response
}
