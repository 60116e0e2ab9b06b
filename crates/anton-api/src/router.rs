//! The assembled HTTP application: every resource's routes, health checks, and the fallbacks
//! that answer unknown URLs and methods with the error envelope.

use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::error::{ApiError, ErrorType};
use crate::openapi::{EgressIpList, Health, NotReady, Public, Readiness};
use crate::request_id;
use crate::state::ApiState;

/// The whole HTTP application.
pub fn router(state: ApiState) -> Router {
    let metrics = state.engine.metrics().clone();
    let engine = state.engine.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/v1/openapi.json", get(crate::openapi::serve))
        .route("/v1/egress_ips", get(egress_ips))
        .merge(crate::recipients::router())
        .merge(crate::payouts::router())
        .merge(crate::balance::router())
        .merge(crate::events::router())
        .merge(crate::webhooks::router())
        .merge(crate::requests::router())
        .merge(crate::audit_log::router())
        .merge(crate::alerts::router())
        .merge(crate::risk_rules::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(
            metrics,
            crate::metrics::record,
        ))
        .layer(axum::middleware::from_fn_with_state(
            engine,
            crate::request_log::record,
        ))
        .layer(axum::middleware::from_fn(request_id::middleware))
}

/// A worker node's port: health checks only (no public API).
pub fn health_router(state: ApiState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(state)
        .layer(axum::middleware::from_fn(request_id::middleware))
}

/// Liveness: the process is up.
///
/// For load balancers and orchestrators: answers 200 whenever the process serves requests. No
/// API key needed; served on worker nodes too.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "platform",
    security(()),
    responses((status = 200, description = "The process is up.", body = Health), Public)
)]
pub(crate) async fn healthz() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

/// Readiness: the database answers.
///
/// For load balancers and orchestrators: 200 when this node's database answers, 503
/// `service_unavailable` when it does not. No API key needed; served on worker nodes too.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "platform",
    security(()),
    responses(
        (status = 200, description = "The node is ready.", body = Readiness),
        Public,
        NotReady,
    )
)]
pub(crate) async fn readyz(
    axum::extract::State(state): axum::extract::State<ApiState>,
) -> Result<impl IntoResponse, ApiError> {
    state
        .engine
        .ping()
        .await
        .map_err(|_| ApiError::unavailable())?;
    Ok(Json(json!({
        "status": "ready",
        // API nodes alive in the deployment (heartbeats), which share the per-key rate limits.
        "api_nodes": state.engine.api_nodes(),
    })))
}

/// List the addresses webhooks come from.
///
/// The source addresses webhook deliveries leave from (the operator's `webhooks.egress_ips`),
/// for your receiver's firewall: one page with every address. Empty when none is configured (the
/// operating system then picks the source address). No API key needed (docs/reference.md §5.4).
#[utoipa::path(
    get,
    path = "/v1/egress_ips",
    tag = "platform",
    security(()),
    responses((status = 200, description = "Every egress address.", body = EgressIpList), Public)
)]
pub(crate) async fn egress_ips(
    axum::extract::State(state): axum::extract::State<ApiState>,
) -> impl IntoResponse {
    let data: Vec<_> = state
        .engine
        .webhooks()
        .egress_ips
        .iter()
        .map(|ip| json!({"ip": ip.to_string()}))
        .collect();
    Json(json!({"object": "list", "data": data, "has_more": false}))
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorType::InvalidRequest,
        "unrecognized_url",
        format!("Unrecognized request URL: {}", uri.path()),
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorType::InvalidRequest,
        "method_not_allowed",
        "This method is not allowed on this URL.",
    )
}
