//! Tests for the `pain.002` reader: status reports written by hand the way a bank sends them
//! (v03 as German and Dutch banks still send it, v10 as the CGI-MP guide shows it), one test per
//! refusal, damage that must never panic, and generated reports that must read back.

use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;
use time::macros::{datetime, offset};
use time::{Date, Month, PrimitiveDateTime, Time, UtcOffset};

use super::*;
use crate::iso20022::reasons::{Reason, ReasonCode};
use anton_core::payout::FailureCode;

/// The creditor's IBAN in the reports' original transaction references: it must never reach an
/// error or a `Debug` output.
const IBAN: &str = "DE89370400440532013000";

/// A v03 report accepting a whole file.
const V03_ACCEPTED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <CstmrPmtStsRpt>
    <GrpHdr>
      <MsgId>STS20240115-000123</MsgId>
      <CreDtTm>2024-01-15T10:42:17</CreDtTm>
      <InitgPty><Id><OrgId><BICOrBEI>COBADEFFXXX</BICOrBEI></OrgId></Id></InitgPty>
    </GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>ANTON-MSG-0001</OrgnlMsgId>
      <OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
      <OrgnlNbOfTxs>3</OrgnlNbOfTxs>
      <OrgnlCtrlSum>1234.56</OrgnlCtrlSum>
      <GrpSts>ACCP</GrpSts>
    </OrgnlGrpInfAndSts>
  </CstmrPmtStsRpt>
</Document>
"#;

/// A v10 report rejecting a whole file, with no transaction details.
const V10_GROUP_REJECTED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">
  <CstmrPmtStsRpt>
    <GrpHdr>
      <MsgId>PSR-2024-01-15-77</MsgId>
      <CreDtTm>2024-01-15T09:05:00.123+01:00</CreDtTm>
      <DbtrAgt><FinInstnId><BICFI>INGBNL2AXXX</BICFI></FinInstnId></DbtrAgt>
    </GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>ANTON-MSG-0002</OrgnlMsgId>
      <OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
      <OrgnlCreDtTm>2024-01-15T08:59:58Z</OrgnlCreDtTm>
      <OrgnlNbOfTxs>2</OrgnlNbOfTxs>
      <GrpSts>RJCT</GrpSts>
      <StsRsnInf>
        <Orgtr><Nm>ING Bank N.V.</Nm></Orgtr>
        <Rsn><Cd>FF01</Cd></Rsn>
        <AddtlInf>Invalid file format: control sum does not match</AddtlInf>
      </StsRsnInf>
    </OrgnlGrpInfAndSts>
  </CstmrPmtStsRpt>
</Document>
"#;

/// A v03 report rejecting one batch (insufficient funds) and accepting the other.
const V03_BATCH_REJECTED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">
  <CstmrPmtStsRpt>
    <GrpHdr>
      <MsgId>STS20240116-000007</MsgId>
      <CreDtTm>2024-01-16T07:00:00</CreDtTm>
    </GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>ANTON-MSG-0003</OrgnlMsgId>
      <OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
      <GrpSts>PART</GrpSts>
    </OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>ANTON-BATCH-EUR-1</OrgnlPmtInfId>
      <OrgnlNbOfTxs>2</OrgnlNbOfTxs>
      <PmtInfSts>RJCT</PmtInfSts>
      <StsRsnInf><Rsn><Cd>AM04</Cd></Rsn></StsRsnInf>
    </OrgnlPmtInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>ANTON-BATCH-EUR-2</OrgnlPmtInfId>
      <PmtInfSts>ACCP</PmtInfSts>
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>
"#;

