//! Tests for the `camt.054` reader: notifications written by hand the way a bank sends them (v02
//! as German banks still send it, v08 as the CGI-MP guide shows it), one test per refusal, damage
//! that must never panic, and generated notifications that must read back.

use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;
use time::macros::{date, datetime};

use super::*;
use crate::iso20022::pain002::tests::{arb_date_time, arb_id, escape, render_date_time};
use crate::iso20022::reasons::ReasonCode;
use anton_core::payout::FailureCode;

/// Anton's own account in the v02 sample: it must never reach an error or a `Debug` output.
const IBAN: &str = "DE89370400440532013000";
/// A payee's account, in the related parties: not kept, and never shown either.
const PAYEE_IBAN: &str = "FR1420041010050500013M02606";

/// A v02 notification: three payouts booked as one batched debit, a single payout debited, a
/// payout returned (AC04) and a payout pending.
const V02: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr>
      <MsgId>C54-20240118-000001</MsgId>
      <CreDtTm>2024-01-18T06:15:00.000+01:00</CreDtTm>
      <MsgPgntn><PgNb>1</PgNb><LastPgInd>true</LastPgInd></MsgPgntn>
    </GrpHdr>
    <Ntfctn>
      <Id>NTF-20240118-EUR-1</Id>
      <CreDtTm>2024-01-18T06:15:00.000+01:00</CreDtTm>
      <Acct>
        <Id><IBAN>DE89370400440532013000</IBAN></Id>
        <Ccy>EUR</Ccy>
        <Svcr><FinInstnId><BIC>COBADEFFXXX</BIC></FinInstnId></Svcr>
      </Acct>
      <Ntry>
        <NtryRef>1</NtryRef>
        <Amt Ccy="EUR">1350.75</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2024-01-18</Dt></BookgDt>
        <ValDt><Dt>2024-01-18</Dt></ValDt>
        <AcctSvcrRef>2024011800012345</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>
          <Btch>
            <MsgId>ANTON-MSG-0005</MsgId>
            <PmtInfId>ANTON-BATCH-EUR-5</PmtInfId>
            <NbOfTxs>3</NbOfTxs>
          </Btch>
          <TxDtls>
            <Refs>
              <MsgId>ANTON-MSG-0005</MsgId>
              <PmtInfId>ANTON-BATCH-EUR-5</PmtInfId>
              <InstrId>po_0101</InstrId>
              <EndToEndId>PO-E2E-0101</EndToEndId>
            </Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">1000.00</Amt></TxAmt></AmtDtls>
            <RltdPties>
              <Cdtr><Nm>Jane Doe</Nm></Cdtr>
              <CdtrAcct><Id><IBAN>FR1420041010050500013M02606</IBAN></Id></CdtrAcct>
            </RltdPties>
          </TxDtls>
          <TxDtls>
            <Refs><InstrId>po_0102</InstrId><EndToEndId>PO-E2E-0102</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">250.75</Amt></TxAmt></AmtDtls>
          </TxDtls>
          <TxDtls>
            <Refs><EndToEndId>PO-E2E-0103</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">100</Amt></TxAmt></AmtDtls>
          </TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">42.5</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><DtTm>2024-01-18T05:59:59</DtTm></BookgDt>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls><Refs><EndToEndId>PO-E2E-0104</EndToEndId></Refs></TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">100.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2024-01-18</Dt></BookgDt>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>RRTN</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Refs><EndToEndId>PO-E2E-0099</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">100.00</Amt></TxAmt></AmtDtls>
            <RtrInf>
              <Rsn><Cd>AC04</Cd></Rsn>
              <AddtlInf>KONTO AUFGELOEST FR1420041010050500013M02606</AddtlInf>
            </RtrInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">500.00</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts>PDNG</Sts>
        <BookgDt><Dt>2024-01-19</Dt></BookgDt>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls><Refs><EndToEndId>PO-E2E-0105</EndToEndId></Refs></TxDtls></NtryDtls>
      </Ntry>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
"#;

