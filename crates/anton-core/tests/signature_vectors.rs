//! The known-answer vectors (`test-vectors/webhook-signatures.json` at the repository's root, a
//! byte-identical copy of the shared set that CI compares), used as they are.

use anton_core::signature::{self, WebhookSecret};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../test-vectors/webhook-signatures.json"
    );
    let text = std::fs::read_to_string(path)
        .expect("test-vectors/webhook-signatures.json is in the repository");
    serde_json::from_str(&text).expect("vectors are JSON")
}

#[test]
fn every_signing_vector_produces_exactly_the_expected_headers() {
    let v = vectors();
    let cases = v["signing"].as_array().expect("signing cases");
    assert!(!cases.is_empty());
    for case in cases {
        let secrets: Vec<WebhookSecret> = case["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| WebhookSecret::parse(s.as_str().unwrap()).unwrap())
            .collect();
        let body = STANDARD
            .decode(case["body_base64"].as_str().unwrap())
            .unwrap();
        let headers = signature::sign(
            &secrets,
            case["event_id"].as_str().unwrap(),
            case["timestamp"].as_i64().unwrap(),
            &body,
        );
        assert_eq!(
            headers.anton_signature,
            case["anton_signature"].as_str().unwrap(),
            "{}",
            case["name"]
        );
        assert_eq!(
            headers.webhook_signature,
            case["webhook_signature"].as_str().unwrap(),
            "{}",
            case["name"]
        );

        // and each produced signature verifies with its own secret, on both header sets
        let t = case["timestamp"].as_i64().unwrap();
        for secret in &secrets {
            signature::verify(&body, &headers.anton_signature, secret, t, 300).unwrap();
            signature::verify_standard(
                &body,
                case["event_id"].as_str().unwrap(),
                &t.to_string(),
                &headers.webhook_signature,
                secret,
                t,
                300,
            )
            .unwrap();
        }
    }
}

#[test]
fn every_verifying_vector_is_accepted_or_rejected_as_stated() {
    let v = vectors();
    let tolerance = v["tolerance_seconds"].as_i64().unwrap();
    let body = STANDARD
        .decode(v["verifying_body_base64"].as_str().unwrap())
        .unwrap();
    let cases = v["verifying"].as_array().expect("verifying cases");
    assert!(!cases.is_empty());
    for case in cases {
        let secret = WebhookSecret::parse(case["secret"].as_str().unwrap()).unwrap();
        let result = signature::verify(
            &body,
            case["header"].as_str().unwrap(),
            &secret,
            case["now"].as_i64().unwrap(),
            tolerance,
        );
        if case["valid"].as_bool().unwrap() {
            assert!(result.is_ok(), "{}: {result:?}", case["name"]);
        } else {
            let err = result.expect_err(case["name"].as_str().unwrap());
            assert_eq!(
                err.code(),
                case["error"].as_str().unwrap(),
                "{}",
                case["name"]
            );
        }
    }
}

#[test]
fn a_tampered_body_is_rejected() {
    let secret = WebhookSecret::generate();
    let body = br#"{"id":"evt_1","amount":100}"#;
    let h = signature::sign(std::slice::from_ref(&secret), "evt_1", 1_000, body);
    assert!(signature::verify(body, &h.anton_signature, &secret, 1_000, 300).is_ok());
    let tampered = br#"{"id":"evt_1","amount":900}"#;
    assert_eq!(
        signature::verify(tampered, &h.anton_signature, &secret, 1_000, 300),
        Err(signature::VerifyError::NoMatchingSignature)
    );
    assert_eq!(
        signature::verify_ignoring_timestamp(body, &h.anton_signature, &secret),
        Ok(1_000)
    );
}
