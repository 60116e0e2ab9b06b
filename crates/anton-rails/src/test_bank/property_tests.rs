//! Properties over random outbound files made by Anton's writers, with accounts ending in each
//! of 0001–0006 or anything else: every payment is answered as the simulator would, the
//! answers add up, answering is deterministic, and no input makes the test bank panic.

use anton_core::payout::SimulatedOutcome;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use super::iso_tests::{self, DEBTOR_EUR, DEBTOR_GBP};
use super::nacha_tests::{self, AT};
use super::*;
use crate::iso20022::camt054;
use crate::iso20022::pain001::{CreditorAccount, Transfer};
use crate::nacha::read;
use crate::nacha::write::{self, tests::arb_file};

/// The last four digits that decide an outcome, or any other.
fn last4() -> impl Strategy<Value = String> {
    let deciding = ["0001", "0002", "0003", "0004", "0005", "0006"].map(str::to_owned);
    prop_oneof![select(deciding.to_vec()), "[0-9]{4}"]
}

/// A random NACHA credit file of Anton's writer whose accounts end in `last4()`.
fn ach_file() -> impl Strategy<Value = write::File> {
    (arb_file(), vec(last4(), 1..16)).prop_map(|(mut file, endings)| {
        let entries = file.batches.iter_mut().flat_map(|b| &mut b.entries);
        for (i, entry) in entries.enumerate() {
            // Accounts are 4 to 17 ASCII characters.
            let keep = entry.account_number.len() - 4;
            entry
                .account_number
                .replace_range(keep.., &endings[i % endings.len()]);
        }
        file
    })
}

/// A random payment of a UK batch (`uk`) or a SEPA batch, to an account ending in `last4()`.
fn payment(uk: bool) -> impl Strategy<Value = (String, i64, bool)> {
    (last4(), 1..=10_000_000_000_i64, any::<bool>())
        .prop_map(move |(last4, amount, iban)| (last4, amount, uk && iban))
}

/// A random `pain.001` of Anton's writer: one to three batches, SEPA or UK, booked as one or
/// not, from one of two accounts, each of one to seven payments.
fn pain001_file() -> impl Strategy<Value = String> {
    let batch = any::<bool>().prop_flat_map(|uk| (Just(uk), any::<bool>(), vec(payment(uk), 1..8)));
    vec(batch, 1..4).prop_map(|batches| {
        let batches = (batches.into_iter().enumerate())
            .map(|(b, (uk, batch_booking, payments))| {
                let transfers = (payments.into_iter().enumerate())
                    .map(|(t, (last4, amount, gb_iban))| {
                        let id = format!("{b}-{t}");
                        match (uk, gb_iban) {
                            (false, _) => iso_tests::to_iban(&id, &last4, amount),
                            (true, false) => iso_tests::to_sort_code(&id, &last4, amount),
                            (true, true) => {
                                let bban = format!("NWBK6016133192{last4}");
                                let account = iso_tests::iban("GB", &bban);
                                let mut payment = iso_tests::to_sort_code(&id, &last4, amount);
                                payment.creditor_account = CreditorAccount::Iban {
                                    iban: account,
                                    bic: None,
                                };
                                payment
                            }
                        }
                    })
                    .collect::<Vec<Transfer>>();
                let debtor = if uk { DEBTOR_GBP } else { DEBTOR_EUR };
                iso_tests::batch(&format!("B{b}"), debtor, batch_booking, transfers)
            })
            .collect();
        iso_tests::render(batches)
    })
}

/// The sum of the amounts of the entries of the notification named `*{suffix}`, if any.
fn camt_total(files: &[AnswerFile], suffix: &str) -> i64 {
    let Some(file) = files.iter().find(|f| f.name.ends_with(suffix)) else {
        return 0;
    };
    let read = camt054::parse(&file.contents).expect("reads");
    let entries = read.notifications.iter().flat_map(|n| &n.entries);
    entries.map(|e| e.amount_minor).sum()
}

