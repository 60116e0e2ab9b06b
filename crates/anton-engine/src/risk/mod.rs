//! Risk rules for unusual payout activity (docs/risk.md): the `[risk]` configuration, the
//! merchant's rules (read and changed through the API, audited), and [`review`] — approving,
//! rejecting and expiring the payouts a rule held — and [`history`], the hourly refresh of the
//! trailing history `amount_vs_history` reads. The rules themselves are `anton_core::risk`;
//! they are applied inside the payout batch (`payouts::assess`).

pub mod history;
pub mod review;

use anton_core::money::Currency;
use anton_core::risk::{Action, Limit, RuleConfig, RuleName, RuleSet};
use anton_store::risk::{self as store_risk, RuleRow};
use anton_store::{now_us, Tenant};
use serde::{Deserialize, Serialize};

use crate::audit::{self, Change};
use crate::error::{EngineError, Result};
use crate::idempotency::{self, Answer, Mutation, Render};
use crate::payouts::assess::rule_set;
use crate::Engine;

/// `[risk]` in `anton.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RiskConfig {
    /// A payout held for review and not decided within this many hours is rejected by Anton,
    /// its amount released (default 72; 1–720).
    pub review_expires_after_hours: u32,
}

impl Default for RiskConfig {
    fn default() -> Self {
        Self {
            review_expires_after_hours: 72,
        }
    }
}

impl RiskConfig {
    pub fn review_expires_us(&self) -> i64 {
        i64::from(self.review_expires_after_hours.clamp(1, 720)) * 3_600 * 1_000_000
    }
}

/// Where a payout's review stands (`review.status`).
pub const REVIEW_STATUSES: [&str; 4] = ["pending", "approved", "rejected", "expired"];

/// The largest amount limit: the largest payout amount (a limit above it could never fire).
pub const LIMIT_MAX: i64 = 99_999_999_999;

/// A change to one rule: what is `None` stays as it is.
#[derive(Debug, Clone, Default)]
pub struct RulePatch {
    pub enabled: Option<bool>,
    pub action: Option<Action>,
    /// A count rule's `limit`.
    pub limit: Option<i64>,
    /// An amount rule's `limits`: the currencies named change, the others stay.
    pub limits: Vec<(Currency, i64)>,
}

/// One rule of a tenant, as the API shows it.
#[derive(Debug, Clone)]
pub struct RuleView {
    pub rule: RuleName,
    pub config: RuleConfig,
    pub live: bool,
}

impl RulePatch {
    /// Checks the patch fits `rule`: `limit` only for count rules, `limits` only for amount
    /// rules, every figure within 0..=[`LIMIT_MAX`].
    pub fn validate(&self, rule: RuleName) -> Result<()> {
        if rule.limits_amounts() && self.limit.is_some() {
            return Err(EngineError::invalid(
                "parameter_invalid",
                format!(
                    "{} limits {}: set `limits`, not `limit`",
                    rule.as_str(),
                    rule.limit_words()
                ),
                "limit",
            ));
        }
        if !rule.limits_amounts() && !self.limits.is_empty() {
            return Err(EngineError::invalid(
                "parameter_invalid",
                format!(
                    "{} limits {}: set `limit`, not `limits`",
                    rule.as_str(),
                    rule.limit_words()
                ),
                "limits",
            ));
        }
        let figures = self
            .limit
            .into_iter()
            .chain(self.limits.iter().map(|(_, v)| *v));
        for v in figures {
            if !(0..=LIMIT_MAX).contains(&v) {
                let param = if rule.limits_amounts() {
                    "limits"
                } else {
                    "limit"
                };
                return Err(EngineError::invalid(
                    "parameter_invalid",
                    format!("a limit is an integer from 0 to {LIMIT_MAX}"),
                    param,
                ));
            }
        }
        Ok(())
    }

    fn apply(&self, mut c: RuleConfig) -> RuleConfig {
        if let Some(e) = self.enabled {
            c.enabled = e;
        }
        if let Some(a) = self.action {
            c.action = a;
        }
        match &mut c.limit {
            Limit::Count(n) => {
                if let Some(v) = self.limit {
                    *n = v;
                }
            }
            Limit::Amounts(a) => {
                for (currency, v) in &self.limits {
                    let i = Currency::ALL
                        .iter()
                        .position(|x| x == currency)
                        .unwrap_or(0);
                    a[i] = *v;
                }
            }
        }
        c
    }
}

fn row_of(rule: RuleName, c: &RuleConfig) -> RuleRow {
    RuleRow {
        rule: rule.as_str().to_owned(),
        enabled: c.enabled,
        action: c.action.as_str().to_owned(),
        limits: c.limit.to_value().to_string(),
    }
}

/// A rule's configuration as the audit log records it.
fn audited(c: &RuleConfig) -> serde_json::Value {
    serde_json::json!({
        "enabled": c.enabled,
        "action": c.action.as_str(),
        "limits": c.limit.to_value(),
    })
}

impl Engine {
    /// The tenant's rules: its changes over the defaults of its environment.
    pub async fn risk_rules(&self, tenant: &Tenant) -> Result<RuleSet> {
        let rows = store_risk::rules_of(self.store().read(), tenant).await?;
        Ok(rule_set(tenant.env, &rows))
    }

    /// Changes one of the tenant's rules (audited: `risk_rule.updated`). The next payout
    /// created after the answer is assessed with it, on every node.
    pub async fn update_risk_rule<R: Render<RuleView>>(
        &self,
        tenant: &Tenant,
        rule: RuleName,
        patch: RulePatch,
        mutation: Mutation<R>,
    ) -> Result<Answer> {
        patch.validate(rule)?;
        let t = tenant.clone();
        let actor = mutation.actor.clone();
        let job: idempotency::Job<RuleView> = std::sync::Arc::new(move |c| {
            let (t, patch, actor) = (t.clone(), patch.clone(), actor.clone());
            Box::pin(async move {
                store_risk::lock_rules(&mut *c, &t).await?;
                let rows = store_risk::rules_of(&mut *c, &t).await?;
                let before = rule_set(t.env, &rows).get(rule);
                let after = patch.apply(before);
                if after != before {
                    store_risk::put_rule(c, &t, &row_of(rule, &after), now_us()).await?;
                    let change = Change {
                        action: "risk_rule.updated",
                        object_type: "risk_rule",
                        object_id: rule.as_str().to_owned(),
                        before: Some(audited(&before)),
                        after: Some(audited(&after)),
                    };
                    audit::record(c, &t, &actor, change).await?;
                }
                Ok(Ok(RuleView {
                    rule,
                    config: after,
                    live: t.env.is_live(),
                }))
            })
        });
        idempotency::run(self.store(), self.in_flight(), tenant, mutation, job).await
    }
}
