//! The worker's alert pass: one write job that claims the new signals, raises or updates the
//! alerts they call for (one unresolved alert per rule and subject, counting), raises alerts for
//! failing endpoints, and resolves the alerts whose condition cleared — each change with its
//! `alert.raised`/`alert.resolved` event in the same transaction. Signals are claimed exactly once
//! however many worker nodes run the pass; two passes raising the same alert at once meet the
//! table's one-unresolved-alert index, and the loser's whole job (claims included) runs again at
//! its next tick.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use anton_core::event::EventType;
use anton_core::id::{AlertId, WebhookEndpointId};
use anton_store::alerts::{self, AlertRecord, ClaimedSignal};
use anton_store::{now_us, webhooks, Conn, Tenant};
use serde_json::{json, Value};
use tokio::sync::watch;

use super::{add_address, announce, AlertsConfig, Rule};
use crate::Engine;

/// Signals claimed per pass, at most (the rest wait for the next pass).
const CLAIM_MAX: i64 = 10_000;
/// Processed signals are kept this long (the spike window reads them), then deleted.
const SIGNALS_KEPT_US: i64 = 3_600 * 1_000_000;

/// What a pass changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pass {
    pub raised: usize,
    pub updated: usize,
    pub resolved: usize,
    /// The rule of each alert raised, and resolved (for the node's metrics, once committed).
    pub raised_rules: Vec<&'static str>,
    pub resolved_rules: Vec<&'static str>,
}

impl Pass {
    fn raised(&mut self, rule: Rule) {
        self.raised += 1;
        self.raised_rules.push(rule.as_str());
    }

    fn resolved(&mut self, rule: &str) {
        self.resolved += 1;
        self.resolved_rules
            .push(Rule::parse(rule).map_or("other", Rule::as_str));
    }
}

/// The claimed signals of one rule and subject, together.
struct Group {
    count: i64,
    last_us: i64,
    detail: Value,
    addresses: Vec<Value>,
}

fn grouped(claimed: Vec<ClaimedSignal>) -> BTreeMap<(Tenant, String, String), Group> {
    let mut groups: BTreeMap<(Tenant, String, String), Group> = BTreeMap::new();
    for s in claimed {
        let detail: Value = serde_json::from_str(&s.detail).unwrap_or_else(|_| json!({}));
        let g = groups
            .entry((s.tenant, s.rule, s.subject))
            .or_insert_with(|| Group {
                count: 0,
                last_us: 0,
                detail: json!({}),
                addresses: Vec::new(),
            });
        g.count += s.count;
        for a in detail["source_ips"].as_array().into_iter().flatten() {
            add_address(&mut g.addresses, a.clone());
        }
        if s.last_us >= g.last_us {
            g.last_us = s.last_us;
            g.detail = detail;
        }
    }
    groups
}

/// A new open alert.
fn new_alert(
    tenant: &Tenant,
    rule: Rule,
    subject: &str,
    detail: Value,
    count: i64,
    seen_us: i64,
    now: i64,
) -> AlertRecord {
    AlertRecord {
        tenant: tenant.clone(),
        id: AlertId::generate(),
        rule: rule.as_str().to_owned(),
        subject: subject.to_owned(),
        status: "open".into(),
        detail: detail.to_string(),
        count,
        first_seen_us: seen_us,
        last_seen_us: seen_us,
        acknowledged_us: None,
        acknowledged_by: None,
        resolved_us: None,
        resolved_by: None,
        created_us: now,
        updated_us: now,
    }
}

async fn raise(c: &mut Conn, alert: &AlertRecord, email: bool) -> anton_store::Result<()> {
    alerts::insert(c, alert).await?;
    announce(c, alert, EventType::AlertRaised, email).await
}

async fn resolve(
    c: &mut Conn,
    mut alert: AlertRecord,
    now: i64,
    email: bool,
) -> anton_store::Result<()> {
    alert.status = "resolved".into();
    alert.resolved_us = Some(now);
    alert.resolved_by = Some("anton".into());
    alert.updated_us = now;
    alerts::update(c, &alert).await?;
    announce(c, &alert, EventType::AlertResolved, email).await
}

