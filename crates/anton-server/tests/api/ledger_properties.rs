//! Random operation sequences keep the ledger invariants (STYLE.md §6), black-box over HTTPS on
//! both backends. A seeded generator makes every run the same sequence, so a failure reproduces.
//!
//! After every step, and at the end:
//! - the ledger balances (every account equals its postings; accounts sum to zero per currency;
//!   `available` ≥ 0);
//! - `available + in_flight + paid_out` equals everything funded;
//! - `in_flight` equals the sum of pending and processing payouts, `paid_out` that of paid ones.

use reqwest::StatusCode;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};

/// xorshift64*: a tiny deterministic generator (the sequence, not its quality, is what matters).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

async fn balance_of(app: &TestApp, account: &str) -> i64 {
    let b: Value = app.balance(&app.key).await;
    b[account]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["currency"] == "USD")
        .map(|e| e["amount"].as_i64().unwrap())
        .sum()
}

async fn check(app: &TestApp, funded: i64, step: usize) {
    app.assert_ledger_balanced(&app.tenant()).await;
    let payouts = app.list_all(&app.key, "/v1/payouts", 100).await;
    let sum = |statuses: &[&str]| -> i64 {
        payouts
            .iter()
            .filter(|p| statuses.contains(&p["status"].as_str().unwrap()))
            .map(|p| p["amount"].as_i64().unwrap())
            .sum()
    };
    let (available, in_flight) = (
        balance_of(app, "available").await,
        balance_of(app, "in_flight").await,
    );
    let paid_out = funded - available - in_flight;
    assert!(available >= 0, "step {step}: available {available}");
    assert_eq!(
        in_flight,
        sum(&["pending", "processing"]),
        "step {step}: in_flight"
    );
    assert_eq!(paid_out, sum(&["paid"]), "step {step}: paid_out");
}

async fn random_operations_keep_the_ledger_invariants(b: Backend) {
    let app = spawn_app(b).await;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut recipients = Vec::new();
    for last4 in ["6789", "0002", "0005", "0006"] {
        recipients.push(
            app.create_recipient(&app.key, last4).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let mut payouts: Vec<String> = Vec::new();
    let mut funded = 0i64;
    const STEPS: usize = 120;
    for step in 0..STEPS {
        match rng.below(10) {
            0 => {
                let amount = 1 + rng.below(5_000) as i64;
                app.fund(&app.key, amount, "USD").await;
                funded += amount;
            }
            1..=4 => {
                let r = &recipients[rng.below(recipients.len() as u64) as usize];
                let amount = 1 + rng.below(3_000) as i64;
                let resp = app.create_payout(&app.key, r, amount).await;
                match resp.status() {
                    StatusCode::OK => payouts.push(
                        resp.json::<Value>().await.unwrap()["id"]
                            .as_str()
                            .unwrap()
                            .to_owned(),
                    ),
                    StatusCode::CONFLICT => {
                        let e: Value = resp.json().await.unwrap();
                        assert_eq!(e["error"]["code"], "insufficient_funds", "{e}");
                    }
                    other => panic!("step {step}: create answered {other}"),
                }
            }
            5 if !payouts.is_empty() => {
                let p = &payouts[rng.below(payouts.len() as u64) as usize];
                let r = app
                    .post(&format!("/v1/payouts/{p}/cancel"), &app.key)
                    .send()
                    .await
                    .unwrap();
                assert!(
                    matches!(r.status(), StatusCode::OK | StatusCode::CONFLICT),
                    "step {step}"
                );
            }
            6 if !payouts.is_empty() => {
                let p = &payouts[rng.below(payouts.len() as u64) as usize];
                let action = ["pay", "fail", "return"][rng.below(3) as usize];
                let r = app
                    .post(&format!("/v1/test_helpers/payouts/{p}/{action}"), &app.key)
                    .send()
                    .await
                    .unwrap();
                assert!(
                    matches!(r.status(), StatusCode::OK | StatusCode::CONFLICT),
                    "step {step}"
                );
            }
            _ => {
                app.run_rail().await;
            }
        }
        if step % 20 == 19 {
            check(&app, funded, step).await;
        }
    }
    app.run_rail().await;
    check(&app, funded, STEPS).await;
    // Something of each kind happened, so the check above covered every posting kind.
    let txns: Value = app
        .get("/v1/balance_transactions?limit=100", &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds: std::collections::HashSet<_> = txns["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["type"].as_str().unwrap().to_owned())
        .collect();
    for kind in ["funding", "payout", "payout_paid", "payout_release"] {
        assert!(
            kinds.contains(kind),
            "no {kind} among the last 100 postings: {kinds:?}"
        );
    }
}

both_backends!(random_operations_keep_the_ledger_invariants);
