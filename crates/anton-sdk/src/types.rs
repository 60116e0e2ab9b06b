//! The API's objects (responses) and parameters (requests), as typed Rust values.
//!
//! Objects accept fields they do not know (a newer server may add some); parameters serialize
//! only what is set. Times are [`OffsetDateTime`] (RFC 3339 on the wire), money is integer minor
//! units (`amount: 1250` is 12.50), and a full bank account number exists only in the parameters
//! that create or change a recipient — its `Debug` output shows the last four digits only.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

/// Free-form key/value pairs stored with an object (at most 20 keys; keys ≤ 40 and values ≤ 500
/// characters).
pub type Metadata = BTreeMap<String, String>;

/// One page of a list: `data` newest first; `has_more` when another page follows.
#[derive(Debug, Clone, Deserialize)]
pub struct List<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub has_more: bool,
}

/// Objects with an id: what pagination continues after.
pub trait HasId {
    fn id(&self) -> &str;
}

macro_rules! has_id {
    ($($t:ty),*) => {
        $(impl HasId for $t {
            fn id(&self) -> &str {
                &self.id
            }
        })*
    };
}

has_id!(
    Recipient,
    Payout,
    BalanceTransaction,
    Event,
    WebhookEndpoint,
    Delivery,
    RequestLogEntry,
    AuditEntry,
    Alert
);

mod monitoring;
mod risk;

// ---------------------------------------------------------------------------------------------
// Recipients

/// A recipient: a name and one bank account (shown by `last4` and `fingerprint`, never in full).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Recipient {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    pub bank_account: BankAccount,
    #[serde(default)]
    pub metadata: Metadata,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    pub livemode: bool,
}

/// A bank account as the API shows it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct BankAccount {
    /// `us_ach`, `iban` or `gb_fps`.
    #[serde(rename = "type")]
    pub kind: String,
    pub country: String,
    pub currency: String,
    #[serde(default)]
    pub bank_code: Option<String>,
    #[serde(default)]
    pub account_type: Option<String>,
    pub last4: String,
    /// Stable per merchant for the same account: finds duplicates without the number.
    pub fingerprint: String,
}

/// A bank account to pay into. `Debug` shows only the last four digits of the number.
#[derive(Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BankAccountDetails {
    /// US ACH: ABA routing number (checksummed), 4–17 digit account number.
    UsAch {
        routing_number: String,
        account_number: String,
        account_type: AccountType,
    },
    /// SEPA: an IBAN (print or electronic form) and an optional BIC.
    Iban {
        iban: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        bic: Option<String>,
    },
    /// UK Faster Payments: sort code and 8-digit account number.
    GbFps {
        sort_code: String,
        account_number: String,
    },
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AccountType {
    Checking,
    Savings,
}

fn last4(s: &str) -> String {
    let chars: Vec<char> = s.chars().filter(char::is_ascii_alphanumeric).collect();
    let start = chars.len().saturating_sub(4);
    format!("…{}", chars[start..].iter().collect::<String>())
}

impl fmt::Debug for BankAccountDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UsAch {
                routing_number,
                account_number,
                account_type,
            } => f
                .debug_struct("UsAch")
                .field("routing_number", routing_number)
                .field("account_number", &last4(account_number))
                .field("account_type", account_type)
                .finish(),
            Self::Iban { iban, bic } => f
                .debug_struct("Iban")
                .field("iban", &last4(iban))
                .field("bic", bic)
                .finish(),
            Self::GbFps {
                sort_code,
                account_number,
            } => f
                .debug_struct("GbFps")
                .field("sort_code", sort_code)
                .field("account_number", &last4(account_number))
                .finish(),
        }
    }
}

/// `POST /v1/recipients`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NewRecipient {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub bank_account: BankAccountDetails,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: Metadata,
}

impl NewRecipient {
    pub fn new(name: impl Into<String>, bank_account: BankAccountDetails) -> Self {
        Self {
            name: name.into(),
            email: None,
            bank_account,
            metadata: Metadata::new(),
        }
    }
}

/// `PATCH /v1/recipients/{id}`: only the fields set are changed.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct RecipientUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `Some(None)` clears the email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_account: Option<BankAccountDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// The answer to a delete.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Deleted {
    pub id: String,
    pub deleted: bool,
}

