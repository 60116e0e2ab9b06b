//! Webhook endpoints (docs/reference.md §5): create/get/list/update/delete, secret rotation, the
//! delivery log, resend and recover, through the engine (`anton_engine::webhooks`).
//!
//! A secret appears in exactly one response: the one that created it (endpoint creation or
//! `rotate_secret`). The idempotency record of those requests keeps the answer with
//! `"secret": null`, so a replay does not show it again — rotate to get a new one.

use anton_core::id::{EventId, WebhookEndpointId};
use anton_core::keys::{Environment, Scope};
use anton_core::signature::SigningKey;
use anton_engine::idempotency::Answer;
use anton_engine::objects::{DeliveryOut, EndpointOut};
use anton_engine::webhooks::deliveries::{DeliveryQuery, Recovery};
use anton_engine::webhooks::endpoints::{EndpointChanges, NewEndpoint};
use anton_store::webhooks::{DeliveryRecord, EndpointRecord};
use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::auth::Auth;
use crate::body::{parse_json, EmptyIn, RawBody};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::idempotency::{self, json, reply, JsonReply};
use crate::list::{ListOut, ListParams};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
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
        .route("/v1/webhook_endpoints/{id}/test", post(send_test_event))
        .route(
            "/v1/webhook_endpoints/{id}/deliveries",
            get(list_deliveries),
        )
        .route("/v1/webhook_endpoints/{id}/recover", post(recover))
        .route("/v1/events/{id}/resend", post(resend))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointIn {
    /// `https://…` (live mode requires https). Checked against the SSRF guard.
    pub url: String,
    /// Event types, or `["*"]` for all.
    pub enabled_events: Vec<String>,
    pub description: Option<String>,
    /// `hmac_sha256` (default): deliveries are signed with a shared secret (`whsec_…`, shown
    /// once). `ed25519`: signed with an Ed25519 key pair (Standard Webhooks `v1a`); the endpoint
    /// shows its public key (`whpk_…`) and no secret exists on your side.
    pub signature_scheme: Option<String>,
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

/// Renders an endpoint as the API shows it.
fn endpoint(env: Environment) -> JsonReply<impl Fn(&EndpointRecord) -> EndpointOut> {
    json(move |r: &EndpointRecord| EndpointOut::from_record(r, env))
}

/// Renders an endpoint whose secret this request made: `"secret": null` in what is kept, the
/// secret itself only in this request's own answer ([`with_secret`]).
fn endpoint_with_new_secret(
    env: Environment,
) -> JsonReply<impl Fn(&EndpointRecord) -> EndpointOut> {
    json(move |r: &EndpointRecord| {
        let mut out = EndpointOut::from_record(r, env);
        out.secret = Some(Value::Null);
        out
    })
}

/// Puts the new secret into a fresh (not replayed) 200 answer; the stored copy keeps `null`.
fn with_secret(mut answer: Answer, secret: &SigningKey) -> Response {
    // An Ed25519 endpoint's private key never leaves Anton: its answer shows the public key
    // (`public_key`, part of the object) and `secret: null`.
    let SigningKey::Hmac(secret) = secret else {
        return reply(answer);
    };
    if answer.reply.status == 200 && !answer.replayed {
        let Ok(mut v) = serde_json::from_str::<Value>(&answer.reply.body) else {
            return ApiError::unavailable().into_response();
        };
        v["secret"] = Value::String(secret.expose_secret().to_owned());
        answer.reply.body = v.to_string();
    }
    reply(answer)
}

#[utoipa::path(post, path = "/v1/webhook_endpoints", tag = "webhooks", request_body = EndpointIn, responses((status = 200, body = EndpointOut, description = "the endpoint, with its secret (shown once)"), (status = 400, description = "invalid_request_error envelope (url_invalid: malformed, not https in live mode, or refused by the SSRF guard)"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error")))]
pub async fn create_endpoint(
    State(state): State<ApiState>,
    auth: Auth,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::WebhooksWrite)?;
    let input: EndpointIn = parse_json(&body)?;
    let new = NewEndpoint::new(
        input.url,
        &input.enabled_events,
        input.description,
        input.signature_scheme.as_deref(),
    )?;
    let mutation = idempotency::mutation(
        &auth,
        &headers,
        &Method::POST,
        "/v1/webhook_endpoints",
        &body,
        endpoint_with_new_secret(auth.tenant.env),
    )?;
    let (answer, secret) = state
        .engine
        .create_endpoint(&auth.tenant, new, mutation)
        .await?;
    Ok(with_secret(answer, &secret))
}

