//! The portal in real headless Chromium: a member's whole way in and out, every page checked
//! for console problems and axe-core's serious and critical violations.

use reqwest::StatusCode;

use super::browser::Browser;
use super::{code_at, now_s, Visitor, PASSWORD};
use crate::helpers::{spawn_app, Backend};

/// Invitation → password and TOTP enrolment → recovery codes → sign-in with a TOTP code →
/// dashboard in both modes → sign-out, after which the old cookie gets the sign-in page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_joins_and_signs_in_in_a_real_browser() {
    let app = spawn_app(Backend::Sqlite).await;
    let Some(b) = Browser::start(&app.ca_path()).await else {
        return;
    };
    let link = super::invite(&app, "ada@example.com", "owner");

    b.open(&link).await;
    assert!(b.text("h1").await.contains("Join"));
    b.assert_clean("the invitation page").await;
    b.screenshot("invitation").await;
    let secret = b.text("#totp-secret").await;
    b.fill("password", PASSWORD).await;
    b.fill("password_confirm", PASSWORD).await;
    let enrolled_at = now_s();
    b.fill("code", &code_at(&secret, enrolled_at)).await;
    b.click("button[type=submit]").await;
    let codes = b.text("#recovery-codes").await;
    assert_eq!(codes.lines().count(), 10, "ten recovery codes: {codes}");
    b.assert_clean("the welcome page").await;

    b.open(&format!("{}/login", app.base)).await;
    b.assert_clean("the sign-in page").await;
    b.screenshot("sign-in").await;
    b.fill("email", "ada@example.com").await;
    b.fill("password", PASSWORD).await;
    // The next step's code: the enrolment spent this one's.
    b.fill("code", &code_at(&secret, now_s().max(enrolled_at) + 30))
        .await;
    b.click("button[type=submit]").await;
    assert_eq!(b.path().await, "/test", "{}", b.text("main").await);
    assert_eq!(b.text("h1").await, "Dashboard");
    assert!(b.text("header").await.contains("Test mode"));
    b.assert_clean("the dashboard").await;
    b.click("a.switch").await;
    assert_eq!(b.path().await, "/live");
    assert!(b.text("header").await.contains("Live mode"));
    b.assert_clean("the live dashboard").await;

    let cookies = b.client.get_all_cookies().await.unwrap();
    let session = cookies
        .iter()
        .find(|c| c.name() == "__Host-anton_session")
        .expect("the session cookie")
        .value()
        .to_owned();
    b.click("form.signout button").await;
    assert_eq!(b.path().await, "/login");
    b.open(&format!("{}/test", app.base)).await;
    assert_eq!(b.path().await, "/login", "signed out");
    // The cookie the browser held before signing out gets the sign-in page too.
    let mut v = Visitor::new(&app);
    v.cookies.insert("__Host-anton_session".into(), session);
    let res = v.get("/test").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/login");
    b.close().await;
}

