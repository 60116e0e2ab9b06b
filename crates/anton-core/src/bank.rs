//! Bank accounts, parsed rather than stored as given (docs/reference.md §2).
//!
//! - `us_ach`: ABA routing number (9 digits, weighted 3-7-1 checksum) + account number (4–17
//!   digits) + `checking`/`savings`.
//! - `iban`: IBAN validated by the `iban_validate` crate (country length table, BBAN format,
//!   mod-97), plus an optional BIC.
//! - `gb_fps`: sort code (6 digits) + 8-digit account number. (Sort-code modulus checking needs the
//!   licensed VocaLink tables; format is checked here, the rest is the rail's job.)
//!
//! The full account number is sensitive: [`BankAccount`]'s `Debug` prints only the last four
//! digits, and callers get the plaintext only through [`BankAccount::account_secret`], for
//! encryption.

use std::fmt;

use iban::IbanLike;

use crate::money::Currency;

/// Why a bank account was refused. Messages never repeat the number back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BankAccountError {
    #[error("routing_number must be 9 digits with a valid ABA checksum")]
    InvalidRoutingNumber,
    #[error("account_number must be 4 to 17 digits")]
    InvalidUsAccountNumber,
    #[error("account_type must be \"checking\" or \"savings\"")]
    InvalidAccountType,
    #[error("iban is not a valid IBAN (length, format or check digits)")]
    InvalidIban,
    #[error("bic must be 8 or 11 characters: 4 letters, 2-letter country, 2 letters or digits, optional 3-character branch")]
    InvalidBic,
    #[error("sort_code must be 6 digits, optionally written as 12-34-56")]
    InvalidSortCode,
    #[error("account_number must be exactly 8 digits")]
    InvalidGbAccountNumber,
    #[error("currency {0} cannot be paid to a {1} account")]
    CurrencyMismatch(Currency, &'static str),
}

impl BankAccountError {
    /// The request field the error is about, for the error envelope's `param`.
    pub fn param(&self) -> &'static str {
        match self {
            Self::InvalidRoutingNumber => "bank_account[routing_number]",
            Self::InvalidUsAccountNumber | Self::InvalidGbAccountNumber => {
                "bank_account[account_number]"
            }
            Self::InvalidAccountType => "bank_account[account_type]",
            Self::InvalidIban => "bank_account[iban]",
            Self::InvalidBic => "bank_account[bic]",
            Self::InvalidSortCode => "bank_account[sort_code]",
            Self::CurrencyMismatch(..) => "bank_account[currency]",
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRoutingNumber => "invalid_routing_number",
            Self::InvalidUsAccountNumber | Self::InvalidGbAccountNumber => "invalid_account_number",
            Self::InvalidAccountType => "invalid_account_type",
            Self::InvalidIban => "invalid_iban",
            Self::InvalidBic => "invalid_bic",
            Self::InvalidSortCode => "invalid_sort_code",
            Self::CurrencyMismatch(..) => "currency_not_supported_for_account",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AchAccountType {
    Checking,
    Savings,
}

impl AchAccountType {
    pub fn parse(s: &str) -> Result<Self, BankAccountError> {
        match s {
            "checking" => Ok(Self::Checking),
            "savings" => Ok(Self::Savings),
            _ => Err(BankAccountError::InvalidAccountType),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Checking => "checking",
            Self::Savings => "savings",
        }
    }
}

/// The three account kinds, as the API names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankAccountKind {
    UsAch,
    Iban,
    GbFps,
}

impl BankAccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UsAch => "us_ach",
            Self::Iban => "iban",
            Self::GbFps => "gb_fps",
        }
    }
}

/// A parsed, valid bank account. Construct with the `parse_*` functions.
#[derive(Clone, PartialEq, Eq)]
pub enum BankAccount {
    UsAch {
        routing_number: String,
        account_number: String,
        account_type: AchAccountType,
    },
    Iban {
        iban: String,
        bic: Option<String>,
        bank_identifier: Option<String>,
    },
    GbFps {
        sort_code: String,
        account_number: String,
    },
}

impl fmt::Debug for BankAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "BankAccount({}, ****{})",
            self.kind().as_str(),
            self.last4()
        )
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// ABA routing number checksum: 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10).
pub fn aba_checksum_ok(routing: &str) -> bool {
    if routing.len() != 9 || !all_digits(routing) {
        return false;
    }
    let d: Vec<u32> = routing.bytes().map(|b| u32::from(b - b'0')).collect();
    let sum = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8]);
    sum.is_multiple_of(10)
}

