//! The test bank's contract, whatever the format: answers are deterministic and named after
//! the original; what is not one of Anton's files is refused without being echoed; no account
//! number shows in an error or a `Debug` output.

use time::macros::datetime;

use super::nacha_tests::AT;
use super::*;
use crate::iso20022::pain001_read;

/// The account numbers of the tests' outbound files that must never show (a few of each).
const ACCOUNTS: [&str; 4] = [
    "1234560002",
    "000123456789",
    "55770001",
    "DE89370400440532013000",
];

#[test]
fn answering_twice_gives_byte_identical_answers() {
    for outbound in [nacha_tests::outbound(), iso_tests::outbound()] {
        let first = answer("f", &outbound, AT).expect("answered");
        let second = answer("f", &outbound, AT).expect("answered");
        assert_eq!(first, second);
        assert!(!first.now.is_empty() && !first.after_settlement.is_empty());
    }
}

#[test]
fn answers_to_different_files_have_different_ids() {
    let one = iso_tests::outbound();
    let other = one.replace("ANTON-20261207-1-EUR", "ANTON-20261207-2-EUR");
    let report = |xml: &str| {
        answer("f", xml, AT)
            .expect("answered")
            .now
            .remove(0)
            .contents
    };
    let id = |report: &str| {
        let report = crate::iso20022::pain002::parse(report).expect("reads");
        report.message_id
    };
    assert_ne!(id(&report(&one)), id(&report(&other)));
}

#[test]
fn answers_are_named_after_the_original_with_a_suffix() {
    let answers = answer("ANTON 2026-12-07 #1.ach", &nacha_tests::outbound(), AT).expect("ok");
    assert_eq!(answers.now[0].name, "ANTON 2026-12-07 #1.ach.returns.ach");
    assert_eq!(
        answers.after_settlement[0].name,
        "ANTON 2026-12-07 #1.ach.returns-late.ach"
    );
}

#[test]
fn the_creation_time_is_at_in_utc() {
    let at = datetime!(2026-12-07 10:30:00 -06:00);
    let answers = answer("f", &iso_tests::outbound(), at).expect("answered");
    assert!(answers.now[0]
        .contents
        .contains("<CreDtTm>2026-12-07T16:30:00Z</CreDtTm>"));
    let answers = answer("f", &nacha_tests::outbound(), at).expect("answered");
    assert_eq!(&answers.now[0].contents[23..33], "2612071630");
}

#[test]
fn a_file_that_is_not_one_of_antons_is_refused_without_echoing_it() {
    let secret = "ACCOUNT 1234560002 ROUTING 011000015";
    let pain002 = answer("f", &iso_tests::outbound(), AT)
        .expect("answered")
        .now[0]
        .contents
        .clone();
    let unknown = [
        String::new(),
        secret.to_owned(),
        format!("{{\"account\": \"{secret}\"}}"),
        // The test bank's own answers put back in the outbox.
        pain002,
        format!("<Invoice account=\"{secret}\"/>"),
    ];
    for contents in &unknown {
        let error = answer("f", contents, AT).expect_err("refused");
        assert_eq!(error, TestBankError::UnknownFormat, "{contents}");
        assert_never_shows_an_account(&error);
    }
}

#[test]
fn a_damaged_file_is_refused_without_echoing_an_account() {
    // A NACHA file whose first entry's amount is damaged; a pain.001 whose first creditor IBAN
    // is cut short.
    let nacha = nacha_tests::outbound().replacen("0000001000", "00000010X0", 1);
    let error = answer("f", &nacha, AT).expect_err("refused");
    assert!(matches!(error, TestBankError::Nacha(_)), "{error:?}");
    assert_never_shows_an_account(&error);
    let iso = iso_tests::outbound();
    let first_iban = iso_tests::iban("DE", "370400440532010001");
    let damaged = iso.replacen(&first_iban, &first_iban[..first_iban.len() - 1], 1);
    let error = answer("f", &damaged, AT).expect_err("refused");
    let TestBankError::Pain001(pain001_read::ReadError::InvalidIban { .. }) = &error else {
        panic!("{error:?}");
    };
    assert!(!format!("{error} {error:?}").contains(&first_iban[..20]));
    assert_never_shows_an_account(&error);
}

#[test]
fn a_name_that_is_not_a_plain_file_name_is_refused() {
    let outbound = nacha_tests::outbound();
    let long = "n".repeat(NAME_MAX_BYTES + 1);
    for name in ["", ".", "..", "a/b", "..\\b", "a\0b", long.as_str()] {
        assert_eq!(
            answer(name, &outbound, AT),
            Err(TestBankError::InvalidName),
            "{name:?}"
        );
    }
    let longest = "n".repeat(NAME_MAX_BYTES);
    assert!(answer(&longest, &outbound, AT).is_ok());
}

#[test]
fn a_file_larger_than_the_limit_is_refused_before_it_is_read() {
    let huge = "1".repeat(MAX_FILE_BYTES + 1);
    let size_bytes = MAX_FILE_BYTES + 1;
    assert_eq!(
        answer("f", &huge, AT),
        Err(TestBankError::TooLarge { size_bytes })
    );
}

#[test]
fn debug_shows_names_and_sizes_never_contents() {
    for outbound in [nacha_tests::outbound(), iso_tests::outbound()] {
        let answers = answer("f", &outbound, AT).expect("answered");
        let debug = format!("{answers:?}");
        for account in ACCOUNTS {
            assert!(!debug.contains(account), "{debug}");
        }
        assert!(debug.contains("contents_bytes"), "{debug}");
    }
}

#[test]
fn the_outcome_is_the_simulators_for_the_last_four_characters() {
    use anton_core::payout::{FailureCode, SimulatedOutcome};
    let closed = SimulatedOutcome::Failed(FailureCode::AccountClosed);
    assert_eq!(outcome_for_account("DE02370400440532010002"), closed);
    assert_eq!(outcome_for_account("0002"), closed);
    assert_eq!(
        outcome_for_account("10006"),
        SimulatedOutcome::StaysProcessing
    );
    assert_eq!(outcome_for_account("002"), SimulatedOutcome::Paid);
    assert_eq!(
        outcome_for_account("ÄÖÜ0003"),
        SimulatedOutcome::Failed(FailureCode::NoAccount)
    );
    assert_eq!(outcome_for_account(""), SimulatedOutcome::Paid);
}

/// Fails if `error`'s message or `Debug` holds one of the tests' account numbers.
fn assert_never_shows_an_account(error: &TestBankError) {
    let shown = format!("{error} {error:?}");
    let mut source = std::error::Error::source(error);
    let mut chain = shown.clone();
    while let Some(cause) = source {
        chain.push_str(&format!(" {cause}"));
        source = cause.source();
    }
    for account in ACCOUNTS {
        assert!(!chain.contains(account), "{chain}");
    }
}
