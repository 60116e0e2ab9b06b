//! The test bank's ISO 20022 answers: Anton's own `pain.001` files (made by `pain001::render`)
//! with accounts ending in each of 0001–0006, answered, then read back by `pain002::parse` and
//! `camt054::parse` as the engine will read them.

use std::collections::HashMap;

use anton_core::payout::{FailureCode, SimulatedOutcome};
use time::macros::{date, datetime};
use time::Date;

use super::nacha_tests::AT;
use super::*;
use crate::iso20022::camt054::{self, CreditDebit, EntryStatus};
use crate::iso20022::pain001::{
    self, Agent, Batch, CreditorAccount, Debtor, Initiation, Scheme, Transfer,
};
use crate::iso20022::pain002::{self, Status};

/// Anton's euro account.
pub(super) const DEBTOR_EUR: &str = "DE89370400440532013000";
/// Anton's pound account.
pub(super) const DEBTOR_GBP: &str = "GB29NWBK60161331926819";
/// The day every batch in these tests is executed.
const EXECUTED: Date = date!(2026 - 12 - 08);

/// The IBAN of `country` and `bban`, with its check digits computed (ISO 13616, mod 97).
pub(super) fn iban(country: &str, bban: &str) -> String {
    let remainder = format!("{bban}{country}00").chars().fold(0, |r, c| {
        let value = c.to_digit(36).expect("an IBAN is letters and digits");
        let shift = if value >= 10 { 100 } else { 10 };
        (r * shift + value) % 97
    });
    format!("{country}{:02}{bban}", 98 - remainder)
}

/// A SEPA payment of `amount_minor` cents to a German IBAN ending in `last4`.
pub(super) fn to_iban(id: &str, last4: &str, amount_minor: i64) -> Transfer {
    let account = iban("DE", &format!("37040044053201{last4}"));
    transfer(
        id,
        CreditorAccount::Iban {
            iban: account,
            bic: None,
        },
        amount_minor,
    )
}

/// A UK payment of `amount_minor` pence to an account number ending in `last4`.
pub(super) fn to_sort_code(id: &str, last4: &str, amount_minor: i64) -> Transfer {
    let account = CreditorAccount::SortCodeAccount {
        sort_code: "200000".into(),
        account_number: format!("5577{last4}"),
    };
    transfer(id, account, amount_minor)
}

fn transfer(id: &str, creditor_account: CreditorAccount, amount_minor: i64) -> Transfer {
    Transfer {
        instruction_id: format!("po-{id}"),
        end_to_end_id: format!("E2E-{id}"),
        amount_minor,
        creditor_name: "Ada Lovelace".into(),
        creditor_account,
        remittance: Some("Payout".into()),
    }
}

/// A batch of `transfers` from Anton's account `debtor` (a SEPA batch from the euro account,
/// a UK one from the pound account).
pub(super) fn batch(
    id: &str,
    debtor: &str,
    batch_booking: bool,
    transfers: Vec<Transfer>,
) -> Batch {
    let scheme = if debtor.starts_with("GB") {
        Scheme::Uk {
            service_level: Some("NURG".into()),
            local_instrument: Some("FPS".into()),
        }
    } else {
        Scheme::Sepa
    };
    Batch {
        id: id.into(),
        scheme,
        batch_booking,
        requested_execution_date: EXECUTED,
        debtor: Debtor {
            name: "Anton Payouts".into(),
            iban: debtor.into(),
            agent: Agent::Bic("COBADEFFXXX".into()),
        },
        transfers,
    }
}

/// Anton's `pain.001` of `batches`, rendered by Anton's writer.
pub(super) fn render(batches: Vec<Batch>) -> String {
    let file = Initiation {
        message_id: "ANTON-20261207-1".into(),
        created_at: datetime!(2026-12-07 15:00:05 +01:00),
        initiating_party_name: "Anton Payouts".into(),
        initiating_party_id: None,
        batches,
    };
    pain001::render(&file).expect("Anton's writer writes the file")
}