/// A v03 report rejecting two transactions (AC04, AC01) and accepting a third.
const V03_TRANSACTIONS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">
  <CstmrPmtStsRpt>
    <GrpHdr>
      <MsgId>STS20240117-000042</MsgId>
      <CreDtTm>2024-01-17T16:30:05</CreDtTm>
    </GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>ANTON-MSG-0004</OrgnlMsgId>
      <OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
      <GrpSts>PART</GrpSts>
    </OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>ANTON-BATCH-EUR-4</OrgnlPmtInfId>
      <PmtInfSts>PART</PmtInfSts>
      <TxInfAndSts>
        <StsId>RJ-0001</StsId>
        <OrgnlInstrId>po_0001</OrgnlInstrId>
        <OrgnlEndToEndId>PO-E2E-0001</OrgnlEndToEndId>
        <TxSts>RJCT</TxSts>
        <StsRsnInf><Rsn><Cd>AC04</Cd></Rsn></StsRsnInf>
        <OrgnlTxRef>
          <Amt><InstdAmt Ccy="EUR">100.00</InstdAmt></Amt>
          <CdtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></CdtrAcct>
        </OrgnlTxRef>
      </TxInfAndSts>
      <TxInfAndSts>
        <OrgnlEndToEndId>PO-E2E-0002</OrgnlEndToEndId>
        <TxSts>RJCT</TxSts>
        <StsRsnInf>
          <Rsn><Cd>AC01</Cd></Rsn>
          <AddtlInf>IBAN DE89370400440532013000 invalid</AddtlInf>
          <AddtlInf>check digits wrong</AddtlInf>
        </StsRsnInf>
      </TxInfAndSts>
      <TxInfAndSts>
        <OrgnlInstrId>po_0003</OrgnlInstrId>
        <OrgnlEndToEndId>PO-E2E-0003</OrgnlEndToEndId>
        <TxSts>ACCP</TxSts>
      </TxInfAndSts>
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>
"#;

/// The same answer as v10: `ACCC` for the accepted one, a UETR, a proprietary reason too.
const V10_TRANSACTIONS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">
  <CstmrPmtStsRpt>
    <GrpHdr>
      <MsgId>PSR-2024-01-17-0042</MsgId>
      <CreDtTm>2024-01-17T16:30:05Z</CreDtTm>
    </GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>ANTON-MSG-0004</OrgnlMsgId>
      <OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
      <GrpSts>PART</GrpSts>
    </OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>ANTON-BATCH-GBP-4</OrgnlPmtInfId>
      <TxInfAndSts>
        <OrgnlInstrId>po_0001</OrgnlInstrId>
        <OrgnlEndToEndId>PO-E2E-0001</OrgnlEndToEndId>
        <OrgnlUETR>7a562c67-ca16-48ba-b074-65581be6f001</OrgnlUETR>
        <TxSts>RJCT</TxSts>
        <StsRsnInf>
          <Rsn><Cd>AC04</Cd></Rsn>
          <AddtlInf>Account closed &amp; funds not applied</AddtlInf>
        </StsRsnInf>
        <StsRsnInf><Rsn><Prtry>NB-CLOSED</Prtry></Rsn></StsRsnInf>
        <OrgnlTxRef>
          <CdtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></CdtrAcct>
        </OrgnlTxRef>
      </TxInfAndSts>
      <TxInfAndSts>
        <OrgnlEndToEndId>PO-E2E-0002</OrgnlEndToEndId>
        <TxSts>RJCT</TxSts>
        <StsRsnInf><Rsn><Cd>AC01</Cd></Rsn></StsRsnInf>
      </TxInfAndSts>
      <TxInfAndSts>
        <OrgnlEndToEndId>PO-E2E-0003</OrgnlEndToEndId>
        <TxSts>ACCC</TxSts>
      </TxInfAndSts>
      <TxInfAndSts>
        <OrgnlEndToEndId>PO-E2E-0004</OrgnlEndToEndId>
        <TxSts>PATC</TxSts>
      </TxInfAndSts>
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>
"#;

/// `xml` with the first `from` replaced by `to` (which must be there).
fn with(xml: &str, from: &str, to: &str) -> String {
    assert!(xml.contains(from), "{from:?} is not in the sample");
    xml.replacen(from, to, 1)
}

/// The error for `xml` with the first `from` replaced by `to`, which must be refused.
fn error_with(xml: &str, from: &str, to: &str) -> Pain002Error {
    parse(&with(xml, from, to)).expect_err("the report is refused")
}

/// The message of `error_with(xml, from, to)`, paths shortened: without the message element,
/// and with `OrgnlPmtInfAndSts[n]` as `Pmt[n]` and `TxInfAndSts[n]` as `Tx[n]`.
fn refusal(xml: &str, from: &str, to: &str) -> String {
    let message = error_with(xml, from, to).to_string();
    let message = message.replace("CstmrPmtStsRpt/", "");
    message
        .replace("OrgnlPmtInfAndSts[", "Pmt[")
        .replace("TxInfAndSts[", "Tx[")
}

/// The code of a reason given as an ISO code.
fn code(reason: &StatusReason) -> Option<&str> {
    match &reason.reason {
        Some(Reason::Code(code)) => Some(code.as_str()),
        _ => None,
    }
}

