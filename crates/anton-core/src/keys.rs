//! API keys, environments and scopes (docs/reference.md §4).
//!
//! Format: `<sk|rk>_<test|live>_<32 random base62><6 base62 CRC32>`. The 32 random characters carry
//! about 190 bits; the trailing CRC32 of them lets a scanner tell a real key from noise without
//! asking the server ([`ApiKey::parse`] checks it). Only a keyed hash of the whole key is ever
//! stored.

use std::fmt;

use crate::crypto::KeyedHasher;

const RANDOM_LEN: usize = 32;
const CHECKSUM_LEN: usize = 6;
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Test and live are two fully separate worlds: keys, objects, events and balances never cross.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Environment {
    Test,
    Live,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Test => "test",
            Self::Live => "live",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "test" => Some(Self::Test),
            "live" => Some(Self::Live),
            _ => None,
        }
    }
    pub fn is_live(self) -> bool {
        self == Self::Live
    }
}

/// Secret keys carry every scope; restricted keys carry an explicit list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Secret,
    Restricted,
}

impl KeyKind {
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Secret => "sk",
            Self::Restricted => "rk",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Secret => "secret",
            Self::Restricted => "restricted",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "secret" => Some(Self::Secret),
            "restricted" => Some(Self::Restricted),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyFormatError {
    #[error("not an Anton API key")]
    Format,
    #[error("the key's checksum does not match")]
    Checksum,
}

/// A syntactically valid API key. `Debug` and `Display` show only the prefix and last four.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    text: String,
    kind: KeyKind,
    env: Environment,
}

fn crc_base62(random: &str) -> String {
    let mut n = crc32fast::hash(random.as_bytes());
    let mut out = [b'0'; CHECKSUM_LEN];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl ApiKey {
    pub fn generate(kind: KeyKind, env: Environment) -> Self {
        let random = crate::random_base62(RANDOM_LEN);
        let checksum = crc_base62(&random);
        Self {
            text: format!("{}_{}_{random}{checksum}", kind.prefix(), env.as_str()),
            kind,
            env,
        }
    }

    pub fn parse(s: &str) -> Result<Self, KeyFormatError> {
        let (kind, rest) = if let Some(r) = s.strip_prefix("sk_") {
            (KeyKind::Secret, r)
        } else if let Some(r) = s.strip_prefix("rk_") {
            (KeyKind::Restricted, r)
        } else {
            return Err(KeyFormatError::Format);
        };
        let (env, body) = if let Some(b) = rest.strip_prefix("test_") {
            (Environment::Test, b)
        } else if let Some(b) = rest.strip_prefix("live_") {
            (Environment::Live, b)
        } else {
            return Err(KeyFormatError::Format);
        };
        if body.len() != RANDOM_LEN + CHECKSUM_LEN
            || !body.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(KeyFormatError::Format);
        }
        let (random, checksum) = body.split_at(RANDOM_LEN);
        if crc_base62(random) != checksum {
            return Err(KeyFormatError::Checksum);
        }
        Ok(Self {
            text: s.to_owned(),
            kind,
            env,
        })
    }

    pub fn kind(&self) -> KeyKind {
        self.kind
    }
    pub fn env(&self) -> Environment {
        self.env
    }

    /// The full key. Call only to show it once at creation, or to send it in `Authorization`.
    pub fn expose_secret(&self) -> &str {
        &self.text
    }

    /// `sk_test_`, for display next to `last4`.
    pub fn display_prefix(&self) -> String {
        format!("{}_{}_", self.kind.prefix(), self.env.as_str())
    }

    pub fn last4(&self) -> &str {
        &self.text[self.text.len() - 4..]
    }

    /// The keyed hash under which the key is stored and looked up (hex HMAC-SHA256).
    pub fn hash(&self, hasher: &KeyedHasher) -> String {
        hasher.hash_hex(&[b"api_key", self.text.as_bytes()])
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({}…{})", self.display_prefix(), self.last4())
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}…{}", self.display_prefix(), self.last4())
    }
}

/// One permission. `write` implies `read` for the same resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    RecipientsRead,
    RecipientsWrite,
    PayoutsRead,
    PayoutsWrite,
    BalanceRead,
    EventsRead,
    WebhooksRead,
    WebhooksWrite,
    AlertsRead,
    AlertsWrite,
    RequestsRead,
    AuditLogRead,
    /// Approve or reject payouts held for review (four-eyes: never the payout's creator).
    /// **Opt-in**: a secret key does not carry it; only a restricted key given it does.
    PayoutsApprove,
    RiskRulesRead,
    /// Change the risk rules. **Opt-in**, like `payouts:approve`: a stolen standard key cannot
    /// lift the limits that watch it.
    RiskRulesWrite,
}

impl Scope {
    pub const ALL: [Scope; 15] = [
        Scope::RecipientsRead,
        Scope::RecipientsWrite,
        Scope::PayoutsRead,
        Scope::PayoutsWrite,
        Scope::BalanceRead,
        Scope::EventsRead,
        Scope::WebhooksRead,
        Scope::WebhooksWrite,
        Scope::AlertsRead,
        Scope::AlertsWrite,
        Scope::RequestsRead,
        Scope::AuditLogRead,
        Scope::PayoutsApprove,
        Scope::RiskRulesRead,
        Scope::RiskRulesWrite,
    ];

