//! Payouts: create, get, list, cancel, and the test-mode helpers that move them (docs/reference.md
//! §3). Each handler parses, authenticates and calls the engine (`anton_engine::payouts`), where
//! creation is decided as a set-based batch and every move is a transition with its posting and
//! event.

pub mod review;
pub mod wire;

use anton_core::id::{PayoutId, RecipientId};
use anton_core::keys::Scope;
use anton_core::payout::PayoutStatus;
use anton_engine::objects::PayoutOut;
use anton_engine::payouts::update::PayoutChanges;
use anton_engine::payouts::{NewPayout, PayoutQuery, TestMove};
use anton_store::payouts::PayoutRecord;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::auth::Auth;
use crate::body::{parse_json, EmptyIn, RawBody};
use crate::error::{ApiError, ApiResult, ErrorType};
use crate::extract::{ApiPath, ApiQuery};
use crate::idempotency::{self, json, reply};
use crate::list::{one_of, ListOut, ListParams};
use crate::openapi::{
    Authenticated, ById, EmptyBody, IdempotencyKey, Keyed, PageParams, PayoutList, WithBody,
};
use crate::state::ApiState;
use anton_engine::openapi::{PayoutIdSchema, PayoutStatusSchema, RecipientIdSchema};
use wire::{FailIn, PayoutIn, PayoutPatch};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/v1/payouts", get(list_payouts).post(create_payout))
        .route("/v1/payouts/{id}", get(get_payout).patch(update_payout))
        .route("/v1/payouts/{id}/cancel", post(cancel_payout))
        .route("/v1/payouts/{id}/approve", post(review::approve_payout))
        .route("/v1/payouts/{id}/reject", post(review::reject_payout))
        .route(
            "/v1/test_helpers/payouts/{id}/{action}",
            post(test_helper_payout),
        )
}

fn parse_id(id: &str) -> ApiResult<PayoutId> {
    PayoutId::parse(id).map_err(|_| ApiError::not_found("payout", id))
}

/// Renders a payout as the API shows it (or the refusal).
fn payout(
    env: anton_core::keys::Environment,
) -> idempotency::JsonReply<impl Fn(&PayoutRecord) -> PayoutOut> {
    json(move |p: &PayoutRecord| PayoutOut::from_record(p, env))
}

/// The example payout, canceled.
fn canceled_example() -> serde_json::Value {
    let mut p = anton_engine::openapi::examples::payout();
    p["status"] = "canceled".into();
    p["updated"] = "2026-11-28T12:00:01Z".into();
    p
}

/// Create a payout.
///
/// Pays `amount` to the recipient's bank account, in its currency. The amount is reserved from
/// the available balance at once (a `payout` balance transaction, available → in_flight) and the
/// payout starts `pending`; the rail then moves it (`payout.processing`, `payout.paid` or
/// `payout.failed`). Refused with `insufficient_funds` when the available balance does not cover
/// it, and in live mode with `live_rail_not_configured` when the deployment has no live rail for
/// the currency (docs/live-payouts.md). Raises
/// `payout.created`. In test mode, the recipient account's last four digits choose the outcome
/// (docs/reference.md §3 "Rails").
///
/// Scope: `payouts:write`. Takes an `Idempotency-Key` — a retry of a failed payout is a new
/// payout with a new key.
#[utoipa::path(
    post,
    path = "/v1/payouts",
    tag = "payouts",
    security(("api_key" = ["payouts:write"])),
    params(IdempotencyKey),
    request_body(content = PayoutIn, description = "The payout to create."),
    responses(
        (status = 200, description = "The payout created, `pending`.", body = PayoutOut),
        Authenticated,
        WithBody,
        Keyed,
    )
)]
pub async fn create_payout(
    State(state): State<ApiState>,
    auth: Auth,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::PayoutsWrite)?;
    let input: PayoutIn = parse_json(&body)?;
    let new = NewPayout::new(
        input.amount,
        &input.currency,
        &input.recipient,
        input.description,
        input.metadata,
    )?;
    let mutation = idempotency::mutation(
        &auth,
        &headers,
        &Method::POST,
        "/v1/payouts",
        &body,
        payout(auth.tenant.env),
    )?;
    let (amount, currency) = (new.amount_minor(), new.currency_code());
    let answer = state
        .engine
        .create_payout(&auth.tenant, new, mutation)
        .await?;
    if !answer.replayed && answer.reply.status == 200 {
        state
            .engine
            .metrics()
            .payout_created(auth.tenant.env.is_live(), currency, amount);
    }
    Ok(reply(answer))
}

