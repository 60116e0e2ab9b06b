//! Risk rules for unusual payout activity (docs/risk.md), through the HTTPS API and the SDK:
//! the rules and their scopes, every rule with every action, exact counting when payouts race
//! (also across two nodes), the review path end to end, and the expiry of unreviewed payouts.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anton_core::keys::Environment;
use anton_sdk::types::{
    NewPayout, NewRecipient, Payout, PayoutStatus, RecipientUpdate, RiskRuleUpdate,
};
use anton_sdk::{Client, Error as SdkError};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_of, spawn_app, Backend, TestApp};
use crate::sdk::{ach, sdk};
use crate::webhooks::{app_for, create_endpoint, receiver, wait_for, TestLookup, FAST};

/// Every rule, in the catalogue's order.
const ALL_RULES: [&str; 11] = [
    "payout_amount",
    "daily_sum",
    "daily_count",
    "hourly_sum",
    "hourly_count",
    "bank_details_changed",
    "amount_vs_history",
    "new_destination",
    "shared_bank_account",
    "new_address",
    "new_key_burst",
];

/// Whether `rule` limits a count (or a multiple), not amounts per currency.
pub fn limits_a_count(rule: &str) -> bool {
    !anton_core::risk::RuleName::parse(rule)
        .expect("a rule of the catalogue")
        .limits_amounts()
}

/// A restricted test key of the app's merchant with `scopes`.
pub async fn key_with(app: &TestApp, scopes: &[&str]) -> String {
    app.create_key(&app.merchant, Environment::Test, Some(scopes))
        .await
}

/// Sets `rule` of the merchant `admin` (a key with `risk_rules:write`) acts for.
pub async fn set_rule(admin: &Client, rule: &str, action: &str, limit: i64) {
    let mut update = RiskRuleUpdate {
        action: Some(action.into()),
        enabled: Some(true),
        ..Default::default()
    };
    if limits_a_count(rule) {
        update.limit = Some(limit);
    } else {
        update.limits = Some(BTreeMap::from([("USD".to_owned(), limit)]));
    }
    let r = admin.risk_rules().update(rule, &update).await.unwrap();
    assert_eq!(r.action, action);
}

pub fn api_code(e: &SdkError) -> (u16, String, String) {
    match e {
        SdkError::Api(a) => (
            a.status,
            a.code.clone().unwrap_or_default(),
            a.message.clone(),
        ),
        other => panic!("expected an API error, got {other}"),
    }
}

pub async fn available_usd(client: &Client) -> i64 {
    let b = client.balance().get().await.unwrap();
    b.available
        .iter()
        .find(|a| a.currency == "USD")
        .map_or(0, |a| a.amount)
}

