//! The error envelope in the document: the one `Error` schema (its `type` and `code` enums), one
//! shared response per status (`components.responses`), and the sets of them an operation
//! declares in its `responses(...)` ([`Public`], [`Authenticated`], [`WithBody`], [`Keyed`],
//! [`ById`], [`NotReady`]).
//!
//! [`CODES`] is the table of docs/reference.md §2; the OpenAPI test checks that the two list the
//! same codes.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use utoipa::openapi::{Ref, RefOr, Response};
use utoipa::IntoResponses;

use super::examples::REQUEST_ID;
use crate::error::ErrorType;

/// One error code: the status and type it comes with, and what it means.
pub(super) struct Code {
    pub status: u16,
    pub kind: ErrorType,
    pub code: &'static str,
    pub meaning: &'static str,
}

const fn code(status: u16, kind: ErrorType, code: &'static str, meaning: &'static str) -> Code {
    Code {
        status,
        kind,
        code,
        meaning,
    }
}

use ErrorType::{Api, Authentication, Idempotency, InvalidRequest, Permission, RateLimit};

/// Every code the API answers with (docs/reference.md §2), in the order of that table.
pub(super) const CODES: &[Code] = &[
    code(400, InvalidRequest, "invalid_json", "The body is not valid JSON."),
    code(400, InvalidRequest, "parameter_unknown", "An unknown body field or query parameter."),
    code(400, InvalidRequest, "parameter_missing", "A required body field is missing."),
    code(
        400,
        InvalidRequest,
        "parameter_invalid",
        "A value of the wrong type or out of range (also a bad `limit`, `created[…]`, cursor, list \
         filter, payout `description` or `failure_code`).",
    ),
    code(
        400,
        InvalidRequest,
        "parameter_duplicated",
        "A JSON key given twice in one object, at any depth.",
    ),
    code(
        400,
        InvalidRequest,
        "parameter_invalid_characters",
        "A text holds a control, bidirectional-formatting or zero-width character.",
    ),
    code(400, InvalidRequest, "invalid_query", "The query string is malformed."),
    code(400, InvalidRequest, "invalid_path", "The URL path is malformed (its encoding)."),
    code(400, InvalidRequest, "amount_too_small", "`amount` is below 1."),
    code(400, InvalidRequest, "amount_too_large", "`amount` is above 10,000,000,000,000."),
    code(400, InvalidRequest, "amount_invalid", "A test funding `amount` is out of range."),
    code(400, InvalidRequest, "currency_invalid", "`currency` is not an upper-case ISO 4217 code."),
    code(400, InvalidRequest, "currency_not_supported", "`currency` is not USD, EUR or GBP."),
    code(400, InvalidRequest, "metadata_invalid", "Too many metadata pairs, or a key or value too long."),
    code(400, InvalidRequest, "email_invalid", "`email` is not an email address."),
    code(400, InvalidRequest, "description_invalid", "An endpoint's `description` is too long."),
    code(
        400,
        InvalidRequest,
        "url_invalid",
        "An endpoint `url` is malformed, not https in live mode, or refused by the SSRF guard.",
    ),
    code(
        400,
        InvalidRequest,
        "enabled_events_invalid",
        "`enabled_events` is not `[\"*\"]` or a non-empty list of known event types.",
    ),
    code(400, InvalidRequest, "status_invalid", "An endpoint `status` is not `enabled` or `disabled`."),
    code(
        400,
        InvalidRequest,
        "expire_previous_in_seconds_invalid",
        "`expire_previous_in_seconds` is not 0 to 604800.",
    ),
    code(
        400,
        InvalidRequest,
        "idempotency_key_invalid",
        "The `Idempotency-Key` is not 1 to 255 printable ASCII characters without spaces.",
    ),
    code(
        400,
        InvalidRequest,
        "invalid_routing_number",
        "The routing number is not 9 digits with a valid ABA checksum.",
    ),
    code(
        400,
        InvalidRequest,
        "invalid_account_number",
        "The account number has the wrong length or is not all digits.",
    ),
    code(400, InvalidRequest, "invalid_account_type", "`account_type` is not `checking` or `savings`."),
    code(400, InvalidRequest, "invalid_iban", "The IBAN's length, format or check digits are wrong."),
    code(400, InvalidRequest, "invalid_bic", "The BIC is not 8 or 11 well-formed characters."),
    code(400, InvalidRequest, "invalid_sort_code", "The sort code is not 6 digits."),
    code(
        400,
        InvalidRequest,
        "currency_not_supported_for_account",
        "The bank account cannot be paid in that currency.",
    ),
    code(
        400,
        InvalidRequest,
        "currency_mismatch",
        "The payout's currency is not the recipient's bank account's.",
    ),
    code(
        409,
        InvalidRequest,
        "insufficient_funds",
        "The available balance does not cover the payout.",
    ),
    code(
        409,
        InvalidRequest,
        "risk_blocked",
        "A risk rule whose action is `block` fired; the message names the rule and its figures.",
    ),
    code(
        409,
        InvalidRequest,
        "payout_not_in_review",
        "Approving or rejecting a payout that is not held for review.",
    ),
    code(
        409,
        InvalidRequest,
        "payout_not_cancelable",
        "The payout is no longer `pending`, so it cannot be canceled.",
    ),
    code(
        409,
        InvalidRequest,
        "payout_invalid_transition",
        "A test helper asked for a move the payout's status does not allow.",
    ),
    code(
        400,
        InvalidRequest,
        "live_rail_not_configured",
        "A live payout, but this deployment has no live rail.",
    ),
    code(
        409,
        InvalidRequest,
        "recipient_has_active_payouts",
        "The recipient still has payouts `pending`, `requires_review` or `processing`.",
    ),
    code(
        409,
        InvalidRequest,
        "webhook_endpoint_disabled",
        "A resend to a disabled endpoint.",
    ),
    code(
        400,
        InvalidRequest,
        "resource_missing",
        "An id in the body names no object of this merchant and environment (a new payout's \
         `recipient`).",
    ),
    code(
        400,
        InvalidRequest,
        "host_invalid",
        "An HTTP/1.1 request without exactly one `Host` header.",
    ),
    code(
        400,
        InvalidRequest,
        "api_version_invalid",
        "`Anton-Version` names a version this server does not speak.",
    ),
    code(
        404,
        InvalidRequest,
        "resource_missing",
        "No such object for this merchant and environment (also an id with another kind's \
         prefix).",
    ),
    code(
        404,
        InvalidRequest,
        "unrecognized_url",
        "No such URL (also the test helpers with a live key).",
    ),
    code(
        405,
        InvalidRequest,
        "method_not_allowed",
        "The URL exists, but not with this method.",
    ),
    code(
        408,
        InvalidRequest,
        "body_timeout",
        "The request body did not arrive in time.",
    ),
    code(
        413,
        InvalidRequest,
        "body_too_large",
        "The request body is over 64 KiB.",
    ),
    code(
        415,
        InvalidRequest,
        "unsupported_content_type",
        "A body that is not `application/json` in UTF-8.",
    ),
    code(401, Authentication, "missing_api_key", "No `Authorization: Bearer` key."),
    code(
        401,
        Authentication,
        "invalid_api_key",
        "The key is malformed, fails its checksum or is unknown.",
    ),
    code(
        401,
        Authentication,
        "api_key_revoked",
        "The key was revoked (also when it was revoked or expired after this node's cache \
         checked it: nothing was written).",
    ),
    code(401, Authentication, "api_key_expired", "The key has expired."),
    code(
        403,
        Permission,
        "missing_scope",
        "The key lacks the scope the operation needs.",
    ),
    code(
        403,
        Permission,
        "browser_request_refused",
        "The request carries browser markers (`Origin`, `Sec-Fetch-Site`, or `Sec-Fetch-Mode: \
         navigate`); the key is flagged as possibly exposed.",
    ),
    code(
        403,
        Permission,
        "ip_not_allowed",
        "The client address is outside the key's allowlist.",
    ),
    code(
        403,
        Permission,
        "approver_is_creator",
        "Four-eyes: the key that created a payout cannot approve it.",
    ),
    code(
        409,
        Idempotency,
        "idempotency_request_in_progress",
        "The key's first request is still running: retry shortly.",
    ),
    code(
        422,
        Idempotency,
        "idempotency_key_reused",
        "The key was used with a different request (method, path or body).",
    ),
    code(429, RateLimit, "rate_limited", "The key is over its rate limit."),
    code(
        429,
        RateLimit,
        "authentication_rate_limited",
        "Too many failed authentications from the client address or at the node (a request \
         with a valid key never gets this).",
    ),
    code(
        500,
        Api,
        "internal_error",
        "A bug: the cause is logged once; the body holds only the request id.",
    ),
    code(
        503,
        Api,
        "service_unavailable",
        "The database is unreachable or refused the work for a transient reason: retry with the \
         same Idempotency-Key.",
    ),
];