#[test]
fn a_v03_report_accepting_the_whole_file_reads_its_group_status() {
    let report = parse(V03_ACCEPTED).expect("parses");
    assert_eq!(report.version, 3);
    assert_eq!(report.message_id, "STS20240115-000123");
    assert_eq!(report.created_at.local, datetime!(2024-01-15 10:42:17));
    assert_eq!(report.created_at.offset, None);
    assert_eq!(report.original_message_id, "ANTON-MSG-0001");
    assert_eq!(report.original_message_name_id, "pain.001.001.09");
    assert_eq!(report.original_transaction_count, Some(3));
    assert_eq!(report.original_control_sum_minor, Some(123_456));
    assert_eq!(report.group_status, Some(Status::AcceptedCustomerProfile));
    assert!(report.group_reasons.is_empty() && report.payment_informations.is_empty());
    assert!(!report.rejects_whole_message());
}

#[test]
fn a_group_rejection_without_transactions_rejects_the_whole_message() {
    let report = parse(V10_GROUP_REJECTED).expect("parses");
    assert_eq!(report.version, 10);
    assert_eq!(report.created_at.local, datetime!(2024-01-15 09:05:00.123));
    assert_eq!(report.created_at.offset, Some(offset!(+1)));
    assert!(report.rejects_whole_message());
    assert!(report.payment_informations.is_empty());
    let [reason] = report.group_reasons.as_slice() else {
        panic!("one reason: {:?}", report.group_reasons);
    };
    assert_eq!(code(reason), Some("FF01"));
    let info = ["Invalid file format: control sum does not match"];
    assert_eq!(reason.additional_info, info);
}

#[test]
fn a_batch_rejection_rejects_the_whole_batch_and_only_it() {
    let report = parse(V03_BATCH_REJECTED).expect("parses");
    assert!(!report.rejects_whole_message());
    assert_eq!(report.group_status, Some(Status::PartiallyAccepted));
    let rejected = report.rejected_batches();
    let rejected: Vec<&str> = rejected
        .map(|b| b.original_payment_information_id.as_str())
        .collect();
    assert_eq!(rejected, ["ANTON-BATCH-EUR-1"]);
    let [first, second] = report.payment_informations.as_slice() else {
        panic!("two batches");
    };
    assert!(first.rejects_whole_batch() && first.transactions.is_empty());
    assert_eq!(code(&first.reasons[0]), Some("AM04"));
    assert_eq!(second.status, Some(Status::AcceptedCustomerProfile));
    assert!(!second.rejects_whole_batch());
}

#[test]
fn transaction_rejections_carry_their_reasons_in_v03_and_v10() {
    let failure = |reason: &StatusReason| reason.reason.as_ref().map(Reason::failure_code);
    for (xml, accepted) in [
        (V03_TRANSACTIONS, Status::AcceptedCustomerProfile),
        (V10_TRANSACTIONS, Status::AcceptedCreditSettlementCompleted),
    ] {
        let report = parse(xml).expect("parses");
        let txs = &report.payment_informations[0].transactions;
        assert_eq!(txs[0].original_end_to_end_id, "PO-E2E-0001");
        assert_eq!(txs[0].original_instruction_id.as_deref(), Some("po_0001"));
        assert_eq!(txs[0].status, Status::Rejected);
        assert_eq!(code(&txs[0].reasons[0]), Some("AC04"));
        assert_eq!(
            failure(&txs[0].reasons[0]),
            Some(FailureCode::AccountClosed)
        );
        assert_eq!(txs[1].original_instruction_id, None);
        assert_eq!(code(&txs[1].reasons[0]), Some("AC01"));
        let invalid = Some(FailureCode::InvalidAccountNumber);
        assert_eq!(failure(&txs[1].reasons[0]), invalid);
        assert_eq!((txs[2].status, txs[2].reasons.len()), (accepted, 0));
    }
    let report = parse(V10_TRANSACTIONS).expect("parses");
    let txs = &report.payment_informations[0].transactions;
    assert_eq!(report.payment_informations[0].status, None);
    let info = ["Account closed & funds not applied"];
    assert_eq!(txs[0].reasons[0].additional_info, info);
    let own = &txs[0].reasons[1].reason;
    assert_eq!(own, &Some(Reason::Proprietary("NB-CLOSED".into())));
    assert_eq!(txs[3].status, Status::PartiallyAcceptedTechnicalCorrect);
}