/// The same entries as a v08 notification on a UK account (sort code and account number):
/// `Sts/Cd`, `TxDtls/Amt` and `TxDtls/CdtDbtInd`, a batch total.
const V08: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>GB-C54-0001</MsgId><CreDtTm>2024-01-18T06:15:00Z</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>GB-NTF-1</Id>
      <Acct>
        <Id><Othr><Id>40051512345678</Id><SchmeNm><Prtry>SCAN</Prtry></SchmeNm></Othr></Id>
        <Ccy>GBP</Ccy>
      </Acct>
      <Ntry>
        <NtryRef>1</NtryRef>
        <Amt Ccy="GBP">1350.75</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2024-01-18</Dt></BookgDt>
        <AcctSvcrRef>2024011800012345</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>
          <Btch>
            <MsgId>ANTON-MSG-0005</MsgId>
            <PmtInfId>ANTON-BATCH-GBP-5</PmtInfId>
            <NbOfTxs>3</NbOfTxs>
            <TtlAmt Ccy="GBP">1350.75</TtlAmt>
            <CdtDbtInd>DBIT</CdtDbtInd>
          </Btch>
          <TxDtls>
            <Refs>
              <MsgId>ANTON-MSG-0005</MsgId>
              <PmtInfId>ANTON-BATCH-GBP-5</PmtInfId>
              <InstrId>po_0101</InstrId>
              <EndToEndId>PO-E2E-0101</EndToEndId>
              <UETR>2f5cf4c8-0cb4-4b3c-9f2e-1c7d1e7b0a01</UETR>
            </Refs>
            <Amt Ccy="GBP">1000.00</Amt>
            <CdtDbtInd>DBIT</CdtDbtInd>
          </TxDtls>
          <TxDtls>
            <Refs><InstrId>po_0102</InstrId><EndToEndId>PO-E2E-0102</EndToEndId></Refs>
            <Amt Ccy="GBP">250.75</Amt>
            <CdtDbtInd>DBIT</CdtDbtInd>
            <AmtDtls><TxAmt><Amt Ccy="GBP">250.75</Amt></TxAmt></AmtDtls>
          </TxDtls>
          <TxDtls>
            <Refs><EndToEndId>PO-E2E-0103</EndToEndId></Refs>
            <Amt Ccy="GBP">100.00</Amt>
            <CdtDbtInd>DBIT</CdtDbtInd>
          </TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="GBP">42.50</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><DtTm>2024-01-18T05:59:59+00:00</DtTm></BookgDt>
        <BkTxCd><Prtry><Cd>FPS-OUT</Cd></Prtry></BkTxCd>
        <NtryDtls><TxDtls><Refs><EndToEndId>PO-E2E-0104</EndToEndId></Refs></TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="GBP">100.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <RvslInd>false</RvslInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2024-01-18</Dt></BookgDt>
        <BkTxCd><Prtry><Cd>FPS-RTN</Cd></Prtry></BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Refs><EndToEndId>PO-E2E-0099</EndToEndId></Refs>
            <Amt Ccy="GBP">100.00</Amt>
            <CdtDbtInd>CRDT</CdtDbtInd>
            <RtrInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>ACCOUNT CLOSED</AddtlInf></RtrInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="GBP">500.00</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts><Cd>PDNG</Cd></Sts>
        <BookgDt><Dt>2024-01-19</Dt></BookgDt>
        <BkTxCd><Prtry><Cd>FPS-OUT</Cd></Prtry></BkTxCd>
        <NtryDtls><TxDtls><Refs><EndToEndId>PO-E2E-0105</EndToEndId></Refs></TxDtls></NtryDtls>
      </Ntry>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
"#;

/// `xml` with the first `from` replaced by `to` (which must be there).
fn with(xml: &str, from: &str, to: &str) -> String {
    assert!(xml.contains(from), "{from:?} is not in the sample");
    xml.replacen(from, to, 1)
}

/// The error for `xml` with the first `from` replaced by `to`, which must be refused.
fn error_with(xml: &str, from: &str, to: &str) -> Camt054Error {
    parse(&with(xml, from, to)).expect_err("the notification is refused")
}

/// The message of `error_with(xml, from, to)`, paths shortened: without the message element,
/// and without `Ntfctn[1]/` (every sample has one account).
fn refusal(xml: &str, from: &str, to: &str) -> String {
    let message = error_with(xml, from, to).to_string();
    let message = message.replace("BkToCstmrDbtCdtNtfctn/Ntfctn[1]/", "");
    message.replace("BkToCstmrDbtCdtNtfctn/", "")
}

/// The end-to-end id, amount and direction of each transaction of `e`.
fn paid(e: &Entry) -> Vec<(Option<&str>, Option<i64>, CreditDebit)> {
    e.transactions()
        .map(|t| (t.end_to_end_id.as_deref(), t.amount_minor, t.credit_debit))
        .collect()
}

