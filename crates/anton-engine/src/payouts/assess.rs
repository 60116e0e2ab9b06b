//! The risk rules inside the payout-creation batch (docs/risk.md): each creation is assessed
//! ([`anton_core::risk::assess`]) in arrival order against its balance's outflow windows as the
//! batch reads them plus what the batch released before it, so racing creations are counted
//! exactly — on SQLite under the single writer, on PostgreSQL under the balance row's lock, or
//! (optimistic lanes) checked under that lock before the write by [`Risk::still_holds`].
//!
//! Then what a creation writes follows from its assessment ([`made`]): the payout, its answer
//! and its event carry the assessment; a held payout is written `requires_review` with its
//! review, and its event is `payout.review_required`.

use std::collections::HashMap;

use anton_core::event::{EventType, NewEvent};
use anton_core::id::KeyId;
use anton_core::money::Currency;
use anton_core::payout::PayoutStatus;
use anton_core::risk::{
    self, Action, Assessment, Destination, Facts, History, Limit, Outflow, RuleConfig, RuleName,
    RuleSet,
};
use anton_core::time::Timestamp;
use anton_store::alerts::Signal;
use anton_store::ledger::BalanceKey;
use anton_store::payouts::PayoutRecord;
use anton_store::risk::{BurstDelta, RuleRow};
use anton_store::{Scoped, Tenant};

use super::create::Creation;
use crate::alerts::Rule;
use crate::idempotency::Reply;
use crate::objects::{to_value, PayoutOut, ReviewOut, RiskOut};

/// The rule set of `env` with the stored changes `rows` applied over its defaults. A row that
/// does not parse (never written by Anton) is left out, so its rule stays at its default.
pub fn rule_set(env: anton_core::keys::Environment, rows: &[RuleRow]) -> RuleSet {
    let mut set = RuleSet::defaults(env);
    for row in rows {
        let parsed = RuleName::parse(&row.rule).and_then(|rule| {
            let limits: serde_json::Value = serde_json::from_str(&row.limits).ok()?;
            Some((
                rule,
                RuleConfig {
                    enabled: row.enabled,
                    action: Action::parse(&row.action)?,
                    limit: Limit::from_value(rule, &limits)?,
                },
            ))
        });
        match parsed {
            Some((rule, config)) => set.set(rule, config),
            None => {
                tracing::error!(rule = %row.rule, "a stored risk rule does not parse; its default applies")
            }
        }
    }
    set
}

/// What a creation's rules read besides its balance's windows, as the batch read it: facts
/// that racing creations do not change (the recipient's bank account, the hourly history, the
/// key's known addresses), and its acting key's first-hour count, which they do (counted like
/// the windows: see [`Risk`]).
#[derive(Debug, Clone)]
pub struct Seen {
    pub bank_changed_us: Option<i64>,
    pub destination: Destination,
    pub history: Option<History>,
    pub new_address: Option<bool>,
    /// The acting key with the payouts it released so far, while within its first hour.
    pub key_burst: Option<(Scoped<KeyId>, i64)>,
}

/// One balance's risk state in a batch.
struct KeyRisk {
    /// The outflow as read, seen now.
    read: Outflow,
    /// `read` plus the creations released so far in this batch.
    current: Outflow,
    /// Creations assessed on this balance, and their sum.
    evaluated: i64,
    sum: i64,
    /// Whether a rule reading the windows fired on one of them.
    fired_on_windows: bool,
}

/// One new API key's first-hour count in a batch.
struct KeyBurst {
    /// The count as read.
    read: i64,
    /// `read` plus the creations by the key released so far in this batch.
    current: i64,
    /// Creations by the key assessed.
    evaluated: i64,
    /// Whether [`RuleName::NewKeyBurst`] fired on one of them.
    fired: bool,
}

/// The risk rules of a batch: each tenant's rule set, each balance's windows and each new
/// key's first-hour count.
pub struct Risk {
    now: i64,
    rules: HashMap<Tenant, RuleSet>,
    keys: HashMap<BalanceKey, KeyRisk>,
    bursts: HashMap<Scoped<KeyId>, KeyBurst>,
    /// Each tenant's assessment with nothing fired, rendered once per batch: the same texts for
    /// every such payout of the tenant (the rules it evaluated).
    quiet: HashMap<Tenant, RiskText>,
}

impl Risk {
    pub fn new(now: i64) -> Self {
        Self {
            now,
            rules: HashMap::new(),
            keys: HashMap::new(),
            bursts: HashMap::new(),
            quiet: HashMap::new(),
        }
    }

    fn rules_of(&mut self, tenant: &Tenant, rows: &HashMap<Tenant, Vec<RuleRow>>) -> &RuleSet {
        self.rules.entry(tenant.clone()).or_insert_with(|| {
            rule_set(tenant.env, rows.get(tenant).map_or(&[][..], Vec::as_slice))
        })
    }

