//! The SDK's webhook verifier against the shared known-answer vectors (used as they are), plus
//! tampering, and the axum extractor: the handler never runs for a bad delivery.

#![expect(
    clippy::unwrap_used,
    reason = "a test should fail loudly on any unexpected None or Err"
)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use anton_core::signature::{self, WebhookSecret};
use anton_sdk::axum::VerifiedEvent;
use anton_sdk::webhook::{Webhook, WebhookError};
use axum::body::Body;
use axum::extract::FromRef;
use axum::http::{Request, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::{engine::general_purpose::STANDARD, Engine};
use serde_json::Value;
use tower::ServiceExt;

fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../test-vectors/webhook-signatures.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_verifying_vector_is_accepted_or_rejected_as_stated() {
    let v = vectors();
    let body = STANDARD
        .decode(v["verifying_body_base64"].as_str().unwrap())
        .unwrap();
    let cases = v["verifying"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let header = case["header"].as_str().unwrap();
        let secret = case["secret"].as_str().unwrap();
        let now = case["now"].as_i64().unwrap();
        let got = anton_sdk::webhook::verify(&body, header, secret, now);
        if case["valid"].as_bool().unwrap() {
            let event = got.unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(event.kind, "payout.paid", "{name}");
            // The vector's payout is abridged, so it is read as JSON here.
            assert_eq!(event.data.object["amount"], 12500, "{name}");
        } else {
            let err = got.expect_err(name);
            assert_eq!(err.code(), case["error"].as_str().unwrap(), "{name}");
        }
    }
}

#[test]
fn every_signing_vector_verifies_with_each_of_its_secrets_on_both_header_sets() {
    let v = vectors();
    for case in v["signing"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let body = STANDARD
            .decode(case["body_base64"].as_str().unwrap())
            .unwrap();
        let t = case["timestamp"].as_i64().unwrap();
        let id = case["event_id"].as_str().unwrap();
        for secret in case["secrets"].as_array().unwrap() {
            let w = Webhook::new(secret.as_str().unwrap()).unwrap();
            w.check_at(&body, case["anton_signature"].as_str().unwrap(), t)
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            w.check_standard_at(
                &body,
                id,
                &t.to_string(),
                case["webhook_signature"].as_str().unwrap(),
                t,
            )
            .unwrap_or_else(|e| panic!("{name} (standard): {e:?}"));
        }
    }
}

const SECRET: &str = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const BODY: &str = r#"{"id":"evt_1","object":"event","type":"payout.paid","created":"2026-11-28T12:00:00Z","livemode":false,"data":{"object":{"id":"po_1","object":"payout","amount":100,"currency":"USD","recipient":"rcp_1","status":"paid","metadata":{},"created":"2026-11-28T12:00:00Z","updated":"2026-11-28T12:00:00Z","livemode":false}}}"#;

fn signed(body: &str, t: i64) -> signature::SignatureHeaders {
    signature::sign(
        &[WebhookSecret::parse(SECRET).unwrap()],
        "evt_1",
        t,
        body.as_bytes(),
    )
}

#[test]
fn tampered_body_timestamp_or_signature_is_rejected() {
    let t = 1_764_331_200;
    let w = Webhook::new(SECRET).unwrap();
    let h = signed(BODY, t);
    assert!(w.verify_at(BODY.as_bytes(), &h.anton_signature, t).is_ok());

    let tampered = BODY.replace("\"amount\":100", "\"amount\":900");
    assert_eq!(
        w.verify_at(tampered.as_bytes(), &h.anton_signature, t)
            .unwrap_err(),
        WebhookError::NoMatchingSignature
    );
    // The same signature with a moved timestamp (to defeat the replay window) fails.
    let moved = h
        .anton_signature
        .replace(&t.to_string(), &(t + 1000).to_string());
    assert_eq!(
        w.verify_at(BODY.as_bytes(), &moved, t + 1000).unwrap_err(),
        WebhookError::NoMatchingSignature
    );
    let mut flipped = h.anton_signature.clone();
    let last = flipped.pop().unwrap();
    flipped.push(if last == '0' { '1' } else { '0' });
    assert_eq!(
        w.verify_at(BODY.as_bytes(), &flipped, t).unwrap_err(),
        WebhookError::NoMatchingSignature
    );
    // A replay after the window: rejected by verify, accepted only by the separately named
    // function for stored deliveries.
    assert_eq!(
        w.verify_at(BODY.as_bytes(), &h.anton_signature, t + 301)
            .unwrap_err(),
        WebhookError::TimestampOutsideTolerance
    );
    assert!(w
        .verify_ignoring_timestamp(BODY.as_bytes(), &h.anton_signature)
        .is_ok());
    // Standard Webhooks: tampered body and stale timestamp.
    let ts = t.to_string();
    assert!(w
        .verify_standard_at(BODY.as_bytes(), "evt_1", &ts, &h.webhook_signature, t)
        .is_ok());
    assert_eq!(
        w.verify_standard_at(tampered.as_bytes(), "evt_1", &ts, &h.webhook_signature, t)
            .unwrap_err(),
        WebhookError::NoMatchingSignature
    );
    assert_eq!(
        w.verify_standard_at(BODY.as_bytes(), "evt_2", &ts, &h.webhook_signature, t)
            .unwrap_err(),
        WebhookError::NoMatchingSignature,
        "the id is signed too"
    );
    // A rotation: a verifier holding old and new secrets accepts either.
    let new = WebhookSecret::generate();
    let both = Webhook::with_secrets([new.expose_secret(), SECRET]).unwrap();
    assert!(both
        .verify_at(BODY.as_bytes(), &h.anton_signature, t)
        .is_ok());
    // Secrets never show in Debug.
    assert!(!format!("{both:?}").contains("AAECAwQF"));
    assert_eq!(
        Webhook::new("not-a-secret").unwrap_err(),
        WebhookError::InvalidSecret
    );
}

#[derive(Clone)]
struct AppState {
    webhook: Webhook,
    handled: Arc<AtomicUsize>,
}

impl FromRef<AppState> for Webhook {
    fn from_ref(s: &AppState) -> Webhook {
        s.webhook.clone()
    }
}

async fn handler(
    axum::extract::State(s): axum::extract::State<AppState>,
    VerifiedEvent(event): VerifiedEvent,
) -> String {
    s.handled.fetch_add(1, Ordering::SeqCst);
    event.id
}

fn now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

#[tokio::test]
async fn the_extractor_never_runs_the_handler_for_a_bad_delivery() {
    let handled = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route("/hook", post(handler))
        .with_state(AppState {
            webhook: Webhook::new(SECRET).unwrap(),
            handled: handled.clone(),
        });
    let send = |body: String, headers: Vec<(&'static str, String)>| {
        let app = app.clone();
        async move {
            let mut req = Request::post("/hook");
            for (k, v) in headers {
                req = req.header(k, v);
            }
            let resp = app
                .oneshot(req.body(Body::from(body)).unwrap())
                .await
                .unwrap();
            let status = resp.status();
            let bytes = axum::body::to_bytes(resp.into_body(), 1 << 16)
                .await
                .unwrap();
            (status, String::from_utf8_lossy(&bytes).into_owned())
        }
    };
    let t = now();
    let h = signed(BODY, t);
    let tampered = BODY.replace("\"amount\":100", "\"amount\":900");
    let bad = [
        (
            tampered.clone(),
            vec![("Anton-Signature", h.anton_signature.clone())],
            "no_matching_signature",
        ),
        (BODY.to_owned(), vec![], "malformed_header"),
        (
            BODY.to_owned(),
            vec![("Anton-Signature", "t=1,v1=00".to_owned())],
            "timestamp_outside_tolerance",
        ),
        (
            BODY.to_owned(),
            vec![("Anton-Signature", signed(BODY, t - 600).anton_signature)],
            "timestamp_outside_tolerance",
        ),
        (
            tampered,
            vec![
                ("webhook-id", "evt_1".to_owned()),
                ("webhook-timestamp", t.to_string()),
                ("webhook-signature", h.webhook_signature.clone()),
            ],
            "no_matching_signature",
        ),
    ];
    for (body, headers, code) in bad {
        let (status, text) = send(body, headers).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(text, format!("{{\"error\":\"{code}\"}}"));
    }
    assert_eq!(handled.load(Ordering::SeqCst), 0, "the handler never ran");

    // Authentic deliveries reach the handler, with either header set.
    let (status, text) = send(
        BODY.to_owned(),
        vec![("Anton-Signature", h.anton_signature.clone())],
    )
    .await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "evt_1"));
    let (status, _) = send(
        BODY.to_owned(),
        vec![
            ("webhook-id", "evt_1".to_owned()),
            ("webhook-timestamp", t.to_string()),
            ("webhook-signature", h.webhook_signature),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(handled.load(Ordering::SeqCst), 2);
}
