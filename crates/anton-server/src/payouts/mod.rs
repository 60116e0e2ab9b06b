//! Payouts: create, get, list, cancel, and the test-mode helpers that move them (DESIGN.md §3).
//!
//! Creating a payout is the hot path: validated here, then decided and written by the set-based
//! batch of [`batch`] inside the writer's group commit (**a payout larger than `available` is
//! refused, even when many requests race**). The simulator rail takes it from there in test mode.

pub mod batch;
pub mod service;
pub mod wire;

use anton_core::id::{PayoutId, RecipientId};
use anton_core::keys::{Environment, Scope};
use anton_core::money::{Amount, AmountError, Currency, CurrencyError};
use anton_core::payout::{FailureCode, PayoutStatus, Transition};
use anton_store::list::paged;
use anton_store::payouts::{self, PayoutFilter, PayoutRecord};
use anton_store::{now_us, Tenant};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::api::auth::Auth;
use crate::api::body::{parse_json, RawBody};
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::{ApiPath, ApiQuery};
use crate::api::idempotency::{self, ok_json, JobResult};
use crate::api::list::{ListOut, ListParams};
use crate::recipients::wire::check_metadata;
use crate::state::AppState;
use anton_store::list::Listed;
use wire::{FailIn, PayoutIn, PayoutOut};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/payouts", get(list_payouts).post(create_payout))
        .route("/v1/payouts/{id}", get(get_payout))
        .route("/v1/payouts/{id}/cancel", post(cancel_payout))
        .route(
            "/v1/test_helpers/payouts/{id}/{action}",
            post(test_helper_payout),
        )
}

fn parse_id(id: &str) -> ApiResult<PayoutId> {
    PayoutId::parse(id).map_err(|_| ApiError::not_found("payout", id))
}

fn amount(v: i64) -> ApiResult<Amount> {
    Amount::new(v).map_err(|e| {
        let code = match e {
            AmountError::TooSmall => "amount_too_small",
            AmountError::TooLarge => "amount_too_large",
        };
        ApiError::invalid(code, e.to_string()).with_param("amount")
    })
}

pub(crate) fn currency(v: &str) -> ApiResult<Currency> {
    Currency::parse(v).map_err(|e| {
        let code = match e {
            CurrencyError::Malformed => "currency_invalid",
            CurrencyError::Unsupported(_) => "currency_not_supported",
        };
        ApiError::invalid(code, e.to_string()).with_param("currency")
    })
}

pub(crate) fn payout_json(p: &PayoutRecord, env: Environment) -> serde_json::Value {
    serde_json::to_value(PayoutOut::from_record(p, env)).unwrap_or_default()
}

#[utoipa::path(post, path = "/v1/payouts", tag = "payouts", params(("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters; replays return the first response")), request_body = PayoutIn, responses((status = 200, body = PayoutOut), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error"), (status = 409, description = "idempotency_error: same key in flight"), (status = 422, description = "idempotency_error: key reused with another request")))]
pub async fn create_payout(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::PayoutsWrite)?;
    let input: PayoutIn = parse_json(&body)?;
    let amount = amount(input.amount)?;
    let currency = currency(&input.currency)?;
    let recipient_id = RecipientId::parse(&input.recipient).map_err(|_| {
        ApiError::invalid(
            "parameter_invalid",
            "recipient must be a recipient id (rcp_…)",
        )
        .with_param("recipient")
    })?;
    if input
        .description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 500)
    {
        return Err(ApiError::invalid(
            "parameter_invalid",
            "description is at most 500 characters",
        )
        .with_param("description"));
    }
    check_metadata(&input.metadata)?;
    if auth.tenant.env.is_live() && !state.live_rail {
        return Err(ApiError::invalid(
            "live_rail_not_configured",
            "Live payouts are not available: this Anton deployment has no live rail configured.",
        ));
    }
    let first_rail_step_us = (!auth.tenant.env.is_live())
        .then(|| i64::try_from(state.simulator.processing_delay_ms).unwrap_or(0) * 1000);
    let key = idempotency::key_from(&headers)?;
    let _in_flight = key
        .as_deref()
        .map(|k| idempotency::InFlight::enter(&state, &auth.tenant, k))
        .transpose()?;
    let creation = batch::Creation::prepare(
        auth.tenant.clone(),
        key.map(|k| {
            (
                k,
                idempotency::fingerprint(&Method::POST, "/v1/payouts", &body),
            )
        }),
        crate::api::request_id::current().unwrap_or_default(),
        recipient_id,
        amount,
        currency,
        input.description,
        serde_json::to_string(&input.metadata).unwrap_or_else(|_| "{}".into()),
        first_rail_step_us,
        now_us(),
    );
    let outcome = state.creations.submit(creation).await?;
    Ok(match outcome {
        batch::Outcome::Fresh(status, body) => idempotency::reply(status, body, false),
        batch::Outcome::Replay(status, body) => idempotency::reply(status, body, true),
        batch::Outcome::Mismatch => idempotency::mismatch().into_response(),
        batch::Outcome::InFlight => idempotency::in_progress().into_response(),
    })
}

