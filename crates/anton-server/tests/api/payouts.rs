//! Payouts and the ledger: no overdraw under concurrency, the simulator's outcome table, cancel,
//! test helpers, lists (docs/reference.md §3).

use reqwest::StatusCode;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::{error_of, spawn_app, Backend};

async fn concurrent_payouts_never_overdraw_the_balance(b: Backend) {
    let app = spawn_app(b).await;
    app.fund(&app.key, 37 * 1_000, "USD").await;
    let rcp = app.create_recipient(&app.key, "6789").await;
    let rcp = rcp["id"].as_str().unwrap().to_owned();
    let tasks: Vec<_> = (0..100)
        .map(|_| app.spawn_payout(&app.key, &rcp, 1_000))
        .collect();
    let mut created = 0;
    let mut refused = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::OK => created += 1,
            StatusCode::CONFLICT => {
                assert_eq!(body["error"]["code"], "insufficient_funds", "{body}");
                refused += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((created, refused), (37, 63));
    let balance: Value = app.balance(&app.key).await;
    assert_eq!(balance["available"][0]["amount"], 0);
    assert_eq!(balance["in_flight"][0]["amount"], 37_000);
    assert_eq!(app.count("payouts").await, 37);
    app.assert_ledger_balanced(&app.tenant()).await;

    // The rail settles each exactly once; the money ends in paid_out.
    app.run_rail().await;
    let paid: Value = app
        .get("/v1/payouts?status=paid&limit=100", &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(paid["data"].as_array().unwrap().len(), 37);
    let balance: Value = app.balance(&app.key).await;
    assert_eq!(balance["in_flight"][0]["amount"], 0);
    assert_eq!(app.count("balance_transactions").await, 1 + 37 * 2);
    app.assert_ledger_balanced(&app.tenant()).await;
}

async fn the_simulator_follows_the_outcome_table(b: Backend) {
    let app = spawn_app(b).await;
    app.fund(&app.key, 100_000, "USD").await;
    let cases = [
        ("6789", "paid", None),
        ("0002", "failed", Some("account_closed")),
        ("0003", "failed", Some("no_account")),
        ("0004", "failed", Some("invalid_account_number")),
        ("0005", "returned", Some("account_frozen")),
        ("0006", "processing", None),
    ];
    let mut ids = Vec::new();
    for (last4, _, _) in cases {
        let rcp = app.create_recipient(&app.key, last4).await;
        let p: Value = app
            .create_payout(&app.key, rcp["id"].as_str().unwrap(), 1_000)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(p["status"], "pending");
        ids.push(p["id"].as_str().unwrap().to_owned());
    }
    app.run_rail().await;
    for ((last4, status, code), id) in cases.iter().zip(&ids) {
        let p = app.payout(&app.key, id).await;
        assert_eq!(p["status"], *status, "last4 {last4}: {p}");
        assert_eq!(p["failure_code"].as_str(), *code, "last4 {last4}");
    }
    // Every transition wrote its event; the returned one went through all four.
    let ev: Value = app
        .get(&format!("/v1/events?object={}", ids[4]), &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let types: Vec<_> = ev["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        types,
        [
            "payout.returned",
            "payout.paid",
            "payout.processing",
            "payout.created"
        ]
    );
    // failed and returned payouts gave their money back: 100k - paid(1k) - processing(1k)
    let balance: Value = app.balance(&app.key).await;
    assert_eq!(balance["available"][0]["amount"], 98_000);
    assert_eq!(balance["in_flight"][0]["amount"], 1_000);
    app.assert_ledger_balanced(&app.tenant()).await;

    // The one stuck in processing moves only by test helper.
    let r = app
        .post(
            &format!("/v1/test_helpers/payouts/{}/fail", ids[5]),
            &app.key,
        )
        .json(&serde_json::json!({"failure_code": "no_account"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let p: Value = r.json().await.unwrap();
    assert_eq!(
        (p["status"].as_str(), p["failure_code"].as_str()),
        (Some("failed"), Some("no_account"))
    );
    app.assert_ledger_balanced(&app.tenant()).await;
}

async fn cancel_and_test_helpers_follow_the_state_machine(b: Backend) {
    let app = spawn_app(b).await;
    app.fund(&app.key, 10_000, "USD").await;
    let rcp = app.create_recipient(&app.key, "6789").await;
    let rcp = rcp["id"].as_str().unwrap();
    let p: Value = app
        .create_payout(&app.key, rcp, 2_500)
        .await
        .json()
        .await
        .unwrap();
    let id = p["id"].as_str().unwrap();
    let r = app
        .post(&format!("/v1/payouts/{id}/cancel"), &app.key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let canceled: Value = r.json().await.unwrap();
    assert_eq!(canceled["status"], "canceled");
    // Cancelling it again (a retry after a lost answer, without a key) answers with the canceled
    // payout, unchanged, and writes nothing.
    let events = app.count("events").await;
    let r = app
        .post(&format!("/v1/payouts/{id}/cancel"), &app.key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap(), canceled);
    assert_eq!(app.count("events").await, events);
    // canceled is final
    let (status, _) = error_of(
        app.post(&format!("/v1/test_helpers/payouts/{id}/pay"), &app.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        app.run_rail().await,
        0,
        "a canceled payout is not moved by the rail"
    );
    let balance: Value = app.balance(&app.key).await;
    assert_eq!(balance["available"][0]["amount"], 10_000);

    // pay then return by helper
    let p: Value = app
        .create_payout(&app.key, rcp, 1_000)
        .await
        .json()
        .await
        .unwrap();
    let id = p["id"].as_str().unwrap();
    let r: Value = app
        .post(&format!("/v1/test_helpers/payouts/{id}/pay"), &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["status"], "paid");
    assert!(r["arrival_date"].is_string());
    // `pay` moved it twice in one request; its events list in the order they happened (newest
    // first), never by the ids' chance order within one instant.
    let events: Value = app
        .get(&format!("/v1/events?object={id}"), &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = events["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["payout.paid", "payout.processing", "payout.created"]
    );
    let (status, _) = error_of(
        app.post(&format!("/v1/payouts/{id}/cancel"), &app.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a paid payout cannot be canceled"
    );
    let r: Value = app
        .post(&format!("/v1/test_helpers/payouts/{id}/return"), &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["status"], "returned");
    let balance: Value = app.balance(&app.key).await;
    assert_eq!(balance["available"][0]["amount"], 10_000);
    app.assert_ledger_balanced(&app.tenant()).await;

    let txns: Value = app
        .get("/v1/balance_transactions?limit=100", &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds: Vec<_> = txns["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds,
        [
            "payout_return",
            "payout_paid",
            "payout",
            "payout_release",
            "payout",
            "funding"
        ]
    );
}

async fn lists_paginate_newest_first_with_filters(b: Backend) {
    let app = spawn_app(b).await;
    app.fund(&app.key, 100_000, "USD").await;
    let a = app.create_recipient(&app.key, "6789").await;
    let bb = app.create_recipient(&app.key, "1111").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let r = if i % 2 == 0 { &a } else { &bb };
        let p: Value = app
            .create_payout(&app.key, r["id"].as_str().unwrap(), 100 + i)
            .await
            .json()
            .await
            .unwrap();
        ids.push(p["id"].as_str().unwrap().to_owned());
    }
    ids.reverse(); // newest first
    let seen: Vec<String> = app
        .list_all(&app.key, "/v1/payouts", 2)
        .await
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(seen, ids);
    // Every list pages back as well as forward (ending_before), in the same order.
    for list in [
        "/v1/payouts",
        "/v1/recipients",
        "/v1/events",
        "/v1/balance_transactions",
    ] {
        let forward = app.list_all(&app.key, list, 2).await;
        assert!(forward.len() >= 2, "{list}");
        assert_eq!(
            app.list_all_backwards(&app.key, list, 2).await,
            forward,
            "{list}"
        );
    }
    let (status, body) = error_of(
        app.get(
            &format!(
                "/v1/payouts?starting_after={}&ending_before={}",
                ids[0], ids[1]
            ),
            &app.key,
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["param"], "ending_before");
    let by_rcp: Value = app
        .get(
            &format!("/v1/payouts?recipient={}", bb["id"].as_str().unwrap()),
            &app.key,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(by_rcp["data"].as_array().unwrap().len(), 2);
    for bad in [
        "/v1/payouts?limit=0",
        "/v1/payouts?limit=101",
        "/v1/payouts?status=lost",
        "/v1/payouts?color=red",
        "/v1/payouts?starting_after=po_doesnotexist",
        "/v1/payouts?ending_before=po_doesnotexist",
        "/v1/payouts?ending_before=rcp_1",
        "/v1/payouts?created[gte]=yesterday",
    ] {
        let (status, _) = error_of(app.get(bad, &app.key).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let ev: Value = app
        .get("/v1/events?type=payout.created&limit=100", &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ev["data"].as_array().unwrap().len(), 5);
    let one = &ev["data"][0];
    let single: Value = app
        .get(
            &format!("/v1/events/{}", one["id"].as_str().unwrap()),
            &app.key,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(&single, one);
    assert_eq!(single["data"]["object"]["object"], "payout");
}

/// A rail pass moves its due payouts as a set: hundreds at once (in passes of `PASS_MAX`), over
/// two merchants, with every outcome — each step's posting and event written, the ledger balanced.
async fn a_rail_pass_moves_hundreds_of_payouts_at_once(b: Backend) {
    let app = spawn_app(b).await;
    let (other, other_key) = app.other_merchant().await;
    let outcomes = ["6789", "0002", "0005", "0006"];
    let mut ids = Vec::new();
    for key in [&app.key, &other_key] {
        app.fund(key, 10_000_000, "USD").await;
        for last4 in outcomes {
            let rcp = app.create_recipient(key, last4).await;
            for _ in 0..40 {
                let p: Value = app
                    .create_payout(key, rcp["id"].as_str().unwrap(), 1_000)
                    .await
                    .json()
                    .await
                    .unwrap();
                ids.push((key.clone(), last4, p["id"].as_str().unwrap().to_owned()));
            }
        }
    }
    // Each step of all the due payouts: passes of PASS_MAX until one moves fewer (the worker
    // goes on the same way while more are due). Each step is due a second after the one before,
    // so the passes of one step never reach the next.
    let max = anton_engine::rail::simulator::PASS_MAX as usize;
    let cfg = anton_engine::rail::simulator::SimulatorConfig {
        processing_delay_ms: 1_000,
        settle_delay_ms: 1_000,
        return_delay_ms: 1_000,
        ..app.simulator.clone()
    };
    let step = |now| {
        let (app, cfg) = (&app, &cfg);
        async move {
            let mut passes = Vec::new();
            loop {
                let n = anton_engine::rail::simulator::run_due(&app.store, cfg, now)
                    .await
                    .unwrap()
                    .len();
                passes.push(n);
                if n < max {
                    return passes;
                }
            }
        }
    };
    let expected = |total: usize| {
        let mut passes = vec![max; total / max];
        passes.push(total % max);
        passes
    };
    let now = anton_store::now_us();
    // pending → processing for all 320; then the settlements; then the returns.
    assert_eq!(step(now).await, expected(320));
    assert_eq!(
        step(now + 1_000_000).await,
        expected(240),
        "all but the stuck ones settle"
    );
    assert_eq!(
        step(now + 2_000_000).await,
        expected(80),
        "the 0005 payouts are returned"
    );
    assert_eq!(step(now + 3_000_000).await, vec![0]);
    for (key, last4, id) in &ids {
        let p = app.payout(key, id).await;
        let expected = match *last4 {
            "6789" => "paid",
            "0002" => "failed",
            "0005" => "returned",
            _ => "processing",
        };
        assert_eq!(p["status"], expected, "{last4}: {p}");
    }
    for (tenant, key) in [
        (app.tenant(), &app.key),
        (
            anton_store::Tenant::new(other, anton_core::keys::Environment::Test),
            &other_key,
        ),
    ] {
        app.assert_ledger_balanced(&tenant).await;
        let balance = app.balance(key).await;
        // 40 paid and 40 stuck in processing of 1,000 each; the failed and returned gave back.
        assert_eq!(balance["available"][0]["amount"], 10_000_000 - 80_000);
        assert_eq!(balance["in_flight"][0]["amount"], 40_000);
    }
    let events: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE type LIKE 'payout.%' AND type <> 'payout.created'",
    )
    .fetch_one(app.store.read())
    .await
    .unwrap();
    assert_eq!(events, 320 + 240 + 80);
}

/// `transition_many` directly, on a set that mixes a stale move (its payout moved meanwhile: the
/// compare-and-set misses) with opposite movements of one account in the same call (a payout
/// paid and another returned: `paid_out` nets to zero). The stale move writes nothing; the others
/// write their postings and events; the ledger stays balanced.
async fn a_set_of_moves_skips_a_stale_one_and_nets_opposite_deltas(b: Backend) {
    use anton_core::payout::{FailureCode, PayoutStatus, Transition};
    use anton_engine::payouts::transition::{transition_many, Move};

    let app = spawn_app(b).await;
    app.fund(&app.key, 100_000, "USD").await;
    let rcp = app.create_recipient(&app.key, "6789").await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let p: Value = app
            .create_payout(&app.key, rcp["id"].as_str().unwrap(), 1_000)
            .await
            .json()
            .await
            .unwrap();
        ids.push(anton_core::id::PayoutId::parse(p["id"].as_str().unwrap()).unwrap());
    }
    let now = anton_store::now_us();
    // All three to processing; the third then paid.
    anton_engine::rail::simulator::run_due(&app.store, &app.simulator, now)
        .await
        .unwrap();
    let r = app
        .post(
            &format!("/v1/test_helpers/payouts/{}/pay", ids[2]),
            &app.key,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let tenant = app.tenant();
    let mut records = Vec::new();
    for id in &ids {
        records.push(
            anton_store::payouts::get(app.store.read(), &tenant, id)
                .await
                .unwrap()
                .unwrap(),
        );
    }
    let events_before = count(&app, "events").await;
    let postings_before = count(&app, "balance_transactions").await;
    let mut stale = records[0].clone();
    stale.status = PayoutStatus::Pending;
    let moves = vec![
        Move {
            tenant: tenant.clone(),
            payout: stale,
            transition: Transition::StartProcessing,
            rail_due_us: None,
        },
        Move {
            tenant: tenant.clone(),
            payout: records[1].clone(),
            transition: Transition::Pay,
            rail_due_us: None,
        },
        Move {
            tenant: tenant.clone(),
            payout: records[2].clone(),
            transition: Transition::Return(FailureCode::AccountFrozen),
            rail_due_us: None,
        },
    ];
    let lock = b == Backend::Postgres;
    let moved = app
        .store
        .write_native(move |c| Box::pin(async move { transition_many(c, &moves, lock, now).await }))
        .await
        .unwrap();
    assert_eq!(moved.len(), 2);
    assert_eq!(count(&app, "events").await, events_before + 2);
    assert_eq!(
        count(&app, "balance_transactions").await,
        postings_before + 2
    );
    let mut seen = Vec::new();
    for id in &ids {
        seen.push(app.payout(&app.key, id.as_str()).await["status"].clone());
    }
    assert_eq!(seen, ["processing", "paid", "returned"]);
    app.assert_ledger_balanced(&tenant).await;
    let balance = app.balance(&app.key).await;
    // 100,000 funded: one in flight (1,000), one paid out (1,000), the returned one back.
    assert_eq!(balance["available"][0]["amount"], 98_000);
    assert_eq!(balance["in_flight"][0]["amount"], 1_000);
}

/// The rail's worker takes a step when it falls due, not at its next poll: with a poll interval
/// of ten minutes and steps a second apart, a payout is paid within the deadline (it would sit
/// in `pending` for ten minutes if the worker only woke at each poll).
async fn the_rail_worker_wakes_when_a_step_falls_due(b: Backend) {
    let app = spawn_app(b).await;
    app.fund(&app.key, 100_000, "USD").await;
    let rcp = app.create_recipient(&app.key, "6789").await;
    let cfg = anton_engine::rail::simulator::SimulatorConfig {
        processing_delay_ms: 1_000,
        settle_delay_ms: 1_000,
        return_delay_ms: 1_000,
        poll_interval_ms: 600_000,
    };
    // Created before the worker starts: its first look finds nothing due yet (the step is a
    // second away) and the due time, and each later step is found the same way.
    let p: Value = app
        .create_payout(&app.key, rcp["id"].as_str().unwrap(), 1_000)
        .await
        .json()
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(anton_engine::rail::simulator::run(
        app.store.clone(),
        cfg,
        anton_metrics::Metrics::new(),
        stopped,
    ));
    let id = p["id"].as_str().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let status = app.payout(&app.key, id).await["status"].clone();
        if status == "paid" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still {status} a minute later"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    stop.send(true).unwrap();
    worker.await.unwrap();
}

async fn count(app: &crate::helpers::TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(app.store.read())
        .await
        .unwrap()
}

both_backends!(
    a_set_of_moves_skips_a_stale_one_and_nets_opposite_deltas,
    a_rail_pass_moves_hundreds_of_payouts_at_once,
    the_rail_worker_wakes_when_a_step_falls_due,
    concurrent_payouts_never_overdraw_the_balance,
    the_simulator_follows_the_outcome_table,
    cancel_and_test_helpers_follow_the_state_machine,
    lists_paginate_newest_first_with_filters,
);

/// PostgreSQL runs payout creations in several lanes at once, optimistically: a batch reads the
/// balance without locking it, decides, and writes everything in one statement that debits the
/// balance (`BatchMode::Optimistic`). Here two batches both read a balance that covers only one
/// of them: the test holds the balance row's lock until each request's batch waits on it (so
/// both have read 5,000), then lets go. One debit commits; the other now fails the
/// `available >= 0` CHECK, and its batch must run again from the start, locking, and refuse.
#[tokio::test]
async fn two_optimistic_batches_on_one_balance_never_overdraw_it() {
    if crate::helpers::skip_postgres() {
        return;
    }
    let app = spawn_app(Backend::Postgres).await;
    app.fund(&app.key, 5_000, "USD").await;
    let rcp = app.create_recipient(&app.key, "6789").await;
    let rcp = rcp["id"].as_str().unwrap().to_owned();
    let pool = app.store.read().clone();
    let mut holder = pool.begin().await.unwrap();
    sqlx::query("SELECT amount FROM balances WHERE account = 'available' FOR UPDATE")
        .execute(&mut *holder)
        .await
        .unwrap();
    let waiting_on_locks = |n: i64| {
        let pool = pool.clone();
        async move {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            loop {
                let waiting: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM pg_stat_activity \
                     WHERE datname = current_database() AND wait_event_type = 'Lock'",
                )
                .fetch_one(&pool)
                .await
                .unwrap();
                if waiting >= n {
                    return;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "{n} batches waiting on the balance"
                );
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        }
    };
    let first = app.spawn_payout(&app.key, &rcp, 4_000);
    waiting_on_locks(1).await;
    let second = app.spawn_payout(&app.key, &rcp, 4_000);
    waiting_on_locks(2).await;
    holder.rollback().await.unwrap();

    let mut outcomes = [first.await.unwrap(), second.await.unwrap()];
    outcomes.sort_by_key(|(status, _)| *status);
    assert_eq!(outcomes[0].0, StatusCode::OK, "{:?}", outcomes[0].1);
    assert_eq!(outcomes[1].0, StatusCode::CONFLICT, "{:?}", outcomes[1].1);
    assert_eq!(outcomes[1].1["error"]["code"], "insufficient_funds");
    assert_eq!(app.count("payouts").await, 1);
    let created_events: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE type = 'payout.created'")
            .fetch_one(app.store.read())
            .await
            .unwrap();
    assert_eq!(
        created_events, 1,
        "the stale attempt's writes rolled back with it"
    );
    let balance: Value = app.balance(&app.key).await;
    assert_eq!(balance["available"][0]["amount"], 1_000);
    assert_eq!(balance["in_flight"][0]["amount"], 4_000);
    app.assert_ledger_balanced(&app.tenant()).await;
}
