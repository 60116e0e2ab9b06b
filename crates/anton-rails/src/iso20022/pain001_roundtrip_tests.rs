//! The writer checked by the reader written without it: every random file (SEPA and UK
//! batches, names of any Unicode prepared by `text`, accounts of every kind) reads back through
//! `pain001_read` to the same batches, payments, amounts and controls; and a fixed set of such
//! files is valid against the official XSD (`ANTON_TEST_PAIN001_XSD`, see `pain001_tests`).

use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use time::Date;

use super::tests::{schema, validate_all};
use super::*;
use crate::iso20022::pain001_read;

/// Valid IBANs of several SEPA countries (each passes `iban_validate`; the writer would refuse
/// one that did not).
const IBANS: [&str; 7] = [
    "DE89370400440532013000",
    "FR1420041010050500013M02606",
    "NL91ABNA0417164300",
    "ES9121000418450200051332",
    "IT60X0542811101000000123456",
    "BE68539007547034",
    "AT611904300234573201",
];
const GB_IBAN: &str = "GB29NWBK60161331926819";
const BICS: [&str; 3] = ["COBADEFFXXX", "BNPAFRPP", "ABNANL2A"];

/// Free text of any Unicode, prepared as the engine will prepare names and descriptions.
fn prepared(max: usize) -> impl Strategy<Value = String> {
    "\\PC{1,90}".prop_map(move |s| {
        let (text, _) = text(&s, max);
        if text.is_empty() {
            "Recipient".to_owned()
        } else {
            text
        }
    })
}

fn id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9?:().,'+-]{0,20}[A-Za-z0-9]"
}

fn scheme() -> impl Strategy<Value = Scheme> {
    prop_oneof![
        Just(Scheme::Sepa),
        // Any four-letter service level but SEPA, which a pound transfer never is.
        (
            of("[A-Z]{4}".prop_filter("not SEPA", |c| c != "SEPA")),
            of("[A-Z]{2,6}")
        )
            .prop_map(|(service_level, local_instrument)| {
                Scheme::Uk {
                    service_level,
                    local_instrument,
                }
            }),
    ]
}

fn account(uk: bool) -> BoxedStrategy<CreditorAccount> {
    let iban = (0..IBANS.len(), of(0..BICS.len())).prop_map(|(i, bic)| CreditorAccount::Iban {
        iban: IBANS[i].to_owned(),
        bic: bic.map(|b| BICS[b].to_owned()),
    });
    if !uk {
        return iban.boxed();
    }
    prop_oneof![
        ("[0-9]{6}", "[0-9]{8}").prop_map(|(sort_code, account_number)| {
            CreditorAccount::SortCodeAccount {
                sort_code,
                account_number,
            }
        }),
        Just(CreditorAccount::Iban {
            iban: GB_IBAN.to_owned(),
            bic: None,
        }),
    ]
    .boxed()
}

fn transfer(uk: bool) -> impl Strategy<Value = Transfer> {
    (
        id(),
        1..=999_999_999_999_i64,
        prepared(NAME_MAX),
        account(uk),
        of(prepared(REMITTANCE_MAX)),
    )
        .prop_map(
            |(instruction_id, amount_minor, creditor_name, creditor_account, remittance)| {
                Transfer {
                    end_to_end_id: instruction_id.clone(),
                    instruction_id,
                    amount_minor,
                    creditor_name,
                    creditor_account,
                    remittance,
                }
            },
        )
}

fn batch() -> impl Strategy<Value = Batch> {
    scheme().prop_flat_map(|scheme| {
        let uk = matches!(scheme, Scheme::Uk { .. });
        (
            Just(scheme),
            any::<bool>(),
            0..3_000_u32,
            prepared(NAME_MAX),
            prop_oneof![
                (0..IBANS.len(), 0..BICS.len())
                    .prop_map(|(i, b)| (IBANS[i].to_owned(), Agent::Bic(BICS[b].to_owned()))),
                "[0-9]{6}".prop_map(|sort_code| (GB_IBAN.to_owned(), Agent::SortCode(sort_code))),
            ],
            vec(transfer(uk), 1..8),
        )
            .prop_map(
                |(scheme, batch_booking, days, name, (iban, agent), transfers)| Batch {
                    id: String::new(),
                    scheme,
                    batch_booking,
                    requested_execution_date: Date::from_calendar_date(
                        2026,
                        time::Month::January,
                        1,
                    )
                    .expect("a date")
                        + time::Duration::days(i64::from(days)),
                    debtor: Debtor { name, iban, agent },
                    transfers,
                },
            )
    })
}

