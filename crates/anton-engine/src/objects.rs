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

#[cfg(feature = "openapi")]
use crate::openapi as oa;

mod risk;
pub use risk::{FiredOut, ReviewOut, RiskOut, RiskRuleOut};

/// A payout: money sent from the available balance to a recipient's bank account. Created
/// `pending` with its amount reserved, then moved by the rail (docs/reference.md §3).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = Payout, examples(oa::examples::payout))
)]
pub struct PayoutOut {
    /// The payout's id.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::PayoutIdSchema))]
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = oa::object::payout))]
    pub object: &'static str,
    /// The amount paid, in the currency's minor unit.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::AmountSchema))]
    pub amount: i64,
    /// The currency paid: the recipient's bank account's currency.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::CurrencySchema))]
    pub currency: String,
    /// The recipient paid. It keeps this id after the recipient is deleted.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::RecipientIdSchema))]
    pub recipient: String,
    /// Where the payout is in its lifecycle.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::PayoutStatusSchema))]
    pub status: String,
    /// Why the payout failed or was returned: set on `failed` and `returned` payouts, `null`
    /// otherwise.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<oa::FailureCodeSchema>))]
    pub failure_code: Option<String>,
    /// What `failure_code` means, for humans; `null` when there is no failure code.
    pub failure_message: Option<String>,
    /// Your description of the payout (at most 500 characters), or `null`.
    pub description: Option<String>,
    /// Your key-value pairs.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::MetadataSchema))]
    pub metadata: Value,
    /// When the payout was created.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::TimestampSchema))]
    pub created: String,
    /// When the payout last changed (its status, description or metadata).
    #[cfg_attr(feature = "openapi", schema(value_type = oa::TimestampSchema))]
    pub updated: String,
    /// The day (UTC, `YYYY-MM-DD`) the payout was paid: set when it becomes `paid` and kept
    /// afterwards (a `returned` payout keeps it); `null` before.
    #[cfg_attr(feature = "openapi", schema(format = Date, examples("2026-11-28")))]
    pub arrival_date: Option<String>,
    /// `true` in live mode, `false` in test mode.
    pub livemode: bool,
    /// Live mode: the bank file that carried the payout (docs/live-payouts.md) — `file`, its
    /// name, and `reference`, what the bank quotes for this payout (the NACHA trace number, or
    /// the ISO end-to-end id). `null` until a cut-off puts the payout in a file, and always in
    /// test mode.
    pub bank_transfer: Option<BankTransferOut>,
    /// Set when a risk rule held the payout for review (docs/risk.md): `status` (`pending`,
    /// `approved`, `rejected`, `expired`), the `rules` that asked for it, `requested_by` (the
    /// creating key, which may not approve it), `requested`, `expires`, and once decided
    /// `decided_by`, `decided` and `reason`. `null` for a payout never held.
    pub review: Option<ReviewOut>,
    /// The risk assessment made when the payout was created (docs/risk.md): the rules
    /// `evaluated` and those that `fired`, each with the figures it compared and their
    /// `explanation` ("sum today 38,000.00 USD > limit 37,000.00 USD"). `null` for payouts
    /// created before Anton assessed risk. Always the last field.
    pub risk: Option<RiskOut>,
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
            bank_transfer: match (&p.bank_file, &p.bank_reference) {
                (Some(file), Some(reference)) => Some(BankTransferOut {
                    file: file.clone(),
                    reference: reference.clone(),
                }),
                _ => None,
            },
            review: p
                .review
                .as_deref()
                .and_then(|t| serde_json::from_str(t).ok()),
            risk: p.risk.as_deref().and_then(|t| serde_json::from_str(t).ok()),
        }
    }
}

/// The bank file that carried a live payout, and what the bank calls the payout in it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = BankTransfer))]
pub struct BankTransferOut {
    /// The file's name, e.g. `ANTON-USD-20261207-1030.ach`.
    #[cfg_attr(feature = "openapi", schema(examples("ANTON-USD-20261207-1030.ach")))]
    pub file: String,
    /// The NACHA trace number (15 digits) or the ISO end-to-end id the bank quotes.
    #[cfg_attr(feature = "openapi", schema(examples("091000010000042")))]
    pub reference: String,
}

