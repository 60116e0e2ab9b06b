//! The admin listener: after real traffic through the HTTPS API (payouts, a replay, refusals, a
//! webhook delivered to a real HTTPS receiver), `GET /metrics` on the node's admin address shows
//! each in its family, by route template — and none of the secrets, ids or bank details the
//! traffic carried.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, TestApp};
use crate::webhooks::{app_for, create_endpoint, receiver, TestLookup, FAST};

/// The node's metrics text, over plain HTTP on the admin listener.
pub(crate) async fn scrape(app: &TestApp) -> String {
    let r = reqwest::get(format!("http://{}/metrics", app.metrics_addr))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let content_type = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    r.text().await.unwrap()
}

/// The value of the sample `series` (name and labels exactly as rendered), if present.
pub(crate) fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

async fn traffic_shows_in_the_metrics_and_nothing_secret_does(backend: Backend) {
    let r = receiver().await;
    let app = app_for(backend, &r, &[], Arc::new(TestLookup::default()), &FAST).await;
    let ep = create_endpoint(&app, &r.url, json!(["payout.created"])).await;
    let secret = ep["secret"].as_str().unwrap().to_owned();
    app.fund(&app.key, 10_000, "USD").await;
    let rcp = app.create_recipient(&app.key, "6789").await;
    let rcp_id = rcp["id"].as_str().unwrap().to_owned();
    let body = json!({"amount": 2_500, "currency": "USD", "recipient": rcp_id});
    let mut payout_ids = Vec::new();
    for _ in 0..2 {
        let res = app
            .post("/v1/payouts", &app.key)
            .header("Idempotency-Key", "metrics-order-1")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        payout_ids.push(res.json::<serde_json::Value>().await.unwrap()["id"].clone());
    }
    assert_eq!(payout_ids[0], payout_ids[1], "the second is a replay");
    let missing = app
        .get("/v1/payouts/po_0VcqAAAAAAAAAAAAAAAAAAAA", &app.key)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let unknown_url = app.get("/v1/nothing/here", &app.key).send().await.unwrap();
    assert_eq!(unknown_url.status(), StatusCode::NOT_FOUND);
    let no_key = app
        .client
        .get(format!("{}/v1/balance", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(no_key.status(), StatusCode::UNAUTHORIZED);
    let bad_key = app
        .get("/v1/balance", "sk_test_not_a_key")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_key.status(), StatusCode::UNAUTHORIZED);

    // The delivery is counted once the node has recorded it, the rail's steps once committed.
    let paid = "anton_payout_rail_transitions_total{rail=\"simulator\",env=\"test\",to=\"paid\",currency=\"USD\"}";
    let deadline = Instant::now() + Duration::from_secs(20);
    let text = loop {
        let text = scrape(&app).await;
        if value(&text, "anton_webhook_attempts_total{outcome=\"2xx\"}").is_some()
            && value(&text, paid).is_some()
        {
            break text;
        }
        assert!(Instant::now() < deadline, "no delivery counted:\n{text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for (series, want) in [
        (
            "anton_http_requests_total{route=\"/v1/payouts\",method=\"POST\",status=\"200\"}",
            2.0,
        ),
        (
            "anton_http_requests_total{route=\"/v1/payouts/{id}\",method=\"GET\",status=\"404\"}",
            1.0,
        ),
        (
            "anton_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"}",
            1.0,
        ),
        (
            "anton_http_requests_total{route=\"/v1/balance\",method=\"GET\",status=\"401\"}",
            2.0,
        ),
        (
            "anton_http_request_duration_seconds_count{route=\"/v1/payouts\",method=\"POST\"}",
            2.0,
        ),
        ("anton_auth_failures_total{reason=\"missing\"}", 1.0),
        ("anton_auth_failures_total{reason=\"malformed\"}", 1.0),
        ("anton_idempotent_replays_total", 1.0),
        (
            "anton_payouts_created_total{env=\"test\",currency=\"USD\"}",
            1.0,
        ),
        (
            "anton_payout_amount_minor_units_total{env=\"test\",currency=\"USD\"}",
            2_500.0,
        ),
        ("anton_webhook_attempts_total{outcome=\"2xx\"}", 1.0),
        (
            "anton_payout_rail_transitions_total{rail=\"simulator\",env=\"test\",to=\"processing\",currency=\"USD\"}",
            1.0,
        ),
        (paid, 1.0),
        ("anton_webhook_endpoints{state=\"enabled\"}", 1.0),
        ("anton_webhook_endpoints{state=\"failing\"}", 0.0),
        ("anton_webhook_endpoints{state=\"disabled\"}", 0.0),
        ("anton_webhook_delivery_latency_seconds_count", 1.0),
    ] {
        assert_eq!(value(&text, series), Some(want), "{series} in\n{text}");
    }
    assert!(text.contains("anton_build_info{version="), "{text}");
    // The writer's commits, on the paths this backend uses, and the database as sampled.
    let paths: &[&str] = match backend {
        Backend::Sqlite => &["sqlite", "writer"],
        Backend::Postgres => &["lane", "job_lane", "writer"],
    };
    for path in paths {
        let committed =
            format!("anton_writer_commits_total{{path=\"{path}\",result=\"committed\"}}");
        assert!(
            value(&text, &committed).unwrap_or(0.0) >= 1.0,
            "{committed} in\n{text}"
        );
        let items = format!("anton_writer_batch_items_count{{path=\"{path}\"}}");
        assert!(value(&text, &items).unwrap_or(0.0) >= 1.0, "{items}");
        let took = format!("anton_writer_commit_duration_seconds_count{{path=\"{path}\"}}");
        assert!(value(&text, &took).unwrap_or(0.0) >= 1.0, "{took}");
    }
    assert_eq!(value(&text, "anton_database_up"), Some(1.0));
    let pool: f64 = ["in_use", "idle"]
        .iter()
        .filter_map(|s| {
            value(
                &text,
                &format!("anton_database_pool_connections{{state=\"{s}\"}}"),
            )
        })
        .sum();
    assert!(pool >= 1.0, "{text}");
    // Nothing about a merchant or its secrets: keys, webhook secrets, ids, bank details, URLs.
    let merchant = app.merchant.to_string();
    let payout = payout_ids[0].as_str().unwrap();
    for planted in [
        app.key.as_str(),
        &app.key[app.key.len() - 8..],
        secret.as_str(),
        merchant.as_str(),
        rcp_id.as_str(),
        payout,
        "metrics-order-1",
        "000123456789",
        "sk_test_not_a_key",
        r.url.as_str(),
        "localhost",
    ] {
        assert!(!text.contains(planted), "{planted} in the metrics");
    }
    // The admin listener serves /metrics only.
    let other = reqwest::get(format!("http://{}/v1/balance", app.metrics_addr))
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
}

/// With no worker running, events stay in the outbox: the gauges read at scrape show how many and
/// how old the oldest is; a disabled endpoint is counted as such.
async fn the_backlog_gauges_show_undelivered_work(backend: Backend) {
    let app = crate::helpers::spawn_app_with(
        backend,
        |c| c.webhooks.allow_private = vec!["localhost".into()],
        None,
    )
    .await;
    let ep = create_endpoint(&app, "https://localhost:9/hook", json!(["*"])).await;
    app.fund(&app.key, 10_000, "USD").await;
    let rcp = app.create_recipient(&app.key, "6789").await;
    for _ in 0..3 {
        let r = app
            .create_payout(&app.key, rcp["id"].as_str().unwrap(), 100)
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let events = app.count("events").await;
    assert!(events >= 4, "{events}");
    let text = scrape(&app).await;
    assert_eq!(
        value(&text, "anton_webhook_events_waiting"),
        Some(events as f64),
        "{text}"
    );
    assert_eq!(value(&text, "anton_webhook_deliveries_due"), Some(0.0));
    let age = value(&text, "anton_webhook_oldest_due_age_seconds").unwrap();
    assert!(age > 0.0 && age < 60.0, "{age}");
    let disabled = app
        .client
        .patch(format!(
            "{}/v1/webhook_endpoints/{}",
            app.base,
            ep["id"].as_str().unwrap()
        ))
        .bearer_auth(&app.key)
        .json(&json!({"status": "disabled"}))
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), StatusCode::OK);
    let text = scrape(&app).await;
    assert_eq!(
        value(&text, "anton_webhook_endpoints{state=\"disabled\"}"),
        Some(1.0)
    );
    assert_eq!(
        value(&text, "anton_webhook_endpoints{state=\"enabled\"}"),
        Some(0.0)
    );
}

