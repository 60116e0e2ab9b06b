//! Rules on values that more than one use case accepts: amounts, currencies, names, emails,
//! descriptions, metadata, bank accounts and list positions. Each returns the value parsed or the
//! refusal that names the parameter.

use std::collections::BTreeMap;

use anton_core::bank::BankAccountError;
use anton_core::money::{Amount, AmountError, Currency, CurrencyError};
use anton_store::list::{Listed, Page};
use anton_store::{Store, Tenant};

use crate::error::{EngineError, Result};

/// Metadata: up to 50 string pairs, keys up to 40 characters, values up to 500.
pub type Metadata = BTreeMap<String, String>;

/// Most metadata pairs.
const METADATA_KEYS_MAX: usize = 50;
/// Longest description (payouts, endpoints), in characters.
pub(crate) const DESCRIPTION_CHARS_MAX: usize = 500;

/// A payout amount in minor units.
pub fn amount(v: i64) -> Result<Amount> {
    Amount::new(v).map_err(|e| {
        let code = match e {
            AmountError::TooSmall => "amount_too_small",
            AmountError::TooLarge => "amount_too_large",
        };
        EngineError::invalid(code, e.to_string(), "amount")
    })
}

/// A supported currency.
pub fn currency(v: &str) -> Result<Currency> {
    Currency::parse(v).map_err(|e| {
        let code = match e {
            CurrencyError::Malformed => "currency_invalid",
            CurrencyError::Unsupported(_) => "currency_not_supported",
        };
        EngineError::invalid(code, e.to_string(), "currency")
    })
}

pub fn metadata(m: &Metadata) -> Result<()> {
    if m.len() > METADATA_KEYS_MAX {
        return Err(EngineError::invalid(
            "metadata_invalid",
            "metadata holds at most 50 keys",
            "metadata",
        ));
    }
    for (k, v) in m {
        if k.is_empty() || k.chars().count() > 40 || v.chars().count() > 500 {
            return Err(EngineError::invalid(
                "metadata_invalid",
                "metadata keys are 1 to 40 characters and values at most 500",
                "metadata",
            ));
        }
    }
    Ok(())
}

/// Metadata as stored (JSON object text).
pub(crate) fn metadata_text(m: &Metadata) -> String {
    serde_json::to_string(m).unwrap_or_else(|_| "{}".into())
}

/// A recipient's name: 1 to 200 characters once trimmed.
pub fn name(name: &str) -> Result<()> {
    let n = name.trim().chars().count();
    if n == 0 || n > 200 {
        return Err(EngineError::invalid(
            "parameter_invalid",
            "name must be 1 to 200 characters",
            "name",
        ));
    }
    Ok(())
}

pub fn email(email: &str) -> Result<()> {
    let ok = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(EngineError::invalid(
            "email_invalid",
            "email is not a valid email address",
            "email",
        ))
    }
}

/// At most [`DESCRIPTION_CHARS_MAX`] characters, refused with `code`.
pub(crate) fn description(d: Option<&str>, code: &'static str) -> Result<()> {
    if d.is_some_and(|d| d.chars().count() > DESCRIPTION_CHARS_MAX) {
        return Err(EngineError::invalid(
            code,
            "description is at most 500 characters",
            "description",
        ));
    }
    Ok(())
}

/// A bank account that did not parse, as the refusal naming its field.
pub fn bank_account(e: BankAccountError) -> EngineError {
    EngineError::invalid(e.code(), e.to_string(), e.param())
}

/// What page of a list to read: at most `limit` objects (1 to 100), newest first, after the
/// object `starting_after`, created within the range.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub limit: i64,
    pub starting_after: Option<String>,
    pub created_gte_us: Option<i64>,
    pub created_lt_us: Option<i64>,
}

impl ListQuery {
    /// The store page. `starting_after` must be the tenant's own object of this list's kind; an id
    /// of another kind is refused before any lookup, an unknown one after a scoped lookup.
    pub(crate) async fn page(&self, store: &Store, table: Listed, tenant: &Tenant) -> Result<Page> {
        let after = match &self.starting_after {
            None => None,
            Some(id) if !table.is_id(id) => return Err(bad_cursor(id)),
            Some(id) => Some(
                anton_store::list::cursor(store.read(), table, tenant, id)
                    .await?
                    .ok_or_else(|| bad_cursor(id))?,
            ),
        };
        Ok(Page {
            limit: self.limit,
            after,
            created_gte_us: self.created_gte_us,
            created_lt_us: self.created_lt_us,
        })
    }
}

fn bad_cursor(id: &str) -> EngineError {
    EngineError::invalid(
        "parameter_invalid",
        format!("starting_after: no such object '{id}'"),
        "starting_after",
    )
}

/// A page of a list, and whether more follow.
#[derive(Debug, Clone)]
pub struct Listing<T> {
    pub data: Vec<T>,
    pub has_more: bool,
}

impl<T> Listing<T> {
    /// The page from the `limit + 1` rows a store list read.
    pub(crate) fn of(rows: Vec<T>, limit: i64) -> Self {
        let (data, has_more) = anton_store::list::paged(rows, limit);
        Self { data, has_more }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Listing<U> {
        Listing {
            data: self.data.into_iter().map(f).collect(),
            has_more: self.has_more,
        }
    }
}
