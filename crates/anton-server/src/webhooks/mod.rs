//! Webhook endpoints API (DESIGN.md §5): create/get/list/update/delete, secret rotation, the
//! delivery log, resend and recover. The dispatcher that delivers is in [`dispatcher`]; the SSRF
//! guard in [`ssrf`].
//!
//! Secrets are `whsec_<base64 of 32 bytes>`, stored encrypted with the server keyring (merchant id
//! as associated data) because the dispatcher signs with them. A secret appears in exactly one
//! response: the one that created it (endpoint creation or `rotate_secret`). The idempotency
//! record of those requests stores the response with `"secret": null`, so a replay does not show
//! it again — rotate to get a new one.

pub mod dispatcher;
pub mod ssrf;

use anton_core::event::EventType;
use anton_core::id::{EventId, WebhookEndpointId};
use anton_core::keys::{Environment, Scope};
use anton_core::signature::WebhookSecret;
use anton_core::time::Timestamp;
use anton_store::list::{paged, Listed};
use anton_store::webhooks::{self, AttemptRecord, DeliveryFilter, DeliveryRecord, EndpointRecord};
use anton_store::{now_us, Tenant};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::api::auth::Auth;
use crate::api::body::{parse_json, RawBody};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiPath, ApiQuery};
use crate::api::idempotency;
use crate::api::list::{ListOut, ListParams};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/webhook_endpoints",
            get(list_endpoints).post(create_endpoint),
        )
        .route(
            "/v1/webhook_endpoints/{id}",
            get(get_endpoint)
                .patch(update_endpoint)
                .delete(delete_endpoint),
        )
        .route(
            "/v1/webhook_endpoints/{id}/rotate_secret",
            post(rotate_secret),
        )
        .route(
            "/v1/webhook_endpoints/{id}/deliveries",
            get(list_deliveries),
        )
        .route("/v1/webhook_endpoints/{id}/recover", post(recover))
        .route("/v1/events/{id}/resend", post(resend))
}

/// A webhook endpoint as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct EndpointOut {
    pub id: String,
    /// Always `webhook_endpoint`.
    pub object: &'static str,
    pub url: String,
    pub enabled_events: Vec<String>,
    pub description: Option<String>,
    /// `enabled` or `disabled`.
    pub status: String,
    /// Only in the response that created this secret (creation, rotation); otherwise absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<Value>,
    /// RFC 3339.
    pub created: String,
    pub livemode: bool,
}

