//! Timestamps. Stored as unix microseconds (`i64`) so both databases order and compare them the
//! same way; rendered as RFC 3339 UTC with second precision in JSON (docs/reference.md §2).

use time::{format_description::well_known::Rfc3339, OffsetDateTime};

/// Unix time in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_unix_micros(us: i64) -> Self {
        Self(us)
    }

    pub fn from_offset_date_time(t: OffsetDateTime) -> Self {
        let us = t.unix_timestamp_nanos() / 1_000;
        Self(i64::try_from(us).unwrap_or(i64::MAX))
    }

    pub fn unix_micros(self) -> i64 {
        self.0
    }

    pub fn unix_seconds(self) -> i64 {
        self.0.div_euclid(1_000_000)
    }

    pub fn plus_micros(self, us: i64) -> Self {
        Self(self.0.saturating_add(us))
    }

    /// RFC 3339, UTC, whole seconds: `2026-11-28T12:00:00Z`.
    pub fn to_rfc3339(self) -> String {
        let t = OffsetDateTime::from_unix_timestamp(self.unix_seconds())
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        t.format(&Rfc3339)
            .unwrap_or_else(|_| String::from("1970-01-01T00:00:00Z"))
    }

    pub fn parse_rfc3339(s: &str) -> Option<Self> {
        OffsetDateTime::parse(s, &Rfc3339)
            .ok()
            .map(Self::from_offset_date_time)
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_rfc3339_utc_seconds() {
        let t = Timestamp::from_unix_micros(1_764_331_200_123_456);
        assert_eq!(t.to_rfc3339(), "2025-11-28T12:00:00Z");
        assert_eq!(
            Timestamp::parse_rfc3339("2025-11-28T12:00:00Z").map(|t| t.unix_seconds()),
            Some(1_764_331_200)
        );
    }
}
