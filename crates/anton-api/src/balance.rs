//! Balance, balance transactions, and test-mode funding, through the engine
//! (`anton_engine::balance`).

use anton_core::id::PayoutId;
use anton_core::keys::Scope;
use anton_core::ledger::PostingKind;
use anton_engine::balance::TransactionQuery;
use anton_engine::objects::{BalanceOut, BalanceTransactionOut};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Auth;
use crate::body::{parse_json, RawBody};
use crate::error::{ApiError, ApiResult, ErrorType};
use crate::extract::ApiQuery;
use crate::idempotency::{self, json, reply};
use crate::list::{one_of, ListOut, ListParams};
use crate::state::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/v1/balance", get(get_balance))
        .route("/v1/balance_transactions", get(list_balance_transactions))
        .route("/v1/test_helpers/balance/fund", post(fund_balance))
}

#[utoipa::path(get, path = "/v1/balance", tag = "balance", responses((status = 200, body = BalanceOut), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
pub async fn get_balance(State(state): State<ApiState>, auth: Auth) -> ApiResult<Json<BalanceOut>> {
    auth.require(Scope::BalanceRead)?;
    Ok(Json(state.engine.balance(&auth.tenant).await?))
}

#[utoipa::path(get, path = "/v1/balance_transactions", tag = "balance", params(("limit" = Option<i64>, Query, description = "1 to 100, default 20"), ("starting_after" = Option<String>, Query, description = "cursor: the id of the last object of the previous page; the next (older) page"), ("ending_before" = Option<String>, Query, description = "cursor: the id of the first object of the current page; the previous (newer) page, still newest first"), ("created[gte]" = Option<String>, Query, description = "RFC 3339 or unix seconds"), ("created[lt]" = Option<String>, Query, description = "RFC 3339 or unix seconds"), ("type" = Option<String>, Query), ("source" = Option<String>, Query)), responses((status = 200, description = "a list of balance transactions"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
pub async fn list_balance_transactions(
    State(state): State<ApiState>,
    auth: Auth,
    ApiQuery(q): ApiQuery,
) -> ApiResult<Json<ListOut<BalanceTransactionOut>>> {
    auth.require(Scope::BalanceRead)?;
    let params = ListParams::parse(q, &["type", "source"])?;
    let types = one_of(PostingKind::ALL.map(PostingKind::as_str));
    let query = TransactionQuery {
        list: params.query(),
        kind: params.filter("type", &types, |t| {
            PostingKind::parse(t).map(|k| k.as_str().to_owned())
        })?,
        source: params.filter("source", "a payout id (po_…)", |s| {
            PayoutId::parse(s).ok().map(|p| p.as_str().to_owned())
        })?,
    };
    let listing = state
        .engine
        .list_balance_transactions(&auth.tenant, &query)
        .await?;
    let env = auth.tenant.env;
    Ok(Json(ListOut::of(listing, |r| {
        BalanceTransactionOut::from_record(r, env)
    })))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FundIn {
    pub amount: i64,
    pub currency: String,
}

/// Adds money to the test balance (a `funding → available` posting). 404 in live mode.
#[utoipa::path(post, path = "/v1/test_helpers/balance/fund", tag = "test helpers", params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters; replays return the first response")), request_body = FundIn, responses((status = 200, body = BalanceOut), (status = 404, description = "live mode"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
pub async fn fund_balance(
    State(state): State<ApiState>,
    auth: Auth,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    if auth.tenant.env.is_live() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorType::InvalidRequest,
            "unrecognized_url",
            "Unrecognized request URL: /v1/test_helpers/balance/fund",
        ));
    }
    auth.require(Scope::PayoutsWrite)?;
    let input: FundIn = parse_json(&body)?;
    let mutation = idempotency::mutation(
        &auth,
        &headers,
        &Method::POST,
        "/v1/test_helpers/balance/fund",
        &body,
        json(|b: &BalanceOut| b.clone()),
    )?;
    let answer = state
        .engine
        .fund_test_balance(&auth.tenant, input.amount, &input.currency, mutation)
        .await?;
    Ok(reply(answer))
}
