//! Money. **Money is never a float**: amounts are integers in the currency's minor unit, and the
//! only way to get an [`Amount`] is [`Amount::new`], which refuses zero, negative and absurd
//! values.

use std::fmt;

use serde::Serialize;

/// Supported currencies (docs/reference.md §2). All three have two decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Currency {
    #[serde(rename = "USD")]
    Usd,
    #[serde(rename = "EUR")]
    Eur,
    #[serde(rename = "GBP")]
    Gbp,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CurrencyError {
    #[error("currency must be an upper-case ISO 4217 code such as \"USD\"")]
    Malformed,
    #[error("currency {0} is not supported; use USD, EUR or GBP")]
    Unsupported(String),
}

impl Currency {
    pub const ALL: [Currency; 3] = [Currency::Usd, Currency::Eur, Currency::Gbp];

    pub fn parse(s: &str) -> Result<Self, CurrencyError> {
        match s {
            "USD" => Ok(Self::Usd),
            "EUR" => Ok(Self::Eur),
            "GBP" => Ok(Self::Gbp),
            _ if s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase()) => {
                Err(CurrencyError::Unsupported(s.to_owned()))
            }
            _ => Err(CurrencyError::Malformed),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Usd => "USD",
            Self::Eur => "EUR",
            Self::Gbp => "GBP",
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A positive amount in minor units (cents, pence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Amount(i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("amount must be a positive integer number of minor units (at least 1)")]
    TooSmall,
    #[error("amount must be at most {max}", max = Amount::MAX_MINOR)]
    TooLarge,
}

impl Amount {
    /// Upper bound for one amount: 100 billion major units. Sums of many amounts still fit `i64`
    /// comfortably (9.2e18), so ledger arithmetic cannot overflow in practice; it is checked
    /// anyway.
    pub const MAX_MINOR: i64 = 10_000_000_000_000;

    pub fn new(minor: i64) -> Result<Self, AmountError> {
        if minor < 1 {
            Err(AmountError::TooSmall)
        } else if minor > Self::MAX_MINOR {
            Err(AmountError::TooLarge)
        } else {
            Ok(Self(minor))
        }
    }

    pub fn minor(self) -> i64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_must_be_positive_and_bounded() {
        assert_eq!(Amount::new(0), Err(AmountError::TooSmall));
        assert_eq!(Amount::new(-5), Err(AmountError::TooSmall));
        assert_eq!(
            Amount::new(Amount::MAX_MINOR + 1),
            Err(AmountError::TooLarge)
        );
        assert_eq!(Amount::new(1).map(Amount::minor), Ok(1));
    }

    #[test]
    fn currencies_are_upper_case_iso_codes() {
        assert_eq!(Currency::parse("EUR"), Ok(Currency::Eur));
        assert_eq!(Currency::parse("usd"), Err(CurrencyError::Malformed));
        assert!(matches!(
            Currency::parse("JPY"),
            Err(CurrencyError::Unsupported(_))
        ));
    }
}