/// Every error type, in the order docs/reference.md §2 lists them.
const TYPES: [ErrorType; 6] = [
    InvalidRequest,
    Authentication,
    Permission,
    Idempotency,
    RateLimit,
    Api,
];

/// The shared responses: (status, component name, summary, extra headers). 405 is not here: it
/// answers a method no operation has.
const RESPONSES: &[(u16, &str, &str, &[&str])] = &[
    (
        400,
        "BadRequest",
        "The request was refused: a malformed or invalid parameter (fix the request before \
         sending it again). Which codes an operation can return follows from what it accepts; \
         a refusal of a keyed mutation's use case is stored and replayed.",
        &["Idempotent-Replayed"],
    ),
    (
        401,
        "Unauthorized",
        "The API key is missing or not usable.",
        &[],
    ),
    (403, "Forbidden", "The API key may not do this.", &[]),
    (
        404,
        "NotFound",
        "No such object for this merchant and environment — another merchant's or environment's \
         object is missing too, never forbidden — or no such URL.",
        &["Idempotent-Replayed"],
    ),
    (
        408,
        "RequestTimeout",
        "The request body did not arrive in time.",
        &[],
    ),
    (
        409,
        "Conflict",
        "The request is well formed, but the current state of an object refuses it (a payout's \
         status, the balance, a recipient's payouts under way, a disabled endpoint): it may \
         succeed once that state changes, under a new Idempotency-Key (the refusal is stored \
         and replayed for its key). Or, as an `idempotency_error`, a request with this \
         Idempotency-Key is still running on this node: retry shortly with the same key.",
        &["Idempotent-Replayed"],
    ),
    (
        413,
        "ContentTooLarge",
        "The request body is over 64 KiB.",
        &[],
    ),
    (
        415,
        "UnsupportedMediaType",
        "A request body must be `application/json` (UTF-8 if a charset is named).",
        &[],
    ),
    (
        422,
        "UnprocessableContent",
        "This Idempotency-Key was already used with a different request: use a new key for a \
         new request.",
        &[],
    ),
    (
        429,
        "TooManyRequests",
        "Too many requests: wait the number of seconds in `Retry-After`.",
        &[
            "Retry-After",
            "RateLimit-Limit",
            "RateLimit-Remaining",
            "RateLimit-Reset",
        ],
    ),
    (
        500,
        "InternalServerError",
        "An unexpected error. Nothing is stored for the request's key; quote the request id \
         when contacting support.",
        &[],
    ),
    (
        503,
        "ServiceUnavailable",
        "The database is unavailable for a moment. Nothing is stored for the request's key: \
         retry with the same Idempotency-Key.",
        &[],
    ),
];

