//! Prefixed, random object ids. Each object kind has its own type, so a `PayoutId` can never be used
//! where a `RecipientId` is expected, and parsing an id with the wrong prefix fails before any lookup.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Length of the random part of a generated id: 24 base62 characters, about 142 bits.
const RANDOM_LEN: usize = 24;
/// Longest random part accepted when parsing, so a hostile id cannot make a query key huge.
const RANDOM_LEN_MAX: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {kind} id")]
pub struct IdError {
    pub kind: &'static str,
}

macro_rules! define_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;
            pub const KIND: &'static str = $kind;

            pub fn generate() -> Self {
                Self(format!("{}_{}", $prefix, crate::random_base62(RANDOM_LEN)))
            }

            pub fn parse(s: &str) -> Result<Self, IdError> {
                let rest = s
                    .strip_prefix($prefix)
                    .and_then(|r| r.strip_prefix('_'))
                    .ok_or(IdError { kind: $kind })?;
                if rest.is_empty()
                    || rest.len() > RANDOM_LEN_MAX
                    || !rest.bytes().all(|b| b.is_ascii_alphanumeric())
                {
                    return Err(IdError { kind: $kind });
                }
                Ok(Self(s.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::parse(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

define_id!(
    /// A merchant (a business using Anton).
    MerchantId, "mer", "merchant");
define_id!(RecipientId, "rcp", "recipient");
define_id!(PayoutId, "po", "payout");
define_id!(EventId, "evt", "event");
define_id!(WebhookEndpointId, "we", "webhook endpoint");
define_id!(DeliveryId, "del", "delivery");
define_id!(AlertId, "alr", "alert");
define_id!(KeyId, "key", "API key");
define_id!(RequestId, "req", "request");
define_id!(
    /// One balanced ledger posting, shown as a balance transaction.
    BalanceTransactionId, "txn", "balance transaction");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_round_trip_and_carry_their_prefix() {
        let id = PayoutId::generate();
        assert!(id.as_str().starts_with("po_"));
        assert_eq!(PayoutId::parse(id.as_str()).unwrap(), id);
    }

    #[test]
    fn an_id_with_another_kinds_prefix_is_refused() {
        let rcp = RecipientId::generate();
        assert!(PayoutId::parse(rcp.as_str()).is_err());
        assert!(PayoutId::parse("po_").is_err());
        assert!(PayoutId::parse("po_abc-def").is_err());
        assert!(PayoutId::parse("pox_abc").is_err());
        assert!(PayoutId::parse(&format!("po_{}", "a".repeat(65))).is_err());
    }
}