async fn risk_rules_are_read_and_changed_only_with_their_scopes(backend: Backend) {
    let app = spawn_app(backend).await;
    // A secret key reads the rules (the test defaults) but cannot change them.
    let r = app.get("/v1/risk_rules", &app.key).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let list: Value = r.json().await.unwrap();
    let names: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(names, ALL_RULES);
    assert_eq!(list["data"][1]["action"], "alert");
    assert_eq!(list["data"][1]["limits"]["USD"], 10_000_000_000_i64);
    assert_eq!(list["data"][2]["limit"], 10_000_000);
    let r = app
        .post("/v1/risk_rules/daily_sum", &app.key)
        .json(&json!({"action": "block"}))
        .send()
        .await
        .unwrap();
    let (status, body) = error_of(r).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // A key given `risk_rules:write` changes one; the change is audited.
    let admin = key_with(&app, &["risk_rules:write", "audit_log:read"]).await;
    let r = app
        .post("/v1/risk_rules/daily_sum", &admin)
        .json(&json!({"action": "review", "limits": {"USD": 3_700_000}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let rule: Value = r.json().await.unwrap();
    assert_eq!(rule["action"], "review");
    assert_eq!(rule["limits"]["USD"], 3_700_000);
    assert_eq!(
        rule["limits"]["EUR"], 10_000_000_000_i64,
        "other currencies stay"
    );
    let got: Value = app
        .get("/v1/risk_rules/daily_sum", &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got, rule);
    let audit: Value = app
        .get("/v1/audit_log?action=risk_rule.updated", &admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(audit["data"][0]["after"]["action"], "review");
    assert_eq!(audit["data"][0]["before"]["action"], "alert");

    // Bad changes are 4xx in the envelope and change nothing.
    for (path, body, param) in [
        ("/v1/risk_rules/daily_sum", json!({"limit": 5}), "limit"),
        (
            "/v1/risk_rules/daily_count",
            json!({"limits": {"USD": 5}}),
            "limits",
        ),
        (
            "/v1/risk_rules/daily_sum",
            json!({"limits": {"JPY": 5}}),
            "limits",
        ),
        (
            "/v1/risk_rules/daily_sum",
            json!({"limits": {"USD": -1}}),
            "limits",
        ),
        (
            "/v1/risk_rules/daily_sum",
            json!({"action": "ignore"}),
            "action",
        ),
    ] {
        let (status, e) = error_of(app.post(path, &admin).json(&body).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {e}");
        assert_eq!(e["error"]["param"], param, "{body}: {e}");
    }
    let (status, _) = error_of(
        app.post("/v1/risk_rules/no_such_rule", &admin)
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let still: Value = app
        .get("/v1/risk_rules/daily_sum", &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(still, rule);

    // Live rules are the live environment's own, and stricter by default.
    let live = app.create_key(&app.merchant, Environment::Live, None).await;
    let live_rules: Value = app
        .get("/v1/risk_rules/payout_amount", &live)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(live_rules["action"], "review");
    assert_eq!(live_rules["limits"]["USD"], 5_000_000);
    assert_eq!(live_rules["livemode"], true);
}

/// Creates payouts of `amount` until the first one `rule` handles (its limit is set so the
/// third crosses it), and returns that one's result with the two that went before.
async fn third_payout(
    app: &TestApp,
    key: &str,
    rule: &str,
    amount: i64,
) -> (Vec<Payout>, Result<Payout, SdkError>) {
    let client = sdk(app, key);
    let recipient = client
        .recipients()
        .create(&NewRecipient::new("Risk", ach("000123456789")))
        .await
        .unwrap();
    if rule == "bank_details_changed" {
        client
            .recipients()
            .update(
                &recipient.id,
                &RecipientUpdate {
                    bank_account: Some(ach("000987654321")),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    let mut before = Vec::new();
    for n in 0..3 {
        let mut p = NewPayout::new(amount, "USD", recipient.id.clone());
        // The amount rules fire on the third payout's size alone.
        let amount_rules = [
            "payout_amount",
            "bank_details_changed",
            "new_destination",
            "new_address",
        ];
        if n == 2 && amount_rules.contains(&rule) {
            p.amount = amount * 10;
        }
        // A second recipient with the same bank account: the third payout's account is shared
        // by two.
        if n == 2 && rule == "shared_bank_account" {
            client
                .recipients()
                .create(&NewRecipient::new("Risk twin", ach("000123456789")))
                .await
                .unwrap();
        }
        let r = client.payouts().create(&p).await;
        if n == 2 {
            return (before, r);
        }
        before.push(r.unwrap());
    }
    unreachable!()
}

async fn every_rule_fires_with_every_action(backend: Backend) {
    let app = spawn_app(backend).await;
    let side = crate::alerts::side_engine(&app, false);
    // `amount_vs_history` needs 50 payouts of history: its own test is in `risk_facts.rs`.
    for rule in ALL_RULES.into_iter().filter(|r| *r != "amount_vs_history") {
        for action in ["alert", "review", "block"] {
            // A merchant of its own per case: its windows start empty.
            let (merchant, key) = app.other_merchant().await;
            let admin = app
                .create_key(&merchant, Environment::Test, Some(&["risk_rules:write"]))
                .await;
            // With 1,000.00 payouts the third crosses each limit: 2,500.00 for sums, 2 for
            // counts (the merchant's key is new: its first hour counts too), 5,000.00 for one
            // payout's amount (the third is 10,000.00), 1 recipient per bank account (the
            // third's is shared by two).
            let limit = match rule {
                "daily_count" | "hourly_count" | "new_key_burst" => 2,
                "shared_bank_account" => 1,
                "daily_sum" | "hourly_sum" => 250_000,
                _ => 500_000,
            };
            set_rule(&sdk(&app, &admin), rule, action, limit).await;
            app.fund(&key, 10_000_000, "USD").await;
            let client = sdk(&app, &key);
            let (before, third) = third_payout(&app, &key, rule, 100_000).await;
            let case = format!("{rule}/{action}");
            for p in &before {
                assert_eq!(p.status, PayoutStatus::Pending, "{case}");
                let risk = p.risk.as_ref().unwrap();
                assert!(risk.fired.is_empty(), "{case}: {risk:?}");
                assert!(risk.evaluated.contains(&rule.to_owned()), "{case}");
            }
            let reserved: i64 = before.iter().map(|p| p.amount).sum();
            match action {
                "block" => {
                    let (status, code, message) = api_code(&third.unwrap_err());
                    assert_eq!((status, code.as_str()), (409, "risk_blocked"), "{case}");
                    assert!(message.contains(rule), "{case}: {message}");
                    let listed = client.payouts().list(&Default::default()).await.unwrap();
                    assert_eq!(listed.data.len(), 2, "{case}: nothing written");
                    assert_eq!(
                        available_usd(&client).await,
                        10_000_000 - reserved,
                        "{case}"
                    );
                }
                _ => {
                    let p = third.unwrap();
                    let fired = &p.risk.as_ref().unwrap().fired;
                    assert_eq!(fired.len(), 1, "{case}: {fired:?}");
                    assert_eq!(fired[0].rule, rule, "{case}");
                    assert_eq!(fired[0].action, action, "{case}");
                    assert!(fired[0].value > fired[0].limit, "{case}");
                    assert!(fired[0].explanation.contains(" > limit "), "{case}");
                    let again = client.payouts().get(&p.id).await.unwrap();
                    assert_eq!(again.risk, p.risk, "{case}: stored as answered");
                    assert_eq!(
                        available_usd(&client).await,
                        10_000_000 - reserved - p.amount,
                        "{case}: reserved either way"
                    );
                    if action == "review" {
                        assert_eq!(p.status, PayoutStatus::RequiresReview, "{case}");
                        let review = p.review.as_ref().unwrap();
                        assert_eq!(review.status, "pending", "{case}");
                        assert_eq!(review.rules, [rule], "{case}");
                        let events = client.events().list(&Default::default()).await.unwrap();
                        assert_eq!(events.data[0].kind, "payout.review_required", "{case}");
                    } else {
                        assert_eq!(p.status, PayoutStatus::Pending, "{case}");
                        assert!(p.review.is_none(), "{case}");
                        side.evaluate_alerts(anton_store::now_us()).await.unwrap();
                        let alerts = client.alerts().list(&Default::default()).await.unwrap();
                        let a = alerts
                            .data
                            .iter()
                            .find(|a| a.rule == "unusual_payout_activity")
                            .unwrap_or_else(|| panic!("{case}: no alert"));
                        assert_eq!(a.subject, rule, "{case}");
                        assert_eq!(a.details["payout"], p.id.as_str(), "{case}");
                    }
                }
            }
            let tenant = anton_store::Tenant::new(merchant, Environment::Test);
            app.assert_ledger_balanced(&tenant).await;
        }
    }
}

/// 100 payouts of 10.00 race against a daily sum limit of 370.00, and against a new key's
/// limit of 37 payouts in its first hour (each with `action`), half through a second node:
/// exactly 37 proceed.
async fn racing_payouts_are_counted_exactly(backend: Backend) {
    let app = spawn_app(backend).await;
    let node = app.second_node().await;
    let cases = [("daily_sum", 37_000), ("new_key_burst", 37)];
    for ((rule, limit), action) in cases
        .into_iter()
        .flat_map(|c| ["review", "block"].map(|a| (c, a)))
    {
        let action: &str = action;
        let (merchant, key) = app.other_merchant().await;
        let admin = app
            .create_key(&merchant, Environment::Test, Some(&["risk_rules:write"]))
            .await;
        set_rule(&sdk(&app, &admin), rule, action, limit).await;
        app.fund(&key, 1_000_000, "USD").await;
        let recipient = app.create_recipient(&key, "6789").await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut tasks = Vec::new();
        for i in 0..100 {
            let base = if i % 2 == 0 {
                app.base.clone()
            } else {
                node.base.clone()
            };
            let (client, key, recipient) = (app.client.clone(), key.clone(), recipient.clone());
            tasks.push(tokio::spawn(async move {
                let r = client
                    .post(format!("{base}/v1/payouts"))
                    .bearer_auth(&key)
                    .json(&json!({"amount": 1000, "currency": "USD", "recipient": recipient}))
                    .send()
                    .await
                    .unwrap();
                let status = r.status();
                let body: Value = r.json().await.unwrap();
                (status, body)
            }));
        }
        let mut pending = 0;
        let mut handled = 0;
        for t in tasks {
            let (status, body) = t.await.unwrap();
            match (status, body["status"].as_str(), action) {
                (StatusCode::OK, Some("pending"), _) => pending += 1,
                (StatusCode::OK, Some("requires_review"), "review") => handled += 1,
                (StatusCode::CONFLICT, _, "block") if body["error"]["code"] == "risk_blocked" => {
                    handled += 1
                }
                other => panic!("{rule}/{action}: unexpected {other:?}: {body}"),
            }
        }
        assert_eq!((pending, handled), (37, 63), "{rule}/{action}");
        let client = sdk(&app, &key);
        let reserved = if action == "review" { 100_000 } else { 37_000 };
        assert_eq!(
            available_usd(&client).await,
            1_000_000 - reserved,
            "{action}"
        );
        app.assert_ledger_balanced(&anton_store::Tenant::new(merchant, Environment::Test))
            .await;
    }
}

/// Polls `client` until payout `id` is in `status`.
async fn until_status(client: &Client, id: &str, status: PayoutStatus) -> Payout {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let p = client.payouts().get(id).await.unwrap();
        if p.status == status {
            return p;
        }
        assert!(Instant::now() < deadline, "{id} stayed {:?}", p.status);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn a_held_payout_is_reviewed_end_to_end(backend: Backend) {
    let r = receiver().await;
    let app = app_for(backend, &r, &[], Arc::new(TestLookup::default()), &FAST).await;
    let endpoint = create_endpoint(
        &app,
        &r.url,
        json!([
            "payout.review_required",
            "payout.created",
            "payout.paid",
            "payout.canceled"
        ]),
    )
    .await;
    let secret = endpoint["secret"].as_str().unwrap().to_owned();
    let admin = sdk(&app, &key_with(&app, &["risk_rules:write"]).await);
    set_rule(&admin, "payout_amount", "review", 50_000).await;
    app.fund(&app.key, 1_000_000, "USD").await;
    let creator = sdk(&app, &app.key);
    let recipient = app.create_recipient(&app.key, "6789").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let held = creator
        .payouts()
        .create(&NewPayout::new(60_000, "USD", recipient.clone()))
        .await
        .unwrap();
    assert_eq!(held.status, PayoutStatus::RequiresReview);
    assert_eq!(
        held.risk.as_ref().unwrap().fired[0].explanation,
        "amount 600.00 USD > limit 500.00 USD"
    );

    // `payout.review_required` arrives, signed; the SDK's verifier accepts it.
    let verifier = anton_sdk::Webhook::new(&secret).unwrap();
    let review_required = |g: &crate::webhooks::Got| {
        serde_json::from_slice::<Value>(&g.body).unwrap()["type"] == "payout.review_required"
    };
    wait_for("payout.review_required", || {
        r.shared.got.lock().unwrap().iter().any(review_required)
    })
    .await;
    let got = r
        .shared
        .got
        .lock()
        .unwrap()
        .iter()
        .find(|g| review_required(g))
        .cloned()
        .unwrap();
    let signature = got.headers["anton-signature"].to_str().unwrap().to_owned();
    let event = verifier.verify(&got.body, &signature).unwrap();
    assert_eq!(event.data.object["id"], held.id.as_str());
    // The rail does not touch a held payout.
    app.run_rail().await;
    assert_eq!(
        creator.payouts().get(&held.id).await.unwrap().status,
        PayoutStatus::RequiresReview
    );

    // The creating key cannot approve it: without the scope, 403; even with it, four-eyes.
    let (status, code, _) = api_code(&creator.reviews().approve(&held.id, None).await.unwrap_err());
    assert_eq!((status, code.as_str()), (403, "missing_scope"));
    let both = key_with(
        &app,
        &["payouts:write", "payouts:approve", "recipients:read"],
    )
    .await;
    let both_client = sdk(&app, &both);
    let own = both_client
        .payouts()
        .create(&NewPayout::new(70_000, "USD", recipient.clone()))
        .await
        .unwrap();
    let (status, code, _) = api_code(
        &both_client
            .reviews()
            .approve(&own.id, None)
            .await
            .unwrap_err(),
    );
    assert_eq!((status, code.as_str()), (403, "approver_is_creator"));

    // A second key with `payouts:approve` approves it; the rail pays it.
    let reviewer_key = key_with(&app, &["payouts:approve", "audit_log:read"]).await;
    let reviewer = sdk(&app, &reviewer_key);
    let approved = reviewer
        .reviews()
        .approve(&held.id, Some("Checked with the recipient."))
        .await
        .unwrap();
    assert_eq!(approved.status, PayoutStatus::Pending);
    let review = approved.review.as_ref().unwrap();
    assert_eq!(review.status, "approved");
    assert_eq!(
        review.reason.as_deref(),
        Some("Checked with the recipient.")
    );
    assert!(review
        .decided_by
        .as_deref()
        .is_some_and(|k| k.starts_with("key_")));
    // Approving again answers it as it is; rejecting it now is refused.
    let again = reviewer.reviews().approve(&held.id, None).await.unwrap();
    assert_eq!(again.review, approved.review);
    let (status, code, _) = api_code(&reviewer.reviews().reject(&held.id, None).await.unwrap_err());
    assert_eq!((status, code.as_str()), (409, "payout_not_in_review"));
    until_status(&creator, &held.id, PayoutStatus::Paid).await;
    let paid = |g: &crate::webhooks::Got| {
        let v = serde_json::from_slice::<Value>(&g.body).unwrap();
        v["type"] == "payout.paid" && v["data"]["object"]["id"] == held.id.as_str()
    };
    wait_for("payout.paid", || {
        r.shared.got.lock().unwrap().iter().any(paid)
    })
    .await;

    // The other held payout is rejected: its amount is available again.
    let before = available_usd(&creator).await;
    let rejected = reviewer
        .reviews()
        .reject(&own.id, Some("Not ours."))
        .await
        .unwrap();
    assert_eq!(rejected.status, PayoutStatus::Canceled);
    assert_eq!(rejected.review.as_ref().unwrap().status, "rejected");
    assert_eq!(available_usd(&creator).await, before + 70_000);
    app.assert_ledger_balanced(&app.tenant()).await;

    let audit: Value = app
        .get("/v1/audit_log", &reviewer_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = audit["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"payout.approved") && actions.contains(&"payout.rejected"));
}

async fn unreviewed_payouts_expire(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = sdk(&app, &key_with(&app, &["risk_rules:write"]).await);
    set_rule(&admin, "payout_amount", "review", 0).await;
    app.fund(&app.key, 100_000, "USD").await;
    let client = sdk(&app, &app.key);
    let recipient = app.create_recipient(&app.key, "6789").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let held = client
        .payouts()
        .create(&NewPayout::new(40_000, "USD", recipient))
        .await
        .unwrap();
    assert_eq!(held.status, PayoutStatus::RequiresReview);
    let side = crate::alerts::side_engine(&app, false);
    let hour = 3_600 * 1_000_000;
    // Not yet at 71 hours; expired at 73 (the default is 72).
    assert_eq!(
        side.expire_reviews(anton_store::now_us() + 71 * hour)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        side.expire_reviews(anton_store::now_us() + 73 * hour)
            .await
            .unwrap(),
        1
    );
    let p = client.payouts().get(&held.id).await.unwrap();
    assert_eq!(p.status, PayoutStatus::Canceled);
    let review = p.review.unwrap();
    assert_eq!(
        (review.status.as_str(), review.reason.as_deref()),
        ("expired", Some("expired"))
    );
    assert_eq!(available_usd(&client).await, 100_000);
    app.assert_ledger_balanced(&app.tenant()).await;
}

crate::both_backends!(
    risk_rules_are_read_and_changed_only_with_their_scopes,
    every_rule_fires_with_every_action,
    racing_payouts_are_counted_exactly,
    a_held_payout_is_reviewed_end_to_end,
    unreviewed_payouts_expire,
);

/// Runs the `anton` CLI with `key` against the app.
fn cli(app: &TestApp, key: &str, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_anton"))
        .args(args)
        .env("ANTON_API_KEY", key)
        .env("ANTON_BASE_URL", &app.base)
        .env("ANTON_CA_FILE", app.ca_path())
        .env("ANTON_CONFIG_DIR", app.data_dir.path().join("cli"))
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn the_cli_tunes_rules_and_decides_reviews(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = key_with(&app, &["risk_rules:write"]).await;
    let reviewer = key_with(&app, &["payouts:approve"]).await;
    // A secret key cannot change a rule; the admin key can.
    let (ok, _, err) = cli(
        &app,
        &app.key,
        &["risk", "set", "hourly_sum", "--action", "block"],
    );
    assert!(!ok && err.contains("missing_scope"), "{err}");
    let (ok, out, err) = cli(
        &app,
        &admin,
        &[
            "risk",
            "set",
            "hourly_sum",
            "--action",
            "review",
            "--limits",
            "USD=50000",
            "--json",
        ],
    );
    assert!(ok, "{err}");
    let rule: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        (rule["action"].as_str(), rule["limits"]["USD"].as_i64()),
        (Some("review"), Some(50_000))
    );
    let (ok, out, _) = cli(&app, &app.key, &["risk", "rules"]);
    assert!(ok && out.lines().count() == ALL_RULES.len(), "{out}");

    app.fund(&app.key, 100_000, "USD").await;
    let recipient = app.create_recipient(&app.key, "6789").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let held = sdk(&app, &app.key)
        .payouts()
        .create(&NewPayout::new(60_000, "USD", recipient))
        .await
        .unwrap();
    let (ok, out, err) = cli(&app, &app.key, &["risk", "held", "--json"]);
    assert!(ok, "{err}");
    let listed: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(listed["id"], held.id.as_str());
    let (ok, out, err) = cli(
        &app,
        &reviewer,
        &[
            "risk", "approve", &held.id, "--reason", "expected", "--json",
        ],
    );
    assert!(ok, "{err}");
    let approved: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(approved["status"], "pending");
    assert_eq!(approved["review"]["reason"], "expected");
}

crate::both_backends!(the_cli_tunes_rules_and_decides_reviews);
