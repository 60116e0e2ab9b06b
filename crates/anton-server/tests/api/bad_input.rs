//! Bad input gets a documented 4xx in the envelope — never a 5xx — and writes nothing.

use reqwest::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{error_of, spawn_app, Backend};

const TABLES: [&str; 6] = [
    "recipients",
    "payouts",
    "events",
    "balance_transactions",
    "idempotency_keys",
    "balances",
];

async fn bad_input_is_refused_with_a_4xx_and_nothing_is_written(b: Backend) {
    let app = spawn_app(b).await;
    app.fund(&app.key, 10_000, "USD").await;
    let rcp = app.create_recipient(&app.key, "6789").await;
    let rcp_id = rcp["id"].as_str().unwrap();
    let mut before = Vec::new();
    for t in TABLES {
        before.push(app.count(t).await);
    }
    let ach = |routing: &str, number: &str| json!({"name": "X", "bank_account": {"type": "us_ach", "routing_number": routing, "account_number": number, "account_type": "checking"}});
    let cases: Vec<(&str, String, StatusCode, &str)> = vec![
        ("/v1/payouts", json!({"amount": "100", "currency": "USD", "recipient": rcp_id}).to_string(), StatusCode::BAD_REQUEST, "parameter_invalid"),
        ("/v1/payouts", json!({"amount": 1.5, "currency": "USD", "recipient": rcp_id}).to_string(), StatusCode::BAD_REQUEST, "parameter_invalid"),
        ("/v1/payouts", json!({"amount": 0, "currency": "USD", "recipient": rcp_id}).to_string(), StatusCode::BAD_REQUEST, "amount_too_small"),
        ("/v1/payouts", json!({"amount": -5, "currency": "USD", "recipient": rcp_id}).to_string(), StatusCode::BAD_REQUEST, "amount_too_small"),
        ("/v1/payouts", json!({"amount": 10_000_000_000_000_i64 + 1, "currency": "USD", "recipient": rcp_id}).to_string(), StatusCode::BAD_REQUEST, "amount_too_large"),
        ("/v1/payouts", r#"{"amount": 99999999999999999999999, "currency": "USD"}"#.to_string(), StatusCode::BAD_REQUEST, "parameter_invalid"),
        ("/v1/payouts", json!({"amount": 100, "currency": "JPY", "recipient": rcp_id}).to_string(), StatusCode::BAD_REQUEST, "currency_not_supported"),
        ("/v1/payouts", json!({"amount": 100, "currency": "usd", "recipient": rcp_id}).to_string(), StatusCode::BAD_REQUEST, "currency_invalid"),
        ("/v1/payouts", json!({"amount": 100, "currency": "EUR", "recipient": rcp_id}).to_string(), StatusCode::BAD_REQUEST, "currency_mismatch"),
        ("/v1/payouts", json!({"amount": 100, "currency": "USD", "recipient": rcp_id, "extra": 1}).to_string(), StatusCode::BAD_REQUEST, "parameter_unknown"),
        ("/v1/payouts", json!({"amount": 100, "currency": "USD"}).to_string(), StatusCode::BAD_REQUEST, "parameter_missing"),
        ("/v1/payouts", json!({"amount": 100, "currency": "USD", "recipient": "po_123"}).to_string(), StatusCode::BAD_REQUEST, "parameter_invalid"),
        ("/v1/payouts", json!({"amount": 100, "currency": "USD", "recipient": "rcp_doesnotexist"}).to_string(), StatusCode::BAD_REQUEST, "resource_missing"),
        ("/v1/payouts", "{\"amount\": 100,".to_string(), StatusCode::BAD_REQUEST, "invalid_json"),
        ("/v1/payouts", "[1,2,3]".to_string(), StatusCode::BAD_REQUEST, "parameter_invalid"),
        // No body is `{}`; whitespace alone is not JSON.
        ("/v1/payouts", String::new(), StatusCode::BAD_REQUEST, "parameter_missing"),
        ("/v1/payouts", "\t".to_string(), StatusCode::BAD_REQUEST, "invalid_json"),
        ("/v1/payouts", " \r\n".to_string(), StatusCode::BAD_REQUEST, "invalid_json"),
        ("/v1/recipients", ach("110000001", "000123456789").to_string(), StatusCode::BAD_REQUEST, "invalid_routing_number"),
        ("/v1/recipients", ach("110000000", "12").to_string(), StatusCode::BAD_REQUEST, "invalid_account_number"),
        ("/v1/recipients", ach("110000000", "12ab5678").to_string(), StatusCode::BAD_REQUEST, "invalid_account_number"),
        ("/v1/recipients", json!({"name": "X", "bank_account": {"type": "iban", "iban": "DE89370400440532013001"}}).to_string(), StatusCode::BAD_REQUEST, "invalid_iban"),
        ("/v1/recipients", json!({"name": "X", "bank_account": {"type": "gb_fps", "sort_code": "10-88", "account_number": "00012345"}}).to_string(), StatusCode::BAD_REQUEST, "invalid_sort_code"),
        ("/v1/recipients", json!({"name": "X", "bank_account": {"type": "swift", "account_number": "1"}}).to_string(), StatusCode::BAD_REQUEST, "parameter_invalid"),
        ("/v1/recipients", json!({"name": "", "bank_account": {"type": "gb_fps", "sort_code": "108800", "account_number": "00012345"}}).to_string(), StatusCode::BAD_REQUEST, "parameter_invalid"),
        ("/v1/recipients", json!({"name": "X", "email": "nope", "bank_account": {"type": "gb_fps", "sort_code": "108800", "account_number": "00012345"}}).to_string(), StatusCode::BAD_REQUEST, "email_invalid"),
        ("/v1/test_helpers/balance/fund", json!({"amount": 0, "currency": "USD"}).to_string(), StatusCode::BAD_REQUEST, "amount_invalid"),
    ];
    for (path, body, status, code) in &cases {
        let r = app
            .post(path, &app.key)
            .header("Content-Type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let (got, err) = error_of(r).await;
        assert_eq!(got, *status, "{path} {body}: {err}");
        assert_eq!(err["error"]["code"], *code, "{path} {body}: {err}");
        assert_eq!(err["error"]["type"], "invalid_request_error");
    }
    // Oversize body: 413; wrong content type: 415; unknown route and method: 404 / 405.
    let huge = format!(
        "{{\"amount\": 1, \"description\": \"{}\"}}",
        "x".repeat(70 * 1024)
    );
    let (status, _) = error_of(
        app.post("/v1/payouts", &app.key)
            .header("Content-Type", "application/json")
            .body(huge)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, _) = error_of(
        app.post("/v1/payouts", &app.key)
            .header("Content-Type", "text/plain")
            .body("amount=1")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, _) = error_of(app.get("/v1/nothing", &app.key).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = error_of(
        app.client
            .put(format!("{}/v1/payouts", app.base))
            .bearer_auth(&app.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    for (path, kind) in [
        ("/v1/payouts/rcp_123", "payout"),
        ("/v1/recipients/po_1", "recipient"),
        ("/v1/events/xyz", "event"),
    ] {
        let (status, body) = error_of(app.get(path, &app.key).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(body["error"]["message"].as_str().unwrap().contains(kind));
    }

    // One rule for every list's filters: a value no object could have is a 400 naming the
    // filter; a well-formed id that matches nothing is an empty page.
    for (query, param) in [
        ("/v1/payouts?status=bogus", "status"),
        ("/v1/payouts?recipient=po_1", "recipient"),
        ("/v1/balance_transactions?type=bogus", "type"),
        ("/v1/balance_transactions?source=rcp_1", "source"),
        ("/v1/events?type=payout.bogus", "type"),
        ("/v1/events?object=nonsense", "object"),
    ] {
        let (status, body) = error_of(app.get(query, &app.key).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["error"]["code"], "parameter_invalid", "{query}");
        assert_eq!(body["error"]["param"], param, "{query}");
    }
    for query in [
        "/v1/payouts?status=returned&recipient=rcp_0000000000000000",
        "/v1/balance_transactions?type=payout_return&source=po_0000000000000000",
        "/v1/events?type=alert.raised&object=po_0000000000000000",
    ] {
        let r = app.get(query, &app.key).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{query}");
        let page: serde_json::Value = r.json().await.unwrap();
        assert_eq!(page["data"], json!([]), "{query}");
    }

    for (t, n) in TABLES.iter().zip(before) {
        assert_eq!(app.count(t).await, n, "{t} changed");
    }
}

both_backends!(bad_input_is_refused_with_a_4xx_and_nothing_is_written);

#[tokio::test]
async fn an_unknown_api_version_is_refused_and_the_current_one_accepted() {
    let app = spawn_app(Backend::Sqlite).await;
    let ok = app
        .get("/v1/balance", &app.key)
        .header("Anton-Version", anton_core::API_VERSION)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let (status, body) = error_of(
        app.get("/v1/balance", &app.key)
            .header("Anton-Version", "2019-01-01")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "api_version_invalid");
}
