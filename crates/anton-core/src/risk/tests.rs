//! The pure rules, figure by figure.

use super::*;

fn facts(amount: i64, outflow: Outflow) -> Facts {
    Facts {
        amount,
        currency: Currency::Usd,
        outflow,
        bank_changed_us: None,
        destination: Destination {
            first_seen_us: 0,
            sharing: 1,
        },
        history: None,
        new_address: Some(false),
        key_burst: None,
        now_us: 10 * DAY_US + 5 * HOUR_US,
    }
}

fn with(rule: RuleName, action: Action, limit: Limit) -> RuleSet {
    let mut set = RuleSet::defaults(Environment::Test);
    set.set(
        rule,
        RuleConfig {
            enabled: true,
            action,
            limit,
        },
    );
    set
}

#[test]
fn a_daily_sum_fires_above_its_limit_and_explains_the_figures() {
    let rules = with(RuleName::DailySum, Action::Review, major(37_000));
    let mut o = Outflow::default().at(facts(0, Outflow::default()).now_us);
    for _ in 0..37 {
        assert_eq!(assess(&rules, &facts(100_000, o)).action(), None);
        o.add(100_000);
    }
    let a = assess(&rules, &facts(100_000, o));
    assert_eq!(a.action(), Some(Action::Review));
    assert_eq!(a.fired.len(), 1);
    assert_eq!(
        a.fired[0].explanation,
        "sum today 38,000.00 USD > limit 37,000.00 USD"
    );
    assert_eq!(a.evaluated.len(), RuleName::ALL.len());
}

#[test]
fn windows_start_afresh_in_a_new_hour_and_day() {
    let now = 10 * DAY_US + 5 * HOUR_US + 7;
    let mut o = Outflow::default().at(now);
    o.add(500);
    assert_eq!(o.at(now + HOUR_US).hour.count, 0);
    assert_eq!(o.at(now + HOUR_US).day.count, 1);
    assert_eq!(o.at(now + DAY_US).day.count, 0);
    // Another node's clock a little ahead: its window counts as the current one.
    let ahead = Outflow::default().at(now + HOUR_US);
    assert_eq!(ahead.at(now).hour.start_us, ahead.hour.start_us);
}

#[test]
fn the_strongest_action_wins_and_disabled_rules_are_not_evaluated() {
    let mut rules = with(RuleName::PayoutAmount, Action::Block, major(10));
    rules.set(
        RuleName::HourlyCount,
        RuleConfig {
            enabled: true,
            action: Action::Alert,
            limit: Limit::Count(0),
        },
    );
    let a = assess(&rules, &facts(5_000, Outflow::default()));
    assert_eq!(a.action(), Some(Action::Block));
    rules.set(
        RuleName::PayoutAmount,
        RuleConfig {
            enabled: false,
            action: Action::Block,
            limit: major(10),
        },
    );
    let a = assess(&rules, &facts(5_000, Outflow::default()));
    assert_eq!(a.action(), Some(Action::Alert));
    assert!(!a.evaluated.contains(&RuleName::PayoutAmount));
}

#[test]
fn bank_details_changed_fires_only_within_a_day_of_the_change() {
    let rules = with(RuleName::BankDetailsChanged, Action::Review, major(0));
    let mut f = facts(100, Outflow::default());
    f.bank_changed_us = Some(f.now_us - 3 * HOUR_US);
    assert_eq!(assess(&rules, &f).action(), Some(Action::Review));
    f.bank_changed_us = Some(f.now_us - DAY_US - 1);
    assert_eq!(assess(&rules, &f).action(), None);
}

#[test]
fn amount_vs_history_waits_for_enough_history_then_compares_with_its_p95() {
    let rules = with(RuleName::AmountVsHistory, Action::Review, Limit::Count(5));
    let mut f = facts(600_000, Outflow::default());
    f.history = Some(History {
        p95: 100_000,
        samples: HISTORY_MIN_SAMPLES - 1,
    });
    assert_eq!(assess(&rules, &f).action(), None, "too little history");
    f.history = Some(History {
        p95: 100_000,
        samples: HISTORY_MIN_SAMPLES,
    });
    let a = assess(&rules, &f);
    assert_eq!(a.action(), Some(Action::Review));
    assert_eq!(
        a.fired[0].explanation,
        "amount 6,000.00 USD > limit 5,000.00 USD (5 × the 30-day p95 of 1,000.00 USD over 50 \
         payouts)"
    );
    f.amount = 500_000;
    assert_eq!(assess(&rules, &f).action(), None, "at the limit");
}

#[test]
fn new_destinations_shared_accounts_and_new_addresses_fire_on_their_facts() {
    let mut rules = with(RuleName::NewDestination, Action::Review, major(100));
    rules.set(
        RuleName::SharedBankAccount,
        RuleConfig {
            enabled: true,
            action: Action::Block,
            limit: Limit::Count(2),
        },
    );
    rules.set(
        RuleName::NewAddress,
        RuleConfig {
            enabled: true,
            action: Action::Alert,
            limit: major(100),
        },
    );
    let mut f = facts(10_001, Outflow::default());
    f.destination.first_seen_us = f.now_us - DAY_US;
    assert_eq!(assess(&rules, &f).action(), None);
    f.destination.first_seen_us = f.now_us - 90 * 60_000_000;
    let a = assess(&rules, &f);
    assert_eq!(a.action(), Some(Action::Review));
    assert!(a.fired[0]
        .explanation
        .starts_with("bank account first seen 90 min ago"));
    f.destination.first_seen_us = 0;
    f.new_address = Some(true);
    assert_eq!(assess(&rules, &f).action(), Some(Action::Alert));
    f.amount = 10_000;
    assert_eq!(assess(&rules, &f).action(), None, "at the limit");
    f.destination.sharing = 3;
    let a = assess(&rules, &f);
    assert_eq!(a.action(), Some(Action::Block));
    assert_eq!(
        a.fired[0].explanation,
        "recipients sharing the bank account 3 > limit 2"
    );
}

#[test]
fn a_new_keys_burst_fires_above_its_count_and_only_while_the_key_is_new() {
    let rules = with(RuleName::NewKeyBurst, Action::Review, Limit::Count(3));
    let mut f = facts(100, Outflow::default());
    f.key_burst = Some(2);
    assert_eq!(assess(&rules, &f).action(), None, "the third payout");
    f.key_burst = Some(3);
    let a = assess(&rules, &f);
    assert_eq!(a.action(), Some(Action::Review));
    assert_eq!(
        a.fired[0].explanation,
        "payouts by this API key in the hour after its creation 4 > limit 3"
    );
    f.key_burst = None;
    assert_eq!(assess(&rules, &f).action(), None, "an older key");
}

#[test]
fn room_is_checked_against_every_window_limit() {
    let rules = with(RuleName::HourlyCount, Action::Alert, Limit::Count(3));
    let o = Outflow::default();
    assert!(o.has_room(&rules, Currency::Usd, 3, 10));
    assert!(!o.has_room(&rules, Currency::Usd, 4, 10));
}

#[test]
fn amounts_are_grouped_in_thousands() {
    assert_eq!(format_amount(1_240_000, Currency::Usd), "12,400.00 USD");
    assert_eq!(format_amount(5, Currency::Eur), "0.05 EUR");
    assert_eq!(
        format_amount(100_000_000, Currency::Gbp),
        "1,000,000.00 GBP"
    );
}
