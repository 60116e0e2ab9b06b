//! The database connection cut in the middle of a run (a TCP proxy between Anton and
//! PostgreSQL): requests fail with 503 and a request id, `/readyz` fails, nothing is half
//! written, and the node recovers by itself when the database returns.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::{error_of, spawn_app_with, Backend};

/// Forwards to PostgreSQL while up; when cut, drops every open connection and refuses new ones.
struct Proxy {
    addr: SocketAddr,
    up: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let conns: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>> = Arc::default();
        let (up2, conns2) = (up.clone(), conns.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !up2.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                conns2.lock().unwrap().push(task);
            }
        });
        Self { addr, up, conns }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for t in self.conns.lock().unwrap().drain(..) {
            t.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// The test PostgreSQL server's address.
fn pg_server() -> SocketAddr {
    let admin = url::Url::parse(&crate::helpers::pg_admin_url()).unwrap();
    format!(
        "{}:{}",
        admin.host_str().unwrap().replace("localhost", "127.0.0.1"),
        admin.port().unwrap_or(5432)
    )
    .parse()
    .unwrap()
}

/// Points the node's database URL at the proxy.
fn through(c: &mut anton_server::config::Config, proxy: SocketAddr) {
    let mut u = url::Url::parse(c.database_url.as_deref().unwrap()).unwrap();
    u.set_host(Some("127.0.0.1")).unwrap();
    u.set_port(Some(proxy.port())).unwrap();
    c.database_url = Some(u.to_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_database_gives_503_and_the_node_recovers_by_itself() {
    if crate::helpers::skip_postgres() {
        return;
    }
    let proxy = Proxy::start(pg_server()).await;
    let proxy_addr = proxy.addr;
    let app = spawn_app_with(
        Backend::Postgres,
        move |c| {
            through(c, proxy_addr);
        },
        None,
    )
    .await;
    app.fund(&app.key, 10_000, "USD").await;
    let rcp = app.create_recipient(&app.key, "6789").await;
    let rcp = rcp["id"].as_str().unwrap().to_owned();
    let payout = |key: &'static str| {
        app.post("/v1/payouts", &app.key)
            .header("Idempotency-Key", key)
            .json(&json!({"amount": 700, "currency": "USD", "recipient": rcp}))
            .send()
    };
    let ready = || async {
        app.client
            .get(format!("{}/readyz", app.base))
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(ready().await, reqwest::StatusCode::OK);

    proxy.cut();
    // Writes and reads: 503 in the error envelope, with the request id; never a 500.
    let (status, body) = error_of(payout("fault-1").await.unwrap()).await;
    assert_eq!(status, reqwest::StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["type"], "api_error");
    assert!(body["error"]["request_id"]
        .as_str()
        .unwrap()
        .starts_with("req_"));
    let (status, _) = error_of(app.get("/v1/payouts", &app.key).send().await.unwrap()).await;
    assert_eq!(status, reqwest::StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready().await, reqwest::StatusCode::SERVICE_UNAVAILABLE);
    let health = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        health.status(),
        reqwest::StatusCode::OK,
        "the process is alive"
    );

    proxy.restore();
    // The node reconnects by itself.
    let deadline = Instant::now() + Duration::from_secs(30);
    while ready().await != reqwest::StatusCode::OK {
        assert!(Instant::now() < deadline, "/readyz recovers");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let created: Value = loop {
        let r = payout("fault-1").await.unwrap();
        if r.status() == reqwest::StatusCode::OK {
            break r.json().await.unwrap();
        }
        assert!(Instant::now() < deadline, "the retried payout goes through");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // Nothing half-written: exactly one payout for the key, the ledger balanced.
    let all = app.list_all(&app.key, "/v1/payouts", 100).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["id"], created["id"]);
    let balance: Value = app.balance(&app.key).await;
    assert_eq!(balance["available"][0]["amount"], 9_300);
    app.assert_ledger_balanced(&app.tenant()).await;
}

/// Attempts finished while the database is away are recorded once it is back — the recorder
/// writes a failed batch again — instead of waiting out their leases (minutes) and being sent a
/// second time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attempts_that_finish_during_an_outage_are_recorded_once_it_ends() {
    if crate::helpers::skip_postgres() {
        return;
    }
    let proxy = Proxy::start(pg_server()).await;
    let proxy_addr = proxy.addr;
    let r = crate::webhooks::receiver().await;
    let lookup = Arc::new(crate::webhooks::TestLookup::default());
    lookup
        .0
        .lock()
        .unwrap()
        .insert("localhost".into(), vec!["127.0.0.1".parse().unwrap()]);
    let ca = r.ca.clone();
    let app = spawn_app_with(
        Backend::Postgres,
        move |c| {
            through(c, proxy_addr);
            c.workers = true;
            c.webhooks.extra_root_ca = Some(ca);
            c.webhooks.allow_private = vec!["localhost".into()];
            c.webhooks.poll_interval_ms = 20;
        },
        Some(lookup),
    )
    .await;
    let ep = crate::webhooks::create_endpoint(&app, &r.url, json!(["recipient.created"])).await;
    let ep_id = ep["id"].as_str().unwrap().to_owned();
    // The receiver holds each request for 1.5 s: the attempt is under way when the database goes.
    r.shared.delay_ms.store(1_500, Ordering::SeqCst);
    app.create_recipient(&app.key, "4321").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while r.shared.got.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the delivery arrives");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let arrived = Instant::now();
    proxy.cut();
    // The receiver answers 1.5 s after the arrival; the attempt's record fails against the cut
    // database. The outage ends shortly after.
    tokio::time::sleep(
        (arrived + Duration::from_millis(1_700)).saturating_duration_since(Instant::now()),
    )
    .await;
    proxy.restore();
    let deadline = Instant::now() + Duration::from_secs(20);
    let delivery = loop {
        let list = app
            .get(
                &format!("/v1/webhook_endpoints/{ep_id}/deliveries"),
                &app.key,
            )
            .send()
            .await
            .unwrap();
        if list.status() == reqwest::StatusCode::OK {
            let list: Value = list.json().await.unwrap();
            if list["data"][0]["status"] == "succeeded" {
                break list["data"][0].clone();
            }
        }
        assert!(
            Instant::now() < deadline,
            "the attempt is recorded after the outage, not left to its lease"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(delivery["attempts"], 1, "{delivery}");
    assert_eq!(r.shared.got.lock().unwrap().len(), 1, "sent once");
}
