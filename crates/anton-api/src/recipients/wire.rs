//! Recipient wire types: what the API accepts. The full account number is accepted here and never
//! rendered: the API answers with the engine's [`anton_engine::objects::RecipientOut`].

use std::collections::BTreeMap;

use anton_core::bank::BankAccount;
use anton_engine::validate;
use serde::Deserialize;
use utoipa::ToSchema;

/// Metadata: up to 50 string pairs, keys up to 40 characters, values up to 500 (the engine's
/// [`validate::Metadata`]).
pub type Metadata = BTreeMap<String, String>;

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
    pub fn parse(&self) -> anton_engine::Result<BankAccount> {
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
        r.map_err(validate::bank_account)
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

pub(crate) fn double_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}