#[test]
fn a_v02_notification_reads_batched_single_returned_and_pending_entries() {
    let n = parse(V02).expect("parses");
    assert_eq!(
        (n.version, n.message_id.as_str()),
        (2, "C54-20240118-000001")
    );
    assert_eq!(n.created_at.local, datetime!(2024-01-18 06:15:00));
    let [account] = n.notifications.as_slice() else {
        panic!("one account");
    };
    assert_eq!(account.id, "NTF-20240118-EUR-1");
    assert_eq!(account.account, Account::Iban(IBAN.into()));
    let [batched, single, returned, pending] = account.entries.as_slice() else {
        panic!("four entries");
    };
    let debit = CreditDebit::Debit;
    let e = batched;
    assert_eq!(
        (e.amount_minor, e.currency, e.credit_debit),
        (135_075, Currency::Eur, debit)
    );
    assert_eq!((e.status, e.reversal), (EntryStatus::Booked, false));
    assert_eq!(e.booking_date, Some(date!(2024 - 01 - 18)));
    assert_eq!(e.reference.as_deref(), Some("1"));
    assert_eq!(
        e.account_servicer_reference.as_deref(),
        Some("2024011800012345")
    );
    let b = e.details[0].batch.as_ref().expect("a batch");
    assert_eq!(b.message_id.as_deref(), Some("ANTON-MSG-0005"));
    assert_eq!(
        b.payment_information_id.as_deref(),
        Some("ANTON-BATCH-EUR-5")
    );
    assert_eq!((b.transaction_count, b.total_minor), (Some(3), None));
    let expected = [
        (Some("PO-E2E-0101"), Some(100_000), debit),
        (Some("PO-E2E-0102"), Some(25_075), debit),
        (Some("PO-E2E-0103"), Some(10_000), debit),
    ];
    assert_eq!(paid(e), expected);
    let t = e.transactions().next().expect("a transaction");
    let refs = (t.message_id.as_deref(), t.payment_information_id.as_deref());
    assert_eq!(refs, (Some("ANTON-MSG-0005"), Some("ANTON-BATCH-EUR-5")));
    assert_eq!(t.instruction_id.as_deref(), Some("po_0101"));
    // A single transaction with no amount of its own is the whole entry.
    assert_eq!(paid(single), [(Some("PO-E2E-0104"), Some(4_250), debit)]);
    assert_eq!(single.booking_date, Some(date!(2024 - 01 - 18)));
    let credit = CreditDebit::Credit;
    assert_eq!(
        paid(returned),
        [(Some("PO-E2E-0099"), Some(10_000), credit)]
    );
    let back = returned.transactions().next().expect("a transaction");
    let rtr = back.return_information.as_ref().expect("returned");
    let reason = rtr.reason.as_ref().map(Reason::failure_code);
    assert_eq!(reason, Some(FailureCode::AccountClosed));
    assert_eq!(rtr.additional_info.len(), 1);
    assert_eq!(pending.status, EntryStatus::Pending);
    assert_eq!(pending.booking_date, Some(date!(2024 - 01 - 19)));
}

#[test]
fn the_same_entries_read_alike_from_a_v08_notification() {
    let (v02, v08) = (parse(V02).expect("parses"), parse(V08).expect("parses"));
    assert_eq!(v08.version, 8);
    let account = &v08.notifications[0].account;
    assert_eq!(account, &Account::Other("40051512345678".into()));
    let (old, new) = (&v02.notifications[0].entries, &v08.notifications[0].entries);
    assert_eq!(old.len(), new.len());
    let summary = |e: &Entry| (e.amount_minor, e.credit_debit, e.status, e.booking_date);
    let reasons = |e: &Entry| -> Vec<Option<Reason>> {
        let returns = e
            .transactions()
            .filter_map(|t| t.return_information.as_ref());
        returns.map(|r| r.reason.clone()).collect()
    };
    for (old, new) in old.iter().zip(new) {
        assert_eq!(new.currency, Currency::Gbp);
        assert_eq!(summary(old), summary(new));
        assert_eq!(paid(old), paid(new));
        assert_eq!(reasons(old), reasons(new));
    }
    let b = new[0].details[0].batch.as_ref().expect("a batch");
    let debit = Some(CreditDebit::Debit);
    assert_eq!((b.total_minor, b.credit_debit), (Some(135_075), debit));
}

