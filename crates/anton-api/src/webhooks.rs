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
use crate::openapi::{
    Authenticated, ById, DeletedWebhookEndpoint, EmptyBody, IdempotencyKey, Keyed, PageParams,
    RecoveryDoc, WebhookDeliveryList, WebhookEndpointEventSchema, WebhookEndpointList, WithBody,
};
use crate::state::ApiState;
use anton_engine::openapi::{
    self as oa, DeliveryStatusSchema, EndpointIdSchema, EndpointStatusSchema, EventIdSchema,
};

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

/// A new webhook endpoint.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = WebhookEndpointCreate, examples(examples::endpoint_create))]
pub struct EndpointIn {
    /// Where to post events: an absolute `https://` URL (`http://` is accepted in test mode
    /// only), at most 2048 characters, without a user name or password, not on port 0, whose
    /// host resolves only to public addresses (the SSRF guard). `url_invalid` otherwise.
    #[schema(
        min_length = 1,
        max_length = 2048,
        pattern = "^https?://",
        examples("https://hooks.example.com/anton")
    )]
    pub url: String,
    /// The event types to receive, or `["*"]` for every type.
    #[schema(value_type = oa::EnabledEventsSchema)]
    pub enabled_events: Vec<String>,
    /// Your description of the endpoint: at most 500 characters (`description_invalid`), no
    /// control, bidirectional-formatting or zero-width characters; `null` for none.
    #[schema(max_length = 500, examples("Payout status updates"))]
    pub description: Option<String>,
    /// How deliveries are signed: `hmac_sha256` (default) or `ed25519` (`parameter_invalid`
    /// otherwise). Fixed once the endpoint exists.
    #[schema(value_type = Option<oa::SignatureSchemeSchema>, default = "hmac_sha256")]
    pub signature_scheme: Option<String>,
}

/// Changes to a webhook endpoint: absent (or `null`) fields stay as they are.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = WebhookEndpointUpdate, examples(examples::endpoint_update))]
pub struct EndpointPatch {
    /// A new URL, checked as at creation (`url_invalid`).
    #[schema(
        min_length = 1,
        max_length = 2048,
        pattern = "^https?://",
        examples("https://hooks.example.com/anton/v2")
    )]
    pub url: Option<String>,
    /// New subscriptions, replacing the current ones.
    #[schema(value_type = Option<oa::EnabledEventsSchema>)]
    pub enabled_events: Option<Vec<String>>,
    /// A new description (at most 500 characters; `description_invalid`). `null` clears it.
    #[serde(default, deserialize_with = "crate::recipients::wire::double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub description: Option<Option<String>>,
    /// `enabled` or `disabled` (`status_invalid` otherwise).
    #[schema(value_type = Option<oa::EndpointStatusSchema>)]
    pub status: Option<String>,
}

/// How a secret rotation treats the previous secret.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(as = SecretRotation, examples(json!({"expire_previous_in_seconds": 3600})))]
pub struct RotateIn {
    /// How long the previous secret keeps signing, in seconds: 0 (stop at once) to 604800 (7
    /// days), default 86400 (`expire_previous_in_seconds_invalid` otherwise).
    #[schema(minimum = 0, maximum = 604800, default = 86400)]
    pub expire_previous_in_seconds: Option<i64>,
}

/// A time in a request body: RFC 3339 or unix seconds.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum TimeIn {
    Unix(i64),
    Text(String),
}

/// Which of an endpoint's deliveries to recover.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = DeliveryRecovery, examples(json!({"since": "2026-11-27T00:00:00Z"})))]
pub struct RecoverIn {
    #[schema(schema_with = since_schema)]
    pub since: TimeIn,
}

/// `since`: an RFC 3339 time or unix seconds.
fn since_schema() -> utoipa::openapi::Schema {
    let mut schema = crate::list::time_schema(
        "Every `retrying` or `exhausted` delivery of the endpoint created at or after this time \
         is scheduled for now",
    );
    if let utoipa::openapi::Schema::OneOf(one_of) = &mut schema {
        one_of.examples = vec![json!("2026-11-27T00:00:00Z")];
    }
    schema
}

