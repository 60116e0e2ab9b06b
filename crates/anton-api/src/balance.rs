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
use crate::openapi::{
    Authenticated, BalanceTransactionList, ById, IdempotencyKey, Keyed, PageParams, WithBody,
};
use crate::state::ApiState;
use anton_engine::openapi::{self as oa, BalanceTransactionTypeSchema, PayoutIdSchema};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/v1/balance", get(get_balance))
        .route("/v1/balance_transactions", get(list_balance_transactions))
        .route("/v1/test_helpers/balance/fund", post(fund_balance))
}

/// Retrieve the balance.
///
/// Returns what can be paid out (`available`) and what payouts not yet paid or released have
/// reserved (`in_flight`), per currency, for the key's environment.
///
/// Scope: `balance:read`.
#[utoipa::path(
    get,
    path = "/v1/balance",
    tag = "balance",
    security(("api_key" = ["balance:read"])),
    responses(
        (status = 200, description = "The balance.", body = BalanceOut),
        Authenticated,
    )
)]
pub async fn get_balance(State(state): State<ApiState>, auth: Auth) -> ApiResult<Json<BalanceOut>> {
    auth.require(Scope::BalanceRead)?;
    Ok(Json(state.engine.balance(&auth.tenant).await?))
}

/// List balance transactions.
///
/// Returns a page of ledger postings, newest first, optionally only those of one type or caused
/// by one payout. Every movement of money is one posting; postings are never changed.
///
/// Scope: `balance:read`.
#[utoipa::path(
    get,
    path = "/v1/balance_transactions",
    tag = "balance",
    security(("api_key" = ["balance:read"])),
    params(
        PageParams,
        ("type" = Option<BalanceTransactionTypeSchema>, Query, description = "Only postings of this type."),
        ("source" = Option<PayoutIdSchema>, Query, description = "Only postings caused by this payout."),
    ),
    responses(
        (status = 200, description = "A page of balance transactions.", body = BalanceTransactionList),
        Authenticated,
    )
)]
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

/// Money to add to the test balance.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = TestBalanceFunding, examples(json!({"amount": 100000, "currency": "USD"})))]
pub struct FundIn {
    /// The amount to add, in the currency's minor unit: 1 to 10,000,000,000,000
    /// (`amount_invalid` otherwise).
    #[schema(value_type = oa::AmountSchema)]
    pub amount: i64,
    /// The currency to add it in.
    #[schema(value_type = oa::CurrencySchema)]
    pub currency: String,
}

/// Fund the test balance.
///
/// Test mode only: with a live key the URL does not exist (404 `unrecognized_url`); live
/// balances are funded by the operator (`anton balance fund`). Adds `amount` to the available
/// balance (a `funding` balance transaction, funding → available) and answers the new balance.
///
/// Scope: `payouts:write`. Takes an `Idempotency-Key`.
#[utoipa::path(
    post,
    path = "/v1/test_helpers/balance/fund",
    tag = "test_helpers",
    security(("api_key" = ["payouts:write"])),
    params(IdempotencyKey),
    request_body(content = FundIn, description = "The money to add."),
    responses(
        (status = 200, description = "The balance, funded.", body = BalanceOut),
        Authenticated,
        WithBody,
        Keyed,
        ById,
    )
)]
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
