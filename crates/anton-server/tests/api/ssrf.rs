//! The SSRF guard's gaps found by the outside test (issue 15 item 5), through the API: a live
//! endpoint may not be created for any of them, and the refusal is the documented `url_invalid`.
//! The address tables themselves are tested in `anton_engine::webhooks::ssrf`.

use std::sync::Arc;

use anton_core::keys::Environment;
use anton_engine::webhooks::ssrf::Refusal;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_of, spawn_app_with, Backend, TestApp};
use crate::webhooks::TestLookup;

/// Each URL the outside test got accepted, with the refusal it now gets.
const GAPS: &[(&str, Refusal)] = &[
    // IPv4-translated ::ffff:0:0:0/96 embedding 127.0.0.1
    ("https://[::ffff:0:7f00:1]/hook", Refusal::NotPublic),
    // local-use NAT64 64:ff9b:1::/48, both ways of placing 127.0.0.1
    ("https://[64:ff9b:1::7f00:1]/hook", Refusal::NotPublic),
    ("https://[64:ff9b:1:7f00:1::]/hook", Refusal::NotPublic),
    // Teredo 2001::/32 (server 127.0.0.1)
    ("https://[2001:0:7f00:1::]/hook", Refusal::NotPublic),
    // discard-only 100::/64
    ("https://[100::1]/hook", Refusal::NotPublic),
    // IPv4-compatible with a zero seventh group: 0.0.1.1
    ("https://[::0.0.1.1]/hook", Refusal::NotPublic),
    // port 0, on a name that resolves to a public address and on literals
    ("https://example.com:0/hook", Refusal::Port),
    ("https://93.184.216.34:0/hook", Refusal::Port),
    ("https://[2606:4700::1111]:0/hook", Refusal::Port),
];

async fn create(app: &TestApp, key: &str, url: &str) -> reqwest::Response {
    app.post("/v1/webhook_endpoints", key)
        .json(&json!({"url": url, "enabled_events": ["*"]}))
        .send()
        .await
        .unwrap()
}

async fn live_endpoints_for_the_outside_tests_urls_are_refused(backend: Backend) {
    let lookup = Arc::new(TestLookup::default());
    lookup
        .0
        .lock()
        .unwrap()
        .insert("example.com".into(), vec!["93.184.216.34".parse().unwrap()]);
    let app = spawn_app_with(backend, |_| {}, Some(lookup)).await;
    let live_key = app.create_key(&app.merchant, Environment::Live, None).await;
    for (url, refusal) in GAPS {
        let (status, body) = error_of(create(&app, &live_key, url).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url}: {body}");
        assert_eq!(body["error"]["type"], "invalid_request_error", "{url}");
        assert_eq!(body["error"]["code"], "url_invalid", "{url}");
        assert_eq!(body["error"]["param"], "url", "{url}");
        assert_eq!(body["error"]["message"], refusal.to_string(), "{url}");
    }
    assert_eq!(app.count("webhook_endpoints").await, 0);

    // The same name on an ordinary port, and public addresses behind the embeddings, are fine.
    for url in [
        "https://example.com/hook",
        "https://example.com:8443/hook",
        "https://[64:ff9b::808:808]/hook",
        "https://[2002:808:808::1]/hook",
    ] {
        let resp = create(&app, &live_key, url).await;
        assert_eq!(resp.status(), StatusCode::OK, "{url}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["livemode"], true, "{url}: {body}");
    }
    assert_eq!(app.count("webhook_endpoints").await, 4);
}

crate::both_backends!(live_endpoints_for_the_outside_tests_urls_are_refused);
