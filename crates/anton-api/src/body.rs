//! Request bodies: at most 64 KiB (413 beyond), read within the listener's body timeout (408),
//! JSON only — a body needs `Content-Type: application/json`, in UTF-8 if a charset is named
//! (415 otherwise) — unknown fields and keys given twice at any depth rejected, and every parse
//! error turned into a 400 that names the offending field.

use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde::de::{DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde::Deserializer;

use crate::error::{ApiError, ErrorType};

pub const BODY_BYTES_MAX: usize = 64 * 1024;

/// How long a request's body may take to arrive, set by the listener on each request; without
/// one, [`BODY_TIMEOUT_DEFAULT`].
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub Duration);

pub const BODY_TIMEOUT_DEFAULT: Duration = Duration::from_secs(30);

/// The raw request body, size-checked. Kept raw because idempotency fingerprints the exact bytes.
pub struct RawBody(pub Bytes);

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorType::InvalidRequest,
        "body_too_large",
        format!("Request bodies are limited to {BODY_BYTES_MAX} bytes."),
    )
}

fn unsupported_media_type() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorType::InvalidRequest,
        "unsupported_content_type",
        "Request bodies must be JSON in UTF-8 (Content-Type: application/json).",
    )
}

/// Whether a `Content-Type` names JSON in UTF-8: `application/json`, with no `charset` parameter
/// or `charset=utf-8`.
fn is_json_utf8(content_type: &str) -> bool {
    let mut parts = content_type.split(';');
    let mime = parts.next().unwrap_or("").trim();
    if !mime.eq_ignore_ascii_case("application/json") {
        return false;
    }
    parts.all(|param| match param.split_once('=') {
        Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
            value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        }
        _ => true,
    })
}

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > BODY_BYTES_MAX as u64) {
            return Err(too_large());
        }
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().is_ok_and(is_json_utf8));
        let timeout = req
            .extensions()
            .get::<BodyTimeout>()
            .map_or(BODY_TIMEOUT_DEFAULT, |t| t.0);
        let read = axum::body::to_bytes(req.into_body(), BODY_BYTES_MAX);
        let bytes = match tokio::time::timeout(timeout, read).await {
            Ok(read) => read.map_err(|_| too_large())?,
            Err(_) => {
                return Err(ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    ErrorType::InvalidRequest,
                    "body_timeout",
                    "The request body did not arrive in time.",
                ))
            }
        };
        if !bytes.is_empty() && json != Some(true) {
            return Err(unsupported_media_type());
        }
        Ok(Self(bytes))
    }
}

/// The body of an action that takes no parameters: `{}` or empty, nothing else.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmptyIn {}

/// Parses a JSON body into `T` (whose serde derive denies unknown fields). An empty body parses as
/// `{}` so POSTs without parameters need no body; a body of whitespace alone is not JSON and is
/// refused as malformed, like any other. The body must be an object: serde's derive
/// would also read a struct from an array of its fields in order (`[null, null]`), which no
/// client means.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let bytes: &[u8] = if bytes.is_empty() { b"{}" } else { bytes };
    no_duplicate_keys(bytes)?;
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        // Malformed JSON is reported as such by the typed parse below.
        if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() {
            return Err(ApiError::invalid(
                "parameter_invalid",
                "The body must be a JSON object.",
            ));
        }
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize(de) {
        Ok(parsed) => Ok(parsed),
        // A number written as a float where an integer is expected (`2500.0`), which JSON Schema
        // counts as the integer: read again with such numbers rewritten. Only after a refusal,
        // so a well-formed request is parsed once.
        Err(first) if !first.inner().is_syntax() && !first.inner().is_eof() => {
            // Malformed JSON further on, or no such number: the first refusal stands.
            let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
                return Err(refusal(first));
            };
            if !integral_numbers(&mut value) {
                return Err(refusal(first));
            }
            serde_path_to_error::deserialize(value).map_err(refusal)
        }
        Err(e) => Err(refusal(e)),
    }
}

