//! The published objects: what a payout, a recipient, an endpoint, a delivery or a balance looks
//! like to a merchant. One definition each, used for the `data.object` of every event the engine
//! writes and by the adapters for their responses, so an event and an API response can never
//! disagree on a shape. Never a secret or a full account number: an endpoint's secret is shown
//! only by the response that created it (the adapter puts it in), a bank account as `last4` and a
//! keyed fingerprint.

use anton_core::keys::Environment;
use anton_core::time::Timestamp;
use anton_store::ledger::{AccountBalance, BalanceTransactionRecord};
use anton_store::payouts::PayoutRecord;
use anton_store::recipients::RecipientRecord;
use anton_store::webhooks::{AttemptRecord, DeliveryRecord, EndpointRecord};
use serde::Serialize;
use serde_json::Value;

/// A payout.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayoutOut {
    pub id: String,
    pub object: &'static str,
    pub amount: i64,
    pub currency: String,
    pub recipient: String,
    /// `pending`, `requires_review`, `processing`, `paid`, `failed`, `canceled`, `returned`.
    pub status: String,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub description: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub metadata: Value,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub updated: String,
    pub arrival_date: Option<String>,
    pub livemode: bool,
}

impl PayoutOut {
    pub fn from_record(p: &PayoutRecord, env: Environment) -> Self {
        Self {
            id: p.id.to_string(),
            object: "payout",
            amount: p.amount,
            currency: p.currency.clone(),
            recipient: p.recipient_id.to_string(),
            status: p.status.as_str().into(),
            failure_code: p.failure_code.clone(),
            failure_message: p.failure_message.clone(),
            description: p.description.clone(),
            metadata: json_object(&p.metadata),
            created: p.created.to_rfc3339(),
            updated: p.updated.to_rfc3339(),
            arrival_date: p.arrival_date.clone(),
            livemode: env.is_live(),
        }
    }
}

/// The bank account as a merchant sees it: never the full number.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BankAccountOut {
    #[serde(rename = "type")]
    pub kind: String,
    pub country: String,
    pub currency: String,
    pub bank_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_type: Option<String>,
    pub last4: String,
    pub fingerprint: String,
}

/// A recipient.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecipientOut {
    pub id: String,
    pub object: &'static str,
    pub name: String,
    pub email: Option<String>,
    pub bank_account: BankAccountOut,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub metadata: Value,
    /// RFC 3339.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created: String,
    pub livemode: bool,
}

impl RecipientOut {
    pub fn from_record(r: &RecipientRecord, env: Environment) -> Self {
        Self {
            id: r.id.to_string(),
            object: "recipient",
            name: r.name.clone(),
            email: r.email.clone(),
            bank_account: BankAccountOut {
                kind: r.bank_type.clone(),
                country: r.country.clone(),
                currency: r.currency.clone(),
                bank_code: r.bank_code.clone(),
                account_type: r.account_type.clone(),
                last4: r.last4.clone(),
                fingerprint: r.fingerprint.clone(),
            },
            metadata: json_object(&r.metadata),
            created: r.created.to_rfc3339(),
            livemode: env.is_live(),
        }
    }
}

/// A webhook endpoint.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndpointOut {
    pub id: String,
    /// Always `webhook_endpoint`.
    pub object: &'static str,
    pub url: String,
    pub enabled_events: Vec<String>,
    pub description: Option<String>,
    /// `enabled` or `disabled`.
    pub status: String,
    /// Only in the response that created this secret (creation, rotation); otherwise absent.
    /// `null` for an `ed25519` endpoint, whose private key never leaves Anton.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<Value>,
    /// `hmac_sha256` (a shared secret signs) or `ed25519` (a key pair: Standard Webhooks `v1a`).
    pub signature_scheme: String,
    /// For `ed25519`: the public key to verify deliveries with (`whpk_…`); `null` otherwise.
    pub public_key: Option<String>,
    /// RFC 3339.
    pub created: String,
    pub livemode: bool,
}

impl EndpointOut {
    pub fn from_record(r: &EndpointRecord, env: Environment) -> Self {
        Self {
            id: r.id.to_string(),
            object: "webhook_endpoint",
            url: r.url.clone(),
            enabled_events: serde_json::from_str(&r.enabled_events).unwrap_or_default(),
            description: r.description.clone(),
            status: r.status.clone(),
            secret: None,
            signature_scheme: r.signature_scheme.clone(),
            public_key: r.public_key.clone(),
            created: Timestamp::from_unix_micros(r.created_us).to_rfc3339(),
            livemode: env == Environment::Live,
        }
    }
}

