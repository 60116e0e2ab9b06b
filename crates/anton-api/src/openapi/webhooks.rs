//! Events in the document: the `Event` schemas (one per kind of `data.object`, and `Event`, their
//! union by `type`), and the top-level `webhooks` section — one entry per event type, with the
//! signature headers every delivery carries (docs/reference.md §5). Everything is built from
//! [`EventType`] (`ALL`, `object()`, `description()`), so a new event type appears here by
//! itself.

use anton_core::event::EventType;
use serde_json::{json, Map, Value};

use super::examples;

/// The kinds of `data.object` (`EventType::object()`), each with its event schema and the schema
/// of the object.
const KINDS: [(&str, &str, Option<&str>); 5] = [
    ("recipient", "RecipientEvent", Some("Recipient")),
    ("payout", "PayoutEvent", Some("Payout")),
    (
        "webhook_endpoint",
        "WebhookEndpointEvent",
        Some("WebhookEndpoint"),
    ),
    (
        "webhook_delivery",
        "WebhookDeliveryEvent",
        Some("WebhookDelivery"),
    ),
    ("alert", "AlertEvent", Some("Alert")),
];

/// Every event type a delivery can carry: the subscribable ones and the test event.
fn all_types() -> impl Iterator<Item = EventType> {
    EventType::ALL
        .into_iter()
        .chain([EventType::WebhookEndpointTest])
}

fn schema_ref(name: &str) -> String {
    format!("#/components/schemas/{name}")
}

/// Where the schema of an event of type `t` is: a JSON pointer into the served document
/// (`/v1/openapi.json#/components/schemas/PayoutEvent`), for the event catalogue.
pub(crate) fn event_schema_pointer(t: EventType) -> String {
    format!(
        "/v1/openapi.json{}",
        schema_ref(event_schema_name(t.object()))
    )
}

/// The event schema for events whose `data.object` is `kind`.
fn event_schema_name(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, ..)| *k == kind)
        .map(|(_, name, _)| *name)
        .expect("every EventType::object() has an event schema")
}

/// What `previous_attributes` holds for `t`, if it has any.
fn previous_attributes(t: EventType) -> Option<&'static str> {
    match t {
        EventType::RecipientUpdated => Some(
            "The changed fields' previous values (of `name`, `email`, `bank_account`, \
             `metadata`).",
        ),
        EventType::PayoutUpdated => {
            Some("The changed fields' previous values (of `description`, `metadata`).")
        }
        EventType::PayoutProcessing
        | EventType::PayoutPaid
        | EventType::PayoutFailed
        | EventType::PayoutCanceled
        | EventType::PayoutReturned
        | EventType::PayoutReviewRequired => Some("The payout's previous `status`."),
        _ => None,
    }
}