#[utoipa::path(get, path = "/v1/webhook_endpoints/{id}", tag = "webhooks", params(("id" = String, Path)), responses((status = 200, body = EndpointOut), (status = 404, description = "resource_missing")))]
pub async fn get_endpoint(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<EndpointOut>> {
    auth.require(Scope::WebhooksRead)?;
    let r = state
        .engine
        .get_endpoint(&auth.tenant, &parse_id(&id)?)
        .await?;
    Ok(Json(EndpointOut::from_record(&r, auth.tenant.env)))
}

#[utoipa::path(get, path = "/v1/webhook_endpoints", tag = "webhooks", params(("limit" = Option<i64>, Query), ("status" = Option<String>, Query, description = "enabled or disabled"), ("starting_after" = Option<String>, Query, description = "cursor: the id of the last object of the previous page; the next (older) page"), ("ending_before" = Option<String>, Query, description = "cursor: the id of the first object of the current page; the previous (newer) page, still newest first")), responses((status = 200, description = "a list of webhook endpoints")))]
pub async fn list_endpoints(
    State(state): State<ApiState>,
    auth: Auth,
    ApiQuery(q): ApiQuery,
) -> ApiResult<Json<ListOut<EndpointOut>>> {
    auth.require(Scope::WebhooksRead)?;
    let params = ListParams::parse(q, &["status"])?;
    let status = params.rest.get("status").map(String::as_str);
    let listing = state
        .engine
        .list_endpoints(&auth.tenant, &params.query(), status)
        .await?;
    let env = auth.tenant.env;
    Ok(Json(ListOut::of(listing, |r| {
        EndpointOut::from_record(&r, env)
    })))
}

#[utoipa::path(patch, path = "/v1/webhook_endpoints/{id}", tag = "webhooks", params(("id" = String, Path)), request_body = EndpointPatch, responses((status = 200, body = EndpointOut), (status = 400, description = "invalid_request_error envelope"), (status = 404, description = "resource_missing")))]
pub async fn update_endpoint(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::WebhooksWrite)?;
    let eid = parse_id(&id)?;
    let patch: EndpointPatch = parse_json(&body)?;
    let changes = EndpointChanges::new(
        patch.url,
        patch.enabled_events.as_deref(),
        patch.description,
        patch.status.as_deref(),
    )?;
    let path = format!("/v1/webhook_endpoints/{id}");
    let mutation = idempotency::mutation(
        &auth,
        &headers,
        &Method::PATCH,
        &path,
        &body,
        endpoint(auth.tenant.env),
    )?;
    let answer = state
        .engine
        .update_endpoint(&auth.tenant, eid, changes, mutation)
        .await?;
    Ok(reply(answer))
}

#[utoipa::path(delete, path = "/v1/webhook_endpoints/{id}", tag = "webhooks", params(("id" = String, Path)), responses((status = 200, description = "{\"id\",\"object\":\"webhook_endpoint\",\"deleted\":true}"), (status = 404, description = "resource_missing")))]
pub async fn delete_endpoint(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    auth.require(Scope::WebhooksWrite)?;
    let eid = parse_id(&id)?;
    let render = json(|id: &WebhookEndpointId| {
        let object = "webhook_endpoint";
        json!({"id": id.as_str(), "object": object, "deleted": true})
    });
    let answer = state
        .engine
        .delete_endpoint(&auth.tenant, eid, idempotency::unkeyed(&auth, render))
        .await?;
    Ok(reply(answer))
}

/// The outcome of a test event sent to an endpoint.
#[derive(Serialize, ToSchema)]
pub struct TestSendOut {
    /// Always `webhook_test`.
    pub object: &'static str,
    /// The endpoint's id.
    pub endpoint: String,
    /// Whether the endpoint answered 2xx.
    pub succeeded: bool,
    /// The endpoint's HTTP status, when it answered.
    pub status_code: Option<u16>,
    /// Why the attempt failed: `http_status`, `timeout`, `connect`, `refused_destination`,
    /// `request`, `invalid_url` or `secret_unavailable`; `null` on success.
    pub error: Option<&'static str>,
    /// From the start of the request to the answer (or the failure).
    pub latency_ms: i64,
    /// The first 1,024 bytes of the endpoint's answer.
    pub response_body: Option<String>,
    /// The event sent (`type` `webhook_endpoint.test`, its `data.object` the endpoint), exactly
    /// as posted and signed.
    #[schema(value_type = Object)]
    pub event: Value,
}

/// Sends a signed test event (`webhook_endpoint.test`) to the endpoint now — also while it is
/// disabled — and answers with the attempt's outcome. Nothing is stored or retried; the
/// endpoint's failure clock does not move.
#[utoipa::path(post, path = "/v1/webhook_endpoints/{id}/test", tag = "webhooks", params(("id" = String, Path)), responses((status = 200, body = TestSendOut, description = "the attempt's outcome (succeeded false when the endpoint did not answer 2xx)"), (status = 404, description = "resource_missing"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
pub async fn send_test_event(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    RawBody(body): RawBody,
) -> ApiResult<Json<TestSendOut>> {
    auth.require(Scope::WebhooksWrite)?;
    let eid = parse_id(&id)?;
    parse_json::<EmptyIn>(&body)?;
    let sent = state
        .engine
        .send_test_event(&auth.tenant, &eid, &state.transport)
        .await?;
    Ok(Json(TestSendOut {
        object: "webhook_test",
        endpoint: sent.endpoint.to_string(),
        succeeded: sent.succeeded(),
        status_code: sent.status_code,
        error: sent.error,
        latency_ms: sent.latency_ms,
        response_body: sent.response_body,
        event: serde_json::from_str(&sent.event).unwrap_or_default(),
    }))
}

