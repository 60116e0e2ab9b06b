//! Recipients: parsed bank accounts, redaction, fingerprints, updates with previous attributes.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{error_of, spawn_app, Backend};

async fn recipients_are_created_updated_and_deleted_with_events(b: Backend) {
    let app = spawn_app(b).await;
    let create = |bank: Value| {
        app.post("/v1/recipients", &app.key)
            .json(
                &json!({"name": "Zoë Ångström", "bank_account": bank, "metadata": {"ref": "A-1"}}),
            )
            .send()
    };
    let iban: Value = create(
        json!({"type": "iban", "iban": "DE89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(iban["bank_account"]["type"], "iban");
    assert_eq!(iban["bank_account"]["country"], "DE");
    assert_eq!(iban["bank_account"]["currency"], "EUR");
    assert_eq!(iban["bank_account"]["last4"], "3000");
    assert_eq!(iban["name"], "Zoë Ångström");
    assert_eq!(iban["metadata"]["ref"], "A-1");
    assert!(
        !iban.to_string().contains("0532013000"),
        "the full IBAN is never returned"
    );
    let gb: Value =
        create(json!({"type": "gb_fps", "sort_code": "10-88-00", "account_number": "00012345"}))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(gb["bank_account"]["currency"], "GBP");
    assert_eq!(gb["bank_account"]["bank_code"], "108800");

    // Same account, same merchant → same fingerprint; another merchant → a different one.
    let us1 = app.create_recipient(&app.key, "6789").await;
    let us2 = app.create_recipient(&app.key, "6789").await;
    assert_eq!(
        us1["bank_account"]["fingerprint"],
        us2["bank_account"]["fingerprint"]
    );
    let (_, other_key) = app.other_merchant().await;
    let us3 = app.create_recipient(&other_key, "6789").await;
    assert_ne!(
        us1["bank_account"]["fingerprint"],
        us3["bank_account"]["fingerprint"]
    );

    // Changing the bank account emits recipient.updated with previous_attributes.
    let id = us1["id"].as_str().unwrap();
    let r = app.client.patch(format!("{}/v1/recipients/{id}", app.base)).bearer_auth(&app.key)
        .json(&json!({"bank_account": {"type": "us_ach", "routing_number": "021000021", "account_number": "99990000", "account_type": "savings"}}))
        .send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let updated: Value = r.json().await.unwrap();
    assert_eq!(updated["bank_account"]["last4"], "0000");
    assert_ne!(
        updated["bank_account"]["fingerprint"],
        us1["bank_account"]["fingerprint"]
    );
    let ev: Value = app
        .get(
            &format!("/v1/events?type=recipient.updated&object={id}"),
            &app.key,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ev = &ev["data"][0];
    assert_eq!(
        ev["data"]["previous_attributes"]["bank_account"]["last4"],
        "6789"
    );
    assert_eq!(ev["data"]["object"]["bank_account"]["last4"], "0000");
    assert!(ev["data"]["previous_attributes"].get("name").is_none());

    // A patch that changes nothing emits nothing.
    let n_before = app.count("events").await;
    let r = app
        .client
        .patch(format!("{}/v1/recipients/{id}", app.base))
        .bearer_auth(&app.key)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(app.count("events").await, n_before);

    // Delete: gone from the API, event written.
    let r = app
        .client
        .delete(format!("{}/v1/recipients/{id}", app.base))
        .bearer_auth(&app.key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["deleted"], true);
    let (status, _) = error_of(
        app.get(&format!("/v1/recipients/{id}"), &app.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let list: Value = app
        .get("/v1/recipients", &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 3);
    let ev: Value = app
        .get("/v1/events?type=recipient.deleted", &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ev["data"].as_array().unwrap().len(), 1);
}

/// A recipient whose payouts are still under way is not deleted; once they are finished it is,
/// and its payouts keep its id.
async fn a_recipient_with_payouts_under_way_is_not_deleted(b: Backend) {
    let app = spawn_app(b).await;
    app.fund(&app.key, 10_000, "USD").await;
    let rcp = app.create_recipient(&app.key, "6789").await;
    let id = rcp["id"].as_str().unwrap();
    let p: Value = app
        .create_payout(&app.key, id, 2_500)
        .await
        .json()
        .await
        .unwrap();
    let po = p["id"].as_str().unwrap();
    let delete = || async {
        app.client
            .delete(format!("{}/v1/recipients/{id}", app.base))
            .bearer_auth(&app.key)
            .send()
            .await
            .unwrap()
    };
    let events = app.count("events").await;
    let (status, body) = error_of(delete().await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "recipient_has_active_payouts");
    assert_eq!(app.count("events").await, events, "nothing written");
    let r = app
        .get(&format!("/v1/recipients/{id}"), &app.key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "still there");

    // Canceled, the payout is finished: the recipient may go, and the payout keeps its id.
    let r = app
        .post(&format!("/v1/payouts/{po}/cancel"), &app.key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = delete().await;
    assert_eq!(r.status(), StatusCode::OK);
    let p: Value = app
        .get(&format!("/v1/payouts/{po}"), &app.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p["recipient"], id);
}

both_backends!(
    recipients_are_created_updated_and_deleted_with_events,
    a_recipient_with_payouts_under_way_is_not_deleted,
);
