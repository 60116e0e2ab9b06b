//! Alerts: `GET /v1/alerts` (filters `status`, `rule`, `created[…]`), `GET /v1/alerts/{id}`,
//! `POST /v1/alerts/{id}/acknowledge` and `/resolve`, through the engine (`anton_engine::alerts`).

use anton_core::id::AlertId;
use anton_core::keys::Scope;
use anton_engine::alerts::{AlertAction, AlertQuery, Rule, ALERT_STATUSES};
use anton_engine::objects::AlertOut;
use anton_store::alerts::AlertFilter;
use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::auth::Auth;
use crate::body::{parse_json, EmptyIn, RawBody};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::idempotency;
use crate::list::{one_of, ListOut, ListParams};
use crate::openapi::{
    AlertList, Authenticated, ById, EmptyBody, IdempotencyKey, Keyed, PageParams, WithBody,
};
use crate::state::ApiState;
use anton_engine::openapi::{AlertIdSchema, AlertRuleSchema, AlertStatusSchema};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/v1/alerts", get(list_alerts))
        .route("/v1/alerts/{id}", get(get_alert))
        .route("/v1/alerts/{id}/acknowledge", post(acknowledge_alert))
        .route("/v1/alerts/{id}/resolve", post(resolve_alert))
}

/// Retrieve an alert.
///
/// Scope: `alerts:read`.
#[utoipa::path(
    get,
    path = "/v1/alerts/{id}",
    tag = "alerts",
    security(("api_key" = ["alerts:read"])),
    params(("id" = AlertIdSchema, Path, description = "The alert's id.")),
    responses(
        (status = 200, description = "The alert.", body = AlertOut),
        Authenticated,
        ById,
    )
)]
pub async fn get_alert(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<AlertOut>> {
    auth.require(Scope::AlertsRead)?;
    let aid = AlertId::parse(&id).map_err(|_| ApiError::not_found("alert", &id))?;
    let a = state.engine.get_alert(&auth.tenant, &aid).await?;
    Ok(Json(AlertOut::from_record(a)))
}

/// List alerts.
///
/// Returns a page of this environment's alerts, newest first. Anton raises an alert when it
/// notices something your team should look at — a revoked or expired key still in use, a secret
/// key sent from a browser, a key used from a new address, a spike of 401s, a 5xx answered to
/// you, a failing or disabled webhook endpoint — one per rule and subject while unresolved
/// (later sightings raise its `count` and `last_seen`), resolved by Anton when the condition
/// clears. Each is also announced by an `alert.raised` event, and its resolution by
/// `alert.resolved`.
///
/// Scope: `alerts:read`.
#[utoipa::path(
    get,
    path = "/v1/alerts",
    tag = "alerts",
    security(("api_key" = ["alerts:read"])),
    params(
        PageParams,
        ("status" = Option<AlertStatusSchema>, Query, description = "Only alerts in this status."),
        ("rule" = Option<AlertRuleSchema>, Query, description = "Only alerts of this rule."),
    ),
    responses(
        (status = 200, description = "A page of alerts.", body = AlertList),
        Authenticated,
    )
)]
pub async fn list_alerts(
    State(state): State<ApiState>,
    auth: Auth,
    ApiQuery(q): ApiQuery,
) -> ApiResult<Json<ListOut<AlertOut>>> {
    auth.require(Scope::AlertsRead)?;
    let params = ListParams::parse(q, &["status", "rule"])?;
    let rules = Rule::ALL.map(Rule::as_str);
    let filter = AlertFilter {
        status: params.filter("status", &one_of(ALERT_STATUSES), |s| {
            ALERT_STATUSES.contains(&s).then(|| s.to_owned())
        })?,
        rule: params.filter("rule", &one_of(rules), |r| {
            Rule::parse(r).map(|r| r.as_str().to_owned())
        })?,
    };
    let query = AlertQuery {
        list: params.query(),
        filter,
    };
    let listing = state.engine.list_alerts(&auth.tenant, &query).await?;
    Ok(Json(ListOut::of(listing, AlertOut::from_record)))
}

async fn act(
    state: ApiState,
    auth: Auth,
    id: String,
    action: AlertAction,
    headers: HeaderMap,
    body: &[u8],
) -> ApiResult<Response> {
    let aid = AlertId::parse(&id).map_err(|_| ApiError::not_found("alert", &id))?;
    parse_json::<EmptyIn>(body)?;
    let path = format!(
        "/v1/alerts/{id}/{}",
        match action {
            AlertAction::Acknowledge => "acknowledge",
            AlertAction::Resolve => "resolve",
        }
    );
    let mutation = idempotency::mutation(
        &auth,
        &headers,
        &Method::POST,
        &path,
        body,
        idempotency::json(|a: &anton_store::alerts::AlertRecord| AlertOut::from_record(a.clone())),
    )?;
    let answer = state
        .engine
        .act_on_alert(&auth.tenant, aid, action, mutation)
        .await?;
    Ok(idempotency::reply(answer))
}

/// Acknowledge an alert.
///
/// Marks the alert as seen and handled by your team (`acknowledged_by` is this key). It stays
/// unresolved, keeps counting, and is still resolved by Anton when its condition clears. An
/// alert already acknowledged or resolved is answered as it is.
///
/// Takes no parameters: send no body, or `{}`.
///
/// Scope: `alerts:write`. Takes an `Idempotency-Key`.
#[utoipa::path(
    post,
    path = "/v1/alerts/{id}/acknowledge",
    tag = "alerts",
    security(("api_key" = ["alerts:write"])),
    params(("id" = AlertIdSchema, Path, description = "The alert's id."), IdempotencyKey),
    request_body(content = Option<EmptyBody>, description = "No parameters: no body, or `{}`."),
    responses(
        (status = 200, description = "The alert.", body = AlertOut),
        Authenticated,
        WithBody,
        Keyed,
        ById,
    )
)]
pub async fn acknowledge_alert(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::AlertsWrite)?;
    act(state, auth, id, AlertAction::Acknowledge, headers, &body).await
}

/// Resolve an alert.
///
/// Resolves the alert now (`resolved_by` is this key) and sends `alert.resolved`. If its
/// condition is still there, Anton raises a new alert. An alert already resolved is answered as
/// it is.
///
/// Takes no parameters: send no body, or `{}`.
///
/// Scope: `alerts:write`. Takes an `Idempotency-Key`.
#[utoipa::path(
    post,
    path = "/v1/alerts/{id}/resolve",
    tag = "alerts",
    security(("api_key" = ["alerts:write"])),
    params(("id" = AlertIdSchema, Path, description = "The alert's id."), IdempotencyKey),
    request_body(content = Option<EmptyBody>, description = "No parameters: no body, or `{}`."),
    responses(
        (status = 200, description = "The alert.", body = AlertOut),
        Authenticated,
        WithBody,
        Keyed,
        ById,
    )
)]
pub async fn resolve_alert(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::AlertsWrite)?;
    act(state, auth, id, AlertAction::Resolve, headers, &body).await
}