/// Anton's file: a batch-booked SEPA batch and a UK batch booked payment by payment, each with
/// accounts ending in 0001–0006 and one paid account more.
pub(super) fn outbound() -> String {
    let eur = ["0001", "0002", "0003", "0004", "0005", "0006", "1234"];
    let eur = (eur.iter().enumerate())
        .map(|(n, last4)| to_iban(&format!("eur-{n}"), last4, 1_000 * (n as i64 + 1)))
        .collect();
    let mut gbp: Vec<Transfer> = (["0001", "0002", "0003", "0004", "0005", "0006"].iter())
        .enumerate()
        .map(|(n, last4)| to_sort_code(&format!("gbp-{n}"), last4, 100 * (n as i64 + 1) + 7))
        .collect();
    let gb_iban = iban("GB", "NWBK60161331920004");
    let gb_account = CreditorAccount::Iban {
        iban: gb_iban,
        bic: None,
    };
    gbp.push(transfer("gbp-iban", gb_account, 99_999));
    render(vec![
        batch("ANTON-20261207-1-EUR", DEBTOR_EUR, true, eur),
        batch("ANTON-20261207-1-GBP", DEBTOR_GBP, false, gbp),
    ])
}

/// One payment booked in a notification.
struct Booked {
    amount_minor: i64,
    /// The `Ntfctn`'s account.
    account: String,
    /// The `RtrInf` reason's failure code, for a return.
    returned_because: Option<FailureCode>,
}

/// The transactions booked in the answer named `*{suffix}`, by `EndToEndId`; each entry is
/// checked to be booked in `direction`.
fn booked(files: &[AnswerFile], suffix: &str, direction: CreditDebit) -> HashMap<String, Booked> {
    let mut booked = HashMap::new();
    let Some(file) = files.iter().find(|f| f.name.ends_with(suffix)) else {
        return booked;
    };
    let read = camt054::parse(&file.contents)
        .unwrap_or_else(|e| panic!("{}: {e}\n{}", file.name, file.contents));
    assert_eq!(read.version, 8);
    for notification in &read.notifications {
        for entry in &notification.entries {
            assert_eq!(
                (entry.status, entry.credit_debit),
                (EntryStatus::Booked, direction)
            );
            for tx in entry.transactions() {
                assert_eq!(tx.credit_debit, direction);
                let id = tx.end_to_end_id.clone().expect("an EndToEndId");
                let returned_because = (tx.return_information.as_ref())
                    .map(|r| r.reason.as_ref().expect("a reason").failure_code());
                let value = Booked {
                    amount_minor: tx.amount_minor.expect("an amount"),
                    account: notification.account.as_str().to_owned(),
                    returned_because,
                };
                assert!(booked.insert(id, value).is_none(), "a payment booked twice");
            }
        }
    }
    booked
}