#[utoipa::path(post, path = "/v1/webhook_endpoints/{id}/rotate_secret", tag = "webhooks", params(("id" = String, Path)), request_body = RotateIn, responses((status = 200, body = EndpointOut, description = "the endpoint with its new secret (shown once)"), (status = 400, description = "invalid_request_error envelope"), (status = 404, description = "resource_missing")))]
pub async fn rotate_secret(
    State(state): State<ApiState>,
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
    let path = format!("/v1/webhook_endpoints/{id}/rotate_secret");
    let mutation = idempotency::mutation(
        &auth,
        &headers,
        &Method::POST,
        &path,
        &body,
        endpoint_with_new_secret(auth.tenant.env),
    )?;
    let (answer, secret) = state
        .engine
        .rotate_secret(
            &auth.tenant,
            eid,
            input.expire_previous_in_seconds,
            mutation,
        )
        .await?;
    Ok(with_secret(answer, &secret))
}

#[utoipa::path(get, path = "/v1/webhook_endpoints/{id}/deliveries", tag = "webhooks", params(("id" = String, Path), ("status" = Option<String>, Query, description = "pending, retrying, succeeded, exhausted, canceled"), ("event" = Option<String>, Query, description = "an event id"), ("limit" = Option<i64>, Query), ("starting_after" = Option<String>, Query, description = "cursor: the id of the last object of the previous page; the next (older) page"), ("ending_before" = Option<String>, Query, description = "cursor: the id of the first object of the current page; the previous (newer) page, still newest first")), responses((status = 200, description = "a list of deliveries with their attempts"), (status = 404, description = "resource_missing")))]
pub async fn list_deliveries(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery,
) -> ApiResult<Json<ListOut<DeliveryOut>>> {
    auth.require(Scope::WebhooksRead)?;
    let eid = parse_id(&id)?;
    let params = ListParams::parse(q, &["status", "event"])?;
    let event = params.filter("event", "an event id (evt_…)", |e| EventId::parse(e).ok())?;
    let query = DeliveryQuery {
        list: params.query(),
        status: params.rest.get("status").cloned(),
        event,
    };
    let listing = state
        .engine
        .list_deliveries(&auth.tenant, &eid, &query)
        .await?;
    let env = auth.tenant.env;
    Ok(Json(ListOut::of(listing, |(d, a)| {
        DeliveryOut::from_record(&d, &a, env)
    })))
}

#[utoipa::path(post, path = "/v1/webhook_endpoints/{id}/recover", tag = "webhooks", params(("id" = String, Path)), request_body = RecoverIn, responses((status = 200, description = "{\"object\":\"recovery\",\"deliveries\":N}: how many deliveries were scheduled now"), (status = 404, description = "resource_missing")))]
pub async fn recover(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::WebhooksWrite)?;
    let eid = parse_id(&id)?;
    let input: RecoverIn = parse_json(&body)?;
    let since_us = match &input.since {
        TimeIn::Unix(secs) => crate::list::parse_time("since", &secs.to_string()),
        TimeIn::Text(text) => crate::list::parse_time("since", text),
    }?;
    let path = format!("/v1/webhook_endpoints/{id}/recover");
    let render = json(
        |r: &Recovery| json!({"object": "recovery", "endpoint": r.endpoint, "deliveries": r.deliveries}),
    );
    let mutation = idempotency::mutation(&auth, &headers, &Method::POST, &path, &body, render)?;
    let answer = state
        .engine
        .recover(&auth.tenant, eid, since_us, mutation)
        .await?;
    Ok(reply(answer))
}

#[utoipa::path(post, path = "/v1/events/{id}/resend", tag = "webhooks", params(("id" = String, Path)), request_body = ResendIn, responses((status = 200, body = DeliveryOut, description = "the new delivery, scheduled now"), (status = 404, description = "resource_missing (event or endpoint)")))]
pub async fn resend(
    State(state): State<ApiState>,
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
    let path = format!("/v1/events/{id}/resend");
    let env = auth.tenant.env;
    let render = json(move |d: &DeliveryRecord| DeliveryOut::from_record(d, &[], env));
    let mutation = idempotency::mutation(&auth, &headers, &Method::POST, &path, &body, render)?;
    let answer = state
        .engine
        .resend(&auth.tenant, event_id, endpoint_id, mutation)
        .await?;
    Ok(reply(answer))
}