#[utoipa::path(get, path = "/v1/payouts/{id}", tag = "payouts", params(("id" = String, Path)), responses((status = 200, body = PayoutOut), (status = 404, description = "resource_missing"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
pub async fn get_payout(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<PayoutOut>> {
    auth.require(Scope::PayoutsRead)?;
    let pid = parse_id(&id)?;
    let p = payouts::get(state.store.read(), &auth.tenant, &pid)
        .await?
        .ok_or_else(|| ApiError::not_found("payout", &id))?;
    Ok(Json(PayoutOut::from_record(&p, auth.tenant.env)))
}

#[utoipa::path(get, path = "/v1/payouts", tag = "payouts", params(("limit" = Option<i64>, Query, description = "1 to 100, default 20"), ("starting_after" = Option<String>, Query, description = "cursor: an object id"), ("created[gte]" = Option<String>, Query, description = "RFC 3339 or unix seconds"), ("created[lt]" = Option<String>, Query, description = "RFC 3339 or unix seconds"), ("status" = Option<String>, Query), ("recipient" = Option<String>, Query)), responses((status = 200, description = "a list of payouts"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
pub async fn list_payouts(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery,
) -> ApiResult<Json<ListOut<PayoutOut>>> {
    auth.require(Scope::PayoutsRead)?;
    let params = ListParams::parse(q, &["status", "recipient"])?;
    let mut filter = PayoutFilter::default();
    if let Some(s) = params.rest.get("status") {
        filter.status = Some(PayoutStatus::parse(s).ok_or_else(|| {
            ApiError::invalid("parameter_invalid", format!("Unknown payout status: {s}"))
                .with_param("status")
        })?);
    }
    if let Some(r) = params.rest.get("recipient") {
        filter.recipient = Some(RecipientId::parse(r).map_err(|_| {
            ApiError::invalid("parameter_invalid", "recipient must be a recipient id")
                .with_param("recipient")
        })?);
    }
    let page = params
        .page(&state.store, Listed::Payouts, &auth.tenant)
        .await?;
    let rows = payouts::list(state.store.read(), &auth.tenant, &filter, &page).await?;
    let (rows, has_more) = paged(rows, params.limit);
    Ok(Json(ListOut::new(
        rows.iter()
            .map(|p| PayoutOut::from_record(p, auth.tenant.env))
            .collect(),
        has_more,
    )))
}

/// The request a payout move answers (for idempotency).
struct MoveRequest<'a> {
    headers: &'a HeaderMap,
    path: &'a str,
    body: &'a [u8],
}