/// Whatever the test bank answers, the crate's readers read.
fn assert_readable(answers: &Answers) {
    for file in answers.now.iter().chain(&answers.after_settlement) {
        let name = &file.name;
        if name.ends_with(".ach") {
            read::parse(&file.contents).unwrap_or_else(|e| panic!("{name}: {e}"));
        } else if name.ends_with(PAIN002_SUFFIX) {
            let report = crate::iso20022::pain002::parse(&file.contents);
            report.unwrap_or_else(|e| panic!("{name}: {e}"));
        } else {
            camt054::parse(&file.contents).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_ach_files_are_answered_as_the_simulator_would(file in ach_file()) {
        let outbound = write::render(&file).expect("Anton's writer writes the file");
        let answers = answer("f.ach", &outbound, AT).expect("answered");
        prop_assert_eq!(&answers, &answer("f.ach", &outbound, AT).expect("answered"));
        let resolved = nacha_tests::resolve(&outbound, &answers);
        let mut failed_cents = 0;
        let entries = file.batches.iter().flat_map(|b| &b.entries);
        for ((account, outcome), entry) in resolved.iter().zip(entries) {
            prop_assert_eq!(*outcome, nacha_tests::expected(account));
            if let Some(SimulatedOutcome::Failed(_)) = outcome {
                failed_cents += entry.amount_cents;
            }
        }
        let now_cents = (answers.now.iter())
            .map(|f| read::parse(&f.contents).expect("reads").control.total_credit_cents)
            .sum::<u64>();
        prop_assert_eq!(now_cents, failed_cents);
    }

    #[test]
    fn random_pain001_files_are_answered_as_the_simulator_would(outbound in pain001_file()) {
        let answers = answer("f.xml", &outbound, AT).expect("answered");
        prop_assert_eq!(&answers, &answer("f.xml", &outbound, AT).expect("answered"));
        let resolved = iso_tests::resolve(&outbound, &answers);
        let original = crate::iso20022::pain001_read::parse(&outbound).expect("reads");
        let payments = original.payments.iter().flat_map(|p| &p.transactions);
        let (mut paid, mut returned) = (0, 0);
        for ((account, outcome), payment) in resolved.iter().zip(payments) {
            prop_assert_eq!(*outcome, iso_tests::expected(account));
            match outcome {
                SimulatedOutcome::Paid => paid += payment.amount_minor,
                SimulatedOutcome::PaidThenReturned(_) => {
                    paid += payment.amount_minor;
                    returned += payment.amount_minor;
                }
                _ => {}
            }
        }
        prop_assert_eq!(camt_total(&answers.now, CAMT054_SUFFIX), paid);
        let returns = camt_total(&answers.after_settlement, CAMT054_RETURNS_SUFFIX);
        prop_assert_eq!(returns, returned);
    }

    #[test]
    fn any_damaged_file_is_answered_readably_or_refused_never_a_panic(
        nacha in any::<bool>(),
        at in any::<proptest::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<proptest::sample::Index>(),
    ) {
        let text = if nacha { nacha_tests::outbound() } else { iso_tests::outbound() };
        let mut bytes = text.into_bytes();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        let damaged = String::from_utf8_lossy(&bytes).into_owned();
        if let Ok(answers) = answer("f", &damaged, AT) {
            assert_readable(&answers);
        }
        let end = cut.index(damaged.len());
        let end = (0..=end).rev().find(|&k| damaged.is_char_boundary(k)).unwrap_or(0);
        if let Ok(answers) = answer("f", &damaged[..end], AT) {
            assert_readable(&answers);
        }
    }

    #[test]
    fn any_text_is_answered_or_refused_never_a_panic(
        text in "\\PC{0,300}",
        lead in select(vec!["", "1", "<"]),
    ) {
        let _ = answer("f", &format!("{lead}{text}"), AT);
    }
}
