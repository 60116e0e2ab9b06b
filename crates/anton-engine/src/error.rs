//! The engine's one error type. Every use case refuses in these terms — what went wrong in the
//! caller's terms, with a stable `code` and, where one parameter is at fault, its name — and never
//! in HTTP's: the API adapter maps each variant to a status and the error envelope, a portal
//! would map it to a page.
//!
//! Stable codes (the envelope's `code`): `parameter_invalid`, `parameter_invalid_characters` (a
//! text holds a control, bidirectional formatting or zero-width character: see
//! [`crate::validate`]), `amount_too_small`, `amount_too_large`, `amount_invalid`,
//! `currency_invalid`, `currency_not_supported`, `metadata_invalid`, `email_invalid`,
//! `description_invalid`, `url_invalid`, `enabled_events_invalid`, `status_invalid`,
//! `expire_previous_in_seconds_invalid`, the bank-account codes of
//! [`anton_core::bank::BankAccountError`], `idempotency_key_invalid`, `resource_missing`,
//! `currency_mismatch`, `insufficient_funds`, `risk_blocked`, `payout_not_cancelable`,
//! `payout_not_in_review`, `approver_is_creator`, `payout_invalid_transition`,
//! `live_rail_not_configured`, `recipient_has_active_payouts`, `webhook_endpoint_disabled`,
//! `idempotency_key_reused`, `idempotency_request_in_progress`,
//! `api_key_revoked`, `service_unavailable`, `internal_error`; operator actions add
//! `merchant_missing`, `key_missing`, `key_revoked`, `scopes_empty`, `grace_too_long`,
//! `name_invalid`, `rate_limit_invalid`. (Codes about the request itself — its body, query string,
//! headers, key — are the adapter's.)

use anton_core::money::Currency;
use anton_core::payout::InvalidTransition;
use anton_store::StoreError;

/// Ids and other echoed values are cut to this many characters in messages.
const ECHO_CHARS_MAX: usize = 80;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A value the use case cannot accept.
    #[error("{message}")]
    Invalid {
        code: &'static str,
        message: String,
        param: Option<String>,
    },
    /// The object the request is about does not exist for this tenant (another tenant's object
    /// is missing too: it is never told apart).
    #[error("No such {resource}: '{id}'")]
    NotFound {
        resource: &'static str,
        id: String,
        param: Option<&'static str>,
    },
    /// An object the request names in its parameters does not exist for this tenant.
    #[error("No such {resource}: '{id}'")]
    ReferenceMissing {
        resource: &'static str,
        id: String,
        param: &'static str,
    },
    #[error(
        "This recipient's {bank_type} account is paid in {account_currency}, not {requested}."
    )]
    CurrencyMismatch {
        bank_type: String,
        account_currency: String,
        requested: Currency,
    },
    #[error("The available {currency} balance does not cover this payout.")]
    InsufficientFunds { currency: Currency },
    /// A risk rule whose action is `block` fired (docs/risk.md): nothing was written.
    #[error("This payout was blocked by the risk rule {rule}: {explanation}.")]
    RiskBlocked {
        rule: &'static str,
        explanation: String,
    },
    /// The acting key holds the scope but may not do this to this object (four-eyes: the key
    /// that created a payout cannot approve it).
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// A cancel the payout's status does not allow.
    #[error("{0}.")]
    NotCancelable(InvalidTransition),
    /// A move (test helpers) the payout's status does not allow.
    #[error("{0}.")]
    InvalidTransition(InvalidTransition),
    /// A well-formed request that the current state of an object refuses (a recipient with
    /// payouts under way, a disabled endpoint): it may succeed once that state changes.
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        param: Option<&'static str>,
    },
    #[error(
        "Live payouts in {currency} are not available: this Anton deployment has no live rail \
         for {currency}."
    )]
    LiveRailNotConfigured { currency: Currency },
    #[error(
        "This Idempotency-Key was already used with a different request (method, path or body). \
         Use a new key for a new request."
    )]
    IdempotencyKeyReused,
    #[error("A request with this Idempotency-Key is still being processed. Retry shortly.")]
    IdempotencyInProgress,
    /// The acting API key was revoked or expired before the mutation's transaction checked it
    /// (the key cache had not seen it yet): nothing was written.
    #[error("The API key has been revoked or has expired.")]
    KeyNotUsable,
    /// The database is unreachable, or refused the work for a transient reason: the request may
    /// be retried as it is (with its idempotency key).
    #[error("the database is unavailable")]
    Unavailable(#[source] StoreError),
    /// Anything else: a bug or corrupt data. Its cause is for the operator's log only.
    #[error("an unexpected error occurred")]
    Internal(#[source] StoreError),
}

impl EngineError {
    /// A refused parameter.
    pub fn invalid(code: &'static str, message: impl Into<String>, param: &str) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
            param: Some(param.to_owned()),
        }
    }

    /// A refusal that no single parameter is to blame for.
    pub fn refused(code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
            param: None,
        }
    }

    /// A refusal by the current state of an object (see [`Self::Conflict`]).
    pub fn conflict(
        code: &'static str,
        message: impl Into<String>,
        param: Option<&'static str>,
    ) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
            param,
        }
    }

    /// The tenant has no `resource` with this id.
    pub fn not_found(resource: &'static str, id: &str) -> Self {
        Self::NotFound {
            resource,
            id: truncate(id).to_owned(),
            param: None,
        }
    }

    /// Names the parameter that carried the missing object's id.
    pub fn with_param(self, name: &'static str) -> Self {
        match self {
            Self::NotFound { resource, id, .. } => Self::NotFound {
                resource,
                id,
                param: Some(name),
            },
            Self::Invalid { code, message, .. } => Self::Invalid {
                code,
                message,
                param: Some(name.to_owned()),
            },
            other => other,
        }
    }

    /// The stable code (see the module docs).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { code, .. } | Self::Conflict { code, .. } => code,
            Self::NotFound { .. } | Self::ReferenceMissing { .. } => "resource_missing",
            Self::CurrencyMismatch { .. } => "currency_mismatch",
            Self::InsufficientFunds { .. } => "insufficient_funds",
            Self::RiskBlocked { .. } => "risk_blocked",
            Self::Forbidden { code, .. } => code,
            Self::NotCancelable(_) => "payout_not_cancelable",
            Self::InvalidTransition(_) => "payout_invalid_transition",
            Self::LiveRailNotConfigured { .. } => "live_rail_not_configured",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::IdempotencyInProgress => "idempotency_request_in_progress",
            Self::KeyNotUsable => "api_key_revoked",
            Self::Unavailable(_) => "service_unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

    /// The parameter at fault, when one is.
    pub fn param(&self) -> Option<&str> {
        match self {
            Self::Invalid { param, .. } => param.as_deref(),
            Self::NotFound { param, .. } | Self::Conflict { param, .. } => *param,
            Self::ReferenceMissing { param, .. } => Some(param),
            Self::CurrencyMismatch { .. } => Some("currency"),
            Self::InsufficientFunds { .. } => Some("amount"),
            _ => None,
        }
    }
}

impl From<StoreError> for EngineError {
    fn from(e: StoreError) -> Self {
        if e.is_unavailable() {
            Self::Unavailable(e)
        } else {
            Self::Internal(e)
        }
    }
}

/// `s` cut to [`ECHO_CHARS_MAX`] characters.
fn truncate(s: &str) -> &str {
    match s.char_indices().nth(ECHO_CHARS_MAX) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;