/// What `answers` say happened to each payment of `original` (by creditor account), read as
/// the engine reads them: the status report's transaction status, a booked debit for a payment
/// accepted, and a booked return credit after settlement. Every combination that contradicts
/// itself fails the test.
pub(super) fn resolve(original: &str, answers: &Answers) -> Vec<(String, SimulatedOutcome)> {
    let original = pain001_read::parse(original).expect("the original reads");
    let report = answers
        .now
        .iter()
        .find(|f| f.name.ends_with(PAIN002_SUFFIX));
    let report = pain002::parse(&report.expect("a status report").contents).expect("reads");
    assert_eq!(report.original_message_id, original.message_id);
    assert_eq!(report.original_message_name_id, "pain.001.001.09");
    let statuses: HashMap<&str, _> = (report.payment_informations.iter())
        .flat_map(|b| &b.transactions)
        .map(|t| (t.original_end_to_end_id.as_str(), t))
        .collect();
    let mut debits = booked(&answers.now, CAMT054_SUFFIX, CreditDebit::Debit);
    let mut credits = booked(
        &answers.after_settlement,
        CAMT054_RETURNS_SUFFIX,
        CreditDebit::Credit,
    );
    let mut resolved = Vec::new();
    for batch in &original.payments {
        for payment in &batch.transactions {
            let id = payment.end_to_end_id.as_str();
            let status = statuses.get(id).expect("every payment is listed");
            let (debit, credit) = (debits.remove(id), credits.remove(id));
            for booking in debit.iter().chain(&credit) {
                assert_eq!(booking.amount_minor, payment.amount_minor);
                assert_eq!(booking.account, batch.debtor_iban);
            }
            let outcome = match (status.status, debit, credit) {
                (Status::Rejected, None, None) => {
                    let reason = status.reasons[0].reason.as_ref().expect("a reason");
                    SimulatedOutcome::Failed(reason.failure_code())
                }
                (Status::Pending, None, None) => SimulatedOutcome::StaysProcessing,
                (Status::AcceptedCustomerProfile, Some(debit), None) => {
                    assert!(debit.returned_because.is_none());
                    SimulatedOutcome::Paid
                }
                (Status::AcceptedCustomerProfile, Some(_), Some(credit)) => {
                    let code = credit.returned_because.expect("a return reason");
                    SimulatedOutcome::PaidThenReturned(code)
                }
                (status, debit, credit) => panic!(
                    "{id}: {status}, debited {}, credited {}",
                    debit.is_some(),
                    credit.is_some()
                ),
            };
            let account = match &payment.creditor_account {
                pain001_read::CreditorAccount::Iban(iban) => iban.clone(),
                pain001_read::CreditorAccount::Other { id, .. } => id.clone(),
            };
            resolved.push((account, outcome));
        }
    }
    assert!(
        debits.is_empty() && credits.is_empty(),
        "bookings of payments not in the file"
    );
    resolved
}

/// The simulator's outcome for a payment to `account`.
pub(super) fn expected(account: &str) -> SimulatedOutcome {
    SimulatedOutcome::for_last4(&account[account.len().saturating_sub(4)..])
}

#[test]
fn every_iso_payment_is_answered_as_the_simulator_would() {
    let outbound = outbound();
    let answers = answer("ANTON-20261207-1.xml", &outbound, AT).expect("answered");
    let resolved = resolve(&outbound, &answers);
    assert_eq!(resolved.len(), 14);
    for (account, outcome) in &resolved {
        assert_eq!(
            *outcome,
            expected(account),
            "account ending {}",
            &account[account.len() - 4..]
        );
    }
    let names = |files: &[AnswerFile]| files.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&answers.now),
        [
            "ANTON-20261207-1.xml.pain002.xml",
            "ANTON-20261207-1.xml.camt054.xml"
        ]
    );
    assert_eq!(
        names(&answers.after_settlement),
        ["ANTON-20261207-1.xml.camt054-returns.xml"]
    );
    assert_eq!(answers.settles_on, EXECUTED);
}

