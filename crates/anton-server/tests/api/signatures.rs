//! The asymmetric signature option end to end: an endpoint created with
//! `signature_scheme: "ed25519"` gets live deliveries that carry only Standard Webhooks `v1a`
//! signatures, verified by the SDK with the endpoint's public key and by an implementation from
//! another ecosystem (Python's `cryptography`, `ed25519_verify.py`); a tampered delivery fails
//! both; a rotation signs with both keys until the old one expires.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;

use anton_sdk::types::NewWebhookEndpoint;
use anton_sdk::Webhook;
use base64::Engine;
use serde_json::json;

use crate::helpers::Backend;
use crate::webhooks::{app_for, receiver, wait_for, Got, FAST};

/// Whether `ed25519_verify.py` accepts `got` (with `body` in place of what was received).
fn python_verifies(public_key: &str, got: &Got, body: &[u8]) -> bool {
    let h = |n: &str| got.headers[n].to_str().unwrap().to_owned();
    let input = json!({
        "public_key": public_key,
        "id": h("webhook-id"),
        "timestamp": h("webhook-timestamp"),
        "signature": h("webhook-signature"),
        "body_b64": base64::engine::general_purpose::STANDARD.encode(body),
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/ed25519_verify.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs (with the cryptography package: .ci/run installs it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    match out.status.code() {
        Some(0) => true,
        Some(1) => false,
        _ => panic!(
            "ed25519_verify.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// Whether the SDK accepts `got` with `key`.
fn sdk_verifies(key: &str, got: &Got, body: &[u8]) -> bool {
    let h = |n: &str| got.headers[n].to_str().unwrap().to_owned();
    Webhook::new(key)
        .unwrap()
        .verify_standard(
            body,
            &h("webhook-id"),
            &h("webhook-timestamp"),
            &h("webhook-signature"),
        )
        .is_ok()
}

async fn an_ed25519_endpoint_is_verified_by_an_independent_implementation(backend: Backend) {
    let r = receiver().await;
    let app = app_for(backend, &r, &[], Arc::default(), &FAST).await;
    let sdk = crate::sdk::sdk(&app, &app.key);
    let ep = sdk
        .webhook_endpoints()
        .create(&NewWebhookEndpoint::new(&r.url, &["recipient.created"]).ed25519())
        .await
        .unwrap();
    assert_eq!(ep.signature_scheme, "ed25519");
    assert_eq!(ep.secret, None, "the private key never leaves Anton");
    let public = ep.public_key.clone().unwrap();
    assert!(public.starts_with("whpk_"), "{public}");
    let read = sdk.webhook_endpoints().get(&ep.id).await.unwrap();
    assert_eq!(read.public_key.as_deref(), Some(public.as_str()));

    app.create_recipient(&app.key, "6789").await;
    let got = r.shared.got.clone();
    wait_for("the delivery", || !got.lock().unwrap().is_empty()).await;
    let first = got.lock().unwrap()[0].clone();
    assert!(
        first.headers.get("anton-signature").is_none(),
        "no HMAC header"
    );
    let signature = first.headers["webhook-signature"].to_str().unwrap();
    assert!(signature.starts_with("v1a,"), "{signature}");
    assert!(sdk_verifies(&public, &first, &first.body));
    assert!(python_verifies(&public, &first, &first.body));
    // A tampered body, or another key, fails both.
    let mut tampered = first.body.to_vec();
    let at = tampered.len() / 2;
    tampered[at] ^= 1;
    assert!(!sdk_verifies(&public, &first, &tampered));
    assert!(!python_verifies(&public, &first, &tampered));
    let stranger = sdk
        .webhook_endpoints()
        .create(&NewWebhookEndpoint::new(&r.url, &["payout.paid"]).ed25519())
        .await
        .unwrap()
        .public_key
        .unwrap();
    assert!(!python_verifies(&stranger, &first, &first.body));

    // Rotated: both keys sign until the old one expires, so receivers switch keys at leisure.
    let rotated = sdk
        .webhook_endpoints()
        .rotate_secret(&ep.id, Some(3_600))
        .await
        .unwrap();
    let next = rotated.public_key.clone().unwrap();
    assert_ne!(next, public);
    assert_eq!(rotated.secret, None);
    app.create_recipient(&app.key, "1111").await;
    wait_for("the second delivery", || got.lock().unwrap().len() >= 2).await;
    let second = got.lock().unwrap()[1].clone();
    let signature = second.headers["webhook-signature"].to_str().unwrap();
    assert_eq!(signature.matches("v1a,").count(), 2, "{signature}");
    for key in [&public, &next] {
        assert!(sdk_verifies(key, &second, &second.body));
        assert!(python_verifies(key, &second, &second.body));
    }
    // A test event is signed the same way.
    let test = sdk.webhook_endpoints().test(&ep.id).await.unwrap();
    assert!(test.succeeded, "{test:?}");
    let third = got.lock().unwrap()[2].clone();
    assert!(python_verifies(&next, &third, &third.body));
    // A scheme Anton does not know is refused.
    let (status, body) = crate::helpers::error_of(
        app.post("/v1/webhook_endpoints", &app.key)
            .json(&json!({"url": r.url, "enabled_events": ["*"], "signature_scheme": "rsa"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["param"], "signature_scheme");
}

crate::both_backends!(an_ed25519_endpoint_is_verified_by_an_independent_implementation);
