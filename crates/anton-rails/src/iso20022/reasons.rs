//! What an ISO 20022 reason code means for a payout: each external status reason code (a
//! `pain.002` rejection, `StsRsnInf/Rsn/Cd`) and return reason code (a `camt.054` return,
//! `RtrInf/Rsn/Cd`) as one of Anton's failure codes, which merchants see as `failure_code`. Both
//! code sets share one namespace of four characters (`AC04` means "account closed" in either),
//! so one table serves both. The bank's own code is kept beside it for the operator; this table
//! only chooses the words a merchant acts on.
//!
//! The choices, from the ISO external code set definitions:
//! - `AC04` (account closed) and `MD07` (end customer deceased) are `account_closed`: no one can
//!   receive into the account any more.
//! - `AC03` (invalid creditor account number: the account does not exist at the bank) is
//!   `no_account`.
//! - `AC01` (incorrect account number: wrong format, or an IBAN that is not valid) is
//!   `invalid_account_number`.
//! - `AC06` (account blocked) and `RR04` (regulatory reason: held by law, sanctions) are
//!   `account_frozen`; the funds come back.
//! - Every other code (`AM05` duplicate, `MS03` unspecified, `AG01` forbidden, `FF01` bad file,
//!   …) is `declined`: refused by the receiver or a bank, with nothing the merchant can fix in
//!   the account details.
//!
//! [`reason_for`] goes the other way, for the test bank: the code a bank would send for each
//! failure.

use anton_core::payout::FailureCode;

/// The failure code of ISO reason code `reason` (e.g. `AC04`), or `None` when `reason` is not a
/// reason code at all (four upper-case letters or digits): a report carrying one is refused by
/// its reader before it gets here.
pub fn failure_code(reason: &str) -> Option<FailureCode> {
    if !is_reason_code(reason) {
        return None;
    }
    Some(match reason {
        // The account was closed, or its owner died.
        "AC04" | "MD07" => FailureCode::AccountClosed,
        // The account does not exist at the creditor's bank.
        "AC03" => FailureCode::NoAccount,
        // The number (or IBAN) cannot be an account.
        "AC01" => FailureCode::InvalidAccountNumber,
        // Blocked, or held for a regulatory reason; the funds come back.
        "AC06" | "RR04" => FailureCode::AccountFrozen,
        // Every other reason: refused by the receiver or a bank.
        _ => FailureCode::Declined,
    })
}

/// The reason code a bank sends for `code`: the test bank rejects and returns with it, and
/// [`failure_code`] reads it back as `code`.
///
/// `declined` is `MS03` ("reason not specified"): a bank that refuses without saying why sends
/// it, and it claims nothing about the account (`AG01`, say, would claim the account type
/// forbids the transfer).
pub fn reason_for(code: FailureCode) -> &'static str {
    match code {
        FailureCode::AccountClosed => "AC04",
        FailureCode::NoAccount => "AC03",
        FailureCode::InvalidAccountNumber => "AC01",
        FailureCode::AccountFrozen => "AC06",
        FailureCode::Declined => "MS03",
    }
}

/// Whether `text` has the shape of an ISO external reason code: four upper-case ASCII letters or
/// digits.
fn is_reason_code(text: &str) -> bool {
    text.len() == 4
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// An ISO external status or return reason code, e.g. `AC04`: four upper-case letters or digits.
/// Its code set grows every year, so any code of that shape is accepted; what it means for a
/// payout is [`ReasonCode::failure_code`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReasonCode(String);

impl ReasonCode {
    /// The code in `text`, or `None` when it is not four upper-case letters or digits.
    pub fn parse(text: &str) -> Option<Self> {
        is_reason_code(text).then(|| Self(text.to_owned()))
    }

    /// The code as sent, e.g. `"AC04"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the code means for a payout (see the module documentation).
    pub fn failure_code(&self) -> FailureCode {
        // A `ReasonCode` has the shape `failure_code` wants, so `None` cannot happen; `Declined`
        // is the answer for any code the table does not name anyway.
        failure_code(&self.0).unwrap_or(FailureCode::Declined)
    }
}

impl std::fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a bank rejected or returned a payment (`Rsn`, a choice of an ISO code or the bank's own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// `Rsn/Cd`: an ISO external code.
    Code(ReasonCode),
    /// `Rsn/Prtry`: the bank's own reason (at most 35 characters), which Anton cannot interpret.
    Proprietary(String),
}

impl Reason {
    /// What the reason means for a payout: a code's failure code, and `declined` for a bank's
    /// own reason (it says the bank refused, not what is wrong with the account).
    pub fn failure_code(&self) -> FailureCode {
        match self {
            Self::Code(code) => code.failure_code(),
            Self::Proprietary(_) => FailureCode::Declined,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_codes_map_to_failure_codes() {
        assert_eq!(failure_code("AC04"), Some(FailureCode::AccountClosed));
        assert_eq!(failure_code("MD07"), Some(FailureCode::AccountClosed));
        assert_eq!(failure_code("AC03"), Some(FailureCode::NoAccount));
        assert_eq!(
            failure_code("AC01"),
            Some(FailureCode::InvalidAccountNumber)
        );
        assert_eq!(failure_code("AC06"), Some(FailureCode::AccountFrozen));
        assert_eq!(failure_code("RR04"), Some(FailureCode::AccountFrozen));
        for declined in ["AM05", "MS03", "AG01", "FF01", "AM04", "ZZ99", "1234"] {
            assert_eq!(
                failure_code(declined),
                Some(FailureCode::Declined),
                "{declined}"
            );
        }
        for not_a_code in ["", "AC0", "AC045", "ac04", "AC-4", "R01", " AC04", "ÀC04"] {
            assert_eq!(failure_code(not_a_code), None, "{not_a_code:?}");
        }
    }

    #[test]
    fn every_failure_code_round_trips_through_the_code_a_bank_sends() {
        for code in FailureCode::ALL {
            assert_eq!(failure_code(reason_for(code)), Some(code), "{code:?}");
        }
        for sent in ["AC04", "AC03", "AC01", "AC06", "MS03"] {
            let code = failure_code(sent).expect("a reason code");
            assert_eq!(reason_for(code), sent);
        }
    }

    #[test]
    fn a_reason_code_is_four_upper_case_letters_or_digits() {
        let code = ReasonCode::parse("AC04").expect("a reason code");
        assert_eq!(code.as_str(), "AC04");
        assert_eq!(code.to_string(), "AC04");
        assert_eq!(code.failure_code(), FailureCode::AccountClosed);
        assert_eq!(ReasonCode::parse("ac04"), None);
        assert_eq!(ReasonCode::parse("AC0"), None);
        let own = Reason::Proprietary("KONTO GESCHLOSSEN".into());
        assert_eq!(own.failure_code(), FailureCode::Declined);
        assert_eq!(
            Reason::Code(code).failure_code(),
            FailureCode::AccountClosed
        );
    }
}