// ---------------------------------------------------------------------------------------------
// Payouts

/// Where a payout is in its lifecycle (docs/reference.md §3). The wire form, apart from
/// `anton_core::payout::PayoutStatus` (the server's state machine) on purpose: a client must read
/// statuses a newer server adds (`Unknown`) instead of failing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PayoutStatus {
    Pending,
    RequiresReview,
    Processing,
    Paid,
    Failed,
    Canceled,
    Returned,
    /// A status this SDK version does not know yet.
    #[serde(other)]
    Unknown,
}

impl PayoutStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::RequiresReview => "requires_review",
            Self::Processing => "processing",
            Self::Paid => "paid",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
            Self::Returned => "returned",
            Self::Unknown => "unknown",
        }
    }

    /// No further transition will happen (returned may still follow paid).
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Failed | Self::Canceled | Self::Returned)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Payout {
    pub id: String,
    /// Minor units.
    pub amount: i64,
    pub currency: String,
    pub recipient: String,
    pub status: PayoutStatus,
    #[serde(default)]
    pub failure_code: Option<String>,
    #[serde(default)]
    pub failure_message: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub metadata: Metadata,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated: OffsetDateTime,
    #[serde(default)]
    pub arrival_date: Option<String>,
    pub livemode: bool,
    /// Set when a risk rule held the payout for review.
    #[serde(default)]
    pub review: Option<PayoutReview>,
    /// The risk assessment made at creation (`None` for payouts from before Anton assessed
    /// risk).
    #[serde(default)]
    pub risk: Option<RiskAssessment>,
}

/// `PATCH /v1/payouts/{id}`: only the fields set are changed (in any status).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct PayoutUpdate {
    /// `Some(None)` clears the description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Option<String>>,
    /// Replaces the whole metadata object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// `POST /v1/payouts`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NewPayout {
    /// Minor units, positive.
    pub amount: i64,
    /// `USD`, `EUR` or `GBP`: the recipient account's currency.
    pub currency: String,
    pub recipient: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: Metadata,
}

impl NewPayout {
    pub fn new(amount: i64, currency: impl Into<String>, recipient: impl Into<String>) -> Self {
        Self {
            amount,
            currency: currency.into(),
            recipient: recipient.into(),
            description: None,
            metadata: Metadata::new(),
        }
    }
}

/// Why a simulated payout fails (`test_helpers().fail_payout`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureCode {
    AccountClosed,
    NoAccount,
    InvalidAccountNumber,
    Declined,
}

// ---------------------------------------------------------------------------------------------
// Balance

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Balance {
    pub livemode: bool,
    pub available: Vec<BalanceAmount>,
    pub in_flight: Vec<BalanceAmount>,
}