    /// Assesses `c` on `balance` (whose stored windows are `read`) after the creations the
    /// batch assessed before it, with the other facts its rules read (`seen`).
    pub fn assess(
        &mut self,
        c: &Creation,
        (balance, read): (&BalanceKey, Outflow),
        seen: Seen,
        rows: &HashMap<Tenant, Vec<RuleRow>>,
    ) -> Assessment {
        let now = self.now;
        let rules = self.rules_of(&c.tenant, rows).clone();
        let k = self.keys.entry(balance.clone()).or_insert_with(|| KeyRisk {
            read: read.at(now),
            current: read.at(now),
            evaluated: 0,
            sum: 0,
            fired_on_windows: false,
        });
        let burst = seen.key_burst.map(|(key, read)| {
            self.bursts.entry(key).or_insert(KeyBurst {
                read,
                current: read,
                evaluated: 0,
                fired: false,
            })
        });
        let facts = Facts {
            amount: c.amount.minor(),
            currency: c.currency,
            outflow: k.current,
            bank_changed_us: seen.bank_changed_us,
            destination: seen.destination,
            history: seen.history,
            new_address: seen.new_address,
            key_burst: burst.as_ref().map(|b| b.current),
            now_us: now,
        };
        let a = risk::assess(&rules, &facts);
        if let Some(b) = burst {
            b.evaluated += 1;
            b.fired |= a.fired.iter().any(|f| f.rule == RuleName::NewKeyBurst);
        }
        k.evaluated += 1;
        k.sum = k.sum.saturating_add(c.amount.minor());
        k.fired_on_windows |= a.fired_on_windows();
        a
    }

    /// `a` (of a creation by `tenant` in `currency`) as the payout's `risk` shows it and as its
    /// row stores it.
    pub fn text(&mut self, tenant: &Tenant, currency: Currency, a: &Assessment) -> RiskText {
        let render = || RiskText {
            shown: serde_json::to_string(&RiskOut::of(a, currency))
                .unwrap_or_else(|_| "null".into()),
            stored: RiskOut::stored(a, currency),
        };
        if !a.fired.is_empty() {
            return render();
        }
        self.quiet
            .entry(tenant.clone())
            .or_insert_with(render)
            .clone()
    }

    /// Counts a released creation of `amount` on `balance` by `actor` (assessed before).
    pub fn release(&mut self, balance: &BalanceKey, actor: Option<&Scoped<KeyId>>, amount: i64) {
        if let Some(k) = self.keys.get_mut(balance) {
            k.current.add(amount);
        }
        if let Some(b) = actor.and_then(|a| self.bursts.get_mut(a)) {
            b.current += 1;
        }
    }

    /// What the batch adds to new keys' first-hour counts, given the creations by each that
    /// stand released (`released`), sorted: every key assessed within its first hour — also one
    /// that released nothing, whose assessments still rest on the count read — with the count
    /// it decided on and the room its decisions leave (an optimistic batch checks the locked
    /// count against them, as [`Risk::still_holds`] checks the windows: see
    /// [`BurstDelta::holds`]).
    pub fn burst_deltas(&self, released: &HashMap<Scoped<KeyId>, i64>) -> Vec<BurstDelta> {
        let mut out: Vec<BurstDelta> = self
            .bursts
            .iter()
            .map(|(key, b)| {
                let room = match self.rules.get(&key.tenant) {
                    _ if b.fired => i64::MIN,
                    Some(rules) => rules.key_burst_room(b.evaluated),
                    None => i64::MAX,
                };
                BurstDelta {
                    key: key.clone(),
                    add: released.get(key).copied().unwrap_or(0),
                    read: b.read,
                    room,
                }
            })
            .collect();
        out.sort_by(|a, b| a.key.cmp(&b.key));
        out
    }

    /// What the batch adds to `balance`'s windows (for its debit's `Delta::outflow`).
    pub fn released(&self, balance: &BalanceKey) -> Outflow {
        let mut out = Outflow::default().at(self.now);
        if let Some(k) = self.keys.get(balance) {
            let (h, d) = (k.current.hour, k.read.hour);
            out.hour.count = h.count - d.count;
            out.hour.sum = h.sum - d.sum;
            let (h, d) = (k.current.day, k.read.day);
            out.day.count = h.count - d.count;
            out.day.sum = h.sum - d.sum;
        }
        out
    }

    /// Balances on which a window rule fired: an optimistic batch locks them too (see
    /// [`Risk::still_holds`]), debited or not.
    pub fn fired_on_windows(&self) -> impl Iterator<Item = &BalanceKey> {
        self.keys
            .iter()
            .filter(|(_, k)| k.fired_on_windows)
            .map(|(b, _)| b)
    }

