//! The second step of the document (see the module docs of [`super`]): what utoipa's types cannot
//! say, added to its output as JSON. Deterministic: maps keep insertion order (serde_json's
//! `preserve_order`) and are put in a fixed order here.

use serde_json::{json, Map, Value};

use anton_engine::validate;

use super::{errors, params, webhooks};

/// The default local server.
const SERVER: &str = "https://127.0.0.1:8443";

/// A schema's property and the function giving its pattern.
type Patterned = (&'static str, &'static str, fn() -> String);

/// The free-text properties and the pattern each is held to (the engine's own, from
/// `anton_engine::validate`): what the character rules of docs/reference.md §2 refuse, stated so
/// a client or a fuzzer can tell a valid value without sending it.
const FREE_TEXT: [Patterned; 8] = [
    ("RecipientCreate", "name", validate::name_pattern),
    ("RecipientUpdate", "name", validate::name_pattern),
    ("RecipientCreate", "email", validate::text_pattern),
    ("RecipientUpdate", "email", validate::text_pattern),
    ("PayoutCreate", "description", validate::text_pattern),
    ("PayoutUpdate", "description", validate::text_pattern),
    (
        "WebhookEndpointCreate",
        "description",
        validate::text_pattern,
    ),
    (
        "WebhookEndpointUpdate",
        "description",
        validate::text_pattern,
    ),
];

/// The methods an operation can have here.
const METHODS: [&str; 4] = ["get", "post", "patch", "delete"];

/// The document utoipa generated, completed.
pub(super) fn finish(doc: Value) -> Value {
    let Value::Object(mut doc) = doc else {
        unreachable!("an OpenAPI document is an object")
    };
    doc["info"]["version"] = json!(anton_core::API_VERSION);

    let mut components = match doc.remove("components") {
        Some(Value::Object(c)) => c,
        _ => Map::new(),
    };
    let schemas = components
        .entry("schemas")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("schemas is an object");
    schemas.insert("Error".into(), errors::error_schema());
    schemas.extend(errors::response_schemas());
    schemas.extend(webhooks::schemas());
    hoist_variants(schemas, "BankAccountDetails", "type");
    free_text_patterns(schemas);
    for schema in schemas.values_mut() {
        lift_nullable_descriptions(schema);
    }
    let mut sorted: Vec<(String, Value)> = std::mem::take(schemas).into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    schemas.extend(sorted);
    let schemas = schemas.clone();

    let shared = params::parameters();
    let mut parameters = shared.clone();
    parameters.extend(webhooks::header_parameters());

    let mut paths = match doc.remove("paths") {
        Some(Value::Object(p)) => p,
        _ => Map::new(),
    };
    split_test_helper(&mut paths);
    let mut sorted: Vec<(String, Value)> = std::mem::take(&mut paths).into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    paths.extend(sorted);
    for item in paths.values_mut() {
        for method in METHODS {
            if let Some(op) = item.get_mut(method) {
                operation(op, &shared, &schemas);
            }
        }
    }

    let mut finished = Map::new();
    for key in ["openapi", "info"] {
        if let Some(v) = doc.remove(key) {
            finished.insert(key.into(), v);
        }
    }
    finished.insert(
        "servers".into(),
        json!([{
            "url": SERVER,
            "description": "A node on its default listener (`listen = \"127.0.0.1:8443\"`): the \
                local development server. A deployment serves the same API at its own address.",
        }]),
    );
    for key in ["security", "tags"] {
        if let Some(v) = doc.remove(key) {
            finished.insert(key.into(), v);
        }
    }
    finished.insert("paths".into(), Value::Object(paths));
    finished.insert("webhooks".into(), Value::Object(webhooks::webhooks()));
    let mut ordered = Map::new();
    ordered.insert("schemas".into(), json!(schemas));
    ordered.insert("responses".into(), Value::Object(errors::responses()));
    ordered.insert("parameters".into(), Value::Object(parameters));
    ordered.insert("headers".into(), Value::Object(params::headers()));
    if let Some(s) = components.remove("securitySchemes") {
        ordered.insert("securitySchemes".into(), s);
    }
    finished.insert("components".into(), Value::Object(ordered));
    finished.extend(doc);
    Value::Object(finished)
}

