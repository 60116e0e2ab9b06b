//! The risk rules that read facts beyond the outflow windows (docs/risk.md), through the HTTPS
//! API and the SDK: `amount_vs_history` against the history the workers refresh (with every
//! action), and `new_destination` / `new_address` going quiet once the bank account and the
//! key's address are more than 24 hours old, and `new_key_burst` watching a key only in its
//! first hour. (`new_destination`, `shared_bank_account`, `new_address` and `new_key_burst`
//! with every action are in `risk.rs`'s matrix.)

use std::time::{Duration, Instant};

use anton_core::keys::Environment;
use anton_sdk::types::{NewPayout, NewRecipient, PayoutStatus};

use crate::helpers::{spawn_app, Backend};
use crate::risk::{api_code, available_usd, key_with, set_rule};
use crate::sdk::{ach, sdk};

/// A payout of `amount` USD cents to `recipient`.
async fn pay_usd(
    client: &anton_sdk::Client,
    recipient: &str,
    amount: i64,
) -> Result<anton_sdk::types::Payout, anton_sdk::Error> {
    client
        .payouts()
        .create(&NewPayout::new(amount, "USD", recipient.to_owned()))
        .await
}

async fn amount_vs_history_judges_against_the_refreshed_history(backend: Backend) {
    let app = spawn_app(backend).await;
    let side = crate::alerts::side_engine(&app, false);
    for action in ["alert", "review", "block"] {
        let (merchant, key) = app.other_merchant().await;
        let admin = app
            .create_key(&merchant, Environment::Test, Some(&["risk_rules:write"]))
            .await;
        set_rule(&sdk(&app, &admin), "amount_vs_history", action, 5).await;
        app.fund(&key, 100_000_000, "USD").await;
        let client = sdk(&app, &key);
        let recipient = client
            .recipients()
            .create(&NewRecipient::new("History", ach("000123456789")))
            .await
            .unwrap();
        let pay = |amount| pay_usd(&client, &recipient.id, amount);
        for _ in 0..49 {
            pay(100_000).await.unwrap();
        }
        // 49 payouts of history: too few to judge by, so 6,000.00 passes unremarked.
        side.refresh_risk_history(anton_store::now_us())
            .await
            .unwrap();
        let case = format!("amount_vs_history/{action}");
        let early = pay(600_000).await.unwrap();
        let risk = early.risk.as_ref().unwrap();
        assert!(risk.fired.is_empty(), "{case}: {risk:?}");
        assert!(risk.evaluated.contains(&"amount_vs_history".to_owned()));
        // 50 payouts, p95 1,000.00: the limit is 5,000.00.
        side.refresh_risk_history(anton_store::now_us())
            .await
            .unwrap();
        let at_limit = pay(500_000).await.unwrap();
        assert!(at_limit.risk.unwrap().fired.is_empty(), "{case}");
        let before = available_usd(&client).await;
        match pay(600_000).await {
            Err(e) => {
                assert_eq!(action, "block", "{case}: {e}");
                let (status, code, message) = api_code(&e);
                assert_eq!((status, code.as_str()), (409, "risk_blocked"), "{case}");
                assert!(message.contains("amount_vs_history"), "{case}: {message}");
                assert_eq!(available_usd(&client).await, before, "{case}");
            }
            Ok(p) => {
                let fired = &p.risk.as_ref().unwrap().fired;
                assert_eq!(fired.len(), 1, "{case}: {fired:?}");
                assert_eq!(
                    (fired[0].rule.as_str(), fired[0].action.as_str()),
                    ("amount_vs_history", action)
                );
                assert_eq!((fired[0].value, fired[0].limit), (600_000, 500_000));
                assert_eq!(fired[0].currency.as_deref(), Some("USD"));
                assert_eq!(
                    fired[0].explanation,
                    "amount 6,000.00 USD > limit 5,000.00 USD (5 × the 30-day p95 of 1,000.00 \
                     USD over 50 payouts)"
                );
                let status = if action == "review" {
                    PayoutStatus::RequiresReview
                } else {
                    PayoutStatus::Pending
                };
                assert_eq!(p.status, status, "{case}");
                assert_eq!(available_usd(&client).await, before - 600_000, "{case}");
            }
        }
        let tenant = anton_store::Tenant::new(merchant, Environment::Test);
        app.assert_ledger_balanced(&tenant).await;
    }
}

