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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_database_gives_503_and_the_node_recovers_by_itself() {
    let admin = url::Url::parse(&crate::helpers::pg_admin_url()).unwrap();
    let target: SocketAddr = format!(
        "{}:{}",
        admin.host_str().unwrap().replace("localhost", "127.0.0.1"),
        admin.port().unwrap_or(5432)
    )
    .parse()
    .unwrap();
    let proxy = Proxy::start(target).await;
    let proxy_addr = proxy.addr;
    let app = spawn_app_with(
        Backend::Postgres,
        move |c| {
            let mut u = url::Url::parse(c.database_url.as_deref().unwrap()).unwrap();
            u.set_host(Some("127.0.0.1")).unwrap();
            u.set_port(Some(proxy_addr.port())).unwrap();
            c.database_url = Some(u.to_string());
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