/// The event schemas, `Event` and `EventList`, for `components.schemas`.
pub(super) fn schemas() -> Map<String, Value> {
    let mut out = Map::new();
    let mut mapping = Map::new();
    for (kind, name, object) in KINDS {
        let types: Vec<&str> = all_types()
            .filter(|t| t.object() == kind)
            .map(EventType::as_str)
            .collect();
        for t in &types {
            mapping.insert((*t).to_owned(), json!(schema_ref(name)));
        }
        let object_schema = match object {
            Some(o) => json!({
                "$ref": schema_ref(o),
                "description": if kind == "recipient" {
                    "The recipient's full state after the change (as it was, for `recipient.deleted`).".to_owned()
                } else {
                    format!("The {}'s full state after the change.", kind.replace('_', " "))
                },
            }),
            None => json!({
                "type": "object",
                "description": "Reserved: this version raises no alerts, so no event of this kind \
                    is ever sent.",
            }),
        };
        let example = types
            .first()
            .and_then(|t| all_types().find(|e| e.as_str() == *t))
            .map(example_event);
        out.insert(
            name.to_owned(),
            json!({
                "type": "object",
                "description": format!(
                    "An event whose `data.object` is a {}: {}.",
                    kind.replace('_', " "),
                    types.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")
                ),
                "required": ["id", "object", "type", "created", "livemode", "api_version", "data"],
                "properties": {
                    "id": {"$ref": schema_ref("EventId"), "description": "The event's id: the same in every delivery and in `webhook-id`; deduplicate by it."},
                    "object": {"type": "string", "enum": ["event"], "description": "What kind of object this is: always `event`."},
                    "type": {"type": "string", "enum": types, "description": "What happened."},
                    "created": {"$ref": schema_ref("Timestamp"), "description": "When the change happened (it committed with its event)."},
                    "livemode": {"type": "boolean", "description": "`true` in live mode, `false` in test mode."},
                    "api_version": {"type": "string", "enum": [anton_core::API_VERSION], "description": "The API version the event was rendered with."},
                    "data": {
                        "type": "object",
                        "description": "What the event is about.",
                        "required": ["object"],
                        "properties": {
                            "object": object_schema,
                            "previous_attributes": {
                                "type": "object",
                                "description": "Only on `*.updated` events (the changed fields' previous values) and payout transitions (the previous `status`).",
                            },
                        },
                    },
                },
                "examples": example.into_iter().collect::<Vec<_>>(),
            }),
        );
    }
    out.insert(
        "Event".to_owned(),
        json!({
            "description": "An event: something that happened to an object, written in the same \
                transaction as the change (an outbox), so an event exists exactly when its change \
                committed. The body is rendered once and stored: every delivery and \
                `GET /v1/events/{id}` return the same bytes. `type` says which schema applies.",
            "oneOf": KINDS.iter().map(|(_, name, _)| json!({"$ref": schema_ref(name)})).collect::<Vec<_>>(),
            "discriminator": {"propertyName": "type", "mapping": mapping},
            "examples": [example_event(EventType::PayoutPaid)],
        }),
    );
    out.insert(
        "EventList".to_owned(),
        json!({
            "type": "object",
            "description": "A page of events, newest first.",
            "required": ["object", "data", "has_more"],
            "properties": {
                "object": {"type": "string", "enum": ["list"], "description": "What kind of object this is: always `list`."},
                "data": {"type": "array", "items": {"$ref": schema_ref("Event")}, "description": "The events of this page, newest first, each exactly as stored and delivered."},
                "has_more": {"type": "boolean", "description": "Whether more events follow this page in the direction paged (older after `starting_after`, newer before `ending_before`)."},
            },
            "examples": [{"object": "list", "data": [example_event(EventType::PayoutPaid)], "has_more": false}],
        }),
    );
    out
}

/// An example event of type `t`.
fn example_event(t: EventType) -> Value {
    let object = match t.object() {
        "recipient" => examples::recipient(),
        "payout" => example_payout(t),
        "webhook_endpoint" => {
            let mut e = examples::webhook_endpoint();
            if t == EventType::WebhookEndpointDisabled {
                e["status"] = json!("disabled");
            }
            e
        }
        "webhook_delivery" => {
            let mut d = examples::webhook_delivery();
            let (status, attempts) = match t {
                EventType::DeliveryExhausted => ("exhausted", 9),
                EventType::DeliveryRecovered => ("succeeded", 5),
                _ => ("retrying", 4),
            };
            d["status"] = json!(status);
            d["attempts"] = json!(attempts);
            if status != "retrying" {
                d["next_attempt"] = Value::Null;
            }
            d
        }
        "alert" => {
            let mut a = examples::alert();
            if t == EventType::AlertResolved {
                a["status"] = json!("resolved");
                a["resolved"] = a["last_seen"].clone();
                a["resolved_by"] = json!("anton");
            }
            a
        }
        _ => json!({}),
    };
    let mut data = Map::new();
    data.insert("object".into(), object);
    let previous = match t {
        EventType::RecipientUpdated => Some(json!({"email": "ada@old.example.com"})),
        EventType::PayoutUpdated => Some(json!({"description": "Invoice 6734"})),
        EventType::PayoutProcessing | EventType::PayoutCanceled => {
            Some(json!({"status": "pending"}))
        }
        EventType::PayoutPaid | EventType::PayoutFailed => Some(json!({"status": "processing"})),
        EventType::PayoutReturned => Some(json!({"status": "paid"})),
        EventType::PayoutReviewRequired => Some(json!({"status": "pending"})),
        _ => None,
    };
    if let Some(p) = previous {
        data.insert("previous_attributes".into(), p);
    }
    json!({
        "id": examples::EVENT_ID,
        "object": "event",
        "type": t.as_str(),
        "created": "2026-11-28T12:00:05Z",
        "livemode": false,
        "api_version": anton_core::API_VERSION,
        "data": data,
    })
}