fn bic_ok(bic: &str) -> bool {
    let b = bic.as_bytes();
    (b.len() == 8 || b.len() == 11)
        && b[..6].iter().all(u8::is_ascii_uppercase)
        && b[6..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

impl BankAccount {
    pub fn parse_us_ach(
        routing_number: &str,
        account_number: &str,
        account_type: &str,
    ) -> Result<Self, BankAccountError> {
        if !aba_checksum_ok(routing_number) {
            return Err(BankAccountError::InvalidRoutingNumber);
        }
        if !(4..=17).contains(&account_number.len()) || !all_digits(account_number) {
            return Err(BankAccountError::InvalidUsAccountNumber);
        }
        Ok(Self::UsAch {
            routing_number: routing_number.to_owned(),
            account_number: account_number.to_owned(),
            account_type: AchAccountType::parse(account_type)?,
        })
    }

    /// Accepts electronic (`DE89370400440532013000`) or print (`DE89 3704 …`) form, any case.
    pub fn parse_iban(iban: &str, bic: Option<&str>) -> Result<Self, BankAccountError> {
        let compact: String = iban
            .chars()
            .filter(|c| *c != ' ')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let parsed: iban::Iban = compact.parse().map_err(|_| BankAccountError::InvalidIban)?;
        let bic = match bic {
            None => None,
            Some(b) => {
                let b = b.trim().to_ascii_uppercase();
                if !bic_ok(&b) {
                    return Err(BankAccountError::InvalidBic);
                }
                Some(b)
            }
        };
        Ok(Self::Iban {
            iban: parsed.electronic_str().to_owned(),
            bank_identifier: parsed.bank_identifier().map(str::to_owned),
            bic,
        })
    }

    pub fn parse_gb_fps(sort_code: &str, account_number: &str) -> Result<Self, BankAccountError> {
        let sort: String = sort_code.chars().filter(|c| *c != '-').collect();
        if sort.len() != 6 || !all_digits(&sort) || sort_code.len() > 8 {
            return Err(BankAccountError::InvalidSortCode);
        }
        if account_number.len() != 8 || !all_digits(account_number) {
            return Err(BankAccountError::InvalidGbAccountNumber);
        }
        Ok(Self::GbFps {
            sort_code: sort,
            account_number: account_number.to_owned(),
        })
    }

    pub fn kind(&self) -> BankAccountKind {
        match self {
            Self::UsAch { .. } => BankAccountKind::UsAch,
            Self::Iban { .. } => BankAccountKind::Iban,
            Self::GbFps { .. } => BankAccountKind::GbFps,
        }
    }

    /// ISO 3166 country of the account.
    pub fn country(&self) -> String {
        match self {
            Self::UsAch { .. } => "US".into(),
            Self::Iban { iban, .. } => iban[..2].to_owned(),
            Self::GbFps { .. } => "GB".into(),
        }
    }

    /// The currency the rail for this account pays out in.
    pub fn currency(&self) -> Currency {
        match self {
            Self::UsAch { .. } => Currency::Usd,
            Self::Iban { .. } => Currency::Eur,
            Self::GbFps { .. } => Currency::Gbp,
        }
    }

    /// A non-secret identifier of the bank: routing number, BIC (or the IBAN's bank code), sort
    /// code.
    pub fn bank_code(&self) -> Option<String> {
        match self {
            Self::UsAch { routing_number, .. } => Some(routing_number.clone()),
            Self::Iban {
                bic,
                bank_identifier,
                ..
            } => bic.clone().or_else(|| bank_identifier.clone()),
            Self::GbFps { sort_code, .. } => Some(sort_code.clone()),
        }
    }

    pub fn account_type(&self) -> Option<AchAccountType> {
        match self {
            Self::UsAch { account_type, .. } => Some(*account_type),
            _ => None,
        }
    }

    /// The last four characters of the account number (of the IBAN for `iban`).
    pub fn last4(&self) -> &str {
        let n = match self {
            Self::UsAch { account_number, .. } | Self::GbFps { account_number, .. } => {
                account_number.as_str()
            }
            Self::Iban { iban, .. } => iban.as_str(),
        };
        &n[n.len().saturating_sub(4)..]
    }

    /// The canonical, complete account identity: what gets encrypted and fingerprinted. Callers
    /// must not log it.
    pub fn account_secret(&self) -> String {
        match self {
            Self::UsAch {
                routing_number,
                account_number,
                ..
            } => format!("us_ach:{routing_number}:{account_number}"),
            Self::Iban { iban, .. } => format!("iban:{iban}"),
            Self::GbFps {
                sort_code,
                account_number,
            } => format!("gb_fps:{sort_code}:{account_number}"),
        }
    }

    /// The account back from its [`account_secret`](Self::account_secret) (decrypted by the
    /// rail that pays into it), with what the secret does not hold: the ACH account type and
    /// the IBAN's BIC, as stored beside it. Re-checked as when it was created.
    pub fn from_secret(
        secret: &str,
        account_type: Option<&str>,
        bic: Option<&str>,
    ) -> Result<Self, BankAccountError> {
        let mut parts = secret.splitn(3, ':');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("us_ach"), Some(routing), Some(account)) => {
                Self::parse_us_ach(routing, account, account_type.unwrap_or("checking"))
            }
            (Some("iban"), Some(iban), None) => Self::parse_iban(iban, bic),
            (Some("gb_fps"), Some(sort_code), Some(account)) => {
                Self::parse_gb_fps(sort_code, account)
            }
            _ => Err(BankAccountError::InvalidIban),
        }
    }

    /// The routing number, IBAN or sort code and the account number, for the file that pays
    /// into the account. Callers must not log them.
    pub fn parts(&self) -> (&str, Option<&str>) {
        match self {
            Self::UsAch {
                routing_number,
                account_number,
                ..
            } => (routing_number, Some(account_number)),
            Self::Iban { iban, .. } => (iban, None),
            Self::GbFps {
                sort_code,
                account_number,
            } => (sort_code, Some(account_number)),
        }
    }

    /// The BIC given with an IBAN.
    pub fn bic(&self) -> Option<&str> {
        match self {
            Self::Iban { bic, .. } => bic.as_deref(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_comes_back_from_its_secret() {
        let accounts = [
            BankAccount::parse_us_ach("011000015", "000123456789", "savings").expect("ach"),
            BankAccount::parse_iban("DE89 3704 0044 0532 0130 00", Some("cobadeffxxx"))
                .expect("iban"),
            BankAccount::parse_gb_fps("20-00-00", "55779911").expect("gb"),
        ];
        for a in accounts {
            let back = BankAccount::from_secret(
                &a.account_secret(),
                a.account_type().map(AchAccountType::as_str),
                a.bic(),
            )
            .expect("parses back");
            assert_eq!(back, a);
        }
        assert!(BankAccount::from_secret("bogus:1", None, None).is_err());
    }

    #[test]
    fn aba_routing_numbers_are_checksummed() {
        assert!(aba_checksum_ok("110000000"));
        assert!(aba_checksum_ok("021000021"));
        assert!(!aba_checksum_ok("021000022"));
        assert!(!aba_checksum_ok("02100002"));
        assert!(!aba_checksum_ok("02100002a"));
    }

    #[test]
    fn us_accounts_parse_and_redact() {
        let a = BankAccount::parse_us_ach("110000000", "000123456789", "checking").unwrap();
        assert_eq!(a.last4(), "6789");
        assert_eq!(a.country(), "US");
        assert!(!format!("{a:?}").contains("000123456789"));
        assert_eq!(
            BankAccount::parse_us_ach("110000000", "123", "checking"),
            Err(BankAccountError::InvalidUsAccountNumber)
        );
        assert_eq!(
            BankAccount::parse_us_ach("110000000", "1234", "brokerage"),
            Err(BankAccountError::InvalidAccountType)
        );
    }

    #[test]
    fn ibans_are_checked_by_mod_97_and_country_length() {
        let a =
            BankAccount::parse_iban("de89 3704 0044 0532 0130 00", Some("COBADEFFXXX")).unwrap();
        assert_eq!(a.account_secret(), "iban:DE89370400440532013000");
        assert_eq!(a.country(), "DE");
        assert_eq!(a.last4(), "3000");
        assert_eq!(
            BankAccount::parse_iban("DE88370400440532013000", None),
            Err(BankAccountError::InvalidIban)
        );
        assert_eq!(
            BankAccount::parse_iban("DE8937040044053201300", None),
            Err(BankAccountError::InvalidIban)
        );
        assert_eq!(
            BankAccount::parse_iban("DE89370400440532013000", Some("CO1")),
            Err(BankAccountError::InvalidBic)
        );
    }

    #[test]
    fn uk_accounts_need_six_digit_sort_codes_and_eight_digit_numbers() {
        let a = BankAccount::parse_gb_fps("10-88-00", "00012345").unwrap();
        assert_eq!(a.bank_code().as_deref(), Some("108800"));
        assert!(BankAccount::parse_gb_fps("10-88-0", "00012345").is_err());
        assert!(BankAccount::parse_gb_fps("108800", "0001234").is_err());
    }
}