    /// Whether the batch's assessments on `balance` are those it would make on `locked` (its
    /// windows read under the balance's lock, after another transaction may have released
    /// payouts): yes if the windows did not change, or if no window rule fired and none would
    /// fire even with every creation assessed here counted on top of `locked` (windows only
    /// grow, so every assessment is then unchanged).
    pub fn still_holds(&self, balance: &BalanceKey, locked: Outflow) -> bool {
        let Some(k) = self.keys.get(balance) else {
            return true;
        };
        let locked = locked.at(self.now);
        if locked == k.read {
            return true;
        }
        let Some(rules) = self.rules.get(&balance.tenant) else {
            return true;
        };
        !k.fired_on_windows && locked.has_room(rules, balance.currency, k.evaluated, k.sum)
    }
}

/// The alert signals of `a`'s rules whose action is `alert`.
pub fn signals(c: &Creation, a: &Assessment, now: i64) -> Vec<Signal> {
    a.fired
        .iter()
        .filter(|f| f.action == Action::Alert)
        .map(|f| Signal {
            tenant: c.tenant.clone(),
            rule: Rule::UnusualPayoutActivity.as_str(),
            subject: f.rule.as_str().to_owned(),
            count: 1,
            last_us: now,
            detail: serde_json::json!({
                "risk_rule": f.rule.as_str(),
                "payout": c.record.id.as_str(),
                "explanation": f.explanation,
                "api_key": c.actor.as_ref().map(|k| k.as_str()),
            })
            .to_string(),
        })
        .collect()
}

/// A payout's assessment as its answer and event show it, and as its row stores it
/// ([`RiskOut::stored`]).
#[derive(Debug, Clone)]
pub struct RiskText {
    pub shown: String,
    pub stored: String,
}

/// What a creation that stands writes.
pub struct Made {
    pub record: PayoutRecord,
    pub event: NewEvent,
}

/// The payout `c` creates with assessment `a` (rendered: `text`; held for review when `held`)
/// and its event, and its answer. `last4`: the recipient's. A payout that proceeds keeps the
/// answer and event its request prepared, with the assessment put in place of their
/// `"risk":null` (no re-rendering in the writer); a held one is rendered afresh.
pub fn made(
    c: &Creation,
    (a, text): (&Assessment, RiskText),
    held: bool,
    last4: &str,
    now: i64,
) -> (Made, Reply) {
    let mut record = c.record.clone();
    record.outcome_last4 = last4.to_owned();
    let risk_text = text.shown;
    record.risk = Some(text.stored);
    if !held {
        if let (Some(body), Some(event_body)) = (
            with_risk(&c.created.body, &risk_text),
            with_risk(&c.event.body, &risk_text),
        ) {
            let event = NewEvent {
                body: event_body,
                ..c.event.clone()
            };
            let reply = Reply {
                status: c.created.status,
                body,
            };
            return (Made { record, event }, reply);
        }
    }
    let event_type = if held {
        record.status = PayoutStatus::RequiresReview;
        record.rail_due_us = None;
        let review = ReviewOut {
            status: "pending".into(),
            rules: a
                .fired
                .iter()
                .filter(|f| f.action == Action::Review)
                .map(|f| f.rule.as_str().to_owned())
                .collect(),
            requested_by: c.actor.as_ref().map(ToString::to_string),
            requested: Timestamp::from_unix_micros(now).to_rfc3339(),
            expires: Timestamp::from_unix_micros(now + c.review_expires_us).to_rfc3339(),
            decided_by: None,
            decided: None,
            reason: None,
        };
        record.review = serde_json::to_string(&review).ok();
        EventType::PayoutReviewRequired
    } else {
        EventType::PayoutCreated
    };
    let event = NewEvent::new(
        event_type,
        c.tenant.env,
        record.created,
        record.id.as_str(),
        to_value(&PayoutOut::from_record(&record, c.tenant.env)),
        None,
    );
    let reply = c.render.render(Ok(&record));
    (Made { record, event }, reply)
}

/// `body` (a payout rendered with `risk: null`, or an event of one) with `risk` in place of
/// that null. `risk` is the payout's last field, and no value a merchant sends can render as
/// `"risk":null` (descriptions and metadata values are strings, whose quotes are escaped), so
/// the last occurrence is the field. `None` if it is missing.
fn with_risk(body: &str, risk: &str) -> Option<String> {
    const FIELD: &str = "\"risk\":null";
    let at = body.rfind(FIELD)?;
    let mut out = String::with_capacity(body.len() + risk.len());
    out.push_str(&body[..at]);
    out.push_str("\"risk\":");
    out.push_str(risk);
    out.push_str(&body[at + FIELD.len()..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_assessment_replaces_the_last_risk_null() {
        let body = r#"{"description":"\"risk\":null","metadata":{"risk":"null"},"risk":null}"#;
        let out = with_risk(body, r#"{"fired":[]}"#).unwrap();
        assert_eq!(
            out,
            r#"{"description":"\"risk\":null","metadata":{"risk":"null"},"risk":{"fired":[]}}"#
        );
        assert!(with_risk("{}", "{}").is_none());
    }
}