/// Retrieve a payout.
///
/// Returns the payout in its current state.
///
/// Scope: `payouts:read`.
#[utoipa::path(
    get,
    path = "/v1/payouts/{id}",
    tag = "payouts",
    security(("api_key" = ["payouts:read"])),
    params(("id" = PayoutIdSchema, Path, description = "The payout's id.")),
    responses(
        (status = 200, description = "The payout.", body = PayoutOut),
        Authenticated,
        ById,
    )
)]
pub async fn get_payout(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<PayoutOut>> {
    auth.require(Scope::PayoutsRead)?;
    let p = state
        .engine
        .get_payout(&auth.tenant, &parse_id(&id)?)
        .await?;
    Ok(Json(PayoutOut::from_record(&p, auth.tenant.env)))
}

/// List payouts.
///
/// Returns a page of payouts, newest first, optionally only those in one status or to one
/// recipient. A filter value no payout could have (an unknown status, a malformed id) is refused
/// with `parameter_invalid`; a well-formed recipient id that matches nothing gives an empty page.
///
/// Scope: `payouts:read`.
#[utoipa::path(
    get,
    path = "/v1/payouts",
    tag = "payouts",
    security(("api_key" = ["payouts:read"])),
    params(
        PageParams,
        ("status" = Option<PayoutStatusSchema>, Query, description = "Only payouts in this status."),
        ("recipient" = Option<RecipientIdSchema>, Query, description = "Only payouts to this recipient."),
    ),
    responses(
        (status = 200, description = "A page of payouts.", body = PayoutList),
        Authenticated,
    )
)]
pub async fn list_payouts(
    State(state): State<ApiState>,
    auth: Auth,
    ApiQuery(q): ApiQuery,
) -> ApiResult<Json<ListOut<PayoutOut>>> {
    auth.require(Scope::PayoutsRead)?;
    let params = ListParams::parse(q, &["status", "recipient"])?;
    let mut query = PayoutQuery {
        list: params.query(),
        ..PayoutQuery::default()
    };
    let statuses = one_of(PayoutStatus::ALL.map(PayoutStatus::as_str));
    query.filter.status = params.filter("status", &statuses, PayoutStatus::parse)?;
    query.filter.recipient = params.filter("recipient", "a recipient id (rcp_…)", |r| {
        RecipientId::parse(r).ok()
    })?;
    let listing = state.engine.list_payouts(&auth.tenant, &query).await?;
    let env = auth.tenant.env;
    Ok(Json(ListOut::of(listing, |p| {
        PayoutOut::from_record(&p, env)
    })))
}

/// Update a payout.
///
/// Changes a payout's description or metadata, in any status; absent fields stay as they are.
/// Its amount, currency, recipient and status never change this way. When something changed,
/// raises `payout.updated` with the old values in `previous_attributes`.
///
/// Scope: `payouts:write`. Takes an `Idempotency-Key`.
#[utoipa::path(
    patch,
    path = "/v1/payouts/{id}",
    tag = "payouts",
    security(("api_key" = ["payouts:write"])),
    params(
        ("id" = PayoutIdSchema, Path, description = "The payout's id."),
        IdempotencyKey,
    ),
    request_body(content = PayoutPatch, description = "The fields to change."),
    responses(
        (status = 200, description = "The payout, changed.", body = PayoutOut),
        Authenticated,
        WithBody,
        Keyed,
        ById,
    )
)]
pub async fn update_payout(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::PayoutsWrite)?;
    let pid = parse_id(&id)?;
    let patch: PayoutPatch = parse_json(&body)?;
    let changes = PayoutChanges::new(patch.description, patch.metadata)?;
    let path = format!("/v1/payouts/{id}");
    let mutation = idempotency::mutation(
        &auth,
        &headers,
        &Method::PATCH,
        &path,
        &body,
        payout(auth.tenant.env),
    )?;
    let answer = state
        .engine
        .update_payout(&auth.tenant, pid, changes, mutation)
        .await?;
    Ok(reply(answer))
}