impl EndpointOut {
    pub(crate) fn from_record(r: &EndpointRecord, env: Environment) -> Self {
        Self {
            id: r.id.to_string(),
            object: "webhook_endpoint",
            url: r.url.clone(),
            enabled_events: serde_json::from_str(&r.enabled_events).unwrap_or_default(),
            description: r.description.clone(),
            status: r.status.clone(),
            secret: None,
            created: Timestamp::from_unix_micros(r.created_us).to_rfc3339(),
            livemode: env == Environment::Live,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointIn {
    /// `https://…` (live mode requires https). Checked against the SSRF guard.
    pub url: String,
    /// Event types, or `["*"]` for all.
    pub enabled_events: Vec<String>,
    pub description: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointPatch {
    pub url: Option<String>,
    pub enabled_events: Option<Vec<String>>,
    pub description: Option<Option<String>>,
    /// `enabled` or `disabled`.
    pub status: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RotateIn {
    /// 0 to 604800 (7 days); default 86400. Until then the previous secret also signs.
    pub expire_previous_in_seconds: Option<i64>,
}

/// A time in a request body: RFC 3339 or unix seconds.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum TimeIn {
    Unix(i64),
    Text(String),
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoverIn {
    /// An RFC 3339 time or unix seconds: every failed or exhausted delivery created since then is
    /// retried now.
    #[schema(value_type = String)]
    pub since: TimeIn,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResendIn {
    /// The endpoint to send the event to.
    pub endpoint: String,
}

fn parse_id(id: &str) -> ApiResult<WebhookEndpointId> {
    WebhookEndpointId::parse(id).map_err(|_| ApiError::not_found("webhook_endpoint", id))
}

fn check_events(list: &[String]) -> ApiResult<String> {
    let bad = || {
        ApiError::invalid(
            "enabled_events_invalid",
            "enabled_events is [\"*\"] or a non-empty list of known event types",
        )
        .with_param("enabled_events")
    };
    if list.is_empty() || list.len() > EventType::ALL.len() {
        return Err(bad());
    }
    if list.iter().any(|t| t == "*") {
        if list.len() != 1 {
            return Err(bad());
        }
    } else if list.iter().any(|t| EventType::parse(t).is_none()) {
        return Err(bad());
    }
    serde_json::to_string(list).map_err(|e| ApiError::internal(&e))
}

fn check_description(d: &Option<String>) -> ApiResult<()> {
    if d.as_ref().is_some_and(|d| d.chars().count() > 500) {
        return Err(ApiError::invalid(
            "description_invalid",
            "description is at most 500 characters",
        )
        .with_param("description"));
    }
    Ok(())
}

async fn check_url(state: &AppState, tenant: &Tenant, url: &str) -> ApiResult<String> {
    if url.len() > 2048 {
        return Err(
            ApiError::invalid("url_invalid", "url is at most 2048 characters").with_param("url"),
        );
    }
    state
        .webhooks
        .guard
        .check_url(url, tenant.env == Environment::Live)
        .await
        .map(|u| u.to_string())
        .map_err(|r| ApiError::invalid("url_invalid", r.to_string()).with_param("url"))
}

fn encrypt_secret(state: &AppState, tenant: &Tenant, secret: &WebhookSecret) -> String {
    state.secrets.keyring.encrypt(
        secret.expose_secret().as_bytes(),
        tenant.merchant_id.as_str().as_bytes(),
    )
}

/// Puts the new secret into a fresh (not replayed) 200 response; the stored copy keeps `null`.
async fn with_secret(resp: Response, secret: &WebhookSecret) -> Response {
    if resp.status() != StatusCode::OK || resp.headers().contains_key("idempotent-replayed") {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return ApiError::unavailable().into_response();
    };
    let Ok(mut v) = serde_json::from_slice::<Value>(&bytes) else {
        return ApiError::unavailable().into_response();
    };
    v["secret"] = Value::String(secret.expose_secret().to_owned());
    let mut out = Response::from_parts(parts, axum::body::Body::from(v.to_string()));
    out.headers_mut().remove(axum::http::header::CONTENT_LENGTH);
    out
}

#[utoipa::path(post, path = "/v1/webhook_endpoints", tag = "webhooks", request_body = EndpointIn, responses((status = 200, body = EndpointOut, description = "the endpoint, with its secret (shown once)"), (status = 400, description = "invalid_request_error envelope (url_invalid: malformed, not https in live mode, or refused by the SSRF guard)"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error")))]
pub async fn create_endpoint(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::WebhooksWrite)?;
    let input: EndpointIn = parse_json(&body)?;
    let enabled_events = check_events(&input.enabled_events)?;
    check_description(&input.description)?;
    let tenant = auth.tenant.clone();
    let url = check_url(&state, &tenant, &input.url).await?;
    let secret = WebhookSecret::generate();
    let now = now_us();
    let record = EndpointRecord {
        id: WebhookEndpointId::generate(),
        url,
        enabled_events,
        description: input.description,
        status: "enabled".into(),
        secret_ciphertext: encrypt_secret(&state, &tenant, &secret),
        previous_secret_ciphertext: None,
        previous_expires_us: None,
        failing_since_us: None,
        created_us: now,
        updated_us: now,
    };
    let t = tenant.clone();
    let resp = idempotency::run(
        &state,
        &tenant,
        &headers,
        &Method::POST,
        "/v1/webhook_endpoints",
        &body,
        move |c| {
            Box::pin(async move {
                webhooks::insert_endpoint(c, &t, &record).await?;
                let mut out = EndpointOut::from_record(&record, t.env);
                out.secret = Some(Value::Null);
                Ok(idempotency::ok_json(&out))
            })
        },
    )
    .await?;
    Ok(with_secret(resp, &secret).await)
}

#[utoipa::path(get, path = "/v1/webhook_endpoints/{id}", tag = "webhooks", params(("id" = String, Path)), responses((status = 200, body = EndpointOut), (status = 404, description = "resource_missing")))]
pub async fn get_endpoint(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<EndpointOut>> {
    auth.require(Scope::WebhooksRead)?;
    let eid = parse_id(&id)?;
    let r = webhooks::get_endpoint(state.store.read(), &auth.tenant, &eid)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook_endpoint", &id))?;
    Ok(Json(EndpointOut::from_record(&r, auth.tenant.env)))
}

#[utoipa::path(get, path = "/v1/webhook_endpoints", tag = "webhooks", params(("limit" = Option<i64>, Query), ("starting_after" = Option<String>, Query)), responses((status = 200, description = "a list of webhook endpoints")))]
pub async fn list_endpoints(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery,
) -> ApiResult<Json<ListOut<EndpointOut>>> {
    auth.require(Scope::WebhooksRead)?;
    let params = ListParams::parse(q, &[])?;
    let page = params
        .page(&state.store, Listed::WebhookEndpoints, &auth.tenant)
        .await?;
    let rows = webhooks::list_endpoints(state.store.read(), &auth.tenant, &page).await?;
    let (rows, has_more) = paged(rows, params.limit);
    Ok(Json(ListOut::new(
        rows.iter()
            .map(|r| EndpointOut::from_record(r, auth.tenant.env))
            .collect(),
        has_more,
    )))
}

#[utoipa::path(patch, path = "/v1/webhook_endpoints/{id}", tag = "webhooks", params(("id" = String, Path)), request_body = EndpointPatch, responses((status = 200, body = EndpointOut), (status = 400, description = "invalid_request_error envelope"), (status = 404, description = "resource_missing")))]
pub async fn update_endpoint(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::WebhooksWrite)?;
    let eid = parse_id(&id)?;
    let patch: EndpointPatch = parse_json(&body)?;
    let events = patch
        .enabled_events
        .as_deref()
        .map(check_events)
        .transpose()?;
    if let Some(d) = &patch.description {
        check_description(d)?;
    }
    if let Some(s) = &patch.status {
        if s != "enabled" && s != "disabled" {
            return Err(ApiError::invalid(
                "status_invalid",
                "status is \"enabled\" or \"disabled\"",
            )
            .with_param("status"));
        }
    }
    let tenant = auth.tenant.clone();
    let url = match &patch.url {
        Some(u) => Some(check_url(&state, &tenant, u).await?),
        None => None,
    };
    let t = tenant.clone();
    let path = format!("/v1/webhook_endpoints/{id}");
    idempotency::run(
        &state,
        &tenant,
        &headers,
        &Method::PATCH,
        &path,
        &body,
        move |c| {
            Box::pin(async move {
                let Some(mut r) = webhooks::get_endpoint(&mut *c, &t, &eid).await? else {
                    return Ok(Err(ApiError::not_found("webhook_endpoint", eid.as_str())));
                };
                if let Some(u) = url {
                    r.url = u;
                }
                if let Some(e) = events {
                    r.enabled_events = e;
                }
                if let Some(d) = patch.description {
                    r.description = d;
                }
                if let Some(s) = patch.status {
                    if s == "enabled" && r.status != "enabled" {
                        r.failing_since_us = None;
                    }
                    r.status = s;
                }
                r.updated_us = now_us();
                webhooks::update_endpoint(c, &t, &r).await?;
                Ok(idempotency::ok_json(&EndpointOut::from_record(&r, t.env)))
            })
        },
    )
    .await
}

#[utoipa::path(delete, path = "/v1/webhook_endpoints/{id}", tag = "webhooks", params(("id" = String, Path)), responses((status = 200, description = "{\"id\",\"object\":\"webhook_endpoint\",\"deleted\":true}"), (status = 404, description = "resource_missing")))]
pub async fn delete_endpoint(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    auth.require(Scope::WebhooksWrite)?;
    let eid = parse_id(&id)?;
    let t = auth.tenant.clone();
    let out = state
        .store
        .write(move |c| {
            Box::pin(async move { webhooks::delete_endpoint(c, &t, &eid, now_us()).await })
        })
        .await?;
    if !out {
        return Err(ApiError::not_found("webhook_endpoint", &id));
    }
    Ok(Json(json!({"id": id, "object": "webhook_endpoint", "deleted": true})).into_response())
}

#[utoipa::path(post, path = "/v1/webhook_endpoints/{id}/rotate_secret", tag = "webhooks", params(("id" = String, Path)), request_body = RotateIn, responses((status = 200, body = EndpointOut, description = "the endpoint with its new secret (shown once)"), (status = 400, description = "invalid_request_error envelope"), (status = 404, description = "resource_missing")))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::WebhooksWrite)?;
    let eid = parse_id(&id)?;
    let input: RotateIn = if body.is_empty() {
        RotateIn::default()
    } else {
        parse_json(&body)?
    };
    let expire_in = input.expire_previous_in_seconds.unwrap_or(86_400);
    if !(0..=604_800).contains(&expire_in) {
        return Err(ApiError::invalid(
            "expire_previous_in_seconds_invalid",
            "expire_previous_in_seconds is 0 to 604800",
        )
        .with_param("expire_previous_in_seconds"));
    }
    let tenant = auth.tenant.clone();
    let secret = WebhookSecret::generate();
    let ciphertext = encrypt_secret(&state, &tenant, &secret);
    let t = tenant.clone();
    let path = format!("/v1/webhook_endpoints/{id}/rotate_secret");
    let resp = idempotency::run(
        &state,
        &tenant,
        &headers,
        &Method::POST,
        &path,
        &body,
        move |c| {
            Box::pin(async move {
                let Some(mut r) = webhooks::get_endpoint(&mut *c, &t, &eid).await? else {
                    return Ok(Err(ApiError::not_found("webhook_endpoint", eid.as_str())));
                };
                let now = now_us();
                if expire_in > 0 {
                    r.previous_secret_ciphertext = Some(r.secret_ciphertext.clone());
                    r.previous_expires_us = Some(now + expire_in * 1_000_000);
                } else {
                    r.previous_secret_ciphertext = None;
                    r.previous_expires_us = None;
                }
                r.secret_ciphertext = ciphertext;
                r.updated_us = now;
                webhooks::update_endpoint(c, &t, &r).await?;
                let mut out = EndpointOut::from_record(&r, t.env);
                out.secret = Some(Value::Null);
                Ok(idempotency::ok_json(&out))
            })
        },
    )
    .await?;
    Ok(with_secret(resp, &secret).await)
}

/// One delivery attempt.
#[derive(Serialize, ToSchema)]
pub struct AttemptOut {
    pub attempt: i64,
    /// RFC 3339.
    pub started: String,
    pub latency_ms: i64,
    pub status_code: Option<i64>,
    /// The first 1 KiB of the response body.
    pub response_body: Option<String>,
    /// `timeout`, `connect`, `tls`, `refused_destination`, `http_status`, …
    pub error_class: Option<String>,
}

/// A delivery of one event to one endpoint, with its attempts.
#[derive(Serialize, ToSchema)]
pub struct DeliveryOut {
    pub id: String,
    /// Always `webhook_delivery`.
    pub object: &'static str,
    pub endpoint: String,
    pub event: String,
    pub event_type: String,
    /// `pending`, `retrying`, `succeeded`, `exhausted` or `canceled`.
    pub status: String,
    pub attempts: i64,
    /// When the next attempt is scheduled (RFC 3339), if one is.
    pub next_attempt: Option<String>,
    /// RFC 3339.
    pub created: String,
    pub attempt_log: Vec<AttemptOut>,
    pub livemode: bool,
}

pub(crate) fn delivery_json(
    d: &DeliveryRecord,
    attempts: &[AttemptRecord],
    env: Environment,
) -> DeliveryOut {
    DeliveryOut {
        id: d.id.to_string(),
        object: "webhook_delivery",
        endpoint: d.endpoint_id.to_string(),
        event: d.event_id.to_string(),
        event_type: d.event_type.clone(),
        status: d.status.clone(),
        attempts: d.attempts,
        next_attempt: d
            .next_attempt_us
            .map(|u| Timestamp::from_unix_micros(u).to_rfc3339()),
        created: Timestamp::from_unix_micros(d.created_us).to_rfc3339(),
        attempt_log: attempts
            .iter()
            .map(|a| AttemptOut {
                attempt: a.attempt,
                started: Timestamp::from_unix_micros(a.started_us).to_rfc3339(),
                latency_ms: a.latency_us / 1_000,
                status_code: a.status_code,
                response_body: a.response_body.clone(),
                error_class: a.error_class.clone(),
            })
            .collect(),
        livemode: env == Environment::Live,
    }
}

#[utoipa::path(get, path = "/v1/webhook_endpoints/{id}/deliveries", tag = "webhooks", params(("id" = String, Path), ("status" = Option<String>, Query, description = "pending, retrying, succeeded, exhausted, canceled"), ("event" = Option<String>, Query, description = "an event id"), ("limit" = Option<i64>, Query), ("starting_after" = Option<String>, Query)), responses((status = 200, description = "a list of deliveries with their attempts"), (status = 404, description = "resource_missing")))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery,
) -> ApiResult<Json<ListOut<DeliveryOut>>> {
    auth.require(Scope::WebhooksRead)?;
    let eid = parse_id(&id)?;
    webhooks::get_endpoint(state.store.read(), &auth.tenant, &eid)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook_endpoint", &id))?;
    let params = ListParams::parse(q, &["status", "event"])?;
    let status = params.rest.get("status").cloned();
    if let Some(s) = &status {
        if !["pending", "retrying", "succeeded", "exhausted", "canceled"].contains(&s.as_str()) {
            return Err(ApiError::invalid(
                "status_invalid",
                "status is one of pending, retrying, succeeded, exhausted, canceled",
            )
            .with_param("status"));
        }
    }
    let event = params
        .rest
        .get("event")
        .map(|e| {
            EventId::parse(e).map_err(|_| {
                ApiError::invalid("event_invalid", "event is an event id").with_param("event")
            })
        })
        .transpose()?;
    let page = params
        .page(&state.store, Listed::Deliveries, &auth.tenant)
        .await?;
    let rows = webhooks::list_deliveries(
        state.store.read(),
        &auth.tenant,
        &eid,
        &DeliveryFilter { status, event },
        &page,
    )
    .await?;
    let (rows, has_more) = paged(rows, params.limit);
    Ok(Json(ListOut::new(
        rows.iter()
            .map(|(d, a)| delivery_json(d, a, auth.tenant.env))
            .collect(),
        has_more,
    )))
}

#[utoipa::path(post, path = "/v1/webhook_endpoints/{id}/recover", tag = "webhooks", params(("id" = String, Path)), request_body = RecoverIn, responses((status = 200, description = "{\"object\":\"recovery\",\"deliveries\":N}: how many deliveries were scheduled now"), (status = 404, description = "resource_missing")))]
pub async fn recover(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::WebhooksWrite)?;
    let eid = parse_id(&id)?;
    let input: RecoverIn = parse_json(&body)?;
    let since_us = match &input.since {
        TimeIn::Unix(secs) => crate::api::list::parse_time("since", &secs.to_string()),
        TimeIn::Text(text) => crate::api::list::parse_time("since", text),
    }?;
    if !(0..=4_102_444_800_000_000).contains(&since_us) {
        return Err(
            ApiError::invalid("parameter_invalid", "since is out of range").with_param("since"),
        );
    }
    let now = state.webhooks.clock.now_us();
    let t = auth.tenant.clone();
    let path = format!("/v1/webhook_endpoints/{id}/recover");
    let resp = idempotency::run(
        &state,
        &auth.tenant,
        &headers,
        &Method::POST,
        &path,
        &body,
        move |c| {
            Box::pin(async move {
                if webhooks::get_endpoint(&mut *c, &t, &eid).await?.is_none() {
                    return Ok(Err(ApiError::not_found("webhook_endpoint", eid.as_str())));
                }
                let n = webhooks::recover(c, &t, &eid, since_us, now).await?;
                Ok(idempotency::ok_json(
                    &json!({"object": "recovery", "endpoint": eid, "deliveries": n}),
                ))
            })
        },
    )
    .await;
    state.webhooks.wake.notify_one();
    resp
}

#[utoipa::path(post, path = "/v1/events/{id}/resend", tag = "webhooks", params(("id" = String, Path)), request_body = ResendIn, responses((status = 200, body = DeliveryOut, description = "the new delivery, scheduled now"), (status = 404, description = "resource_missing (event or endpoint)")))]
pub async fn resend(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::WebhooksWrite)?;
    let event_id = EventId::parse(&id).map_err(|_| ApiError::not_found("event", &id))?;
    let input: ResendIn = parse_json(&body)?;
    let endpoint_id = WebhookEndpointId::parse(&input.endpoint).map_err(|_| {
        ApiError::not_found("webhook_endpoint", &input.endpoint).with_param("endpoint")
    })?;
    let now = state.webhooks.clock.now_us();
    let t = auth.tenant.clone();
    let path = format!("/v1/events/{id}/resend");
    let resp = idempotency::run(
        &state,
        &auth.tenant,
        &headers,
        &Method::POST,
        &path,
        &body,
        move |c| {
            Box::pin(async move {
                let Some(event) = anton_store::events::get(&mut *c, &t, &event_id).await? else {
                    return Ok(Err(ApiError::not_found("event", event_id.as_str())));
                };
                if webhooks::get_endpoint(&mut *c, &t, &endpoint_id)
                    .await?
                    .is_none()
                {
                    return Ok(Err(ApiError::not_found(
                        "webhook_endpoint",
                        endpoint_id.as_str(),
                    )
                    .with_param("endpoint")));
                }
                let d = webhooks::NewDelivery {
                    tenant: t.clone(),
                    id: anton_core::id::DeliveryId::generate(),
                    endpoint_id: endpoint_id.clone(),
                    event_id: event.id.clone(),
                    event_type: event.event_type.clone(),
                    next_attempt_us: now,
                    lease_us: None,
                    created_us: now,
                };
                webhooks::insert_deliveries(
                    &mut anton_store::BatchConn::Any(c),
                    std::slice::from_ref(&d),
                )
                .await?;
                let record = DeliveryRecord {
                    id: d.id.clone(),
                    endpoint_id: d.endpoint_id.clone(),
                    event_id: d.event_id.clone(),
                    event_type: d.event_type.clone(),
                    status: "pending".into(),
                    attempts: 0,
                    next_attempt_us: Some(now),
                    last_status_code: None,
                    last_error: None,
                    created_us: now,
                    updated_us: now,
                };
                Ok(idempotency::ok_json(&delivery_json(&record, &[], t.env)))
            })
        },
    )
    .await;
    state.webhooks.wake.notify_one();
    resp
}
