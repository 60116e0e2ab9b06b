//! Per-merchant alerts (docs/reference.md §8): each rule driven by a real scenario over HTTPS —
//! a revoked key used from 127.0.0.5, a secret key from a browser, a key from a new address, a
//! spike of 401s, a 5xx, a failing and a disabled endpoint — seen through the SDK and as a
//! verified `alert.raised` delivery, then resolved when the condition clears (`alert.resolved`).

use std::net::IpAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anton_core::id::KeyId;
use anton_core::keys::Environment;
use anton_engine::audit::Actor;
use anton_engine::operator::{self, KeySpec};
use anton_sdk::types::{Alert, ListParams};
use anton_sdk::Webhook;
use futures_util::TryStreamExt;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_of, spawn_app_with, Backend, TestApp};
use crate::sdk::sdk;
use crate::webhooks::{receiver, Receiver, TestLookup};

/// A node with its workers on (rail, dispatcher, alert evaluation every 50 ms, 5 401s in a
/// minute for a spike, the default quiet period of 15 minutes: nothing resolves by the clock
/// during a test unless [`after_quiet`] runs a pass 15 minutes ahead), and an endpoint subscribed to `alert.*` on a real
/// HTTPS receiver. Returns the endpoint's signing secret.
pub(crate) async fn alert_app(backend: Backend) -> (TestApp, Receiver, String) {
    let r = receiver().await;
    let lookup = Arc::new(TestLookup::default());
    lookup
        .0
        .lock()
        .unwrap()
        .insert("localhost".into(), vec!["127.0.0.1".parse().unwrap()]);
    let ca = r.ca.clone();
    let app = spawn_app_with(
        backend,
        move |c| {
            c.workers = true;
            c.webhooks.extra_root_ca = Some(ca);
            c.webhooks.allow_private = vec!["localhost".into()];
            c.webhooks.retry_schedule_ms = crate::webhooks::FAST.to_vec();
            c.webhooks.poll_interval_ms = 20;
            c.alerts.evaluate_every_ms = 50;
            c.alerts.auth_failures_threshold = 5;
            c.alerts.auth_failures_window_s = 60;
        },
        Some(lookup),
    )
    .await;
    let ep: Value = app
        .post("/v1/webhook_endpoints", &app.key)
        .json(&json!({"url": r.url, "enabled_events": ["alert.raised", "alert.resolved"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = ep["secret"].as_str().unwrap().to_owned();
    (app, r, secret)
}

async fn key(app: &TestApp, scopes: Option<&[&str]>) -> (String, KeyId) {
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
            name: "alert test".into(),
            created_by: "tests".into(),
        },
        &Actor::operator(),
    )
    .await
    .unwrap();
    (key.expose_secret().to_owned(), record.id)
}

/// An HTTPS client to the node that connects from `from` (a loopback address).
fn client_from(app: &TestApp, from: &str) -> reqwest::Client {
    let ca = std::fs::read(app.ca_path()).unwrap();
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .local_address(from.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

/// The first alert `pick` accepts, once there is one (a pass runs every 50 ms after the request
/// log's round is written).
async fn alert_where(app: &TestApp, pick: impl Fn(&Alert) -> bool) -> Alert {
    let client = sdk(app, &app.key);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let all: Vec<Alert> = client
            .alerts()
            .list_all(ListParams::new())
            .try_collect()
            .await
            .unwrap();
        if let Some(a) = all.into_iter().find(&pick) {
            return a;
        }
        assert!(Instant::now() < deadline, "no such alert");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// An engine of its own on the node's database, as a second worker would run it (the node's
/// thresholds; `email`: it queues alert emails, as a node with `[smtp]` does).
pub(crate) fn side_engine(app: &TestApp, email: bool) -> anton_engine::Engine {
    let config = anton_engine::EngineConfig {
        alerts: anton_engine::alerts::AlertsConfig {
            auth_failures_threshold: 5,
            auth_failures_window_s: 60,
            email,
            ..Default::default()
        },
        ..Default::default()
    };
    anton_engine::Engine::new(
        app.store.clone(),
        app.secrets.clone(),
        config,
        Arc::new(anton_engine::webhooks::ssrf::SystemLookup),
    )
}

/// Once the request log lists `n` requests of key `id` (their round, and its signals, are
/// written), one alert pass of a [`side_engine`]: every signal of those requests is then
/// evaluated.
async fn settle(app: &TestApp, id: &KeyId, n: usize) {
    let client = sdk(app, &app.key);
    let deadline = Instant::now() + Duration::from_secs(20);
    while client
        .requests()
        .list(&ListParams::new().filter("api_key", id.as_str()))
        .await
        .unwrap()
        .data
        .len()
        < n
    {
        assert!(Instant::now() < deadline, "requests not logged");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    side_engine(app, false)
        .evaluate_alerts(anton_store::now_us())
        .await
        .unwrap();
}

/// A pass of a [`side_engine`] one quiet period (and a second) from now: what has been quiet
/// until now is resolved, deterministically. Returns the engine (its metrics count the pass).
async fn after_quiet(app: &TestApp, email: bool) -> anton_engine::Engine {
    let engine = side_engine(app, email);
    let quiet = i64::try_from(engine.config().alerts.quiet_period_s).unwrap() + 1;
    engine
        .evaluate_alerts(anton_store::now_us() + quiet * 1_000_000)
        .await
        .unwrap();
    engine
}

/// The delivery of event `kind` about alert `id`, verified with the endpoint's secret.
async fn verified_delivery(r: &Receiver, secret: &str, kind: &str, id: &str) -> Value {
    let webhook = Webhook::new(secret).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let got = r.shared.got.lock().unwrap().clone();
        for g in got {
            let sig = g.headers["anton-signature"].to_str().unwrap();
            // Deliveries to the test's other endpoint are signed with its own secret.
            let Ok(event) = webhook.verify(&g.body, sig) else {
                continue;
            };
            if event.kind == kind && event.data.object["id"] == id {
                return event.data.object;
            }
        }
        assert!(Instant::now() < deadline, "no verified {kind} for {id}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn a_revoked_key_in_use_raises_an_alert_naming_it_and_the_address(backend: Backend) {
    let (app, r, secret) = alert_app(backend).await;
    let (stolen, stolen_id) = key(&app, None).await;
    operator::revoke_key(&app.store, &app.merchant, &stolen_id, &Actor::operator())
        .await
        .unwrap();
    let from5 = client_from(&app, "127.0.0.5");
    let use_it = || async {
        let s = from5
            .get(format!("{}/v1/balance", app.base))
            .bearer_auth(&stolen)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    };
    use_it().await;
    let subject = stolen_id.to_string();
    let alert = alert_where(&app, |a| {
        a.rule == "api_key_revoked_used" && a.subject == subject
    })
    .await;
    assert_eq!(
        (alert.severity.as_str(), alert.status.as_str()),
        ("critical", "open")
    );
    assert_eq!(alert.details["api_key"], stolen_id.as_str());
    assert_eq!(alert.details["source_ip"], "127.0.0.5");
    assert_eq!(alert.details["error_code"], "api_key_revoked");
    let raised = verified_delivery(&r, &secret, "alert.raised", &alert.id).await;
    assert_eq!(raised["details"]["source_ip"], "127.0.0.5");
    assert!(!serde_json::to_string(&alert).unwrap().contains(&stolen));

    // Still used: the same alert counts, no second one.
    use_it().await;
    use_it().await;
    let counted = alert_where(&app, |a| a.id == alert.id && a.count >= 3).await;
    assert_eq!(counted.status, "open");

    // Acknowledge, through the API, with a key holding alerts:write; read with alerts:read only.
    let (reader, _) = key(&app, Some(&["alerts:read"])).await;
    let (writer, writer_id) = key(&app, Some(&["alerts:write"])).await;
    let denied = sdk(&app, &reader)
        .alerts()
        .acknowledge(&alert.id)
        .await
        .unwrap_err();
    assert_eq!(denied.api().map(|e| e.status), Some(403));
    let acked = sdk(&app, &writer)
        .alerts()
        .acknowledge(&alert.id)
        .await
        .unwrap();
    assert_eq!(acked.status, "acknowledged");
    assert_eq!(acked.acknowledged_by.as_deref(), Some(writer_id.as_str()));
    let open: Vec<Alert> = sdk(&app, &reader)
        .alerts()
        .list_all(ListParams::new().filter("status", "acknowledged"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        open.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        [alert.id.as_str()]
    );
    let (_, other_key) = app.other_merchant().await;
    let theirs = sdk(&app, &other_key)
        .alerts()
        .get(&alert.id)
        .await
        .unwrap_err();
    assert_eq!(theirs.api().map(|e| e.status), Some(404));
    for (bad, code) in [
        ("status=closed", "parameter_invalid"),
        ("rule=key_stolen", "parameter_invalid"),
        ("severity=critical", "parameter_unknown"),
    ] {
        let (status, body) = error_of(
            app.get(&format!("/v1/alerts?{bad}"), &reader)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{bad}"
        );
    }

    // The CLI lists it.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_anton"))
        .args(["alerts", "list", "--status", "acknowledged", "--json"])
        .env("ANTON_API_KEY", &reader)
        .env("ANTON_BASE_URL", &app.base)
        .env("ANTON_CA_FILE", app.ca_path())
        .env("ANTON_CONFIG_DIR", app.data_dir.path().join("cli"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed["id"], alert.id.as_str());

    // Quiet for the quiet period: resolved by Anton, announced.
    let side = after_quiet(&app, false).await;
    let resolved = alert_where(&app, |a| a.id == alert.id && a.status == "resolved").await;
    assert_eq!(resolved.resolved_by.as_deref(), Some("anton"));
    let event = verified_delivery(&r, &secret, "alert.resolved", &alert.id).await;
    assert_eq!(event["status"], "resolved");

    // The operator counts them (all merchants together, by rule), with no key or address.
    let metrics = crate::metrics::scrape(&app).await;
    let raised = r#"anton_alerts_total{rule="api_key_revoked_used",event="raised"} 1"#;
    assert!(metrics.contains(raised), "{raised} in {metrics}");
    let resolved = r#"anton_alerts_total{rule="api_key_revoked_used",event="resolved"} 1"#;
    assert!(
        side.metrics().render().contains(resolved),
        "counted by the pass that resolved it"
    );
    assert!(!metrics.contains(stolen_id.as_str()) && !metrics.contains("127.0.0.5"));
}

/// A new secret key sent from a browser (refused, 403), and the alert it raises.
pub(crate) async fn key_from_a_browser(app: &TestApp) -> (KeyId, Alert) {
    let (k, id) = key(app, None).await;
    let refused = app
        .get("/v1/balance", &k)
        .header("Origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let subject = id.to_string();
    let a = alert_where(app, |a| {
        a.rule == "api_key_from_browser" && a.subject == subject
    })
    .await;
    (id, a)
}

async fn a_secret_key_from_a_browser_raises_a_critical_alert(backend: Backend) {
    let (app, r, secret) = alert_app(backend).await;
    let (id, a) = key_from_a_browser(&app).await;
    assert_eq!(
        (a.severity.as_str(), a.details["api_key"].as_str()),
        ("critical", Some(id.as_str()))
    );
    verified_delivery(&r, &secret, "alert.raised", &a.id).await;
}

/// Resolved alerts are deleted `retention_days` (90 by default) after their resolution, with
/// their queued emails; an open alert stays however old it is.
async fn resolved_alerts_are_swept_after_the_retention(backend: Backend) {
    let (app, _r, _secret) = alert_app(backend).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        ids.push(key_from_a_browser(&app).await.1.id);
    }
    let (resolved, open) = (&ids[0], &ids[1]);
    let (writer, _) = key(&app, Some(&["alerts:read", "alerts:write"])).await;
    let client = sdk(&app, &writer);
    // An action without parameters takes no body or `{}`; whitespace alone is not JSON.
    let (status, err) = error_of(
        app.post(&format!("/v1/alerts/{resolved}/resolve"), &writer)
            .header("Content-Type", "application/json")
            .body("\t")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_json"))
    );
    assert_eq!(client.alerts().get(resolved).await.unwrap().status, "open");
    assert_eq!(
        client.alerts().resolve(resolved).await.unwrap().status,
        "resolved"
    );
    // An email queued for the resolved alert goes with it.
    let tenant = anton_store::Tenant::new(app.merchant.clone(), Environment::Test);
    let record = anton_store::alerts::get(app.store.read(), &tenant, &resolved.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    app.store
        .write(move |c| {
            Box::pin(async move {
                anton_store::alerts::queue_email(c, &record, "resolved", anton_store::now_us())
                    .await
            })
        })
        .await
        .unwrap();
    assert_eq!(app.count("alert_emails").await, 1);
    let engine = side_engine(&app, false);
    let day = 86_400 * 1_000_000;
    let now = anton_store::now_us();
    assert_eq!(engine.sweep_alerts(now + 89 * day).await.unwrap(), 0);
    assert_eq!(
        client.alerts().get(resolved).await.unwrap().status,
        "resolved"
    );
    assert_eq!(engine.sweep_alerts(now + 91 * day).await.unwrap(), 1);
    assert_eq!(app.count("alert_emails").await, 0);
    let gone = client.alerts().get(resolved).await.unwrap_err();
    assert_eq!(gone.api().map(|e| e.status), Some(404));
    assert_eq!(client.alerts().get(open).await.unwrap().status, "open");
}

async fn a_key_from_a_new_address_raises_an_alert(backend: Backend) {
    let (app, r, secret) = alert_app(backend).await;
    let (k, id) = key(&app, Some(&["balance:read"])).await;
    for from in ["127.0.0.1", "127.0.0.1"] {
        let s = client_from(&app, from)
            .get(format!("{}/v1/balance", app.base))
            .bearer_auth(&k)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(s, StatusCode::OK);
    }
    // The first address is the key's baseline: no alert for it, even after a pass.
    settle(&app, &id, 2).await;
    let client = sdk(&app, &app.key);
    let none = client
        .alerts()
        .list(&ListParams::new().filter("rule", "api_key_new_address"))
        .await
        .unwrap();
    assert!(none.data.is_empty(), "{:?}", none.data);
    let s = client_from(&app, "127.0.0.7")
        .get(format!("{}/v1/balance", app.base))
        .bearer_auth(&k)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(s, StatusCode::OK);
    let subject = format!("{id}@127.0.0.7");
    let a = alert_where(&app, |a| {
        a.rule == "api_key_new_address" && a.subject == subject
    })
    .await;
    assert_eq!(a.severity, "info");
    assert_eq!(a.details["known_addresses"], json!(["127.0.0.1"]));
    verified_delivery(&r, &secret, "alert.raised", &a.id).await;
}

async fn a_spike_of_401s_raises_one_alert(backend: Backend) {
    let (app, r, secret) = alert_app(backend).await;
    let (k, id) = key(&app, None).await;
    operator::revoke_key(&app.store, &app.merchant, &id, &Actor::operator())
        .await
        .unwrap();
    // Four 401s: under the threshold of five.
    for _ in 0..4 {
        let s = app.get("/v1/balance", &k).send().await.unwrap().status();
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    settle(&app, &id, 4).await;
    let client = sdk(&app, &app.key);
    let spikes = |c: anton_sdk::Client| async move {
        c.alerts()
            .list(&ListParams::new().filter("rule", "auth_failures_spike"))
            .await
            .unwrap()
            .data
    };
    assert!(spikes(client.clone()).await.is_empty());
    let s = app.get("/v1/balance", &k).send().await.unwrap().status();
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let a = alert_where(&app, |a| a.rule == "auth_failures_spike").await;
    assert_eq!((a.severity.as_str(), a.subject.as_str()), ("warning", ""));
    assert!(a.details["count_in_window"].as_i64().unwrap() >= 5, "{a:?}");
    verified_delivery(&r, &secret, "alert.raised", &a.id).await;
    assert_eq!(spikes(client).await.len(), 1);
}

/// A 5xx: the database refuses one recipient's insert (a trigger), as a broken database would.
async fn a_5xx_answered_to_the_merchant_raises_an_alert(backend: Backend) {
    let (app, r, secret) = alert_app(backend).await;
    let statements: Vec<&str> = match backend {
        Backend::Sqlite => vec![
            "CREATE TRIGGER explode BEFORE INSERT ON recipients WHEN NEW.name = 'Explode' \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
        ],
        Backend::Postgres => vec![
            "CREATE FUNCTION explode() RETURNS trigger AS $$ BEGIN \
             IF NEW.name = 'Explode' THEN RAISE EXCEPTION 'refused by the test'; END IF; \
             RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER explode BEFORE INSERT ON recipients FOR EACH ROW \
             EXECUTE FUNCTION explode()",
        ],
    };
    for sql in statements {
        app.exec(sql).await;
    }
    let resp = app
        .post("/v1/recipients", &app.key)
        .json(
            &json!({"name": "Explode", "bank_account": {"type": "us_ach",
            "routing_number": "110000000", "account_number": "000123456789",
            "account_type": "checking"}}),
        )
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_server_error(), "{}", resp.status());
    let request_id = resp.headers()["request-id"].to_str().unwrap().to_owned();
    let a = alert_where(&app, |a| a.rule == "server_errors").await;
    assert_eq!(a.details["request_id"], request_id.as_str());
    assert_eq!(a.details["route"], "/v1/recipients");
    verified_delivery(&r, &secret, "alert.raised", &a.id).await;
}

/// An endpoint that fails: an alert until it succeeds again; one that answers 410: disabled,
/// an alert until it is enabled again. (The failing endpoint is `/hook/other` on the receiver
/// that gets the alerts on `/hook`.)
async fn failing_and_disabled_endpoints_raise_alerts_until_they_recover(backend: Backend) {
    let (app, r, secret) = alert_app(backend).await;
    let ep: Value = app
        .post("/v1/webhook_endpoints", &app.key)
        .json(&json!({"url": format!("{}/other", r.url), "enabled_events": ["recipient.created"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ep_id = ep["id"].as_str().unwrap().to_owned();
    r.shared.other_status.store(500, Ordering::SeqCst);
    app.create_recipient(&app.key, "1111").await;
    let failing = alert_where(&app, |a| {
        a.rule == "webhook_endpoint_failing" && a.subject == ep_id
    })
    .await;
    assert_eq!(failing.details["url"], format!("{}/other", r.url));
    verified_delivery(&r, &secret, "alert.raised", &failing.id).await;
    // It recovers: the next retry succeeds, the alert is resolved.
    r.shared.other_status.store(0, Ordering::SeqCst);
    let resolved = alert_where(&app, |a| a.id == failing.id && a.status == "resolved").await;
    assert_eq!(resolved.resolved_by.as_deref(), Some("anton"));
    verified_delivery(&r, &secret, "alert.resolved", &failing.id).await;

    // 410 Gone: disabled at once.
    r.shared.other_status.store(410, Ordering::SeqCst);
    app.create_recipient(&app.key, "2222").await;
    let disabled = alert_where(&app, |a| {
        a.rule == "webhook_endpoint_disabled" && a.subject == ep_id
    })
    .await;
    assert_eq!(disabled.status, "open");
    verified_delivery(&r, &secret, "alert.raised", &disabled.id).await;
    let enabled = app
        .client
        .patch(format!("{}/v1/webhook_endpoints/{ep_id}", app.base))
        .bearer_auth(&app.key)
        .json(&json!({"status": "enabled"}))
        .send()
        .await
        .unwrap();
    assert_eq!(enabled.status(), StatusCode::OK);
    alert_where(&app, |a| a.id == disabled.id && a.status == "resolved").await;
    verified_delivery(&r, &secret, "alert.resolved", &disabled.id).await;
}

/// A real SMTP relay: aiosmtpd (PyPI) requiring STARTTLS with a certificate of a test CA,
/// writing what it receives to a maildir. `ANTON_TEST_AIOSMTPD` set (CI sets it): a missing
/// aiosmtpd fails the test; unset: the test says so and passes when there is none.
struct SmtpRelay {
    child: std::process::Child,
    port: u16,
    maildir: std::path::PathBuf,
    ca: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for SmtpRelay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn smtp_relay() -> Option<SmtpRelay> {
    let has = std::process::Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    if !has {
        assert!(
            std::env::var_os("ANTON_TEST_AIOSMTPD").is_none(),
            "ANTON_TEST_AIOSMTPD is set but python3 cannot import aiosmtpd: \
             pip install aiosmtpd (or unset the variable to skip this test)"
        );
        eprintln!("aiosmtpd is not installed: the SMTP test is skipped");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    anton_server::tls::generate_local_ca(dir.path(), &["localhost"]).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let maildir = dir.path().join("maildir");
    let child = std::process::Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--tlscert")
        .arg(dir.path().join("server.pem"))
        .arg("--tlskey")
        .arg(dir.path().join("server.key"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start aiosmtpd");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "aiosmtpd did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Some(SmtpRelay {
        child,
        port,
        maildir,
        ca: dir.path().join("ca.pem"),
        _dir: dir,
    })
}

/// The text of the first message in the relay's maildir that contains `needle`.
async fn mail_with(relay: &SmtpRelay, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(relay.maildir.join(sub)) {
                for e in entries.flatten() {
                    let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                    if text.contains(needle) {
                        return text;
                    }
                }
            }
        }
        assert!(Instant::now() < deadline, "no mail containing {needle}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn alerts_are_emailed_through_a_real_smtp_relay(backend: Backend) {
    let Some(relay) = smtp_relay().await else {
        return;
    };
    let (port, ca) = (relay.port, relay.ca.clone());
    let app = spawn_app_with(
        backend,
        move |c| {
            c.workers = true;
            c.alerts.evaluate_every_ms = 50;
            c.smtp.host = Some("localhost".into());
            c.smtp.port = port;
            c.smtp.from = "Anton alerts <alerts@anton.test>".into();
            c.smtp.ca_file = Some(ca);
        },
        None,
    )
    .await;
    operator::set_alert_emails(
        &app.store,
        &app.merchant,
        &["ops@merchant.test".into(), "oncall@merchant.test".into()],
        &Actor::operator(),
    )
    .await
    .unwrap();
    let (stolen, stolen_id) = key(&app, None).await;
    operator::revoke_key(&app.store, &app.merchant, &stolen_id, &Actor::operator())
        .await
        .unwrap();
    let s = client_from(&app, "127.0.0.5")
        .get(format!("{}/v1/balance", app.base))
        .bearer_auth(&stolen)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let subject = stolen_id.to_string();
    let alert = alert_where(&app, |a| {
        a.rule == "api_key_revoked_used" && a.subject == subject
    })
    .await;

    let raised = mail_with(&relay, &format!("raised alert {}", alert.id)).await;
    assert!(
        raised.contains("Subject: [Anton] critical: api_key_revoked_used"),
        "{raised}"
    );
    assert!(raised.contains("ops@merchant.test") && raised.contains("oncall@merchant.test"));
    assert!(raised.contains("alerts@anton.test"));
    assert!(raised.contains("127.0.0.5"), "the address is in the email");
    assert!(!raised.contains(&stolen), "never the key");

    after_quiet(&app, true).await;
    let resolved = mail_with(&relay, &format!("resolved alert {}", alert.id)).await;
    assert!(
        resolved.contains("Subject: [Anton] Resolved: api_key_revoked_used"),
        "{resolved}"
    );
    // The mailer counts an email once it is recorded as sent, a moment after the relay has it.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !crate::metrics::scrape(&app)
        .await
        .contains(r#"anton_alert_emails_total{outcome="sent"} 2"#)
    {
        assert!(Instant::now() < deadline, "two emails counted as sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

crate::both_backends!(
    a_revoked_key_in_use_raises_an_alert_naming_it_and_the_address,
    resolved_alerts_are_swept_after_the_retention,
    a_secret_key_from_a_browser_raises_a_critical_alert,
    a_key_from_a_new_address_raises_an_alert,
    a_spike_of_401s_raises_one_alert,
    a_5xx_answered_to_the_merchant_raises_an_alert,
    failing_and_disabled_endpoints_raise_alerts_until_they_recover,
    alerts_are_emailed_through_a_real_smtp_relay,
);