/// The component name of the shared response for `status`.
fn response_name(status: u16) -> &'static str {
    RESPONSES
        .iter()
        .find(|(s, ..)| *s == status)
        .map(|(_, name, ..)| *name)
        .expect("every status an operation declares has a shared response")
}

/// The `Error` schema: the envelope, with every type and code.
pub(super) fn error_schema() -> Value {
    let mut codes: Vec<&str> = Vec::new();
    for c in CODES {
        if !codes.contains(&c.code) {
            codes.push(c.code);
        }
    }
    json!({
        "type": "object",
        "description": "The error envelope: every error the API answers has this shape (an \
            HTTP/1.1 header block over 16 KiB aside, which gets a bare 431). `type` says how to \
            react, `code` what happened (stable), `param` which field is at fault, `message` is \
            for humans and may change. Messages never echo a submitted value (object ids and the \
            URL path aside), and 5xx bodies never show internals.",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "description": "What went wrong.",
                "required": ["type", "code", "message", "param", "request_id"],
                "properties": {
                    "type": {
                        "type": "string",
                        "description": "How to react: `invalid_request_error` (fix the request; \
                            400, 404, 405, 408, 413, 415; 409: the state of an object refuses \
                            it), `authentication_error` (401: check the key), `permission_error` \
                            (403), `idempotency_error` (409: retry shortly; 422: use a new key), `rate_limit_error` (429: wait \
                            `Retry-After`), `api_error` (500, 503: retry with the same \
                            Idempotency-Key).",
                        "enum": TYPES.map(ErrorType::as_str),
                    },
                    "code": {
                        "type": "string",
                        "description": code_list("What happened; stable, safe to branch on.", CODES.iter()),
                        "enum": codes,
                    },
                    "message": {
                        "type": "string",
                        "description": "What happened, for humans. It may change: branch on \
                            `code`, not on this.",
                    },
                    "param": {
                        "type": ["string", "null"],
                        "description": "The parameter at fault (nested fields as \
                            `bank_account[routing_number]`, query parameters by name), or `null`.",
                    },
                    "request_id": {
                        "type": "string",
                        "description": "The id of the request that produced this answer, as in \
                            the `Request-Id` header — except in a replay, which shows the id of \
                            the request whose answer it replays. Quote it to support.",
                    },
                },
            },
        },
        "examples": [example(
            "invalid_request_error",
            CODES.iter().find(|c| c.code == "amount_too_small").expect("the code is listed"),
        )],
    })
}