#[test]
fn every_version_from_02_to_10_is_read_and_the_others_are_refused() {
    for version in 2..=10 {
        let (sample, from) = if version < 7 {
            (V02, "02")
        } else {
            (V08, "08")
        };
        let ns = format!("camt.054.001.{version:02}");
        let xml = with(sample, &format!("camt.054.001.{from}"), &ns);
        assert_eq!(parse(&xml).map(|n| n.version), Ok(version));
    }
    for ns in ["camt.054.001.01", "camt.054.001.11", "camt.053.001.02"] {
        let namespace = format!("urn:iso:std:iso:20022:tech:xsd:{ns}");
        let error = error_with(V02, "camt.054.001.02", ns);
        assert_eq!(error, Camt054Error::UnsupportedNamespace { namespace });
    }
}

#[test]
fn a_notification_larger_than_the_limit_is_refused_unread() {
    let size_bytes = MAX_NOTIFICATION_BYTES + 1;
    let error = parse(&" ".repeat(size_bytes));
    assert_eq!(error, Err(Camt054Error::TooLarge { size_bytes }));
}

#[test]
fn xml_problems_and_a_foreign_root_are_refused() {
    let cut = parse(&V02[..V02.len() / 3]);
    assert!(matches!(
        cut,
        Err(Camt054Error::Xml(XmlProblem::Malformed { .. }))
    ));
    let entity = error_with(V02, "KONTO", "&KONTO;");
    assert_eq!(entity, Camt054Error::Xml(XmlProblem::Entity));
    let root = parse(&V02.replace("Document", "Doc"));
    assert_eq!(root, Err(Camt054Error::NotADocument));
}

// The refusal tables below are left unformatted so that each case reads on one line: the
// damage, then the message an operator sees.

#[rustfmt::skip]
#[test]
fn the_entry_status_is_the_code_itself_up_to_v06_and_a_choice_from_v07() {
    let v06 = with(V02, "camt.054.001.02", "camt.054.001.06");
    let v07 = with(V08, "camt.054.001.08", "camt.054.001.07");
    for (sample, from, to, message) in [
        (&*v06, "<Sts>BOOK<", "<Sts><Cd>BOOK</Cd><", "Ntry[1]/Sts must be the status code itself in camt.054.001.06"),
        (&*v07, "<Sts><Cd>BOOK</Cd><", "<Sts>BOOK<", "Ntry[1]/Sts must be a choice of Cd or Prtry in camt.054.001.07"),
        (V02, "<Sts>BOOK<", "<Sts>BOOKED<", "Ntry[1]/Sts holds the entry status (a value that is not a code), which Anton does not know"),
        (V08, "<Cd>BOOK<", "<Cd>RJCT<", "Ntry[1]/Sts/Cd holds the entry status RJCT, which Anton does not know"),
        (V08, "<Cd>BOOK</Cd>", "<Prtry>BOOK</Prtry>", "Ntry[1]/Sts/Prtry is the bank's own entry status, which Anton cannot interpret"),
    ] {
        assert_eq!(refusal(sample, from, to), message);
    }
}

#[rustfmt::skip]
#[test]
fn missing_repeated_empty_too_long_and_malformed_fields_are_refused_with_their_path() {
    let no_ntfctn = V02.replace("<Ntfctn>", "<Ntfctn2>").replace("</Ntfctn>", "</Ntfctn2>");
    let error = parse(&no_ntfctn).map_err(|e| e.to_string());
    assert_eq!(error, Err("BkToCstmrDbtCdtNtfctn/Ntfctn is missing".to_owned()));
    let tx4 = "Ntry[4]/NtryDtls[1]/TxDtls[1]/Refs/EndToEndId";
    let rsn = "Ntry[3]/NtryDtls[1]/TxDtls[1]/RtrInf/Rsn";
    for (from, to, message) in [
        ("<MsgId>C54-20240118-000001</MsgId>", "", "GrpHdr/MsgId is missing".to_owned()),
        ("<Amt Ccy=\"EUR\">1350.75</Amt>", "", "Ntry[1]/Amt is missing".into()),
        ("<Amt Ccy=\"EUR\">1350.75", "<Amt>1350.75", "Ntry[1]/Amt/@Ccy is missing".into()),
        ("<Sts>BOOK</Sts>", "<Sts>BOOK</Sts><Sts>BOOK</Sts>", "Ntry[1]/Sts appears more than once".into()),
        ("NTF-20240118-EUR-1", "", "Id is empty".into()),
        ("PO-E2E-0105", &"E".repeat(36), format!("{tx4} is 36 characters long; at most 35 are allowed")),
        ("2024-01-18T06:15:00.000+01:00", "18.01.2024", "GrpHdr/CreDtTm is not an ISO date-time".into()),
        ("<DtTm>2024-01-18T05:59:59", "<DtTm>2024-01-18", "Ntry[2]/BookgDt/DtTm is not an ISO date-time".into()),
        ("<Dt>2024-01-19</Dt>", "<Dt>2024-02-30</Dt>", "Ntry[4]/BookgDt/Dt is not an ISO date".into()),
        ("<Dt>2024-01-19</Dt>", "", "Ntry[4]/BookgDt must hold exactly one of Dt and DtTm".into()),
        ("<IBAN>", "<Othr><Id>1</Id></Othr><IBAN>", "Acct/Id must hold exactly one of IBAN and Othr".into()),
        ("<Rsn><Cd>AC04</Cd></Rsn>", "<Rsn/>", format!("{rsn} must hold exactly one of Cd and Prtry")),
        ("<Cd>AC04</Cd>", "<Cd>ac04</Cd>", format!("{rsn}/Cd is not an ISO reason code (four upper-case letters or digits)")),
    ] {
        assert!(matches!(error_with(V02, from, to), Camt054Error::Field(_)), "{to}");
        assert_eq!(refusal(V02, from, to), message);
    }
}

