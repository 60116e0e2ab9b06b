//! `anton risk rules|set|held|approve|reject`: the merchant's risk rules and the review of held
//! payouts (docs/risk.md) from the terminal, through the SDK.

use std::collections::BTreeMap;

use anton_sdk::types::{ListParams, Payout, RiskRule, RiskRuleUpdate};

use super::Connect;
use crate::cli::escape;

fn print_rule(r: &RiskRule, as_json: bool) -> anyhow::Result<()> {
    if as_json {
        println!("{}", serde_json::to_string(r)?);
        return Ok(());
    }
    let limit = match (&r.limit, &r.limits) {
        (Some(n), _) => n.to_string(),
        (None, Some(m)) => m
            .iter()
            .map(|(c, v)| format!("{}={v}", escape(c)))
            .collect::<Vec<_>>()
            .join(","),
        (None, None) => String::new(),
    };
    println!(
        "{:<22} {:<8} {:<7} {}",
        escape(&r.id),
        if r.enabled { "on" } else { "off" },
        escape(&r.action),
        limit
    );
    Ok(())
}

/// Every rule of the profile's environment.
pub async fn risk_rules(connect: &Connect, as_json: bool) -> anyhow::Result<()> {
    let (client, _) = connect.client()?;
    for r in client.risk_rules().list().await? {
        print_rule(&r, as_json)?;
    }
    Ok(())
}

/// What `anton risk set` changes (`None`: unchanged).
pub struct RuleChange {
    pub action: Option<String>,
    pub enabled: Option<bool>,
    pub limit: Option<i64>,
    /// `USD=3700000` pairs (minor units).
    pub limits: Vec<String>,
}

/// Changes one rule (needs a key with `risk_rules:write`) and prints it.
pub async fn risk_set(
    connect: &Connect,
    rule: &str,
    change: RuleChange,
    as_json: bool,
) -> anyhow::Result<()> {
    let mut limits = BTreeMap::new();
    for pair in &change.limits {
        let (currency, amount) = pair.split_once('=').ok_or_else(|| {
            anyhow::anyhow!("--limits takes CURRENCY=MINOR_UNITS, e.g. USD=3700000")
        })?;
        let amount: i64 = amount
            .parse()
            .map_err(|_| anyhow::anyhow!("{amount:?} is not an integer of minor units"))?;
        limits.insert(currency.to_owned(), amount);
    }
    let update = RiskRuleUpdate {
        enabled: change.enabled,
        action: change.action,
        limit: change.limit,
        limits: (!limits.is_empty()).then_some(limits),
    };
    let (client, _) = connect.client()?;
    let r = client.risk_rules().update(rule, &update).await?;
    print_rule(&r, as_json)
}

fn print_payout(p: &Payout, as_json: bool) -> anyhow::Result<()> {
    if as_json {
        println!("{}", serde_json::to_string(p)?);
        return Ok(());
    }
    let why = p
        .risk
        .as_ref()
        .map(|r| {
            r.fired
                .iter()
                .map(|f| escape(&f.explanation))
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default();
    println!(
        "{}  {}  {} {}  {}  {}",
        escape(&p.id),
        p.status.as_str(),
        p.amount,
        escape(&p.currency),
        p.review
            .as_ref()
            .map(|r| escape(&r.status))
            .unwrap_or_default(),
        why
    );
    Ok(())
}

/// The payouts waiting for review, newest first.
pub async fn risk_held(connect: &Connect, limit: u32, as_json: bool) -> anyhow::Result<()> {
    let (client, _) = connect.client()?;
    let params = ListParams::new()
        .limit(limit.clamp(1, 100))
        .filter("status", "requires_review");
    for p in &client.payouts().list(&params).await?.data {
        print_payout(p, as_json)?;
    }
    Ok(())
}

/// Approves (or rejects) a held payout (needs a key with `payouts:approve`, not the payout's
/// creator for approving) and prints it.
pub async fn risk_decide(
    connect: &Connect,
    payout: &str,
    (approve, reason): (bool, Option<String>),
    as_json: bool,
) -> anyhow::Result<()> {
    let (client, _) = connect.client()?;
    let p = if approve {
        client.reviews().approve(payout, reason.as_deref()).await?
    } else {
        client.reviews().reject(payout, reason.as_deref()).await?
    };
    print_payout(&p, as_json)
}
