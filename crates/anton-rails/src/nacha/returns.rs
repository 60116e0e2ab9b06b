//! What a returned ACH entry means for its payout: each return reason code (`R01`–`R85`, the
//! Nacha Operating Rules, Appendix Four) as one of Anton's failure codes, which merchants see
//! as `failure_code`. The bank's own code is kept beside it for the operator; this table only
//! chooses the words a merchant acts on.
//!
//! [`reason_for`] goes the other way, for the test bank: the code a bank would send for each
//! failure.

use anton_core::payout::FailureCode;

/// The failure code of return reason `reason` (e.g. `R03`), or `None` when `reason` is not a
/// return reason code at all (the file is then not applied: see the reader's callers).
pub fn failure_code(reason: &str) -> Option<FailureCode> {
    let b = reason.as_bytes();
    if b.len() != 3 || b[0] != b'R' || !b[1].is_ascii_digit() || !b[2].is_ascii_digit() {
        return None;
    }
    Some(match reason {
        // The account was closed, or its owner died (no one can receive into it any more).
        "R02" | "R14" | "R15" => FailureCode::AccountClosed,
        // The bank cannot find the account, or the routing number is not a bank that takes it.
        "R03" | "R13" => FailureCode::NoAccount,
        // The number cannot be an account at that bank.
        "R04" | "R17" => FailureCode::InvalidAccountNumber,
        // Frozen, or held by law (including OFAC); the funds come back.
        "R16" => FailureCode::AccountFrozen,
        // Every other reason: refused by the receiver or the bank (R23, R20, R06, …).
        _ => FailureCode::Declined,
    })
}

/// The return reason code a bank sends for `code`: the test bank returns entries with it, and
/// [`failure_code`] reads it back as `code`.
///
/// `declined` is `R23` ("credit entry refused by receiver"): it claims nothing about the
/// account, where `R20` or `R29`, say, would claim something of its kind or its owner.
pub fn reason_for(code: FailureCode) -> &'static str {
    match code {
        FailureCode::AccountClosed => "R02",
        FailureCode::NoAccount => "R03",
        FailureCode::InvalidAccountNumber => "R04",
        FailureCode::AccountFrozen => "R16",
        FailureCode::Declined => "R23",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_reasons_map_to_failure_codes() {
        assert_eq!(failure_code("R02"), Some(FailureCode::AccountClosed));
        assert_eq!(failure_code("R03"), Some(FailureCode::NoAccount));
        assert_eq!(failure_code("R04"), Some(FailureCode::InvalidAccountNumber));
        assert_eq!(failure_code("R16"), Some(FailureCode::AccountFrozen));
        assert_eq!(failure_code("R23"), Some(FailureCode::Declined));
        assert_eq!(failure_code("R99"), Some(FailureCode::Declined));
        for not_a_reason in ["", "R1", "R100", "C01", "r02", "RX2"] {
            assert_eq!(failure_code(not_a_reason), None, "{not_a_reason}");
        }
    }

    #[test]
    fn every_failure_code_round_trips_through_the_return_reason_a_bank_sends() {
        for code in FailureCode::ALL {
            assert_eq!(failure_code(reason_for(code)), Some(code), "{code:?}");
        }
        for sent in ["R02", "R03", "R04", "R16", "R23"] {
            let code = failure_code(sent).expect("a return reason code");
            assert_eq!(reason_for(code), sent);
        }
    }
}