/// The acceptance path: an owner creates a restricted test key with two scopes in the
/// portal; that key creates a payout through the SDK; the payout appears and reaches `paid` in
/// the portal; an endpoint's failed delivery is resent from the portal and arrives; an analyst
/// sees no key actions and gets 403 posting one; a form without its CSRF token is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_runs_keys_payouts_and_webhooks_in_a_real_browser() {
    use crate::webhooks::{app_for, create_endpoint, receiver, TestLookup};
    use std::sync::atomic::Ordering;

    let r = receiver().await;
    let app = app_for(
        Backend::Sqlite,
        &r,
        &[],
        std::sync::Arc::new(TestLookup::default()),
        &crate::webhooks::FAST,
    )
    .await;
    let Some(b) = Browser::start(&app.ca_path()).await else {
        return;
    };
    // The receiver fails every delivery until the test says otherwise.
    r.shared.status.store(500, Ordering::SeqCst);
    let endpoint = create_endpoint(&app, &r.url, serde_json::json!(["payout.paid"])).await;
    let endpoint = endpoint["id"].as_str().unwrap().to_owned();
    app.fund(&app.key, 1_000_000, "USD").await;
    let recipient = app.create_recipient(&app.key, "6789").await;
    let recipient = recipient["id"].as_str().unwrap().to_owned();

    let owner = super::join(&app, "owner@example.com", "owner").await;
    b.open(&format!("{}/login", app.base)).await;
    b.fill("email", &owner.email).await;
    b.fill("password", PASSWORD).await;
    b.fill("code", &owner.fresh_code()).await;
    b.click("button[type=submit]").await;
    assert_eq!(b.path().await, "/test");

    // A restricted test key with two scopes, shown once.
    b.open(&format!("{}/test/keys", app.base)).await;
    b.assert_clean("the keys page").await;
    b.fill("name", "payouts backend").await;
    b.tick("scope-payouts-write").await;
    b.tick("scope-recipients-read").await;
    b.click("form[action='/test/keys'] button[type=submit]")
        .await;
    let key = b.text("#new-key-value").await;
    assert!(key.starts_with("rk_test_"), "a restricted test key: {key}");
    b.assert_clean("the new key page").await;
    b.open(&format!("{}/test/keys", app.base)).await;
    let listed = b.text("table").await;
    assert!(
        listed.contains("payouts backend") && listed.contains("recipients:read payouts:write"),
        "{listed}"
    );
    assert!(
        !b.client.source().await.unwrap().contains(&key),
        "shown once, never again"
    );
    b.screenshot("keys").await;

    // That key pays through the SDK.
    let sdk = crate::sdk::sdk(&app, &key);
    let payout = sdk
        .payouts()
        .create(&anton_sdk::types::NewPayout::new(12_345, "USD", &recipient))
        .await
        .unwrap();
    b.open(&format!("{}/test/payouts", app.base)).await;
    let list = b.text("#payouts").await;
    assert!(
        list.contains(&payout.id) && list.contains("123.45 USD"),
        "{list}"
    );
    b.assert_clean("the payouts page").await;
    b.screenshot("payouts").await;
    let page = format!("{}/test/payouts/{}", app.base, payout.id);
    b.open_until(&page, "#payout-status", "paid").await;
    let timeline = b.text("#events").await;
    assert!(
        timeline.contains("payout.created") && timeline.contains("payout.paid"),
        "{timeline}"
    );
    b.assert_clean("the payout page").await;
    b.screenshot("payout").await;

    // The payout.paid delivery fails until it is exhausted; then the receiver is fixed and the
    // delivery is resent from the portal.
    let hooks = format!("{}/test/webhooks/{endpoint}", app.base);
    b.open_until(&hooks, "#delivery-list", "exhausted").await;
    r.shared.status.store(0, Ordering::SeqCst);
    b.assert_clean("the endpoint page").await;
    b.click("#delivery-list form button").await;
    assert_eq!(b.path().await, format!("/test/webhooks/{endpoint}"));
    let deliveries = b.open_until(&hooks, "#delivery-list", "succeeded").await;
    assert!(
        deliveries.contains("exhausted"),
        "the failed one stays in the log: {deliveries}"
    );
    assert!(
        deliveries.contains("HTTP 500") && deliveries.contains("HTTP 200"),
        "{deliveries}"
    );
    b.screenshot("webhook-endpoint").await;
    let arrived = r.shared.got.lock().unwrap().len();
    assert!(
        arrived >= 6,
        "five failed attempts and the resent one: {arrived}"
    );
    // The dashboard's charts and webhook health, drawn from what just happened.
    b.open(&format!("{}/test", app.base)).await;
    assert!(b.has("svg#volume-usd").await && b.has("svg#success-rate").await);
    let source = b.client.source().await.unwrap();
    assert!(
        source.contains("123.45 USD") && source.contains("100.0% of 1"),
        "the day's figures"
    );
    let health = b.text("#webhook-health").await;
    assert!(health.contains(&r.url), "{health}");
    b.assert_clean("the dashboard with figures").await;
    b.screenshot("dashboard").await;

    // Every other page, checked as the owner sees it.
    for page in [
        "recipients",
        "reviews",
        "alerts",
        "requests",
        "audit_log",
        "team",
        "account",
    ] {
        b.open(&format!("{}/test/{page}", app.base)).await;
        b.assert_clean(page).await;
        b.screenshot(&page.replace('_', "-")).await;
    }
    b.click("form.signout button").await;

    // An analyst sees no key actions, and is refused when posting one anyway.
    let analyst = super::join(&app, "analyst@example.com", "analyst").await;
    b.fill("email", &analyst.email).await;
    b.fill("password", PASSWORD).await;
    b.fill("code", &analyst.fresh_code()).await;
    b.click("button[type=submit]").await;
    assert_eq!(b.path().await, "/test");
    assert!(
        !b.text("nav").await.contains("API keys"),
        "no keys in the analyst's navigation"
    );
    b.open(&format!("{}/test/payouts/{}", app.base, payout.id))
        .await;
    assert!(!b.has("form[action$='/cancel']").await);
    b.open(&hooks).await;
    assert!(
        !b.has("#delivery-list form").await,
        "no resend for an analyst"
    );
    b.open(&format!("{}/test/keys", app.base)).await;
    assert!(b.text("h1").await.contains("Not allowed"));
    assert!(!b.has("#new-key").await);
    b.assert_clean_answering("a refusal page", 403).await;
    b.close().await;

    let mut v = Visitor::new(&app);
    let res = v
        .sign_in(&analyst.email, PASSWORD, &analyst.recovery_codes[0])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let csrf = super::field(&v.page("/test", StatusCode::OK).await, "csrf").unwrap();
    let res = v
        .post("/test/keys", &[("csrf", &csrf), ("scope", "payouts:write")])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "an analyst may not create a key"
    );
    let res = v.post("/test/keys", &[("scope", "payouts:write")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "no CSRF token");
    let keys = app.operator_cli(
        "ops",
        &["keys", "list", "--merchant", app.merchant.as_str()],
    );
    let keys = String::from_utf8_lossy(&keys.stdout).lines().count();
    assert_eq!(
        keys, 2,
        "the suite's key and the owner's, nothing from the analyst"
    );
}