#[test]
fn the_status_report_summarises_the_group_and_each_batch() {
    let report = |batches| {
        let answers = answer("f.xml", &render(batches), AT).expect("answered");
        pain002::parse(&answers.now[0].contents).expect("reads")
    };
    let mixed =
        pain002::parse(&answer("f.xml", &outbound(), AT).expect("answered").now[0].contents)
            .expect("reads");
    assert_eq!(mixed.version, 10);
    assert_eq!(
        mixed.message_id,
        Fingerprint::of(&outbound()).message_id("PSR")
    );
    assert_eq!(mixed.created_at.local, datetime!(2026-12-07 16:30:00));
    assert_eq!(mixed.group_status, Some(Status::PartiallyAccepted));
    let batch_statuses: Vec<_> = mixed
        .payment_informations
        .iter()
        .map(|b| b.status)
        .collect();
    assert_eq!(batch_statuses, [Some(Status::PartiallyAccepted); 2]);
    assert_eq!(
        mixed.payment_informations[0].original_payment_information_id,
        "ANTON-20261207-1-EUR"
    );
    let first = &mixed.payment_informations[0].transactions[0];
    assert_eq!(first.original_instruction_id.as_deref(), Some("po-eur-0"));
    // Everything rejected: the group and the batch are, and each payment is still listed.
    let eur = vec![to_iban("a", "0002", 100), to_iban("b", "0003", 200)];
    let rejected = report(vec![batch("B1", DEBTOR_EUR, true, eur)]);
    assert!(rejected.rejects_whole_message());
    assert_eq!(
        rejected.payment_informations[0].status,
        Some(Status::Rejected)
    );
    let listed = &rejected.payment_informations[0].transactions;
    let codes: Vec<_> = (listed.iter())
        .map(|t| {
            (
                t.status,
                t.reasons[0].reason.as_ref().map(|r| r.failure_code()),
            )
        })
        .collect();
    let closed = (Status::Rejected, Some(FailureCode::AccountClosed));
    assert_eq!(
        codes,
        [closed, (Status::Rejected, Some(FailureCode::NoAccount))]
    );
    // Nothing rejected (paid, returned later, pending): accepted.
    let gbp = ["0001", "0005", "0006"]
        .map(|l| to_sort_code(l, l, 100))
        .to_vec();
    let accepted = report(vec![batch("B1", DEBTOR_GBP, false, gbp)]);
    assert_eq!(accepted.group_status, Some(Status::AcceptedCustomerProfile));
    assert_eq!(
        accepted.payment_informations[0].status,
        Some(Status::AcceptedCustomerProfile)
    );
}

