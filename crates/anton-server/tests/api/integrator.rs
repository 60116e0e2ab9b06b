//! The integrator commands of the real `anton` binary: `keys scan`, `webhooks verify`, `login`,
//! `trigger`, `events`, and `listen` end to end (a test-mode payout produces forwarded,
//! verifiable deliveries at a local handler).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anton_core::keys::{ApiKey, Environment, KeyKind};
use anton_core::signature::{self, WebhookSecret};
use anton_sdk::types::{NewPayout, NewRecipient, NewWebhookEndpoint};
use axum::body::Bytes;
use axum::http::HeaderMap;
use serde_json::Value;

use crate::helpers::{spawn_app_with, Backend, TestApp};

const ANTON: &str = env!("CARGO_BIN_EXE_anton");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, env: &[(&str, &str)], args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(ANTON)
        .args(args)
        .env_remove("ANTON_API_KEY")
        .env_remove("ANTON_WEBHOOK_SECRET")
        .env("ANTON_CONFIG_DIR", dir.join("config"))
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run anton");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn keys_scan_finds_planted_keys_and_not_look_alikes() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("repo");
    std::fs::create_dir_all(tree.join("config/deep")).unwrap();
    let sk = ApiKey::generate(KeyKind::Secret, Environment::Test);
    let rk = ApiKey::generate(KeyKind::Restricted, Environment::Live);
    std::fs::write(
        tree.join(".env"),
        format!("# settings\nANTON_API_KEY={}\n", sk.expose_secret()),
    )
    .unwrap();
    std::fs::write(
        tree.join("config/deep/app.yaml"),
        format!("a: 1\nb: 2\nkey: \"{}\"\n", rk.expose_secret()),
    )
    .unwrap();
    // Look-alikes: a checksum off by one character, a truncated key, the prefix alone.
    let mut bad_checksum = sk.expose_secret().to_owned();
    let last = bad_checksum.pop().unwrap();
    bad_checksum.push(if last == 'A' { 'B' } else { 'A' });
    let truncated = &sk.expose_secret()[..sk.expose_secret().len() - 3];
    let look_alikes = format!(
        "x = \"{bad_checksum}\"\ny = \"{truncated}\"\nz = \"sk_test_\"\nw = sk_live_notakeyatall\n"
    );
    std::fs::write(tree.join("config/look_alikes.toml"), &look_alikes).unwrap();

    let r = run(dir.path(), &[], &["keys", "scan", "repo", "--json"], b"");
    assert_eq!(r.code, 1, "findings exit 1: {}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{v}");
    let env_file = findings
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with(".env"))
        .unwrap();
    assert_eq!(env_file["line"], 2);
    assert_eq!(env_file["column"], 15);
    assert_eq!(env_file["kind"], "secret");
    let yaml = findings
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("app.yaml"))
        .unwrap();
    assert_eq!(
        (yaml["line"].as_i64(), yaml["env"].as_str()),
        (Some(3), Some("live"))
    );
    assert_eq!(v["files_scanned"], 3);
    // The report never repeats a key.
    for out in [&r.stdout, &r.stderr] {
        assert!(!out.contains(sk.expose_secret()) && !out.contains(rk.expose_secret()));
    }
    let text = run(dir.path(), &[], &["keys", "scan", "repo"], b"");
    assert_eq!(text.code, 1);
    assert!(
        text.stdout.contains(".env:2:15: sk_test_"),
        "{}",
        text.stdout
    );

    // Only look-alikes: nothing found, exit 0.
    let clean = dir.path().join("clean");
    std::fs::create_dir_all(&clean).unwrap();
    std::fs::write(clean.join("look_alikes.toml"), &look_alikes).unwrap();
    let r = run(dir.path(), &[], &["keys", "scan", "clean", "--json"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    // A path that does not exist is a usage error, not "clean".
    assert_eq!(
        run(dir.path(), &[], &["keys", "scan", "missing"], b"").code,
        2
    );
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[test]
fn webhooks_verify_checks_a_delivery_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let secret = WebhookSecret::generate();
    let body = br#"{"id":"evt_1","object":"event","type":"payout.paid"}"#;
    let sig = signature::sign(std::slice::from_ref(&secret), "evt_1", now(), body);
    let env = [("ANTON_WEBHOOK_SECRET", secret.expose_secret())];
    let ok = run(
        dir.path(),
        &env,
        &["webhooks", "verify", "--header", &sig.anton_signature],
        body,
    );
    assert_eq!((ok.code, ok.stdout.trim()), (0, "valid"), "{}", ok.stderr);
    assert!(
        !ok.stderr.contains("warning"),
        "the secret came from the environment"
    );
    let tampered = run(
        dir.path(),
        &env,
        &[
            "webhooks",
            "verify",
            "--header",
            &sig.anton_signature,
            "--json",
        ],
        br#"{"id":"evt_1","object":"event","type":"payout.failed"}"#,
    );
    assert_eq!(tampered.code, 1);
    let v: Value = serde_json::from_str(tampered.stdout.trim()).unwrap();
    assert_eq!(v["error"], "no_matching_signature");
    // An old delivery: refused, unless explicitly re-checked without the replay window.
    let old = signature::sign(std::slice::from_ref(&secret), "evt_1", now() - 3600, body);
    let stale = run(
        dir.path(),
        &env,
        &["webhooks", "verify", "--header", &old.anton_signature],
        body,
    );
    assert_eq!(stale.code, 1);
    assert!(stale.stderr.contains("timestamp_outside_tolerance"));
    let replayed = run(
        dir.path(),
        &env,
        &[
            "webhooks",
            "verify",
            "--header",
            &old.anton_signature,
            "--ignore-timestamp",
        ],
        body,
    );
    assert_eq!(replayed.code, 0, "{}", replayed.stderr);
    // A secret on the command line works but is warned about.
    let flagged = run(
        dir.path(),
        &[],
        &[
            "webhooks",
            "verify",
            "--secret",
            secret.expose_secret(),
            "--header",
            &sig.anton_signature,
        ],
        body,
    );
    assert_eq!(flagged.code, 0);
    assert!(flagged.stderr.contains("warning"));
}

#[test]
fn webhooks_verify_checks_standard_headers_and_ed25519() {
    use anton_core::signature_ed25519::{sign_v1a, Ed25519Secret};
    let dir = tempfile::tempdir().unwrap();
    let key = Ed25519Secret::generate();
    let public = key.public_key();
    let body = br#"{"id":"evt_1","object":"event","type":"payout.paid"}"#;
    let verify = |ts: i64, signature: &str, body: &[u8], extra: &[&str]| {
        let ts = ts.to_string();
        let mut args = vec![
            "webhooks",
            "verify",
            "--secret",
            public.as_str(),
            "--webhook-id",
            "evt_1",
            "--webhook-timestamp",
            &ts,
            "--webhook-signature",
            signature,
        ];
        args.extend_from_slice(extra);
        run(dir.path(), &[], &args, body)
    };
    let signature = sign_v1a(std::slice::from_ref(&key), "evt_1", now(), body);
    let ok = verify(now(), &signature, body, &[]);
    assert_eq!((ok.code, ok.stdout.trim()), (0, "valid"), "{}", ok.stderr);
    assert!(!ok.stderr.contains("warning"), "a public key is no secret");
    let tampered = verify(now(), &signature, b"{}", &["--json"]);
    assert_eq!(tampered.code, 1);
    let v: Value = serde_json::from_str(tampered.stdout.trim()).unwrap();
    assert_eq!(v["error"], "no_matching_signature");
    // Another endpoint's key does not verify it.
    let other = Ed25519Secret::generate().public_key();
    let wrong = run(
        dir.path(),
        &[],
        &[
            "webhooks",
            "verify",
            "--secret",
            other.as_str(),
            "--webhook-id",
            "evt_1",
            "--webhook-timestamp",
            &now().to_string(),
            "--webhook-signature",
            &signature,
        ],
        body,
    );
    assert_eq!(wrong.code, 1, "{}", wrong.stdout);
    // Old deliveries: refused, unless re-checked without the replay window.
    let then = now() - 3600;
    let old = sign_v1a(std::slice::from_ref(&key), "evt_1", then, body);
    let stale = verify(then, &old, body, &[]);
    assert_eq!(stale.code, 1);
    assert!(stale.stderr.contains("timestamp_outside_tolerance"));
    assert_eq!(verify(then, &old, body, &["--ignore-timestamp"]).code, 0);
    // An HMAC endpoint's standard headers, with its secret.
    let secret = WebhookSecret::generate();
    let sig = signature::sign(std::slice::from_ref(&secret), "evt_1", now(), body);
    let env = [("ANTON_WEBHOOK_SECRET", secret.expose_secret())];
    let ts = now().to_string();
    let hmac = run(
        dir.path(),
        &env,
        &[
            "webhooks",
            "verify",
            "--webhook-id",
            "evt_1",
            "--webhook-timestamp",
            &ts,
            "--webhook-signature",
            &sig.webhook_signature,
        ],
        body,
    );
    assert_eq!(hmac.code, 0, "{}", hmac.stderr);
    // Half a header set, or both kinds at once, is a usage error.
    let half = run(
        dir.path(),
        &env,
        &["webhooks", "verify", "--webhook-id", "evt_1"],
        body,
    );
    assert_eq!(half.code, 2, "{}", half.stderr);
    let both = run(
        dir.path(),
        &env,
        &[
            "webhooks",
            "verify",
            "--header",
            &sig.anton_signature,
            "--webhook-id",
            "evt_1",
            "--webhook-timestamp",
            &ts,
            "--webhook-signature",
            &sig.webhook_signature,
        ],
        body,
    );
    assert_eq!(both.code, 2, "{}", both.stderr);
}

async fn app_for_cli(backend: Backend) -> TestApp {
    spawn_app_with(
        backend,
        |c| c.webhooks.allow_private = vec!["localhost".into()],
        None,
    )
    .await
}

async fn login_trigger_and_events_through_the_cli(backend: Backend) {
    let app = app_for_cli(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let ca = app.ca_path();
    let ca = ca.to_str().unwrap();
    // Login from an environment variable: the profile is written 0600 and holds the key.
    let login = run(
        dir.path(),
        &[("MY_ANTON_KEY", &app.key)],
        &[
            "login",
            "--base-url",
            &app.base,
            "--ca",
            ca,
            "--api-key-env",
            "MY_ANTON_KEY",
        ],
        b"",
    );
    assert_eq!(login.code, 0, "{}", login.stderr);
    assert!(
        !login.stdout.contains(&app.key),
        "login never prints the key"
    );
    let profile = dir.path().join("config/profiles.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&profile).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // A bad key is refused before anything is saved.
    let bad = run(dir.path(), &[], &["login", "--api-key-env", "NOPE"], b"");
    assert_ne!(bad.code, 0);

    // Trigger uses the stored profile.
    let t = run(dir.path(), &[], &["trigger", "payout.paid", "--json"], b"");
    assert_eq!(t.code, 0, "{}", t.stderr);
    let v: Value = serde_json::from_str(t.stdout.trim()).unwrap();
    let payout_id = v["objects"][1]["id"].as_str().unwrap().to_owned();
    let sdk = crate::sdk::sdk(&app, &app.key);
    assert_eq!(
        sdk.payouts().get(&payout_id).await.unwrap().status,
        anton_sdk::types::PayoutStatus::Paid
    );
    let list = run(
        dir.path(),
        &[],
        &["events", "list", "--type", "payout.paid", "--json"],
        b"",
    );
    assert_eq!(list.code, 0, "{}", list.stderr);
    let events: Vec<Value> = list
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["data"]["object"]["id"], payout_id);
    // Resend it to an endpoint.
    let ep = sdk
        .webhook_endpoints()
        .create(&NewWebhookEndpoint::new("https://localhost:9/h", &["*"]))
        .await
        .unwrap();
    let resend = run(
        dir.path(),
        &[],
        &[
            "events",
            "resend",
            events[0]["id"].as_str().unwrap(),
            "--endpoint",
            &ep.id,
        ],
        b"",
    );
    assert_eq!(resend.code, 0, "{}", resend.stderr);
    assert!(resend.stdout.contains("scheduled"));
    // A test event to it: nothing listens on port 9, so the command says so and exits 1.
    let test = run(
        dir.path(),
        &[],
        &["webhooks", "test", &ep.id, "--json"],
        b"",
    );
    assert_eq!(test.code, 1, "{}", test.stderr);
    let outcome: Value = serde_json::from_str(test.stdout.trim()).unwrap();
    assert_eq!(outcome["succeeded"], false);
    assert_eq!(outcome["error"], "connect");
    assert!(outcome["event"].as_str().unwrap().starts_with("evt_"));
    // The catalogue, and a trigger of one of its newer types.
    let types = run(dir.path(), &[], &["events", "types", "--json"], b"");
    assert_eq!(types.code, 0, "{}", types.stderr);
    let types: Vec<Value> = types
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(types.iter().any(|t| t["type"] == "payout.updated"
        && t["schema"] == "/v1/openapi.json#/components/schemas/PayoutEvent"));
    let t = run(dir.path(), &[], &["trigger", "payout.updated"], b"");
    assert_eq!(t.code, 0, "{}", t.stderr);
    let updated = sdk
        .events()
        .list(&anton_sdk::types::ListParams::new().filter("type", "payout.updated"))
        .await
        .unwrap();
    assert_eq!(updated.data.len(), 1);
    // Every trigger is known; an unknown one is a usage error.
    assert_eq!(
        run(dir.path(), &[], &["trigger", "payout.nope"], b"").code,
        2
    );
    // A key on the command line works with a warning.
    let flagged = run(
        dir.path(),
        &[],
        &["events", "list", "--api-key", &app.key, "--limit", "1"],
        b"",
    );
    assert_eq!(flagged.code, 0);
    assert!(flagged.stderr.contains("warning"));
}

async fn listen_forwards_signed_events_to_a_local_handler(backend: Backend) {
    let app = app_for_cli(backend).await;
    let dir = tempfile::tempdir().unwrap();
    // The local handler: plain HTTP on loopback, as in local development.
    type Got = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;
    let got: Got = Arc::default();
    let handler_state = got.clone();
    let handler = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let got = handler_state.clone();
            async move {
                got.lock().unwrap().push((headers, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, handler).await });

    let mut child = Command::new(ANTON)
        .args([
            "listen",
            "--forward-to",
            &format!("http://127.0.0.1:{port}/hook"),
            "--events",
            "payout.created,payout.paid",
            "--print-secret",
        ])
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
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let _child = Kill(child);
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let log2 = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            log2.lock().unwrap().push(line);
        }
    });
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // Wait for "ready" (events before it are not forwarded).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("anton listen becomes ready");
        if line == "ready" {
            break;
        }
    }
    let secret = log
        .lock()
        .unwrap()
        .first()
        .cloned()
        .expect("the secret is printed first");
    assert!(secret.starts_with("whsec_"));

    // A test-mode payout: created, then processing and paid (processing is filtered out).
    let sdk = crate::sdk::sdk(&app, &app.key);
    sdk.test_helpers().fund_balance(5_000, "USD").await.unwrap();
    let r = sdk
        .recipients()
        .create(&NewRecipient::new("Dev", crate::sdk::ach("000123456789")))
        .await
        .unwrap();
    let p = sdk
        .payouts()
        .create(&NewPayout::new(1_234, "USD", &r.id))
        .await
        .unwrap();
    sdk.test_helpers().pay_payout(&p.id).await.unwrap();

    let deadline = Instant::now() + Duration::from_secs(30);
    while got.lock().unwrap().len() < 2 {
        assert!(Instant::now() < deadline, "two deliveries forwarded");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let webhook = anton_sdk::Webhook::new(&secret).unwrap();
    let mut kinds = Vec::new();
    for (headers, body) in got.lock().unwrap().iter() {
        let h = |n: &str| headers.get(n).unwrap().to_str().unwrap().to_owned();
        let event = webhook.verify(body, &h("anton-signature")).unwrap();
        let standard = webhook
            .verify_standard(
                body,
                &h("webhook-id"),
                &h("webhook-timestamp"),
                &h("webhook-signature"),
            )
            .unwrap();
        assert_eq!(event.id, standard.id);
        assert_eq!(event.payout().unwrap().id, p.id);
        kinds.push(event.kind);
    }
    assert_eq!(kinds, ["payout.created", "payout.paid"]);
    // The live log names each forwarded event with the handler's answer.
    let deadline = Instant::now() + Duration::from_secs(10);
    while log.lock().unwrap().len() < 3 {
        assert!(Instant::now() < deadline, "two log lines");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let lines = log.lock().unwrap().clone();
    assert!(
        lines[1].contains("payout.created") && lines[1].contains("[200]"),
        "{lines:?}"
    );
    assert!(lines[2].contains("payout.paid"), "{lines:?}");

    // Each event reaches the handler once, also after its second has left the listener's
    // polling window (5 s): payouts keep coming until the first events are 7 s old, each
    // awaited at the handler, and then every id has arrived exactly once.
    let first = Instant::now();
    let mut expected = 2;
    while first.elapsed() < Duration::from_secs(7) {
        let p = sdk
            .payouts()
            .create(&NewPayout::new(1, "USD", &r.id))
            .await
            .unwrap();
        expected += 1;
        let deadline = Instant::now() + Duration::from_secs(30);
        let forwarded = |id: &str| {
            got.lock()
                .unwrap()
                .iter()
                .any(|(_, body)| String::from_utf8_lossy(body).contains(id))
        };
        while !forwarded(&p.id) {
            assert!(Instant::now() < deadline, "the payout's event is forwarded");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let ids: Vec<String> = got
        .lock()
        .unwrap()
        .iter()
        .map(|(h, _)| h["webhook-id"].to_str().unwrap().to_owned())
        .collect();
    let distinct: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(
        distinct.len(),
        ids.len(),
        "an event forwarded twice: {ids:?}"
    );
    assert_eq!(ids.len(), expected);
}

crate::both_backends!(
    login_trigger_and_events_through_the_cli,
    listen_forwards_signed_events_to_a_local_handler,
);