/// The example payout as an event of type `t` shows it.
fn example_payout(t: EventType) -> Value {
    let mut p = examples::payout();
    let status = match t {
        EventType::PayoutProcessing => "processing",
        EventType::PayoutPaid => "paid",
        EventType::PayoutFailed => "failed",
        EventType::PayoutCanceled => "canceled",
        EventType::PayoutReturned => "returned",
        EventType::PayoutReviewRequired => "requires_review",
        _ => "pending",
    };
    p["status"] = json!(status);
    p["updated"] = json!("2026-11-28T12:00:05Z");
    if matches!(t, EventType::PayoutPaid | EventType::PayoutReturned) {
        p["arrival_date"] = json!("2026-11-28");
    }
    let failure = match t {
        EventType::PayoutFailed => Some(anton_core::payout::FailureCode::AccountClosed),
        EventType::PayoutReturned => Some(anton_core::payout::FailureCode::AccountFrozen),
        _ => None,
    };
    if let Some(f) = failure {
        p["failure_code"] = json!(f.as_str());
        p["failure_message"] = json!(f.message());
    }
    if t == EventType::PayoutUpdated {
        p["description"] = json!("Invoice 6735 (corrected)");
    }
    p
}

/// The headers every delivery carries, as `components.parameters` (name → parameter).
pub(super) fn header_parameters() -> Map<String, Value> {
    let header = |name: &str, description: &str, required: bool, schema: Value, example: &str| {
        json!({
            "name": name,
            "in": "header",
            "required": required,
            "description": description,
            "schema": schema,
            "example": example,
        })
    };
    let mut out = Map::new();
    out.insert(
        "AntonSignature".into(),
        header(
            "Anton-Signature",
            "Anton's signature, on deliveries to `hmac_sha256` endpoints (absent for `ed25519` \
             ones): `t=<unix seconds>,v1=<hex>[,v1=<hex>]`. Each `v1` is the lower-case hex \
             HMAC-SHA256, keyed with the whole secret string's UTF-8 bytes (`whsec_` included), \
             of the bytes `{t}.{raw body}`; during a rotation overlap there are two, newest first. \
             Verify against the raw body bytes as received, compare in constant time, accept any \
             matching `v1`, and reject when `|now − t| > 300` seconds. Ignore unknown schemes. \
             Each attempt is signed afresh.",
            false,
            json!({"type": "string", "pattern": "^t=[0-9]+(,[a-z0-9]+=[^,]+)+$"}),
            "t=1764331205,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd",
        ),
    );
    out.insert(
        "AntonEventId".into(),
        header(
            "Anton-Event-Id",
            "The event's id (as in the body): deduplicate by it — delivery is at least once.",
            true,
            json!({"$ref": schema_ref("EventId")}),
            examples::EVENT_ID,
        ),
    );
    out.insert(
        "WebhookId".into(),
        header(
            "webhook-id",
            "Standard Webhooks: the message id, which is the event's id.",
            true,
            json!({"$ref": schema_ref("EventId")}),
            examples::EVENT_ID,
        ),
    );
    out.insert(
        "WebhookTimestamp".into(),
        header(
            "webhook-timestamp",
            "Standard Webhooks: when this attempt was signed, in unix seconds. Reject when more \
             than 300 seconds from now, in either direction.",
            true,
            json!({"type": "string", "pattern": "^[0-9]+$"}),
            "1764331205",
        ),
    );
    out.insert(
        "WebhookSignature".into(),
        header(
            "webhook-signature",
            "Standard Webhooks signatures, space-separated, one per signing key (two during a \
             rotation overlap). `hmac_sha256` endpoints: `v1,<base64 HMAC-SHA256>` keyed with the \
             base64-decoded part of the secret after `whsec_`. `ed25519` endpoints: \
             `v1a,<base64 of the 64-byte Ed25519 signature>`, verified with the endpoint's \
             `public_key` (the base64 after `whpk_`). Both sign the bytes \
             `{webhook-id}.{webhook-timestamp}.{raw body}`.",
            true,
            json!({"type": "string", "pattern": "^v1a?,[A-Za-z0-9+/=]+( v1a?,[A-Za-z0-9+/=]+)*$"}),
            "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
        ),
    );
    out.insert(
        "WebhookUserAgent".into(),
        header(
            "User-Agent",
            "`Anton-Webhooks/<version>`.",
            true,
            json!({"type": "string", "pattern": "^Anton-Webhooks/"}),
            "Anton-Webhooks/0.1.0",
        ),
    );
    out
}

