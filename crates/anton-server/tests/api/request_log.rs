//! The request log (docs/reference.md §6): real requests over HTTPS — a keyed payout, a replay,
//! refusals, a revoked key — are listed through the SDK with what the contract says each entry
//! holds, filtered, paged, scoped to their merchant and environment, free of every secret and
//! account number the traffic carried, and swept after the retention.

use std::time::{Duration, Instant};

use anton_core::id::KeyId;
use anton_core::keys::Environment;
use anton_engine::operator::{self, KeySpec};
use anton_sdk::types::{ListParams, RequestLogEntry};
use futures_util::TryStreamExt;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, Backend, TestApp};
use crate::sdk::sdk;

/// A key of `app`'s merchant and its id.
async fn key_with_id(app: &TestApp, scopes: Option<&[&str]>) -> (String, KeyId) {
    let (record, key) = operator::create_key(
        &app.store,
        &app.secrets,
        &KeySpec {
            merchant_id: app.merchant.clone(),
            env: Environment::Test,
            scopes: scopes.map(|s| {
                anton_core::keys::ScopeSet::parse_list(s.iter().copied()).expect("scopes")
            }),
            expires_in: None,
            allowed_cidrs: vec![],
            name: "log test".into(),
            created_by: "tests".into(),
        },
        &anton_engine::audit::Actor::operator(),
    )
    .await
    .unwrap();
    (key.expose_secret().to_owned(), record.id)
}