#[test]
fn every_version_from_03_to_12_is_read_and_the_others_are_refused() {
    for version in 3..=12 {
        let ns = format!("pain.002.001.{version:02}");
        let report = parse(&with(V03_ACCEPTED, "pain.002.001.03", &ns));
        assert_eq!(report.map(|r| r.version), Ok(version));
    }
    for ns in [
        "pain.002.001.02",
        "pain.002.001.13",
        "pain.002.001.3",
        "camt.054.001.08",
    ] {
        let error = error_with(V03_ACCEPTED, "pain.002.001.03", ns);
        let namespace = format!("urn:iso:std:iso:20022:tech:xsd:{ns}");
        assert_eq!(error, Pain002Error::UnsupportedNamespace { namespace });
    }
    let iso = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03";
    let namespace = "(not an ISO 20022 message namespace)".to_owned();
    let error = error_with(V03_ACCEPTED, iso, IBAN);
    assert_eq!(error, Pain002Error::UnsupportedNamespace { namespace });
}

#[test]
fn a_report_larger_than_the_limit_is_refused_unread() {
    let size_bytes = MAX_REPORT_BYTES + 1;
    let error = parse(&" ".repeat(size_bytes));
    assert_eq!(error, Err(Pain002Error::TooLarge { size_bytes }));
}

#[test]
fn xml_that_is_not_well_formed_or_has_a_doctype_is_refused() {
    let cut = parse(&V03_ACCEPTED[..V03_ACCEPTED.len() / 2]);
    assert!(matches!(
        cut,
        Err(Pain002Error::Xml(XmlProblem::Malformed { .. }))
    ));
    let doctype = "<!DOCTYPE d [<!ENTITY x \"y\">]><Document";
    let error = error_with(V03_ACCEPTED, "<Document", doctype);
    assert_eq!(error, Pain002Error::Xml(XmlProblem::Doctype));
    let error = error_with(V03_ACCEPTED, "ACCP", "&ACCP;");
    assert_eq!(error, Pain002Error::Xml(XmlProblem::Entity));
    let renamed = parse(&V03_ACCEPTED.replace("Document", "Dokument"));
    assert_eq!(renamed, Err(Pain002Error::NotADocument));
}

// The refusal tables below are left unformatted so that each case reads on one line: the
// damage, then the message an operator sees.

#[rustfmt::skip]
#[test]
fn missing_repeated_empty_too_long_and_malformed_fields_are_refused_with_their_path() {
    let no_group = V03_ACCEPTED.replace("OrgnlGrpInfAndSts", "OrgnlGrpInf");
    let error = parse(&no_group).map_err(|e| e.to_string());
    assert_eq!(error, Err("CstmrPmtStsRpt/OrgnlGrpInfAndSts is missing".to_owned()));
    for (sample, from, to, message) in [
        (V03_ACCEPTED, "<MsgId>STS20240115-000123</MsgId>", "", "GrpHdr/MsgId is missing"),
        (V03_ACCEPTED, "<CreDtTm>2024-01-15T10:42:17</CreDtTm>", "", "GrpHdr/CreDtTm is missing"),
        (V03_ACCEPTED, "<OrgnlMsgId>ANTON-MSG-0001</OrgnlMsgId>", "", "OrgnlGrpInfAndSts/OrgnlMsgId is missing"),
        (V03_ACCEPTED, "<OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>", "", "OrgnlGrpInfAndSts/OrgnlMsgNmId is missing"),
        (V03_TRANSACTIONS, "<TxSts>ACCP</TxSts>", "", "Pmt[1]/Tx[3]/TxSts is missing"),
        (V03_TRANSACTIONS, "<OrgnlEndToEndId>PO-E2E-0003</OrgnlEndToEndId>", "", "Pmt[1]/Tx[3]/OrgnlEndToEndId is missing"),
        (V03_TRANSACTIONS, "<TxSts>ACCP</TxSts>", "<TxSts>ACCP</TxSts><TxSts>ACCP</TxSts>", "Pmt[1]/Tx[3]/TxSts appears more than once"),
        (V03_ACCEPTED, "STS20240115-000123", " ", "GrpHdr/MsgId is empty"),
        (V03_TRANSACTIONS, "PO-E2E-0002", "PO-E2E-0002-WITH-A-SUFFIX-TOO-LONG-X", "Pmt[1]/Tx[2]/OrgnlEndToEndId is 36 characters long; at most 35 are allowed"),
        (V03_TRANSACTIONS, "check digits wrong", &"x".repeat(106), "Pmt[1]/Tx[2]/StsRsnInf[1]/AddtlInf[2] is 106 characters long; at most 105 are allowed"),
        (V03_TRANSACTIONS, "<Rsn><Cd>AC04</Cd></Rsn>", "<Rsn><Cd>AC04</Cd><Prtry>X</Prtry></Rsn>", "Pmt[1]/Tx[1]/StsRsnInf[1]/Rsn must hold exactly one of Cd and Prtry"),
        (V03_TRANSACTIONS, "<Rsn><Cd>AC04</Cd></Rsn>", "<Rsn/>", "Pmt[1]/Tx[1]/StsRsnInf[1]/Rsn must hold exactly one of Cd and Prtry"),
        (V03_TRANSACTIONS, "<Cd>AC04</Cd>", "<Cd>ac04</Cd>", "Pmt[1]/Tx[1]/StsRsnInf[1]/Rsn/Cd is not an ISO reason code (four upper-case letters or digits)"),
        (V03_TRANSACTIONS, "<Cd>AC04</Cd>", "<Cd>AC004</Cd>", "Pmt[1]/Tx[1]/StsRsnInf[1]/Rsn/Cd is not an ISO reason code (four upper-case letters or digits)"),
    ] {
        assert!(matches!(error_with(sample, from, to), Pain002Error::Field(_)), "{to}");
        assert_eq!(refusal(sample, from, to), message);
    }
}

