//! Webhook delivery end to end: a real local HTTPS receiver (its own test CA, trusted through
//! `webhooks.extra_root_ca`), the real dispatcher, both backends.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anton_engine::webhooks::ssrf::NameLookup;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::Engine;
use futures_util::future::BoxFuture;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::helpers::{error_of, spawn_app_with, Backend, TestApp};

#[derive(Clone)]
pub(crate) struct Got {
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    peer: SocketAddr,
}

#[derive(Clone, Default)]
pub(crate) struct Shared {
    pub(crate) got: Arc<Mutex<Vec<Got>>>,
    /// How long each request is held before answering.
    pub(crate) delay_ms: Arc<std::sync::atomic::AtomicU64>,
    /// The status answered; 0 = 200.
    pub(crate) status: Arc<AtomicU16>,
    /// Event types whose first arrival is answered with 500 (to see a retry).
    fail_first: Arc<Mutex<HashMap<String, bool>>>,
    /// (endpoint path, event id) pairs being received right now, and how often one arrived
    /// while already in flight (two senders at once).
    in_flight: Arc<Mutex<std::collections::HashSet<String>>>,
    pub(crate) overlaps: Arc<std::sync::atomic::AtomicUsize>,
    /// The status answered on `/hook/other` (0 = 200), so one receiver can serve an endpoint
    /// that fails beside one that does not.
    pub(crate) other_status: Arc<AtomicU16>,
}