#[test]
fn an_account_iban_that_fails_its_check_is_refused_without_echoing_it() {
    let error = error_with(V02, IBAN, "DE88370400440532013000");
    let path = "BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Acct/Id/IBAN".to_owned();
    assert_eq!(error, Camt054Error::InvalidIban { path });
    assert!(!format!("{error} {error:?}").contains("DE8837040044"));
}

#[rustfmt::skip]
#[test]
fn amounts_must_be_plain_decimals_in_antons_currencies() {
    for bad in ["-42.50", "+42.50", "4.25e1", "42.", ".50", "42,50", "4 2.50", "", "0x2A"] {
        let message = refusal(V02, ">42.5<", &format!(">{bad}<"));
        assert_eq!(message, "Ntry[2]/Amt is not a decimal amount", "{bad:?}");
    }
    let tx2 = "Ntry[1]/NtryDtls[1]/TxDtls[2]/AmtDtls/TxAmt/Amt/@Ccy";
    for (from, to, message) in [
        (">42.5<", ">42.500<", "Ntry[2]/Amt has more than 2 decimals".to_owned()),
        (">42.5<", ">92233720368547758.08<", "Ntry[2]/Amt is too large".into()),
        ("\"EUR\">42.5", "\"eur\">42.5", "Ntry[2]/Amt/@Ccy is not an ISO currency code".into()),
        ("\"EUR\">42.5", "\"CHF\">42.5", "Ntry[2]/Amt/@Ccy is CHF; Anton's accounts hold only EUR, GBP and USD".into()),
        ("\"EUR\">250.75", "\"GBP\">250.75", format!("{tx2} is in GBP, but its entry is in EUR")),
    ] {
        assert_eq!(refusal(V02, from, to), message);
    }
    let largest = with(V02, ">42.5<", ">92233720368547758.07<");
    let largest = parse(&largest).map(|n| n.notifications[0].entries[1].amount_minor);
    assert_eq!(largest, Ok(i64::MAX));
}

#[rustfmt::skip]
#[test]
fn indicators_and_counts_must_be_of_their_type() {
    for (sample, from, to, message) in [
        (V02, "<CdtDbtInd>CRDT<", "<CdtDbtInd>C<", "Ntry[3]/CdtDbtInd is neither CRDT nor DBIT"),
        (V08, "<RvslInd>false<", "<RvslInd>no<", "Ntry[3]/RvslInd is not true or false"),
        (V02, "<NbOfTxs>3<", "<NbOfTxs>three<", "Ntry[1]/NtryDtls[1]/Btch/NbOfTxs is not a number of transactions"),
    ] {
        assert_eq!(refusal(sample, from, to), message);
    }
    let reversed = with(V08, "<RvslInd>false<", "<RvslInd>1<");
    let reversed = parse(&reversed).map(|n| n.notifications[0].entries[2].reversal);
    assert_eq!(reversed, Ok(true));
}

