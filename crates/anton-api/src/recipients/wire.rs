//! Recipient wire types: what the API accepts. The full account number is accepted here and never
//! rendered: the API answers with the engine's [`anton_engine::objects::RecipientOut`].

use std::collections::BTreeMap;

use anton_core::bank::BankAccount;
use anton_engine::openapi as oa;
use anton_engine::validate;
use serde::Deserialize;
use utoipa::ToSchema;

/// Metadata: up to 50 string pairs, keys up to 40 characters, values up to 500 (the engine's
/// [`validate::Metadata`]).
pub type Metadata = BTreeMap<String, String>;

/// A bank account as the client sends it, by `type`: the full details, parsed and checked when
/// given. The account number is stored encrypted and never returned or logged: responses show
/// the `BankAccount` view, with `last4` and a `fingerprint`. The kind decides the currency
/// payouts to it are made in.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[schema(as = BankAccountDetails)]
pub enum BankAccountIn {
    /// A US account paid by ACH, in USD.
    #[schema(title = "UsAchAccountDetails")]
    UsAch {
        /// The 9-digit ABA routing number; its checksum is checked (`invalid_routing_number`).
        #[schema(pattern = "^[0-9]{9}$", examples("110000000"))]
        routing_number: String,
        /// The account number: 4 to 17 digits (`invalid_account_number`).
        #[schema(pattern = "^[0-9]{4,17}$", examples("000123456789"))]
        account_number: String,
        /// `checking` or `savings` (`invalid_account_type`).
        #[schema(value_type = oa::AchAccountTypeSchema)]
        account_type: String,
    },
    /// A SEPA account, identified by its IBAN, paid in EUR.
    #[schema(title = "IbanAccountDetails")]
    Iban {
        /// The IBAN, in electronic (`DE89370400440532013000`) or print form (with spaces), any
        /// case; checked for its country's length, its format and its check digits
        /// (`invalid_iban`).
        #[schema(examples("DE89370400440532013000"))]
        iban: String,
        /// The bank's BIC, optional: 8 or 11 characters — 4-letter bank code, 2-letter country,
        /// 2-character location, optional 3-character branch — any case (`invalid_bic`).
        #[schema(
            pattern = "^\\s*[A-Za-z]{6}[A-Za-z0-9]{2}([A-Za-z0-9]{3})?\\s*$",
            examples("COBADEFFXXX")
        )]
        bic: Option<String>,
    },
    /// A UK account paid by Faster Payments, in GBP.
    #[schema(title = "GbFpsAccountDetails")]
    GbFps {
        /// The 6-digit sort code, optionally written with hyphens (`10-88-00`)
        /// (`invalid_sort_code`).
        #[schema(pattern = "^[0-9]{2}-?[0-9]{2}-?[0-9]{2}$", examples("10-88-00"))]
        sort_code: String,
        /// The account number: exactly 8 digits (`invalid_account_number`).
        #[schema(pattern = "^[0-9]{8}$", examples("00012345"))]
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

/// A new recipient: a name, an optional email, one bank account and your metadata.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RecipientCreate, examples(examples::recipient_create))]
pub struct RecipientIn {
    /// The recipient's name: 1 to 200 characters as sent, not only whitespace
    /// (`parameter_invalid`); no control, bidirectional-formatting or zero-width characters
    /// (`parameter_invalid_characters`). Stored NFC-normalized, surrounding whitespace trimmed.
    #[schema(min_length = 1, max_length = 200, examples("Ada Lovelace"))]
    pub name: String,
    /// The recipient's email address (at most 254 bytes, `local@domain.tld`; `email_invalid`),
    /// or `null` for none.
    #[schema(format = IdnEmail, max_length = 254, examples("ada@example.com"))]
    pub email: Option<String>,
    /// The account to pay.
    #[serde(deserialize_with = "crate::body::object")]
    #[schema(value_type = BankAccountIn)]
    pub bank_account: BankAccountIn,
    /// Your key-value pairs (default: none).
    #[serde(default)]
    #[schema(value_type = oa::MetadataSchema)]
    pub metadata: Metadata,
}

/// Changes to a recipient: absent fields (and `null` ones, `email` aside) stay as they are.
/// `recipient.updated` says what changed.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RecipientUpdate, examples(examples::recipient_update))]
pub struct RecipientPatch {
    /// A new name (as at creation), or absent.
    #[schema(min_length = 1, max_length = 200, examples("Ada King"))]
    pub name: Option<String>,
    /// A new email address, or `null` to remove it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = IdnEmail, max_length = 254)]
    pub email: Option<Option<String>>,
    /// A new bank account, replacing the current one (it gets a new `last4` and
    /// `fingerprint`; existing payouts are not affected).
    #[serde(default, deserialize_with = "crate::body::optional_object")]
    #[schema(value_type = Option<BankAccountIn>)]
    pub bank_account: Option<BankAccountIn>,
    /// New metadata, replacing the whole object.
    #[schema(value_type = Option<oa::MetadataSchema>)]
    pub metadata: Option<Metadata>,
}

/// Request-body examples.
mod examples {
    use serde_json::{json, Value};

    pub fn recipient_create() -> Value {
        json!({
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "bank_account": {
                "type": "us_ach",
                "routing_number": "110000000",
                "account_number": "000123456789",
                "account_type": "checking"
            },
            "metadata": {"vendor_id": "v_1842"}
        })
    }

    pub fn recipient_update() -> Value {
        json!({"email": "ada.king@example.com", "metadata": {"vendor_id": "v_1842", "tier": "gold"}})
    }
}

pub(crate) fn double_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}
