//! The Rust SDK (`anton-sdk`) against the real server over TLS with the test CA: every endpoint,
//! typed errors, an idempotent retry after a dropped connection, and 429 handling.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anton_core::keys::Environment;
use anton_sdk::types::{
    AccountType, BankAccountDetails, FailureCode, ListParams, NewPayout, NewRecipient,
    NewWebhookEndpoint, PayoutStatus, PayoutUpdate, RecipientUpdate, WebhookEndpointUpdate,
};
use anton_sdk::{Client, Error, ErrorType};
use futures_util::TryStreamExt;

use crate::helpers::{Backend, TestApp};

pub(crate) fn sdk(app: &TestApp, key: &str) -> Client {
    Client::builder(key)
        .base_url(&app.base)
        .add_root_certificate_pem(&std::fs::read(app.ca_path()).unwrap())
        .unwrap()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

pub(crate) fn ach(number: &str) -> BankAccountDetails {
    BankAccountDetails::UsAch {
        routing_number: "110000000".into(),
        account_number: number.into(),
        account_type: AccountType::Checking,
    }
}

async fn every_endpoint_works_through_the_sdk(backend: Backend) {
    // Endpoints point at localhost (allowed for this test; workers are off, nothing is sent).
    let app = crate::helpers::spawn_app_with(
        backend,
        |c| c.webhooks.allow_private = vec!["localhost".into()],
        None,
    )
    .await;
    let c = sdk(&app, &app.key);
    // Debug never shows the key.
    let shown = format!("{c:?}");
    assert!(!shown.contains(&app.key), "{shown}");

    // Balance.
    let balance = c.test_helpers().fund_balance(100_000, "USD").await.unwrap();
    assert_eq!(balance.available_in("USD"), 100_000);
    assert_eq!(
        c.balance().get().await.unwrap().available_in("usd"),
        100_000
    );

    // Recipients: create, get, update, list, paginate, delete.
    let mut created = Vec::new();
    for i in 0..3 {
        let mut r = NewRecipient::new(format!("Ada {i}"), ach(&format!("00012345678{i}")));
        r.metadata.insert("n".into(), i.to_string());
        created.push(c.recipients().create(&r).await.unwrap());
    }
    let r0 = &created[0];
    assert_eq!(r0.bank_account.last4, "6780");
    assert_eq!(r0.metadata["n"], "0");
    assert_eq!(c.recipients().get(&r0.id).await.unwrap(), *r0);
    let updated = c
        .recipients()
        .update(
            &r0.id,
            &RecipientUpdate {
                email: Some(Some("ada@example.com".into())),
                bank_account: Some(ach("000999888777")),
                ..RecipientUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.email.as_deref(), Some("ada@example.com"));
    assert_eq!(updated.bank_account.last4, "8777");
    let page = c
        .recipients()
        .list(&ListParams::new().limit(2))
        .await
        .unwrap();
    assert_eq!(page.data.len(), 2);
    assert!(page.has_more);
    // The stream walks every page (limit 1: three pages).
    let all: Vec<_> = c
        .recipients()
        .list_all(ListParams::new().limit(1))
        .try_collect()
        .await
        .unwrap();
    let mut ids: Vec<_> = all.iter().map(|r| r.id.clone()).collect();
    ids.sort();
    let mut want: Vec<_> = created.iter().map(|r| r.id.clone()).collect();
    want.sort();
    assert_eq!(ids, want);

    // Payouts: create, get, list with a filter, cancel, the test helpers.
    let recipient = created[1].id.clone();
    let p1 = c
        .payouts()
        .create(&NewPayout::new(1_000, "USD", &recipient))
        .await
        .unwrap();
    assert_eq!(p1.status, PayoutStatus::Pending);
    assert_eq!(c.payouts().get(&p1.id).await.unwrap().id, p1.id);
    let canceled = c.payouts().cancel(&p1.id).await.unwrap();
    assert_eq!(canceled.status, PayoutStatus::Canceled);
    let p2 = c
        .payouts()
        .create_with_key(&NewPayout::new(2_000, "USD", &recipient), "order-42")
        .await
        .unwrap();
    let again = c
        .payouts()
        .create_with_key(&NewPayout::new(2_000, "USD", &recipient), "order-42")
        .await
        .unwrap();
    assert_eq!(again.id, p2.id, "the same key is the same payout");
    let paid = c.test_helpers().pay_payout(&p2.id).await.unwrap();
    assert_eq!(paid.status, PayoutStatus::Paid);
    let returned = c.test_helpers().return_payout(&p2.id).await.unwrap();
    assert_eq!(returned.status, PayoutStatus::Returned);
    let p3 = c
        .payouts()
        .create(&NewPayout::new(3_000, "USD", &recipient))
        .await
        .unwrap();
    let failed = c
        .test_helpers()
        .fail_payout(&p3.id, Some(FailureCode::AccountClosed))
        .await
        .unwrap();
    assert_eq!(failed.status, PayoutStatus::Failed);
    assert_eq!(failed.failure_code.as_deref(), Some("account_closed"));
    let canceled_only = c
        .payouts()
        .list(&ListParams::new().filter("status", "canceled"))
        .await
        .unwrap();
    assert_eq!(canceled_only.data.len(), 1);
    assert_eq!(canceled_only.data[0].id, p1.id);
    let all_payouts: Vec<_> = c
        .payouts()
        .list_all(ListParams::new().limit(2))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all_payouts.len(), 3);
    // Paging from the oldest towards the newest (ending_before), one at a time.
    let newer: Vec<String> = c
        .payouts()
        .list_all(ListParams::new().limit(1).ending_before(&p1.id))
        .map_ok(|p| p.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(newer, [p2.id.clone(), p3.id.clone()]);
    // Description and metadata change in any status (here: returned).
    let mut metadata = anton_sdk::types::Metadata::new();
    metadata.insert("order".into(), "42".into());
    let changed = c
        .payouts()
        .update(
            &p2.id,
            &PayoutUpdate {
                description: Some(Some("June payout".into())),
                metadata: Some(metadata.clone()),
            },
        )
        .await
        .unwrap();
    assert_eq!(changed.description.as_deref(), Some("June payout"));
    assert_eq!(changed.metadata, metadata);
    assert_eq!(changed.status, PayoutStatus::Returned);
    let updated = c
        .events()
        .list(&ListParams::new().filter("type", "payout.updated"))
        .await
        .unwrap();
    assert_eq!(updated.data.len(), 1);
    assert_eq!(
        updated.data[0].data.previous_attributes,
        Some(serde_json::json!({"description": null, "metadata": {}}))
    );
    let cleared = c
        .payouts()
        .update(
            &p2.id,
            &PayoutUpdate {
                description: Some(None),
                metadata: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(cleared.description, None);
    assert_eq!(cleared.metadata, metadata);

    // Balance transactions and events.
    let txns: Vec<_> = c
        .balance()
        .all_transactions(ListParams::new())
        .try_collect()
        .await
        .unwrap();
    assert!(txns.iter().any(|t| t.kind == "funding"));
    assert!(txns.iter().any(|t| t.kind == "payout_return"));
    let events = c
        .events()
        .list(&ListParams::new().filter("type", "payout.returned"))
        .await
        .unwrap();
    assert_eq!(events.data.len(), 1);
    let ev = c.events().get(&events.data[0].id).await.unwrap();
    assert_eq!(ev.payout().unwrap().id, p2.id);
    assert_eq!(
        ev.event_type(),
        Some(anton_core::event::EventType::PayoutReturned)
    );

    // Webhook endpoints: create (secret once), get, update, list, rotate, deliveries, recover,
    // resend, delete.
    let ep = c
        .webhook_endpoints()
        .create(&NewWebhookEndpoint::new(
            "https://localhost:9/hooks",
            &["payout.paid"],
        ))
        .await
        .unwrap();
    let secret = ep
        .secret
        .clone()
        .expect("the secret is in the creating response");
    assert!(secret.starts_with("whsec_"));
    assert!(
        !format!("{ep:?}").contains(&secret),
        "Debug hides the secret"
    );
    let fetched = c.webhook_endpoints().get(&ep.id).await.unwrap();
    assert_eq!(fetched.secret, None, "never shown again");
    let ep2 = c
        .webhook_endpoints()
        .update(
            &ep.id,
            &WebhookEndpointUpdate {
                enabled_events: Some(vec!["*".into()]),
                description: Some("all".into()),
                ..WebhookEndpointUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(ep2.enabled_events, vec!["*"]);
    assert_eq!(
        c.webhook_endpoints()
            .list(&ListParams::new())
            .await
            .unwrap()
            .data
            .len(),
        1
    );
    let rotated = c
        .webhook_endpoints()
        .rotate_secret(&ep.id, Some(60))
        .await
        .unwrap();
    let new_secret = rotated.secret.expect("the new secret");
    assert_ne!(new_secret, secret);
    let delivery = c.events().resend(&ev.id, &ep.id).await.unwrap();
    assert_eq!(delivery.event, ev.id);
    let deliveries = c
        .webhook_endpoints()
        .deliveries(&ep.id, &ListParams::new())
        .await
        .unwrap();
    assert!(deliveries.data.iter().any(|d| d.id == delivery.id));
    let recovery = c
        .webhook_endpoints()
        .recover(&ep.id, time::OffsetDateTime::UNIX_EPOCH)
        .await
        .unwrap();
    assert_eq!(recovery.deliveries, 0, "nothing failed yet");
    assert!(c.webhook_endpoints().delete(&ep.id).await.unwrap().deleted);
    assert!(c.recipients().delete(&created[2].id).await.unwrap().deleted);

    // No key needed, but the client works for it too.
    assert!(c.egress_ips().await.unwrap().is_empty());
}

async fn api_errors_are_typed_and_carry_the_request_id(backend: Backend) {
    let app = crate::helpers::spawn_app(backend).await;
    let c = sdk(&app, &app.key);
    let err = c
        .payouts()
        .get("po_doesnotexist0000000000")
        .await
        .unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.status, 404);
    assert_eq!(api.kind, ErrorType::InvalidRequest);
    assert_eq!(api.code.as_deref(), Some("resource_missing"));
    assert!(api.request_id.as_deref().unwrap().starts_with("req_"));
    assert!(err.to_string().contains("req_"), "{err}");

    // Insufficient funds: a 4xx with its code, never retried into a success.
    let r = c
        .recipients()
        .create(&NewRecipient::new("Bo", ach("000123456789")))
        .await
        .unwrap();
    let err = c
        .payouts()
        .create(&NewPayout::new(5_000, "USD", &r.id))
        .await
        .unwrap_err();
    assert_eq!(
        err.api().unwrap().code.as_deref(),
        Some("insufficient_funds")
    );

    // Bad input names the parameter.
    let err = c
        .payouts()
        .create(&NewPayout::new(-5, "USD", &r.id))
        .await
        .unwrap_err();
    assert_eq!(err.api().unwrap().param.as_deref(), Some("amount"));

    // A restricted key without the scope: 403 permission_error.
    let read_only = app
        .create_key(&app.merchant, Environment::Test, Some(&["payouts:read"]))
        .await;
    let err = sdk(&app, &read_only)
        .payouts()
        .create(&NewPayout::new(1, "USD", &r.id))
        .await
        .unwrap_err();
    assert_eq!(err.api().unwrap().kind, ErrorType::Permission);
    assert!(!err.to_string().contains(&read_only));

    // A well-formed key the server does not know: 401, and the key is in no error text.
    let unknown =
        anton_core::keys::ApiKey::generate(anton_core::keys::KeyKind::Secret, Environment::Test);
    let err = sdk(&app, unknown.expose_secret())
        .balance()
        .get()
        .await
        .unwrap_err();
    assert_eq!(err.api().unwrap().kind, ErrorType::Authentication);
    assert!(!format!("{err} {err:?}").contains(unknown.expose_secret()));

    // Configuration mistakes are refused before any request.
    let not_a_key = Client::builder("sk_test_not_a_real_key")
        .build()
        .unwrap_err();
    assert!(matches!(not_a_key, Error::Config(_)));
    let plaintext = Client::builder(app.key.clone())
        .base_url(app.base.replace("https://", "http://"))
        .build()
        .unwrap_err();
    assert!(matches!(plaintext, Error::Config(_)));
    // Without the test CA the server's certificate is not trusted: no answer, no way around it.
    let untrusted = Client::builder(app.key.clone())
        .base_url(&app.base)
        .max_retries(0)
        .build()
        .unwrap();
    assert!(matches!(
        untrusted.balance().get().await.unwrap_err(),
        Error::Transport(_)
    ));
}

/// An HTTPS proxy (its own CA) in front of the server that forwards each request and, for the
/// first `cut_first` requests, cuts the connection in the middle of the answer: the server did
/// the work, the client never saw the result. Returns the proxy's base URL and CA file.
async fn cutting_proxy(
    app: &TestApp,
    cut_first: usize,
) -> (
    String,
    std::path::PathBuf,
    Arc<AtomicUsize>,
    tempfile::TempDir,
) {
    use axum::body::{Body, Bytes};
    use axum::http::Request;
    let dir = tempfile::tempdir().unwrap();
    anton_server::tls::generate_local_ca(dir.path(), &["localhost"]).unwrap();
    let tls = anton_server::tls::server_config(
        &dir.path().join("server.pem"),
        &dir.path().join("server.key"),
    )
    .unwrap();
    let upstream = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(&std::fs::read(app.ca_path()).unwrap()).unwrap(),
        )
        .build()
        .unwrap();
    let base = app.base.clone();
    let seen = Arc::new(AtomicUsize::new(0));
    let cut = Arc::new(AtomicUsize::new(0));
    let (seen2, cut2) = (seen.clone(), cut.clone());
    let forward = move |req: Request<Body>| {
        let (upstream, base, seen, cut) =
            (upstream.clone(), base.clone(), seen2.clone(), cut2.clone());
        async move {
            let (parts, body) = req.into_parts();
            let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
            let mut fwd = upstream.request(
                parts.method.clone(),
                format!("{base}{}", parts.uri.path_and_query().unwrap()),
            );
            for name in [
                "authorization",
                "idempotency-key",
                "content-type",
                "anton-version",
            ] {
                if let Some(v) = parts.headers.get(name) {
                    fwd = fwd.header(name, v.clone());
                }
            }
            let resp = fwd.body(body).send().await.unwrap();
            let status = resp.status();
            let bytes = resp.bytes().await.unwrap();
            if seen.fetch_add(1, Ordering::SeqCst) < cut_first {
                cut.fetch_add(1, Ordering::SeqCst);
                // Headers go out, then the body fails: hyper aborts the connection.
                let broken = futures_util::stream::once(async {
                    Err::<Bytes, std::io::Error>(std::io::Error::other("cut"))
                });
                return axum::response::Response::builder()
                    .status(status)
                    .header("content-length", bytes.len())
                    .body(Body::from_stream(broken))
                    .unwrap();
            }
            axum::response::Response::builder()
                .status(status)
                .body(Body::from(bytes))
                .unwrap()
        }
    };
    let router = axum::Router::new().fallback(forward);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(anton_server::startup::serve(
        listener,
        Arc::new(tls),
        router,
        std::future::pending(),
    ));
    let ca = dir.path().join("ca.pem");
    (format!("https://localhost:{port}"), ca, cut, dir)
}

async fn a_retry_after_a_dropped_connection_creates_exactly_one_payout(backend: Backend) {
    let app = crate::helpers::spawn_app(backend).await;
    let setup = sdk(&app, &app.key);
    setup
        .test_helpers()
        .fund_balance(10_000, "USD")
        .await
        .unwrap();
    let r = setup
        .recipients()
        .create(&NewRecipient::new("Cy", ach("000123456789")))
        .await
        .unwrap();
    let (proxy, proxy_ca, cut, _dir) = cutting_proxy(&app, 1).await;
    let c = Client::builder(app.key.clone())
        .base_url(proxy)
        .add_root_certificate_pem(&std::fs::read(proxy_ca).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let payout = c
        .payouts()
        .create(&NewPayout::new(777, "USD", &r.id))
        .await
        .expect("the retry succeeds");
    assert_eq!(
        cut.load(Ordering::SeqCst),
        1,
        "the first answer was cut off"
    );
    let payouts: Vec<_> = setup
        .payouts()
        .list_all(ListParams::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(payouts.len(), 1, "exactly one payout: {payouts:?}");
    assert_eq!(payouts[0].id, payout.id);
    assert_eq!(
        setup.balance().get().await.unwrap().available_in("USD"),
        10_000 - 777
    );
}

async fn rate_limits_are_waited_out_or_reported(backend: Backend) {
    let app = crate::helpers::spawn_app(backend).await;
    // A merchant limited to 2 requests/s (burst 4) in test mode.
    let m = anton_engine::operator::create_merchant(&app.store, "Slow")
        .await
        .unwrap();
    app.set_rate_limits(&m.id, 2, 2).await;
    let key = app.create_key(&m.id, Environment::Test, None).await;
    // Without retries the 429 comes back typed, with Retry-After.
    let impatient = Client::builder(key.clone())
        .base_url(&app.base)
        .add_root_certificate_pem(&std::fs::read(app.ca_path()).unwrap())
        .unwrap()
        .max_retries(0)
        .build()
        .unwrap();
    let mut limited = None;
    for _ in 0..20 {
        if let Err(e) = impatient.balance().get().await {
            limited = Some(e);
            break;
        }
    }
    let limited = limited.expect("the limit is reached within 20 requests");
    let api = limited.api().unwrap();
    assert_eq!(api.status, 429);
    assert_eq!(api.kind, ErrorType::RateLimit);
    assert!(api.retry_after.is_some());
    // With retries (the default), the client waits as told and every request succeeds.
    let patient = sdk(&app, &key);
    for _ in 0..8 {
        patient.balance().get().await.expect("waited out the limit");
    }
}

crate::both_backends!(
    every_endpoint_works_through_the_sdk,
    api_errors_are_typed_and_carry_the_request_id,
    a_retry_after_a_dropped_connection_creates_exactly_one_payout,
    rate_limits_are_waited_out_or_reported,
);