#[test]
fn a_batch_booked_as_one_is_one_debit_with_the_batch_and_each_payment() {
    let answers = answer("f.xml", &outbound(), AT).expect("answered");
    let read = camt054::parse(&answers.now[1].contents).expect("reads");
    assert_eq!(
        read.message_id,
        Fingerprint::of(&outbound()).message_id("NTF")
    );
    let accounts: Vec<&str> = read
        .notifications
        .iter()
        .map(|n| n.account.as_str())
        .collect();
    assert_eq!(accounts, [DEBTOR_EUR, DEBTOR_GBP]);
    let [entry] = read.notifications[0].entries.as_slice() else {
        panic!("one batch entry")
    };
    // Paid: the payments ending 0001, 0005 and 1234 (1,000 + 5,000 + 7,000 cents).
    assert_eq!(entry.amount_minor, 13_000);
    assert_eq!(entry.booking_date, Some(EXECUTED));
    assert!(entry.account_servicer_reference.is_some());
    let [details] = entry.details.as_slice() else {
        panic!("one NtryDtls")
    };
    let btch = details.batch.as_ref().expect("the batch");
    assert_eq!(btch.message_id.as_deref(), Some("ANTON-20261207-1"));
    assert_eq!(
        btch.payment_information_id.as_deref(),
        Some("ANTON-20261207-1-EUR")
    );
    assert_eq!(
        (btch.transaction_count, btch.total_minor),
        (Some(3), Some(13_000))
    );
    assert_eq!(btch.credit_debit, Some(CreditDebit::Debit));
    let ids: Vec<_> = (details.transactions.iter())
        .map(|t| {
            (
                t.end_to_end_id.as_deref(),
                t.instruction_id.as_deref(),
                t.amount_minor,
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            (Some("E2E-eur-0"), Some("po-eur-0"), Some(1_000)),
            (Some("E2E-eur-4"), Some("po-eur-4"), Some(5_000)),
            (Some("E2E-eur-6"), Some("po-eur-6"), Some(7_000)),
        ]
    );
    let refs = &details.transactions[0];
    assert_eq!(refs.message_id.as_deref(), Some("ANTON-20261207-1"));
    assert_eq!(
        refs.payment_information_id.as_deref(),
        Some("ANTON-20261207-1-EUR")
    );
}

#[test]
fn payments_not_batch_booked_are_one_debit_each() {
    let answers = answer("f.xml", &outbound(), AT).expect("answered");
    let read = camt054::parse(&answers.now[1].contents).expect("reads");
    let entries = &read.notifications[1].entries;
    // Paid: the sort-code accounts ending 0001 (107 pence) and 0005 (507).
    let amounts: Vec<_> = entries.iter().map(|e| e.amount_minor).collect();
    assert_eq!(amounts, [107, 507]);
    for entry in entries {
        let [details] = entry.details.as_slice() else {
            panic!("one NtryDtls")
        };
        assert!(details.batch.is_none());
        let [tx] = details.transactions.as_slice() else {
            panic!("one TxDtls")
        };
        assert_eq!(
            tx.payment_information_id.as_deref(),
            Some("ANTON-20261207-1-GBP")
        );
        assert_eq!(tx.amount_minor, Some(entry.amount_minor));
        assert_eq!(entry.currency.to_string(), "GBP");
    }
}

#[test]
fn returns_are_booked_credits_with_their_reason_after_settlement() {
    let answers = answer("f.xml", &outbound(), AT).expect("answered");
    let read = camt054::parse(&answers.after_settlement[0].contents).expect("reads");
    assert_eq!(
        read.message_id,
        Fingerprint::of(&outbound()).message_id("RTN")
    );
    let returned: Vec<_> = (read.notifications.iter())
        .flat_map(|n| n.entries.iter().map(move |e| (n.account.as_str(), e)))
        .map(|(account, e)| {
            let tx = e.transactions().next().expect("a TxDtls");
            let reason = tx
                .return_information
                .as_ref()
                .and_then(|r| r.reason.as_ref());
            let code = reason.map(|r| r.failure_code());
            (
                account,
                e.credit_debit,
                e.amount_minor,
                e.booking_date,
                tx.end_to_end_id.as_deref(),
                code,
            )
        })
        .collect();
    let late = Some(date!(2026 - 12 - 10));
    let frozen = Some(FailureCode::AccountFrozen);
    assert_eq!(
        returned,
        [
            (
                DEBTOR_EUR,
                CreditDebit::Credit,
                5_000,
                late,
                Some("E2E-eur-4"),
                frozen
            ),
            (
                DEBTOR_GBP,
                CreditDebit::Credit,
                507,
                late,
                Some("E2E-gbp-4"),
                frozen
            ),
        ]
    );
    assert!(answers.after_settlement[0]
        .contents
        .contains("<Cd>AC06</Cd>"));
}

#[test]
fn a_file_with_nothing_paid_gets_a_status_report_only() {
    let eur = vec![to_iban("a", "0002", 100), to_iban("b", "0006", 200)];
    let answers = answer(
        "f.xml",
        &render(vec![batch("B1", DEBTOR_EUR, true, eur)]),
        AT,
    );
    let answers = answers.expect("answered");
    let names: Vec<_> = answers.now.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["f.xml.pain002.xml"]);
    assert!(answers.after_settlement.is_empty());
}

#[test]
fn ids_are_escaped_and_read_back_as_written() {
    let mut payment = to_iban("x", "0005", 100);
    payment.end_to_end_id = "E2E-O'Brien".into();
    let outbound = render(vec![batch("B1", DEBTOR_EUR, false, vec![payment])]);
    let answers = answer("f.xml", &outbound, AT).expect("answered");
    for file in answers.now.iter().chain(&answers.after_settlement) {
        assert!(file.contents.contains("E2E-O&apos;Brien"), "{}", file.name);
    }
    let resolved = resolve(&outbound, &answers);
    assert_eq!(
        resolved[0].1,
        SimulatedOutcome::PaidThenReturned(FailureCode::AccountFrozen)
    );
}

#[test]
fn the_iban_helper_computes_known_check_digits() {
    assert_eq!(iban("DE", "370400440532013000"), DEBTOR_EUR);
    assert_eq!(iban("GB", "NWBK60161331926819"), DEBTOR_GBP);
}