/// The payout test helper is one route, `/v1/test_helpers/payouts/{id}/{action}`, whose action
/// is `pay`, `fail` or `return` (any other is an unknown URL); each action takes its own body,
/// so the document lists the three URLs: `fail` with the body the handler's annotation
/// declares, the others with none (or `{}`).
fn split_test_helper(paths: &mut Map<String, Value>) {
    const ROUTE: &str = "/v1/test_helpers/payouts/{id}/{action}";
    let Some(mut item) = paths.remove(ROUTE) else {
        return;
    };
    let template = item["post"].take();
    for (action, summary) in [
        ("pay", "Pay a test payout."),
        ("fail", "Fail a test payout."),
        ("return", "Return a test payout."),
    ] {
        let mut op = template.clone();
        op["operationId"] = json!(format!("test_helper_payout_{action}"));
        op["summary"] = json!(summary);
        if let Some(Value::Array(params)) = op.get_mut("parameters") {
            params.retain(|p| p["name"] != "action");
        }
        if action != "fail" {
            op["requestBody"] = json!({
                "description": "No parameters: no body, or `{}`.",
                "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/EmptyBody"},
                }},
            });
        }
        paths.insert(ROUTE.replace("{action}", action), json!({"post": op}));
    }
}

/// One operation: `Anton-Version`, shared parameters (`IdempotencyKey`, `PageParams`: the same
/// name and place) as refs, `Request-Id` (and for keyed
/// mutations `Idempotent-Replayed`) on its responses, and an example on every body.
fn operation(op: &mut Value, shared: &Map<String, Value>, schemas: &Map<String, Value>) {
    let mut keyed = false;
    let mut list: Vec<Value> = match op.get_mut("parameters").map(Value::take) {
        Some(Value::Array(ps)) => ps,
        _ => Vec::new(),
    };
    for p in &mut list {
        let same = |s: &Value| s["name"] == p["name"] && s["in"] == p["in"];
        if let Some((name, _)) = shared.iter().find(|(_, s)| same(s)) {
            keyed |= name == "IdempotencyKey";
            *p = json!({"$ref": format!("#/components/parameters/{name}")});
        }
    }
    list.push(json!({"$ref": "#/components/parameters/AntonVersion"}));
    op["parameters"] = Value::Array(list);

    // utoipa writes "no authentication" as `[{}]`; `[]` says it plainly.
    if op.get("security") == Some(&json!([{}])) {
        op["security"] = json!([]);
    }

    if let Some(body) = op.get_mut("requestBody") {
        let mut optional = true;
        for media in media_types(body) {
            // An optional body (`Option<T>` in the annotation) is `required: false`; a JSON
            // `null` body is refused like any body that is not an object, so the schema is `T`.
            let inner = media["schema"]["oneOf"].as_array().and_then(|items| {
                let mut rest = items.iter().filter(|i| **i != json!({"type": "null"}));
                match (rest.next(), rest.next(), items.len()) {
                    (Some(t), None, 2) => Some(t.clone()),
                    _ => None,
                }
            });
            if let Some(t) = inner {
                media["schema"] = t;
            }
            optional &= requires_nothing(&media["schema"], schemas);
            fill_example(media, schemas);
        }
        // An empty body reads as `{}` (body.rs): one none of whose fields is required may be
        // left out.
        if optional {
            body["required"] = json!(false);
        }
    }
    if let Some(Value::Object(responses)) = op.get_mut("responses") {
        for response in responses.values_mut() {
            if response.get("$ref").is_some() {
                continue;
            }
            let mut headers = Map::new();
            headers.insert(
                "Request-Id".into(),
                json!({"$ref": "#/components/headers/RequestId"}),
            );
            if keyed {
                headers.insert(
                    "Idempotent-Replayed".into(),
                    json!({"$ref": "#/components/headers/IdempotentReplayed"}),
                );
            }
            if let Some(Value::Object(own)) = response.get_mut("headers").map(Value::take) {
                headers.extend(own);
            }
            response["headers"] = Value::Object(headers);
            for media in media_types(response) {
                fill_example(media, schemas);
            }
        }
    }
}

