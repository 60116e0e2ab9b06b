//! Payouts: create, get, list, cancel, and the test-mode helpers that move them (docs/reference.md
//! §3). Each handler parses, authenticates and calls the engine (`anton_engine::payouts`), where
//! creation is decided as a set-based batch and every move is a transition with its posting and
//! event.

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
use crate::state::ApiState;
use wire::{FailIn, PayoutIn, PayoutPatch};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/v1/payouts", get(list_payouts).post(create_payout))
        .route("/v1/payouts/{id}", get(get_payout).patch(update_payout))
        .route("/v1/payouts/{id}/cancel", post(cancel_payout))
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

#[utoipa::path(post, path = "/v1/payouts", tag = "payouts", params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters; replays return the first response")), request_body = PayoutIn, responses((status = 200, body = PayoutOut), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error"), (status = 409, description = "idempotency_error: same key in flight"), (status = 422, description = "idempotency_error: key reused with another request")))]
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
    let answer = state
        .engine
        .create_payout(&auth.tenant, new, mutation)
        .await?;
    Ok(reply(answer))
}

#[utoipa::path(get, path = "/v1/payouts/{id}", tag = "payouts", params(("id" = String, Path)), responses((status = 200, body = PayoutOut), (status = 404, description = "resource_missing"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
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

#[utoipa::path(get, path = "/v1/payouts", tag = "payouts", params(("limit" = Option<i64>, Query, description = "1 to 100, default 20"), ("starting_after" = Option<String>, Query, description = "cursor: the id of the last object of the previous page; the next (older) page"), ("ending_before" = Option<String>, Query, description = "cursor: the id of the first object of the current page; the previous (newer) page, still newest first"), ("created[gte]" = Option<String>, Query, description = "RFC 3339 or unix seconds"), ("created[lt]" = Option<String>, Query, description = "RFC 3339 or unix seconds"), ("status" = Option<String>, Query), ("recipient" = Option<String>, Query)), responses((status = 200, description = "a list of payouts"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
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

/// Changes a payout's description or metadata, in any status (`payout.updated`).
#[utoipa::path(patch, path = "/v1/payouts/{id}", tag = "payouts", params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters; replays return the first response")), request_body = PayoutPatch, responses((status = 200, body = PayoutOut), (status = 404, description = "resource_missing"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
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

#[utoipa::path(post, path = "/v1/payouts/{id}/cancel", tag = "payouts", params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters; replays return the first response")), responses((status = 200, body = PayoutOut), (status = 404, description = "resource_missing"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
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

/// `POST /v1/test_helpers/payouts/{id}/{pay|fail|return}`: test mode only (404 in live).
#[utoipa::path(post, path = "/v1/test_helpers/payouts/{id}/{action}", tag = "test helpers", params(("id" = String, Path), ("action" = String, Path, description = "pay, fail or return"), ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters; replays return the first response")), request_body(content = Option<FailIn>, description = "for fail: an optional failure_code"), responses((status = 200, body = PayoutOut), (status = 404, description = "unknown payout, or live mode"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
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