async fn destinations_and_addresses_older_than_a_day_are_known(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = sdk(&app, &key_with(&app, &["risk_rules:write"]).await);
    set_rule(&admin, "new_destination", "review", 0).await;
    set_rule(&admin, "new_address", "review", 0).await;
    app.fund(&app.key, 1_000_000, "USD").await;
    let client = sdk(&app, &app.key);
    let recipient = client
        .recipients()
        .create(&NewRecipient::new("Known", ach("000123456789")))
        .await
        .unwrap();
    let pay = || pay_usd(&client, &recipient.id, 1_000);

    // A bank account first seen now, from an address the key has not been used from before.
    let held = pay().await.unwrap();
    assert_eq!(held.status, PayoutStatus::RequiresReview);
    let mut rules = held.review.unwrap().rules;
    rules.sort();
    assert_eq!(rules, ["new_address", "new_destination"]);

    // A day later (as if): the account and the key's address are known.
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.count("api_key_addresses").await == 0 {
        assert!(
            Instant::now() < deadline,
            "the request log never recorded the address"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.exec("UPDATE api_key_addresses SET first_us = first_us - 90000000000")
        .await;
    app.exec("UPDATE recipients SET bank_changed_us = bank_changed_us - 90000000000, created_us = created_us - 90000000000")
        .await;
    let p = pay().await.unwrap();
    assert_eq!(p.status, PayoutStatus::Pending);
    let risk = p.risk.unwrap();
    assert!(risk.fired.is_empty(), "{risk:?}");
    assert!(risk.evaluated.contains(&"new_destination".to_owned()));

    // A new recipient on the known account is not a new destination; a new account is.
    let pay_new = |name: &'static str, account: &'static str| {
        let client = client.clone();
        async move {
            let r = client
                .recipients()
                .create(&NewRecipient::new(name, ach(account)))
                .await
                .unwrap();
            pay_usd(&client, &r.id, 1_000).await.unwrap()
        }
    };
    let p = pay_new("Twin", "000123456789").await;
    assert_eq!(p.status, PayoutStatus::Pending, "{:?}", p.risk);
    let p = pay_new("Fresh", "000555555555").await;
    assert_eq!(p.status, PayoutStatus::RequiresReview);
    assert_eq!(p.review.unwrap().rules, ["new_destination"]);
    app.assert_ledger_balanced(&app.tenant()).await;
}

/// A key's first hour: released payouts count (held ones do not) and the rule fires above its
/// limit; past that hour the key is not watched.
async fn a_key_is_watched_only_in_its_first_hour(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = sdk(&app, &key_with(&app, &["risk_rules:write"]).await);
    set_rule(&admin, "new_key_burst", "review", 2).await;
    let key = key_with(&app, &["payouts:write", "payouts:read", "recipients:write"]).await;
    app.fund(&app.key, 1_000_000, "USD").await;
    let client = sdk(&app, &key);
    let recipient = client
        .recipients()
        .create(&NewRecipient::new("Burst", ach("000123456789")))
        .await
        .unwrap();
    let pay = || async { pay_usd(&client, &recipient.id, 1_000).await.unwrap() };
    for _ in 0..2 {
        assert_eq!(pay().await.status, PayoutStatus::Pending);
    }
    for _ in 0..2 {
        // Held payouts are not released, so they do not count: the next is held too.
        let held = pay().await;
        assert_eq!(held.status, PayoutStatus::RequiresReview);
        let fired = &held.risk.as_ref().unwrap().fired;
        assert_eq!(fired.len(), 1, "{fired:?}");
        assert_eq!((fired[0].value, fired[0].limit), (3, 2));
        assert_eq!(
            fired[0].explanation,
            "payouts by this API key in the hour after its creation 3 > limit 2"
        );
    }
    // Another key of the merchant has a first hour of its own.
    let other = sdk(&app, &key_with(&app, &["payouts:write"]).await);
    let p = other
        .payouts()
        .create(&NewPayout::new(1_000, "USD", recipient.id.clone()))
        .await
        .unwrap();
    assert_eq!(p.status, PayoutStatus::Pending);

    // An hour later (as if): the key is no longer new.
    app.exec("UPDATE risk_key_bursts SET ends_us = ends_us - 3600000000")
        .await;
    let p = pay().await;
    assert_eq!(p.status, PayoutStatus::Pending);
    let risk = p.risk.unwrap();
    assert!(risk.fired.is_empty(), "{risk:?}");
    assert!(risk.evaluated.contains(&"new_key_burst".to_owned()));
    app.assert_ledger_balanced(&app.tenant()).await;
}

crate::both_backends!(
    amount_vs_history_judges_against_the_refreshed_history,
    destinations_and_addresses_older_than_a_day_are_known,
    a_key_is_watched_only_in_its_first_hour,
);