/// A recipient's bank account as the API shows it: never the full account number (it is stored
/// encrypted and never returned or logged), only its last four characters and a fingerprint.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = BankAccount, examples(oa::examples::bank_account))
)]
pub struct BankAccountOut {
    /// The kind of account.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(value_type = oa::BankAccountTypeSchema))]
    pub kind: String,
    /// The account's country (ISO 3166-1 alpha-2): `US`, `GB`, or the IBAN's country.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Z]{2}$", examples("US")))]
    pub country: String,
    /// The currency the account is paid in (`USD` for `us_ach`, `EUR` for `iban`, `GBP` for
    /// `gb_fps`); a payout must be in it.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::CurrencySchema))]
    pub currency: String,
    /// The bank, not secret: the routing number (`us_ach`), the BIC or else the IBAN's bank
    /// code (`iban`), the sort code (`gb_fps`).
    #[cfg_attr(feature = "openapi", schema(examples("110000000")))]
    pub bank_code: Option<String>,
    /// `us_ach` only: `checking` or `savings` (absent for other kinds).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = oa::AchAccountTypeSchema, required = false)
    )]
    pub account_type: Option<String>,
    /// The last four characters of the account number (of the IBAN, for `iban`).
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 4, examples("6789"))
    )]
    pub last4: String,
    /// A keyed hash of the account (32 hex characters), the same for the same account within
    /// one merchant: use it to find recipients that share an account.
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = "^[0-9a-f]{32}$",
            examples("3f9c1a7e5b2d4c6f8a0b1c2d3e4f5a6b")
        )
    )]
    pub fingerprint: String,
}

/// A recipient: someone you pay — a name, an optional email, one bank account and your
/// metadata.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = Recipient, examples(oa::examples::recipient))
)]
pub struct RecipientOut {
    /// The recipient's id.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::RecipientIdSchema))]
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = oa::object::recipient))]
    pub object: &'static str,
    /// The recipient's name (1 to 200 characters, NFC-normalized).
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, examples("Ada Lovelace"))
    )]
    pub name: String,
    /// The recipient's email address, or `null`.
    #[cfg_attr(
        feature = "openapi",
        schema(format = IdnEmail, max_length = 254, examples("ada@example.com"))
    )]
    pub email: Option<String>,
    /// The account payouts to this recipient are paid to.
    #[cfg_attr(feature = "openapi", schema(value_type = BankAccountOut))]
    pub bank_account: BankAccountOut,
    /// Your key-value pairs.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::MetadataSchema))]
    pub metadata: Value,
    /// When the recipient was created.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::TimestampSchema))]
    pub created: String,
    /// `true` in live mode, `false` in test mode.
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

/// A webhook endpoint: a URL Anton posts signed events to, and the event types it subscribes to
/// (docs/reference.md §5).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = WebhookEndpoint, examples(oa::examples::webhook_endpoint))
)]
pub struct EndpointOut {
    /// The endpoint's id.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::EndpointIdSchema))]
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = oa::object::webhook_endpoint))]
    pub object: &'static str,
    /// Where events are posted: an absolute `https://` URL (`http://` is accepted in test mode
    /// only), at most 2048 characters, allowed by the SSRF guard.
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 2048, examples("https://hooks.example.com/anton"))
    )]
    pub url: String,
    /// The event types delivered to the endpoint, or `["*"]` for every type.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::EnabledEventsSchema))]
    pub enabled_events: Vec<String>,
    /// Your description of the endpoint (at most 500 characters), or `null`.
    pub description: Option<String>,
    /// Whether the endpoint receives deliveries.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::EndpointStatusSchema))]
    pub status: String,
    /// The signing secret (`whsec_` and the base64 of 32 random bytes). Present only in the
    /// response that created it — endpoint creation or `rotate_secret` — and absent from every
    /// other response, event and replay (a replay shows `null`); `null` for an `ed25519`
    /// endpoint, whose private key never leaves Anton. Keep it secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub secret: Option<Value>,
    /// How deliveries to the endpoint are signed.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::SignatureSchemeSchema))]
    pub signature_scheme: String,
    /// For `ed25519` endpoints, the public key to verify deliveries with (`whpk_` and the
    /// base64 of 32 bytes; not secret); `null` for `hmac_sha256`.
    pub public_key: Option<String>,
    /// When the endpoint was created.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::TimestampSchema))]
    pub created: String,
    /// `true` in live mode, `false` in test mode.
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