/// What a receiver may answer, for every webhook.
fn webhook_responses() -> Value {
    json!({
        "2XX": {"description": "Received: any 2xx ends the delivery (`succeeded`). Answer \
            quickly and process afterwards: an attempt times out after 15 seconds (by default)."},
        "410": {"description": "Gone: ends the delivery (`exhausted`) and disables the endpoint \
            at once (`webhook_endpoint.disabled`)."},
        "default": {"description": "Any other status (3xx included: redirects are not \
            followed), a timeout or no connection: the attempt failed. Retries follow after 5 s, \
            5 min, 30 min, 2 h, 5 h, 10 h, 10 h and 24 h (±20%; the operator's schedule may \
            differ); a `Retry-After` in seconds is honoured between the scheduled delay and \
            twice it. At most 4 KiB of the answer is \
            read and its first 1 KiB kept in the attempt log."},
    })
}

/// The top-level `webhooks` section: one POST per event type.
pub(super) fn webhooks() -> Map<String, Value> {
    let mut out = Map::new();
    for t in all_types() {
        let name = t.as_str();
        let schema = event_schema_name(t.object());
        let mut description = format!("{}\n\n", t.description());
        if t == EventType::WebhookEndpointTest {
            description.push_str(
                "Sent only by `POST /v1/webhook_endpoints/{id}/test`, to that endpoint, now \
                 (also while it is disabled); never stored, retried or subscribed to. `data.object` \
                 is the endpoint.",
            );
        } else {
            description.push_str(&format!(
                "Delivered to every enabled endpoint whose `enabled_events` holds `{name}` or \
                 `*`, at least once and in no particular order: deduplicate by the event id and \
                 rely on `data.object` and `created`, not on arrival order."
            ));
        }
        if matches!(
            t,
            EventType::DeliveryFailing
                | EventType::DeliveryExhausted
                | EventType::DeliveryRecovered
        ) {
            description.push_str(
                " No `delivery.*` event is raised about the delivery of a `delivery.*` event.",
            );
        }
        if let Some(previous) = previous_attributes(t) {
            description.push_str(&format!(
                " `data.previous_attributes`: {}",
                previous.to_lowercase()
            ));
        }
        description.push_str(
            "\n\nVerify the signature headers over the raw body before acting on it \
             (docs/verifying-webhooks.md).",
        );
        let parameters: Vec<Value> = [
            "AntonSignature",
            "AntonEventId",
            "WebhookId",
            "WebhookTimestamp",
            "WebhookSignature",
            "WebhookUserAgent",
        ]
        .iter()
        .map(|p| json!({"$ref": format!("#/components/parameters/{p}")}))
        .collect();
        out.insert(
            name.to_owned(),
            json!({"post": {
                "operationId": format!("webhook_{}", name.replace('.', "_")),
                "summary": name,
                "description": description,
                "tags": ["webhooks"],
                "security": [],
                "parameters": parameters,
                "requestBody": {
                    "required": true,
                    "description": format!("The `{name}` event, exactly as stored (the bytes signed)."),
                    "content": {"application/json": {
                        "schema": {"allOf": [
                            {"$ref": schema_ref(schema)},
                            {"type": "object", "properties": {"type": {
                                "type": "string",
                                "enum": [name],
                                "description": format!("Always `{name}`."),
                            }}},
                        ]},
                        "example": example_event(t),
                    }},
                },
                "responses": webhook_responses(),
            }}),
        );
    }
    out
}
