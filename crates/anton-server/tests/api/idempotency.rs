//! Idempotency (docs/reference.md §2): one effect per key under races, byte-identical replays, 422
//! on a different request, errors stored once the handler ran.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{error_of, spawn_app, Backend};

async fn racing_requests_with_one_key_create_one_payout(b: Backend) {
    let app = spawn_app(b).await;
    app.fund(&app.key, 1_000_000, "USD").await;
    let rcp = app.create_recipient(&app.key, "6789").await;
    let body = json!({"amount": 1_234, "currency": "USD", "recipient": rcp["id"]}).to_string();
    let before_events = app.count("events").await;

    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (client, url, key, body) = (
                app.client.clone(),
                format!("{}/v1/payouts", app.base),
                app.key.clone(),
                body.clone(),
            );
            tokio::spawn(async move {
                let r = client
                    .post(url)
                    .bearer_auth(key)
                    .header("Idempotency-Key", "order-42")
                    .header("Content-Type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                let replayed = r
                    .headers()
                    .get("idempotent-replayed")
                    .map(|v| v.to_str().unwrap().to_owned());
                (r.status(), replayed, r.bytes().await.unwrap())
            })
        })
        .collect();
    let mut successes = Vec::new();
    for t in tasks {
        let (status, replayed, bytes) = t.await.unwrap();
        match status {
            StatusCode::OK => successes.push((replayed, bytes)),
            StatusCode::CONFLICT => {
                let v: Value = serde_json::from_slice(&bytes).unwrap();
                assert_eq!(v["error"]["type"], "idempotency_error");
            }
            other => panic!("unexpected {other}: {}", String::from_utf8_lossy(&bytes)),
        }
    }
    assert!(!successes.is_empty());
    let first = &successes
        .iter()
        .find(|(r, _)| r.is_none())
        .expect("one original response")
        .1;
    assert_eq!(
        successes.iter().filter(|(r, _)| r.is_none()).count(),
        1,
        "exactly one request ran"
    );
    for (replayed, bytes) in &successes {
        assert_eq!(bytes, first, "replays are byte-identical");
        if replayed.is_some() {
            assert_eq!(replayed.as_deref(), Some("true"));
        }
    }
    // A later retry replays too.
    let r = app
        .post("/v1/payouts", &app.key)
        .header("Idempotency-Key", "order-42")
        .header("Content-Type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["idempotent-replayed"], "true");
    assert_eq!(&r.bytes().await.unwrap(), first);
    // The same request written another way (keys in another order, other whitespace, the
    // amount as `1234.0`, which JSON Schema counts as the integer 1234) is the same request: a
    // replay, not a 422.
    let rewritten = format!(
        "{{ \"recipient\" : \"{}\",\n  \"currency\": \"USD\", \"amount\": 1234.0 }}",
        rcp["id"].as_str().unwrap()
    );
    let r = app
        .post("/v1/payouts", &app.key)
        .header("Idempotency-Key", "order-42")
        .header("Content-Type", "application/json")
        .body(rewritten)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["idempotent-replayed"], "true");
    assert_eq!(&r.bytes().await.unwrap(), first);
    assert_eq!(app.count("payouts").await, 1);
    assert_eq!(app.count("events").await, before_events + 1);

    // Same key, another body: 422 and nothing written.
    let other = json!({"amount": 999, "currency": "USD", "recipient": rcp["id"]});
    let (status, body) = error_of(
        app.post("/v1/payouts", &app.key)
            .header("Idempotency-Key", "order-42")
            .json(&other)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["type"], "idempotency_error");
    assert_eq!(app.count("payouts").await, 1);
    assert_eq!(app.count("events").await, before_events + 1);
    app.assert_ledger_balanced(&app.tenant()).await;

    // Keys are scoped per merchant: another merchant may use the same key.
    let (_, other_key) = app.other_merchant().await;
    app.fund(&other_key, 10_000, "USD").await;
    let rcp2 = app.create_recipient(&other_key, "6789").await;
    let r = app
        .post("/v1/payouts", &other_key)
        .header("Idempotency-Key", "order-42")
        .json(&json!({"amount": 1_234, "currency": "USD", "recipient": rcp2["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("idempotent-replayed").is_none());
}

async fn a_refusal_is_stored_and_replayed_once_the_handler_ran(b: Backend) {
    let app = spawn_app(b).await;
    let rcp = app.create_recipient(&app.key, "6789").await;
    let req = json!({"amount": 5_000, "currency": "USD", "recipient": rcp["id"]});
    let send = || {
        app.post("/v1/payouts", &app.key)
            .header("Idempotency-Key", "k-refused")
            .json(&req)
            .send()
    };
    let r1 = send().await.unwrap();
    assert_eq!(r1.status(), StatusCode::CONFLICT);
    let b1 = r1.bytes().await.unwrap();
    // Funding afterwards does not change the stored answer for this key.
    app.fund(&app.key, 100_000, "USD").await;
    let r2 = send().await.unwrap();
    assert_eq!(r2.status(), StatusCode::CONFLICT);
    assert_eq!(r2.headers()["idempotent-replayed"], "true");
    assert_eq!(r2.bytes().await.unwrap(), b1);
    let v: Value = serde_json::from_slice(&b1).unwrap();
    assert_eq!(v["error"]["code"], "insufficient_funds");
    assert_eq!(app.count("payouts").await, 0);

    // Keys are validated.
    let long = "k".repeat(256);
    for bad in ["", long.as_str(), "has space"] {
        let (status, _) = error_of(
            app.post("/v1/payouts", &app.key)
                .header("Idempotency-Key", bad)
                .json(&req)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}");
    }
}

/// Two nodes on one database, racing one key: the in-flight guard is per node, so both may run
/// the request; the database decides (the loser replays the winner's response).
async fn one_key_raced_across_two_nodes_creates_one_payout(b: Backend) {
    let app = spawn_app(b).await;
    let other = app.second_node().await;
    app.fund(&app.key, 1_000_000, "USD").await;
    let rcp = app.create_recipient(&app.key, "6789").await;
    let body = json!({"amount": 777, "currency": "USD", "recipient": rcp["id"]}).to_string();
    // Warm one TLS connection per request, then release every request at once, so the two
    // nodes' first attempts overlap in their transactions.
    const N: usize = 60;
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(N));
    let tasks: Vec<_> = (0..N)
        .map(|i| {
            let base = if i % 2 == 0 {
                app.base.clone()
            } else {
                other.base.clone()
            };
            let (key, body, barrier) = (app.key.clone(), body.clone(), barrier.clone());
            let ca = std::fs::read(app.ca_path()).unwrap();
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
                    .tls_built_in_root_certs(false)
                    .build()
                    .unwrap();
                let warm = client.get(format!("{base}/healthz")).send().await.unwrap();
                assert!(warm.status().is_success());
                barrier.wait().await;
                let r = client
                    .post(format!("{base}/v1/payouts"))
                    .bearer_auth(key)
                    .header("Idempotency-Key", "cross-node-1")
                    .header("Content-Type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                (r.status(), r.bytes().await.unwrap())
            })
        })
        .collect();
    let mut bodies = Vec::new();
    for t in tasks {
        let (status, bytes) = t.await.unwrap();
        match status {
            StatusCode::OK => bodies.push(bytes),
            StatusCode::CONFLICT => {}
            other => panic!("unexpected {other}: {}", String::from_utf8_lossy(&bytes)),
        }
    }
    assert!(!bodies.is_empty());
    assert!(
        bodies.iter().all(|b| b == &bodies[0]),
        "every success is the same response"
    );
    assert_eq!(app.count("payouts").await, 1);
    assert_eq!(app.count("idempotency_keys").await, 1);
    let balance: Value = app.balance(&app.key).await;
    assert_eq!(balance["in_flight"][0]["amount"], 777);
    app.assert_ledger_balanced(&app.tenant()).await;
}

both_backends!(
    one_key_raced_across_two_nodes_creates_one_payout,
    racing_requests_with_one_key_create_one_payout,
    a_refusal_is_stored_and_replayed_once_the_handler_ran,
);

/// PostgreSQL: a mutation its database aborts as a deadlock victim (the writer's transaction
/// shares row locks with other requests' jobs, which another node may take in the other order)
/// wrote nothing; it is run again in a later transaction and the request succeeds once — keyed
/// or not — instead of a 503. A trigger plays the deadlock: it fails the first insert of each
/// named endpoint with PostgreSQL's deadlock code (a sequence counts, as it is not rolled back).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadlock_victim_is_run_again_in_a_later_transaction() {
    if crate::helpers::skip_postgres() {
        return;
    }
    let app = crate::helpers::spawn_app_with(
        Backend::Postgres,
        |c| c.webhooks.allow_private = vec!["localhost".into()],
        None,
    )
    .await;
    for sql in [
        "CREATE SEQUENCE deadlocks",
        "CREATE FUNCTION deadlock_once() RETURNS trigger AS $$ BEGIN \
         IF NEW.description LIKE 'deadlock%' AND nextval('deadlocks') % 2 = 1 THEN \
         RAISE EXCEPTION 'deadlock played by the test' USING ERRCODE = '40P01'; END IF; \
         RETURN NEW; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER deadlock_once BEFORE INSERT ON webhook_endpoints FOR EACH ROW \
         EXECUTE FUNCTION deadlock_once()",
    ] {
        app.exec(sql).await;
    }
    for (i, key) in [None, Some("deadlock-keyed")].into_iter().enumerate() {
        let mut req = app.post("/v1/webhook_endpoints", &app.key).json(&json!({
            "url": format!("https://localhost:9/h{i}"),
            "enabled_events": ["*"],
            "description": format!("deadlock {i}"),
        }));
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    }
    // Each insert failed once and was run once more; each endpoint exists once.
    let next: i64 = sqlx::query_scalar("SELECT nextval('deadlocks')")
        .fetch_one(app.store.read())
        .await
        .unwrap();
    assert_eq!(next, 5);
    assert_eq!(app.count("webhook_endpoints").await, 2);
    let text = crate::metrics::scrape(&app).await;
    assert!(
        text.contains("anton_writer_reruns_total{reason=\"conflict\"} 2"),
        "{text}"
    );
}
