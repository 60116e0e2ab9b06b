//! The writer on its own: a small file spelled out element by element, each refusal, text
//! preparation, and every kind of file validated against the official `pain.001.001.09` XSD
//! by libxml2's `xmllint`. The independent reader's round trip is in `pain001_roundtrip_tests`.
//!
//! `ANTON_TEST_PAIN001_XSD` names the schema file (`.ci/run` fetches it and sets the variable,
//! so a missing schema or `xmllint` fails there); without it the XSD test says so and passes.

use std::path::PathBuf;
use std::process::Command;

use time::macros::{date, datetime};

use super::*;

pub(super) const DEBTOR_IBAN: &str = "DE89370400440532013000";
pub(super) const FR_IBAN: &str = "FR1420041010050500013M02606";
pub(super) const GB_IBAN: &str = "GB29NWBK60161331926819";

pub(super) fn debtor() -> Debtor {
    Debtor {
        name: "Anton Payouts GmbH".into(),
        iban: DEBTOR_IBAN.into(),
        agent: Agent::Bic("COBADEFFXXX".into()),
    }
}

pub(super) fn sepa_file() -> Initiation {
    Initiation {
        message_id: "ANTON-20261207-EUR-1".into(),
        created_at: datetime!(2026-12-07 15:00:05 +01:00),
        initiating_party_name: "Anton Payouts GmbH".into(),
        initiating_party_id: Some("CUST12345".into()),
        batches: vec![Batch {
            id: "ANTON-20261207-EUR-1-B1".into(),
            scheme: Scheme::Sepa,
            batch_booking: true,
            requested_execution_date: date!(2026 - 12 - 08),
            debtor: debtor(),
            transfers: vec![
                Transfer {
                    instruction_id: "po-01JABC".into(),
                    end_to_end_id: "po-01JABC".into(),
                    amount_minor: 12_345,
                    creditor_name: "Francoise Lefevre".into(),
                    creditor_account: CreditorAccount::Iban {
                        iban: FR_IBAN.into(),
                        bic: Some("BNPAFRPP".into()),
                    },
                    remittance: Some("Invoice 42".into()),
                },
                Transfer {
                    instruction_id: "po-01JABD".into(),
                    end_to_end_id: "po-01JABD".into(),
                    amount_minor: 5,
                    creditor_name: "Jan de Vries".into(),
                    creditor_account: CreditorAccount::Iban {
                        iban: "NL91ABNA0417164300".into(),
                        bic: None,
                    },
                    remittance: None,
                },
            ],
        }],
    }
}

pub(super) fn uk_batch() -> Batch {
    Batch {
        id: "ANTON-20261207-GBP-1-B1".into(),
        scheme: Scheme::Uk {
            service_level: Some("NURG".into()),
            local_instrument: Some("FPS".into()),
        },
        batch_booking: false,
        requested_execution_date: date!(2026 - 12 - 07),
        debtor: Debtor {
            name: "Anton Payouts Ltd".into(),
            iban: GB_IBAN.into(),
            agent: Agent::SortCode("601613".into()),
        },
        transfers: vec![
            Transfer {
                instruction_id: "po-01JUK1".into(),
                end_to_end_id: "po-01JUK1".into(),
                amount_minor: 100_000,
                creditor_name: "Ada Lovelace".into(),
                creditor_account: CreditorAccount::SortCodeAccount {
                    sort_code: "200000".into(),
                    account_number: "55779911".into(),
                },
                remittance: Some("Royalties (November)".into()),
            },
            Transfer {
                instruction_id: "po-01JUK2".into(),
                end_to_end_id: "po-01JUK2".into(),
                amount_minor: 250,
                creditor_name: "Babbage + Co".into(),
                creditor_account: CreditorAccount::Iban {
                    iban: GB_IBAN.into(),
                    bic: None,
                },
                remittance: None,
            },
        ],
    }
}

