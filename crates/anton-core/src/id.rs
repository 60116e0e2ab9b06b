//! Prefixed, random object ids. Each object kind has its own type, so a `PayoutId` can never be used
//! where a `RecipientId` is expected, and parsing an id with the wrong prefix fails before any lookup.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A generated id's body: 8 base62 characters of milliseconds since the unix epoch, then 16
/// random base62 characters (about 95 bits). The time prefix makes new ids of a kind sort
/// together, so index inserts append to the same few B-tree pages instead of dirtying a random
/// page per row (measured: the largest write cost of a payout batch). The random part keeps ids
/// unguessable; the creation time they reveal is public in the object anyway.
const TIME_LEN: usize = 8;
const RANDOM_LEN: usize = 16;
/// Longest random part accepted when parsing, so a hostile id cannot make a query key huge.
const RANDOM_LEN_MAX: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {kind} id")]
pub struct IdError {
    pub kind: &'static str,
}

/// Milliseconds since the epoch as 8 base62 digits (sortable: fixed width, `0-9A-Za-z` order).
fn time_prefix() -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let mut out = [b'0'; TIME_LEN];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(ms % 62) as usize];
        ms /= 62;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The milliseconds in a generated body's time prefix (see [`time_prefix`]).
fn generated_unix_ms(body: &str) -> Option<u64> {
    body.get(..TIME_LEN)?.bytes().try_fold(0u64, |ms, c| {
        let digit = match c {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'Z' => c - b'A' + 10,
            b'a'..=b'z' => c - b'a' + 36,
            _ => return None,
        };
        ms.checked_mul(62)?.checked_add(u64::from(digit))
    })
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
                Self(format!("{}_{}{}", $prefix, time_prefix(), crate::random_base62(RANDOM_LEN)))
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

            /// When the id was generated (unix milliseconds, from its time prefix), or `None`
            /// for an id without one.
            pub fn generated_unix_ms(&self) -> Option<u64> {
                self.0.get($prefix.len() + 1..).and_then(generated_unix_ms)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
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
/// Whether `s` is a well-formed id of an object events are about (a recipient, payout, webhook
/// endpoint, delivery or alert).
pub fn is_object_id(s: &str) -> bool {
    RecipientId::parse(s).is_ok()
        || PayoutId::parse(s).is_ok()
        || WebhookEndpointId::parse(s).is_ok()
        || DeliveryId::parse(s).is_ok()
        || AlertId::parse(s).is_ok()
}

define_id!(RecipientId, "rcp", "recipient");
define_id!(PayoutId, "po", "payout");
define_id!(EventId, "evt", "event");
define_id!(WebhookEndpointId, "we", "webhook endpoint");
define_id!(DeliveryId, "del", "delivery");
define_id!(AlertId, "alr", "alert");
define_id!(KeyId, "key", "API key");
define_id!(RequestId, "req", "request");
define_id!(
    /// One entry of a merchant's audit log.
    AuditEntryId, "aud", "audit entry");
define_id!(
    /// One balanced ledger posting, shown as a balance transaction.
    BalanceTransactionId, "txn", "balance transaction");
define_id!(
    /// A person on a merchant's team, who signs in to the portal.
    MemberId, "mbr", "member");
define_id!(
    /// An invitation to join a merchant's team (its link carries a secret token, not this id).
    InvitationId, "inv", "invitation");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_id_tells_when_it_was_made() {
        let now = || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis() as u64
        };
        let before = now();
        let id = EventId::generate();
        let after = now();
        let at = id.generated_unix_ms().unwrap();
        assert!((before..=after).contains(&at), "{before} {at} {after}");
        assert_eq!(
            EventId::parse("evt_!!!!!!!!abc")
                .ok()
                .and_then(|i| i.generated_unix_ms()),
            None
        );
    }

    #[test]
    fn generated_ids_round_trip_and_carry_their_prefix() {
        let id = PayoutId::generate();
        assert!(id.as_str().starts_with("po_"));
        assert_eq!(PayoutId::parse(id.as_str()).unwrap(), id);
    }

    #[test]
    fn ids_generated_later_sort_after_earlier_ones() {
        let a = EventId::generate();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = EventId::generate();
        assert!(a.as_str()[..12] < b.as_str()[..12], "{a} {b}");
        assert_eq!(a.as_str().len(), "evt_".len() + 24);
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
