//! The team page and the review queue over HTTPS, on both backends: owners invite, change
//! roles and remove behind re-authentication, a team always keeps an owner, a changed member's
//! sessions end, and held payouts are approved and rejected by the roles that may.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{field, join, text_of, Visitor, PASSWORD};
use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};

both_backends!(
    owners_run_the_team_behind_reauthentication,
    held_payouts_are_decided_in_the_review_queue,
);

/// A visitor signed in as `m`, with a recovery code (any number of sign-ins per 30 s step).
async fn signed_in(app: &TestApp, m: &super::Joined, code: usize) -> (Visitor, String) {
    let mut v = Visitor::new(app);
    let res = v.sign_in(&m.email, PASSWORD, &m.recovery_codes[code]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{} signs in", m.email);
    let csrf = field(&v.page("/test", StatusCode::OK).await, "csrf").unwrap();
    (v, csrf)
}

fn member_id(page: &str, email: &str) -> String {
    let table = &page[page.find("id=\"members\"").expect("the members table")..];
    let row = table.split("<tr>").find(|r| r.contains(email)).unwrap();
    let at = row.find("/team/mbr_").unwrap_or_else(|| panic!("{row}")) + 6;
    row[at..].split('/').next().unwrap().to_owned()
}

async fn owners_run_the_team_behind_reauthentication(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = join(&app, "owner@example.com", "owner").await;
    let (mut o, csrf) = signed_in(&app, &owner, 0).await;

    // An owner invites from the portal; the link is shown once and works.
    let res = o
        .post(
            "/test/team/invitations",
            &[
                ("csrf", &csrf),
                ("email", "dev@example.com"),
                ("role", "developer"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    let link = text_of(&page, "invitation-link").expect("the link, shown once");
    assert!(
        link.starts_with(&format!("{}/invitations/", app.base)),
        "{link}"
    );
    let team = o.page("/test/team", StatusCode::OK).await;
    assert!(
        team.contains("dev@example.com") && !team.contains(&link),
        "listed, not linked"
    );
    let mut d = Visitor::new(&app);
    let join_page = d.page(&link, StatusCode::OK).await;
    assert!(join_page.contains("developer"));
    drop(d);
    let dev = join(&app, "dev2@example.com", "developer").await;
    let (mut d, dcsrf) = signed_in(&app, &dev, 0).await;

    // A developer may look, not change.
    let team = d.page("/test/team", StatusCode::OK).await;
    assert!(!team.contains("Change role"));
    let dev_id = member_id(
        &o.page("/test/team", StatusCode::OK).await,
        "dev2@example.com",
    );
    let res = d
        .post(
            &format!("/test/team/{dev_id}/role"),
            &[("csrf", &dcsrf), ("role", "owner")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let team = o.page("/test/team", StatusCode::OK).await;
    let invitations = &team[team.find("id=\"invitations\"").expect("open invitations")..];
    let at = invitations
        .find("/team/invitations/inv_")
        .expect("a revoke form")
        + 18;
    let inv_id = invitations[at..].split('/').next().unwrap().to_owned();
    let revoke = format!("/test/team/invitations/{inv_id}/revoke");
    let res = d.post(&revoke, &[("csrf", &dcsrf)]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "only owners revoke");

    // The owner's proof of password and code is old: the change waits for a new one.
    app.exec("UPDATE portal_sessions SET reauth_us = reauth_us - 3600000000")
        .await;
    let res = o
        .post(
            &format!("/test/team/{dev_id}/role"),
            &[("csrf", &csrf), ("role", "analyst")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/reauth?next=/test/team");
    assert_eq!(d.get("/test").await.status(), 200, "nothing changed yet");
    let res = o
        .post(
            "/reauth",
            &[
                ("csrf", &csrf),
                ("next", "//evil.example/x"),
                ("password", PASSWORD),
                ("code", &owner.recovery_codes[1]),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/", "never another site");
    let res = o
        .post(
            &format!("/test/team/{dev_id}/role"),
            &[("csrf", &csrf), ("role", "analyst")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/test/team");
    // The changed member's sessions ended.
    assert_eq!(d.get("/test").await.status(), StatusCode::SEE_OTHER);
    let team = o.page("/test/team", StatusCode::OK).await;
    let row = team
        .split("<tr>")
        .find(|r| r.contains("dev2@example.com"))
        .unwrap();
    assert!(
        row.contains("selected>analyst") || row.contains("<td>analyst</td>"),
        "{row}"
    );

    // A revoked invitation's link stops working at once, and it leaves the list.
    let res = o.post(&revoke, &[("csrf", &csrf)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/test/team");
    let mut late = Visitor::new(&app);
    late.page(&link, StatusCode::NOT_FOUND).await;
    let team = o.page("/test/team", StatusCode::OK).await;
    assert!(!team.contains(&inv_id) && !team.contains("dev@example.com"));
    let res = o.post(&revoke, &[("csrf", &csrf)]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "revoked once");
    let res = o
        .post(
            "/test/team/invitations/inv_nonsense/revoke",
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // A team keeps an owner.
    let owner_id = member_id(&team, "owner@example.com");
    let res = o
        .post(
            &format!("/test/team/{owner_id}/role"),
            &[("csrf", &csrf), ("role", "admin")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("at least one owner"));
    let res = o
        .post(&format!("/test/team/{owner_id}/remove"), &[("csrf", &csrf)])
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // Removing a member: gone from the team, their email free to be invited again.
    let res = o
        .post(&format!("/test/team/{dev_id}/remove"), &[("csrf", &csrf)])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(!o
        .page("/test/team", StatusCode::OK)
        .await
        .contains("dev2@example.com"));
    let (mut again, _) = (Visitor::new(&app), ());
    let res = again
        .sign_in(&dev.email, PASSWORD, &dev.recovery_codes[1])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "a removed member cannot sign in"
    );
    super::invite(&app, "dev2@example.com", "analyst");

    let key = app
        .create_key(
            &app.merchant,
            anton_core::keys::Environment::Live,
            Some(&["audit_log:read"]),
        )
        .await;
    let log: Value = app
        .get("/v1/audit_log?limit=100", &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let actions: Vec<(String, String)> = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["actor"]["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (action, actor) in [
        ("member.invited", "member"),
        ("member.invitation_revoked", "member"),
        ("member.role_changed", "member"),
        ("member.removed", "member"),
    ] {
        assert!(
            actions.contains(&(action.to_owned(), actor.to_owned())),
            "{action} by a {actor}: {actions:?}"
        );
    }
}

async fn held_payouts_are_decided_in_the_review_queue(backend: Backend) {
    let app = spawn_app(backend).await;
    // The rule is set in the portal: held above 100.00 USD.
    let admin = join(&app, "admin@example.com", "admin").await;
    let (mut m, csrf) = signed_in(&app, &admin, 0).await;
    let page = m.page("/test/risk_rules", StatusCode::OK).await;
    assert!(page.contains("payout_amount") && page.contains("Save payout_amount"));
    let rule_form = |usd: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("enabled", "true".to_owned()),
            ("action", "review".to_owned()),
            ("limit_USD", usd.to_owned()),
            ("limit_EUR", "1000000".to_owned()),
            ("limit_GBP", "1,000,000.00".to_owned()),
        ]
    };
    let form = rule_form("12.3.4");
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = m.post("/test/risk_rules/payout_amount", &form).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "not an amount");
    let form = rule_form("100.00");
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = m.post("/test/risk_rules/payout_amount", &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let rule: Value = app
        .get("/v1/risk_rules/payout_amount", &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (rule["action"].clone(), rule["limits"]["USD"].clone()),
        (json!("review"), json!(10_000))
    );
    assert_eq!(rule["limits"]["GBP"], 100_000_000);
    app.fund(&app.key, 1_000_000, "USD").await;
    let recipient = app.create_recipient(&app.key, "6789").await;
    let recipient = recipient["id"].as_str().unwrap();
    let mut held = Vec::new();
    for _ in 0..2 {
        let po: Value = app
            .create_payout(&app.key, recipient, 50_000)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(po["status"], "requires_review", "{po}");
        held.push(po["id"].as_str().unwrap().to_owned());
    }

    let analyst = join(&app, "analyst@example.com", "analyst").await;
    let (mut a, acsrf) = signed_in(&app, &analyst, 0).await;
    let queue = a.page("/test/reviews", StatusCode::OK).await;
    assert!(queue.contains(&held[0]) && queue.contains("payout_amount"));
    assert!(!queue.contains("Approve"), "no decisions for an analyst");
    let res = a
        .post(
            &format!("/test/reviews/{}", held[0]),
            &[("csrf", &acsrf), ("decision", "approve")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let res = m
        .post(
            &format!("/test/reviews/{}", held[0]),
            &[
                ("csrf", &csrf),
                ("decision", "approve"),
                ("reason", "known customer"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = m
        .post(
            &format!("/test/reviews/{}", held[1]),
            &[("csrf", &csrf), ("decision", "reject")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let queue = m.page("/test/reviews", StatusCode::OK).await;
    assert!(queue.contains("Nothing is waiting for review."));
    // Deciding again the other way is refused (the engine's rule, shown as a page).
    let res = m
        .post(
            &format!("/test/reviews/{}", held[1]),
            &[("csrf", &csrf), ("decision", "approve")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    let approved = app.payout(&app.key, &held[0]).await;
    assert_ne!(approved["status"], "requires_review");
    assert_eq!(approved["review"]["status"], "approved");
    assert_eq!(approved["review"]["reason"], "known customer");
    assert!(approved["review"]["decided_by"]
        .as_str()
        .unwrap()
        .starts_with("mbr_"));
    let rejected = app.payout(&app.key, &held[1]).await;
    assert_eq!(rejected["status"], "canceled");
    app.assert_ledger_balanced(&app.tenant()).await;
}
