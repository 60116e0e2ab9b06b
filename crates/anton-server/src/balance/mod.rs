//! Balance, balance transactions, and test-mode funding.

use anton_core::keys::{Environment, Scope};
use anton_core::ledger::{Posting, PostingKind};
use anton_core::money::Amount;
use anton_store::ledger::{self, PostOutcome};
use anton_store::list::paged;
use anton_store::{now_us, Tenant};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::auth::Auth;
use crate::api::body::{parse_json, RawBody};
use crate::api::error::{ApiError, ApiResult, ErrorType};
use crate::api::extract::ApiQuery;
use crate::api::idempotency::{self, ok_json};
use crate::api::list::{ListOut, ListParams};
use crate::state::AppState;
use anton_store::list::Listed;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/balance", get(get_balance))
        .route("/v1/balance_transactions", get(list_balance_transactions))
        .route("/v1/test_helpers/balance/fund", post(fund_balance))
}

#[derive(Serialize, ToSchema)]
pub struct BalanceAmount {
    pub currency: String,
    pub amount: i64,
}

#[derive(Serialize, ToSchema)]
pub struct BalanceOut {
    pub object: &'static str,
    pub livemode: bool,
    pub available: Vec<BalanceAmount>,
    pub in_flight: Vec<BalanceAmount>,
}

/// Reads the balance (through any executor: the read pool, or a write job's connection).
pub async fn balance_of<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    t: &Tenant,
) -> anton_store::Result<BalanceOut> {
    let rows = ledger::balances(ex, t).await?;
    let pick = |account: &str| {
        rows.iter()
            .filter(|b| b.account == account)
            .map(|b| BalanceAmount {
                currency: b.currency.clone(),
                amount: b.amount,
            })
            .collect()
    };
    Ok(BalanceOut {
        object: "balance",
        livemode: t.env.is_live(),
        available: pick("available"),
        in_flight: pick("in_flight"),
    })
}

#[utoipa::path(get, path = "/v1/balance", tag = "balance", responses((status = 200, body = BalanceOut), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
pub async fn get_balance(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<BalanceOut>> {
    auth.require(Scope::BalanceRead)?;
    Ok(Json(balance_of(state.store.read(), &auth.tenant).await?))
}

#[derive(Serialize, ToSchema)]
pub struct BalanceTransactionOut {
    pub id: String,
    pub object: &'static str,
    /// `funding`, `payout` (reserve), `payout_paid`, `payout_release`, `payout_return`.
    #[serde(rename = "type")]
    pub kind: String,
    pub amount: i64,
    pub currency: String,
    /// The ledger account debited.
    pub debit: String,
    /// The ledger account credited.
    pub credit: String,
    pub source: Option<String>,
    #[schema(value_type = String)]
    pub created: String,
    pub livemode: bool,
}

#[utoipa::path(get, path = "/v1/balance_transactions", tag = "balance", params(("limit" = Option<i64>, Query, description = "1 to 100, default 20"), ("starting_after" = Option<String>, Query, description = "cursor: an object id"), ("created[gte]" = Option<String>, Query, description = "RFC 3339 or unix seconds"), ("created[lt]" = Option<String>, Query, description = "RFC 3339 or unix seconds"), ("type" = Option<String>, Query), ("source" = Option<String>, Query)), responses((status = 200, description = "a list of balance transactions"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
pub async fn list_balance_transactions(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery,
) -> ApiResult<Json<ListOut<BalanceTransactionOut>>> {
    auth.require(Scope::BalanceRead)?;
    let params = ListParams::parse(q, &["type", "source"])?;
    let page = params
        .page(&state.store, Listed::BalanceTransactions, &auth.tenant)
        .await?;
    let rows = ledger::list_transactions(
        state.store.read(),
        &auth.tenant,
        params.rest.get("type").map(String::as_str),
        params.rest.get("source").map(String::as_str),
        &page,
    )
    .await?;
    let (rows, has_more) = paged(rows, params.limit);
    let live = auth.tenant.env == Environment::Live;
    Ok(Json(ListOut::new(
        rows.into_iter()
            .map(|r| BalanceTransactionOut {
                id: r.id,
                object: "balance_transaction",
                kind: r.kind,
                amount: r.amount,
                currency: r.currency,
                debit: r.debit,
                credit: r.credit,
                source: r.source_id,
                created: anton_core::time::Timestamp::from_unix_micros(r.created_us).to_rfc3339(),
                livemode: live,
            })
            .collect(),
        has_more,
    )))
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
    State(state): State<AppState>,
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
    let amount = Amount::new(input.amount)
        .map_err(|e| ApiError::invalid("amount_invalid", e.to_string()).with_param("amount"))?;
    let currency = crate::payouts::currency(&input.currency)?;
    let t = auth.tenant.clone();
    idempotency::run(
        &state,
        &auth.tenant,
        &headers,
        &Method::POST,
        "/v1/test_helpers/balance/fund",
        &body,
        move |c| {
            Box::pin(async move {
                fund(c, &t, currency, amount).await?;
                Ok(ok_json(&balance_of(&mut *c, &t).await?))
            })
        },
    )
    .await
}

/// Posts `funding → available` (test helper and the operator's live funding command).
pub async fn fund(
    c: &mut sqlx::AnyConnection,
    t: &Tenant,
    currency: anton_core::money::Currency,
    amount: Amount,
) -> anton_store::Result<()> {
    match ledger::post(
        c,
        t,
        currency,
        Posting::new(PostingKind::Funding, amount),
        None,
        now_us(),
    )
    .await?
    {
        PostOutcome::Posted(_) => Ok(()),
        PostOutcome::InsufficientFunds => Err(anton_store::StoreError::Corrupt(
            "funding debited available".into(),
        )),
    }
}