#[test]
fn creation_times_that_are_not_iso_date_times_are_refused() {
    for bad in [
        "2024-01-15",
        "15.01.2024 10:42",
        "2024-13-01T10:42:17",
        "2024-02-30T10:42:17",
        "2024-01-15T24:00:00",
        "2024-01-15T10:42:60",
        "2024-01-15T10:42:17.",
        "2024-01-15T10:42:17.1234567890",
        "2024-01-15T10:42:17+15:00",
        "2024-01-15T10:42:17+0100",
        "+2024-01-15T10:42:17",
        "2024-01-15T10:42:17ZZ",
        "2024-01-15T10:42:1７",
    ] {
        let message = refusal(V03_ACCEPTED, "2024-01-15T10:42:17", bad);
        assert_eq!(message, "GrpHdr/CreDtTm is not an ISO date-time", "{bad}");
    }
    let read = IsoDateTime::parse("2024-01-15T10:42:17.000000001-05:30").expect("reads");
    assert_eq!(read.local, datetime!(2024-01-15 10:42:17.000000001));
    assert_eq!(read.offset, Some(offset!(-5:30)));
}

#[rustfmt::skip]
#[test]
fn statuses_anton_does_not_know_or_the_version_does_not_allow_there_are_refused() {
    for (sample, from, to, message) in [
        (V10_GROUP_REJECTED, "<GrpSts>RJCT<", "<GrpSts>RVCM<", "OrgnlGrpInfAndSts/GrpSts holds the status RVCM, which Anton does not know"),
        (V10_GROUP_REJECTED, "<GrpSts>RJCT<", "<GrpSts>REJECTED<", "OrgnlGrpInfAndSts/GrpSts holds the status (a value that is not a code), which Anton does not know"),
        (V03_TRANSACTIONS, "<TxSts>ACCP<", "<TxSts>RCVD<", "Pmt[1]/Tx[3]/TxSts holds RCVD, which pain.002.001.03 does not allow there"),
        (V10_TRANSACTIONS, "<TxSts>ACCC<", "<TxSts>PART<", "Pmt[1]/Tx[3]/TxSts holds PART, which pain.002.001.10 does not allow there"),
        (V03_ACCEPTED, "<GrpSts>ACCP<", "<GrpSts>ACCC<", "OrgnlGrpInfAndSts/GrpSts holds ACCC, which pain.002.001.03 does not allow there"),
    ] {
        assert_eq!(refusal(sample, from, to), message);
    }
    let error = error_with(V03_TRANSACTIONS, "<TxSts>ACCP<", "<TxSts>RCVD<");
    let path = "CstmrPmtStsRpt/OrgnlPmtInfAndSts[1]/TxInfAndSts[3]/TxSts".to_owned();
    let (status, version) = (Status::Received, 3);
    assert_eq!(error, Pain002Error::StatusNotAllowed { path, status, version });
}

