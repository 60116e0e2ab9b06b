//! Risk rules for unusual payout activity (docs/risk.md): the rule catalogue, each rule's
//! configuration and defaults, the outflow windows the velocity and sum rules compare against,
//! and [`assess`], the pure decision a payout creation makes inside its transaction.
//!
//! Windows are calendar windows in UTC: the clock hour and the day (00:00–24:00 UTC). An outflow
//! counts the payouts released to the rail in the window — created into `pending`, or approved
//! from review — never those held or blocked; a payout canceled or failed later still counts
//! (the windows only grow, which is what lets concurrent batches check each other cheaply).

use std::fmt::Write as _;

use serde_json::{json, Map, Value};

use crate::keys::Environment;
use crate::money::Currency;

const HOUR_US: i64 = 3_600 * 1_000_000;
const DAY_US: i64 = 24 * HOUR_US;

/// One rule of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleName {
    /// One payout's amount above a limit.
    PayoutAmount,
    /// The day's released sum, with this payout, above a limit.
    DailySum,
    /// The day's released payouts, with this one, more than a limit.
    DailyCount,
    /// The clock hour's released sum, with this payout, above a limit.
    HourlySum,
    /// The clock hour's released payouts, with this one, more than a limit.
    HourlyCount,
    /// A payout above a limit to a recipient whose bank details changed within 24 hours.
    BankDetailsChanged,
    /// One payout's amount more than a multiple of the trailing 30 days' 95th percentile (once
    /// there are [`HISTORY_MIN_SAMPLES`] payouts in them).
    AmountVsHistory,
    /// A payout above a limit to a bank account the merchant first saw within 24 hours.
    NewDestination,
    /// A payout to a bank account more than a limit of the merchant's recipients share.
    SharedBankAccount,
    /// A payout above a limit from an address its API key had not been used from before the
    /// last 24 hours.
    NewAddress,
    /// More than a limit of payouts released by one API key within [`KEY_BURST_US`] of its
    /// creation.
    NewKeyBurst,
}

/// How many payouts the trailing 30 days must hold before [`RuleName::AmountVsHistory`] judges a
/// payout against them.
pub const HISTORY_MIN_SAMPLES: i64 = 50;

/// The history [`RuleName::AmountVsHistory`] looks back on.
pub const HISTORY_DAYS: i64 = 30;

/// How long a destination or an address counts as new.
pub const NEW_US: i64 = DAY_US;

/// How long after its creation an API key's payouts count towards [`RuleName::NewKeyBurst`].
pub const KEY_BURST_US: i64 = HOUR_US;

/// How long a recipient's changed bank details count as recently changed.
pub const BANK_CHANGE_RECENT_US: i64 = DAY_US;

impl RuleName {
    pub const ALL: [RuleName; 11] = [
        RuleName::PayoutAmount,
        RuleName::DailySum,
        RuleName::DailyCount,
        RuleName::HourlySum,
        RuleName::HourlyCount,
        RuleName::BankDetailsChanged,
        RuleName::AmountVsHistory,
        RuleName::NewDestination,
        RuleName::SharedBankAccount,
        RuleName::NewAddress,
        RuleName::NewKeyBurst,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PayoutAmount => "payout_amount",
            Self::DailySum => "daily_sum",
            Self::DailyCount => "daily_count",
            Self::HourlySum => "hourly_sum",
            Self::HourlyCount => "hourly_count",
            Self::BankDetailsChanged => "bank_details_changed",
            Self::AmountVsHistory => "amount_vs_history",
            Self::NewDestination => "new_destination",
            Self::SharedBankAccount => "shared_bank_account",
            Self::NewAddress => "new_address",
            Self::NewKeyBurst => "new_key_burst",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether the rule's limit is an amount per currency (else a count, or for
    /// [`RuleName::AmountVsHistory`] a multiple).
    pub fn limits_amounts(self) -> bool {
        !matches!(
            self,
            Self::DailyCount
                | Self::HourlyCount
                | Self::AmountVsHistory
                | Self::SharedBankAccount
                | Self::NewKeyBurst
        )
    }

    /// What the rule's limit is, in words (a refused change names it).
    pub fn limit_words(self) -> &'static str {
        match self {
            Self::AmountVsHistory => "a multiple of the 30-day p95",
            r if r.limits_amounts() => "amounts per currency",
            _ => "a count",
        }
    }