crate::both_backends!(traffic_shows_in_the_metrics_and_nothing_secret_does);
crate::both_backends!(the_backlog_gauges_show_undelivered_work);

/// A receiver whose certificate the node does not trust (its own CA, never given to the node):
/// nothing reaches it, and each attempt is a `tls` failure — in the delivery's attempt log and in
/// `anton_webhook_attempts_total{outcome="tls"}`.
async fn an_untrusted_certificate_is_a_tls_failure(backend: Backend) {
    let trusted = receiver().await;
    let untrusted = receiver().await;
    let app = app_for(
        backend,
        &trusted,
        &[],
        Arc::new(TestLookup::default()),
        &FAST,
    )
    .await;
    let ep = create_endpoint(&app, &untrusted.url, json!(["payout.created"])).await;
    app.fund(&app.key, 10_000, "USD").await;
    let rcp = app.create_recipient(&app.key, "6789").await;
    let created = app
        .create_payout(&app.key, rcp["id"].as_str().unwrap(), 1_000)
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let series = "anton_webhook_attempts_total{outcome=\"tls\"}";
    let deadline = Instant::now() + Duration::from_secs(20);
    while value(&scrape(&app).await, series).unwrap_or(0.0) < 1.0 {
        assert!(Instant::now() < deadline, "no tls failure counted");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The metric counts an attempt as it is recorded; its attempt log commits a moment later.
    let deliveries = loop {
        let page: serde_json::Value = app
            .get(
                &format!(
                    "/v1/webhook_endpoints/{}/deliveries",
                    ep["id"].as_str().unwrap()
                ),
                &app.key,
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if page["data"][0]["attempt_log"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        {
            break page;
        }
        assert!(Instant::now() < deadline, "no attempt logged: {page}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let log = &deliveries["data"][0]["attempt_log"];
    assert!(!log.as_array().unwrap().is_empty(), "{deliveries}");
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .all(|a| a["error_class"] == "tls"),
        "{deliveries}"
    );
    assert!(untrusted.shared.got.lock().unwrap().is_empty());
    assert_eq!(
        value(
            &scrape(&app).await,
            "anton_webhook_attempts_total{outcome=\"2xx\"}"
        ),
        None
    );
}

crate::both_backends!(an_untrusted_certificate_is_a_tls_failure);
