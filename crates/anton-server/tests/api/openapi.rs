//! The committed OpenAPI document is the one the code generates, the server serves it, and it says
//! what the code and docs/reference.md say: every route, every error code with its status and
//! type, the `Idempotency-Key` on exactly the keyed mutations, each handler's scope, the shared
//! parameters and headers on every operation, a webhook per event type, and the code's limits.
//! Regenerate with `ANTON_UPDATE_OPENAPI=1 cargo test --test api openapi`; lint it with
//! `scripts/lint-openapi.sh`.

use std::collections::BTreeSet;

use anton_core::event::EventType;
use serde_json::Value;

use crate::helpers::{spawn_app, Backend};

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
const REFERENCE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/reference.md"
));
/// The API crate's sources that declare routes and handlers.
const API_SOURCES: [&str; 11] = [
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../anton-api/src/router.rs"
    )),
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../anton-api/src/requests.rs"
    )),
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../anton-api/src/audit_log.rs"
    )),
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../anton-api/src/alerts.rs"
    )),
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../anton-api/src/recipients/mod.rs"
    )),
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../anton-api/src/payouts/mod.rs"
    )),
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../anton-api/src/balance.rs"
    )),
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../anton-api/src/events.rs"
    )),
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../anton-api/src/webhooks.rs"
    )),
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../anton-api/src/risk_rules.rs"
    )),
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../anton-api/src/payouts/review.rs"
    )),
];
const METHODS: [&str; 4] = ["get", "post", "patch", "delete"];

fn document() -> Value {
    serde_json::from_str(&anton_api::openapi::document()).unwrap()
}

/// Every (method, path, operation) of the document's paths.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.push((method.to_owned(), path.clone(), op.clone()));
            }
        }
    }
    out
}

fn has_parameter(op: &Value, component: &str) -> bool {
    let reference = format!("#/components/parameters/{component}");
    op["parameters"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["$ref"] == reference.as_str()))
}

/// The document's paths of a route: the payout test helper's `{action}` is listed as its three
/// URLs.
fn concrete(route: &str) -> Vec<String> {
    if route.ends_with("/{action}") {
        ["pay", "fail", "return"]
            .iter()
            .map(|a| route.replace("{action}", a))
            .collect()
    } else {
        vec![route.to_owned()]
    }
}

/// The backticked words of `text`.
fn backticked(text: &str) -> impl Iterator<Item = &str> {
    text.split('`').skip(1).step_by(2)
}