/// Runs `steps` in order on one payout inside one job; the first refusal stops and is returned.
async fn move_payout(
    state: &AppState,
    tenant: &Tenant,
    req: MoveRequest<'_>,
    pid: PayoutId,
    steps: Vec<Transition>,
    refusal_code: &'static str,
) -> ApiResult<Response> {
    let t = tenant.clone();
    idempotency::run(
        state,
        tenant,
        req.headers,
        &Method::POST,
        req.path,
        req.body,
        move |c| {
            Box::pin(async move {
                let Some(mut p) = payouts::get(&mut *c, &t, &pid).await? else {
                    return Ok(Err(ApiError::not_found("payout", pid.as_str())));
                };
                let now = now_us();
                for step in steps {
                    match service::transition(c, &t, &p, step, None, now).await? {
                        Ok(next) => p = next,
                        Err(refused) => {
                            return Ok(Err(ApiError::invalid(refusal_code, format!("{refused}."))))
                        }
                    }
                }
                Ok(ok_json(&payout_json(&p, t.env)))
            }) as futures_util::future::BoxFuture<'_, JobResult>
        },
    )
    .await
}

#[utoipa::path(post, path = "/v1/payouts/{id}/cancel", tag = "payouts", params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters; replays return the first response")), responses((status = 200, body = PayoutOut), (status = 404, description = "resource_missing"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
pub async fn cancel_payout(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::PayoutsWrite)?;
    let pid = parse_id(&id)?;
    let _: serde_json::Map<String, serde_json::Value> =
        parse_json::<EmptyIn>(&body).map(|_| Default::default())?;
    let path = format!("/v1/payouts/{id}/cancel");
    move_payout(
        &state,
        &auth.tenant,
        MoveRequest {
            headers: &headers,
            path: &path,
            body: &body,
        },
        pid,
        vec![Transition::Cancel],
        "payout_not_cancelable",
    )
    .await
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EmptyIn {}

/// `POST /v1/test_helpers/payouts/{id}/{pay|fail|return}`: test mode only (404 in live).
#[utoipa::path(post, path = "/v1/test_helpers/payouts/{id}/{action}", tag = "test helpers", params(("id" = String, Path), ("action" = String, Path, description = "pay, fail or return"), ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 characters; replays return the first response")), request_body(content = Option<FailIn>, description = "for fail: an optional failure_code"), responses((status = 200, body = PayoutOut), (status = 404, description = "unknown payout, or live mode"), (status = 400, description = "invalid_request_error envelope"), (status = 401, description = "authentication_error"), (status = 403, description = "permission_error (missing scope, browser markers, IP not allowed)"), (status = 429, description = "rate_limit_error")))]
pub async fn test_helper_payout(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((id, action)): ApiPath<(String, String)>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    let path = format!("/v1/test_helpers/payouts/{id}/{action}");
    if auth.tenant.env.is_live() || !matches!(action.as_str(), "pay" | "fail" | "return") {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            crate::api::error::ErrorType::InvalidRequest,
            "unrecognized_url",
            format!("Unrecognized request URL: {path}"),
        ));
    }
    auth.require(Scope::PayoutsWrite)?;
    let pid = parse_id(&id)?;
    let status = payouts::get(state.store.read(), &auth.tenant, &pid)
        .await?
        .ok_or_else(|| ApiError::not_found("payout", &id))?
        .status;
    let from_pending = |last: Transition| {
        if status == PayoutStatus::Pending {
            vec![Transition::StartProcessing, last]
        } else {
            vec![last]
        }
    };
    let steps = match action.as_str() {
        "pay" => {
            parse_json::<EmptyIn>(&body)?;
            from_pending(Transition::Pay)
        }
        "fail" => {
            let input: FailIn = parse_json(&body)?;
            let code = match input.failure_code.as_deref() {
                None => FailureCode::Declined,
                Some(c) => FailureCode::parse(c)
                    .filter(|c| *c != FailureCode::AccountFrozen)
                    .ok_or_else(|| {
                        ApiError::invalid("parameter_invalid", format!("Unknown failure_code: {c}"))
                            .with_param("failure_code")
                    })?,
            };
            from_pending(Transition::Fail(code))
        }
        _ => {
            parse_json::<EmptyIn>(&body)?;
            vec![Transition::Return(FailureCode::AccountFrozen)]
        }
    };
    move_payout(
        &state,
        &auth.tenant,
        MoveRequest {
            headers: &headers,
            path: &path,
            body: &body,
        },
        pid,
        steps,
        "payout_invalid_transition",
    )
    .await
}
