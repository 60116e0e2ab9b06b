//! Scale-out on PostgreSQL (docs/reference.md §9): two API nodes and two worker nodes on one
//! database. Concurrent payouts through both API nodes never overdraw; each payout is settled once;
//! each event reaches the endpoint at least once and never from two workers at the same time.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anton_core::keys::Environment;
use anton_sdk::types::{ListParams, NewPayout, NewRecipient, NewWebhookEndpoint, PayoutStatus};
use anton_sdk::Client;
use futures_util::TryStreamExt;
use serde_json::Value;

use crate::helpers::{spawn_app_with, Backend};
use crate::sdk::ach;
use crate::webhooks::receiver;

fn client_at(base: &str, ca: &std::path::Path, key: &str) -> Client {
    Client::builder(key)
        .base_url(base)
        .add_root_certificate_pem(&std::fs::read(ca).unwrap())
        .unwrap()
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_api_nodes_and_two_workers_share_one_postgresql() {
    if crate::helpers::skip_postgres() {
        return;
    }
    let r = receiver().await;
    // Each request is held a little, so two senders of one event would overlap visibly.
    r.shared.delay_ms.store(5, Ordering::SeqCst);
    let receiver_ca = r.ca.clone();
    // Node 1 (the test app): API only.
    let app = spawn_app_with(
        Backend::Postgres,
        |c| {
            c.role = anton_server::config::Role::Api;
            c.webhooks.allow_private = vec!["localhost".into()];
        },
        None,
    )
    .await;
    let worker = |c: &mut anton_server::config::Config| {
        c.role = anton_server::config::Role::Worker;
        c.workers = true;
        c.simulator.poll_interval_ms = 20;
        c.webhooks.extra_root_ca = Some(receiver_ca.clone());
        c.webhooks.allow_private = vec!["localhost".into()];
        c.webhooks.poll_interval_ms = 20;
    };
    let api2 = app.node(|c| c.role = anton_server::config::Role::Api).await;
    let w1 = app.node(worker).await;
    let w2 = app.node(worker).await;
    // A worker's port serves health checks only, never the API.
    let plain = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(&std::fs::read(app.ca_path()).unwrap()).unwrap(),
        )
        .build()
        .unwrap();
    for w in [&w1, &w2] {
        let ready = plain
            .get(format!("{}/readyz", w.base))
            .send()
            .await
            .unwrap();
        assert_eq!(ready.status(), reqwest::StatusCode::OK);
        let api = plain
            .get(format!("{}/v1/balance", w.base))
            .bearer_auth(&app.key)
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), reqwest::StatusCode::NOT_FOUND);
    }

    let ca = app.ca_path();
    let a = client_at(&app.base, &ca, &app.key);
    let b = client_at(&api2.base, &ca, &app.key);
    a.webhook_endpoints()
        .create(&NewWebhookEndpoint::new(&r.url, &["*"]))
        .await
        .unwrap();
    // A balance that covers exactly 37 payouts of 100.
    a.test_helpers().fund_balance(3_700, "USD").await.unwrap();
    let rcp = b
        .recipients()
        .create(&NewRecipient::new("Scale", ach("000123456789")))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..100 {
        let c = if i % 2 == 0 { a.clone() } else { b.clone() };
        let rcp = rcp.id.clone();
        tasks.push(tokio::spawn(async move {
            c.payouts().create(&NewPayout::new(100, "USD", &rcp)).await
        }));
    }
    let mut created = Vec::new();
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(p) => created.push(p.id),
            Err(e) => {
                assert_eq!(
                    e.api().and_then(|x| x.code.as_deref()),
                    Some("insufficient_funds"),
                    "{e}"
                );
                refused += 1;
            }
        }
    }
    assert_eq!((created.len(), refused), (37, 63));

    // The workers settle every payout (each exactly once) and deliver every event.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let payouts: Vec<_> = a
            .payouts()
            .list_all(ListParams::new())
            .try_collect()
            .await
            .unwrap();
        if payouts.len() == 37 && payouts.iter().all(|p| p.status == PayoutStatus::Paid) {
            break;
        }
        assert!(Instant::now() < deadline, "all 37 payouts paid");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let events: Vec<_> = a
        .events()
        .list_all(ListParams::new())
        .try_collect()
        .await
        .unwrap();
    let mut paid_events: HashMap<String, usize> = HashMap::new();
    for e in events.iter().filter(|e| e.kind == "payout.paid") {
        *paid_events
            .entry(e.data.object["id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert_eq!(paid_events.len(), 37);
    assert!(
        paid_events.values().all(|n| *n == 1),
        "each payout settled once: {paid_events:?}"
    );
    let want: HashSet<String> = events.iter().map(|e| e.id.clone()).collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let got: HashSet<String> = r
            .shared
            .got
            .lock()
            .unwrap()
            .iter()
            .map(|g| {
                serde_json::from_slice::<Value>(&g.body).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        if want.is_subset(&got) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "every event delivered: {} missing",
            want.difference(&got).count()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        r.shared.overlaps.load(Ordering::SeqCst),
        0,
        "no event was in flight from two workers at once"
    );
    let balance = a.balance().get().await.unwrap();
    assert_eq!(balance.available_in("USD"), 0);
    app.assert_ledger_balanced(&app.tenant()).await;
}

#[tokio::test]
async fn a_key_revoked_through_one_node_is_refused_by_the_other_within_a_second() {
    if crate::helpers::skip_postgres() {
        return;
    }
    let app = crate::helpers::spawn_app(Backend::Postgres).await;
    let other = app.second_node().await;
    let key = app.create_key(&app.merchant, Environment::Test, None).await;
    let ca = app.ca_path();
    let c = client_at(&other.base, &ca, &key);
    // The other node has the key in its cache.
    c.balance().get().await.unwrap();
    let id = anton_store::api_keys::list(app.store.read(), &app.merchant)
        .await
        .unwrap()
        .into_iter()
        .find(|k| key.ends_with(&k.last4) && key.starts_with(&k.display_prefix))
        .unwrap()
        .id;
    anton_engine::operator::revoke_key(
        &app.store,
        &app.merchant,
        &id,
        &anton_engine::audit::Actor::operator(),
    )
    .await
    .unwrap();
    let revoked_at = Instant::now();
    let no_retry = Client::builder(key.clone())
        .base_url(&other.base)
        .add_root_certificate_pem(&std::fs::read(&ca).unwrap())
        .unwrap()
        .max_retries(0)
        .build()
        .unwrap();
    loop {
        match no_retry.balance().get().await {
            Err(e) if e.api().is_some_and(|a| a.status == 401) => break,
            Ok(_) => {}
            Err(e) => panic!("{e}"),
        }
        assert!(
            revoked_at.elapsed() < Duration::from_secs(1),
            "the other node still accepts the revoked key after 1 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // docs/reference.md §4: within one second (the per-node cache's TTL is 0.5 s), measured here.
    eprintln!("refused by the other node after {:?}", revoked_at.elapsed());
}

/// A key's rate limit holds across API nodes: each node allows its share (limit / live API
/// nodes, from heartbeats), so a burst spread over two nodes gets about one key's burst, not two.
#[tokio::test]
async fn a_keys_rate_limit_holds_across_two_api_nodes() {
    if crate::helpers::skip_postgres() {
        return;
    }
    let app = crate::helpers::spawn_app(Backend::Postgres).await;
    let other = app.node(|c| c.role = anton_server::config::Role::Api).await;
    let ca = app.ca_path();
    let plain = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&std::fs::read(&ca).unwrap()).unwrap())
        .build()
        .unwrap();
    // Both nodes see each other (their /readyz reports the live API nodes).
    let deadline = Instant::now() + Duration::from_secs(20);
    for base in [&app.base, &other.base] {
        loop {
            let v: Value = plain
                .get(format!("{base}/readyz"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if v["api_nodes"] == 2 {
                break;
            }
            assert!(Instant::now() < deadline, "both nodes count two API nodes");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    // 4 requests/s (burst 8) for this merchant's keys.
    let m = anton_engine::operator::create_merchant(&app.store, "Limited")
        .await
        .unwrap();
    app.set_rate_limits(&m.id, 4, 4).await;
    let key = app.create_key(&m.id, Environment::Test, None).await;
    let no_retry = |base: &str| {
        Client::builder(key.clone())
            .base_url(base)
            .add_root_certificate_pem(&std::fs::read(&ca).unwrap())
            .unwrap()
            .max_retries(0)
            .build()
            .unwrap()
    };
    let (a, b) = (no_retry(&app.base), no_retry(&other.base));
    let started = Instant::now();
    let mut allowed = 0;
    for i in 0..40 {
        let c = if i % 2 == 0 { &a } else { &b };
        match c.balance().get().await {
            Ok(_) => allowed += 1,
            Err(e) => assert_eq!(e.api().unwrap().status, 429),
        }
    }
    let secs = started.elapsed().as_secs_f64();
    // One key's burst (8) plus what 4/s refills meanwhile; two independent nodes would allow 16+.
    let bound = 8 + (4.0 * secs).ceil() as usize + 1;
    assert!(
        allowed <= bound,
        "{allowed} requests allowed in {secs:.2} s across two nodes (bound {bound})"
    );
    assert!(allowed >= 8, "the whole burst is usable: {allowed}");
}

/// Creations on one node and cancellations on another, for one merchant's balance, at the same
/// time: both lock the same balance rows, always in the same order, so PostgreSQL never has to
/// break a deadlock (which would fail requests). Every answer is a 200 or a 4xx; the ledger
/// balances.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creations_and_cancellations_on_two_nodes_never_deadlock() {
    if crate::helpers::skip_postgres() {
        return;
    }
    let app = crate::helpers::spawn_app(Backend::Postgres).await;
    let other = app.node(|c| c.role = anton_server::config::Role::Api).await;
    let ca = app.ca_path();
    let make = |base: &str| {
        Client::builder(app.key.clone())
            .base_url(base)
            .add_root_certificate_pem(&std::fs::read(&ca).unwrap())
            .unwrap()
            .max_retries(0)
            .build()
            .unwrap()
    };
    let (a, b) = (make(&app.base), make(&other.base));
    a.test_helpers()
        .fund_balance(1_000_000, "USD")
        .await
        .unwrap();
    let rcp = a
        .recipients()
        .create(&NewRecipient::new("Race", ach("000123456789")))
        .await
        .unwrap()
        .id;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let stop_at = Instant::now() + Duration::from_secs(3);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (a, rcp, tx) = (a.clone(), rcp.clone(), tx.clone());
        tasks.push(tokio::spawn(async move {
            let mut server_errors = Vec::new();
            while Instant::now() < stop_at {
                match a.payouts().create(&NewPayout::new(10, "USD", &rcp)).await {
                    Ok(p) => {
                        let _ = tx.send(p.id);
                    }
                    Err(e) if e.api().is_some_and(|x| x.status < 500) => {}
                    Err(e) => server_errors.push(e.to_string()),
                }
            }
            server_errors
        }));
    }
    drop(tx);
    let canceler = tokio::spawn(async move {
        let mut server_errors = Vec::new();
        let mut canceled = 0;
        while let Some(id) = rx.recv().await {
            match b.payouts().cancel(&id).await {
                Ok(_) => canceled += 1,
                Err(e) if e.api().is_some_and(|x| x.status < 500) => {}
                Err(e) => server_errors.push(e.to_string()),
            }
        }
        (server_errors, canceled)
    });
    let mut errors = Vec::new();
    for t in tasks {
        errors.extend(t.await.unwrap());
    }
    let (cancel_errors, canceled) = canceler.await.unwrap();
    errors.extend(cancel_errors);
    assert!(errors.is_empty(), "server errors: {errors:?}");
    assert!(canceled > 10, "the race happened: {canceled} cancellations");
    app.assert_ledger_balanced(&app.tenant()).await;
}
