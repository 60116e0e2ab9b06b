//! Authentication under attack: failed authentication is limited per address and per node
//! without ever refusing a valid key, and a revoked key moves no money and changes no object once
//! its revocation has committed — on every node, whatever their key caches hold.

use reqwest::StatusCode;
use serde_json::{json, Value};

use anton_engine::operator::KeySpec;

use crate::both_backends;
use crate::helpers::{spawn_app_with, Backend, TestApp};

async fn app_with_auth_budgets(per_address: u64, per_node: u64) -> TestApp {
    spawn_app_with(
        Backend::Sqlite,
        |c| {
            c.http.auth_failures_per_address_per_s = per_address;
            c.http.auth_failures_per_node_per_s = per_node;
        },
        None,
    )
    .await
}

async fn status_and_code(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    (status, body["error"]["code"].clone())
}

/// Bad keys from one address, then (and between them) requests with a valid key from the same
/// address: the bad ones run into the limit, the valid ones are all served.
async fn flood_then_serve(app: &TestApp) -> (usize, usize) {
    let mut limited = 0;
    for i in 0..40 {
        let bad = format!("sk_test_{}", "x".repeat(40 + i % 3));
        let (status, code) =
            status_and_code(app.get("/v1/balance", &bad).send().await.unwrap()).await;
        match status {
            StatusCode::UNAUTHORIZED => assert_eq!(code, "invalid_api_key"),
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(code, "authentication_rate_limited");
                limited += 1;
            }
            other => panic!("a bad key got {other}"),
        }
        if i % 2 == 0 {
            let ok = app.get("/v1/balance", &app.key).send().await.unwrap();
            assert_eq!(ok.status(), StatusCode::OK, "a valid key was refused");
        }
    }
    let mut served = 0;
    for _ in 0..23 {
        let ok = app.get("/v1/balance", &app.key).send().await.unwrap();
        assert_eq!(ok.status(), StatusCode::OK, "a valid key was refused");
        served += 1;
    }
    (limited, served)
}

#[tokio::test]
async fn a_flood_of_bad_keys_from_an_address_never_refuses_its_valid_keys() {
    let app = app_with_auth_budgets(2, 10_000).await;
    let (limited, served) = flood_then_serve(&app).await;
    assert!(limited > 0, "the address's failures were never limited");
    assert_eq!(served, 23);
}

#[tokio::test]
async fn failures_are_limited_across_the_node_too() {
    // A budget per address no single address reaches: only the node's budget can limit.
    let app = app_with_auth_budgets(10_000, 2).await;
    let (limited, served) = flood_then_serve(&app).await;
    assert!(limited > 0, "the node's failures were never limited");
    assert_eq!(served, 23);
}

/// Counts of what a merchant could have changed, read straight from the database.
async fn writes(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        "payouts",
        "recipients WHERE deleted_us IS NULL",
        "balance_transactions",
        "idempotency_keys",
        "events",
        "payouts WHERE status = 'canceled'",
    ] {
        out.push(
            sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(app.store.read())
                .await
                .unwrap(),
        );
    }
    out
}

/// A request of every kind of mutation, with `key`, to the node at `base`: two payout creations
/// (one keyed with a key named by `n`), a recipient creation, a cancel, a funding and a
/// recipient deletion. `ids`: a recipient to pay, a payout to cancel, a recipient to delete.
fn every_mutation(
    app: &TestApp,
    base: &str,
    key: &str,
    n: usize,
    [rid, payout, doomed]: &[String; 3],
) -> Vec<reqwest::RequestBuilder> {
    let post = |path: &str, body: Value| {
        app.client
            .post(format!("{base}{path}"))
            .bearer_auth(key)
            .json(&body)
    };
    vec![
        post(
            "/v1/payouts",
            json!({"amount": 100, "currency": "USD", "recipient": rid}),
        ),
        post(
            "/v1/payouts",
            json!({"amount": 101, "currency": "USD", "recipient": rid}),
        )
        .header("idempotency-key", format!("after-revoke-{n}")),
        post(
            "/v1/recipients",
            json!({"name": "Mallory", "email": "m@example.com",
                "bank_account": {"type": "us_ach", "routing_number": "110000000",
                "account_number": "000999999999", "account_type": "checking"}}),
        ),
        post(&format!("/v1/payouts/{payout}/cancel"), json!({})),
        post(
            "/v1/test_helpers/balance/fund",
            json!({"amount": 5, "currency": "USD"}),
        ),
        app.client
            .delete(format!("{base}/v1/recipients/{doomed}"))
            .bearer_auth(key),
    ]
}

