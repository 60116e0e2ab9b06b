//! A member's own account over HTTPS, on both backends: a new password, a new authenticator
//! app and new recovery codes, each behind a recent proof of password and code, each ending
//! the member's other sessions (the recovery codes excepted) and each audited.

use reqwest::StatusCode;

use super::accounts::audit_actions;
use super::{code_at, field, join, now_s, text_of, Visitor, PASSWORD};
use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};

both_backends!(members_change_their_password_app_and_recovery_codes,);

const NEW_PASSWORD: &str = "quiet harbour violet 2291 tundra";

/// A visitor signed in as `email` with `password` and `code`.
async fn signed_in(app: &TestApp, email: &str, password: &str, code: &str) -> (Visitor, String) {
    let mut v = Visitor::new(app);
    let res = v.sign_in(email, password, code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{email} signs in");
    let csrf = field(&v.page("/test", StatusCode::OK).await, "csrf").unwrap();
    (v, csrf)
}

async fn sign_in_status(app: &TestApp, email: &str, password: &str, code: &str) -> StatusCode {
    Visitor::new(app)
        .sign_in(email, password, code)
        .await
        .status()
}

async fn members_change_their_password_app_and_recovery_codes(backend: Backend) {
    let app = spawn_app(backend).await;
    // Every role manages its own account: an analyst here.
    let m = join(&app, "ann@example.com", "analyst").await;
    let (mut v, csrf) = signed_in(&app, &m.email, PASSWORD, &m.recovery_codes[0]).await;
    let (mut other, _) = signed_in(&app, &m.email, PASSWORD, &m.recovery_codes[1]).await;
    let page = v.page("/test/account", StatusCode::OK).await;
    assert!(page.contains("ann@example.com") && page.contains("analyst"));
    assert_eq!(text_of(&page, "codes-left").as_deref(), Some("8"));
    assert!(
        v.page("/test", StatusCode::OK)
            .await
            .contains("href=\"/test/account\""),
        "every page links the account"
    );

    // An old proof of password and code: the change waits for a new one.
    app.exec("UPDATE portal_sessions SET reauth_us = reauth_us - 3600000000")
        .await;
    let change = [
        ("csrf", csrf.as_str()),
        ("password", NEW_PASSWORD),
        ("password_confirm", NEW_PASSWORD),
    ];
    let res = v.post("/test/account/password", &change).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/reauth?next=/test/account");
    let res = v.get("/test/account/totp").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/reauth?next=/test/account/totp");
    let res = v
        .post(
            "/reauth",
            &[
                ("csrf", &csrf),
                ("next", "/test/account"),
                ("password", PASSWORD),
                ("code", &m.recovery_codes[2]),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // Refusals change nothing: a weak password, two that differ, no CSRF token.
    for (password, confirm, says) in [
        ("password1234", "password1234", "too easy to guess"),
        (NEW_PASSWORD, "quiet harbour violet 2291", "not the same"),
    ] {
        let res = v
            .post(
                "/test/account/password",
                &[
                    ("csrf", &csrf),
                    ("password", password),
                    ("password_confirm", confirm),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{password}");
        assert!(res.text().await.unwrap().contains(says));
    }
    let res = v.post("/test/account/password", &change[1..]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "no CSRF token");
    assert_eq!(other.get("/test").await.status(), StatusCode::OK);

    // A new password: the other session ends, this one goes on, only the new one signs in.
    let res = v.post("/test/account/password", &change).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Password changed"));
    assert_eq!(other.get("/test").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(v.get("/test").await.status(), StatusCode::OK);
    let code = &m.recovery_codes[3];
    assert_eq!(
        sign_in_status(&app, &m.email, PASSWORD, code).await,
        StatusCode::UNAUTHORIZED
    );
    let (mut other, other_csrf) = signed_in(&app, &m.email, NEW_PASSWORD, code).await;

    // A new authenticator app: a wrong code keeps the same new key on the page.
    let page = v.page("/test/account/totp", StatusCode::OK).await;
    let secret = text_of(&page, "totp-secret").expect("the new key");
    assert_ne!(secret, m.secret);
    assert!(page.contains("<svg"), "its QR code");
    let enrolment = field(&page, "enrolment").expect("the sealed enrolment");
    assert!(!enrolment.contains(&secret), "the key travels sealed");
    let wrong = code_at(&m.secret, now_s());
    let res = v
        .post(
            "/test/account/totp",
            &[("csrf", &csrf), ("enrolment", &enrolment), ("code", &wrong)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "the old app's code");
    assert_eq!(
        text_of(&res.text().await.unwrap(), "totp-secret").as_deref(),
        Some(secret.as_str())
    );
    let res = v
        .post(
            "/test/account/totp",
            &[
                ("csrf", &csrf),
                ("enrolment", "tampered"),
                ("code", "123456"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "a forged enrolment");
    assert_eq!(other.get("/test").await.status(), StatusCode::OK);
    let at = now_s();
    // The sealed enrolment is the session's that began it: another session cannot use it.
    let res = other
        .post(
            "/test/account/totp",
            &[
                ("csrf", &other_csrf),
                ("enrolment", &enrolment),
                ("code", &code_at(&secret, at)),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "another session's");
    let res = v
        .post(
            "/test/account/totp",
            &[
                ("csrf", &csrf),
                ("enrolment", &enrolment),
                ("code", &code_at(&secret, at)),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(other.get("/test").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(v.get("/test").await.status(), StatusCode::OK);
    // The next step's codes: the old app's no longer signs in, the new app's does.
    let next = at.max(now_s()) + 30;
    assert_eq!(
        sign_in_status(&app, &m.email, NEW_PASSWORD, &code_at(&m.secret, next)).await,
        StatusCode::UNAUTHORIZED
    );
    signed_in(&app, &m.email, NEW_PASSWORD, &code_at(&secret, next)).await;

    // New recovery codes: the old unused ones stop working, the new ones work once.
    let res = v
        .post("/test/account/recovery_codes", &[("csrf", &csrf)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    let list = &page[page.find("id=\"recovery-codes\"").expect("the new codes")..];
    let codes: Vec<&str> = list
        .split("<li>")
        .skip(1)
        .filter_map(|s| s.split("</li>").next())
        .collect();
    assert_eq!(codes.len(), 10);
    assert!(codes
        .iter()
        .all(|c| !m.recovery_codes.contains(&c.to_string())));
    assert_eq!(
        sign_in_status(&app, &m.email, NEW_PASSWORD, &m.recovery_codes[5]).await,
        StatusCode::UNAUTHORIZED
    );
    signed_in(&app, &m.email, NEW_PASSWORD, codes[0]).await;
    assert_eq!(
        sign_in_status(&app, &m.email, NEW_PASSWORD, codes[0]).await,
        StatusCode::UNAUTHORIZED,
        "once"
    );
    let page = v.page("/test/account", StatusCode::OK).await;
    assert_eq!(text_of(&page, "codes-left").as_deref(), Some("9"));

    let audit = audit_actions(&app).await;
    let changes: Vec<_> = audit
        .iter()
        .filter(|e| e["action"] == "member.two_factor_changed")
        .map(|e| e["after"]["change"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        changes.len(),
        2,
        "the new app and the new codes: {changes:?}"
    );
    assert!(
        changes.contains(&"totp_reenrolled".to_owned()),
        "{changes:?}"
    );
    let passwords = audit
        .iter()
        .filter(|e| e["action"] == "member.password_changed")
        .count();
    assert_eq!(passwords, 1);
    let text = serde_json::to_string(&audit).unwrap();
    assert!(!text.contains(NEW_PASSWORD) && !text.contains(&secret) && !text.contains(codes[1]));
}