impl Balance {
    /// The available amount in `currency` (0 when none).
    pub fn available_in(&self, currency: &str) -> i64 {
        self.available
            .iter()
            .filter(|a| a.currency.eq_ignore_ascii_case(currency))
            .map(|a| a.amount)
            .sum()
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct BalanceAmount {
    pub currency: String,
    pub amount: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct BalanceTransaction {
    pub id: String,
    /// `funding`, `payout`, `payout_paid`, `payout_release`, `payout_return`.
    #[serde(rename = "type")]
    pub kind: String,
    pub amount: i64,
    pub currency: String,
    pub debit: String,
    pub credit: String,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    pub livemode: bool,
}

// ---------------------------------------------------------------------------------------------
// Events

/// An event: something that happened to an object, with the object's full state at that time.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Event {
    pub id: String,
    /// Always `event`.
    #[serde(default = "event_object")]
    pub object: String,
    /// `payout.paid`, `recipient.updated`, … (see [`Event::event_type`]).
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    pub livemode: bool,
    #[serde(default)]
    pub api_version: Option<String>,
    pub data: EventData,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct EventData {
    /// The object (payout, recipient, webhook endpoint, delivery, …) as it was after the change.
    pub object: Value,
    /// For `*.updated`: the changed fields' previous values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_attributes: Option<Value>,
}

fn event_object() -> String {
    "event".into()
}

pub use anton_core::event::EventType;

impl Event {
    /// The event's type, or `None` for a type this SDK version does not know yet (handle those by
    /// acknowledging them: a newer server may send new types to a `["*"]` endpoint).
    pub fn event_type(&self) -> Option<EventType> {
        EventType::parse(&self.kind)
    }

    /// The event's object as `T`, e.g. `event.object::<Payout>()`.
    pub fn object<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.data.object)
    }

    /// The payout, for `payout.*` events.
    pub fn payout(&self) -> Option<Payout> {
        (self.data.object["object"] == "payout")
            .then(|| self.object().ok())
            .flatten()
    }

    /// The recipient, for `recipient.*` events.
    pub fn recipient(&self) -> Option<Recipient> {
        (self.data.object["object"] == "recipient")
            .then(|| self.object().ok())
            .flatten()
    }
}

// ---------------------------------------------------------------------------------------------
// Webhook endpoints

#[derive(Clone, Deserialize, Serialize, PartialEq)]
pub struct WebhookEndpoint {
    pub id: String,
    pub url: String,
    pub enabled_events: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// `enabled` or `disabled`.
    pub status: String,
    /// The signing secret: only in the response that created it (creation, rotation). Store it
    /// where your receiver reads its configuration; it is never shown again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// `hmac_sha256` or `ed25519`.
    #[serde(default = "hmac_sha256")]
    pub signature_scheme: String,
    /// For an `ed25519` endpoint: the public key to verify its deliveries with (`whpk_…`; give
    /// it to [`crate::Webhook::new`]). Not secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    pub livemode: bool,
}

fn hmac_sha256() -> String {
    "hmac_sha256".to_owned()
}

impl fmt::Debug for WebhookEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookEndpoint")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("enabled_events", &self.enabled_events)
            .field("description", &self.description)
            .field("status", &self.status)
            .field("secret", &self.secret.as_ref().map(|_| "[REDACTED]"))
            .field("signature_scheme", &self.signature_scheme)
            .field("public_key", &self.public_key)
            .field("created", &self.created)
            .field("livemode", &self.livemode)
            .finish()
    }
}

/// `POST /v1/webhook_endpoints`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NewWebhookEndpoint {
    pub url: String,
    /// Event types, or `["*"]` for all.
    pub enabled_events: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `hmac_sha256` (default) or `ed25519` (see [`NewWebhookEndpoint::ed25519`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_scheme: Option<String>,
}

impl NewWebhookEndpoint {
    pub fn new(url: impl Into<String>, events: &[&str]) -> Self {
        Self {
            url: url.into(),
            enabled_events: events.iter().map(|e| (*e).to_owned()).collect(),
            description: None,
            signature_scheme: None,
        }
    }

    /// Signed with an Ed25519 key pair instead of a shared secret: the endpoint's answer carries
    /// its public key (`public_key`), and nothing secret is ever on your side.
    pub fn ed25519(mut self) -> Self {
        self.signature_scheme = Some("ed25519".to_owned());
        self
    }
}

/// `PATCH /v1/webhook_endpoints/{id}`.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct WebhookEndpointUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled_events: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `enabled` or `disabled`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// One event's delivery to one endpoint, with every attempt.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Delivery {
    pub id: String,
    pub endpoint: String,
    pub event: String,
    pub event_type: String,
    /// `pending`, `retrying`, `succeeded`, `exhausted` or `canceled`.
    pub status: String,
    pub attempts: i64,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub next_attempt: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    pub attempt_log: Vec<Attempt>,
    pub livemode: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Attempt {
    pub attempt: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub started: OffsetDateTime,
    pub latency_ms: i64,
    #[serde(default)]
    pub status_code: Option<i64>,
    #[serde(default)]
    pub response_body: Option<String>,
    /// `timeout`, `connect`, `refused_destination`, `http_status`, …
    #[serde(default)]
    pub error_class: Option<String>,
}

/// The answer to `recover`: how many deliveries were scheduled now.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Recovery {
    pub deliveries: u64,
}

/// One entry of `GET /v1/event_types`: an event type an endpoint may subscribe to.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct EventTypeInfo {
    /// `payout.paid`, `recipient.updated`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// What happened.
    pub description: String,
    /// The kind of object in the event's `data.object` (`payout`, `recipient`, …).
    pub data_object: String,
    /// Where the schema of this type's events is: a JSON pointer into the server's OpenAPI
    /// document (`/v1/openapi.json#/components/schemas/PayoutEvent`).
    #[serde(default)]
    pub schema: String,
}

