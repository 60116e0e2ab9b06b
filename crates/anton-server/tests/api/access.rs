//! Least privilege: scopes, environments, merchants, revocation, expiry, IP allowlists, browser
//! markers, rate limits (docs/reference.md §1, §2, §4).

use std::time::Duration;

use anton_core::keys::Environment;
use anton_engine::operator::{self, KeySpec};
use reqwest::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{error_of, spawn_app, Backend};

async fn scopes_environments_and_merchants_are_enforced(b: Backend) {
    let app = spawn_app(b).await;
    app.fund(&app.key, 10_000, "USD").await;
    let rcp = app.create_recipient(&app.key, "6789").await;
    let rcp_id = rcp["id"].as_str().unwrap();
    let payout: serde_json::Value = app
        .create_payout(&app.key, rcp_id, 500)
        .await
        .json()
        .await
        .unwrap();
    let po = payout["id"].as_str().unwrap();

    // A payouts:read restricted key can read but not create.
    let read_only = app
        .create_key(&app.merchant, Environment::Test, Some(&["payouts:read"]))
        .await;
    assert!(read_only.starts_with("rk_test_"));
    assert_eq!(
        app.get(&format!("/v1/payouts/{po}"), &read_only)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let (status, body) = error_of(app.create_payout(&read_only, rcp_id, 100).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["type"], "permission_error");
    // and nothing else either
    let (status, _) = error_of(app.get("/v1/recipients", &read_only).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Test and live are separate worlds: a test key cannot see a live object.
    let live_key = app.create_key(&app.merchant, Environment::Live, None).await;
    let live_rcp = app.create_recipient(&live_key, "6789").await;
    assert_eq!(live_rcp["livemode"], true);
    let (status, _) = error_of(
        app.get(
            &format!("/v1/recipients/{}", live_rcp["id"].as_str().unwrap()),
            &app.key,
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = error_of(
        app.get(&format!("/v1/payouts/{po}"), &live_key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Live payouts are refused while no live rail is configured.
    let (status, body) = error_of(
        app.create_payout(&live_key, live_rcp["id"].as_str().unwrap(), 100)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "live_rail_not_configured");
    // Test helpers do not exist in live mode.
    let r = app
        .post("/v1/test_helpers/balance/fund", &live_key)
        .json(&json!({"amount": 5, "currency": "USD"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Another merchant's payout is a 404, never a 403.
    let (_, other_key) = app.other_merchant().await;
    for path in [
        format!("/v1/payouts/{po}"),
        format!("/v1/recipients/{rcp_id}"),
    ] {
        let (status, _) = error_of(app.get(&path, &other_key).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let r = app
        .post(&format!("/v1/payouts/{po}/cancel"), &other_key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.payout(&app.key, po).await["status"], "pending");
}

async fn revoked_and_expired_keys_are_refused_at_once(b: Backend) {
    let app = spawn_app(b).await;
    let spec = |expires_in| KeySpec {
        merchant_id: app.merchant.clone(),
        env: Environment::Test,
        scopes: None,
        expires_in,
        allowed_cidrs: vec![],
        name: "k".into(),
        created_by: "tests".into(),
    };
    let (record, key) = operator::create_key(
        &app.store,
        &app.secrets,
        &spec(None),
        &anton_engine::audit::Actor::operator(),
    )
    .await
    .unwrap();
    let key = key.expose_secret().to_owned();
    assert_eq!(
        app.get("/v1/balance", &key).send().await.unwrap().status(),
        StatusCode::OK
    );
    operator::revoke_key(
        &app.store,
        &app.merchant,
        &record.id,
        &anton_engine::audit::Actor::operator(),
    )
    .await
    .unwrap();
    let (status, body) = error_of(app.get("/v1/balance", &key).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "api_key_revoked");

    let (_, expired) = operator::create_key(
        &app.store,
        &app.secrets,
        &spec(Some(Duration::ZERO)),
        &anton_engine::audit::Actor::operator(),
    )
    .await
    .unwrap();
    let (status, body) = error_of(
        app.get("/v1/balance", expired.expose_secret())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "api_key_expired");

    // Rolling with a grace period keeps both valid; with none, the old one stops at once.
    let (old, old_key) = operator::create_key(
        &app.store,
        &app.secrets,
        &spec(None),
        &anton_engine::audit::Actor::operator(),
    )
    .await
    .unwrap();
    let (_, new_key) = operator::roll_key(
        &app.store,
        &app.secrets,
        &app.merchant,
        &old.id,
        Duration::from_secs(3600),
        &anton_engine::audit::Actor::operator(),
    )
    .await
    .unwrap();
    for k in [old_key.expose_secret(), new_key.expose_secret()] {
        assert_eq!(
            app.get("/v1/balance", k).send().await.unwrap().status(),
            StatusCode::OK
        );
    }
    let (old2, old2_key) = operator::create_key(
        &app.store,
        &app.secrets,
        &spec(None),
        &anton_engine::audit::Actor::operator(),
    )
    .await
    .unwrap();
    operator::roll_key(
        &app.store,
        &app.secrets,
        &app.merchant,
        &old2.id,
        Duration::ZERO,
        &anton_engine::audit::Actor::operator(),
    )
    .await
    .unwrap();
    assert_eq!(
        app.get("/v1/balance", old2_key.expose_secret())
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );

    // Garbage and missing keys: 401 in the envelope.
    for k in ["", "sk_test_notarealkey", "Bearer"] {
        let (status, body) = error_of(app.get("/v1/balance", k).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"]["type"], "authentication_error");
    }
    let r = app
        .client
        .get(format!("{}/v1/balance", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

async fn ip_allowlists_and_browser_markers_are_enforced(b: Backend) {
    let app = spawn_app(b).await;
    let with_cidrs = |cidrs: &[&str]| KeySpec {
        merchant_id: app.merchant.clone(),
        env: Environment::Test,
        scopes: None,
        expires_in: None,
        allowed_cidrs: cidrs.iter().map(|c| c.parse().unwrap()).collect(),
        name: "ip".into(),
        created_by: "tests".into(),
    };
    let elsewhere = app
        .create_key_with(with_cidrs(&["10.0.0.0/8", "2001:db8::/32"]))
        .await;
    let (status, body) = error_of(app.get("/v1/balance", &elsewhere).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "ip_not_allowed");
    let here = app.create_key_with(with_cidrs(&["127.0.0.1/32"])).await;
    assert_eq!(
        app.get("/v1/balance", &here).send().await.unwrap().status(),
        StatusCode::OK
    );

    // A secret key sent from a browser context is refused and flagged.
    // A server's own fetch (Node's undici sends `Sec-Fetch-Mode: cors` on every request) is not a
    // browser.
    let node_like = app
        .get("/v1/balance", &app.key)
        .header("Sec-Fetch-Mode", "cors")
        .send()
        .await
        .unwrap();
    assert_eq!(node_like.status(), StatusCode::OK);
    for (name, value) in [
        ("Origin", "https://shop.example"),
        ("Sec-Fetch-Site", "cross-site"),
        ("Sec-Fetch-Mode", "navigate"),
    ] {
        let (status, body) = error_of(
            app.get("/v1/balance", &app.key)
                .header(name, value)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{name}");
        assert_eq!(body["error"]["code"], "browser_request_refused");
    }
    let keys = anton_store::api_keys::list(app.store.read(), &app.merchant)
        .await
        .unwrap();
    let flagged: Vec<_> = keys.iter().filter(|k| k.exposed.is_some()).collect();
    assert_eq!(
        flagged.len(),
        1,
        "exactly the key used from a browser is flagged"
    );
    assert_eq!(flagged[0].last4, app.key[app.key.len() - 4..]);
    // No CORS on the API.
    let r = app.get("/v1/balance", &here).send().await.unwrap();
    assert!(!r.headers().contains_key("access-control-allow-origin"));
}

async fn requests_over_the_key_rate_limit_get_429(b: Backend) {
    let app = spawn_app(b).await;
    app.set_rate_limits(&app.merchant, 100, 1).await; // test mode: 1/s, burst 2
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let r = app.get("/v1/balance", &app.key).send().await.unwrap();
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(r.headers().get("retry-after").is_some());
            assert!(r.headers().get("ratelimit-limit").is_some());
            assert!(r.headers().get("ratelimit-remaining").is_some());
            let (_, body) = error_of(r).await;
            assert_eq!(body["error"]["type"], "rate_limit_error");
            statuses.push(429);
        } else {
            statuses.push(r.status().as_u16());
        }
    }
    // The burst of 2 passes; at most one more token can refill while the six requests run.
    let ok = statuses.iter().filter(|s| **s == 200).count();
    assert!((2..=3).contains(&ok), "{statuses:?}");
    assert_eq!(statuses[..2], [200, 200]);
    assert_eq!(
        ok + statuses.iter().filter(|s| **s == 429).count(),
        6,
        "{statuses:?}"
    );
}

/// A revocation written by another process (the operator CLI, another node) bypasses this node's
/// key cache; docs/reference.md §4 says it must take effect within one second.
async fn a_key_revoked_by_another_process_is_refused_within_a_second(b: Backend) {
    let app = spawn_app(b).await;
    assert_eq!(
        app.get("/v1/balance", &app.key)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let keys = anton_store::api_keys::list(app.store.read(), &app.merchant)
        .await
        .unwrap();
    let (m, id) = (app.merchant.clone(), keys[0].id.clone());
    // Straight to the database, as another process would: no cache invalidation on this node.
    app.store
        .write(move |c| {
            Box::pin(async move {
                anton_store::api_keys::revoke(c, &m, &id, anton_store::now_us()).await
            })
        })
        .await
        .unwrap();
    let revoked_at = std::time::Instant::now();
    let deadline = revoked_at + Duration::from_secs(5);
    loop {
        let status = app
            .get("/v1/balance", &app.key)
            .send()
            .await
            .unwrap()
            .status();
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert_eq!(status, StatusCode::OK);
        assert!(
            std::time::Instant::now() < deadline,
            "still accepted long after revocation"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The bound is the cache TTL (1 s); the margin absorbs a slow machine, not a design change.
    assert!(
        revoked_at.elapsed() < Duration::from_millis(2_500),
        "took {:?}",
        revoked_at.elapsed()
    );
}

both_backends!(
    a_key_revoked_by_another_process_is_refused_within_a_second,
    scopes_environments_and_merchants_are_enforced,
    revoked_and_expired_keys_are_refused_at_once,
    ip_allowlists_and_browser_markers_are_enforced,
    requests_over_the_key_rate_limit_get_429,
);