/// One attempt of a webhook delivery: when it started, how long it took and what the endpoint
/// answered.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = WebhookAttempt, examples(oa::examples::attempt))
)]
pub struct AttemptOut {
    /// The attempt's number, from 1.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, examples(1)))]
    pub attempt: i64,
    /// When the attempt started.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::TimestampSchema))]
    pub started: String,
    /// From the start of the attempt to the answer (or the failure), in milliseconds.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, examples(87)))]
    pub latency_ms: i64,
    /// The HTTP status the endpoint answered, or `null` when it did not answer.
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 100, maximum = 999, examples(503))
    )]
    pub status_code: Option<i64>,
    /// The first 1 KiB of the endpoint's answer (at most 4 KiB is read), or `null`.
    pub response_body: Option<String>,
    /// Why the attempt failed; `null` when it succeeded (a 2xx).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<oa::AttemptErrorSchema>))]
    pub error_class: Option<String>,
}

/// A webhook delivery: one event sent to one endpoint, retried on a schedule until it succeeds
/// or the schedule runs out, with the log of its attempts (docs/reference.md §5.2).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = WebhookDelivery, examples(oa::examples::webhook_delivery))
)]
pub struct DeliveryOut {
    /// The delivery's id.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::DeliveryIdSchema))]
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = oa::object::webhook_delivery))]
    pub object: &'static str,
    /// The endpoint the event is delivered to.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::EndpointIdSchema))]
    pub endpoint: String,
    /// The event delivered.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::EventIdSchema))]
    pub event: String,
    /// The delivered event's type.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::EventTypeNameSchema))]
    pub event_type: String,
    /// Where the delivery is.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::DeliveryStatusSchema))]
    pub status: String,
    /// How many attempts were made so far (at most nine with the default schedule).
    #[cfg_attr(feature = "openapi", schema(minimum = 0, examples(1)))]
    pub attempts: i64,
    /// When the next attempt is scheduled, or `null` when none is.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<oa::TimestampSchema>))]
    pub next_attempt: Option<String>,
    /// When the delivery was created.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::TimestampSchema))]
    pub created: String,
    /// The attempts made, oldest first (empty in the answer to a resend).
    pub attempt_log: Vec<AttemptOut>,
    /// `true` in live mode, `false` in test mode.
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

/// An amount of one currency in one ledger account.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(examples(oa::examples::balance_amount))
)]
pub struct BalanceAmount {
    /// The currency.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::CurrencySchema))]
    pub currency: String,
    /// The amount, in the currency's minor unit (never negative).
    #[cfg_attr(feature = "openapi", schema(minimum = 0, examples(97500)))]
    pub amount: i64,
}

/// The balance of this merchant and environment: what it can pay out, and what is on its way.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = Balance, examples(oa::examples::balance))
)]
pub struct BalanceOut {
    #[cfg_attr(feature = "openapi", schema(schema_with = oa::object::balance))]
    pub object: &'static str,
    /// `true` in live mode, `false` in test mode.
    pub livemode: bool,
    /// What can be paid out, per currency (currencies that never held money are absent).
    pub available: Vec<BalanceAmount>,
    /// What payouts not yet paid or released have reserved, per currency.
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

/// A balance transaction: one balanced ledger posting, which debits one account and credits
/// another by the same amount. Postings are never changed (docs/reference.md §3).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = BalanceTransaction, examples(oa::examples::balance_transaction))
)]
pub struct BalanceTransactionOut {
    /// The balance transaction's id.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::BalanceTransactionIdSchema))]
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = oa::object::balance_transaction))]
    pub object: &'static str,
    /// What caused the posting.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(value_type = oa::BalanceTransactionTypeSchema))]
    pub kind: String,
    /// The amount moved, in the currency's minor unit.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::AmountSchema))]
    pub amount: i64,
    /// The currency moved.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::CurrencySchema))]
    pub currency: String,
    /// The ledger account debited.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::LedgerAccountSchema))]
    pub debit: String,
    /// The ledger account credited.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::LedgerAccountSchema))]
    pub credit: String,
    /// The payout that caused the posting, or `null` (funding).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<oa::PayoutIdSchema>))]
    pub source: Option<String>,
    /// When the posting was made.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::TimestampSchema))]
    pub created: String,
    /// `true` in live mode, `false` in test mode.
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