#[rustfmt::skip]
#[test]
fn a_report_that_says_nothing_lists_a_payment_twice_or_contradicts_a_rejection_is_refused() {
    let group_rejected = with(V03_TRANSACTIONS, "<GrpSts>PART<", "<GrpSts>RJCT<");
    for (sample, from, to, message) in [
        (V03_ACCEPTED, "<GrpSts>ACCP</GrpSts>", "", "the report carries no status: no GrpSts and no OrgnlPmtInfAndSts"),
        (V03_BATCH_REJECTED, "<PmtInfSts>ACCP</PmtInfSts>", "", "Pmt[2] has neither PmtInfSts nor TxInfAndSts"),
        (V03_BATCH_REJECTED, "ANTON-BATCH-EUR-2", "ANTON-BATCH-EUR-1", "Pmt[2] repeats the OrgnlPmtInfId of Pmt[1]"),
        (V03_TRANSACTIONS, "PO-E2E-0003", "PO-E2E-0001", "Pmt[1]/Tx[3] repeats the OrgnlEndToEndId of Pmt[1]/Tx[1]"),
        (&*group_rejected, "<PmtInfSts>PART</PmtInfSts>", "", "Pmt[1]/Tx[3]/TxSts is ACCP, but the original message it belongs to is rejected as a whole"),
        (V03_TRANSACTIONS, "<PmtInfSts>PART<", "<PmtInfSts>RJCT<", "Pmt[1]/Tx[3]/TxSts is ACCP, but the batch it belongs to is rejected as a whole"),
        (V03_BATCH_REJECTED, "<GrpSts>PART<", "<GrpSts>RJCT<", "Pmt[2]/PmtInfSts is ACCP, but the original message it belongs to is rejected as a whole"),
    ] {
        assert_eq!(refusal(sample, from, to), message);
    }
    let all_rejected = with(V03_BATCH_REJECTED, "<PmtInfSts>ACCP<", "<PmtInfSts>RJCT<");
    let all_rejected = with(&all_rejected, "<GrpSts>PART<", "<GrpSts>RJCT<");
    assert_eq!(parse(&all_rejected).map(|r| r.rejected_batches().count()), Ok(2));
}

#[rustfmt::skip]
#[test]
fn no_error_or_debug_output_shows_an_iban_from_the_report() {
    let report = parse(V03_TRANSACTIONS).expect("parses");
    assert!(!format!("{report:?}").contains(IBAN), "{report:?}");
    for (from, to) in [
        ("<StsId>RJ-0001</StsId>", format!("<{IBAN}>x</StsId>")),
        ("RJ-0001", format!("&{IBAN};")),
        ("2024-01-17T16:30:05", IBAN.to_owned()),
        ("<TxSts>ACCP<", format!("<TxSts>{IBAN}<")),
        ("PO-E2E-0003", IBAN.to_owned()),
        ("PO-E2E-0002", format!("{IBAN}{IBAN}")),
        ("urn:iso:std:iso:20022:tech:xsd:pain.002.001.03", IBAN.to_owned()),
    ] {
        let sample = with(V03_TRANSACTIONS, "PO-E2E-0001", IBAN);
        let error = error_with(&sample, from, &to);
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains(IBAN), "{shown}");
    }
}

