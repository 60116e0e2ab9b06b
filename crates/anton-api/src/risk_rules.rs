//! Risk rules (docs/risk.md): `GET /v1/risk_rules`, `GET /v1/risk_rules/{rule}` and
//! `POST /v1/risk_rules/{rule}`, through the engine (`anton_engine::risk`). Changing a rule
//! takes `risk_rules:write`, a scope no secret key carries: a stolen standard key cannot lift
//! the limits that watch it.

use std::collections::BTreeMap;

use anton_core::keys::Scope;
use anton_core::money::Currency;
use anton_core::risk::{Action, RuleName};
use anton_engine::objects::RiskRuleOut;
use anton_engine::risk::{RulePatch, RuleView};
use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Auth;
use crate::body::{parse_json, RawBody};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::idempotency;
use crate::list::ListOut;
use crate::openapi::{Authenticated, ById, IdempotencyKey, Keyed, RiskRuleList, WithBody};
use crate::state::ApiState;
use anton_engine::openapi as oa;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/v1/risk_rules", get(list_risk_rules))
        .route(
            "/v1/risk_rules/{rule}",
            get(get_risk_rule).post(update_risk_rule),
        )
}

/// A change to a risk rule; absent fields stay as they are.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RiskRuleUpdate, examples(examples::update))]
pub struct RiskRuleIn {
    /// Whether the rule is evaluated.
    pub enabled: Option<bool>,
    /// What the rule does when it fires.
    #[schema(value_type = Option<oa::RiskActionSchema>)]
    pub action: Option<String>,
    /// A count rule's limit (`daily_count`, `hourly_count`, `shared_bank_account`,
    /// `new_key_burst`), or the multiple of `amount_vs_history`: an integer from 0 to
    /// 99999999999. Refused with `parameter_invalid` on an amount rule.
    #[schema(minimum = 0, maximum = 99_999_999_999_i64)]
    pub limit: Option<i64>,
    /// An amount rule's limits in minor units, by currency (`USD`, `EUR`, `GBP`): the
    /// currencies named change, the others stay. Each an integer from 0 to 99999999999.
    /// Refused with `parameter_invalid` on a count rule.
    #[schema(value_type = Option<Object>)]
    pub limits: Option<BTreeMap<String, i64>>,
}

mod examples {
    use serde_json::{json, Value};

    pub fn update() -> Value {
        json!({"action": "review", "limits": {"USD": 3_700_000}})
    }
}

fn rule_of(name: &str) -> Result<RuleName, ApiError> {
    RuleName::parse(name).ok_or_else(|| ApiError::not_found("risk_rule", name))
}

fn out(v: &RuleView) -> RiskRuleOut {
    RiskRuleOut::of(v.rule, &v.config, v.live)
}

/// List risk rules.
///
/// Every rule of the catalogue for this environment, in catalogue order: your settings, or the
/// defaults (on for every merchant; stricter in live mode). Each payout is assessed against the
/// enabled rules inside the transaction that creates it (docs/risk.md).
///
/// Scope: `risk_rules:read`.
#[utoipa::path(
    get,
    path = "/v1/risk_rules",
    tag = "risk_rules",
    security(("api_key" = ["risk_rules:read"])),
    responses(
        (status = 200, description = "Every risk rule.", body = RiskRuleList),
        Authenticated,
    )
)]
pub async fn list_risk_rules(
    State(state): State<ApiState>,
    auth: Auth,
) -> ApiResult<Json<ListOut<RiskRuleOut>>> {
    auth.require(Scope::RiskRulesRead)?;
    let set = state.engine.risk_rules(&auth.tenant).await?;
    let live = auth.tenant.env.is_live();
    let data = RuleName::ALL
        .iter()
        .map(|r| RiskRuleOut::of(*r, &set.get(*r), live))
        .collect();
    Ok(Json(ListOut::new(data, false)))
}

/// Retrieve a risk rule.
///
/// Scope: `risk_rules:read`.
#[utoipa::path(
    get,
    path = "/v1/risk_rules/{rule}",
    tag = "risk_rules",
    security(("api_key" = ["risk_rules:read"])),
    params(("rule" = oa::RiskRuleNameSchema, Path, description = "The rule's name.")),
    responses(
        (status = 200, description = "The rule.", body = RiskRuleOut),
        Authenticated,
        ById,
    )
)]
pub async fn get_risk_rule(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(rule): ApiPath<String>,
) -> ApiResult<Json<RiskRuleOut>> {
    auth.require(Scope::RiskRulesRead)?;
    let rule = rule_of(&rule)?;
    let set = state.engine.risk_rules(&auth.tenant).await?;
    Ok(Json(RiskRuleOut::of(
        rule,
        &set.get(rule),
        auth.tenant.env.is_live(),
    )))
}

/// Update a risk rule.
///
/// Changes the rule's state, action or limits in this environment (audited as
/// `risk_rule.updated`). Payouts created after the answer, on every node, are assessed with
/// it; payouts already held stay held.
///
/// Scope: `risk_rules:write` — not carried by secret keys: create a restricted key with it.
/// Takes an `Idempotency-Key`.
#[utoipa::path(
    post,
    path = "/v1/risk_rules/{rule}",
    tag = "risk_rules",
    security(("api_key" = ["risk_rules:write"])),
    params(
        ("rule" = oa::RiskRuleNameSchema, Path, description = "The rule's name."),
        IdempotencyKey,
    ),
    request_body = RiskRuleIn,
    responses(
        (status = 200, description = "The rule, changed.", body = RiskRuleOut),
        Authenticated,
        WithBody,
        Keyed,
        ById,
    )
)]
pub async fn update_risk_rule(
    State(state): State<ApiState>,
    auth: Auth,
    ApiPath(name): ApiPath<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    auth.require(Scope::RiskRulesWrite)?;
    let rule = rule_of(&name)?;
    let input: RiskRuleIn = parse_json(&body)?;
    let action = input
        .action
        .as_deref()
        .map(|a| {
            Action::parse(a).ok_or_else(|| {
                ApiError::invalid(
                    "parameter_invalid",
                    "action must be one of alert, review, block",
                )
                .with_param("action")
            })
        })
        .transpose()?;
    let mut limits = Vec::new();
    for (code, v) in input.limits.unwrap_or_default() {
        let currency = Currency::parse(&code).map_err(|_| {
            ApiError::invalid(
                "parameter_invalid",
                "limits are keyed by currency: USD, EUR or GBP",
            )
            .with_param("limits")
        })?;
        limits.push((currency, v));
    }
    let patch = RulePatch {
        enabled: input.enabled,
        action,
        limit: input.limit,
        limits,
    };
    let path = format!("/v1/risk_rules/{name}");
    let mutation = idempotency::mutation(
        &auth,
        &headers,
        &Method::POST,
        &path,
        &body,
        idempotency::json(out),
    )?;
    let answer = state
        .engine
        .update_risk_rule(&auth.tenant, rule, patch, mutation)
        .await?;
    Ok(idempotency::reply(answer))
}