/// One API request as the merchant's request log keeps it (docs/reference.md §6): never a body,
/// a key or bank details.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = Request, examples(oa::examples::request))
)]
pub struct RequestOut {
    /// The request's id, as its `Request-Id` header and error body carried it.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::RequestIdSchema))]
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = oa::object::request))]
    pub object: &'static str,
    /// When the request arrived.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::TimestampSchema))]
    pub created: String,
    /// The HTTP method.
    #[cfg_attr(feature = "openapi", schema(examples("POST")))]
    pub method: String,
    /// The route template the request matched (`/v1/payouts/{id}`), never the path as sent.
    #[cfg_attr(feature = "openapi", schema(examples("/v1/payouts/{id}")))]
    pub route: String,
    /// The HTTP status answered.
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 100, maximum = 599, examples(200))
    )]
    pub status: u16,
    /// The error's `code` when the answer was an error, else `null`.
    #[cfg_attr(feature = "openapi", schema(examples("insufficient_funds")))]
    pub error_code: Option<String>,
    /// The id of the API key that made the request (also a revoked or expired one).
    #[cfg_attr(feature = "openapi", schema(value_type = oa::KeyIdSchema))]
    pub api_key: String,
    /// The client's address as the server saw it (IPv4 or IPv6), or `null`.
    #[cfg_attr(feature = "openapi", schema(examples("203.0.113.7")))]
    pub source_ip: Option<String>,
    /// The `User-Agent` sent, at most 256 characters, or `null`.
    pub user_agent: Option<String>,
    /// Microseconds from the request's arrival to its answer.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, examples(4180)))]
    pub duration_us: i64,
    /// The `Idempotency-Key` sent, or `null`.
    pub idempotency_key: Option<String>,
    /// `true` in live mode, `false` in test mode.
    pub livemode: bool,
}

impl RequestOut {
    pub fn from_record(r: anton_store::request_log::RequestRecord) -> Self {
        Self {
            id: r.id.to_string(),
            object: "request",
            created: Timestamp::from_unix_micros(r.created_us).to_rfc3339(),
            method: r.method,
            route: r.route,
            status: r.status,
            error_code: r.error_code,
            api_key: r.key_id.to_string(),
            source_ip: r.source_ip,
            user_agent: r.user_agent,
            duration_us: r.duration_us,
            idempotency_key: r.idempotency_key,
            livemode: r.tenant.env == Environment::Live,
        }
    }
}

/// One entry of the merchant's audit log (docs/reference.md §7): a security-relevant change,
/// who made it, from where, and what the object was before and after — never a secret.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = AuditEntry, examples(oa::examples::audit_entry))
)]
pub struct AuditEntryOut {
    /// The entry's id.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::AuditEntryIdSchema))]
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = oa::object::audit_entry))]
    pub object: &'static str,
    /// The entry's place in the merchant's chain (both environments), from 1 without gaps.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, examples(42)))]
    pub seq: i64,
    /// When the change was made.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::TimestampSchema))]
    pub created: String,
    /// What was done.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::AuditActionSchema))]
    pub action: String,
    pub actor: AuditActorOut,
    /// The client's address, for a change made through the API; else `null`.
    #[cfg_attr(feature = "openapi", schema(examples("203.0.113.7")))]
    pub source_ip: Option<String>,
    /// The request that made the change (look it up in the request log), or `null`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<oa::RequestIdSchema>))]
    pub request_id: Option<String>,
    pub resource: AuditResourceOut,
    /// The object before the change (`null`: it did not exist), as the API shows it.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<Value>,
    /// The object after the change (`null`: it no longer exists), as the API shows it.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<Value>,
    /// SHA-256 (hex) over `previous_hash` and this entry's fields: keep the latest one and a
    /// later rewrite of the log cannot go unnoticed.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9a-f]{64}$"))]
    pub hash: String,
    /// The `hash` of the merchant's entry before this one (64 zeros for the first).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9a-f]{64}$"))]
    pub previous_hash: String,
    /// `true` in live mode, `false` in test mode.
    pub livemode: bool,
}

/// Who made an audited change.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AuditActor))]
pub struct AuditActorOut {
    /// `api_key`: a request made with one of your keys; `operator`: the platform's operator;
    /// `system`: Anton itself.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(value_type = oa::AuditActorTypeSchema))]
    pub kind: String,
    /// The API key's id, the operator's user name, or `null` for the system.
    #[cfg_attr(feature = "openapi", schema(examples("key_0Vcl8Y2b6Fg4Hj7Kl1Mn3Pq5")))]
    pub id: Option<String>,
}