/// "summary" and one line per code: "- `code` (status): meaning".
fn code_list<'a>(summary: &str, codes: impl Iterator<Item = &'a Code>) -> String {
    let mut out = format!("{summary}\n");
    for c in codes {
        out.push_str(&format!("\n- `{}` ({}): {}", c.code, c.status, c.meaning));
    }
    out
}

/// The parameter a refusal with `code` names, when it is always the same one.
fn param_of(code: &str) -> Option<&'static str> {
    Some(match code {
        "amount_too_small" | "amount_too_large" | "amount_invalid" | "insufficient_funds" => {
            "amount"
        }
        "currency_invalid" | "currency_not_supported" | "currency_mismatch" => "currency",
        "metadata_invalid" => "metadata",
        "email_invalid" => "email",
        "description_invalid" => "description",
        "url_invalid" => "url",
        "enabled_events_invalid" => "enabled_events",
        "status_invalid" => "status",
        "expire_previous_in_seconds_invalid" => "expire_previous_in_seconds",
        "invalid_routing_number" => "bank_account[routing_number]",
        "invalid_account_number" => "bank_account[account_number]",
        "invalid_account_type" => "bank_account[account_type]",
        "invalid_iban" => "bank_account[iban]",
        "invalid_bic" => "bank_account[bic]",
        "invalid_sort_code" => "bank_account[sort_code]",
        "currency_not_supported_for_account" => "bank_account[currency]",
        _ => return None,
    })
}

/// An error body of `code`, its message the code's meaning.
fn example(kind: &str, code: &Code) -> Value {
    let message = match code.code {
        "amount_too_small" => {
            "amount must be a positive integer number of minor units (at least 1)"
        }
        _ => code.meaning,
    };
    json!({"error": {
        "type": kind,
        "code": code.code,
        "message": message,
        "param": param_of(code.code),
        "request_id": REQUEST_ID,
    }})
}

/// The schema of a shared response's body: `{name}Error`, in `components.schemas`.
fn schema_name(response: &str) -> String {
    format!("{response}Error")
}