#[test]
fn a_sepa_file_element_by_element() {
    let xml = render(&sepa_file()).expect("renders");
    let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09">
  <CstmrCdtTrfInitn>
    <GrpHdr>
      <MsgId>ANTON-20261207-EUR-1</MsgId>
      <CreDtTm>2026-12-07T14:00:05Z</CreDtTm>
      <NbOfTxs>2</NbOfTxs>
      <CtrlSum>123.50</CtrlSum>
      <InitgPty>
        <Nm>Anton Payouts GmbH</Nm>
        <Id>
          <OrgId>
            <Othr>
              <Id>CUST12345</Id>
            </Othr>
          </OrgId>
        </Id>
      </InitgPty>
    </GrpHdr>
    <PmtInf>
      <PmtInfId>ANTON-20261207-EUR-1-B1</PmtInfId>
      <PmtMtd>TRF</PmtMtd>
      <BtchBookg>true</BtchBookg>
      <NbOfTxs>2</NbOfTxs>
      <CtrlSum>123.50</CtrlSum>
      <PmtTpInf>
        <SvcLvl>
          <Cd>SEPA</Cd>
        </SvcLvl>
      </PmtTpInf>
      <ReqdExctnDt>
        <Dt>2026-12-08</Dt>
      </ReqdExctnDt>
      <Dbtr>
        <Nm>Anton Payouts GmbH</Nm>
      </Dbtr>
      <DbtrAcct>
        <Id>
          <IBAN>DE89370400440532013000</IBAN>
        </Id>
      </DbtrAcct>
      <DbtrAgt>
        <FinInstnId>
          <BICFI>COBADEFFXXX</BICFI>
        </FinInstnId>
      </DbtrAgt>
      <ChrgBr>SLEV</ChrgBr>
      <CdtTrfTxInf>
        <PmtId>
          <InstrId>po-01JABC</InstrId>
          <EndToEndId>po-01JABC</EndToEndId>
        </PmtId>
        <Amt>
          <InstdAmt Ccy="EUR">123.45</InstdAmt>
        </Amt>
        <CdtrAgt>
          <FinInstnId>
            <BICFI>BNPAFRPP</BICFI>
          </FinInstnId>
        </CdtrAgt>
        <Cdtr>
          <Nm>Francoise Lefevre</Nm>
        </Cdtr>
        <CdtrAcct>
          <Id>
            <IBAN>FR1420041010050500013M02606</IBAN>
          </Id>
        </CdtrAcct>
        <RmtInf>
          <Ustrd>Invoice 42</Ustrd>
        </RmtInf>
      </CdtTrfTxInf>
      <CdtTrfTxInf>
        <PmtId>
          <InstrId>po-01JABD</InstrId>
          <EndToEndId>po-01JABD</EndToEndId>
        </PmtId>
        <Amt>
          <InstdAmt Ccy="EUR">0.05</InstdAmt>
        </Amt>
        <Cdtr>
          <Nm>Jan de Vries</Nm>
        </Cdtr>
        <CdtrAcct>
          <Id>
            <IBAN>NL91ABNA0417164300</IBAN>
          </Id>
        </CdtrAcct>
      </CdtTrfTxInf>
    </PmtInf>
  </CstmrCdtTrfInitn>
</Document>
"#;
    assert_eq!(xml, expected);
}

#[test]
fn a_uk_batch_pays_sort_codes_with_the_banks_codes() {
    let mut file = sepa_file();
    file.batches = vec![uk_batch()];
    let xml = render(&file).expect("renders");
    for fragment in [
        "<PmtTpInf>\n        <SvcLvl>\n          <Cd>NURG</Cd>\n        </SvcLvl>\n        \
         <LclInstrm>\n          <Prtry>FPS</Prtry>\n        </LclInstrm>\n      </PmtTpInf>",
        "<BtchBookg>false</BtchBookg>",
        "<ChrgBr>DEBT</ChrgBr>",
        "<InstdAmt Ccy=\"GBP\">1000.00</InstdAmt>",
        "<InstdAmt Ccy=\"GBP\">2.50</InstdAmt>",
        "<ClrSysMmbId>\n              <ClrSysId>\n                <Cd>GBDSC</Cd>\n              \
         </ClrSysId>\n              <MmbId>200000</MmbId>",
        "<Othr>\n              <Id>55779911</Id>\n              <SchmeNm>\n                \
         <Cd>BBAN</Cd>",
        "<CtrlSum>1002.50</CtrlSum>",
    ] {
        assert!(xml.contains(fragment), "missing {fragment:?} in\n{xml}");
    }
    // Without the bank's codes there is no payment type at all.
    file.batches[0].scheme = Scheme::Uk {
        service_level: None,
        local_instrument: None,
    };
    assert!(!render(&file).expect("renders").contains("PmtTpInf"));
}