#[rustfmt::skip]
#[test]
fn a_notification_that_does_not_add_up_is_refused() {
    let batch = "Ntry[1]/NtryDtls[1]";
    // The third transaction of the first entry, turned into a credit: it nets against the
    // debits (1000.00 + 250.75 - 100.00).
    let third = "<CdtDbtInd>DBIT</CdtDbtInd>\n          </TxDtls>\n        </NtryDtls>";
    for (sample, from, to, message) in [
        (V08, ">250.75</Amt>\n", ">250.70</Amt>\n", format!("{batch}/TxDtls[2]: Amt is 25070 and AmtDtls/TxAmt/Amt is 25075 (minor units)")),
        (V02, "<NbOfTxs>3<", "<NbOfTxs>4<", format!("{batch}/Btch/NbOfTxs is 4 but 3 transactions are listed")),
        (V08, "\">1350.75</TtlAmt>", "\">1350.00</TtlAmt>", format!("{batch}/Btch/TtlAmt is 135000 but its transactions sum to 135075 (minor units)")),
        (V08, third, &third.replace("DBIT", "CRDT"), format!("{batch}/Btch/TtlAmt is 135075 but its transactions sum to 115075 (minor units)")),
        (V02, ">1350.75<", ">1350.76<", "Ntry[1]/Amt is 135076 but what it is made of sums to 135075 (minor units)".into()),
    ] {
        assert_eq!(refusal(sample, from, to), message);
    }
    let mismatch = error_with(V02, ">1350.75<", ">1350.76<");
    let (path, stated_minor, sum_minor) = (format!("{}/Amt", entry(1)), 135_076, 135_075);
    assert_eq!(mismatch, Camt054Error::EntryTotalMismatch { path, stated_minor, sum_minor });
}

/// The path of the `n`th entry (1-based).
fn entry(n: usize) -> String {
    format!("BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[{n}]")
}

#[test]
fn debug_shows_the_last_four_characters_of_an_account_and_no_free_text() {
    assert_eq!(
        format!("{:?}", Account::Iban(IBAN.into())),
        "Iban(\"…3000\")"
    );
    assert_eq!(
        format!("{:?}", Account::Other("1234".into())),
        "Other(\"…\")"
    );
    let shown = format!("{:?}", parse(V02).expect("parses"));
    assert!(shown.contains("…3000"), "{shown}");
    assert!(
        !shown.contains(IBAN) && !shown.contains(PAYEE_IBAN),
        "{shown}"
    );
}

#[rustfmt::skip]
#[test]
fn no_error_shows_an_iban_from_the_notification() {
    for (from, to) in [
        ("<NtryRef>1</NtryRef>", format!("<{IBAN}>1</NtryRef>")),
        ("<NtryRef>1<", format!("<NtryRef>&{IBAN};<")),
        (">1350.75<", format!(">{IBAN}<")),
        ("<Amt Ccy=\"EUR\">1350.75", format!("<Amt Ccy=\"{IBAN}\">1350.75")),
        ("<NbOfTxs>3<", format!("<NbOfTxs>{IBAN}<")),
        ("<Sts>BOOK<", format!("<Sts>{IBAN}<")),
        ("NTF-20240118-EUR-1", format!("{IBAN}{IBAN}")),
        ("<Dt>2024-01-19<", format!("<Dt>{IBAN}<")),
        ("urn:iso:std:iso:20022:tech:xsd:camt.054.001.02", IBAN.to_owned()),
        ("<CdtDbtInd>CRDT<", format!("<CdtDbtInd>{IBAN}<")),
    ] {
        let error = error_with(V02, from, &to);
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains(IBAN), "{shown}");
    }
}