/// `components.schemas` for the shared error responses: per status, the `Error` envelope
/// narrowed to that status's type and codes. Named schemas rather than inline ones, so a client
/// generator makes one type per status, not one per operation and status.
pub(super) fn response_schemas() -> Map<String, Value> {
    let mut out = Map::new();
    for (status, name, _, _) in RESPONSES {
        let codes: Vec<&Code> = CODES.iter().filter(|c| c.status == *status).collect();
        let kinds = kinds_of(&codes);
        let kind = kinds.join("` or `");
        let schema = json!({
            "description": format!("The error envelope of a {status} answer."),
            "allOf": [
            {"$ref": "#/components/schemas/Error"},
            {
                "type": "object",
                "properties": {"error": {
                    "type": "object",
                    "description": format!("What went wrong (an `{kind}`)."),
                    // Narrows `type` and `code`; the other fields are as the `Error` schema
                    // (the first part of the `allOf`) says, named here so that no property of
                    // the envelope is left unevaluated.
                    "properties": {
                        "message": {"description": "As in `Error`."},
                        "param": {"description": "As in `Error`."},
                        "request_id": {"description": "As in `Error`."},
                        "type": {"type": "string", "enum": kinds, "description": format!("Always `{kind}` with this status.")},
                        "code": {
                            "type": "string",
                            "enum": codes.iter().map(|c| c.code).collect::<Vec<_>>(),
                            "description": "The codes this status comes with (see the response's description).",
                        },
                    },
                }},
            },
        ]});
        out.insert(schema_name(name), schema);
    }
    out
}

/// The error types `codes` come with, each once, in [`TYPES`] order.
fn kinds_of(codes: &[&Code]) -> Vec<&'static str> {
    TYPES
        .iter()
        .filter(|t| codes.iter().any(|c| c.kind == **t))
        .map(|t| t.as_str())
        .collect()
}

/// `components.responses`: one per status, its body a [`response_schemas`] schema, with an
/// example per code.
pub(super) fn responses() -> Map<String, Value> {
    let mut out = Map::new();
    for (status, name, summary, headers) in RESPONSES {
        let codes: Vec<&Code> = CODES.iter().filter(|c| c.status == *status).collect();
        let mut header_refs = Map::new();
        for h in ["Request-Id"].iter().chain(headers.iter()) {
            header_refs.insert(
                (*h).to_owned(),
                json!({"$ref": format!("#/components/headers/{}", h.replace('-', ""))}),
            );
        }
        let mut examples = Map::new();
        for c in &codes {
            examples.insert(
                c.code.to_owned(),
                json!({"summary": c.meaning, "value": example(c.kind.as_str(), c)}),
            );
        }
        let schema = json!({"$ref": format!("#/components/schemas/{}", schema_name(name))});
        out.insert(
            (*name).to_owned(),
            json!({
                "description": code_list(summary, codes.iter().copied()),
                "headers": header_refs,
                "content": {"application/json": {"schema": schema, "examples": examples}},
            }),
        );
    }
    out
}

/// Refs to the shared responses of `statuses`.
fn refs(statuses: &[u16]) -> BTreeMap<String, RefOr<Response>> {
    statuses
        .iter()
        .map(|s| {
            let reference = format!("#/components/responses/{}", response_name(*s));
            (s.to_string(), RefOr::Ref(Ref::new(reference)))
        })
        .collect()
}

macro_rules! error_set {
    ($(#[$doc:meta])* $name:ident = [$($status:literal),*]) => {
        $(#[$doc])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                refs(&[$($status),*])
            }
        }
    };
}

error_set!(
    /// Any operation: 400 for a bad `Anton-Version` or `Host` (checked before routing).
    Public = [400]
);
error_set!(
    /// An operation behind an API key: authentication, key limits and scopes, and the database
    /// being unavailable (also while the key is looked up).
    Authenticated = [400, 401, 403, 429, 500, 503]
);
error_set!(
    /// An operation that reads a request body.
    WithBody = [408, 413, 415]
);
error_set!(
    /// A mutation that takes an `Idempotency-Key`.
    Keyed = [409, 422]
);
error_set!(
    /// An operation without an `Idempotency-Key` that the state of an object can refuse (409).
    StateDependent = [409]
);
error_set!(
    /// An operation on one object named in its path.
    ById = [404]
);
error_set!(
    /// `GET /readyz`: the database does not answer.
    NotReady = [503]
);
