//! Hostile characters in free text (issue 15): control characters, bidirectional overrides and
//! zero-width characters are refused with 400 `parameter_invalid_characters` naming the field,
//! and nothing is written; what is accepted is stored and returned NFC-normalized.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{error_of, spawn_app, Backend, TestApp};

/// Each hostile character of the finding, inside an otherwise good name.
const HOSTILE_NAMES: [(&str, &str); 7] = [
    ("NUL", "Ada\u{0}Lovelace"),
    ("ESC", "Ada \u{1b}[31mLovelace"),
    ("CR", "Ada\rLovelace"),
    ("LF", "Ada\nLovelace"),
    ("RLO", "Ada \u{202e}ecalevoL"),
    ("ZWSP", "Ada\u{200b}Lovelace"),
    ("BOM", "\u{feff}Ada Lovelace"),
];

fn recipient(name: &str, metadata: Value) -> Value {
    json!({
        "name": name,
        "bank_account": {"type": "gb_fps", "sort_code": "108800", "account_number": "00012345"},
        "metadata": metadata,
    })
}

/// Posts `body` to `path`; asserts a 400 `parameter_invalid_characters` naming `param`.
async fn assert_refused(app: &TestApp, path: &str, body: &Value, param: &str, case: &str) {
    let r = app.post(path, &app.key).json(body).send().await.unwrap();
    let (status, err) = error_of(r).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{case}: {err}");
    assert_eq!(
        err["error"]["type"], "invalid_request_error",
        "{case}: {err}"
    );
    assert_eq!(
        err["error"]["code"], "parameter_invalid_characters",
        "{case}: {err}"
    );
    assert_eq!(err["error"]["param"], param, "{case}: {err}");
}

/// No recipient was written: the list is empty and so are the tables behind it.
async fn assert_no_recipients(app: &TestApp) {
    let list: Value = app
        .get("/v1/recipients", &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"], json!([]), "{list}");
    assert_eq!(app.count("recipients").await, 0);
    assert_eq!(app.count("events").await, 0);
}

async fn hostile_characters_are_refused_and_text_is_stored_nfc(b: Backend) {
    let app = spawn_app(b).await;
    for (case, name) in HOSTILE_NAMES {
        let body = recipient(name, json!({}));
        assert_refused(&app, "/v1/recipients", &body, "name", case).await;
    }
    let body = recipient("Ada Lovelace", json!({"ref": "A\u{0}1"}));
    assert_refused(&app, "/v1/recipients", &body, "metadata", "NUL in metadata").await;
    assert_no_recipients(&app).await;

    // A decomposed name ("e" + combining acute) is stored and returned composed.
    let r = app
        .post("/v1/recipients", &app.key)
        .json(&recipient(
            "Zoe\u{301} Ame\u{301}lie",
            json!({"ref": "A-1"}),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["name"], "Zo\u{e9} Am\u{e9}lie");
    let id = created["id"].as_str().unwrap();
    let read: Value = app
        .get(&format!("/v1/recipients/{id}"), &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read["name"], "Zo\u{e9} Am\u{e9}lie");

    // A change is held to the same rule, and leaves the recipient as it was.
    let patch = json!({"name": "Ada \u{202e}ecalevoL"});
    let path = format!("/v1/recipients/{id}");
    let r = app
        .client
        .patch(format!("{}{path}", app.base))
        .bearer_auth(&app.key)
        .json(&patch)
        .send()
        .await
        .unwrap();
    let (status, err) = error_of(r).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(err["error"]["param"], "name", "{err}");
    let read: Value = app
        .get(&path, &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read["name"], "Zo\u{e9} Am\u{e9}lie");

    // Descriptions refuse line breaks and escape sequences too.
    app.fund(&app.key, 1_000, "GBP").await;
    for (case, description) in [("LF", "rent\nJune"), ("ESC", "\u{1b}[2Jrent")] {
        let body = json!({"amount": 100, "currency": "GBP", "recipient": id,
                          "description": description});
        assert_refused(&app, "/v1/payouts", &body, "description", case).await;
    }
    assert_eq!(app.count("payouts").await, 0);
}

both_backends!(hostile_characters_are_refused_and_text_is_stored_nfc);