    /// Whether the figures the rule compares when it fires are amounts (else counts): the amount
    /// rules, and [`RuleName::AmountVsHistory`], whose multiple makes an amount limit.
    pub fn compares_amounts(self) -> bool {
        self.limits_amounts() || self == Self::AmountVsHistory
    }

    /// Whether the rule reads the outflow windows (and so must be checked against them under
    /// their lock).
    pub fn reads_windows(self) -> bool {
        matches!(
            self,
            Self::DailySum | Self::DailyCount | Self::HourlySum | Self::HourlyCount
        )
    }

    /// What the rule watches for (the API documents it).
    pub fn meaning(self) -> &'static str {
        match self {
            Self::PayoutAmount => "one payout's amount is above `limits[currency]`.",
            Self::DailySum => {
                "the sum released today (UTC), with this payout, is above `limits[currency]`."
            }
            Self::DailyCount => {
                "the payouts released today (UTC), with this one, are more than `limit`."
            }
            Self::HourlySum => {
                "the sum released in this clock hour (UTC), with this payout, is above \
                 `limits[currency]`."
            }
            Self::HourlyCount => {
                "the payouts released in this clock hour (UTC), with this one, are more than \
                 `limit`."
            }
            Self::BankDetailsChanged => {
                "a payout above `limits[currency]` goes to a recipient whose bank details were \
                 changed within the last 24 hours (the classic account-takeover pattern)."
            }
            Self::AmountVsHistory => {
                "the payout's amount is more than `limit` times the 95th percentile of the \
                 merchant's payouts in that currency over the last 30 days (judged once those \
                 hold 50 payouts; the percentile is refreshed hourly)."
            }
            Self::NewDestination => {
                "a payout above `limits[currency]` goes to a bank account the merchant first \
                 used (on any recipient) within the last 24 hours."
            }
            Self::SharedBankAccount => {
                "the payout's bank account is shared by more than `limit` of the merchant's \
                 recipients."
            }
            Self::NewAddress => {
                "a payout above `limits[currency]` comes from an IP address its API key had not \
                 been used from before the last 24 hours (a key used from somewhere new)."
            }
            Self::NewKeyBurst => {
                "the payouts released by the acting API key within an hour of its creation, \
                 with this one, are more than `limit` (a burst from a new or rolled key)."
            }
        }
    }
}

/// What a rule does when it fires. Ordered by strength: the strongest fired action wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// The payout proceeds; an alert is raised.
    Alert,
    /// The payout waits in `requires_review`, its funds reserved.
    Review,
    /// The payout is refused (`risk_blocked`).
    Block,
}

impl Action {
    pub const ALL: [Action; 3] = [Action::Alert, Action::Review, Action::Block];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Alert => "alert",
            Self::Review => "review",
            Self::Block => "block",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// A rule's threshold: an amount per currency (minor units), or a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Indexed as [`Currency::ALL`].
    Amounts([i64; 3]),
    Count(i64),
}

fn currency_index(c: Currency) -> usize {
    Currency::ALL.iter().position(|x| *x == c).unwrap_or(0)
}

impl Limit {
    /// The amount limit for `currency` (a count limit has none).
    pub fn amount(&self, currency: Currency) -> Option<i64> {
        match self {
            Self::Amounts(a) => Some(a[currency_index(currency)]),
            Self::Count(_) => None,
        }
    }

    /// As stored and shown: `{"USD": 5000000, …}` or the count.
    pub fn to_value(&self) -> Value {
        match self {
            Self::Amounts(a) => {
                let mut m = Map::new();
                for (c, v) in Currency::ALL.iter().zip(a) {
                    m.insert(c.as_str().into(), json!(v));
                }
                Value::Object(m)
            }
            Self::Count(n) => json!(n),
        }
    }

