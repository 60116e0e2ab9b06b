//! List query parameters (docs/reference.md §2): `limit` (1..100, default 20), `starting_after` or
//! `ending_before`, `created[gte]`, `created[lt]`, plus per-resource filters. Unknown parameters
//! are refused, and
//! so is a filter value that no object could have (an unknown status or type, a malformed id):
//! 400 `parameter_invalid` naming the filter, on every list alike. A well-formed id that matches
//! nothing is an empty page.

use std::collections::HashMap;

use anton_core::time::Timestamp;
use anton_engine::validate::{ListQuery, Listing};
use serde::Serialize;

use crate::error::ApiError;

pub const LIMIT_DEFAULT: i64 = 20;
pub const LIMIT_MAX: i64 = 100;

/// Parsed common parameters; resource filters stay in `rest` for the handler.
pub struct ListParams {
    pub limit: i64,
    pub starting_after: Option<String>,
    pub ending_before: Option<String>,
    pub created_gte_us: Option<i64>,
    pub created_lt_us: Option<i64>,
    pub rest: HashMap<String, String>,
}

/// The latest unix seconds a time parameter may name: 9999-12-31T23:59:59Z, the last second an
/// RFC 3339 time can write.
pub const UNIX_SECONDS_MAX: i64 = 253_402_300_799;

/// An RFC 3339 time or unix seconds (query parameters, and `since`-style body fields), as unix
/// microseconds. Any time RFC 3339 can write is accepted, with any offset (a filter before the
/// first object or after the last is simply empty); unix seconds are digits only, 0 to
/// [`UNIX_SECONDS_MAX`].
pub fn parse_time(name: &str, v: &str) -> Result<i64, ApiError> {
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return unix_time(name, v.parse::<i64>().unwrap_or(i64::MAX));
    }
    Timestamp::parse_rfc3339(v)
        .map(Timestamp::unix_micros)
        .ok_or_else(|| {
            ApiError::invalid(
                "parameter_invalid",
                format!("{name} must be an RFC 3339 time or unix seconds"),
            )
            .with_param(name)
        })
}

/// Unix seconds `secs` as unix microseconds, refused outside 0 to [`UNIX_SECONDS_MAX`].
pub fn unix_time(name: &str, secs: i64) -> Result<i64, ApiError> {
    if (0..=UNIX_SECONDS_MAX).contains(&secs) {
        Ok(secs * 1_000_000)
    } else {
        Err(ApiError::invalid(
            "parameter_invalid",
            format!("{name} is out of range: unix seconds are 0 to {UNIX_SECONDS_MAX}"),
        )
        .with_param(name))
    }
}

/// The schema of a time parameter: an RFC 3339 date-time, or unix seconds as [`parse_time`]
/// takes them. `what` describes the parameter.
pub fn time_schema(what: &str) -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type};
    OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                .description(Some("An RFC 3339 time, any offset.")),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .minimum(Some(0))
                .maximum(Some(UNIX_SECONDS_MAX))
                .description(Some("Unix seconds (up to 9999-12-31T23:59:59Z).")),
        )
        .description(Some(format!(
            "{what}: an RFC 3339 time or unix seconds (`parameter_invalid` otherwise)."
        )))
        .into()
}

/// [`time_schema`] of `created[gte]`.
pub fn created_gte_schema() -> utoipa::openapi::Schema {
    time_schema("Only objects created at or after this time")
}

/// [`time_schema`] of `created[lt]`.
pub fn created_lt_schema() -> utoipa::openapi::Schema {
    time_schema("Only objects created before this time")
}

impl ListParams {
    /// `allowed`: the resource's own filter names.
    pub fn parse(mut q: HashMap<String, String>, allowed: &[&str]) -> Result<Self, ApiError> {
        let limit = match q.remove("limit") {
            None => LIMIT_DEFAULT,
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=LIMIT_MAX).contains(n))
                .ok_or_else(|| {
                    ApiError::invalid(
                        "parameter_invalid",
                        "limit must be an integer from 1 to 100",
                    )
                    .with_param("limit")
                })?,
        };
        let starting_after = q.remove("starting_after");
        let ending_before = q.remove("ending_before");
        let created_gte_us = q
            .remove("created[gte]")
            .map(|v| parse_time("created[gte]", &v))
            .transpose()?;
        let created_lt_us = q
            .remove("created[lt]")
            .map(|v| parse_time("created[lt]", &v))
            .transpose()?;
        if let Some(unknown) = q.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(ApiError::invalid(
                "parameter_unknown",
                format!("Unknown query parameter: {unknown}"),
            )
            .with_param(unknown.clone()));
        }
        Ok(Self {
            limit,
            starting_after,
            ending_before,
            created_gte_us,
            created_lt_us,
            rest: q,
        })
    }

    /// The resource filter `name`, parsed by `parse`; a value it refuses is a 400 saying what
    /// the filter takes (`expected`).
    pub fn filter<T>(
        &self,
        name: &'static str,
        expected: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, ApiError> {
        let Some(v) = self.rest.get(name) else {
            return Ok(None);
        };
        parse(v).map(Some).ok_or_else(|| {
            ApiError::invalid("parameter_invalid", format!("{name} must be {expected}."))
                .with_param(name)
        })
    }

    /// The common parameters as the engine takes them.
    pub fn query(&self) -> ListQuery {
        ListQuery {
            limit: self.limit,
            starting_after: self.starting_after.clone(),
            ending_before: self.ending_before.clone(),
            created_gte_us: self.created_gte_us,
            created_lt_us: self.created_lt_us,
        }
    }
}

/// "one of a, b, c": what an enumerated filter takes.
pub fn one_of(names: impl IntoIterator<Item = &'static str>) -> String {
    format!(
        "one of {}",
        names.into_iter().collect::<Vec<_>>().join(", ")
    )
}

/// `{"object":"list","data":[…],"has_more":…}`
#[derive(Serialize)]
pub struct ListOut<T: Serialize> {
    pub object: &'static str,
    pub data: Vec<T>,
    pub has_more: bool,
}

impl<T: Serialize> ListOut<T> {
    pub fn new(data: Vec<T>, has_more: bool) -> Self {
        Self {
            object: "list",
            data,
            has_more,
        }
    }

    /// A page of the engine's list, each item as `object` shows it.
    pub fn of<R>(listing: Listing<R>, object: impl FnMut(R) -> T) -> Self {
        let Listing { data, has_more } = listing.map(object);
        Self::new(data, has_more)
    }
}
