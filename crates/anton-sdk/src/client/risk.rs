//! The risk resources (docs/risk.md): the rules, and the review of held payouts.

use serde_json::json;

use super::{seg, Client};
use crate::error::Error;
use crate::types::*;

/// `/v1/risk_rules`: the rules that watch this environment's payouts.
pub struct RiskRules<'a>(pub(super) &'a Client);

impl RiskRules<'_> {
    /// Every rule, in catalogue order (`risk_rules:read`).
    pub async fn list(&self) -> Result<Vec<RiskRule>, Error> {
        let list: List<RiskRule> = self.0.get("v1/risk_rules").await?;
        Ok(list.data)
    }

    pub async fn get(&self, rule: &str) -> Result<RiskRule, Error> {
        self.0.get(&format!("v1/risk_rules/{}", seg(rule))).await
    }

    /// Changes a rule (`risk_rules:write`, which only a restricted key created with it holds).
    pub async fn update(&self, rule: &str, params: &RiskRuleUpdate) -> Result<RiskRule, Error> {
        self.0
            .post(&format!("v1/risk_rules/{}", seg(rule)), params, None)
            .await
    }
}

/// The review of payouts a risk rule held (`payouts:approve`, which only a restricted key
/// created with it holds; never the key that created the payout, for approving).
pub struct Reviews<'a>(pub(super) &'a Client);

impl Reviews<'_> {
    /// Releases a held payout to the rail.
    pub async fn approve(&self, payout_id: &str, reason: Option<&str>) -> Result<Payout, Error> {
        self.decide(payout_id, "approve", reason).await
    }

    /// Cancels a held payout; its amount is available again.
    pub async fn reject(&self, payout_id: &str, reason: Option<&str>) -> Result<Payout, Error> {
        self.decide(payout_id, "reject", reason).await
    }

    async fn decide(&self, id: &str, what: &str, reason: Option<&str>) -> Result<Payout, Error> {
        let body = match reason {
            Some(r) => json!({ "reason": r }),
            None => json!({}),
        };
        self.0
            .post(&format!("v1/payouts/{}/{what}", seg(id)), &body, None)
            .await
    }
}