/// Cancel a payout.
///
/// Cancels a `pending` payout: its amount is released to the available balance (a
/// `payout_release` balance transaction) and `payout.canceled` is raised. A payout already
/// `canceled` is answered unchanged; any other status is refused with `payout_not_cancelable`.
/// Takes no parameters: send no body, or `{}`.
///
/// Scope: `payouts:write`. Takes an `Idempotency-Key`.
#[utoipa::path(
    post,
    path = "/v1/payouts/{id}/cancel",
    tag = "payouts",
    security(("api_key" = ["payouts:write"])),
    params(
        ("id" = PayoutIdSchema, Path, description = "The payout's id."),
        IdempotencyKey,
    ),
    request_body(content = Option<EmptyBody>, description = "No parameters: no body, or `{}`."),
    responses(
        (status = 200, description = "The payout, `canceled`.", body = PayoutOut,
         example = json!(canceled_example())),
        Authenticated,
        WithBody,
        Keyed,
        ById,
    )
)]
pub async fn cancel_payout(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::PayoutsWrite)?;
    let pid = parse_id(&id)?;
    parse_json::<EmptyIn>(&body)?;
    let path = format!("/v1/payouts/{id}/cancel");
    let mutation = idempotency::mutation(
        &auth,
        &headers,
        &Method::POST,
        &path,
        &body,
        payout(auth.tenant.env),
    )?;
    let answer = state
        .engine
        .cancel_payout(&auth.tenant, pid, mutation)
        .await?;
    Ok(reply(answer))
}

/// Move a test payout.
///
/// Test mode only: with a live key (or another action) the URL does not exist (404
/// `unrecognized_url`). `pay` pays a `processing` payout and `fail` fails it (with
/// `failure_code`, default `declined`) — a `pending` one is moved through `processing` first —
/// and `return` returns a `paid` payout (with `account_frozen`). Each move raises its events and
/// posts its balance transactions as the rail would; a move the status does not allow is refused
/// with `payout_invalid_transition`.
///
/// Scope: `payouts:write`. Takes an `Idempotency-Key`.
#[utoipa::path(
    post,
    path = "/v1/test_helpers/payouts/{id}/{action}",
    tag = "test_helpers",
    security(("api_key" = ["payouts:write"])),
    params(
        ("id" = PayoutIdSchema, Path, description = "The payout's id."),
        ("action" = String, Path, description = "The move: `pay`, `fail` or `return` (the document lists each URL)."),
        IdempotencyKey,
    ),
    request_body(
        content = Option<FailIn>,
        description = "Optionally, the failure code (default `declined`)."
    ),
    responses(
        (status = 200, description = "The payout, moved.", body = PayoutOut),
        Authenticated,
        WithBody,
        Keyed,
        ById,
    )
)]
pub async fn test_helper_payout(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath((id, action)): ApiPath<(String, String)>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    let path = format!("/v1/test_helpers/payouts/{id}/{action}");
    if auth.tenant.env.is_live() || !matches!(action.as_str(), "pay" | "fail" | "return") {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorType::InvalidRequest,
            "unrecognized_url",
            format!("Unrecognized request URL: {path}"),
        ));
    }
    auth.require(Scope::PayoutsWrite)?;
    let pid = parse_id(&id)?;
    let what = match action.as_str() {
        "pay" => {
            parse_json::<EmptyIn>(&body)?;
            TestMove::Pay
        }
        "fail" => {
            let input: FailIn = parse_json(&body)?;
            TestMove::fail(input.failure_code.as_deref())?
        }
        _ => {
            parse_json::<EmptyIn>(&body)?;
            TestMove::Return
        }
    };
    let mutation = idempotency::mutation(
        &auth,
        &headers,
        &Method::POST,
        &path,
        &body,
        payout(auth.tenant.env),
    )?;
    let answer = state
        .engine
        .test_move_payout(&auth.tenant, pid, what, mutation)
        .await?;
    Ok(reply(answer))
}