fn refusal(change: impl FnOnce(&mut Initiation)) -> WriteError {
    let mut file = sepa_file();
    file.batches.push(uk_batch());
    change(&mut file);
    render(&file).expect_err("refused")
}

fn field_refusal(path: &str, problem: Problem) -> WriteError {
    WriteError::Field {
        path: path.into(),
        problem,
    }
}

#[test]
fn every_value_that_breaks_the_rules_is_refused_by_its_path() {
    let tx1 = "PmtInf[1]/CdtTrfTxInf[1]";
    let uk1 = "PmtInf[2]/CdtTrfTxInf[1]";
    let cases: Vec<(WriteError, WriteError)> = vec![
        (
            refusal(|f| f.message_id = String::new()),
            field_refusal("GrpHdr/MsgId", Problem::Empty),
        ),
        (
            refusal(|f| f.message_id = "M".repeat(36)),
            field_refusal("GrpHdr/MsgId", Problem::TooLong { max: 35 }),
        ),
        (
            refusal(|f| f.message_id = "file_1".into()),
            field_refusal("GrpHdr/MsgId", Problem::Character { position: 5 }),
        ),
        (
            refusal(|f| f.batches[0].transfers[0].end_to_end_id = "/po-1".into()),
            field_refusal(&format!("{tx1}/PmtId/EndToEndId"), Problem::Slashes),
        ),
        (
            refusal(|f| f.batches[0].transfers[0].end_to_end_id = "po//1".into()),
            field_refusal(&format!("{tx1}/PmtId/EndToEndId"), Problem::Slashes),
        ),
        (
            refusal(|f| f.batches[0].transfers[0].creditor_name = "Zoë".into()),
            field_refusal(
                &format!("{tx1}/Cdtr/Nm"),
                Problem::Character { position: 3 },
            ),
        ),
        (
            refusal(|f| f.batches[0].transfers[0].creditor_name = " Zoe".into()),
            field_refusal(&format!("{tx1}/Cdtr/Nm"), Problem::Spaces),
        ),
        (
            refusal(|f| f.batches[0].transfers[0].creditor_name = "N".repeat(71)),
            field_refusal(&format!("{tx1}/Cdtr/Nm"), Problem::TooLong { max: 70 }),
        ),
        (
            refusal(|f| f.batches[0].transfers[0].remittance = Some("R".repeat(141))),
            field_refusal(
                &format!("{tx1}/RmtInf/Ustrd"),
                Problem::TooLong { max: 140 },
            ),
        ),
        (
            refusal(|f| f.batches[0].transfers[0].amount_minor = 0),
            field_refusal(&format!("{tx1}/Amt/InstdAmt"), Problem::Amount),
        ),
        (
            refusal(|f| f.batches[0].transfers[0].amount_minor = -1),
            field_refusal(&format!("{tx1}/Amt/InstdAmt"), Problem::Amount),
        ),
        (
            refusal(|f| f.batches[0].transfers[0].amount_minor = 10_i64.pow(18)),
            field_refusal(&format!("{tx1}/Amt/InstdAmt"), Problem::Amount),
        ),
        (
            refusal(|f| {
                f.batches[0].transfers[0].creditor_account = CreditorAccount::Iban {
                    iban: "FR1420041010050500013M02607".into(),
                    bic: None,
                }
            }),
            field_refusal(&format!("{tx1}/CdtrAcct/Id/IBAN"), Problem::Iban),
        ),
        (
            refusal(|f| {
                f.batches[0].transfers[0].creditor_account = CreditorAccount::Iban {
                    iban: "fr1420041010050500013M02606".into(),
                    bic: None,
                }
            }),
            field_refusal(&format!("{tx1}/CdtrAcct/Id/IBAN"), Problem::Iban),
        ),
        (
            refusal(|f| {
                f.batches[0].transfers[0].creditor_account = CreditorAccount::Iban {
                    iban: FR_IBAN.into(),
                    bic: Some("BNPAFRP".into()),
                }
            }),
            field_refusal(&format!("{tx1}/CdtrAgt/FinInstnId/BICFI"), Problem::Bic),
        ),
        (
            refusal(|f| {
                f.batches[0].transfers[0].creditor_account = CreditorAccount::SortCodeAccount {
                    sort_code: "200000".into(),
                    account_number: "55779911".into(),
                }
            }),
            field_refusal(&format!("{tx1}/CdtrAcct/Id"), Problem::SepaNeedsIban),
        ),
        (
            refusal(|f| {
                f.batches[1].transfers[0].creditor_account = CreditorAccount::Iban {
                    iban: FR_IBAN.into(),
                    bic: None,
                }
            }),
            field_refusal(&format!("{uk1}/CdtrAcct/Id/IBAN"), Problem::UkNeedsGb),
        ),
        (
            refusal(|f| {
                f.batches[1].transfers[0].creditor_account = CreditorAccount::SortCodeAccount {
                    sort_code: "20000".into(),
                    account_number: "55779911".into(),
                }
            }),
            field_refusal(
                &format!("{uk1}/CdtrAgt/FinInstnId/ClrSysMmbId/MmbId"),
                Problem::SortCode,
            ),
        ),
        (
            refusal(|f| {
                f.batches[1].transfers[0].creditor_account = CreditorAccount::SortCodeAccount {
                    sort_code: "200000".into(),
                    account_number: "5577991".into(),
                }
            }),
            field_refusal(
                &format!("{uk1}/CdtrAcct/Id/Othr/Id"),
                Problem::AccountNumber,
            ),
        ),
        (
            refusal(|f| f.batches[0].debtor.iban = "DE89370400440532013001".into()),
            field_refusal("PmtInf[1]/DbtrAcct/Id/IBAN", Problem::Iban),
        ),
        (
            refusal(|f| {
                f.batches[1].scheme = Scheme::Uk {
                    service_level: Some("NURGX".into()),
                    local_instrument: None,
                }
            }),
            field_refusal("PmtInf[2]/PmtTpInf/SvcLvl/Cd", Problem::TooLong { max: 4 }),
        ),
        (
            refusal(|f| {
                f.batches[1].scheme = Scheme::Uk {
                    service_level: Some("SEPA".into()),
                    local_instrument: None,
                }
            }),
            field_refusal("PmtInf[2]/PmtTpInf/SvcLvl/Cd", Problem::UkNotSepa),
        ),
        (refusal(|f| f.batches.clear()), WriteError::NoBatches),
        (
            refusal(|f| f.batches[1].transfers.clear()),
            WriteError::EmptyBatch("ANTON-20261207-GBP-1-B1".into()),
        ),
        (
            refusal(|f| f.batches[1].id = f.batches[0].id.clone()),
            WriteError::DuplicateBatch("ANTON-20261207-EUR-1-B1".into()),
        ),
        (
            refusal(|f| f.batches[1].transfers[0].end_to_end_id = "po-01JABC".into()),
            WriteError::DuplicateEndToEnd("po-01JABC".into()),
        ),
    ];
    for (got, expected) in cases {
        assert_eq!(got, expected);
    }
}