/// For a field whose type serde would also read from an array (an internally tagged enum, a
/// struct): accepts only a JSON object, as the documented schema says
/// (`#[serde(deserialize_with = "crate::body::object")]`).
pub fn object<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<T, D::Error> {
    use serde::de::{Error, Unexpected};
    use serde::Deserialize;
    let value = serde_json::Value::deserialize(d)?;
    let unexpected = match &value {
        serde_json::Value::Object(_) => return T::deserialize(value).map_err(D::Error::custom),
        serde_json::Value::Array(_) => Unexpected::Seq,
        serde_json::Value::String(_) => Unexpected::Other("string"),
        serde_json::Value::Number(_) => Unexpected::Other("number"),
        serde_json::Value::Bool(_) => Unexpected::Other("boolean"),
        serde_json::Value::Null => Unexpected::Unit,
    };
    Err(D::Error::invalid_type(unexpected, &"an object"))
}

/// [`object`] for an optional field: `null` reads as `None` (with `#[serde(default)]` for an
/// absent one).
pub fn optional_object<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    use serde::Deserialize;
    match Option::<serde_json::Value>::deserialize(d)? {
        None => Ok(None),
        Some(value) => object(value).map(Some).map_err(serde::de::Error::custom),
    }
}

/// A body the typed parse refused, as the error envelope naming the parameter at fault.
fn refusal(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    let message = inner.to_string();
    let (code, msg) = if inner.is_syntax() || inner.is_eof() {
        (
            "invalid_json",
            format!("The body is not valid JSON: {message}"),
        )
    } else if message.starts_with("unknown field") {
        ("parameter_unknown", format!("Unknown parameter: {message}"))
    } else if message.starts_with("missing field") {
        ("parameter_missing", format!("Missing parameter: {message}"))
    } else {
        (
            "parameter_invalid",
            format!("Invalid parameter: {}", without_value(&message)),
        )
    };
    let mut err = ApiError::invalid(code, msg);
    if path != "." {
        err = err.with_param(path);
    }
    err
}

/// Rewrites every number with no fractional part that is written as a float (`2500.0`, `1e3`)
/// as the integer it is, as JSON Schema counts it (an `integer`); `true` when it rewrote any.
/// Amounts stay exact: a number with a fraction, or beyond the 64-bit range, is left as it is
/// and refused by the typed parse.
pub(crate) fn integral_numbers(value: &mut serde_json::Value) -> bool {
    // 2^63 as an f64: the first float past i64::MAX.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    match value {
        serde_json::Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64() {
                if f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f) {
                    #[expect(clippy::cast_possible_truncation, reason = "integral and in range")]
                    let i = f as i64;
                    *n = i.into();
                    return true;
                }
            }
            false
        }
        // `fold`, not `any`: every number is rewritten, not only the first.
        serde_json::Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, v| integral_numbers(v) | changed),
        serde_json::Value::Object(fields) => fields
            .values_mut()
            .fold(false, |changed, v| integral_numbers(v) | changed),
        _ => false,
    }
}

/// Refuses a body that gives one key twice in an object at any depth (a parser would keep one
/// value silently — which one differs between parsers).
fn no_duplicate_keys(bytes: &[u8]) -> Result<(), ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, Unique>(de) {
        Ok(_) => Ok(()),
        Err(e) if e.inner().to_string().starts_with(DUPLICATE) => {
            let path = e.path().to_string();
            let mut err = ApiError::invalid(
                "parameter_duplicated",
                "A key is given twice in one object.",
            );
            if path != "." {
                err = err.with_param(path);
            }
            Err(err)
        }
        // Malformed JSON: the typed parse reports it, naming what it expected.
        Err(_) => Ok(()),
    }
}

const DUPLICATE: &str = "duplicate key";

/// Any JSON value whose objects give each key once.
struct Unique;

impl<'de> serde::Deserialize<'de> for Unique {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueVisitor)
    }
}

struct UniqueVisitor;

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Unique;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Unique, A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key) {
                return Err(serde::de::Error::custom(DUPLICATE));
            }
            map.next_value::<Unique>()?;
        }
        Ok(Unique)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Unique, A::Error> {
        while seq.next_element::<Unique>()?.is_some() {}
        Ok(Unique)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_str<E>(self, _: &str) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_unit<E>(self) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_none<E>(self) -> Result<Unique, E> {
        Ok(Unique)
    }
}