/// The object an audited change was made to.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AuditResource))]
pub struct AuditResourceOut {
    /// `api_key`, `webhook_endpoint`, `payout`, `merchant` or `balance_transaction`.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(examples("webhook_endpoint")))]
    pub kind: String,
    /// The object's id.
    #[cfg_attr(feature = "openapi", schema(examples("we_0VclB7c3Lm5No7Pq9Rs2Tu4V")))]
    pub id: String,
}

impl AuditEntryOut {
    pub fn from_record(r: anton_store::audit::AuditRecord) -> Self {
        let json = |t: Option<String>| t.map(|t| json_object(&t));
        Self {
            id: r.id.to_string(),
            object: "audit_entry",
            seq: r.seq,
            created: Timestamp::from_unix_micros(r.created_us).to_rfc3339(),
            action: r.action,
            actor: AuditActorOut {
                kind: r.actor_type,
                id: r.actor_id,
            },
            source_ip: r.source_ip,
            request_id: r.request_id,
            resource: AuditResourceOut {
                kind: r.object_type,
                id: r.object_id,
            },
            before: json(r.before),
            after: json(r.after),
            hash: r.hash,
            previous_hash: r.prev_hash,
            livemode: r.tenant.env == Environment::Live,
        }
    }
}

/// An alert (docs/reference.md §8): something Anton noticed that the merchant's team should look
/// at — one per rule and subject while unresolved, counting what it keeps noticing.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = Alert, examples(oa::examples::alert))
)]
pub struct AlertOut {
    /// The alert's id.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::AlertIdSchema))]
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = oa::object::alert))]
    pub object: &'static str,
    /// What the alert is about.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::AlertRuleSchema))]
    pub rule: String,
    /// `critical` (a key may be compromised: act now), `warning` or `info`.
    #[cfg_attr(feature = "openapi", schema(value_type = oa::AlertSeveritySchema))]
    pub severity: &'static str,
    #[cfg_attr(feature = "openapi", schema(value_type = oa::AlertStatusSchema))]
    pub status: String,
    /// The key, `key@address`, or endpoint the alert is about; empty for the account as a
    /// whole.
    #[cfg_attr(feature = "openapi", schema(examples("key_0Vcl8Y2b6Fg4Hj7Kl1Mn3Pq5")))]
    pub subject: String,
    /// What was noticed, by rule: the key and address of the latest request, the addresses seen,
    /// the endpoint's URL… Never a key, a secret or bank details.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub details: Value,
    /// How many times the rule noticed it while the alert was unresolved.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, examples(3)))]
    pub count: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = oa::TimestampSchema))]
    pub first_seen: String,
    #[cfg_attr(feature = "openapi", schema(value_type = oa::TimestampSchema))]
    pub last_seen: String,
    /// When it was acknowledged, or `null`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<oa::TimestampSchema>))]
    pub acknowledged: Option<String>,
    /// The API key that acknowledged it, or `null`.
    pub acknowledged_by: Option<String>,
    /// When it was resolved, or `null`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<oa::TimestampSchema>))]
    pub resolved: Option<String>,
    /// `anton` when its condition cleared, else the API key that resolved it; `null` while
    /// unresolved.
    pub resolved_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = oa::TimestampSchema))]
    pub created: String,
    /// `true` in live mode, `false` in test mode.
    pub livemode: bool,
}

impl AlertOut {
    pub fn from_record(r: anton_store::alerts::AlertRecord) -> Self {
        let time = |us: i64| Timestamp::from_unix_micros(us).to_rfc3339();
        let rule = crate::alerts::Rule::parse(&r.rule);
        Self {
            id: r.id.to_string(),
            object: "alert",
            severity: rule.map_or("warning", crate::alerts::Rule::severity),
            rule: r.rule,
            status: r.status,
            subject: r.subject,
            details: json_object(&r.detail),
            count: r.count,
            first_seen: time(r.first_seen_us),
            last_seen: time(r.last_seen_us),
            acknowledged: r.acknowledged_us.map(time),
            acknowledged_by: r.acknowledged_by,
            resolved: r.resolved_us.map(time),
            resolved_by: r.resolved_by,
            created: time(r.created_us),
            livemode: r.tenant.env == Environment::Live,
        }
    }
}