/// Where to resend an event.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EventResend, examples(json!({"endpoint": oa::examples::ENDPOINT_ID})))]
pub struct ResendIn {
    /// The endpoint to send the event to: one of this merchant's, in this environment, enabled.
    #[schema(value_type = EndpointIdSchema)]
    pub endpoint: String,
}

/// Examples of request and response bodies.
mod examples {
    use anton_engine::openapi::examples;
    use serde_json::{json, Value};

    pub fn endpoint_create() -> Value {
        json!({
            "url": "https://hooks.example.com/anton",
            "enabled_events": ["payout.paid", "payout.failed", "payout.returned"],
            "description": "Payout status updates"
        })
    }

    pub fn endpoint_update() -> Value {
        json!({"enabled_events": ["*"], "status": "enabled"})
    }

    /// An endpoint as its creation (or a rotation) shows it, with a placeholder secret.
    pub fn endpoint_with_secret() -> Value {
        let mut e = examples::webhook_endpoint();
        e["secret"] = json!("whsec_...");
        e
    }

    /// A delivery as a resend answers it: scheduled now, not yet attempted.
    pub fn resend() -> Value {
        let mut d = examples::webhook_delivery();
        d["status"] = json!("pending");
        d["attempts"] = json!(0);
        d["next_attempt"] = json!("2026-11-28T12:00:00Z");
        d["attempt_log"] = json!([]);
        d
    }

    /// A test event's outcome.
    pub fn test_send() -> Value {
        let endpoint = examples::webhook_endpoint();
        json!({
            "object": "webhook_test",
            "endpoint": examples::ENDPOINT_ID,
            "succeeded": true,
            "status_code": 200,
            "error": null,
            "latency_ms": 112,
            "response_body": "ok",
            "event": {
                "id": examples::EVENT_ID,
                "object": "event",
                "type": "webhook_endpoint.test",
                "created": "2026-11-28T12:00:00Z",
                "livemode": false,
                "api_version": anton_core::API_VERSION,
                "data": {"object": endpoint}
            }
        })
    }
}

use examples::{endpoint_with_secret as endpoint_with_secret_example, resend as resend_example};

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

/// Create a webhook endpoint.
///
/// Creates an `enabled` endpoint that receives the events it subscribes to. Its URL is checked
/// by the SSRF guard now (`url_invalid`) and again at every connection. With `signature_scheme`
/// `hmac_sha256` (the default) the answer shows the signing secret, `whsec_…`, this once: store
/// it (a replay of this request shows `"secret": null`; rotate to get a new one). With `ed25519`
/// the endpoint shows its `public_key` and `secret` is `null`: the private key never leaves
/// Anton.
///
/// Scope: `webhooks:write`. Takes an `Idempotency-Key`.
#[utoipa::path(
    post,
    path = "/v1/webhook_endpoints",
    tag = "webhook_endpoints",
    security(("api_key" = ["webhooks:write"])),
    params(IdempotencyKey),
    request_body(content = EndpointIn, description = "The endpoint to create."),
    responses(
        (status = 200, description = "The endpoint created, with its signing secret (shown once).",
         body = EndpointOut, example = json!(endpoint_with_secret_example())),
        Authenticated,
        WithBody,
        Keyed,
    )
)]
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

/// Retrieve a webhook endpoint.
///
/// Returns the endpoint (never its secret).
///
/// Scope: `webhooks:read`.
#[utoipa::path(
    get,
    path = "/v1/webhook_endpoints/{id}",
    tag = "webhook_endpoints",
    security(("api_key" = ["webhooks:read"])),
    params(("id" = EndpointIdSchema, Path, description = "The webhook endpoint's id.")),
    responses(
        (status = 200, description = "The endpoint.", body = EndpointOut),
        Authenticated,
        ById,
    )
)]
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

/// List webhook endpoints.
///
/// Returns a page of endpoints, newest first, optionally only the enabled or the disabled ones.
///
/// Scope: `webhooks:read`.
#[utoipa::path(
    get,
    path = "/v1/webhook_endpoints",
    tag = "webhook_endpoints",
    security(("api_key" = ["webhooks:read"])),
    params(
        PageParams,
        ("status" = Option<EndpointStatusSchema>, Query, description = "Only endpoints in this status."),
    ),
    responses(
        (status = 200, description = "A page of webhook endpoints.", body = WebhookEndpointList),
        Authenticated,
    )
)]
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

