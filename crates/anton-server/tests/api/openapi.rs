//! The committed OpenAPI document is the one the code generates, and the server serves it.
//! Regenerate with `ANTON_UPDATE_OPENAPI=1 cargo test --test api openapi`.

use crate::helpers::{spawn_app, Backend};

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");

#[tokio::test]
async fn the_committed_openapi_document_is_current_and_served() {
    let generated = anton_api::openapi::document();
    if std::env::var_os("ANTON_UPDATE_OPENAPI").is_some() {
        std::fs::write(COMMITTED, &generated).expect("write docs/openapi.json");
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json is stale: run `ANTON_UPDATE_OPENAPI=1 cargo test --test api openapi` and commit it"
    );
    let doc: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/v1/payouts",
        "/v1/recipients/{id}",
        "/v1/balance",
        "/v1/events",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }

    let app = spawn_app(Backend::Sqlite).await;
    let served = app
        .client
        .get(format!("{}/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(served, generated);
}
