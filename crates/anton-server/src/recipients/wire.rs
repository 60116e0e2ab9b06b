//! Recipient wire types: what the API accepts and returns. Converted to and from domain types at
//! the edge; the full account number is accepted here and never rendered.

use std::collections::BTreeMap;

use anton_core::bank::BankAccount;
use anton_core::keys::Environment;
use anton_store::recipients::RecipientRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::error::ApiError;

/// Metadata: up to 50 string pairs, keys up to 40 characters, values up to 500.
pub type Metadata = BTreeMap<String, String>;

pub fn check_metadata(m: &Metadata) -> Result<(), ApiError> {
    if m.len() > 50 {
        return Err(
            ApiError::invalid("metadata_invalid", "metadata holds at most 50 keys")
                .with_param("metadata"),
        );
    }
    for (k, v) in m {
        if k.is_empty() || k.chars().count() > 40 || v.chars().count() > 500 {
            return Err(ApiError::invalid(
                "metadata_invalid",
                "metadata keys are 1 to 40 characters and values at most 500",
            )
            .with_param("metadata"));
        }
    }
    Ok(())
}

/// A bank account as the client sends it.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum BankAccountIn {
    /// US ACH: ABA routing number, 4–17 digit account number, checking or savings.
    UsAch {
        routing_number: String,
        account_number: String,
        account_type: String,
    },
    /// SEPA: an IBAN (print or electronic form) and an optional BIC.
    Iban { iban: String, bic: Option<String> },
    /// UK Faster Payments: sort code and 8-digit account number.
    GbFps {
        sort_code: String,
        account_number: String,
    },
}

impl BankAccountIn {
    pub fn parse(&self) -> Result<BankAccount, ApiError> {
        let r = match self {
            Self::UsAch {
                routing_number,
                account_number,
                account_type,
            } => BankAccount::parse_us_ach(routing_number, account_number, account_type),
            Self::Iban { iban, bic } => BankAccount::parse_iban(iban, bic.as_deref()),
            Self::GbFps {
                sort_code,
                account_number,
            } => BankAccount::parse_gb_fps(sort_code, account_number),
        };
        r.map_err(|e| ApiError::invalid(e.code(), e.to_string()).with_param(e.param()))
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientIn {
    pub name: String,
    pub email: Option<String>,
    pub bank_account: BankAccountIn,
    #[serde(default)]
    pub metadata: Metadata,
}

/// Fields to change; absent fields stay as they are. `email: null` clears the email.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    pub bank_account: Option<BankAccountIn>,
    pub metadata: Option<Metadata>,
}

fn double_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

pub fn check_name(name: &str) -> Result<(), ApiError> {
    let n = name.trim().chars().count();
    if n == 0 || n > 200 {
        return Err(
            ApiError::invalid("parameter_invalid", "name must be 1 to 200 characters")
                .with_param("name"),
        );
    }
    Ok(())
}

pub fn check_email(email: &str) -> Result<(), ApiError> {
    let ok = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(
            ApiError::invalid("email_invalid", "email is not a valid email address")
                .with_param("email"),
        )
    }
}

/// The bank account as the API shows it: never the full number.
#[derive(Serialize, ToSchema)]
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

#[derive(Serialize, ToSchema)]
pub struct RecipientOut {
    pub id: String,
    pub object: &'static str,
    pub name: String,
    pub email: Option<String>,
    pub bank_account: BankAccountOut,
    #[schema(value_type = Object)]
    pub metadata: serde_json::Value,
    /// RFC 3339.
    #[schema(value_type = String)]
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
            metadata: serde_json::from_str(&r.metadata).unwrap_or_else(|_| serde_json::json!({})),
            created: r.created.to_rfc3339(),
            livemode: env.is_live(),
        }
    }
}