/// Whether `schema` (or the component it refers to) is an object with no required field.
fn requires_nothing(schema: &Value, schemas: &Map<String, Value>) -> bool {
    let target = match schema["$ref"].as_str() {
        Some(r) => r
            .strip_prefix("#/components/schemas/")
            .and_then(|name| schemas.get(name))
            .unwrap_or(&Value::Null),
        None => schema,
    };
    target["type"] == "object"
        && target["required"]
            .as_array()
            .is_none_or(|required| required.is_empty())
}

/// The media type objects of a request body or response.
fn media_types(holder: &mut Value) -> impl Iterator<Item = &mut Value> {
    holder
        .get_mut("content")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|c| c.values_mut())
}

/// Gives a body without an example its schema's first example (the schema's component's, for a
/// `$ref`, also inside a nullable `oneOf`).
fn fill_example(media: &mut Value, schemas: &Map<String, Value>) {
    if media.get("example").is_some() || media.get("examples").is_some() {
        return;
    }
    let schema = &media["schema"];
    let target = schema
        .get("oneOf")
        .and_then(Value::as_array)
        .and_then(|items| items.iter().find(|i| i.get("$ref").is_some()))
        .unwrap_or(schema);
    let example = match target.get("$ref").and_then(Value::as_str) {
        Some(r) => schemas
            .get(r.trim_start_matches("#/components/schemas/"))
            .and_then(|s| s.get("examples"))
            .and_then(|e| e.get(0)),
        None => target.get("examples").and_then(|e| e.get(0)),
    };
    if let Some(example) = example.cloned() {
        media["example"] = example;
    }
}

/// utoipa writes a nullable reference as `oneOf: [{"type": "null"}, {"$ref", "description"}]`:
/// moves the description up, beside the `oneOf`, where readers (and the linter) look for it.
fn lift_nullable_descriptions(schema: &mut Value) {
    let Some(Value::Object(properties)) = schema.get_mut("properties") else {
        return;
    };
    for property in properties.values_mut() {
        lift_nullable_descriptions(property);
        if property.get("description").is_some() {
            continue;
        }
        let Some(Value::Array(items)) = property.get_mut("oneOf") else {
            continue;
        };
        let description = items
            .iter_mut()
            .filter_map(Value::as_object_mut)
            .find_map(|item| item.remove("description"));
        if let Some(d) = description {
            property["description"] = d;
        }
    }
}

/// Moves the variants of the tagged union `name` (a `oneOf` of objects, each with a `title` and
/// a one-value enum `tag`) into components of their own, named by their titles, and adds the
/// discriminator that maps each tag value to its variant.
fn hoist_variants(schemas: &mut Map<String, Value>, name: &str, tag: &str) {
    let Some(Value::Array(variants)) = schemas
        .get_mut(name)
        .and_then(|s| s.get_mut("oneOf"))
        .map(Value::take)
    else {
        return;
    };
    let mut refs = Vec::new();
    let mut mapping = Map::new();
    for mut variant in variants {
        let title = variant["title"].as_str().unwrap_or(name).to_owned();
        let value = variant["properties"][tag]["enum"][0].clone();
        if let Some(v) = variant.as_object_mut() {
            v.remove("title");
            // The union refuses unknown fields (`deny_unknown_fields`), and so each variant.
            v.insert("additionalProperties".into(), json!(false));
        }
        let reference = format!("#/components/schemas/{title}");
        if let Some(v) = value.as_str() {
            mapping.insert(v.to_owned(), json!(reference));
            if variant["properties"][tag].get("description").is_none() {
                variant["properties"][tag]["description"] =
                    json!(format!("The kind of account: `{v}`."));
            }
        }
        refs.push(json!({"$ref": reference}));
        schemas.insert(title, variant);
    }
    let union = &mut schemas[name];
    union["oneOf"] = Value::Array(refs);
    union["discriminator"] = json!({"propertyName": tag, "mapping": mapping});
}

/// Puts each [`FREE_TEXT`] pattern on its property.
fn free_text_patterns(schemas: &mut Map<String, Value>) {
    for (schema, property, pattern) in FREE_TEXT {
        let target = &mut schemas[schema]["properties"][property];
        assert!(target.is_object(), "{schema}.{property} is documented");
        target["pattern"] = json!(pattern());
    }
}