    /// Scopes granted only when asked for by name: a secret key (every standard scope) never
    /// carries them.
    pub const OPT_IN: [Scope; 2] = [Scope::PayoutsApprove, Scope::RiskRulesWrite];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RecipientsRead => "recipients:read",
            Self::RecipientsWrite => "recipients:write",
            Self::PayoutsRead => "payouts:read",
            Self::PayoutsWrite => "payouts:write",
            Self::BalanceRead => "balance:read",
            Self::EventsRead => "events:read",
            Self::WebhooksRead => "webhooks:read",
            Self::WebhooksWrite => "webhooks:write",
            Self::AlertsRead => "alerts:read",
            Self::AlertsWrite => "alerts:write",
            Self::RequestsRead => "requests:read",
            Self::AuditLogRead => "audit_log:read",
            Self::PayoutsApprove => "payouts:approve",
            Self::RiskRulesRead => "risk_rules:read",
            Self::RiskRulesWrite => "risk_rules:write",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|sc| sc.as_str() == s)
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// The scopes that, when held, also grant this one (`x:write` for `x:read`; a reviewer
    /// reads the payouts it decides on).
    fn implied_by(self) -> &'static [Scope] {
        match self {
            Self::RecipientsRead => &[Self::RecipientsWrite],
            Self::PayoutsRead => &[Self::PayoutsWrite, Self::PayoutsApprove],
            Self::WebhooksRead => &[Self::WebhooksWrite],
            Self::AlertsRead => &[Self::AlertsWrite],
            Self::RiskRulesRead => &[Self::RiskRulesWrite],
            _ => &[],
        }
    }
}

/// A set of scopes, stored as a space-separated list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScopeSet(u32);

impl ScopeSet {
    /// Every scope, the opt-in ones included (what `--scope` may name).
    pub fn all() -> Self {
        Self(Scope::ALL.iter().fold(0, |acc, s| acc | s.bit()))
    }

    /// What a secret key carries: every scope but the opt-in ones ([`Scope::OPT_IN`]).
    pub fn standard() -> Self {
        Self(
            Scope::ALL
                .iter()
                .filter(|s| !Scope::OPT_IN.contains(s))
                .fold(0, |acc, s| acc | s.bit()),
        )
    }

    pub fn from_scopes(scopes: impl IntoIterator<Item = Scope>) -> Self {
        Self(scopes.into_iter().fold(0, |acc, s| acc | s.bit()))
    }

    /// Parses `"payouts:read recipients:write"`; `Err` names the first unknown scope.
    pub fn parse_list<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut set = Self::default();
        for item in items {
            let s = Scope::parse(item).ok_or_else(|| item.to_owned())?;
            set.0 |= s.bit();
        }
        Ok(set)
    }

    pub fn grants(self, needed: Scope) -> bool {
        self.0 & needed.bit() != 0 || needed.implied_by().iter().any(|w| self.0 & w.bit() != 0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL
            .into_iter()
            .filter(move |s| self.0 & s.bit() != 0)
    }

    pub fn to_list_string(self) -> String {
        self.iter().map(Scope::as_str).collect::<Vec<_>>().join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse_and_carry_kind_and_environment() {
        let k = ApiKey::generate(KeyKind::Restricted, Environment::Live);
        assert!(k.expose_secret().starts_with("rk_live_"));
        let parsed = ApiKey::parse(k.expose_secret()).unwrap();
        assert_eq!(parsed.kind(), KeyKind::Restricted);
        assert_eq!(parsed.env(), Environment::Live);
    }

    #[test]
    fn a_key_with_a_wrong_checksum_is_refused() {
        let k = ApiKey::generate(KeyKind::Secret, Environment::Test);
        let mut text = k.expose_secret().to_owned();
        let i = 10;
        let c = if &text[i..=i] == "a" { "b" } else { "a" };
        text.replace_range(i..=i, c);
        assert_eq!(ApiKey::parse(&text), Err(KeyFormatError::Checksum));
        assert_eq!(ApiKey::parse("sk_test_short"), Err(KeyFormatError::Format));
    }

    #[test]
    fn debug_and_display_never_show_the_key() {
        let k = ApiKey::generate(KeyKind::Secret, Environment::Test);
        let secret_part = &k.expose_secret()[8..30];
        assert!(!format!("{k:?}").contains(secret_part));
        assert!(!format!("{k}").contains(secret_part));
    }

    #[test]
    fn write_implies_read_but_not_the_reverse() {
        let s = ScopeSet::parse_list(["payouts:write"]).unwrap();
        assert!(s.grants(Scope::PayoutsRead));
        assert!(s.grants(Scope::PayoutsWrite));
        let r = ScopeSet::parse_list(["payouts:read"]).unwrap();
        assert!(!r.grants(Scope::PayoutsWrite));
        assert!(!r.grants(Scope::RecipientsRead));
        assert_eq!(
            ScopeSet::parse_list(["payouts:admin"]),
            Err("payouts:admin".into())
        );
    }
}