    /// The stored form back ([`Limit::to_value`]), for `rule`; `None` if it does not fit it.
    pub fn from_value(rule: RuleName, v: &Value) -> Option<Self> {
        if rule.limits_amounts() {
            let m = v.as_object()?;
            let mut a = [0; 3];
            for (i, c) in Currency::ALL.iter().enumerate() {
                a[i] = m.get(c.as_str())?.as_i64()?;
            }
            Some(Self::Amounts(a))
        } else {
            v.as_i64().map(Self::Count)
        }
    }
}

/// One rule's configuration for a merchant and environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleConfig {
    pub enabled: bool,
    pub action: Action,
    pub limit: Limit,
}

/// Every rule's configuration for one merchant and environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet([RuleConfig; 11]);

/// `n` major units (two decimals) in minor units, for the same figure in each currency.
const fn major(n: i64) -> Limit {
    Limit::Amounts([n * 100, n * 100, n * 100])
}

impl RuleSet {
    /// The defaults every merchant starts with: in live mode the amount and sum rules hold a
    /// payout for review; in test mode every rule only alerts, at limits far above a test
    /// integration's traffic, so that the rules are visible without getting in the way.
    pub fn defaults(env: Environment) -> Self {
        let rule = |enabled, action, limit| RuleConfig {
            enabled,
            action,
            limit,
        };
        if env.is_live() {
            Self([
                rule(true, Action::Review, major(50_000)),
                rule(true, Action::Review, major(250_000)),
                rule(true, Action::Alert, Limit::Count(10_000)),
                rule(true, Action::Review, major(100_000)),
                rule(true, Action::Alert, Limit::Count(2_000)),
                rule(true, Action::Review, major(1_000)),
                rule(true, Action::Review, Limit::Count(5)),
                rule(true, Action::Review, major(10_000)),
                rule(true, Action::Alert, Limit::Count(3)),
                rule(true, Action::Alert, major(10_000)),
                rule(true, Action::Alert, Limit::Count(100)),
            ])
        } else {
            Self([
                rule(true, Action::Alert, major(1_000_000)),
                rule(true, Action::Alert, major(100_000_000)),
                rule(true, Action::Alert, Limit::Count(10_000_000)),
                rule(true, Action::Alert, major(50_000_000)),
                rule(true, Action::Alert, Limit::Count(5_000_000)),
                rule(true, Action::Alert, major(10_000)),
                rule(true, Action::Alert, Limit::Count(5)),
                rule(true, Action::Alert, major(1_000_000)),
                rule(true, Action::Alert, Limit::Count(100)),
                rule(true, Action::Alert, major(1_000_000)),
                rule(true, Action::Alert, Limit::Count(1_000_000)),
            ])
        }
    }

    pub fn get(&self, rule: RuleName) -> RuleConfig {
        self.0[rule as usize]
    }

    pub fn set(&mut self, rule: RuleName, config: RuleConfig) {
        self.0[rule as usize] = config;
    }

    /// The most payouts an API key's first-hour counter may hold for `evaluated` more payouts
    /// on top of it to stay within [`RuleName::NewKeyBurst`] (`i64::MAX` while the rule is off).
    pub fn key_burst_room(&self, evaluated: i64) -> i64 {
        let config = self.get(RuleName::NewKeyBurst);
        match config.limit {
            Limit::Count(n) if config.enabled => n - evaluated,
            _ => i64::MAX,
        }
    }

    /// The enabled rules, in catalogue order.
    pub fn enabled(&self) -> impl Iterator<Item = (RuleName, RuleConfig)> + '_ {
        RuleName::ALL
            .into_iter()
            .map(|r| (r, self.get(r)))
            .filter(|(_, c)| c.enabled)
    }
}

/// Payouts released in one window: the window's start (unix µs) and what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Window {
    pub start_us: i64,
    pub count: i64,
    pub sum: i64,
}

