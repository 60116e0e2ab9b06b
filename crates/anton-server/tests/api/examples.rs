//! The SDK's examples (`crates/anton-sdk/examples/`), run as programs against a running server:
//! `send_payout` pays an order exactly once; `receiver` gets the dispatcher's real deliveries,
//! processes each event once, and refuses a forged one.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anton_sdk::types::{ListParams, NewRecipient, NewWebhookEndpoint};
use futures_util::TryStreamExt;
use serde_json::Value;

use crate::helpers::{spawn_app_with, Backend};
use crate::sdk::{ach, sdk};

/// The example's binary, built beside the `anton` binary. `cargo test --workspace` builds it;
/// when only this package was built, build it now.
fn example(name: &str) -> PathBuf {
    let target = PathBuf::from(env!("CARGO_BIN_EXE_anton"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = target.join("examples").join(name);
    if !path.exists() {
        let status = Command::new(env!("CARGO"))
            .args([
                "build",
                "--locked",
                "-p",
                "anton-sdk",
                "--all-features",
                "--examples",
            ])
            .status()
            .unwrap();
        assert!(status.success(), "building the SDK examples");
    }
    path
}

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn send_payout_pays_an_order_exactly_once(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}, None).await;
    let c = sdk(&app, &app.key);
    c.test_helpers().fund_balance(10_000, "USD").await.unwrap();
    let r = c
        .recipients()
        .create(&NewRecipient::new("Order Payee", ach("000123456789")))
        .await
        .unwrap();
    let run = |order: &str, recipient: &str| {
        Command::new(example("send_payout"))
            .args([order, recipient, "1250", "USD"])
            .env("ANTON_API_KEY", &app.key)
            .env("ANTON_BASE_URL", &app.base)
            .env("ANTON_CA_FILE", app.ca_path())
            .output()
            .unwrap()
    };
    let first = run("ORDER-7", &r.id);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let first: Value = serde_json::from_slice(&first.stdout).unwrap();
    let again: Value = serde_json::from_slice(&run("ORDER-7", &r.id).stdout).unwrap();
    assert_eq!(
        first["payout"], again["payout"],
        "the same order, the same payout"
    );
    let payouts: Vec<_> = c
        .payouts()
        .list_all(ListParams::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(payouts.len(), 1);
    assert_eq!(payouts[0].metadata["order"], "ORDER-7");
    assert_eq!(c.balance().get().await.unwrap().available_in("USD"), 8_750);
    // A refused payout: a clear message with the request id, exit 1, and nothing written.
    let refused = run("ORDER-8", "rcp_doesnotexist00000000");
    assert_eq!(refused.status.code(), Some(1));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("req_") && !err.contains(&app.key), "{err}");
}

async fn the_receiver_processes_each_delivery_once_and_refuses_forgeries(backend: Backend) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = spawn_app_with(
        backend,
        |c| {
            c.workers = true;
            c.webhooks.allow_private = vec!["localhost".into()];
            c.webhooks.poll_interval_ms = 20;
        },
        None,
    )
    .await;
    let c = sdk(&app, &app.key);
    let ep = c
        .webhook_endpoints()
        .create(&NewWebhookEndpoint::new(
            format!("http://localhost:{port}/webhooks"),
            &["recipient.created"],
        ))
        .await
        .unwrap();
    let mut child = Command::new(example("receiver"))
        .env("ANTON_WEBHOOK_SECRET", ep.secret.as_deref().unwrap())
        .env("RECEIVER_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let _child = Kill(child);
    let lines = Arc::new(Mutex::new(Vec::<Value>::new()));
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str(&line) {
                sink.lock().unwrap().push(v);
            }
        }
    });
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = rx.recv_timeout(Duration::from_secs(30)).unwrap();
    assert!(line.starts_with("listening"), "{line}");

    // A real delivery from the dispatcher.
    c.recipients()
        .create(&NewRecipient::new("Webhook Payee", ach("000123456789")))
        .await
        .unwrap();
    let wait_lines = |n: usize| {
        let lines = lines.clone();
        async move {
            let deadline = Instant::now() + Duration::from_secs(30);
            while lines.lock().unwrap().len() < n {
                assert!(Instant::now() < deadline, "{n} deliveries processed");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    wait_lines(1).await;
    let first = lines.lock().unwrap()[0].clone();
    assert_eq!(first["type"], "recipient.created");
    assert_eq!(first["duplicate"], false);
    // The same event again (a resend is the same event id): acknowledged, not processed again.
    c.events()
        .resend(first["event"].as_str().unwrap(), &ep.id)
        .await
        .unwrap();
    wait_lines(2).await;
    let second = lines.lock().unwrap()[1].clone();
    assert_eq!(second["event"], first["event"]);
    assert_eq!(second["duplicate"], true);

    // A forged delivery gets 400 and never reaches the handler.
    let forged = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/webhooks"))
        .header("Anton-Signature", "t=1764331200,v1=00")
        .body(r#"{"id":"evt_forged"}"#)
        .send()
        .await
        .unwrap();
    // (The handler always answers 200: a 400 means it never ran.)
    assert_eq!(forged.status(), reqwest::StatusCode::BAD_REQUEST);
    assert_eq!(
        forged.text().await.unwrap(),
        r#"{"error":"timestamp_outside_tolerance"}"#
    );
}

crate::both_backends!(
    send_payout_pays_an_order_exactly_once,
    the_receiver_processes_each_delivery_once_and_refuses_forgeries,
);