/// serde's "invalid type: integer `123456789`, expected a string" echoes the value the client
/// sent — which may be an account number. Keep only what was expected.
fn without_value(message: &str) -> String {
    let head = message.split(" at line ").next().unwrap_or(message);
    match head.split_once(", expected ") {
        Some((_, expected)) if head.starts_with("invalid ") => format!("expected {expected}"),
        _ if head.starts_with("invalid ") => {
            "the value has the wrong type or is out of range".into()
        }
        _ => head.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "the field exists to be parsed")]
    struct T {
        account_number: String,
    }

    #[test]
    fn an_integral_number_written_as_a_float_reads_as_the_integer_and_a_fraction_is_refused() {
        #[derive(Debug, serde::Deserialize)]
        struct Amount {
            amount: i64,
            nested: Vec<i64>,
        }
        let a: Amount = parse_json(br#"{"amount": 2500.0, "nested": [1e3, -0.0, 7]}"#).unwrap();
        assert_eq!((a.amount, a.nested), (2500, vec![1000, 0, 7]));
        for body in [
            &br#"{"amount": 2500.5, "nested": []}"#[..],
            br#"{"amount": 1e19, "nested": []}"#,
            br#"{"amount": 99999999999999999999999, "nested": []}"#,
        ] {
            let err = parse_json::<Amount>(body).unwrap_err();
            assert_eq!(
                err.code,
                "parameter_invalid",
                "{}",
                String::from_utf8_lossy(body)
            );
            assert_eq!(err.param.as_deref(), Some("amount"));
        }
    }

    #[test]
    fn a_key_given_twice_is_refused_at_any_depth() {
        let err = parse_json::<serde_json::Value>(br#"{"a": {"k": "1", "k": "2"}}"#).unwrap_err();
        assert_eq!(err.code, "parameter_duplicated");
        assert_eq!(err.param.as_deref(), Some("a"));
        let err = parse_json::<serde_json::Value>(br#"{"a": [{"x": 1, "x": 1}]}"#).unwrap_err();
        assert_eq!(err.param.as_deref(), Some("a[0]"));
        assert!(parse_json::<serde_json::Value>(br#"{"a": {"k": 1}, "b": {"k": 2}}"#).is_ok());
    }

    #[test]
    fn only_json_in_utf8_is_a_json_content_type() {
        for ok in [
            "application/json",
            "Application/JSON; charset=UTF-8",
            "application/json; charset=\"utf-8\"",
        ] {
            assert!(is_json_utf8(ok), "{ok}");
        }
        for bad in [
            "text/plain",
            "application/json; charset=utf-16",
            "application/jsonx",
        ] {
            assert!(!is_json_utf8(bad), "{bad}");
        }
    }

    #[test]
    fn a_struct_is_read_from_an_object_only() {
        #[derive(Debug, serde::Deserialize)]
        #[expect(dead_code, reason = "the fields exist to be parsed")]
        struct Patch {
            description: Option<String>,
            metadata: Option<String>,
        }
        #[derive(Debug, serde::Deserialize)]
        #[serde(tag = "type", rename_all = "snake_case")]
        #[expect(dead_code, reason = "the fields exist to be parsed")]
        enum Kind {
            Iban { iban: String },
        }
        #[derive(Debug, serde::Deserialize)]
        #[expect(dead_code, reason = "the field exists to be parsed")]
        struct Outer {
            #[serde(deserialize_with = "object")]
            kind: Kind,
        }
        for body in [&b"[null, null]"[..], b" []", b"null", b"\"x\"", b"1"] {
            let err = parse_json::<Patch>(body).unwrap_err();
            assert_eq!(
                err.code,
                "parameter_invalid",
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        assert_eq!(
            parse_json::<Patch>(b"[nul").unwrap_err().code,
            "invalid_json"
        );
        assert!(parse_json::<Patch>(b" {}").is_ok());
        let err = parse_json::<Outer>(br#"{"kind": ["iban", "DE89370400440532013000"]}"#);
        let err = err.unwrap_err();
        assert_eq!(
            (err.code, err.param.as_deref()),
            ("parameter_invalid", Some("kind"))
        );
        assert!(
            err.message.contains("expected an object"),
            "{}",
            err.message
        );
        assert!(parse_json::<Outer>(br#"{"kind": {"type": "iban", "iban": "x"}}"#).is_ok());
    }

    #[test]
    fn a_wrongly_typed_value_is_not_echoed_back() {
        let err = parse_json::<T>(br#"{"account_number": 123456789012}"#).unwrap_err();
        assert!(!err.message.contains("123456789012"), "{}", err.message);
        assert_eq!(err.param.as_deref(), Some("account_number"));
        assert_eq!(err.code, "parameter_invalid");
    }
}
