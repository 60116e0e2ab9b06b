//! Accounts and sessions over HTTPS, on both backends: joining, signing in and out, the
//! cookies' attributes, the security headers, session fixation, idle and absolute expiry,
//! throttling, recovery codes and TOTP codes used once, CSRF refusals, and the audit trail.

use std::net::Ipv4Addr;

use anton_core::keys::Environment;
use reqwest::StatusCode;
use serde_json::Value;

use super::{code_at, field, join, now_s, Visitor, PASSWORD};
use crate::both_backends;
use crate::helpers::{spawn_app, spawn_app_with, Backend, TestApp};

both_backends!(
    a_member_joins_signs_in_and_out,
    a_session_is_never_adopted_from_the_browser,
    sessions_end_when_idle_and_when_old,
    sign_ins_are_throttled_per_account_and_per_address,
    recovery_codes_and_totp_codes_work_once,
    a_refused_invitation_form_leaves_the_invitation_open,
    every_page_sends_the_security_headers,
);

/// The headers docs/portal.md promises on every portal answer.
fn assert_security_headers(res: &reqwest::Response) {
    let h = res.headers();
    let get = |name: &str| {
        h.get(name)
            .unwrap_or_else(|| panic!("{name} missing on {}", res.url()))
            .to_str()
            .unwrap()
            .to_owned()
    };
    let csp = get("content-security-policy");
    for directive in [
        "default-src 'none'",
        "script-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(directive), "CSP {csp:?} lacks {directive}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(get("referrer-policy"), "no-referrer");
    assert!(get("permissions-policy").contains("camera=()"));
    assert_eq!(get("x-content-type-options"), "nosniff");
    assert_eq!(get("x-frame-options"), "DENY");
    assert!(get("strict-transport-security").starts_with("max-age="));
    assert_eq!(get("cache-control"), "no-store");
}

/// The live-mode audit entries of `action` (account entries are recorded in live mode).
pub(super) async fn audit_actions(app: &TestApp) -> Vec<Value> {
    let key = app
        .create_key(&app.merchant, Environment::Live, Some(&["audit_log:read"]))
        .await;
    let res = app
        .get("/v1/audit_log?limit=100", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["data"].as_array().unwrap().clone()
}

async fn a_member_joins_signs_in_and_out(backend: Backend) {
    let app = spawn_app(backend).await;
    let link = super::invite(&app, "Ada@Example.com", "owner");
    let mut v = Visitor::new(&app);
    let res = v.get(&link).await;
    assert_eq!(res.status(), 200);
    assert_security_headers(&res);
    let page = res.text().await.unwrap();
    assert!(page.contains("ada@example.com"), "the address, lower-cased");
    assert!(page.contains("<svg"), "the QR code, inline");
    drop(v);
    let grace = join(&app, "grace@example.com", "admin").await;

    let mut v = Visitor::new(&app);
    let res = v.get("/login").await;
    assert_security_headers(&res);
    let res = v.sign_in(&grace.email, PASSWORD, &grace.fresh_code()).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/test");
    let set: Vec<&str> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let session = set
        .iter()
        .find(|c| c.starts_with("__Host-anton_session="))
        .expect("a session cookie");
    for attr in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(session.contains(attr), "{session} lacks {attr}");
    }
    assert!(!session.contains("Domain"), "{session}");
    let res = v.get("/test").await;
    assert_eq!(res.status(), 200);
    assert_security_headers(&res);
    let page = res.text().await.unwrap();
    assert!(page.contains("grace@example.com") && page.contains("admin"));
    assert!(page.contains("Test mode"));
    let live = v.page("/live", StatusCode::OK).await;
    assert!(live.contains("Live mode"));

    assert_eq!(app.count("members").await, 1, "Ada has not joined");

    // Signing out needs the session's CSRF token; then the cookie signs in no more.
    let held = v.session().unwrap();
    let res = v.post("/logout", &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "no CSRF token");
    assert_security_headers(&res);
    assert_eq!(v.get("/test").await.status(), 200, "still signed in");
    let csrf = field(&v.page("/test", StatusCode::OK).await, "csrf").unwrap();
    let res = v.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/login");
    assert!(v.session().is_none(), "the cookie is deleted");
    v.cookies.insert("__Host-anton_session".into(), held);
    let res = v.get("/test").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/login");

    // The trail: invitations, the join, the sign-in, each by whom.
    let entries = audit_actions(&app).await;
    let of = |action: &str| {
        entries
            .iter()
            .filter(|e| e["action"] == action)
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(of("member.invited").len(), 2);
    assert_eq!(of("member.invited")[0]["actor"]["type"], "operator");
    let joined = of("member.joined");
    assert_eq!(joined.len(), 1);
    assert_eq!(joined[0]["actor"]["type"], "member");
    assert_eq!(joined[0]["after"]["role"], "admin");
    let login = of("member.login");
    assert_eq!(login.len(), 1);
    assert_eq!(login[0]["after"]["method"], "totp");
    assert_eq!(login[0]["source_ip"], "127.0.0.1");
    let text = entries.iter().map(Value::to_string).collect::<String>();
    assert!(!text.contains(PASSWORD) && !text.contains(&grace.secret));
}

async fn a_session_is_never_adopted_from_the_browser(backend: Backend) {
    let app = spawn_app(backend).await;
    let m = join(&app, "ada@example.com", "developer").await;
    // A victim's browser carries a session id an attacker planted.
    let mut v = Visitor::new(&app);
    v.cookies
        .insert("__Host-anton_session".into(), "planted-by-attacker".into());
    assert_eq!(v.get("/test").await.status(), StatusCode::SEE_OTHER);
    let res = v.sign_in(&m.email, PASSWORD, &m.fresh_code()).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let fresh = v.session().unwrap();
    assert_ne!(fresh, "planted-by-attacker");
    assert!(fresh.len() >= 40, "a new random token");
    let mut attacker = Visitor::new(&app);
    attacker
        .cookies
        .insert("__Host-anton_session".into(), "planted-by-attacker".into());
    assert_eq!(attacker.get("/test").await.status(), StatusCode::SEE_OTHER);

    // Signing in again from a browser that holds a live session ends that session.
    let res = v.sign_in(&m.email, PASSWORD, &m.recovery_codes[0]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let newer = v.session().unwrap();
    assert_ne!(newer, fresh, "rotated at sign-in");
    let mut old = Visitor::new(&app);
    old.cookies.insert("__Host-anton_session".into(), fresh);
    assert_eq!(old.get("/test").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(v.get("/test").await.status(), 200);
}

async fn sessions_end_when_idle_and_when_old(backend: Backend) {
    let app = spawn_app(backend).await;
    let m = join(&app, "ada@example.com", "analyst").await;
    let mut idle = Visitor::new(&app);
    idle.sign_in(&m.email, PASSWORD, &m.fresh_code()).await;
    assert_eq!(idle.get("/test").await.status(), 200);
    // 31 minutes without a request (the default idle timeout is 30).
    app.exec("UPDATE portal_sessions SET last_seen_us = last_seen_us - 1860000000")
        .await;
    let res = idle.get("/test").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "idle session ended");

    let mut old = Visitor::new(&app);
    old.sign_in(&m.email, PASSWORD, &m.recovery_codes[0]).await;
    assert_eq!(old.get("/test").await.status(), 200);
    // Signed in 12 hours and a minute ago, used a moment ago: over all the same.
    app.exec(
        "UPDATE portal_sessions SET created_us = created_us - 43260000000 \
         WHERE ended_us IS NULL AND last_seen_us > created_us - 1",
    )
    .await;
    let res = old.get("/test").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "absolute timeout");
}

async fn sign_ins_are_throttled_per_account_and_per_address(backend: Backend) {
    let app = spawn_app_with(
        backend,
        |c| {
            c.portal.account_failures_max = 3;
            c.portal.account_total_failures_max = 5;
            c.portal.address_failures_max = 6;
        },
        None,
    )
    .await;
    let ada = join(&app, "ada@example.com", "owner").await;
    let bob = join(&app, "bob@example.com", "admin").await;
    let mut v = Visitor::new(&app);
    for _ in 0..3 {
        let res = v.sign_in(&ada.email, "wrong password!", "000000").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let page = res.text().await.unwrap();
        assert!(page.contains("The email, password or code is not right."));
    }
    // Ada's account is held for the window, even with everything right.
    let res = v.sign_in(&ada.email, PASSWORD, &ada.fresh_code()).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(v.session().is_none());
    // …from that address only: Ada at her own desk still signs in (failing on purpose from
    // one place does not lock a member out).
    let mut desk = Visitor::from_address(&app, Ipv4Addr::new(127, 0, 0, 2));
    let res = desk
        .sign_in(&ada.email, PASSWORD, &ada.recovery_codes[0])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "another address");
    // Many addresses together reach the account's total (5): then it is held everywhere.
    let mut far = Visitor::from_address(&app, Ipv4Addr::new(127, 0, 0, 3));
    for _ in 0..2 {
        let res = far.sign_in(&ada.email, "wrong password!", "000000").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let mut fresh = Visitor::from_address(&app, Ipv4Addr::new(127, 0, 0, 4));
    let res = fresh
        .sign_in(&ada.email, PASSWORD, &ada.recovery_codes[1])
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "the total");
    assert_eq!(desk.get("/test").await.status(), 200, "a session goes on");
    // Bob, from the same address, is not (3 of the address's 6).
    let res = v.sign_in(&bob.email, PASSWORD, &bob.fresh_code()).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Failures for addresses that are nobody's still count against the address.
    let mut w = Visitor::new(&app);
    for i in 0..3 {
        let res = w
            .sign_in(&format!("nobody{i}@example.com"), PASSWORD, "123456")
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = w
        .sign_in(&bob.email, PASSWORD, &bob.recovery_codes[0])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the address's 6"
    );
    let failed = audit_actions(&app)
        .await
        .iter()
        .filter(|e| e["action"] == "member.login_failed")
        .count();
    assert_eq!(
        failed, 5,
        "Ada's five failures; throttled attempts are not entries"
    );
    // The portal's answers are in the node's request metrics, by route template: the
    // operator's alerts see a wave of failed sign-ins.
    let text = crate::metrics::scrape(&app).await;
    let login = |status: u16| {
        let series = format!(
            "anton_http_requests_total{{route=\"/login\",method=\"POST\",status=\"{status}\"}}"
        );
        crate::metrics::value(&text, &series)
    };
    assert_eq!(login(401), Some(8.0), "eight refused: {text}");
    assert_eq!(login(429), Some(3.0), "three throttled");
    assert_eq!(login(303), Some(2.0), "two signed in");
    let page = "anton_http_requests_total{route=\"/test\",method=\"GET\",status=\"200\"}";
    assert!(crate::metrics::value(&text, page).is_some(), "{text}");

    // The hourly sweep deletes the throttle's windows once they are over, and only then.
    let rows = app.count("login_throttle").await;
    assert!(rows >= 8, "a row per bucket: {rows}");
    let engine = crate::alerts::side_engine(&app, false);
    let now = anton_store::now_us();
    assert_eq!(engine.sweep_login_throttle(now).await.unwrap(), 0);
    let after_window = now + 901 * 1_000_000;
    let swept = engine.sweep_login_throttle(after_window).await.unwrap();
    assert_eq!(swept, u64::try_from(rows).unwrap());
    assert_eq!(app.count("login_throttle").await, 0);
}

async fn recovery_codes_and_totp_codes_work_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let m = join(&app, "ada@example.com", "owner").await;
    let code = m.fresh_code();
    let mut v = Visitor::new(&app);
    assert_eq!(
        v.sign_in(&m.email, PASSWORD, &code).await.status(),
        StatusCode::SEE_OTHER
    );
    let mut w = Visitor::new(&app);
    assert_eq!(
        w.sign_in(&m.email, PASSWORD, &code).await.status(),
        StatusCode::UNAUTHORIZED,
        "a TOTP code is spent by its first use"
    );
    // The code enrolment used is older still.
    let enrolled = code_at(&m.secret, m.enrolled_at_s);
    assert_eq!(
        w.sign_in(&m.email, PASSWORD, &enrolled).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let recovery = m.recovery_codes[3].to_uppercase();
    assert_eq!(
        w.sign_in(&m.email, PASSWORD, &recovery).await.status(),
        StatusCode::SEE_OTHER,
        "a recovery code, as typed in capitals"
    );
    let mut x = Visitor::new(&app);
    assert_eq!(
        x.sign_in(&m.email, PASSWORD, &m.recovery_codes[3])
            .await
            .status(),
        StatusCode::UNAUTHORIZED,
        "a recovery code works once"
    );
    let methods: Vec<Value> = audit_actions(&app)
        .await
        .iter()
        .filter(|e| e["action"] == "member.login")
        .map(|e| e["after"]["method"].clone())
        .collect();
    assert_eq!(methods.len(), 2);
    assert!(methods.contains(&Value::from("recovery_code")));
}

async fn a_refused_invitation_form_leaves_the_invitation_open(backend: Backend) {
    let app = spawn_app(backend).await;
    let link = super::invite(&app, "ada@example.com", "developer");
    let mut v = Visitor::new(&app);
    let page = v.page(&link, StatusCode::OK).await;
    let secret = super::text_of(&page, "totp-secret").unwrap();
    let csrf = field(&page, "csrf").unwrap();
    let code = code_at(&secret, now_s());
    for (password, confirm, code, says) in [
        (
            "password1234",
            "password1234",
            code.as_str(),
            "too easy to guess",
        ),
        (
            PASSWORD,
            "another one entirely",
            code.as_str(),
            "not the same",
        ),
        (PASSWORD, PASSWORD, "000000", "not the one your app shows"),
    ] {
        let form = [
            ("csrf", csrf.as_str()),
            ("password", password),
            ("password_confirm", confirm),
            ("code", code),
        ];
        let res = v.post(&link, &form).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{says}");
        let body = res.text().await.unwrap();
        assert!(body.contains(says), "{says}: {body}");
    }
    // A post without the CSRF value is refused before anything is looked at.
    let res = v
        .post(
            &link,
            &[("password", PASSWORD), ("password_confirm", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("members").await, 0, "nothing half-written");
    // The invitation is still open, and joining works.
    let res = v
        .post(
            &link,
            &[
                ("csrf", &csrf),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.count("members").await, 1);
    let res = v.get(&link).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "used");
    // An unknown token says the same as a used one.
    let res = v
        .get(&format!(
            "{}/invitations/NoSuchToken0000000000000000000000000000000",
            app.base
        ))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

/// Every page of both modes, and the answers that are not pages (a refusal, a redirect, the
/// stylesheet), carries the security headers.
async fn every_page_sends_the_security_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = join(&app, "owner@example.com", "owner").await;
    let mut v = Visitor::new(&app);
    v.sign_in(&owner.email, PASSWORD, &owner.recovery_codes[0])
        .await;
    for mode in ["test", "live"] {
        for page in [
            "",
            "/payouts",
            "/reviews",
            "/recipients",
            "/webhooks",
            "/alerts",
            "/risk_rules",
            "/requests",
            "/audit_log",
            "/keys",
            "/team",
            "/account",
        ] {
            let res = v.get(&format!("/{mode}{page}")).await;
            assert_eq!(res.status(), StatusCode::OK, "/{mode}{page}");
            assert_security_headers(&res);
            let body = res.text().await.unwrap();
            assert!(!body.contains("<script"), "no script on /{mode}{page}");
            assert!(
                !body.contains(" style="),
                "no inline style on /{mode}{page}"
            );
        }
    }
    for (path, status) in [
        ("/test/payouts/po_nothing", StatusCode::NOT_FOUND),
        ("/", StatusCode::SEE_OTHER),
        ("/reauth?next=/test", StatusCode::OK),
        ("/assets/portal.css", StatusCode::OK),
    ] {
        let res = v.get(path).await;
        assert_eq!(res.status(), status, "{path}");
        let h = res.headers();
        assert!(h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'"));
        assert_eq!(h["referrer-policy"], "no-referrer");
    }
}