/// One delivery attempt.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttemptOut {
    pub attempt: i64,
    /// RFC 3339.
    pub started: String,
    pub latency_ms: i64,
    pub status_code: Option<i64>,
    /// The first 1 KiB of the response body.
    pub response_body: Option<String>,
    /// `timeout`, `connect`, `tls`, `refused_destination`, `http_status`, …
    pub error_class: Option<String>,
}

/// A delivery of one event to one endpoint, with its attempts.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryOut {
    pub id: String,
    /// Always `webhook_delivery`.
    pub object: &'static str,
    pub endpoint: String,
    pub event: String,
    pub event_type: String,
    /// `pending`, `retrying`, `succeeded`, `exhausted` or `canceled`.
    pub status: String,
    pub attempts: i64,
    /// When the next attempt is scheduled (RFC 3339), if one is.
    pub next_attempt: Option<String>,
    /// RFC 3339.
    pub created: String,
    pub attempt_log: Vec<AttemptOut>,
    pub livemode: bool,
}

impl DeliveryOut {
    pub fn from_record(d: &DeliveryRecord, attempts: &[AttemptRecord], env: Environment) -> Self {
        Self {
            id: d.id.to_string(),
            object: "webhook_delivery",
            endpoint: d.endpoint_id.to_string(),
            event: d.event_id.to_string(),
            event_type: d.event_type.clone(),
            status: d.status.clone(),
            attempts: d.attempts,
            next_attempt: d
                .next_attempt_us
                .map(|u| Timestamp::from_unix_micros(u).to_rfc3339()),
            created: Timestamp::from_unix_micros(d.created_us).to_rfc3339(),
            attempt_log: attempts
                .iter()
                .map(|a| AttemptOut {
                    attempt: a.attempt,
                    started: Timestamp::from_unix_micros(a.started_us).to_rfc3339(),
                    latency_ms: a.latency_us / 1_000,
                    status_code: a.status_code,
                    response_body: a.response_body.clone(),
                    error_class: a.error_class.clone(),
                })
                .collect(),
            livemode: env == Environment::Live,
        }
    }
}

/// An amount in one currency.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BalanceAmount {
    pub currency: String,
    pub amount: i64,
}

/// A tenant's balance: what it can pay out, and what is on its way.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BalanceOut {
    pub object: &'static str,
    pub livemode: bool,
    pub available: Vec<BalanceAmount>,
    pub in_flight: Vec<BalanceAmount>,
}

impl BalanceOut {
    pub fn from_accounts(rows: &[AccountBalance], env: Environment) -> Self {
        let pick = |account: &str| {
            rows.iter()
                .filter(|b| b.account == account)
                .map(|b| BalanceAmount {
                    currency: b.currency.clone(),
                    amount: b.amount,
                })
                .collect()
        };
        Self {
            object: "balance",
            livemode: env.is_live(),
            available: pick("available"),
            in_flight: pick("in_flight"),
        }
    }
}

/// One balanced ledger posting.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BalanceTransactionOut {
    pub id: String,
    pub object: &'static str,
    /// `funding`, `payout` (reserve), `payout_paid`, `payout_release`, `payout_return`.
    #[serde(rename = "type")]
    pub kind: String,
    pub amount: i64,
    pub currency: String,
    /// The ledger account debited.
    pub debit: String,
    /// The ledger account credited.
    pub credit: String,
    pub source: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created: String,
    pub livemode: bool,
}

impl BalanceTransactionOut {
    pub fn from_record(r: BalanceTransactionRecord, env: Environment) -> Self {
        Self {
            id: r.id,
            object: "balance_transaction",
            kind: r.kind,
            amount: r.amount,
            currency: r.currency,
            debit: r.debit,
            credit: r.credit,
            source: r.source_id,
            created: Timestamp::from_unix_micros(r.created_us).to_rfc3339(),
            livemode: env == Environment::Live,
        }
    }
}

/// Stored JSON object text as a value (`{}` if it is not one).
fn json_object(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::json!({}))
}

/// An object as JSON for an event body (serializing these types cannot fail).
pub fn to_value<T: Serialize>(object: &T) -> Value {
    serde_json::to_value(object).unwrap_or_default()
}
