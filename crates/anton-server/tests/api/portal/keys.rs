//! The API keys pages over HTTPS, on both backends: restricted keys made, rolled and revoked
//! within the page's mode, the rules rolling keeps, live mode behind re-authentication, and
//! sign-in input no database should see.

use reqwest::StatusCode;
use serde_json::Value;

use super::{field, join, text_of, Visitor, PASSWORD};
use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};

both_backends!(
    keys_are_made_rolled_and_revoked_within_their_mode,
    racing_sign_ins_cannot_pass_the_throttle,
);

async fn signed_in(app: &TestApp, m: &super::Joined, code: usize) -> (Visitor, String) {
    let mut v = Visitor::new(app);
    let res = v.sign_in(&m.email, PASSWORD, &m.recovery_codes[code]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let csrf = field(&v.page("/test", StatusCode::OK).await, "csrf").unwrap();
    (v, csrf)
}

/// The operator's view of the merchant's keys (`anton keys list --json`).
fn keys(app: &TestApp) -> Vec<Value> {
    let out = app.operator_cli(
        "ops",
        &[
            "keys",
            "list",
            "--json",
            "--merchant",
            app.merchant.as_str(),
        ],
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

async fn keys_are_made_rolled_and_revoked_within_their_mode(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = join(&app, "owner@example.com", "owner").await;
    let (mut o, csrf) = signed_in(&app, &owner, 0).await;

    let res = o
        .post(
            "/test/keys",
            &[
                ("csrf", &csrf),
                ("name", "batch job"),
                ("scope", "payouts:read"),
                ("scope", "balance:read"),
                ("allowed_ips", "10.0.0.0/8, 192.0.2.7"),
                ("expires_days", "7"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let key = text_of(&res.text().await.unwrap(), "new-key-value").unwrap();
    assert!(key.starts_with("rk_test_"));
    let made = keys(&app)
        .into_iter()
        .find(|k| k["name"] == "batch job")
        .expect("the key, as the operator sees it");
    let id = made["id"].as_str().unwrap().to_owned();
    assert_eq!(made["scopes"], "payouts:read balance:read");
    assert!(made["expires"].is_string());

    // A refused form writes nothing.
    for (form, why) in [
        (
            vec![("csrf", csrf.as_str()), ("scope", "payouts:fly")],
            "an unknown scope",
        ),
        (vec![("csrf", csrf.as_str())], "no scope"),
        (
            vec![
                ("csrf", csrf.as_str()),
                ("scope", "payouts:read"),
                ("allowed_ips", "not-an-ip"),
            ],
            "a bad address",
        ),
        (
            vec![
                ("csrf", csrf.as_str()),
                ("scope", "payouts:read"),
                ("expires_days", "3"),
            ],
            "an expiry not offered",
        ),
    ] {
        let res = o.post("/test/keys", &form).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{why}");
    }
    assert_eq!(keys(&app).len(), 2, "the suite's key and the one made");

    // Rolling keeps the key's lifetime; the portal rolls restricted keys only.
    let res = o
        .post(
            &format!("/test/keys/{id}/roll"),
            &[("csrf", &csrf), ("grace_hours", "0")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let all = keys(&app);
    let old = all.iter().find(|k| k["id"] == id.as_str()).unwrap();
    let new = all
        .iter()
        .find(|k| k["name"] == "batch job" && k["id"] != id.as_str())
        .unwrap();
    assert!(old["revoked"].is_string(), "grace 0 revokes at once");
    assert_eq!(
        new["expires"], made["expires"],
        "the successor lives no longer"
    );
    let secret = all.iter().find(|k| k["kind"] == "secret").unwrap();
    let res = o
        .post(
            &format!("/test/keys/{}/roll", secret["id"].as_str().unwrap()),
            &[("csrf", &csrf), ("grace_hours", "0")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "secret keys are the operator's"
    );
    let res = o
        .post(
            &format!("/test/keys/{id}/roll"),
            &[("csrf", &csrf), ("grace_hours", "0")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CONFLICT,
        "a revoked key is not rolled"
    );

    // Another mode's key is not found from this one.
    let new_id = new["id"].as_str().unwrap();
    let res = o
        .post(&format!("/live/keys/{new_id}/revoke"), &[("csrf", &csrf)])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = o
        .post(&format!("/test/keys/{new_id}/revoke"), &[("csrf", &csrf)])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // Live keys need a recent proof of password and code.
    app.exec("UPDATE portal_sessions SET reauth_us = reauth_us - 3600000000")
        .await;
    let live_form = [("csrf", csrf.as_str()), ("scope", "payouts:write")];
    let res = o.post("/live/keys", &live_form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/reauth?next=/live/keys");
    let res = o
        .post(
            "/reauth",
            &[
                ("csrf", &csrf),
                ("next", "/live/keys"),
                ("password", "wrong password here"),
                ("code", &owner.recovery_codes[1]),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = o
        .post(
            "/reauth",
            &[
                ("csrf", &csrf),
                ("next", "/live/keys"),
                ("password", PASSWORD),
                ("code", &owner.recovery_codes[1]),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/live/keys");
    let res = o.post("/live/keys", &live_form).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(text_of(&res.text().await.unwrap(), "new-key-value")
        .unwrap()
        .starts_with("rk_live_"));

    // An admin makes test keys, not live ones.
    let admin = join(&app, "admin@example.com", "admin").await;
    let (mut a, acsrf) = signed_in(&app, &admin, 0).await;
    let res = a
        .post(
            "/live/keys",
            &[("csrf", acsrf.as_str()), ("scope", "payouts:read")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let page = a.page("/live/keys", StatusCode::OK).await;
    assert!(!page.contains("Create a restricted key") && !page.contains("Revoke"));
}

async fn racing_sign_ins_cannot_pass_the_throttle(backend: Backend) {
    let app = crate::helpers::spawn_app_with(
        backend,
        |c| {
            c.portal.account_failures_max = 3;
            c.portal.address_failures_max = 1000;
        },
        None,
    )
    .await;
    let m = join(&app, "ada@example.com", "owner").await;
    // Twelve wrong attempts at once: only the account's three are judged.
    let attempts = (0..12).map(|_| {
        let mut v = Visitor::new(&app);
        async move {
            v.sign_in("ada@example.com", "a wrong password!", "000000")
                .await
                .status()
        }
    });
    let answers = futures_util::future::join_all(attempts).await;
    let judged = answers
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = answers
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((judged, refused), (3, 9), "{answers:?}");
    let mut v = Visitor::new(&app);
    let res = v.sign_in(&m.email, PASSWORD, &m.fresh_code()).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // Text no email could be is no one's: a refusal, never a 500.
    let res = v.sign_in("ada\u{0}@example.com", PASSWORD, "000000").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = v.sign_in(&"a".repeat(300), PASSWORD, "000000").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}