impl Window {
    /// This window as seen at `start_us` (the start of the current window): empty if it is an
    /// older window; a later one (another node's clock ahead) counts as current.
    fn seen_from(self, start_us: i64) -> Self {
        if self.start_us < start_us {
            Self {
                start_us,
                count: 0,
                sum: 0,
            }
        } else {
            self
        }
    }
}

/// A balance's outflow: the payouts released in the current clock hour and day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outflow {
    pub hour: Window,
    pub day: Window,
}

impl Outflow {
    /// The windows as seen at `now_us` (older windows are empty).
    pub fn at(self, now_us: i64) -> Self {
        Self {
            hour: self.hour.seen_from(now_us - now_us.rem_euclid(HOUR_US)),
            day: self.day.seen_from(now_us - now_us.rem_euclid(DAY_US)),
        }
    }

    /// Counts one released payout of `amount` (on windows already seen [`Outflow::at`] now).
    pub fn add(&mut self, amount: i64) {
        for w in [&mut self.hour, &mut self.day] {
            w.count += 1;
            w.sum = w.sum.saturating_add(amount);
        }
    }

    /// Whether `evaluated` more payouts summing to `sum` on top of this outflow stay within every
    /// window limit of `rules` for `currency` (none of them would fire).
    pub fn has_room(&self, rules: &RuleSet, currency: Currency, evaluated: i64, sum: i64) -> bool {
        rules
            .enabled()
            .filter(|(r, _)| r.reads_windows())
            .all(|(rule, config)| {
                let w = if matches!(rule, RuleName::DailySum | RuleName::DailyCount) {
                    self.day
                } else {
                    self.hour
                };
                match config.limit {
                    Limit::Count(n) => w.count + evaluated <= n,
                    Limit::Amounts(_) => {
                        w.sum.saturating_add(sum) <= config.limit.amount(currency).unwrap_or(0)
                    }
                }
            })
    }
}

/// What a creation's rules look at.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    pub amount: i64,
    pub currency: Currency,
    /// The balance's outflow as seen now ([`Outflow::at`]), before this payout.
    pub outflow: Outflow,
    /// When the recipient's bank details were last changed after its creation (`None`: never).
    pub bank_changed_us: Option<i64>,
    /// The payout's bank account as the merchant knows it.
    pub destination: Destination,
    /// The merchant's payouts in this currency over the trailing [`HISTORY_DAYS`] (`None`: not
    /// computed yet).
    pub history: Option<History>,
    /// Whether the acting API key had not been used from the request's address before the last
    /// 24 hours (`None`: no key or no address, as for the operator's CLI).
    pub new_address: Option<bool>,
    /// The payouts the acting API key released so far, before this one, while it is within
    /// [`KEY_BURST_US`] of its creation (`None`: no key, or an older one).
    pub key_burst: Option<i64>,
    pub now_us: i64,
}

/// What the merchant's recipients say of a payout's bank account (by its fingerprint).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Destination {
    /// When any of the merchant's recipients (deleted ones included) first had it.
    pub first_seen_us: i64,
    /// How many of the merchant's live recipients have it (this one included).
    pub sharing: i64,
}

/// The trailing 30 days of a merchant's payouts in one currency, as the hourly refresh found
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct History {
    /// The 95th percentile of their amounts (nearest rank).
    pub p95: i64,
    pub samples: i64,
}

/// A rule that fired, with the figures it compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    pub rule: RuleName,
    pub action: Action,
    /// The figure compared (an amount in minor units, or a count).
    pub value: i64,
    pub limit: i64,
    /// The figures in words: "sum today 38,000.00 USD > limit 37,000.00 USD".
    pub explanation: String,
}

/// A payout's risk assessment: the rules evaluated, and those that fired.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Assessment {
    pub evaluated: Vec<RuleName>,
    pub fired: Vec<Fired>,
}

impl Assessment {
    /// The strongest action of the rules that fired (`None`: the payout proceeds unremarked).
    pub fn action(&self) -> Option<Action> {
        self.fired.iter().map(|f| f.action).max()
    }