#[test]
fn truncation_at_any_byte_and_any_single_byte_damage_are_errors_never_panics() {
    for sample in [V02, V08] {
        // Cutting only the final newline leaves a whole notification.
        let end = sample.trim_end().len();
        for cut in (0..sample.len()).filter(|&cut| sample.is_char_boundary(cut)) {
            assert!(cut >= end || parse(&sample[..cut]).is_err(), "cut at {cut}");
        }
    }
    let bytes = V08.as_bytes();
    for i in 0..bytes.len() {
        for replacement in [b'<', b'&', b'9', 0xFF] {
            let mut damaged = bytes.to_vec();
            damaged[i] = replacement;
            let _ = parse(&String::from_utf8_lossy(&damaged));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Generated notifications.

/// `<name>text</name>` with `text` escaped, or nothing for `None`.
fn tag<S: AsRef<str>>(name: &str, text: Option<S>) -> String {
    text.map_or(String::new(), |t| {
        format!("<{name}>{}</{name}>", escape(t.as_ref()))
    })
}

/// An amount element as a bank writes it.
fn amount(name: &str, minor: i64, currency: Currency) -> String {
    let (major, cents) = (minor / 100, minor % 100);
    format!("<{name} Ccy=\"{currency}\">{major}.{cents:02}</{name}>")
}

/// Renders `n` as a bank would in its version; `bare` leaves out the amount of the only
/// transaction of an entry that is not a batch booking.
fn render(n: &Notification, bare: bool) -> String {
    let ns = format!(
        "urn:iso:std:iso:20022:tech:xsd:camt.054.001.{:02}",
        n.version
    );
    let header =
        tag("MsgId", Some(&n.message_id)) + &tag("CreDtTm", Some(&render_date_time(&n.created_at)));
    let mut xml =
        format!("<Document xmlns=\"{ns}\"><BkToCstmrDbtCdtNtfctn><GrpHdr>{header}</GrpHdr>");
    for notification in &n.notifications {
        let id = match &notification.account {
            Account::Iban(iban) => tag("IBAN", Some(iban)),
            Account::Other(id) => format!("<Othr>{}</Othr>", tag("Id", Some(id))),
        };
        xml += &format!(
            "<Ntfctn>{}<Acct><Id>{id}</Id></Acct>",
            tag("Id", Some(&notification.id))
        );
        for e in &notification.entries {
            xml += &render_entry(e, n.version, bare);
        }
        xml += "</Ntfctn>";
    }
    xml + "</BkToCstmrDbtCdtNtfctn></Document>"
}

fn render_entry(e: &Entry, version: u8, bare: bool) -> String {
    let status = e.status.code();
    let mut xml = "<Ntry>".to_owned() + &tag("NtryRef", e.reference.as_deref());
    xml += &amount("Amt", e.amount_minor, e.currency);
    xml += &format!(
        "<CdtDbtInd>{}</CdtDbtInd><RvslInd>{}</RvslInd>",
        e.credit_debit.code(),
        e.reversal
    );
    xml += &if version < 7 {
        tag("Sts", Some(status))
    } else {
        format!("<Sts>{}</Sts>", tag("Cd", Some(status)))
    };
    xml += &e.booking_date.map_or(String::new(), |d| {
        format!("<BookgDt><Dt>{d}</Dt></BookgDt>")
    });
    xml += &tag("AcctSvcrRef", e.account_servicer_reference.as_deref());
    xml += "<BkTxCd/>";
    let bare = bare && e.transactions().count() == 1 && e.details.iter().all(|d| d.batch.is_none());
    for d in &e.details {
        xml += "<NtryDtls>";
        if let Some(b) = &d.batch {
            xml += &("<Btch>".to_owned() + &tag("MsgId", b.message_id.as_deref()));
            xml += &tag("PmtInfId", b.payment_information_id.as_deref());
            xml += &tag(
                "NbOfTxs",
                b.transaction_count.map(|c| c.to_string()).as_deref(),
            );
            xml += &b
                .total_minor
                .map_or(String::new(), |t| amount("TtlAmt", t, e.currency));
            xml += &tag("CdtDbtInd", b.credit_debit.map(CreditDebit::code));
            xml += "</Btch>";
        }
        for t in &d.transactions {
            xml += &render_transaction(t, e.currency, version, bare);
        }
        xml += "</NtryDtls>";
    }
    xml + "</Ntry>"
}

fn render_transaction(t: &Transaction, currency: Currency, version: u8, bare: bool) -> String {
    let mut xml = "<TxDtls><Refs>".to_owned() + &tag("MsgId", t.message_id.as_deref());
    xml += &tag("PmtInfId", t.payment_information_id.as_deref());
    xml += &tag("InstrId", t.instruction_id.as_deref());
    xml += &(tag("EndToEndId", t.end_to_end_id.as_deref()) + "</Refs>");
    match (t.amount_minor, bare) {
        (Some(minor), false) if version >= 4 => {
            xml +=
                &(amount("Amt", minor, currency) + &tag("CdtDbtInd", Some(t.credit_debit.code())));
        }
        (Some(minor), false) => {
            xml += &format!(
                "<AmtDtls><TxAmt>{}</TxAmt></AmtDtls>",
                amount("Amt", minor, currency)
            )
        }
        _ => {}
    }
    if let Some(rtr) = &t.return_information {
        let code = match &rtr.reason {
            Some(Reason::Code(code)) => format!("<Rsn>{}</Rsn>", tag("Cd", Some(code.as_str()))),
            _ => String::new(),
        };
        let lines: String = rtr
            .additional_info
            .iter()
            .map(|l| tag("AddtlInf", Some(l)))
            .collect();
        xml += &format!("<RtrInf>{code}{lines}</RtrInf>");
    }
    xml + "</TxDtls>"
}

/// Valid IBANs for generated accounts.
const IBANS: [&str; 3] = [IBAN, "GB29NWBK60161331926819", PAYEE_IBAN];

prop_compose! {
    fn arb_transaction(credit_debit: CreditDebit)(
        refs in proptest::array::uniform4(of(arb_id())),
        minor in 0i64..10_000_000_000,
        rtr in of((of("[A-Z0-9]{4}"), vec(arb_id(), 0..2))),
    ) -> Transaction {
        let [end_to_end_id, instruction_id, message_id, payment_information_id] = refs;
        let code = |c: String| Reason::Code(ReasonCode::parse(&c).expect("a code"));
        let return_information = rtr.map(|(code_text, additional_info)| {
            ReturnInformation { reason: code_text.map(code), additional_info }
        });
        Transaction {
            end_to_end_id, instruction_id, message_id, payment_information_id,
            amount_minor: Some(minor), credit_debit, return_information,
        }
    }
}

prop_compose! {
    /// Details whose batch, if any, agrees with the transactions listed.
    fn arb_details(credit_debit: CreditDebit)(
        transactions in vec(arb_transaction(credit_debit), 0..3),
        batch in of((
            of(arb_id()), of(arb_id()), of(1u64..1000), of(0i64..1_000_000), any::<bool>(),
        )),
    ) -> EntryDetails {
        let listed = transactions.len() as u64;
        let sum: i64 = transactions.iter().filter_map(|t| t.amount_minor).sum();
        let batch = batch.map(|(message_id, payment_information_id, count, total, directed)| Batch {
            message_id, payment_information_id,
            transaction_count: count.map(|c| if listed > 0 { listed } else { c }),
            total_minor: total.map(|t| if listed > 0 { sum } else { t }),
            credit_debit: directed.then_some(credit_debit),
        });
        EntryDetails { batch, transactions }
    }
}

prop_compose! {
    fn arb_date()(y in 2000i32..2100, m in 1u8..=12, d in 1u8..=28) -> Date {
        Date::from_calendar_date(y, time::Month::try_from(m).expect("a month"), d).expect("a date")
    }
}

prop_compose! {
    fn arb_entry_of(credit_debit: CreditDebit, currency: Currency)(
        refs in (of(arb_id()), of(arb_id())),
        status in proptest::sample::select(EntryStatus::ALL.to_vec()),
        reversal in any::<bool>(),
        booking_date in of(arb_date()),
        details in vec(arb_details(credit_debit), 0..3),
        unchecked_minor in 0i64..1_000_000,
    ) -> Entry {
        // The entry adds up: its transactions' sum, or its batches' when it lists none.
        let mut transactions = details.iter().flat_map(|d| &d.transactions).peekable();
        let batches: Option<i64> = details.iter().map(|d| d.batch.as_ref()?.total_minor).sum();
        let amount_minor = if transactions.peek().is_some() {
            transactions.filter_map(|t| t.amount_minor).sum()
        } else {
            batches.unwrap_or(unchecked_minor)
        };
        let (reference, account_servicer_reference) = refs;
        Entry {
            reference, amount_minor, currency, credit_debit, reversal, status, booking_date,
            account_servicer_reference, details,
        }
    }
}

fn arb_entry() -> impl Strategy<Value = Entry> {
    let direction = prop_oneof![Just(CreditDebit::Credit), Just(CreditDebit::Debit)];
    let currency = proptest::sample::select(Currency::ALL.to_vec());
    (direction, currency).prop_flat_map(|(direction, currency)| arb_entry_of(direction, currency))
}

prop_compose! {
    fn arb_notification()(
        version in 2u8..=10,
        message_id in arb_id(),
        created_at in arb_date_time(),
        notifications in vec((arb_id(), arb_account(), vec(arb_entry(), 0..4)), 1..3),
    ) -> Notification {
        let notifications = notifications.into_iter().map(|(id, account, entries)| {
            AccountNotification { id, account, entries }
        });
        Notification { version, message_id, created_at, notifications: notifications.collect() }
    }
}

fn arb_account() -> impl Strategy<Value = Account> {
    prop_oneof![
        proptest::sample::select(IBANS.to_vec()).prop_map(|i| Account::Iban(i.to_owned())),
        "[0-9]{6,14}".prop_map(Account::Other),
    ]
}

proptest! {
    #[test]
    fn every_generated_notification_reads_back_the_same(n in arb_notification(), bare: bool) {
        let xml = render(&n, bare);
        prop_assert_eq!(parse(&xml), Ok(n), "{}", xml);
    }
}