/// A local HTTPS webhook receiver with its own CA.
pub(crate) struct Receiver {
    pub(crate) url: String,
    pub(crate) ca: std::path::PathBuf,
    pub(crate) shared: Shared,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn hook(
    State(s): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let other = uri.path() == "/hook/other";
    let id = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["type"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let event_id = headers
        .get("anton-event-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if !s.in_flight.lock().unwrap().insert(event_id.clone()) {
        s.overlaps.fetch_add(1, Ordering::SeqCst);
    }
    s.got.lock().unwrap().push(Got {
        headers,
        body,
        peer,
    });
    let delay = s.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    s.in_flight.lock().unwrap().remove(&event_id);
    if let Some(first) = s.fail_first.lock().unwrap().get_mut(&id) {
        if *first {
            *first = false;
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
    }
    let status = if other { &s.other_status } else { &s.status };
    match status.load(Ordering::SeqCst) {
        0 => StatusCode::OK,
        n => StatusCode::from_u16(n).unwrap(),
    }
}

pub(crate) async fn receiver() -> Receiver {
    let dir = tempfile::tempdir().unwrap();
    anton_server::tls::generate_local_ca(dir.path(), &["localhost", "127.0.0.1"]).unwrap();
    let tls = anton_server::tls::server_config(
        &dir.path().join("server.pem"),
        &dir.path().join("server.key"),
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let shared = Shared::default();
    let app = Router::new()
        .route("/hook", post(hook))
        .route("/hook/other", post(hook))
        .with_state(shared.clone());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(anton_server::startup::serve(
        listener,
        Arc::new(tls),
        app,
        async move {
            let _ = rx.await;
        },
    ));
    Receiver {
        url: format!("https://localhost:{port}/hook"),
        ca: dir.path().join("ca.pem"),
        shared,
        _dir: dir,
        _stop: tx,
    }
}

/// A resolver whose answers the test sets (and changes).
#[derive(Default)]
pub(crate) struct TestLookup(pub(crate) Mutex<HashMap<String, Vec<IpAddr>>>);

impl NameLookup for TestLookup {
    fn lookup(&self, host: String) -> BoxFuture<'static, std::io::Result<Vec<IpAddr>>> {
        let answer = self.0.lock().unwrap().get(&host).cloned();
        Box::pin(async move {
            answer.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such host"))
        })
    }
}

/// Retries for the tests that are not about the schedule: the first after 1.3 s, then fast. With
/// the ±20% jitter the first retry comes at least 1.04 s after the failed attempt, so its
/// whole-second timestamp always differs (1.1 s could jitter down to 0.88 s and, once, did).
pub(crate) const FAST: [u64; 4] = [1_300, 50, 50, 50];

pub(crate) async fn app_for(
    backend: Backend,
    r: &Receiver,
    egress: &[&str],
    lookup: Arc<TestLookup>,
    schedule: &[u64],
) -> TestApp {
    let egress: Vec<IpAddr> = egress.iter().map(|e| e.parse().unwrap()).collect();
    let schedule = schedule.to_vec();
    app_with(backend, r, lookup, move |w| {
        w.retry_schedule_ms = schedule;
        w.egress_ips = egress;
    })
    .await
}

async fn app_with(
    backend: Backend,
    r: &Receiver,
    lookup: Arc<TestLookup>,
    customize: impl FnOnce(&mut anton_server::config::WebhooksConfig),
) -> TestApp {
    lookup
        .0
        .lock()
        .unwrap()
        .insert("localhost".into(), vec!["127.0.0.1".parse().unwrap()]);
    let ca = r.ca.clone();
    spawn_app_with(
        backend,
        move |c| {
            c.workers = true;
            c.webhooks.extra_root_ca = Some(ca);
            c.webhooks.allow_private = vec!["localhost".into()];
            c.webhooks.retry_schedule_ms = FAST.to_vec();
            c.webhooks.poll_interval_ms = 20;
            customize(&mut c.webhooks);
        },
        Some(lookup),
    )
    .await
}

pub(crate) async fn create_endpoint(app: &TestApp, url: &str, events: Value) -> Value {
    let r = app
        .post("/v1/webhook_endpoints", &app.key)
        .json(&json!({"url": url, "enabled_events": events}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

pub(crate) async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn types(got: &[Got]) -> Vec<String> {
    got.iter()
        .map(|g| {
            serde_json::from_slice::<Value>(&g.body).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// Both header sets, computed here from the secret and the raw body.
fn assert_signed(g: &Got, secret: &str) {
    let h = |n: &str| g.headers.get(n).unwrap().to_str().unwrap().to_owned();
    let sig = h("anton-signature");
    let t = sig.split(',').find_map(|p| p.strip_prefix("t=")).unwrap();
    let now = anton_store::now_us() / 1_000_000;
    assert!(
        (now - t.parse::<i64>().unwrap()).abs() < 60,
        "fresh timestamp"
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(&g.body);
    let expected = hex::encode(mac.finalize().into_bytes());
    assert!(
        sig.split(',').any(|p| p == format!("v1={expected}")),
        "Anton-Signature verifies"
    );

    let raw = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&raw).unwrap();
    mac.update(format!("{}.{}.", h("webhook-id"), h("webhook-timestamp")).as_bytes());
    mac.update(&g.body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert!(
        h("webhook-signature")
            .split(' ')
            .any(|p| p == format!("v1,{expected}")),
        "webhook-signature verifies"
    );
    assert_eq!(h("webhook-timestamp"), t);
    assert_eq!(h("anton-event-id"), h("webhook-id"));
}

async fn subscribed_events_arrive_signed_and_retries_are_fresh(backend: Backend) {
    let r = receiver().await;
    let app = app_for(backend, &r, &[], Arc::default(), &FAST).await;
    let ep = create_endpoint(&app, &r.url, json!(["payout.created", "payout.paid"])).await;
    let secret = ep["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    // The secret is shown once: reading the endpoint does not show it.
    let again: Value = app
        .get(
            &format!("/v1/webhook_endpoints/{}", ep["id"].as_str().unwrap()),
            &app.key,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(again.get("secret").is_none());

    // The first payout.created delivery fails; the retry succeeds.
    r.shared
        .fail_first
        .lock()
        .unwrap()
        .insert("payout.created".into(), true);
    app.fund(&app.key, 10_000, "USD").await;
    let rcp = app.create_recipient(&app.key, "6789").await; // any other last4 is paid
    let payout: Value = app
        .create_payout(&app.key, rcp["id"].as_str().unwrap(), 500)
        .await
        .json()
        .await
        .unwrap();
    let created_event = {
        let list: Value = app
            .get("/v1/events?type=payout.created", &app.key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        list["data"][0]["id"].as_str().unwrap().to_owned()
    };

    let got = r.shared.got.clone();
    wait_for("payout.created twice and payout.paid", || {
        let t = types(&got.lock().unwrap());
        t.iter().filter(|x| *x == "payout.created").count() >= 2
            && t.contains(&"payout.paid".to_owned())
    })
    .await;
    let got = r.shared.got.lock().unwrap().clone();
    for g in &got {
        assert_signed(g, &secret);
        let body: Value = serde_json::from_slice(&g.body).unwrap();
        assert_eq!(body["data"]["object"]["id"], payout["id"]);
    }
    // Only the subscribed types: no recipient.created, payout.processing, balance events.
    assert!(
        types(&got)
            .iter()
            .all(|t| t == "payout.created" || t == "payout.paid"),
        "{:?}",
        types(&got)
    );
    let created: Vec<&Got> = got
        .iter()
        .filter(|g| g.headers["anton-event-id"] == created_event.as_str())
        .collect();
    assert_eq!(
        created[0].body, created[1].body,
        "the same bytes every time"
    );
    assert_ne!(
        created[0].headers["webhook-timestamp"], created[1].headers["webhook-timestamp"],
        "the retry is signed afresh"
    );

    // The attempt log shows the failure and the success.
    let ep_id = ep["id"].as_str().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let list: Value = app
            .get(
                &format!("/v1/webhook_endpoints/{ep_id}/deliveries?event={created_event}"),
                &app.key,
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let d = &list["data"][0];
        if d["status"] == "succeeded" {
            assert_eq!(d["attempts"], 2);
            assert_eq!(d["attempt_log"][0]["status_code"], 500);
            assert_eq!(d["attempt_log"][0]["error_class"], "http_status");
            assert_eq!(d["attempt_log"][1]["status_code"], 200);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "delivery recorded as succeeded: {d}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The default three-day schedule, run in seconds by moving the dispatcher's clock forward.
async fn a_dead_receiver_exhausts_and_recover_delivers(backend: Backend) {
    let r = receiver().await;
    // The real schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, 24 h.
    let schedule = anton_server::config::WebhooksConfig::default().retry_schedule_ms;
    assert_eq!(schedule.len(), 8);
    let app = app_for(backend, &r, &[], Arc::default(), &schedule).await;
    r.shared.status.store(503, Ordering::SeqCst);
    let ep = create_endpoint(&app, &r.url, json!(["recipient.created"])).await;
    let ep_id = ep["id"].as_str().unwrap().to_owned();
    // Filters follow every list's rule: a value no delivery could have is a 400 naming it.
    for (query, param) in [("status=bogus", "status"), ("event=po_1", "event")] {
        let (status, body) = error_of(
            app.get(
                &format!("/v1/webhook_endpoints/{ep_id}/deliveries?{query}"),
                &app.key,
            )
            .send()
            .await
            .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["error"]["code"], "parameter_invalid", "{query}");
        assert_eq!(body["error"]["param"], param, "{query}");
    }
    app.create_recipient(&app.key, "0002").await;
    app.create_recipient(&app.key, "0003").await;
    // 1 + 8 retries each, then exhausted (and delivery.exhausted recorded as an event).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        app.webhooks.clock.advance(Duration::from_secs(1800));
        let list: Value = app
            .get(
                &format!("/v1/webhook_endpoints/{ep_id}/deliveries?status=exhausted"),
                &app.key,
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if list["data"].as_array().unwrap().len() == 2 {
            assert_eq!(list["data"][0]["attempts"], 9);
            assert_eq!(list["data"][0]["attempt_log"].as_array().unwrap().len(), 9);
            // Times are RFC 3339 like everywhere else in the API (docs/reference.md §2).
            for t in [
                &list["data"][0]["created"],
                &list["data"][0]["attempt_log"][0]["started"],
            ] {
                let t = t.as_str().unwrap();
                assert!(
                    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                        .is_ok(),
                    "{t}"
                );
            }
            break;
        }
        assert!(Instant::now() < deadline, "both deliveries exhausted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let exhausted: Value = app
        .get("/v1/events?type=delivery.exhausted", &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(exhausted["data"].as_array().unwrap().len(), 2);

    // The receiver comes back; recover sends everything again.
    r.shared.status.store(0, Ordering::SeqCst);
    let before = r.shared.got.lock().unwrap().len();
    let rec: Value = app
        .post(&format!("/v1/webhook_endpoints/{ep_id}/recover"), &app.key)
        .json(&json!({"since": "1970-01-01T00:00:00Z"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rec["deliveries"], 2);
    let got = r.shared.got.clone();
    wait_for("both recipients redelivered", || {
        got.lock().unwrap().len() >= before + 2
    })
    .await;
}

async fn egress_addresses_are_used_and_published(backend: Backend) {
    let r = receiver().await;
    let app = app_for(
        backend,
        &r,
        &["127.0.0.2", "127.0.0.3"],
        Arc::default(),
        &FAST,
    )
    .await;
    let list: Value = app
        .client
        .get(format!("{}/v1/egress_ips", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["data"],
        json!([{"ip": "127.0.0.2"}, {"ip": "127.0.0.3"}])
    );
    create_endpoint(&app, &r.url, json!(["*"])).await;
    for last4 in ["0002", "0003", "0004", "0005"] {
        app.create_recipient(&app.key, last4).await;
    }
    let got = r.shared.got.clone();
    wait_for("four deliveries", || got.lock().unwrap().len() >= 4).await;
    let peers: std::collections::BTreeSet<String> = got
        .lock()
        .unwrap()
        .iter()
        .map(|g| g.peer.ip().to_string())
        .collect();
    assert!(
        peers.iter().all(|p| p == "127.0.0.2" || p == "127.0.0.3"),
        "deliveries come only from the egress addresses: {peers:?}"
    );
}

/// At least 30 destinations the guard refuses at creation; nothing is written.
async fn ssrf_destinations_are_refused(backend: Backend) {
    let lookup = Arc::new(TestLookup::default());
    {
        let mut m = lookup.0.lock().unwrap();
        m.insert("loopback.test".into(), vec!["127.0.0.1".parse().unwrap()]);
        m.insert(
            "mixed.test".into(),
            vec![
                "93.184.216.34".parse().unwrap(),
                "10.0.0.5".parse().unwrap(),
            ],
        );
        m.insert(
            "metadata.test".into(),
            vec!["169.254.169.254".parse().unwrap()],
        );
        m.insert("rebind.test".into(), vec!["93.184.216.34".parse().unwrap()]);
    }
    let r = receiver().await;
    let app = app_for(backend, &r, &[], lookup.clone(), &FAST).await;
    let corpus = [
        "https://127.0.0.1/hook",
        "https://127.1.2.3/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[::ffff:7f00:1]/hook",
        "https://[::127.0.0.1]/hook",
        "https://10.0.0.1/hook",
        "https://172.16.5.4/hook",
        "https://172.31.255.255/hook",
        "https://192.168.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://169.254.1.1/hook",
        "https://100.64.0.1/hook",
        "https://100.127.255.254/hook",
        "https://0.0.0.0/hook",
        "https://0/hook",
        "https://2130706433/hook",
        "https://0x7f000001/hook",
        "https://0x7f.0.0.1/hook",
        "https://0177.0.0.1/hook",
        "https://017700000001/hook",
        "https://127.1/hook",
        "https://[fc00::1]/hook",
        "https://[fd00:ec2::254]/hook",
        "https://[fe80::1]/hook",
        "https://[::]/hook",
        "https://[64:ff9b::a9fe:a9fe]/hook",
        "https://[2002:7f00:1::]/hook",
        "https://224.0.0.1/hook",
        "https://255.255.255.255/hook",
        "https://loopback.test/hook",
        "https://mixed.test/hook",
        "https://metadata.test/hook",
        "https://unresolvable.test/hook",
        "https://user:pass@example.com/hook",
        "ftp://example.com/hook",
        "not a url",
    ];
    assert!(corpus.len() >= 30);
    for url in corpus {
        let resp = app
            .post("/v1/webhook_endpoints", &app.key)
            .json(&json!({"url": url, "enabled_events": ["*"]}))
            .send()
            .await
            .unwrap();
        let (status, body) = error_of(resp).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url}: {body}");
        assert_eq!(body["error"]["code"], "url_invalid", "{url}");
        assert_eq!(body["error"]["param"], "url");
    }
    assert_eq!(app.count("webhook_endpoints").await, 0);

    // A name that is public at creation and loopback at delivery is refused at connect time.
    let ep = create_endpoint(
        &app,
        "https://rebind.test/hook",
        json!(["recipient.created"]),
    )
    .await;
    lookup
        .0
        .lock()
        .unwrap()
        .insert("rebind.test".into(), vec!["127.0.0.1".parse().unwrap()]);
    app.create_recipient(&app.key, "0002").await;
    let ep_id = ep["id"].as_str().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let list: Value = app
            .get(
                &format!("/v1/webhook_endpoints/{ep_id}/deliveries"),
                &app.key,
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if let Some(a) = list["data"][0]["attempt_log"].get(0) {
            assert_eq!(a["error_class"], "refused_destination", "{a}");
            break;
        }
        assert!(Instant::now() < deadline, "an attempt is recorded");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        r.shared.got.lock().unwrap().is_empty(),
        "nothing reached the loopback receiver"
    );
}

fn v1_count(g: &Got) -> usize {
    g.headers["anton-signature"]
        .to_str()
        .unwrap()
        .split(',')
        .filter(|p| p.starts_with("v1="))
        .count()
}

async fn rotation_signs_with_both_secrets_until_the_old_one_expires(backend: Backend) {
    let r = receiver().await;
    let app = app_for(backend, &r, &[], Arc::default(), &FAST).await;
    let ep = create_endpoint(&app, &r.url, json!(["recipient.created"])).await;
    let id = ep["id"].as_str().unwrap();
    let old = ep["secret"].as_str().unwrap().to_owned();
    let rotate = |expire: i64| {
        app.post(
            &format!("/v1/webhook_endpoints/{id}/rotate_secret"),
            &app.key,
        )
        .json(&json!({"expire_previous_in_seconds": expire}))
        .send()
    };
    let rotated: Value = rotate(3600).await.unwrap().json().await.unwrap();
    let new = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(old, new);

    app.create_recipient(&app.key, "0002").await;
    let got = r.shared.got.clone();
    wait_for("the first delivery", || got.lock().unwrap().len() == 1).await;
    let first = got.lock().unwrap()[0].clone();
    assert_eq!(v1_count(&first), 2, "one signature per active secret");
    assert_eq!(
        first.headers["webhook-signature"]
            .to_str()
            .unwrap()
            .split(' ')
            .count(),
        2
    );
    assert_signed(&first, &old);
    assert_signed(&first, &new);

    // Rotating with no overlap: only the newest secret signs.
    let rotated: Value = rotate(0).await.unwrap().json().await.unwrap();
    let newest = rotated["secret"].as_str().unwrap().to_owned();
    app.create_recipient(&app.key, "0003").await;
    wait_for("the second delivery", || got.lock().unwrap().len() == 2).await;
    let second = got.lock().unwrap()[1].clone();
    assert_eq!(v1_count(&second), 1);
    assert_signed(&second, &newest);

    // Bad input is refused and changes nothing.
    let (status, body) = error_of(rotate(604_801).await.unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["param"], "expire_previous_in_seconds");
}

async fn gone_disables_the_endpoint_and_resend_delivers_again(backend: Backend) {
    let r = receiver().await;
    let app = app_for(backend, &r, &[], Arc::default(), &FAST).await;
    r.shared.status.store(410, Ordering::SeqCst);
    let ep = create_endpoint(
        &app,
        &r.url,
        json!(["recipient.created", "webhook_endpoint.disabled"]),
    )
    .await;
    let id = ep["id"].as_str().unwrap().to_owned();
    app.create_recipient(&app.key, "0002").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let e: Value = app
            .get(&format!("/v1/webhook_endpoints/{id}"), &app.key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if e["status"] == "disabled" {
            break;
        }
        assert!(Instant::now() < deadline, "410 disables the endpoint");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let disabled: Value = app
        .get("/v1/events?type=webhook_endpoint.disabled", &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(disabled["data"][0]["data"]["object"]["id"], id.as_str());
    // The endpoint list filters by status.
    for (status, n) in [("disabled", 1), ("enabled", 0)] {
        let page: Value = app
            .get(&format!("/v1/webhook_endpoints?status={status}"), &app.key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(page["data"].as_array().unwrap().len(), n, "{status}");
    }
    let (status, body) = error_of(
        app.get("/v1/webhook_endpoints?status=paused", &app.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["param"], "status");
    assert_eq!(
        r.shared.got.lock().unwrap().len(),
        1,
        "one attempt: 410 is not retried"
    );

    let event: Value = app
        .get("/v1/events?type=recipient.created", &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let event_id = event["data"][0]["id"].as_str().unwrap();
    // While it is disabled, a resend is refused and says why; nothing is queued.
    let deliveries = app.count("webhook_deliveries").await;
    let (status, body) = error_of(
        app.post(&format!("/v1/events/{event_id}/resend"), &app.key)
            .json(&json!({"endpoint": id}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "webhook_endpoint_disabled");
    assert_eq!(body["error"]["param"], "endpoint");
    assert_eq!(app.count("webhook_deliveries").await, deliveries);

    // Re-enabled, the receiver back: a resend delivers the event now.
    r.shared.status.store(0, Ordering::SeqCst);
    let patched = app
        .client
        .patch(format!("{}/v1/webhook_endpoints/{id}", app.base))
        .bearer_auth(&app.key)
        .json(&json!({"status": "enabled"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
    let d: Value = app
        .post(&format!("/v1/events/{event_id}/resend"), &app.key)
        .json(&json!({"endpoint": id}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["object"], "webhook_delivery");
    assert_eq!(d["status"], "pending");
    let got = r.shared.got.clone();
    wait_for("the resent event", || got.lock().unwrap().len() >= 2).await;
    let kinds = types(&got.lock().unwrap());
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    assert_eq!(got.lock().unwrap()[1].headers["anton-event-id"], event_id);
    // Another merchant's endpoint is a 404.
    let (_, other_key) = app.other_merchant().await;
    let (status, _) = error_of(
        app.post(&format!("/v1/events/{event_id}/resend"), &other_key)
            .json(&json!({"endpoint": id}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The event catalogue and a test send, through the SDK: the test event is signed like every
/// delivery, posted now, answered with the attempt's outcome (also when the receiver fails), and
/// leaves nothing behind — no event, no delivery.
async fn a_test_event_is_sent_now_and_answered_with_its_outcome(backend: Backend) {
    let r = receiver().await;
    let app = app_for(backend, &r, &[], Arc::default(), &FAST).await;
    let sdk = crate::sdk::sdk(&app, &app.key);
    let catalogue = sdk.event_types().await.unwrap();
    assert!(catalogue.iter().any(|t| t.kind == "payout.paid"
        && t.data_object == "payout"
        && !t.description.is_empty()));
    assert!(catalogue.iter().any(|t| t.kind == "payout.updated"));
    // Each type points at its events' schema in the served document.
    let document: Value = app
        .client
        .get(format!("{}/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for t in &catalogue {
        let pointer = t.schema.strip_prefix("/v1/openapi.json#").unwrap();
        let schema = document.pointer(pointer).unwrap_or(&Value::Null);
        assert!(
            schema["description"].is_string(),
            "{}: {}",
            t.kind,
            t.schema
        );
    }
    let payout_paid = catalogue.iter().find(|t| t.kind == "payout.paid").unwrap();
    assert!(payout_paid.schema.ends_with("/PayoutEvent"));
    assert!(catalogue.iter().all(|t| t.kind != "webhook_endpoint.test"));
    // Every type of the catalogue may be subscribed to.
    let all: Vec<&str> = catalogue.iter().map(|t| t.kind.as_str()).collect();
    create_endpoint(&app, &r.url, json!(all)).await;

    let ep = create_endpoint(&app, &r.url, json!(["payout.paid"])).await;
    let id = ep["id"].as_str().unwrap();
    let secret = ep["secret"].as_str().unwrap();
    let before = (
        app.count("events").await,
        app.count("webhook_deliveries").await,
    );
    let sent = sdk.webhook_endpoints().test(id).await.unwrap();
    assert!(sent.succeeded, "{sent:?}");
    assert_eq!((sent.status_code, sent.error.as_deref()), (Some(200), None));
    assert_eq!(sent.event.kind, "webhook_endpoint.test");
    assert_eq!(sent.event.data.object["id"], id);
    let got = r.shared.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_signed(&got[0], secret);
    let posted: Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(posted["id"], sent.event.id.as_str());

    r.shared.status.store(503, Ordering::SeqCst);
    let sent = sdk.webhook_endpoints().test(id).await.unwrap();
    assert!(!sent.succeeded);
    assert_eq!(
        (sent.status_code, sent.error.as_deref()),
        (Some(503), Some("http_status"))
    );
    assert_eq!(r.shared.got.lock().unwrap().len(), 2);
    let after = (
        app.count("events").await,
        app.count("webhook_deliveries").await,
    );
    assert_eq!(after, before, "a test send stores nothing");
    // A description is set, and cleared with null, as on every object.
    for (description, expected) in [
        (json!("Orders"), json!("Orders")),
        (json!(null), json!(null)),
    ] {
        let patched: Value = app
            .client
            .patch(format!("{}/v1/webhook_endpoints/{id}", app.base))
            .bearer_auth(&app.key)
            .json(&json!({ "description": description }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(patched["description"], expected);
    }
    // Another merchant's endpoint is a 404.
    let (_, other_key) = app.other_merchant().await;
    let err = crate::sdk::sdk(&app, &other_key)
        .webhook_endpoints()
        .test(id)
        .await
        .unwrap_err();
    assert_eq!(err.api().expect("an API error").status, 404);
}

/// A dead destination: accepts TCP connections and holds them, never completing a TLS handshake,
/// so every attempt runs into the timeout. Returns its port on 127.0.0.1.
async fn dead_destination() -> u16 {
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = dead.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = dead.accept().await {
            held.push(s);
        }
    });
    port
}

/// A node configured by `customize`, with `dead` endpoints at one dead destination subscribed to
/// `recipient.created`, and a healthy endpoint at `r` subscribed to `payout.created`.
async fn dead_endpoints_and_a_healthy_one(
    backend: Backend,
    r: &Receiver,
    dead: usize,
    customize: impl FnOnce(&mut anton_server::config::WebhooksConfig),
) -> TestApp {
    let dead_port = dead_destination().await;
    let app = app_with(backend, r, Arc::default(), customize).await;
    for _ in 0..dead {
        create_endpoint(
            &app,
            &format!("https://localhost:{dead_port}/hook"),
            json!(["recipient.created"]),
        )
        .await;
    }
    create_endpoint(&app, &r.url, json!(["payout.created"])).await;
    app
}

/// Creates a payout and waits for its event to reach the healthy endpoint at `r` (the only thing
/// it receives); returns how long that took from the payout's creation.
async fn payout_delivered_to(app: &TestApp, r: &Receiver) -> Duration {
    app.fund(&app.key, 1_000, "USD").await;
    let rcp = app.create_recipient(&app.key, "6789").await;
    let start = Instant::now();
    app.create_payout(&app.key, rcp["id"].as_str().unwrap(), 100)
        .await;
    let got = r.shared.got.clone();
    wait_for("the healthy endpoint's delivery", || {
        !got.lock().unwrap().is_empty()
    })
    .await;
    let took = start.elapsed();
    assert_eq!(types(&got.lock().unwrap()), ["payout.created"]);
    took
}

/// An endpoint that accepts connections and never answers, with a backlog of thousands, does not
/// hold up another endpoint's deliveries.
async fn a_dead_endpoint_does_not_delay_a_healthy_one(backend: Backend) {
    let r = receiver().await;
    let app = dead_endpoints_and_a_healthy_one(backend, &r, 1, |w| w.timeout_ms = 3_000).await;
    // Thousands of deliveries waiting for the dead endpoint.
    let mut tasks = Vec::new();
    for w in 0..16 {
        let (client, base, key) = (app.client.clone(), app.base.clone(), app.key.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..125 {
                let r = client
                    .post(format!("{base}/v1/recipients"))
                    .bearer_auth(&key)
                    .json(
                        &json!({"name": format!("R {w} {i}"), "bank_account": {"type": "gb_fps",
                        "sort_code": "10-20-30", "account_number": "12345678"}}),
                    )
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), StatusCode::OK);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.count("webhook_deliveries").await < 2_000 {
        assert!(Instant::now() < deadline, "the backlog is fanned out");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Now a payout: its event reaches the healthy endpoint while the backlog waits.
    payout_delivered_to(&app, &r).await;
}

/// Several dead endpoints together could fill the node's attempt slots (`max_in_flight`, here 8)
/// at their concurrency cap (10 each) for a whole timeout; each holds at most its window instead
/// (2 at first, 1 once it has not answered), so a healthy endpoint's delivery goes out at once.
async fn dead_endpoints_together_do_not_hold_up_a_healthy_one(backend: Backend) {
    let r = receiver().await;
    let app = dead_endpoints_and_a_healthy_one(backend, &r, 3, |w| {
        w.timeout_ms = 6_000;
        w.max_in_flight = 8;
    })
    .await;
    for i in 0..20 {
        app.create_recipient(&app.key, &format!("{:04}", 1000 + i))
            .await;
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.count("webhook_deliveries").await < 60 {
        assert!(
            Instant::now() < deadline,
            "the dead endpoints' deliveries are fanned out"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The dead endpoints' first attempts are under way (each hangs until the 6 s timeout).
    let took = payout_delivered_to(&app, &r).await;
    assert!(
        took < Duration::from_secs(3),
        "the healthy delivery waited {took:?}, as if behind the dead endpoints' attempts"
    );
}

/// Endpoints that do not answer share at most half of a node's attempt slots, however many of
/// them there are: here two dead endpoints (one slot each once they have not answered) and a node
/// with two slots. Every dead attempt hangs until the 4 s timeout and their retries come back
/// within 1.3 s, so without the share both slots stay taken and a healthy endpoint's delivery
/// waits for a timeout (measured: 4.0 s).
async fn endpoints_that_do_not_answer_leave_half_the_slots_to_the_others(backend: Backend) {
    let r = receiver().await;
    let app = dead_endpoints_and_a_healthy_one(backend, &r, 2, |w| {
        w.timeout_ms = 4_000;
        w.max_in_flight = 2;
    })
    .await;
    for i in 0..2 {
        app.create_recipient(&app.key, &format!("{:04}", 1000 + i))
            .await;
    }
    // Wait until each dead endpoint has failed twice. After its first failure it counts as not
    // answering; an attempt that started before (its window is 2 at first) ends by its second.
    let pool = app.store.read().clone();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let failed: Vec<i64> = sqlx::query_scalar(
            "SELECT COUNT(*) FROM webhook_attempts a \
             JOIN webhook_deliveries d ON d.merchant_id = a.merchant_id AND d.env = a.env \
             AND d.id = a.delivery_id GROUP BY d.endpoint_id",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        if failed.len() == 2 && failed.iter().all(|&n| n >= 2) {
            break;
        }
        assert!(Instant::now() < deadline, "both dead endpoints tried");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = payout_delivered_to(&app, &r).await;
    assert!(
        took < Duration::from_secs(2),
        "the healthy delivery waited {took:?}, as if both slots were the dead endpoints'"
    );
}

/// An endpoint that answered fast, so a node claimed many of its deliveries ahead, starts hanging:
/// its window falls to one and the deliveries queued here can no longer all start before their
/// lease runs out. Those are not attempted here; their leases lapse and they are claimed again.
/// Were they attempted anyway, the same delivery would also be claimed again after its lease and
/// sent twice under one attempt number — so every request the receiver saw must be in the attempt
/// log, one row each.
async fn deliveries_whose_lease_would_run_out_are_left_to_lapse_not_sent_twice(backend: Backend) {
    let r = receiver().await;
    // Lease: 10 × the 500 ms timeout. Retries 1.3 s apart, enough of them never to exhaust here.
    let app = app_with(backend, &r, Arc::default(), |w| {
        w.timeout_ms = 500;
        w.retry_schedule_ms = vec![1_300; 10];
    })
    .await;
    create_endpoint(&app, &r.url, json!(["recipient.created"])).await;
    // Fast answers open the endpoint's window to its cap (10).
    for i in 0..5 {
        app.create_recipient(&app.key, &format!("{:04}", 1000 + i))
            .await;
    }
    let got = r.shared.got.clone();
    wait_for("the first deliveries", || got.lock().unwrap().len() == 5).await;
    // Now every request hangs past the timeout. 40 events: claimed ahead at once (window 10 × 8
    // rounds), then attempted one at a time, 0.5 s each, far longer than their 5 s lease.
    r.shared.delay_ms.store(2_000, Ordering::SeqCst);
    for i in 0..40 {
        app.create_recipient(&app.key, &format!("{:04}", 2000 + i))
            .await;
    }
    // Well past the lease (10 at once, then one per 0.5 s: the 35th request comes after ~13 s,
    // when what is left queued here is under a prefetch and expired leases get claimed again),
    // then the endpoint answers again and everything is delivered.
    let deadline = Instant::now() + Duration::from_secs(60);
    while got.lock().unwrap().len() < 5 + 35 {
        assert!(Instant::now() < deadline, "hanging attempts");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    r.shared.delay_ms.store(0, Ordering::SeqCst);
    let pool = app.store.read().clone();
    loop {
        let succeeded: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'succeeded'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        if succeeded == 45 {
            break;
        }
        assert!(Instant::now() < deadline, "all 45 delivered ({succeeded})");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let logged: HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>(
        "SELECT d.event_id, COUNT(*) FROM webhook_attempts a JOIN webhook_deliveries d \
         ON d.merchant_id = a.merchant_id AND d.env = a.env AND d.id = a.delivery_id \
         GROUP BY d.event_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap()
    .into_iter()
    .collect();
    let mut seen: HashMap<String, i64> = HashMap::new();
    for g in got.lock().unwrap().iter() {
        let id = g.headers["anton-event-id"].to_str().unwrap().to_owned();
        *seen.entry(id).or_default() += 1;
    }
    assert_eq!(seen.len(), 45);
    for (event, n) in &seen {
        assert_eq!(
            logged.get(event),
            Some(n),
            "{event}: {n} requests arrived, the attempt log has {:?}",
            logged.get(event)
        );
    }
}

/// A per-endpoint rate limit (here 2/s, bursts of 4) spreads a burst of events out in time.
async fn an_endpoint_rate_limit_spreads_a_burst(backend: Backend) {
    let r = receiver().await;
    let app = app_with(backend, &r, Arc::default(), |w| {
        w.rate_per_endpoint_per_s = 2
    })
    .await;
    create_endpoint(&app, &r.url, json!(["recipient.created"])).await;
    let start = Instant::now();
    for i in 0..10 {
        app.create_recipient(&app.key, &format!("{:04}", 10 + i))
            .await;
    }
    let got = r.shared.got.clone();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let n = got.lock().unwrap().len();
        let budget = 4.0 + 2.0 * start.elapsed().as_secs_f64() + 1.0;
        assert!(
            (n as f64) <= budget,
            "{n} deliveries after {:?}",
            start.elapsed()
        );
        if n == 10 {
            break;
        }
        assert!(Instant::now() < deadline, "all ten delivered");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A stopping node finishes the attempts under way and records them, and gives the deliveries it
/// claimed but had not started back (their leases released), so they are due again at once
/// instead of after the lease.
async fn a_stopping_node_finishes_attempts_and_gives_back_the_rest(backend: Backend) {
    let r = receiver().await;
    // Each request is held 1.5 s; two at a time: the rest wait, claimed, for a slot.
    r.shared.delay_ms.store(1_500, Ordering::SeqCst);
    let mut app = app_with(backend, &r, Arc::default(), |w| {
        w.max_concurrency_per_endpoint = 2;
        w.timeout_ms = 10_000;
    })
    .await;
    create_endpoint(&app, &r.url, json!(["recipient.created"])).await;
    for i in 0..8 {
        app.create_recipient(&app.key, &format!("{:04}", 100 + i))
            .await;
    }
    // Wait until all eight are claimed (leased) and two are at the receiver.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let leased: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE lease_us IS NOT NULL",
        )
        .fetch_one(app.store.read())
        .await
        .unwrap();
        if leased == 8 && r.shared.got.lock().unwrap().len() == 2 {
            break;
        }
        assert!(Instant::now() < deadline, "eight claimed, two under way");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let stopping = Instant::now();
    app.stop().await;
    assert!(
        stopping.elapsed() < Duration::from_secs(10),
        "the stop waits for the attempts under way, not for the whole backlog"
    );
    assert_eq!(r.shared.got.lock().unwrap().len(), 2, "nothing new started");
    let rows: Vec<(String, i64, Option<i64>)> =
        sqlx::query_as("SELECT status, attempts, lease_us FROM webhook_deliveries ORDER BY status")
            .fetch_all(app.store.read())
            .await
            .unwrap();
    let succeeded: Vec<_> = rows.iter().filter(|r| r.0 == "succeeded").collect();
    assert_eq!(
        succeeded.len(),
        2,
        "the two under way finished and were recorded: {rows:?}"
    );
    assert!(succeeded.iter().all(|r| r.1 == 1 && r.2.is_none()));
    let given_back: Vec<_> = rows.iter().filter(|r| r.0 == "pending").collect();
    assert_eq!(given_back.len(), 6, "{rows:?}");
    assert!(
        given_back.iter().all(|r| r.1 == 0 && r.2.is_none()),
        "unstarted deliveries are unleased and unattempted: {rows:?}"
    );
}

crate::both_backends!(
    a_stopping_node_finishes_attempts_and_gives_back_the_rest,
    an_endpoint_rate_limit_spreads_a_burst,
    rotation_signs_with_both_secrets_until_the_old_one_expires,
    gone_disables_the_endpoint_and_resend_delivers_again,
    a_test_event_is_sent_now_and_answered_with_its_outcome,
    a_dead_endpoint_does_not_delay_a_healthy_one,
    dead_endpoints_together_do_not_hold_up_a_healthy_one,
    endpoints_that_do_not_answer_leave_half_the_slots_to_the_others,
    deliveries_whose_lease_would_run_out_are_left_to_lapse_not_sent_twice,
    subscribed_events_arrive_signed_and_retries_are_fresh,
    a_dead_receiver_exhausts_and_recover_delivers,
    egress_addresses_are_used_and_published,
    ssrf_destinations_are_refused,
);

/// PostgreSQL only: a table filled faster than autovacuum looks gets its planner statistics from
/// Anton (`Store::refresh_statistics`, run every 100 ms by each node) as soon as it has grown,
/// without waiting for the statistics collector; without them every keyed lookup on it walked
/// the merchant's whole backlog (docs/benchmarks.md).
#[tokio::test]
async fn a_freshly_filled_table_gets_planner_statistics() {
    if crate::helpers::skip_postgres() {
        return;
    }
    let app = crate::helpers::spawn_app(Backend::Postgres).await;
    let analyzed = |table: &'static str| {
        let pool = app.store.read().clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM pg_stat_user_tables WHERE relname = $1 \
                 AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)",
            )
            .bind(table)
            .fetch_one(&pool)
            .await
            .unwrap()
                == 1
        }
    };
    assert!(!analyzed("webhook_attempts").await);
    app.store
        .write(|c| {
            Box::pin(async move {
                // Only Anton may analyze it here, not autovacuum.
                sqlx::query("ALTER TABLE webhook_attempts SET (autovacuum_enabled = false)")
                    .execute(&mut *c)
                    .await?;
                sqlx::query(
                    "INSERT INTO webhook_attempts (merchant_id, env, delivery_id, attempt, started_us, \
                     latency_us, status_code, response_body, error_class) \
                     SELECT 'mer_x', 'test', 'del_' || i, 1, i, 1, 200, NULL, NULL \
                     FROM generate_series(1, 2000) AS i",
                )
                .execute(&mut *c)
                .await?;
                Ok(())
            })
        })
        .await
        .unwrap();
    // The statistics collector may not have heard of the new rows yet (it lags by a second or
    // more); the table's size on disk is current at once, so the next refresh analyzes it — or
    // the node's own refresher already did.
    app.store.refresh_statistics().await.unwrap();
    assert!(
        analyzed("webhook_attempts").await,
        "a table that grew from empty to 2,000 rows is analyzed by the next refresh"
    );
    let again = app.store.refresh_statistics().await.unwrap();
    assert!(
        !again.iter().any(|t| t == "webhook_attempts"),
        "an analyzed table is left alone until it changes a lot again: {again:?}"
    );
}