/// What `POST /v1/webhook_endpoints/{id}/test` came to: the attempt's outcome and the signed
/// `webhook_endpoint.test` event that was posted.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct WebhookTest {
    pub endpoint: String,
    /// Whether the endpoint answered 2xx.
    pub succeeded: bool,
    pub status_code: Option<u16>,
    /// Why it failed: `http_status`, `timeout`, `connect`, `refused_destination`, `request`, …
    pub error: Option<String>,
    pub latency_ms: i64,
    /// The first bytes of the endpoint's answer.
    pub response_body: Option<String>,
    pub event: Event,
}

/// `GET /v1/egress_ips`: the addresses deliveries come from (for your firewall).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct EgressIp {
    pub ip: String,
}

pub use monitoring::{Alert, AuditActor, AuditEntry, AuditResource, RequestLogEntry};
pub use risk::{PayoutReview, RiskAssessment, RiskRule, RiskRuleFired, RiskRuleUpdate};

// ---------------------------------------------------------------------------------------------
// List filters

/// Filters and cursor of a list request. `limit` is 1..=100 (server default 20).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListParams {
    pub limit: Option<u32>,
    /// The next (older) page: the objects after this id.
    pub starting_after: Option<String>,
    /// The previous (newer) page: the objects just before this id, still newest first.
    pub ending_before: Option<String>,
    /// Created at or after (inclusive).
    pub created_gte: Option<OffsetDateTime>,
    /// Created before (exclusive).
    pub created_lt: Option<OffsetDateTime>,
    /// Resource filters: `status`, `recipient` (payouts); `type`, `source` (balance
    /// transactions); `type`, `object` (events); `status` (webhook endpoints); `status`, `event`
    /// (deliveries); `status` (a class such as `4xx`, or a code), `route`, `method`, `api_key`
    /// (requests).
    pub filters: Vec<(String, String)>,
}

impl ListParams {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn limit(mut self, n: u32) -> Self {
        self.limit = Some(n);
        self
    }

    pub fn starting_after(mut self, id: impl Into<String>) -> Self {
        self.starting_after = Some(id.into());
        self
    }

    pub fn ending_before(mut self, id: impl Into<String>) -> Self {
        self.ending_before = Some(id.into());
        self
    }

    pub fn filter(mut self, name: &str, value: impl Into<String>) -> Self {
        self.filters.push((name.to_owned(), value.into()));
        self
    }

    pub fn created_gte(mut self, t: OffsetDateTime) -> Self {
        self.created_gte = Some(t);
        self
    }

    pub fn created_lt(mut self, t: OffsetDateTime) -> Self {
        self.created_lt = Some(t);
        self
    }

    /// The query string pairs.
    pub fn to_query(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        if let Some(n) = self.limit {
            q.push(("limit".to_owned(), n.to_string()));
        }
        if let Some(id) = &self.starting_after {
            q.push(("starting_after".to_owned(), id.clone()));
        }
        if let Some(id) = &self.ending_before {
            q.push(("ending_before".to_owned(), id.clone()));
        }
        if let Some(t) = self.created_gte {
            q.push(("created[gte]".to_owned(), t.unix_timestamp().to_string()));
        }
        if let Some(t) = self.created_lt {
            q.push(("created[lt]".to_owned(), t.unix_timestamp().to_string()));
        }
        q.extend(self.filters.iter().cloned());
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_details_debug_shows_only_the_last_four() {
        let d = BankAccountDetails::UsAch {
            routing_number: "110000000".into(),
            account_number: "000123456789".into(),
            account_type: AccountType::Checking,
        };
        let s = format!("{d:?}");
        assert!(!s.contains("000123456789") && s.contains("6789"), "{s}");
        let d = BankAccountDetails::Iban {
            iban: "DE89 3704 0044 0532 0130 00".into(),
            bic: None,
        };
        let s = format!("{d:?}");
        assert!(!s.contains("37040044") && s.contains("3000"), "{s}");
        let json = serde_json::to_value(&d).unwrap_or_default();
        assert_eq!(json["type"], "iban", "the wire form is the API's");
    }
}