/// Issue 15, item 4: a revoked key kept full power for up to half a second on every node (its
/// key cache). Revoked straight in the database, as the operator CLI or another node does (no
/// cache on either node learns of it), then every kind of mutation at once on both nodes.
async fn a_revoked_key_writes_nothing_on_any_node(b: Backend) {
    let app = spawn_app_with(b, |_| {}, None).await;
    let other = app.second_node().await;
    let (record, secret) = anton_engine::operator::create_key(
        &app.store,
        &app.secrets,
        &KeySpec {
            merchant_id: app.merchant.clone(),
            env: anton_core::keys::Environment::Test,
            scopes: None,
            expires_in: None,
            allowed_cidrs: vec![],
            name: "soon revoked".into(),
            created_by: "tests".into(),
        },
        &anton_engine::audit::Actor::operator(),
    )
    .await
    .unwrap();
    let key = secret.expose_secret().to_owned();
    app.fund(&key, 1_000_000, "USD").await;
    let recipient = app.create_recipient(&key, "6789").await;
    let doomed = app.create_recipient(&key, "1111").await;
    let payout: Value = app
        .create_payout(&key, recipient["id"].as_str().unwrap(), 500)
        .await
        .json()
        .await
        .unwrap();
    // Both nodes hold the key in their caches.
    for base in [&app.base, &other.base] {
        let resp = app
            .client
            .get(format!("{base}/v1/balance"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    }
    let before = writes(&app).await;

    let (m, id) = (app.merchant.clone(), record.id.clone());
    app.store
        .write(move |c| {
            Box::pin(async move {
                anton_store::api_keys::revoke(c, &m, &id, anton_store::now_us()).await
            })
        })
        .await
        .unwrap();

    let ids = [&recipient, &payout, &doomed].map(|v| v["id"].as_str().unwrap().to_owned());
    let mut requests = Vec::new();
    for (n, base) in [&app.base, &other.base].into_iter().enumerate() {
        requests.extend(every_mutation(&app, base, &key, n, &ids));
    }
    let answers = futures_util::future::join_all(
        requests
            .into_iter()
            .map(|r| async move { status_and_code(r.send().await.unwrap()).await }),
    )
    .await;
    for (status, code) in &answers {
        assert_eq!(*status, StatusCode::UNAUTHORIZED, "{code}");
        assert_eq!(code, "api_key_revoked");
    }
    assert_eq!(writes(&app).await, before, "a revoked key wrote");
}

both_backends!(a_revoked_key_writes_nothing_on_any_node);

/// Renders every outcome as an empty 200 (the engine-level test needs no API rendering).
struct Plain;

impl<T> anton_engine::idempotency::Render<T> for Plain {
    fn render(
        &self,
        _: std::result::Result<&T, &anton_engine::EngineError>,
    ) -> anton_engine::idempotency::Reply {
        anton_engine::idempotency::Reply {
            status: 200,
            body: String::new(),
        }
    }
}

/// The check inside the write transaction itself, with no key cache in front of it: an engine
/// over the node's database is handed mutations whose acting key was revoked a moment ago —
/// a payout creation (a batch, keyed), and a funding (a closure job, keyed and unkeyed). Each
/// is refused and writes nothing, not even its idempotency record.
async fn a_mutation_on_a_revoked_key_is_refused_in_its_transaction(b: Backend) {
    use anton_engine::idempotency::{IdempotencyKey, Keyed, Mutation};
    use anton_engine::{EngineConfig, EngineError};

    let app = spawn_app_with(b, |_| {}, None).await;
    let engine = anton_engine::Engine::new(
        app.store.clone(),
        app.secrets.clone(),
        EngineConfig {
            simulator: app.simulator.clone(),
            webhooks: Default::default(),
            live_currencies: Vec::new(),
            request_log: Default::default(),
            alerts: Default::default(),
            risk: Default::default(),
            team: Default::default(),
        },
        std::sync::Arc::new(anton_engine::webhooks::ssrf::SystemLookup),
    );
    let keys = anton_store::api_keys::list(app.store.read(), &app.merchant)
        .await
        .unwrap();
    let id = keys[0].id.clone();
    app.fund(&app.key, 1_000_000, "USD").await;
    let recipient = app.create_recipient(&app.key, "6789").await;
    let before = writes(&app).await;
    let (m, revoked) = (app.merchant.clone(), id.clone());
    app.store
        .write(move |c| {
            Box::pin(async move {
                anton_store::api_keys::revoke(c, &m, &revoked, anton_store::now_us()).await
            })
        })
        .await
        .unwrap();
    let mutation = |key: Option<&str>| Mutation {
        keyed: key.map(|k| Keyed {
            key: IdempotencyKey::parse(k).unwrap(),
            fingerprint: "fp".into(),
            earlier_fingerprint: None,
        }),
        render: Plain,
        actor: anton_engine::audit::Actor::key(id.clone(), None, None),
    };
    let new = anton_engine::payouts::NewPayout::new(
        100,
        "USD",
        recipient["id"].as_str().unwrap(),
        None,
        Default::default(),
    )
    .unwrap();
    let payout = engine
        .create_payout(&app.tenant(), new, mutation(Some("revoked-payout")))
        .await;
    assert!(
        matches!(payout, Err(EngineError::KeyNotUsable)),
        "{payout:?}"
    );
    for key in [Some("revoked-fund"), None] {
        let fund = engine
            .fund_test_balance(&app.tenant(), 5, "USD", mutation(key))
            .await;
        assert!(matches!(fund, Err(EngineError::KeyNotUsable)), "{fund:?}");
    }
    // A delete (unkeyed) is checked the same way: the key is refused before the endpoint is
    // even looked for.
    let endpoint = anton_core::id::WebhookEndpointId::generate();
    let delete = engine
        .delete_endpoint(&app.tenant(), endpoint, mutation(None))
        .await;
    assert!(
        matches!(delete, Err(EngineError::KeyNotUsable)),
        "{delete:?}"
    );
    assert_eq!(writes(&app).await, before, "a revoked key wrote");
}

both_backends!(a_mutation_on_a_revoked_key_is_refused_in_its_transaction);