/// Update a webhook endpoint.
///
/// Changes the URL (checked by the SSRF guard), the subscriptions, the description or the
/// status; absent fields stay as they are. Setting `status` to `enabled` restarts the endpoint's
/// failure clock; what it missed while disabled is not sent by itself (recover deliveries,
/// resend events). The signature scheme never changes.
///
/// Scope: `webhooks:write`. Takes an `Idempotency-Key`.
#[utoipa::path(
    patch,
    path = "/v1/webhook_endpoints/{id}",
    tag = "webhook_endpoints",
    security(("api_key" = ["webhooks:write"])),
    params(("id" = EndpointIdSchema, Path, description = "The webhook endpoint's id."), IdempotencyKey),
    request_body(content = EndpointPatch, description = "The fields to change."),
    responses(
        (status = 200, description = "The endpoint, changed.", body = EndpointOut),
        Authenticated,
        WithBody,
        Keyed,
        ById,
    )
)]
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

/// Delete a webhook endpoint.
///
/// Deletes the endpoint; its scheduled deliveries are canceled (`canceled`). Takes no
/// `Idempotency-Key`: deleting twice answers 404 the second time.
///
/// Scope: `webhooks:write`.
#[utoipa::path(
    delete,
    path = "/v1/webhook_endpoints/{id}",
    tag = "webhook_endpoints",
    security(("api_key" = ["webhooks:write"])),
    params(("id" = EndpointIdSchema, Path, description = "The webhook endpoint's id.")),
    responses(
        (status = 200, description = "The endpoint was deleted.", body = DeletedWebhookEndpoint),
        Authenticated,
        ById,
    )
)]
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
#[schema(as = WebhookTest, examples(examples::test_send))]
pub struct TestSendOut {
    #[schema(schema_with = oa::object::webhook_test)]
    pub object: &'static str,
    /// The endpoint the event was sent to.
    #[schema(value_type = EndpointIdSchema)]
    pub endpoint: String,
    /// Whether the endpoint answered 2xx.
    pub succeeded: bool,
    /// The endpoint's HTTP status, or `null` when it did not answer.
    #[schema(minimum = 100, maximum = 999, examples(200))]
    pub status_code: Option<u16>,
    /// Why the attempt failed; `null` when it succeeded.
    #[schema(value_type = Option<oa::AttemptErrorSchema>)]
    pub error: Option<&'static str>,
    /// From the start of the attempt to the answer (or the failure), in milliseconds.
    #[schema(minimum = 0, examples(112))]
    pub latency_ms: i64,
    /// The first 1 KiB of the endpoint's answer, or `null`.
    pub response_body: Option<String>,
    /// The event sent (`type` `webhook_endpoint.test`, its `data.object` the endpoint), exactly
    /// as posted and signed.
    #[schema(value_type = WebhookEndpointEventSchema)]
    pub event: Value,
}

/// Send a test event.
///
/// Signs and posts a new `webhook_endpoint.test` event (its `data.object` the endpoint) to the
/// endpoint now — exactly as a delivery, through the same SSRF guard and egress addresses, also
/// while the endpoint is disabled — and answers with the attempt's outcome. Nothing is stored or
/// retried, and the endpoint's failure clock does not move. The request waits for the attempt
/// (at most its timeout, 15 s by default). Takes no parameters (no body, or `{}`) and no
/// `Idempotency-Key`.
///
/// Scope: `webhooks:write`.
#[utoipa::path(
    post,
    path = "/v1/webhook_endpoints/{id}/test",
    tag = "webhook_endpoints",
    security(("api_key" = ["webhooks:write"])),
    params(("id" = EndpointIdSchema, Path, description = "The webhook endpoint's id.")),
    request_body(content = Option<EmptyBody>, description = "No parameters: no body, or `{}`."),
    responses(
        (status = 200, description = "The attempt's outcome (`succeeded: false` when the endpoint did not answer 2xx).",
         body = TestSendOut),
        Authenticated,
        WithBody,
        ById,
    )
)]
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