/// `text` without its parenthesized asides.
fn without_parentheses(text: &str) -> String {
    let mut depth = 0u32;
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[tokio::test]
async fn the_committed_openapi_document_is_current_and_served() {
    let generated = anton_api::openapi::document();
    if std::env::var_os("ANTON_UPDATE_OPENAPI").is_some() {
        std::fs::write(COMMITTED, &generated).expect("write docs/openapi.json");
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json is stale: run `ANTON_UPDATE_OPENAPI=1 cargo test --test api openapi` and commit it"
    );
    assert_eq!(
        anton_api::openapi::document(),
        generated,
        "the document is deterministic"
    );
    let doc: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/v1/payouts",
        "/v1/recipients/{id}",
        "/v1/balance",
        "/v1/events",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }

    let app = spawn_app(Backend::Sqlite).await;
    let served = app
        .client
        .get(format!("{}/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(served, generated);
}

#[test]
fn the_openapi_document_has_every_route_and_nothing_else() {
    let mut routes = BTreeSet::new();
    for source in API_SOURCES {
        for chunk in source.split(".route(").skip(1) {
            let path = chunk.split('"').nth(1).unwrap();
            // The route's handlers: up to the parenthesis that closes `.route(`.
            let mut depth = 1u32;
            let end = chunk
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .unwrap()
                .0;
            let handlers = &chunk[..end];
            for method in METHODS {
                if handlers.contains(&format!("{method}(")) {
                    for path in concrete(path) {
                        routes.insert((method.to_owned(), path));
                    }
                }
            }
        }
    }
    let documented: BTreeSet<(String, String)> = operations(&document())
        .into_iter()
        .map(|(m, p, _)| (m, p))
        .collect();
    assert!(routes.len() > 25, "found the routes: {routes:?}");
    assert_eq!(routes, documented);
}

#[test]
fn the_openapi_error_codes_are_the_reference_table() {
    let doc = document();
    // docs/reference.md §2: | `type` | status(es) | codes |
    let mut reference = BTreeSet::new();
    let table = REFERENCE
        .split("| `type` | Status | `code`s |")
        .nth(1)
        .unwrap()
        .split("\n\n")
        .next()
        .unwrap();
    for row in table.lines().skip(2) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let kind = backticked(cells[1]).next().unwrap();
        let statuses: Vec<&str> = cells[2].split('/').map(str::trim).collect();
        let codes = without_parentheses(cells[3]);
        let codes: Vec<&str> = backticked(&codes).collect();
        if statuses.len() > 1 {
            assert_eq!(statuses.len(), codes.len(), "{row}");
            for (status, code) in statuses.iter().zip(&codes) {
                reference.insert((kind.to_owned(), (*status).to_owned(), (*code).to_owned()));
            }
        } else {
            for code in codes {
                reference.insert((kind.to_owned(), statuses[0].to_owned(), code.to_owned()));
            }
        }
    }

    let error = &doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"];
    let enum_of = |v: &Value| -> BTreeSet<String> {
        v["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect()
    };
    let codes = enum_of(&error["code"]);
    let in_reference: BTreeSet<String> = reference.iter().map(|(_, _, c)| c.clone()).collect();
    assert_eq!(codes, in_reference, "the Error schema's codes");
    let kinds: BTreeSet<String> = reference.iter().map(|(k, _, _)| k.clone()).collect();
    assert_eq!(enum_of(&error["type"]), kinds, "the Error schema's types");

    // Each shared response: its status's types and codes (405 answers no operation), each code
    // with an example of its type.
    let mut documented = BTreeSet::new();
    let responses = doc["components"]["responses"].as_object().unwrap();
    for response in responses.values() {
        let media = &response["content"]["application/json"];
        let reference = media["schema"]["$ref"].as_str().unwrap();
        let schema = reference.strip_prefix("#/components/schemas/").unwrap();
        let narrowed =
            &doc["components"]["schemas"][schema]["allOf"][1]["properties"]["error"]["properties"];
        let mut pairs = BTreeSet::new();
        for example in media["examples"].as_object().unwrap().values() {
            let e = &example["value"]["error"];
            let pair = (
                e["type"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            );
            pairs.insert(pair);
        }
        let kinds: BTreeSet<String> = pairs.iter().map(|(k, _)| k.clone()).collect();
        let codes: BTreeSet<String> = pairs.iter().map(|(_, c)| c.clone()).collect();
        assert_eq!(enum_of(&narrowed["type"]), kinds, "{schema}");
        assert_eq!(enum_of(&narrowed["code"]), codes, "{schema}");
        documented.extend(pairs);
    }
    let expected: BTreeSet<(String, String)> = reference
        .iter()
        .filter(|(_, status, _)| status != "405")
        .map(|(k, _, c)| (k.clone(), c.clone()))
        .collect();
    assert_eq!(documented, expected);
    let statuses: BTreeSet<&str> = reference.iter().map(|(_, s, _)| s.as_str()).collect();
    for (method, path, op) in operations(&doc) {
        for (status, response) in op["responses"].as_object().unwrap() {
            if let Some(reference) = response["$ref"].as_str() {
                let name = reference.rsplit('/').next().unwrap();
                assert!(responses.contains_key(name), "{method} {path} {status}");
                assert!(
                    statuses.contains(status.as_str()),
                    "{method} {path} {status}"
                );
            }
        }
    }
}

#[test]
fn the_openapi_idempotency_key_is_on_exactly_the_keyed_mutations() {
    // docs/reference.md §2 "Idempotency": the list, and the test helpers.
    let paragraph = REFERENCE
        .split("Mutations accept an `Idempotency-Key` header")
        .nth(1)
        .unwrap()
        .split("\n\n")
        .next()
        .unwrap();
    let mut expected: BTreeSet<(String, String)> = backticked(paragraph)
        .filter_map(|s| s.split_once(' '))
        .filter(|(m, _)| METHODS.contains(&m.to_lowercase().as_str()))
        .map(|(m, p)| (m.to_lowercase(), p.to_owned()))
        .collect();
    assert!(paragraph.contains("and the test helpers"));
    let doc = document();
    let mut keyed = BTreeSet::new();
    for (method, path, op) in operations(&doc) {
        if path.starts_with("/v1/test_helpers/") {
            expected.insert((method.clone(), path.clone()));
        }
        if has_parameter(&op, "IdempotencyKey") {
            keyed.insert((method, path));
        }
    }
    assert_eq!(keyed, expected);
}

#[test]
fn every_openapi_operation_declares_the_scope_its_handler_requires() {
    let doc = document();
    let mut checked = 0;
    for source in API_SOURCES {
        for chunk in source.split("#[utoipa::path(").skip(1) {
            let path = chunk
                .split("path = \"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let method = chunk.trim_start().split(',').next().unwrap().trim();
            // The handler's body: up to the next handler's annotation.
            let body = chunk.split("async fn ").nth(1).unwrap();
            let scope = body.split("auth.require(Scope::").nth(1).map(|s| {
                // `AuditLogRead` → `audit_log:read`: the last word is the access.
                let name = s.split(')').next().unwrap();
                let split = name.rfind(char::is_uppercase).unwrap();
                let mut resource = String::new();
                for (i, c) in name[..split].char_indices() {
                    if i > 0 && c.is_uppercase() {
                        resource.push('_');
                    }
                    resource.push(c.to_ascii_lowercase());
                }
                format!("{resource}:{}", name[split..].to_lowercase())
            });
            let expected = match (scope, body.contains("auth: Auth")) {
                (Some(scope), _) => serde_json::json!([{"api_key": [scope]}]),
                (None, true) => serde_json::json!([{"api_key": []}]),
                (None, false) => serde_json::json!([]),
            };
            for path in concrete(path) {
                let security = &doc["paths"][&path][method]["security"];
                assert_eq!(security, &expected, "{method} {path}");
                checked += 1;
            }
        }
    }
    assert!(checked > 25, "checked {checked} handlers");
}

#[test]
fn every_openapi_operation_has_the_shared_parameters_and_headers() {
    let doc = document();
    for (method, path, op) in operations(&doc) {
        assert!(has_parameter(&op, "AntonVersion"), "{method} {path}");
        let keyed = has_parameter(&op, "IdempotencyKey");
        assert!(
            !op["summary"].as_str().unwrap().is_empty(),
            "{method} {path}"
        );
        assert!(
            !op["description"].as_str().unwrap().is_empty(),
            "{method} {path}"
        );
        let responses = op["responses"].as_object().unwrap();
        assert!(responses.contains_key("200"), "{method} {path}");
        assert!(responses.contains_key("400"), "{method} {path}");
        if op["security"] != serde_json::json!([]) {
            for status in ["401", "403", "429", "500", "503"] {
                assert!(responses.contains_key(status), "{method} {path} {status}");
            }
        }
        if keyed {
            for status in ["409", "422"] {
                assert!(responses.contains_key(status), "{method} {path} {status}");
            }
        }
        if op.get("requestBody").is_some() {
            for status in ["408", "413", "415"] {
                assert!(responses.contains_key(status), "{method} {path} {status}");
            }
        }
        for (status, response) in responses {
            if response.get("$ref").is_some() {
                continue;
            }
            let headers = &response["headers"];
            assert!(
                headers.get("Request-Id").is_some(),
                "{method} {path} {status}"
            );
            assert_eq!(
                headers.get("Idempotent-Replayed").is_some(),
                keyed,
                "{method} {path} {status}"
            );
        }
    }
}

#[test]
fn the_openapi_webhooks_are_every_event_type() {
    let doc = document();
    let webhooks: BTreeSet<&str> = doc["webhooks"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let types: BTreeSet<&str> = EventType::ALL
        .iter()
        .chain([&EventType::WebhookEndpointTest])
        .map(|t| t.as_str())
        .collect();
    assert_eq!(webhooks, types);
    let subscribable: Vec<&str> = doc["components"]["schemas"]["EventTypeName"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    let all: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
    assert_eq!(subscribable, all);
}

#[test]
fn the_openapi_limits_are_the_code_s() {
    use anton_engine::webhooks::endpoints::{
        ROTATION_OVERLAP_DEFAULT_S, ROTATION_OVERLAP_MAX_S, URL_LEN_MAX,
    };
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let rotation = &schemas["SecretRotation"]["properties"]["expire_previous_in_seconds"];
    assert_eq!(rotation["maximum"], ROTATION_OVERLAP_MAX_S);
    assert_eq!(rotation["default"], ROTATION_OVERLAP_DEFAULT_S);
    for schema in [
        "WebhookEndpointCreate",
        "WebhookEndpointUpdate",
        "WebhookEndpoint",
    ] {
        assert_eq!(
            schemas[schema]["properties"]["url"]["maxLength"], URL_LEN_MAX,
            "{schema}"
        );
    }
    let limit = &doc["components"]["parameters"]["Limit"]["schema"];
    assert_eq!(limit["maximum"], anton_api::list::LIMIT_MAX);
    assert_eq!(limit["default"], anton_api::list::LIMIT_DEFAULT);
    let too_large = doc["components"]["responses"]["ContentTooLarge"]["description"]
        .as_str()
        .unwrap();
    let kib = anton_api::body::BODY_BYTES_MAX / 1024;
    assert!(too_large.contains(&format!("{kib} KiB")), "{too_large}");
    let version = &doc["components"]["parameters"]["AntonVersion"]["schema"]["enum"];
    assert_eq!(version, &serde_json::json!([anton_core::API_VERSION]));
}