#[test]
fn truncation_at_any_byte_and_any_single_byte_damage_are_errors_never_panics() {
    for sample in [
        V03_ACCEPTED,
        V10_GROUP_REJECTED,
        V03_TRANSACTIONS,
        V10_TRANSACTIONS,
    ] {
        // Cutting only the final newline leaves a whole report.
        let end = sample.trim_end().len();
        for cut in (0..sample.len()).filter(|&cut| sample.is_char_boundary(cut)) {
            assert!(cut >= end || parse(&sample[..cut]).is_err(), "cut at {cut}");
        }
    }
    let bytes = V10_TRANSACTIONS.as_bytes();
    for i in 0..bytes.len() {
        for replacement in [b'<', b'>', b'&', b'"', b'/', b' ', b'0', b'Z', 0xFF] {
            let mut damaged = bytes.to_vec();
            damaged[i] = replacement;
            let _ = parse(&String::from_utf8_lossy(&damaged));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Generated reports (the helpers are shared with the `camt054` tests).

/// Escapes text for XML element content.
pub(crate) fn escape(text: &str) -> String {
    let text = text.replace('&', "&amp;");
    text.replace('<', "&lt;").replace('>', "&gt;")
}

/// `<name>text</name>` with `text` escaped, or nothing for `None`.
fn tag<S: AsRef<str>>(name: &str, text: Option<S>) -> String {
    text.map_or(String::new(), |t| {
        format!("<{name}>{}</{name}>", escape(t.as_ref()))
    })
}

/// Renders `report` as a bank would write it.
fn render(report: &StatusReport) -> String {
    let ns = format!(
        "urn:iso:std:iso:20022:tech:xsd:pain.002.001.{:02}",
        report.version
    );
    let mut xml = format!("<?xml version=\"1.0\"?>\n<Document xmlns=\"{ns}\"><CstmrPmtStsRpt>");
    let created_at = render_date_time(&report.created_at);
    xml += &format!(
        "<GrpHdr>{}{}</GrpHdr>",
        tag("MsgId", Some(&report.message_id)),
        tag("CreDtTm", Some(created_at))
    );
    xml +=
        &("<OrgnlGrpInfAndSts>".to_owned() + &tag("OrgnlMsgId", Some(&report.original_message_id)));
    xml += &tag("OrgnlMsgNmId", Some(&report.original_message_name_id));
    let count = report.original_transaction_count.map(|n| n.to_string());
    xml += &tag("OrgnlNbOfTxs", count.as_deref());
    let sum = report
        .original_control_sum_minor
        .map(|m| format!("{}.{:02}", m / 100, m % 100));
    xml += &tag("OrgnlCtrlSum", sum.as_deref());
    xml += &tag("GrpSts", report.group_status.map(Status::code));
    xml += &(render_reasons(&report.group_reasons) + "</OrgnlGrpInfAndSts>");
    for batch in &report.payment_informations {
        xml += &format!(
            "<OrgnlPmtInfAndSts>{}",
            tag(
                "OrgnlPmtInfId",
                Some(&batch.original_payment_information_id)
            )
        );
        xml +=
            &(tag("PmtInfSts", batch.status.map(Status::code)) + &render_reasons(&batch.reasons));
        for tx in &batch.transactions {
            xml += &("<TxInfAndSts>".to_owned()
                + &tag("OrgnlInstrId", tx.original_instruction_id.as_ref()));
            xml += &tag("OrgnlEndToEndId", Some(&tx.original_end_to_end_id));
            xml += &(tag("TxSts", Some(tx.status.code()))
                + &render_reasons(&tx.reasons)
                + "</TxInfAndSts>");
        }
        xml += "</OrgnlPmtInfAndSts>";
    }
    xml + "</CstmrPmtStsRpt></Document>\n"
}

fn render_reasons(reasons: &[StatusReason]) -> String {
    let render = |reason: &StatusReason| {
        let rsn = match &reason.reason {
            Some(Reason::Code(code)) => format!("<Rsn>{}</Rsn>", tag("Cd", Some(code.as_str()))),
            Some(Reason::Proprietary(own)) => format!("<Rsn>{}</Rsn>", tag("Prtry", Some(own))),
            None => String::new(),
        };
        let lines: String = reason
            .additional_info
            .iter()
            .map(|l| tag("AddtlInf", Some(l)))
            .collect();
        format!("<StsRsnInf>{rsn}{lines}</StsRsnInf>")
    };
    reasons.iter().map(render).collect()
}

/// `YYYY-MM-DDThh:mm:ss.nnnnnnnnn` and the offset, if any.
pub(crate) fn render_date_time(at: &IsoDateTime) -> String {
    let (date, time) = (at.local.date(), at.local.time());
    let nanos = time.nanosecond();
    let mut text = format!(
        "{date}T{:02}:{:02}:{:02}.{nanos:09}",
        time.hour(),
        time.minute(),
        time.second()
    );
    if let Some(offset) = at.offset {
        let (h, m, _) = offset.as_hms();
        let sign = if offset.is_negative() { '-' } else { '+' };
        text += &format!("{sign}{:02}:{:02}", h.unsigned_abs(), m.unsigned_abs());
    }
    text
}

/// Identifiers as banks and Anton write them (no surrounding spaces).
pub(crate) fn arb_id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9/?:().,'+ -]{0,20}[A-Za-z0-9]"
}

prop_compose! {
    pub(crate) fn arb_date_time()(
        date in (2000i32..2100, 1u8..=12, 1u8..=28),
        time in (0u8..24, 0u8..60, 0u8..60, 0u32..1_000_000_000),
        offset_hours in of(-14i8..=14),
    ) -> IsoDateTime {
        let month = Month::try_from(date.1).expect("1 to 12");
        let date = Date::from_calendar_date(date.0, month, date.2).expect("a day");
        let time = Time::from_hms_nano(time.0, time.1, time.2, time.3).expect("a time");
        let offset = offset_hours.map(|h| UtcOffset::from_hms(h, 0, 0).expect("an offset"));
        IsoDateTime { local: PrimitiveDateTime::new(date, time), offset }
    }
}

prop_compose! {
    fn arb_reason()(
        reason in of(prop_oneof![
            "[A-Z0-9]{4}".prop_map(|c| Reason::Code(ReasonCode::parse(&c).expect("a code"))),
            arb_id().prop_map(Reason::Proprietary),
        ]),
        // Free text with the characters XML must escape, and no surrounding spaces.
        additional_info in vec("[!-~]([ -~]{0,103}[!-~])?", 0..3),
    ) -> StatusReason {
        StatusReason { reason, additional_info }
    }
}

fn arb_status(version: u8, on_transaction: bool) -> impl Strategy<Value = Status> {
    let allowed = Status::ALL
        .into_iter()
        .filter(|s| s.allowed(version, on_transaction));
    proptest::sample::select(allowed.collect::<Vec<_>>())
}

prop_compose! {
    fn arb_transaction(version: u8, id: String)(
        original_instruction_id in of(arb_id()),
        status in arb_status(version, true),
        reasons in vec(arb_reason(), 0..2),
    ) -> TransactionStatus {
        let original_end_to_end_id = id.clone();
        TransactionStatus { original_end_to_end_id, original_instruction_id, status, reasons }
    }
}

prop_compose! {
    /// A batch that says something: its own status, or its transactions'.
    fn arb_batch(version: u8, index: usize)(
        status in of(arb_status(version, false)),
        reasons in vec(arb_reason(), 0..2),
        transactions in (0..4usize).prop_flat_map(move |count| {
            let id = |t| format!("E2E-{index}-{t}");
            (0..count).map(|t| arb_transaction(version, id(t))).collect::<Vec<_>>()
        }),
    ) -> PaymentInformationStatus {
        let silent = status.is_none() && transactions.is_empty();
        let status = if silent { Some(Status::Pending) } else { status };
        let original_payment_information_id = format!("PMT-{index}");
        PaymentInformationStatus { original_payment_information_id, status, reasons, transactions }
    }
}

prop_compose! {
    fn arb_report_of(version: u8)(
        ids in (arb_id(), arb_id()),
        created_at in arb_date_time(),
        original_transaction_count in of(0u64..100_000),
        original_control_sum_minor in of(0i64..100_000_000_000),
        group_status in of(arb_status(version, false)),
        group_reasons in vec(arb_reason(), 0..2),
        payment_informations in (0..3usize).prop_flat_map(move |count| {
            (0..count).map(|b| arb_batch(version, b)).collect::<Vec<_>>()
        }),
    ) -> StatusReport {
        let (message_id, original_message_id) = ids;
        let nothing = group_status.is_none() && payment_informations.is_empty();
        let group_status = if nothing { Some(Status::Pending) } else { group_status };
        let original_message_name_id = "pain.001.001.09".to_owned();
        let mut report = StatusReport {
            version, message_id, created_at, original_message_id, original_message_name_id,
            original_transaction_count, original_control_sum_minor, group_status, group_reasons,
            payment_informations,
        };
        propagate_rejections(&mut report);
        report
    }
}

/// Makes everything under a rejected group or batch rejected, as a consistent bank would.
fn propagate_rejections(report: &mut StatusReport) {
    let whole = report.rejects_whole_message();
    for batch in &mut report.payment_informations {
        if whole && batch.status.is_some() {
            batch.status = Some(Status::Rejected);
        }
        if whole || batch.rejects_whole_batch() {
            for tx in &mut batch.transactions {
                tx.status = Status::Rejected;
            }
        }
    }
}

proptest! {
    #[test]
    fn every_generated_report_reads_back_the_same(
        report in (3u8..=12).prop_flat_map(arb_report_of),
    ) {
        let xml = render(&report);
        prop_assert_eq!(parse(&xml), Ok(report), "{}", xml);
    }
}

#[test]
fn a_count_or_control_sum_that_is_not_one_is_refused_with_its_path() {
    let why = "is not a count or an amount with at most two decimals";
    for (from, to, field) in [
        ("<OrgnlNbOfTxs>3<", "<OrgnlNbOfTxs>three<", "OrgnlNbOfTxs"),
        ("<OrgnlNbOfTxs>3<", "<OrgnlNbOfTxs>-3<", "OrgnlNbOfTxs"),
        ("1234.56", "1234.567", "OrgnlCtrlSum"),
        ("1234.56", "-1234.56", "OrgnlCtrlSum"),
        ("1234.56", "1.2e3", "OrgnlCtrlSum"),
        ("1234.56", "99999999999999999999", "OrgnlCtrlSum"),
    ] {
        assert_eq!(
            refusal(V03_ACCEPTED, from, to),
            format!("OrgnlGrpInfAndSts/{field} {why}"),
            "{to}"
        );
    }
}