#[test]
fn errors_and_debug_never_hold_an_account() {
    let mut file = sepa_file();
    file.batches.push(uk_batch());
    let debug = format!("{file:?}");
    for secret in [
        FR_IBAN,
        DEBTOR_IBAN,
        GB_IBAN,
        "55779911",
        "NL91ABNA0417164300",
    ] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
    }
    assert!(debug.contains("2606") && debug.contains("9911"), "{debug}");
    let bad_iban = "FR1420041010050500013M02607";
    let err = refusal(|f| {
        f.batches[0].transfers[0].creditor_account = CreditorAccount::Iban {
            iban: bad_iban.into(),
            bic: None,
        }
    });
    assert!(!format!("{err} {err:?}").contains(bad_iban));
}

#[test]
fn free_text_is_prepared_for_the_sepa_character_set() {
    assert_eq!(
        text("Françoise Lefèvre", 70),
        ("Francoise Lefevre".into(), true)
    );
    assert_eq!(text("Straße & Söhne", 70), ("Strasse + Sohne".into(), true));
    assert_eq!(
        text("Łukasz  Øster_gaard", 70),
        ("Lukasz Oster gaard".into(), true)
    );
    assert_eq!(text("  Ada   Lovelace ", 70), ("Ada Lovelace".into(), true));
    assert_eq!(text("Ada Lovelace", 70), ("Ada Lovelace".into(), false));
    assert_eq!(text("Ada Lovelace", 4), ("Ada".into(), true));
    assert_eq!(text("李小龍", 70), (String::new(), true));
    // Whatever goes in, what comes out is accepted as a name (or is empty).
    for s in ["Æsir Þór", "a\u{301}b\u{327}", "tab\there", "€100", "ÿ"] {
        let (prepared, _) = text(s, 70);
        assert!(prepared.chars().all(sepa_char), "{prepared:?}");
        assert_eq!(prepared.trim(), prepared);
    }
}