/// The pass, in the write transaction of `c`.
async fn pass(c: &mut Conn, config: &AlertsConfig, now: i64) -> anton_store::Result<Pass> {
    let mut done = Pass::default();
    let email = config.email;
    let claimed = alerts::claim_signals(c, now, CLAIM_MAX).await?;
    for ((tenant, rule_name, subject), mut g) in grouped(claimed) {
        let Some(rule) = Rule::parse(&rule_name) else {
            continue;
        };
        if !g.addresses.is_empty() {
            g.detail["source_ips"] = Value::Array(g.addresses.clone());
        }
        match alerts::find_unresolved(c, &tenant, rule.as_str(), &subject).await? {
            Some(mut a) => {
                a.count += g.count;
                a.last_seen_us = a.last_seen_us.max(g.last_us);
                merge_addresses(&mut g.detail, &a.detail);
                a.detail = g.detail.to_string();
                a.updated_us = now;
                alerts::update(c, &a).await?;
                done.updated += 1;
            }
            None => {
                let mut count = g.count;
                if rule == Rule::AuthFailuresSpike {
                    let since = now - secs(config.auth_failures_window_s);
                    count = alerts::window_count(c, &tenant, rule.as_str(), since).await?;
                    if count < config.auth_failures_threshold {
                        continue;
                    }
                    g.detail["count_in_window"] = json!(count);
                    g.detail["window_seconds"] = json!(config.auth_failures_window_s);
                }
                let a = new_alert(&tenant, rule, &subject, g.detail, count, g.last_us, now);
                raise(c, &a, config.email).await?;
                done.raised(rule);
            }
        }
    }
    endpoints(c, now, config.email, &mut done).await?;
    // Quiet rules: nothing noticed for the quiet period.
    let quiet_before = now - secs(config.quiet_period_s);
    for rule in Rule::ALL.into_iter().filter(|r| !r.follows_state()) {
        for a in alerts::unresolved_of_rule(c, rule.as_str()).await? {
            if a.last_seen_us < quiet_before {
                done.resolved(&a.rule);
                resolve(c, a, now, email).await?;
            }
        }
    }
    alerts::delete_processed_before(c, now - SIGNALS_KEPT_US, CLAIM_MAX).await?;
    Ok(done)
}

/// The addresses an alert had seen, kept when new signals name others.
fn merge_addresses(detail: &mut Value, previous: &str) {
    let previous: Value = serde_json::from_str(previous).unwrap_or_else(|_| json!({}));
    let (Some(old), Some(new)) = (
        previous["source_ips"].as_array(),
        detail["source_ips"].as_array(),
    ) else {
        return;
    };
    let mut all = old.clone();
    for a in new {
        add_address(&mut all, a.clone());
    }
    detail["source_ips"] = Value::Array(all);
}

/// Endpoint rules follow the endpoint's state: a failing endpoint has an alert until it recovers,
/// is disabled or is deleted; a disabled one until it is enabled again or deleted.
async fn endpoints(
    c: &mut Conn,
    now: i64,
    email: bool,
    done: &mut Pass,
) -> anton_store::Result<()> {
    let failing = alerts::failing_endpoints(c).await?;
    let mut failing_now = HashSet::new();
    for (tenant, id, url, since) in failing {
        failing_now.insert((tenant.clone(), id.clone()));
        let rule = Rule::WebhookEndpointFailing;
        if alerts::find_unresolved(c, &tenant, rule.as_str(), &id)
            .await?
            .is_none()
        {
            let detail = json!({
                "webhook_endpoint": id,
                "url": url,
                "failing_since": anton_core::time::Timestamp::from_unix_micros(since).to_rfc3339(),
            });
            raise(
                c,
                &new_alert(&tenant, rule, &id, detail, 1, since, now),
                email,
            )
            .await?;
            done.raised(rule);
        }
    }
    for a in alerts::unresolved_of_rule(c, Rule::WebhookEndpointFailing.as_str()).await? {
        if !failing_now.contains(&(a.tenant.clone(), a.subject.clone())) {
            done.resolved(&a.rule);
            resolve(c, a, now, email).await?;
        }
    }
    for a in alerts::unresolved_of_rule(c, Rule::WebhookEndpointDisabled.as_str()).await? {
        let Ok(id) = WebhookEndpointId::parse(&a.subject) else {
            continue;
        };
        let still = webhooks::get_endpoint(&mut *c, &a.tenant, &id)
            .await?
            .is_some_and(|e| e.status == "disabled");
        if !still {
            done.resolved(&a.rule);
            resolve(c, a, now, email).await?;
        }
    }
    Ok(())
}

fn secs(s: u64) -> i64 {
    i64::try_from(s).unwrap_or(i64::MAX / 2_000_000) * 1_000_000
}

impl Engine {
    /// One alert pass at `now` (the worker's tick; tests drive it directly).
    pub async fn evaluate_alerts(&self, now: i64) -> crate::Result<Pass> {
        let config = self.config().alerts.clone();
        let done = self
            .store()
            .write(move |c| Box::pin(async move { pass(c, &config, now).await }))
            .await?;
        for (rules, resolved) in [(&done.raised_rules, false), (&done.resolved_rules, true)] {
            for rule in rules {
                self.metrics().alerts(rule, resolved, 1);
            }
        }
        Ok(done)
    }
}

/// The worker loop: a pass every `evaluate_every_ms` until shutdown.
pub async fn run(engine: Engine, mut shutdown: watch::Receiver<bool>) {
    let every = Duration::from_millis(engine.config().alerts.evaluate_every_ms.max(10));
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        match engine.evaluate_alerts(now_us()).await {
            Ok(p) if p.raised + p.updated + p.resolved > 0 => {
                tracing::info!(
                    raised = p.raised,
                    updated = p.updated,
                    resolved = p.resolved,
                    "alerts evaluated"
                );
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "alert evaluation failed; retried at the next tick")
            }
        }
    }
}
