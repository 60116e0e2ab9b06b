//! The published objects of the risk rules (docs/risk.md): a rule, a payout's assessment and a
//! held payout's review.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[cfg(feature = "openapi")]
use crate::openapi as oa;

/// One risk rule of a merchant in one environment (docs/risk.md): its action, limits and
/// state — the merchant's own settings, or the defaults.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = RiskRule, examples(oa::examples::risk_rule))
)]
pub struct RiskRuleOut {
    /// The rule's name.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::RiskRuleNameSchema))]
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = oa::object::risk_rule))]
    pub object: &'static str,
    /// What the rule watches for.
    pub description: String,
    /// Whether the rule is evaluated. A disabled rule is not listed in a payout's
    /// `risk.evaluated`.
    pub enabled: bool,
    /// What it does when it fires.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::RiskActionSchema))]
    pub action: String,
    /// A count rule's limit (`daily_count`, `hourly_count`, `shared_bank_account`,
    /// `new_key_burst`), or the multiple of `amount_vs_history`; `null` for amount rules.
    pub limit: Option<i64>,
    /// An amount rule's limit per currency, in minor units; `null` for count rules.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub limits: Option<Value>,
    /// `true` in live mode, `false` in test mode: each environment has its own rules.
    pub livemode: bool,
}

impl RiskRuleOut {
    pub fn of(
        rule: anton_core::risk::RuleName,
        c: &anton_core::risk::RuleConfig,
        live: bool,
    ) -> Self {
        let (limit, limits) = match c.limit {
            anton_core::risk::Limit::Count(n) => (Some(n), None),
            l @ anton_core::risk::Limit::Amounts(_) => (None, Some(l.to_value())),
        };
        Self {
            id: rule.as_str().into(),
            object: "risk_rule",
            description: rule.meaning().into(),
            enabled: c.enabled,
            action: c.action.as_str().into(),
            limit,
            limits,
            livemode: live,
        }
    }
}

/// A payout's risk assessment (docs/risk.md), made inside the transaction that created it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = RiskAssessment)
)]
pub struct RiskOut {
    /// The rules evaluated: the merchant's enabled rules when the payout was created.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<oa::RiskRuleNameSchema>))]
    #[serde(deserialize_with = "evaluated_names")]
    pub evaluated: Vec<String>,
    /// The rules that fired, in catalogue order (empty: none).
    pub fired: Vec<FiredOut>,
}

/// A risk rule that fired on a payout, with the figures it compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = RiskRuleFired)
)]
pub struct FiredOut {
    #[cfg_attr(feature = "openapi", schema(value_type = oa::RiskRuleNameSchema))]
    pub rule: String,
    /// What the rule did: the strongest action of the rules that fired decides the payout.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::RiskActionSchema))]
    pub action: String,
    /// The figure compared: an amount in minor units (with `currency`) or a count.
    pub value: i64,
    /// The limit it went over, in the same unit.
    pub limit: i64,
    /// The currency of `value` and `limit` when they are amounts (amount rules and
    /// `amount_vs_history`); `null` for count rules.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<oa::CurrencySchema>))]
    pub currency: Option<String>,
    /// The comparison in words, e.g. "sum today 38,000.00 USD > limit 37,000.00 USD".
    pub explanation: String,
}

/// `evaluated` as shown (rule names), or as a payout row stores it ([`RiskOut::stored`]): the
/// rules' bits in catalogue order.
fn evaluated_names<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Evaluated {
        Names(Vec<String>),
        Bits(u64),
    }
    Ok(match Evaluated::deserialize(d)? {
        Evaluated::Names(names) => names,
        Evaluated::Bits(bits) => anton_core::risk::RuleName::ALL
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, r)| r.as_str().to_owned())
            .collect(),
    })
}

impl RiskOut {
    /// `a` as a payout row stores it: `evaluated` as the rules' bits in catalogue order (read
    /// back as names), which keeps every payout row about 200 bytes shorter than the shown form.
    pub fn stored(
        a: &anton_core::risk::Assessment,
        currency: anton_core::money::Currency,
    ) -> String {
        let bits: u64 = a.evaluated.iter().map(|r| 1u64 << (*r as u32)).sum();
        let fired = Self::of(a, currency).fired;
        serde_json::json!({ "evaluated": bits, "fired": fired }).to_string()
    }

    pub fn of(a: &anton_core::risk::Assessment, currency: anton_core::money::Currency) -> Self {
        Self {
            evaluated: a.evaluated.iter().map(|r| r.as_str().to_owned()).collect(),
            fired: a
                .fired
                .iter()
                .map(|f| FiredOut {
                    rule: f.rule.as_str().into(),
                    action: f.action.as_str().into(),
                    value: f.value,
                    limit: f.limit,
                    currency: f.rule.compares_amounts().then(|| currency.as_str().into()),
                    explanation: f.explanation.clone(),
                })
                .collect(),
        }
    }
}

/// The review of a payout a risk rule held (docs/risk.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = PayoutReview)
)]
pub struct ReviewOut {
    /// `pending` (waiting for a decision), `approved`, `rejected` or `expired` (not decided in
    /// time: rejected by Anton).
    #[cfg_attr(feature = "openapi", schema(value_type = oa::ReviewStatusSchema))]
    pub status: String,
    /// The rules whose action was `review`.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<oa::RiskRuleNameSchema>))]
    pub rules: Vec<String>,
    /// The API key that created the payout: it may not approve it (four-eyes).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<oa::KeyIdSchema>))]
    pub requested_by: Option<String>,
    /// When the payout was held.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::TimestampSchema))]
    pub requested: String,
    /// When Anton rejects it unless decided before.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::TimestampSchema))]
    pub expires: String,
    /// Who approved or rejected it: an API key's id (`key_…`), or a portal member's (`mbr_…`);
    /// `null` while pending, and when it expired.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<String>, examples("key_0VczpRT0L4x27gLwVZAQbLB4"))
    )]
    pub decided_by: Option<String>,
    /// When it was decided (or expired).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<oa::TimestampSchema>))]
    pub decided: Option<String>,
    /// Why, as the reviewer wrote it (at most 500 characters), or `expired`.
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use anton_core::money::Currency;
    use anton_core::risk::{Action, Assessment, Fired, RuleName};

    use super::RiskOut;

    #[test]
    fn a_stored_assessment_reads_back_as_shown() {
        let a = Assessment {
            evaluated: vec![
                RuleName::PayoutAmount,
                RuleName::DailySum,
                RuleName::NewKeyBurst,
            ],
            fired: vec![Fired {
                rule: RuleName::DailySum,
                action: Action::Review,
                value: 3_800_000,
                limit: 3_700_000,
                explanation: "sum today 38,000.00 USD > limit 37,000.00 USD".into(),
            }],
        };
        let stored = RiskOut::stored(&a, Currency::Usd);
        assert!(stored.starts_with(r#"{"evaluated":1027,"#), "{stored}");
        let back: RiskOut = serde_json::from_str(&stored).unwrap();
        assert_eq!(back, RiskOut::of(&a, Currency::Usd));
        // The shown form (and rows written before the stored form) read as they are.
        let shown = serde_json::to_string(&back).unwrap();
        assert_eq!(serde_json::from_str::<RiskOut>(&shown).unwrap(), back);
    }
}
