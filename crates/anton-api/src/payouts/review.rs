//! The review of payouts a risk rule held (docs/risk.md): `POST /v1/payouts/{id}/approve` and
//! `/reject`, under the opt-in scope `payouts:approve`, through the engine
//! (`anton_engine::risk::review`).

use anton_core::keys::Scope;
use anton_engine::objects::PayoutOut;
use anton_engine::risk::review::Decision;
use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{parse_id, payout};
use crate::auth::Auth;
use crate::body::{parse_json, RawBody};
use crate::error::ApiResult;
use crate::extract::ApiPath;
use crate::idempotency::{self, reply};
use crate::openapi::{Authenticated, ById, IdempotencyKey, Keyed, WithBody};
use crate::state::ApiState;
use anton_engine::openapi::PayoutIdSchema;

/// A reviewer's decision on a held payout (optional).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(as = PayoutReviewDecision, examples(examples::decision))]
pub struct DecisionIn {
    /// Why, for the record (`review.reason` and the audit log): at most 500 characters, no
    /// control, bidirectional-formatting or zero-width characters.
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

mod examples {
    use serde_json::{json, Value};

    pub fn decision() -> Value {
        json!({"reason": "Confirmed with the recipient by phone."})
    }
}

async fn decide(
    state: ApiState,
    auth: Auth,
    (id, decision): (String, Decision),
    headers: HeaderMap,
    body: &[u8],
) -> ApiResult<Response> {
    let pid = parse_id(&id)?;
    let input: DecisionIn = parse_json(body)?;
    let path = format!(
        "/v1/payouts/{id}/{}",
        match decision {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
        }
    );
    let mutation = idempotency::mutation(
        &auth,
        &headers,
        &Method::POST,
        &path,
        body,
        payout(auth.tenant.env),
    )?;
    let answer = state
        .engine
        .review_payout(&auth.tenant, pid, (decision, input.reason), mutation)
        .await?;
    Ok(reply(answer))
}

/// Approve a held payout.
///
/// Releases a `requires_review` payout to the rail: it becomes `pending` (its amount stays
/// reserved), `payout.created` is sent, and it counts in the outflow windows from now.
/// `review` records who approved it, when and why. Four-eyes: the API key that created the
/// payout is refused (403 `approver_is_creator`). A payout already approved is answered as it
/// is; any other payout not held is refused with `payout_not_in_review`.
///
/// Scope: `payouts:approve` — not carried by secret keys: give it to a reviewer's restricted
/// key. Takes an `Idempotency-Key`.
#[utoipa::path(
    post,
    path = "/v1/payouts/{id}/approve",
    tag = "payouts",
    security(("api_key" = ["payouts:approve"])),
    params(
        ("id" = PayoutIdSchema, Path, description = "The payout's id."),
        IdempotencyKey,
    ),
    request_body(content = Option<DecisionIn>, description = "Optional: the reason."),
    responses(
        (status = 200, description = "The payout, `pending`.", body = PayoutOut),
        Authenticated,
        WithBody,
        Keyed,
        ById,
    )
)]
pub async fn approve_payout(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::PayoutsApprove)?;
    decide(state, auth, (id, Decision::Approve), headers, &body).await
}

/// Reject a held payout.
///
/// Cancels a `requires_review` payout: its amount is released to the available balance (a
/// `payout_release` balance transaction) and `payout.canceled` is sent. `review` records who
/// rejected it, when and why. Any key with `payouts:approve` may reject, its creator included.
/// A payout already rejected is answered as it is; any other payout not held is refused with
/// `payout_not_in_review`.
///
/// Scope: `payouts:approve`. Takes an `Idempotency-Key`.
#[utoipa::path(
    post,
    path = "/v1/payouts/{id}/reject",
    tag = "payouts",
    security(("api_key" = ["payouts:approve"])),
    params(
        ("id" = PayoutIdSchema, Path, description = "The payout's id."),
        IdempotencyKey,
    ),
    request_body(content = Option<DecisionIn>, description = "Optional: the reason."),
    responses(
        (status = 200, description = "The payout, `canceled`.", body = PayoutOut),
        Authenticated,
        WithBody,
        Keyed,
        ById,
    )
)]
pub async fn reject_payout(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::PayoutsApprove)?;
    decide(state, auth, (id, Decision::Reject), headers, &body).await
}
