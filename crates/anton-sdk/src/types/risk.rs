//! What the risk resources return (docs/risk.md): a payout's assessment and review, and the
//! risk rules.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A payout's risk assessment, made inside the transaction that created it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct RiskAssessment {
    /// The rules evaluated (the merchant's enabled rules at the time).
    pub evaluated: Vec<String>,
    /// The rules that fired, with the figures they compared.
    pub fired: Vec<RiskRuleFired>,
}

/// A rule that fired on a payout.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct RiskRuleFired {
    pub rule: String,
    /// `alert`, `review` or `block`.
    pub action: String,
    /// The figure compared: minor units (with `currency`) or a count.
    pub value: i64,
    pub limit: i64,
    #[serde(default)]
    pub currency: Option<String>,
    /// "sum today 38,000.00 USD > limit 37,000.00 USD".
    pub explanation: String,
}

/// The review of a payout a risk rule held.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct PayoutReview {
    /// `pending`, `approved`, `rejected` or `expired`.
    pub status: String,
    pub rules: Vec<String>,
    /// The creating key (`key_…`), which may not approve it.
    #[serde(default)]
    pub requested_by: Option<String>,
    /// RFC 3339.
    pub requested: String,
    pub expires: String,
    #[serde(default)]
    pub decided_by: Option<String>,
    #[serde(default)]
    pub decided: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// One risk rule of this environment (`GET /v1/risk_rules`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct RiskRule {
    /// The rule's name (`daily_sum`).
    pub id: String,
    pub description: String,
    pub enabled: bool,
    /// `alert`, `review` or `block`.
    pub action: String,
    /// A count rule's limit, or the multiple of `amount_vs_history`.
    #[serde(default)]
    pub limit: Option<i64>,
    /// An amount rule's limits in minor units, by currency.
    #[serde(default)]
    pub limits: Option<BTreeMap<String, i64>>,
    pub livemode: bool,
}

/// `POST /v1/risk_rules/{rule}`: only the fields set change.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct RiskRuleUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// `alert`, `review` or `block`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// A count rule's limit, or the multiple of `amount_vs_history`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// An amount rule's limits by currency (those named change).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limits: Option<BTreeMap<String, i64>>,
}