/// The schema file and `xmllint`, or `None` (with a message) where the schema is not set.
pub(super) fn schema() -> Option<PathBuf> {
    let Ok(named) = std::env::var("ANTON_TEST_PAIN001_XSD") else {
        eprintln!(
            "ANTON_TEST_PAIN001_XSD is not set: pain.001 files were not validated against the \
             ISO 20022 schema (.ci/run fetches it; see scripts/fetch-iso20022-xsd.sh)"
        );
        return None;
    };
    let path = PathBuf::from(&named);
    assert!(
        path.is_file(),
        "ANTON_TEST_PAIN001_XSD={named} is not a file"
    );
    Some(path)
}

/// Validates every document with `xmllint --schema`; panics with its report on any failure.
pub(super) fn validate_all(schema: &std::path::Path, documents: &[String]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut command = Command::new("xmllint");
    command.arg("--noout").arg("--schema").arg(schema);
    for (i, document) in documents.iter().enumerate() {
        let path = dir.path().join(format!("pain001-{i}.xml"));
        std::fs::write(&path, document).expect("write");
        command.arg(path);
    }
    let output = command
        .output()
        .expect("xmllint runs (Debian's libxml2-utils; .ci/run installs it)");
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "xmllint refused:\n{report}");
    assert_eq!(
        report.matches(" validates").count(),
        documents.len(),
        "{report}"
    );
}

#[test]
fn every_kind_of_file_is_valid_against_the_official_schema() {
    let Some(schema) = schema() else { return };
    let mut both = sepa_file();
    both.batches.push(uk_batch());
    let mut bare = sepa_file();
    bare.initiating_party_id = None;
    bare.batches[0].batch_booking = false;
    let mut uk_plain = sepa_file();
    uk_plain.batches = vec![uk_batch()];
    uk_plain.batches[0].scheme = Scheme::Uk {
        service_level: None,
        local_instrument: None,
    };
    let documents: Vec<String> = [sepa_file(), both, bare, uk_plain]
        .iter()
        .map(|f| render(f).expect("renders"))
        .collect();
    validate_all(&schema, &documents);
    // The check is real: xmllint refuses a document the schema forbids.
    let broken = documents[0].replace("<PmtMtd>TRF</PmtMtd>", "<PmtMtd>DD</PmtMtd>");
    let result = std::panic::catch_unwind(|| validate_all(&schema, &[broken]));
    assert!(
        result.is_err(),
        "xmllint accepted an invalid payment method"
    );
}
