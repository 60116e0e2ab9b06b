//! The portal's monitoring pages over HTTPS, on both backends: alerts acknowledged and resolved
//! by the roles that may, recipients masked, the request log, the audit log filtered and
//! exported.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use super::{field, join, Visitor, PASSWORD};
use crate::both_backends;
use crate::helpers::Backend;

both_backends!(monitoring_pages_show_what_happened_and_act_on_alerts);

async fn monitoring_pages_show_what_happened_and_act_on_alerts(backend: Backend) {
    let (app, _receiver, _secret) = crate::alerts::alert_app(backend).await;
    let (_key, alert) = crate::alerts::key_from_a_browser(&app).await;
    app.create_recipient(&app.key, "6789").await;

    let analyst = join(&app, "analyst@example.com", "analyst").await;
    let mut a = Visitor::new(&app);
    a.sign_in(&analyst.email, PASSWORD, &analyst.recovery_codes[0])
        .await;
    let page = a.page("/test/alerts", StatusCode::OK).await;
    assert!(page.contains("api_key_from_browser") && !page.contains("Acknowledge"));
    let csrf = field(&page, "csrf").unwrap();
    let res = a
        .post(
            &format!("/test/alerts/{}/acknowledge", alert.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let admin = join(&app, "admin@example.com", "admin").await;
    let mut m = Visitor::new(&app);
    m.sign_in(&admin.email, PASSWORD, &admin.recovery_codes[0])
        .await;
    let csrf = field(&m.page("/test", StatusCode::OK).await, "csrf").unwrap();
    for verb in ["acknowledge", "resolve"] {
        let res = m
            .post(
                &format!("/test/alerts/{}/{verb}", alert.id),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{verb}");
    }
    let resolved = m.page("/test/alerts?status=resolved", StatusCode::OK).await;
    assert!(resolved.contains("api_key_from_browser"));
    let api: Value = app
        .get(&format!("/v1/alerts/{}", alert.id), &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(api["status"], "resolved");

    // Recipients: the last four digits, never the number.
    let page = m.page("/test/recipients", StatusCode::OK).await;
    assert!(page.contains("····6789") && !page.contains("000123456789"));

    // The request log shows the API's requests once the node has written them.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let page = m.page("/test/requests?status=4xx", StatusCode::OK).await;
        if page.contains("/v1/balance") && page.contains("browser_request_refused") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the refused request is in the log: {page}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    m.page("/test/requests?status=9xx", StatusCode::BAD_REQUEST)
        .await;

    // The audit log, filtered, and its export.
    let page = m
        .page("/test/audit_log?action=alert.resolved", StatusCode::OK)
        .await;
    assert!(page.contains("alert.resolved") && page.contains("member"));
    assert!(!page.contains("<code>api_key.created</code>"), "filtered");
    let res = m.get("/test/audit_log/export").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    let body = res.text().await.unwrap();
    let entries: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(entries
        .iter()
        .any(|e| e["action"] == "alert.acknowledged" && e["actor"]["type"] == "member"));
    assert!(entries.iter().all(|e| e["livemode"] == false));
}

both_backends!(endpoints_are_created_tested_disabled_and_rotated);

async fn endpoints_are_created_tested_disabled_and_rotated(backend: Backend) {
    let (app, receiver, _secret) = crate::alerts::alert_app(backend).await;
    let developer = join(&app, "dev@example.com", "developer").await;
    let mut d = Visitor::new(&app);
    d.sign_in(&developer.email, PASSWORD, &developer.recovery_codes[0])
        .await;
    let page = d.page("/test/webhooks", StatusCode::OK).await;
    let csrf = field(&page, "csrf").unwrap();
    assert!(page.contains("Add an endpoint") && page.contains("payout.paid"));

    let res = d
        .post(
            "/test/webhooks",
            &[
                ("csrf", csrf.as_str()),
                ("url", receiver.url.as_str()),
                ("description", "from the portal"),
                ("event", "payout.paid"),
                ("event", "payout.failed"),
                ("signature_scheme", "hmac_sha256"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let secret = super::text_of(&res.text().await.unwrap(), "signing-secret").unwrap();
    assert!(secret.starts_with("whsec_"), "shown once");
    let list: Value = app
        .get("/v1/webhook_endpoints", &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let made = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["description"] == "from the portal")
        .expect("the endpoint, through the API")
        .clone();
    assert_eq!(
        made["enabled_events"],
        serde_json::json!(["payout.paid", "payout.failed"])
    );
    let id = made["id"].as_str().unwrap();
    let page = d
        .page(&format!("/test/webhooks/{id}"), StatusCode::OK)
        .await;
    assert!(!page.contains(&secret), "never shown again");

    // A test event, sent now, signed with that secret.
    let before = receiver.shared.got.lock().unwrap().len();
    let res = d
        .post(&format!("/test/webhooks/{id}/test"), &[("csrf", &csrf)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.unwrap();
    assert!(body.contains("answered HTTP 200"), "{body}");
    let got = receiver.shared.got.lock().unwrap()[before].clone();
    let header = got.headers["anton-signature"].to_str().unwrap();
    let verified = anton_sdk::Webhook::new(&secret)
        .unwrap()
        .verify_ignoring_timestamp(&got.body, header);
    assert!(verified.is_ok(), "signed with the secret shown");

    // Disable, then rotate (the developer just signed in: no re-authentication asked).
    let res = d
        .post(
            &format!("/test/webhooks/{id}/status"),
            &[("csrf", &csrf), ("status", "disabled")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = d
        .post(
            &format!("/test/webhooks/{id}/rotate"),
            &[("csrf", &csrf), ("overlap_s", "0")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let rotated = super::text_of(&res.text().await.unwrap(), "signing-secret").unwrap();
    assert_ne!(rotated, secret);
    let now: Value = app
        .get(&format!("/v1/webhook_endpoints/{id}"), &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(now["status"], "disabled");

    // A developer operates test mode only.
    let res = d
        .post(
            "/live/webhooks",
            &[
                ("csrf", csrf.as_str()),
                ("url", receiver.url.as_str()),
                ("event", "*"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
