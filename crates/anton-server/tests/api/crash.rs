//! The dispatcher killed with SIGKILL in the middle of a batch, then restarted: no delivery is
//! lost (at least once), and only what was in flight is delivered twice.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::Backend;
use crate::process::{anton_env, backend_env, client, start_server};
use crate::webhooks::receiver;

async fn dispatcher_killed_mid_batch_loses_nothing(backend: Backend) {
    let r = receiver().await;
    // Each delivery is held 300 ms: at the kill, up to 10 (the per-endpoint cap) are in flight.
    r.shared.delay_ms.store(300, Ordering::SeqCst);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (env, _database) = backend_env(backend).await;
    let env_ref: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    std::fs::write(
        d.join("anton.toml"),
        format!(
            "[webhooks]\nextra_root_ca = \"{}\"\nallow_private = [\"localhost\"]\ntimeout_ms = 1000\n\
             retry_schedule_ms = [100, 100, 100, 100, 100, 100]\npoll_interval_ms = 20\n",
            r.ca.display()
        ),
    )
    .unwrap();
    let mut server = start_server(d, &env_ref).await;
    let mer = anton_env(d, &env_ref, &["merchants", "create", "Crash Ltd"]);
    let key = anton_env(
        d,
        &env_ref,
        &[
            "keys",
            "create",
            "--merchant",
            &mer,
            "--env",
            "test",
            "--quiet",
        ],
    );
    anton_env(
        d,
        &env_ref,
        &[
            "merchants",
            "set-rate-limit",
            &mer,
            "--live",
            "1000",
            "--test",
            "1000",
        ],
    );
    let c = client(&d.join("anton-data/tls/ca.pem"));
    let base = format!("https://localhost:{}", server.port);
    let ep = c
        .post(format!("{base}/v1/webhook_endpoints"))
        .bearer_auth(&key)
        .json(&json!({"url": r.url, "enabled_events": ["recipient.created"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(ep.status(), 200);
    const EVENTS: usize = 60;
    for i in 0..EVENTS {
        let resp = c
            .post(format!("{base}/v1/recipients"))
            .bearer_auth(&key)
            .json(
                &json!({"name": format!("R {i}"), "bank_account": {"type": "gb_fps",
                "sort_code": "10-20-30", "account_number": "12345678"}}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let got = r.shared.got.clone();
    let deadline = Instant::now() + Duration::from_secs(30);
    while got.lock().unwrap().len() < 15 {
        assert!(Instant::now() < deadline, "deliveries under way");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // SIGKILL mid-batch, then a fresh process on the same data.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let at_kill = got.lock().unwrap().len();
    let server = start_server(d, &env_ref).await;
    let base = format!("https://localhost:{}", server.port);
    let ep: serde_json::Value = ep.json().await.unwrap();
    let ep_id = ep["id"].as_str().unwrap().to_owned();

    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let counts = {
            let mut m: HashMap<String, usize> = HashMap::new();
            for g in got.lock().unwrap().iter() {
                *m.entry(g.headers["anton-event-id"].to_str().unwrap().to_owned())
                    .or_default() += 1;
            }
            m
        };
        // Done when every event arrived and no delivery is left to attempt (the killed node's
        // leases have expired and been taken over).
        let open = if counts.len() == EVENTS {
            let mut open = 0;
            for status in ["pending", "retrying"] {
                let list: serde_json::Value = c
                    .get(format!(
                        "{base}/v1/webhook_endpoints/{ep_id}/deliveries?status={status}"
                    ))
                    .bearer_auth(&key)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                open += list["data"].as_array().unwrap().len();
            }
            open
        } else {
            usize::MAX
        };
        if open == 0 {
            let total: usize = counts.values().sum();
            let duplicates = total - EVENTS;
            println!(
                "crash: {EVENTS} events, {at_kill} received before the kill, {total} deliveries, {duplicates} duplicates, 0 lost"
            );
            // In flight at the kill: at most the per-endpoint cap (10) attempts, plus finished
            // attempts whose outcome the recorder had not committed yet.
            assert!(duplicates <= 20, "{duplicates} duplicates");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "every event delivered after the restart ({} of {EVENTS})",
            counts.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

crate::both_backends!(dispatcher_killed_mid_batch_loses_nothing);
