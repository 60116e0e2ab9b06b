//! Parameters and headers every operation shares: `Anton-Version` (every operation),
//! `Idempotency-Key` (keyed mutations), the list parameters, and the response headers
//! (`Request-Id`, `Idempotent-Replayed`, `Retry-After`, `RateLimit-*`).
//!
//! Handlers declare `params(IdempotencyKey)` and `params(PageParams)`; the document turns each of
//! these parameters into a `$ref` to its `components.parameters` entry (`super::finish`).

use serde_json::{json, Map, Value};
use utoipa::IntoParams;

use super::examples::REQUEST_ID;

/// The `Idempotency-Key` header of a keyed mutation (docs/reference.md §2 "Idempotency").
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKey {
    /// Makes the request safe to retry: 1 to 255 printable ASCII characters without spaces
    /// (`idempotency_key_invalid`), scoped to the merchant and environment. Once the request's
    /// use case has run, its answer — success or refusal — is stored with its effects, and the
    /// same key with the same request (method, path, and body by what it says) gets it again,
    /// status and body byte for byte, with `Idempotent-Replayed: true`; with a different request,
    /// 422 `idempotency_key_reused`; while the first still runs, 409
    /// `idempotency_request_in_progress`. Nothing is stored for a request refused before its use
    /// case (authentication, scopes, limits, body and parameter checks) nor for a 5xx, so a
    /// corrected retry with the same key runs afresh. Keys are kept at least 24 hours (48 in
    /// this version). A retry of a failed payout is a new payout with a new key.
    #[param(
        rename = "Idempotency-Key",
        min_length = 1,
        max_length = 255,
        pattern = "^[!-~]+$",
        example = "order-6735-payout-1"
    )]
    pub idempotency_key: Option<String>,
}

/// The parameters every list takes (docs/reference.md §2 "Lists"). Any other query parameter
/// than these and the list's own filters is refused (400 `parameter_unknown`).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many objects to return: 1 to 100 (`parameter_invalid` otherwise).
    #[param(minimum = 1, maximum = 100, default = 20, example = 20)]
    pub limit: Option<i64>,
    /// A cursor for the next (older) page: the id of the last object of the current page. It
    /// must be this merchant's object of the list's kind (`parameter_invalid`). Not with
    /// `ending_before`.
    #[param(
        pattern = "^[a-z]+_[0-9A-Za-z]{1,64}$",
        example = "po_0VclB7c2Xk9QmR4tY8uWb3nZ"
    )]
    pub starting_after: Option<String>,
    /// A cursor for the previous (newer) page: the id of the first object of the current page.
    /// The page is still newest first, and `has_more` says whether newer objects remain. Not
    /// with `starting_after`.
    #[param(
        pattern = "^[a-z]+_[0-9A-Za-z]{1,64}$",
        example = "po_0VclB7c2Xk9QmR4tY8uWb3nZ"
    )]
    pub ending_before: Option<String>,
    /// Only objects created at or after this time: RFC 3339 (any offset) or unix seconds.
    #[param(
        rename = "created[gte]",
        schema_with = crate::list::created_gte_schema,
        example = "2026-11-01T00:00:00Z"
    )]
    pub created_gte: Option<String>,
    /// Only objects created before this time: RFC 3339 (any offset) or unix seconds.
    #[param(
        rename = "created[lt]",
        schema_with = crate::list::created_lt_schema,
        example = "1764547200"
    )]
    pub created_lt: Option<String>,
}

/// `components.parameters` shared by the operations: `Anton-Version` (which the document adds
/// to every operation), and the name each of `IdempotencyKey`'s and `PageParams`' parameters
/// gets there.
pub(super) fn parameters() -> Map<String, Value> {
    let mut out = Map::new();
    out.insert(
        "AntonVersion".into(),
        json!({
            "name": "Anton-Version",
            "in": "header",
            "required": false,
            "description": format!(
                "The API version the client expects. Optional: this server speaks one version, \
                 `{v}`, and answers any other value with 400 `api_version_invalid`. Every event \
                 records the version it was rendered with (`api_version`).",
                v = anton_core::API_VERSION
            ),
            "schema": {"type": "string", "enum": [anton_core::API_VERSION]},
            "example": anton_core::API_VERSION,
        }),
    );
    let named = |p: &utoipa::openapi::path::Parameter| match p.name.as_str() {
        "Idempotency-Key" => "IdempotencyKey",
        "limit" => "Limit",
        "starting_after" => "StartingAfter",
        "ending_before" => "EndingBefore",
        "created[gte]" => "CreatedGte",
        _ => "CreatedLt",
    };
    for p in IdempotencyKey::into_params(|| None)
        .iter()
        .chain(PageParams::into_params(|| None).iter())
    {
        let mut value = serde_json::to_value(p).expect("a parameter serializes");
        // An absent parameter is not a `null` one: a header or query value is text.
        if let Some(Value::Array(types)) = value["schema"].get_mut("type") {
            types.retain(|t| t != "null");
            if let [only] = types.as_slice() {
                value["schema"]["type"] = only.clone();
            }
        }
        // utoipa drops a field's doc comment and example when `schema_with` gives its schema
        // (the time parameters): the schema's description and an example stand in.
        if value.get("description").is_none() {
            value["description"] = value["schema"]["description"].clone();
        }
        if value.get("example").is_none() {
            match p.name.as_str() {
                "created[gte]" => value["example"] = json!("2026-11-01T00:00:00Z"),
                "created[lt]" => value["example"] = json!(1_764_547_200),
                _ => {}
            }
        }
        out.insert(named(p).to_owned(), value);
    }
    out
}

/// `components.headers`: the response headers.
pub(super) fn headers() -> Map<String, Value> {
    let integer = |description: &str, minimum: u64, example: u64| {
        json!({
            "description": description,
            "schema": {"type": "integer", "minimum": minimum},
            "example": example,
        })
    };
    let mut out = Map::new();
    out.insert(
        "RequestId".into(),
        json!({
            "description": "This request's id (`req_…`), on every response: in every log line \
                of the request and in every error body. Quote it to support.",
            "required": true,
            "schema": {"$ref": "#/components/schemas/RequestId"},
            "example": REQUEST_ID,
        }),
    );
    out.insert(
        "IdempotentReplayed".into(),
        json!({
            "description": "`true` when this answer is the stored answer of an earlier request \
                with the same `Idempotency-Key` (status and body byte for byte); absent \
                otherwise.",
            "schema": {"type": "string", "enum": ["true"]},
            "example": "true",
        }),
    );
    out.insert(
        "RetryAfter".into(),
        integer("Seconds to wait before retrying (at least 1).", 1, 1),
    );
    out.insert(
        "RateLimitLimit".into(),
        integer(
            "The size of the bucket that refused the request: twice its per-second rate (this \
             node's share of the key's limit, or the failed-authentication budget).",
            1,
            50,
        ),
    );
    out.insert(
        "RateLimitRemaining".into(),
        integer("Requests left in the bucket now.", 0, 0),
    );
    out.insert(
        "RateLimitReset".into(),
        integer("Seconds until a request would be allowed again.", 0, 1),
    );
    out
}