/// Rotate an endpoint's signing secret.
///
/// Replaces the endpoint's signing key with a new one of its scheme and answers the endpoint
/// with the new secret (`hmac_sha256`), shown this once, or the new `public_key` (`ed25519`).
/// Until `expire_previous_in_seconds` have passed, the previous key also signs every attempt
/// (newest first: two `v1=` and two `v1,` values), so receivers can switch without missing a
/// delivery; Anton keeps one previous key, so rotating again replaces it.
///
/// Scope: `webhooks:write`. Takes an `Idempotency-Key`.
#[utoipa::path(
    post,
    path = "/v1/webhook_endpoints/{id}/rotate_secret",
    tag = "webhook_endpoints",
    security(("api_key" = ["webhooks:write"])),
    params(("id" = EndpointIdSchema, Path, description = "The webhook endpoint's id."), IdempotencyKey),
    request_body(content = Option<RotateIn>, description = "Optional: how long the previous secret keeps signing."),
    responses(
        (status = 200, description = "The endpoint with its new signing secret (shown once).",
         body = EndpointOut, example = json!(endpoint_with_secret_example())),
        Authenticated,
        WithBody,
        Keyed,
        ById,
    )
)]
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

/// List an endpoint's deliveries.
///
/// Returns a page of the endpoint's deliveries, newest first, each with its attempt log (start
/// time, status code, latency, the first 1 KiB of the answer, why it failed) — optionally only
/// those in one status or of one event.
///
/// Scope: `webhooks:read`.
#[utoipa::path(
    get,
    path = "/v1/webhook_endpoints/{id}/deliveries",
    tag = "webhook_endpoints",
    security(("api_key" = ["webhooks:read"])),
    params(
        ("id" = EndpointIdSchema, Path, description = "The webhook endpoint's id."),
        PageParams,
        ("status" = Option<DeliveryStatusSchema>, Query, description = "Only deliveries in this status."),
        ("event" = Option<EventIdSchema>, Query, description = "Only deliveries of this event."),
    ),
    responses(
        (status = 200, description = "A page of deliveries with their attempts.", body = WebhookDeliveryList),
        Authenticated,
        ById,
    )
)]
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

/// Recover an endpoint's failed deliveries.
///
/// Schedules for now every `retrying` or `exhausted` delivery of the endpoint created since
/// `since`, and answers how many. Events raised while the endpoint was disabled made no delivery
/// for it: find them with `GET /v1/events` and resend them.
///
/// Scope: `webhooks:write`. Takes an `Idempotency-Key`.
#[utoipa::path(
    post,
    path = "/v1/webhook_endpoints/{id}/recover",
    tag = "webhook_endpoints",
    security(("api_key" = ["webhooks:write"])),
    params(("id" = EndpointIdSchema, Path, description = "The webhook endpoint's id."), IdempotencyKey),
    request_body(content = RecoverIn, description = "Which deliveries to recover."),
    responses(
        (status = 200, description = "How many deliveries were scheduled for now.", body = RecoveryDoc),
        Authenticated,
        WithBody,
        Keyed,
        ById,
    )
)]
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
        TimeIn::Unix(secs) => crate::list::unix_time("since", *secs),
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

/// Resend an event.
///
/// Sends one event to one endpoint now: a new delivery, with its own retries, answered before
/// its first attempt. Refused with `webhook_endpoint_disabled` while the endpoint is disabled.
/// An unknown event, or an unknown or malformed endpoint (`param: endpoint`), is a 404.
///
/// Scope: `webhooks:write`. Takes an `Idempotency-Key`.
#[utoipa::path(
    post,
    path = "/v1/events/{id}/resend",
    tag = "webhook_endpoints",
    security(("api_key" = ["webhooks:write"])),
    params(
        ("id" = EventIdSchema, Path, description = "The event's id."),
        IdempotencyKey,
    ),
    request_body(content = ResendIn, description = "Where to send the event."),
    responses(
        (status = 200, description = "The new delivery, scheduled now.", body = DeliveryOut,
         example = json!(resend_example())),
        Authenticated,
        WithBody,
        Keyed,
        ById,
    )
)]
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