/// A random file; batch and end-to-end ids are made unique by their positions.
fn file() -> impl Strategy<Value = Initiation> {
    (
        id(),
        0..2_000_000_000_i64,
        prepared(NAME_MAX),
        of(id()),
        vec(batch(), 1..4),
    )
        .prop_map(
            |(message_id, seconds, initiating_party_name, initiating_party_id, mut batches)| {
                for (b, batch) in batches.iter_mut().enumerate() {
                    batch.id = format!("{message_id}-B{b}");
                    for (t, transfer) in batch.transfers.iter_mut().enumerate() {
                        transfer.end_to_end_id = format!("E{b}-{t}-{}", transfer.end_to_end_id);
                        transfer.end_to_end_id.truncate(ID_MAX);
                    }
                }
                Initiation {
                    message_id,
                    created_at: OffsetDateTime::from_unix_timestamp(seconds).expect("a time"),
                    initiating_party_name,
                    initiating_party_id,
                    batches,
                }
            },
        )
}

fn assert_reads_back(file: &Initiation, xml: &str) {
    let read = pain001_read::parse(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    assert_eq!(read.message_id, file.message_id);
    assert_eq!(
        read.initiating_party_name.as_deref(),
        Some(file.initiating_party_name.as_str())
    );
    let count: usize = file.batches.iter().map(|b| b.transfers.len()).sum();
    assert_eq!(read.number_of_transactions, count as u64);
    let total: i64 = file
        .batches
        .iter()
        .flat_map(|b| &b.transfers)
        .map(|t| t.amount_minor)
        .sum();
    assert_eq!(read.control_sum_minor, Some(total));
    assert_eq!(read.payments.len(), file.batches.len());
    for (batch, payment) in file.batches.iter().zip(&read.payments) {
        assert_eq!(payment.id, batch.id);
        assert_eq!(payment.batch_booking, Some(batch.batch_booking));
        assert_eq!(
            payment.requested_execution_date,
            batch.requested_execution_date
        );
        assert_eq!(payment.debtor_name, batch.debtor.name);
        assert_eq!(payment.debtor_iban, batch.debtor.iban);
        let debtor_bic = match &batch.debtor.agent {
            Agent::Bic(bic) => Some(bic.clone()),
            Agent::SortCode(_) => None,
        };
        assert_eq!(payment.debtor_bic, debtor_bic);
        let (service_level, local_instrument, charges) = match &batch.scheme {
            Scheme::Sepa => (Some("SEPA".to_owned()), None, "SLEV"),
            Scheme::Uk {
                service_level,
                local_instrument,
            } => (service_level.clone(), local_instrument.clone(), "DEBT"),
        };
        assert_eq!(payment.service_level, service_level);
        assert_eq!(payment.local_instrument, local_instrument);
        assert_eq!(payment.charge_bearer.as_deref(), Some(charges));
        assert_eq!(payment.transactions.len(), batch.transfers.len());
        for (t, r) in batch.transfers.iter().zip(&payment.transactions) {
            assert_eq!(r.instruction_id.as_deref(), Some(t.instruction_id.as_str()));
            assert_eq!(r.end_to_end_id, t.end_to_end_id);
            assert_eq!(r.currency, batch.scheme.currency());
            assert_eq!(r.amount_minor, t.amount_minor);
            assert_eq!(r.creditor_name, t.creditor_name);
            assert_eq!(r.remittance, t.remittance);
            match (&t.creditor_account, &r.creditor_account) {
                (
                    CreditorAccount::Iban { iban, bic },
                    pain001_read::CreditorAccount::Iban(read_iban),
                ) => {
                    assert_eq!(read_iban, iban);
                    assert_eq!(&r.creditor_bic, bic);
                    assert!(r.creditor_clearing.is_none());
                }
                (
                    CreditorAccount::SortCodeAccount {
                        sort_code,
                        account_number,
                    },
                    pain001_read::CreditorAccount::Other { id, scheme },
                ) => {
                    assert_eq!(id, account_number);
                    assert_eq!(scheme.as_deref(), Some("BBAN"));
                    let clearing = r.creditor_clearing.as_ref().expect("a sort code");
                    assert_eq!(clearing.system.as_deref(), Some("GBDSC"));
                    assert_eq!(&clearing.member_id, sort_code);
                    assert!(r.creditor_bic.is_none());
                }
                (written, read) => panic!("wrote {written:?}, read {read:?}"),
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_random_file_reads_back_through_the_independent_reader(file in file()) {
        let xml = render(&file).expect("a generated file renders");
        assert_reads_back(&file, &xml);
    }
}

#[test]
fn random_files_are_valid_against_the_official_schema() {
    let Some(schema) = schema() else { return };
    let mut runner = TestRunner::deterministic();
    let documents: Vec<String> = (0..60)
        .map(|_| {
            let file = file().new_tree(&mut runner).expect("a file").current();
            render(&file).expect("renders")
        })
        .collect();
    validate_all(&schema, &documents);
}