/// Every entry the key's environment can list, once at least `n` are there (entries are written
/// in batches a moment after their answers).
async fn entries(app: &TestApp, key: &str, params: ListParams, n: usize) -> Vec<RequestLogEntry> {
    let client = sdk(app, key);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let all: Vec<RequestLogEntry> = client
            .requests()
            .list_all(params.clone())
            .try_collect()
            .await
            .unwrap();
        let listed: Vec<RequestLogEntry> = all
            .into_iter()
            // The test's own reads of the log (lists, and one entry by id) are logged too.
            .filter(|r| !r.route.starts_with("/v1/requests"))
            .collect();
        if listed.len() >= n {
            return listed;
        }
        assert!(
            Instant::now() < deadline,
            "{n} entries listed; got {listed:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn requests_are_logged_listed_and_filtered(backend: Backend) {
    let app = spawn_app(backend).await;
    let (reader, reader_id) = key_with_id(&app, Some(&["requests:read"])).await;
    let (payer, payer_id) = key_with_id(&app, Some(&["payouts:read"])).await;
    let (revoked, revoked_id) = key_with_id(&app, None).await;
    operator::revoke_key(
        &app.store,
        &app.merchant,
        &revoked_id,
        &anton_engine::audit::Actor::operator(),
    )
    .await
    .unwrap();

    app.fund(&app.key, 10_000, "USD").await;
    let rcp = app.create_recipient(&app.key, "6789").await;
    let rcp_id = rcp["id"].as_str().unwrap().to_owned();
    let body = json!({"amount": 2_500, "currency": "USD", "recipient": rcp_id});
    let mut request_ids = Vec::new();
    for _ in 0..2 {
        let r = app
            .post("/v1/payouts", &app.key)
            .header("Idempotency-Key", "log-order-1")
            .header("User-Agent", "log-test-agent/1.0")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        request_ids.push(r.headers()["request-id"].to_str().unwrap().to_owned());
    }
    let missing = app
        .get("/v1/payouts/po_0VcqAAAAAAAAAAAAAAAAAAAA", &app.key)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let refused = app
        .post("/v1/payouts", &payer)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let bad = app
        .post("/v1/recipients", &app.key)
        .json(
            &json!({"name": "x", "bank_account": {"type": "us_ach", "routing_number": "110000000",
                      "account_number": "000987654321", "account_type": "checking"},
                      "email": "not an address"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let after_revoke = app.get("/v1/balance", &revoked).send().await.unwrap();
    assert_eq!(after_revoke.status(), StatusCode::UNAUTHORIZED);
    // No key, or a key of no one: belongs to no merchant, so in no merchant's log.
    let nobody = app
        .get("/v1/balance", "sk_test_not_a_key")
        .send()
        .await
        .unwrap();
    assert_eq!(nobody.status(), StatusCode::UNAUTHORIZED);

    // fund, recipient, 2 payouts, missing, refused, bad, revoked = 8.
    let all = entries(&app, &reader, ListParams::new(), 8).await;
    assert_eq!(all.len(), 8, "{all:?}");
    assert!(
        all.windows(2).all(|w| w[0].created >= w[1].created),
        "newest first"
    );
    let by_id = |id: &str| all.iter().find(|r| r.id == id).unwrap().clone();
    let first = by_id(&request_ids[0]);
    assert_eq!(
        (first.method.as_str(), first.route.as_str(), first.status),
        ("POST", "/v1/payouts", 200)
    );
    assert_eq!(first.error_code, None);
    assert_eq!(first.idempotency_key.as_deref(), Some("log-order-1"));
    assert_eq!(first.user_agent.as_deref(), Some("log-test-agent/1.0"));
    assert_eq!(first.source_ip.as_deref(), Some("127.0.0.1"));
    assert!(first.duration_us > 0);
    assert!(!first.livemode);
    // One by its id, as a client kept it from the answer's Request-Id header.
    let one = sdk(&app, &reader)
        .requests()
        .get(&request_ids[0])
        .await
        .unwrap();
    assert_eq!(one, first);
    let replay = by_id(&request_ids[1]);
    assert_eq!((replay.status, replay.route.as_str()), (200, "/v1/payouts"));
    let find = |status: u16| all.iter().find(|r| r.status == status).unwrap().clone();
    let missing = find(404);
    assert_eq!(
        missing.route, "/v1/payouts/{id}",
        "the template, not the path"
    );
    assert_eq!(missing.error_code.as_deref(), Some("resource_missing"));
    let refused = find(403);
    assert_eq!(refused.error_code.as_deref(), Some("missing_scope"));
    assert_eq!(refused.api_key, payer_id.to_string());
    assert_eq!(find(400).error_code.as_deref(), Some("email_invalid"));
    let revoked_use = find(401);
    assert_eq!(revoked_use.api_key, revoked_id.to_string());
    assert_eq!(revoked_use.error_code.as_deref(), Some("api_key_revoked"));

    // Filters, each through the API.
    let only = |p: ListParams, n| entries(&app, &reader, p, n);
    let errors = only(ListParams::new().filter("status", "4xx"), 4).await;
    assert_eq!(errors.len(), 4);
    assert!(errors.iter().all(|r| (400..500).contains(&r.status)));
    let unauthorized = only(ListParams::new().filter("status", "401"), 1).await;
    assert_eq!(unauthorized.len(), 1);
    let by_route = only(ListParams::new().filter("route", "/v1/payouts"), 3).await;
    assert_eq!(by_route.len(), 3, "two creations and the refusal");
    let by_key = only(
        ListParams::new().filter("api_key", revoked_id.to_string()),
        1,
    )
    .await;
    assert_eq!(by_key.len(), 1);
    let gets = only(ListParams::new().filter("method", "GET"), 2).await;
    assert_eq!(
        gets.len(),
        2,
        "the missing payout and the revoked key's balance"
    );
    let future = sdk(&app, &reader)
        .requests()
        .list(
            &ListParams::new()
                .created_gte(time::OffsetDateTime::now_utc() + Duration::from_secs(3600)),
        )
        .await
        .unwrap();
    assert!(future.data.is_empty());
    // Pages: two at a time, then the rest after the cursor.
    let page = sdk(&app, &reader)
        .requests()
        .list(&ListParams::new().limit(2).filter("status", "2xx"))
        .await
        .unwrap();
    assert!(page.has_more);
    let next = sdk(&app, &reader)
        .requests()
        .list(
            &ListParams::new()
                .filter("status", "2xx")
                .starting_after(page.data[1].id.clone()),
        )
        .await
        .unwrap();
    assert!(next.data.iter().all(|r| !page.data.contains(r)));
    // A filter no request could match is refused, naming it.
    for (name, value) in [
        ("status", "6xx"),
        ("route", "payouts"),
        ("method", "TRACE"),
        ("api_key", "po_123"),
    ] {
        let r = app
            .get(&format!("/v1/requests?{name}={value}"), &reader)
            .send()
            .await
            .unwrap();
        let (status, err) = crate::helpers::error_of(r).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}={value}");
        assert_eq!(err["error"]["param"], name);
    }
    // The scope: a key without requests:read is refused; the reader was itself logged.
    let r = app.get("/v1/requests", &payer).send().await.unwrap();
    let (status, err) = crate::helpers::error_of(r).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(err["error"]["code"], "missing_scope");
    let reads = sdk(&app, &reader)
        .requests()
        .list(
            &ListParams::new()
                .filter("api_key", reader_id.to_string())
                .filter("route", "/v1/requests"),
        )
        .await
        .unwrap();
    assert!(!reads.data.is_empty(), "reading the log is logged too");
    assert!(reads.data.iter().all(|r| r.method == "GET"));

    // Nothing secret in any entry: keys, the account numbers sent, bodies.
    let text = serde_json::to_string(&entries(&app, &reader, ListParams::new(), 8).await).unwrap();
    for planted in [
        app.key.as_str(),
        reader.as_str(),
        payer.as_str(),
        revoked.as_str(),
        "00012345",
        "000987654321",
        "not an address",
        "sk_test_not_a_key",
    ] {
        assert!(
            !text.contains(planted),
            "{planted} appears in the request log"
        );
    }

    // Another merchant, and the live environment, see none of it.
    let (_, other_key) = app.other_merchant().await;
    let other = sdk(&app, &other_key)
        .requests()
        .list(&ListParams::new())
        .await
        .unwrap();
    assert!(other.data.iter().all(|r| r.route == "/v1/requests"));
    let live = app.create_key(&app.merchant, Environment::Live, None).await;
    let live_page = sdk(&app, &live)
        .requests()
        .list(&ListParams::new())
        .await
        .unwrap();
    assert!(live_page
        .data
        .iter()
        .all(|r| r.livemode && r.route == "/v1/requests"));
    // Another merchant's request, and an id that is none, are not found.
    for id in [
        request_ids[0].as_str(),
        "req_nope",
        "po_0VcqAAAAAAAAAAAAAAAAAAAA",
    ] {
        let r = app
            .get(&format!("/v1/requests/{id}"), &other_key)
            .send()
            .await
            .unwrap();
        let (status, err) = crate::helpers::error_of(r).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}");
        assert_eq!(err["error"]["code"], "resource_missing");
    }
    // A cursor of another merchant's request is not found.
    let r = app
        .get(
            &format!("/v1/requests?starting_after={}", request_ids[0]),
            &other_key,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

async fn the_sweep_deletes_entries_past_the_retention(backend: Backend) {
    let app = spawn_app(backend).await;
    app.fund(&app.key, 1_000, "USD").await;
    let before = entries(&app, &app.key, ListParams::new(), 1).await;
    assert_eq!(before.len(), 1);
    let engine = anton_engine::Engine::new(
        app.store.clone(),
        app.secrets.clone(),
        anton_engine::EngineConfig::default(),
        std::sync::Arc::new(anton_engine::webhooks::ssrf::SystemLookup),
    );
    let day = 86_400 * 1_000_000;
    let now = anton_store::now_us();
    // Within the default 30 days: kept.
    assert_eq!(engine.sweep_request_log(now + 29 * day).await.unwrap(), 0);
    assert_eq!(entries(&app, &app.key, ListParams::new(), 1).await.len(), 1);
    // Past it: gone (the reads above are swept with it).
    assert!(engine.sweep_request_log(now + 31 * day).await.unwrap() >= 1);
    let left = sdk(&app, &app.key)
        .requests()
        .list(&ListParams::new())
        .await
        .unwrap();
    assert!(
        left.data.iter().all(|r| r.route == "/v1/requests"),
        "{left:?}"
    );
    assert!(left.data.iter().all(|r| r.id != before[0].id));
}

/// A node writes its last entries when it stops; one with the log off writes none.
async fn a_stopping_node_writes_its_last_entries_and_one_with_the_log_off_none(backend: Backend) {
    for enabled in [true, false] {
        let mut app =
            crate::helpers::spawn_app_with(backend, |c| c.request_log.enabled = enabled, None)
                .await;
        for _ in 0..20 {
            app.fund(&app.key, 1_000, "USD").await;
        }
        app.stop().await;
        let expected = if enabled { 20 } else { 0 };
        assert_eq!(
            app.count("request_log").await,
            expected,
            "enabled: {enabled}"
        );
    }
}

crate::both_backends!(
    requests_are_logged_listed_and_filtered,
    the_sweep_deletes_entries_past_the_retention,
    a_stopping_node_writes_its_last_entries_and_one_with_the_log_off_none
);

/// `anton logs tail --status 4xx --json`, the real binary: prints requests made after it started,
/// only the 4xx ones, each once, and not its own polls.
async fn logs_tail_follows_new_requests(backend: Backend) {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    app.fund(&app.key, 1_000, "USD").await; // before the tail: not shown
    let mut child = Command::new(env!("CARGO_BIN_EXE_anton"))
        .args(["logs", "tail", "--status", "4xx", "--json"])
        .env("ANTON_API_KEY", &app.key)
        .env("ANTON_BASE_URL", &app.base)
        .env("ANTON_CA_FILE", app.ca_path())
        .env("ANTON_CONFIG_DIR", dir.path().join("config"))
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let (out_tx, out_rx) = std::sync::mpsc::channel::<String>();
    let (err_tx, err_rx) = std::sync::mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let _child = Kill(child);
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = out_tx.send(line);
        }
    });
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = err_tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let line = err_rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("anton logs tail becomes ready");
        if line.starts_with("ready") {
            break;
        }
    }
    let ok = app.get("/v1/balance", &app.key).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let mut expected = Vec::new();
    for i in 0..3 {
        let r = app
            .get(
                &format!("/v1/payouts/po_0VcqAAAAAAAAAAAAAAAAAAA{i}"),
                &app.key,
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        expected.push(r.headers()["request-id"].to_str().unwrap().to_owned());
    }
    let mut printed = Vec::new();
    while printed.len() < expected.len() {
        let line = out_rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the tail prints each 4xx request");
        let entry: RequestLogEntry = serde_json::from_str(&line).unwrap();
        assert_eq!(
            (entry.status, entry.route.as_str()),
            (404, "/v1/payouts/{id}")
        );
        printed.push(entry.id);
    }
    assert_eq!(printed, expected, "each once, oldest first");
    // Nothing else arrives: not the 200, not the tail's own polls (which are 200s too), no repeat.
    // A 4xx made now is the next line, so nothing printed in between.
    let r = app
        .get("/v1/recipients/rcp_0VcqAAAAAAAAAAAAAAAAAAAA", &app.key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let next: RequestLogEntry = serde_json::from_str(
        &out_rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(next.id, r.headers()["request-id"].to_str().unwrap());
}

crate::both_backends!(logs_tail_follows_new_requests);