    /// Whether a rule reading the outflow windows fired.
    pub fn fired_on_windows(&self) -> bool {
        self.fired.iter().any(|f| f.rule.reads_windows())
    }
}

/// `minor` units as `12,400.00 USD`.
pub fn format_amount(minor: i64, currency: Currency) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let units = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let mut out = String::new();
    let _ = write!(
        out,
        "{sign}{grouped}.{:02} {}",
        abs % 100,
        currency.as_str()
    );
    out
}

/// Evaluates every enabled rule of `rules` on `facts`.
pub fn assess(rules: &RuleSet, facts: &Facts) -> Assessment {
    let mut out = Assessment::default();
    for (rule, config) in rules.enabled() {
        out.evaluated.push(rule);
        if let Some((value, limit, explanation)) = judge(rule, config.limit, facts) {
            out.fired.push(Fired {
                rule,
                action: config.action,
                value,
                limit,
                explanation,
            });
        }
    }
    out
}

/// One rule on `facts`: the figure compared, the limit it crossed and the two in words, if it
/// fires.
fn judge(rule: RuleName, limit: Limit, facts: &Facts) -> Option<(i64, i64, String)> {
    let c = facts.currency;
    let amount = facts.amount;
    let money = |m: i64| format_amount(m, c);
    // An amount rule's limit in this currency (a count rule's is its count).
    let n = match limit {
        Limit::Amounts(_) => limit.amount(c).unwrap_or(0),
        Limit::Count(n) => n,
    };
    let above = |value: i64, words: &str| {
        (value > n).then(|| {
            (
                value,
                n,
                format!("{words} {} > limit {}", money(value), money(n)),
            )
        })
    };
    let more = |value: i64, words: &str| {
        (value > n).then(|| (value, n, format!("{words} {value} > limit {n}")))
    };
    let minutes = |since: i64| since.max(0) / 60_000_000;
    match rule {
        RuleName::PayoutAmount => above(amount, "amount"),
        RuleName::DailySum => above(facts.outflow.day.sum.saturating_add(amount), "sum today"),
        RuleName::HourlySum => above(
            facts.outflow.hour.sum.saturating_add(amount),
            "sum this hour",
        ),
        RuleName::DailyCount => more(facts.outflow.day.count + 1, "payouts today"),
        RuleName::HourlyCount => more(facts.outflow.hour.count + 1, "payouts this hour"),
        RuleName::SharedBankAccount => more(
            facts.destination.sharing,
            "recipients sharing the bank account",
        ),
        RuleName::BankDetailsChanged => {
            let since = facts.now_us - facts.bank_changed_us?;
            if since >= BANK_CHANGE_RECENT_US {
                return None;
            }
            let words = format!(
                "bank details changed {} min ago (< 24 h); amount",
                minutes(since)
            );
            above(amount, &words)
        }
        RuleName::NewDestination => {
            let since = facts.now_us - facts.destination.first_seen_us;
            if since >= NEW_US {
                return None;
            }
            let words = format!(
                "bank account first seen {} min ago (< 24 h); amount",
                minutes(since)
            );
            above(amount, &words)
        }
        RuleName::NewAddress => {
            if facts.new_address != Some(true) {
                return None;
            }
            above(
                amount,
                "the API key had not been used from this address before the last 24 h; amount",
            )
        }
        RuleName::NewKeyBurst => more(
            facts.key_burst? + 1,
            "payouts by this API key in the hour after its creation",
        ),
        RuleName::AmountVsHistory => {
            let h = facts.history.filter(|h| h.samples >= HISTORY_MIN_SAMPLES)?;
            let limit = h.p95.saturating_mul(n);
            (amount > limit).then(|| {
                let explanation = format!(
                    "amount {} > limit {} ({n} × the 30-day p95 of {} over {} payouts)",
                    money(amount),
                    money(limit),
                    money(h.p95),
                    h.samples
                );
                (amount, limit, explanation)
            })
        }
    }
}

#[cfg(test)]
mod tests;
