//! Known-answer and property tests for the `pain.001.001.09` reader. Every file is written here
//! by hand from the XSD (the fixtures validate against it with `xmllint --schema`) or by a small
//! renderer: nothing comes from the writer, so these tests share none of its mistakes.

use proptest::option::of as maybe;
use proptest::prelude::*;
use time::Month;

use super::*;

/// A SEPA file: two payment information blocks, three euro transactions, controls at both
/// levels in the first block and only in the group header for the second.
const SEPA_FILE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09">
  <CstmrCdtTrfInitn>
    <GrpHdr>
      <MsgId>ANTON-20240115-0001</MsgId><CreDtTm>2024-01-15T09:30:00+01:00</CreDtTm>
      <NbOfTxs>3</NbOfTxs><CtrlSum>1761.50</CtrlSum>
      <InitgPty><Nm>Anton Payments GmbH</Nm></InitgPty>
    </GrpHdr>
    <PmtInf>
      <PmtInfId>BATCH-0001</PmtInfId><PmtMtd>TRF</PmtMtd><BtchBookg>true</BtchBookg>
      <NbOfTxs>2</NbOfTxs><CtrlSum>1749.50</CtrlSum>
      <PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf>
      <ReqdExctnDt><Dt>2024-01-16</Dt></ReqdExctnDt><Dbtr><Nm>Anton Payments GmbH</Nm></Dbtr>
      <DbtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></DbtrAcct>
      <DbtrAgt><FinInstnId><BICFI>COBADEFFXXX</BICFI></FinInstnId></DbtrAgt><ChrgBr>SLEV</ChrgBr>
      <CdtTrfTxInf>
        <PmtId><InstrId>INSTR-1</InstrId><EndToEndId>po-01HMZ8K2Q7</EndToEndId></PmtId>
        <Amt><InstdAmt Ccy="EUR">1500.00</InstdAmt></Amt>
        <CdtrAgt><FinInstnId><BICFI>BNPAFRPP</BICFI></FinInstnId></CdtrAgt>
        <Cdtr><Nm>Jeanne Dupont</Nm></Cdtr>
        <CdtrAcct><Id><IBAN>FR1420041010050500013M02606</IBAN></Id></CdtrAcct>
        <RmtInf><Ustrd>Invoice 2024/001, January (services)</Ustrd></RmtInf>
      </CdtTrfTxInf>
      <CdtTrfTxInf>
        <PmtId><EndToEndId>po-01HMZ8K2Q8</EndToEndId></PmtId>
        <Amt><InstdAmt Ccy="EUR">249.5</InstdAmt></Amt><Cdtr><Nm>De Vries B.V.</Nm></Cdtr>
        <CdtrAcct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></CdtrAcct>
      </CdtTrfTxInf>
    </PmtInf>
    <PmtInf>
      <PmtInfId>BATCH-0002</PmtInfId><PmtMtd>TRF</PmtMtd>
      <PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl><LclInstrm><Cd>INST</Cd></LclInstrm></PmtTpInf>
      <ReqdExctnDt><Dt>2024-01-17</Dt></ReqdExctnDt><Dbtr><Nm>Anton Payments GmbH</Nm></Dbtr>
      <DbtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></DbtrAcct>
      <DbtrAgt><FinInstnId/></DbtrAgt>
      <CdtTrfTxInf>
        <PmtId><EndToEndId>po-01HMZ8K2Q9</EndToEndId></PmtId>
        <Amt><InstdAmt Ccy="EUR">12</InstdAmt></Amt><Cdtr><Nm>Huber KG</Nm></Cdtr>
        <CdtrAcct><Id><IBAN>AT611904300234573201</IBAN></Id></CdtrAcct>
      </CdtTrfTxInf>
    </PmtInf>
  </CstmrCdtTrfInitn>
</Document>"#;

/// A UK file: pounds to account numbers with sort codes (GBDSC), names outside the SEPA set.
const UK_FILE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09">
  <CstmrCdtTrfInitn>
    <GrpHdr>
      <MsgId>ANTON-GB-20240115-07</MsgId><CreDtTm>2024-01-15T16:05:42.123Z</CreDtTm>
      <NbOfTxs>2</NbOfTxs><CtrlSum>350.25</CtrlSum>
      <InitgPty><Nm>Anton Payments Ltd</Nm></InitgPty>
    </GrpHdr>
    <PmtInf>
      <PmtInfId>GB-BATCH-0007</PmtInfId><PmtMtd>TRF</PmtMtd><BtchBookg>false</BtchBookg>
      <NbOfTxs>2</NbOfTxs><CtrlSum>350.25</CtrlSum>
      <PmtTpInf><LclInstrm><Prtry>FPS</Prtry></LclInstrm></PmtTpInf>
      <ReqdExctnDt><Dt>2024-01-15</Dt></ReqdExctnDt><Dbtr><Nm>Anton Payments Ltd</Nm></Dbtr>
      <DbtrAcct><Id><IBAN>GB29NWBK60161331926819</IBAN></Id></DbtrAcct>
      <DbtrAgt><FinInstnId><BICFI>NWBKGB2L</BICFI></FinInstnId></DbtrAgt><ChrgBr>DEBT</ChrgBr>
      <CdtTrfTxInf>
        <PmtId><InstrId>GB-7-1</InstrId><EndToEndId>po_01HMZ9A1B2</EndToEndId></PmtId>
        <Amt><InstdAmt Ccy="GBP">300.00</InstdAmt></Amt><CdtrAgt><FinInstnId>
          <ClrSysMmbId><ClrSysId><Cd>GBDSC</Cd></ClrSysId><MmbId>400515</MmbId></ClrSysMmbId>
        </FinInstnId></CdtrAgt><Cdtr><Nm>Zoë O'Neil &amp; Sons</Nm></Cdtr>
        <CdtrAcct><Id><Othr><Id>12345678</Id><SchmeNm><Cd>BBAN</Cd></SchmeNm></Othr></Id>
        </CdtrAcct>
        <RmtInf><Ustrd>Rent – January</Ustrd></RmtInf>
      </CdtTrfTxInf>
      <CdtTrfTxInf>
        <PmtId><EndToEndId>po_01HMZ9A1B3</EndToEndId></PmtId>
        <Amt><InstdAmt Ccy="GBP">50.25</InstdAmt></Amt><CdtrAgt><FinInstnId><BICFI>BARCGB22</BICFI>
          <ClrSysMmbId><ClrSysId><Cd>GBDSC</Cd></ClrSysId><MmbId>200415</MmbId></ClrSysMmbId>
        </FinInstnId></CdtrAgt>
        <Cdtr><Nm>Priya Shah</Nm></Cdtr><CdtrAcct><Id><Othr><Id>87654321</Id></Othr></Id></CdtrAcct>
      </CdtTrfTxInf>
    </PmtInf>
  </CstmrCdtTrfInitn>
</Document>"#;

/// Every IBAN and account number in the fixtures: none may reach an error or a `Debug` output.
#[rustfmt::skip]
const SECRETS: [&str; 7] = [
    "DE89370400440532013000", "FR1420041010050500013M02606", "NL91ABNA0417164300",
    "AT611904300234573201", "GB29NWBK60161331926819", "12345678", "87654321",
];

/// `xml` with the first `from` replaced by `to`; `from` must be there.
fn with(xml: &str, from: &str, to: &str) -> String {
    assert!(xml.contains(from), "{from:?} is not in the file");
    xml.replacen(from, to, 1)
}

/// `xml` without its first `name` element and what it holds.
fn without(xml: &str, name: &str) -> String {
    let start = [">", " "]
        .iter()
        .find_map(|end| xml.find(&format!("<{name}{end}")));
    let start = start.expect("the element is in the file");
    let end = xml[start..].find(&format!("</{name}>")).expect("it ends") + name.len() + 3;
    format!("{}{}", &xml[..start], &xml[start + end..])
}

/// Asserts that neither the message nor the `Debug` output of `error` holds a secret.
fn assert_no_secret(error: &ReadError) {
    let shown = format!("{error} {error:?}");
    for secret in SECRETS {
        assert!(!shown.contains(secret), "a secret in {shown}");
    }
}

/// The error for `xml`, which breaks a rule; it holds no secret.
fn error_of(xml: &str) -> ReadError {
    let error = parse(xml).expect_err("the file breaks a rule");
    assert_no_secret(&error);
    error
}

/// The error for the SEPA file with the first `from` replaced by `to`.
fn sepa_error(from: &str, to: &str) -> ReadError {
    error_of(&with(SEPA_FILE, from, to))
}

/// Asserts that `error` is `Invalid` at `path`.
fn assert_invalid_at(error: ReadError, path: &str) {
    let at_path = matches!(&error, ReadError::Invalid { path: p, .. } if p == path);
    assert!(at_path, "{error:?}, not Invalid at {path}");
}

// The builders of expected values are left unformatted, a few fields a line.

/// A euro transaction to an IBAN with every optional field left out.
#[rustfmt::skip]
fn to_iban(end_to_end_id: &str, amount_minor: i64, name: &str, iban: &str) -> Transaction {
    Transaction {
        instruction_id: None, end_to_end_id: end_to_end_id.into(), currency: "EUR".into(),
        amount_minor, creditor_bic: None, creditor_clearing: None, creditor_name: name.into(),
        creditor_account: CreditorAccount::Iban(iban.into()), remittance: None,
    }
}

/// `to` in pounds, to UK account `id` at the bank with `sort_code`.
#[rustfmt::skip]
fn to_uk_account(to: Transaction, sort_code: &str, id: &str, scheme: Option<&str>) -> Transaction {
    let (system, member_id) = (Some("GBDSC".into()), sort_code.into());
    let (id, scheme) = (id.into(), scheme.map(String::from));
    Transaction {
        currency: "GBP".into(), creditor_clearing: Some(ClearingMember { system, member_id }),
        creditor_account: CreditorAccount::Other { id, scheme }, ..to
    }
}

/// A block from Anton's account `(name, IBAN)`, with every optional field left out.
#[rustfmt::skip]
fn from_anton(id: &str, day: u8, anton: (&str, &str), to: Vec<Transaction>) -> PaymentInformation {
    let date = Date::from_calendar_date(2024, Month::January, day).expect("a day");
    PaymentInformation {
        id: id.into(), batch_booking: None, service_level: None, local_instrument: None,
        requested_execution_date: date, debtor_name: anton.0.into(), debtor_iban: anton.1.into(),
        debtor_bic: None, charge_bearer: None, transactions: to,
    }
}

#[test]
fn a_valid_sepa_file_reads_to_the_expected_values() {
    let (anton, sepa) = (("Anton Payments GmbH", SECRETS[0]), Some("SEPA".into()));
    let first = Transaction {
        instruction_id: Some("INSTR-1".into()),
        creditor_bic: Some("BNPAFRPP".into()),
        remittance: Some("Invoice 2024/001, January (services)".into()),
        ..to_iban("po-01HMZ8K2Q7", 150_000, "Jeanne Dupont", SECRETS[1])
    };
    let second = to_iban("po-01HMZ8K2Q8", 24_950, "De Vries B.V.", SECRETS[2]);
    let third = to_iban("po-01HMZ8K2Q9", 1_200, "Huber KG", SECRETS[3]);
    let expected = CreditTransferInitiation {
        message_id: "ANTON-20240115-0001".into(),
        created_at: "2024-01-15T09:30:00+01:00".into(),
        initiating_party_name: Some(anton.0.into()),
        number_of_transactions: 3,
        control_sum_minor: Some(176_150),
        payments: vec![
            PaymentInformation {
                batch_booking: Some(true),
                service_level: sepa.clone(),
                debtor_bic: Some("COBADEFFXXX".into()),
                charge_bearer: Some("SLEV".into()),
                ..from_anton("BATCH-0001", 16, anton, vec![first, second])
            },
            PaymentInformation {
                service_level: sepa,
                local_instrument: Some("INST".into()),
                ..from_anton("BATCH-0002", 17, anton, vec![third])
            },
        ],
    };
    assert_eq!(parse(SEPA_FILE), Ok(expected));
}

#[test]
fn a_valid_uk_file_reads_to_the_expected_values() {
    let first = Transaction {
        instruction_id: Some("GB-7-1".into()),
        remittance: Some("Rent – January".into()),
        ..to_iban("po_01HMZ9A1B2", 30_000, "Zoë O'Neil & Sons", "")
    };
    let second = Transaction {
        creditor_bic: Some("BARCGB22".into()),
        ..to_iban("po_01HMZ9A1B3", 5_025, "Priya Shah", "")
    };
    let first = to_uk_account(first, "400515", "12345678", Some("BBAN"));
    let second = to_uk_account(second, "200415", "87654321", None);
    let anton = ("Anton Payments Ltd", SECRETS[4]);
    let expected = CreditTransferInitiation {
        message_id: "ANTON-GB-20240115-07".into(),
        created_at: "2024-01-15T16:05:42.123Z".into(),
        initiating_party_name: Some(anton.0.into()),
        number_of_transactions: 2,
        control_sum_minor: Some(35_025),
        payments: vec![PaymentInformation {
            batch_booking: Some(false),
            local_instrument: Some("FPS".into()),
            debtor_bic: Some("NWBKGB2L".into()),
            charge_bearer: Some("DEBT".into()),
            ..from_anton("GB-BATCH-0007", 15, anton, vec![first, second])
        }],
    };
    assert_eq!(parse(UK_FILE), Ok(expected));
}

/// Asserts that the SEPA file with each `from` replaced by `to` is refused with `message`: no two
/// variants share a message's form, and each names all its fields. Tables are left unformatted.
fn assert_refused(cases: &[(&str, &str, &str)]) {
    for (from, to, message) in cases {
        assert_eq!(sepa_error(from, to).to_string(), *message, "{from} → {to}");
    }
}

#[test]
fn a_root_outside_the_pain_001_001_09_namespace_is_refused() {
    let root = |f: &str| ReadError::WrongRoot { found: f.into() };
    let v03 = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.03}Document";
    assert_eq!(sepa_error("pain.001.001.09", "pain.001.001.03"), root(v03));
    let xmlns = format!(r#" xmlns="{NAMESPACE}""#);
    assert_eq!(sepa_error(&xmlns, ""), root("not ISO 20022's"));
    let renamed = error_of(&SEPA_FILE.replace("Document", "Doc"));
    assert_eq!(renamed, root(&format!("{{{NAMESPACE}}}Doc")));
}

#[test]
fn a_missing_required_element_or_a_second_of_one_the_reader_returns_is_refused() {
    let missing = |p: &str| ReadError::Missing { path: p.into() };
    // Each element left out, and the path of the first element found missing.
    #[rustfmt::skip]
    let cases = [
        ("MsgId", "GrpHdr/MsgId"), ("CreDtTm", "GrpHdr/CreDtTm"), ("NbOfTxs", "GrpHdr/NbOfTxs"),
        ("InitgPty", "GrpHdr/InitgPty"), ("PmtInfId", "PmtInf[1]/PmtInfId"),
        ("PmtMtd", "PmtInf[1]/PmtMtd"), ("Dt", "PmtInf[1]/ReqdExctnDt/Dt"),
        ("Dbtr", "PmtInf[1]/Dbtr/Nm"), ("DbtrAcct", "PmtInf[1]/DbtrAcct/Id/IBAN"),
        ("DbtrAgt", "PmtInf[1]/DbtrAgt/FinInstnId"),
        ("EndToEndId", "PmtInf[1]/CdtTrfTxInf[1]/PmtId/EndToEndId"),
        ("InstdAmt", "PmtInf[1]/CdtTrfTxInf[1]/Amt/InstdAmt"),
        ("Cdtr", "PmtInf[1]/CdtTrfTxInf[1]/Cdtr/Nm"),
        ("CdtrAcct", "PmtInf[1]/CdtTrfTxInf[1]/CdtrAcct/Id"),
    ];
    for (name, path) in cases {
        assert_eq!(error_of(&without(SEPA_FILE, name)), missing(path), "{name}");
    }
    let iban = format!("<IBAN>{}</IBAN>", SECRETS[0]);
    let other = sepa_error(&iban, "<Othr><Id>0532013000</Id></Othr>");
    assert_eq!(other, missing("PmtInf[1]/DbtrAcct/Id/IBAN"));
    let no_currency = sepa_error(r#" Ccy="EUR">249.5"#, ">249.5");
    let currency = missing("PmtInf[1]/CdtTrfTxInf[2]/Amt/InstdAmt/@Ccy");
    assert_eq!(no_currency, currency);
    let unwrapped = SEPA_FILE.replace("CstmrCdtTrfInitn>", "Initn>");
    assert_eq!(error_of(&unwrapped), missing("CstmrCdtTrfInitn"));
    let no_payments = without(&without(SEPA_FILE, "PmtInf"), "PmtInf");
    assert_eq!(error_of(&no_payments), missing("PmtInf"));
    let (head, tail) = SEPA_FILE.split_at(SEPA_FILE.rfind("<CdtTrfTxInf>").expect("one"));
    let empty = error_of(&format!("{head}{}", without(tail, "CdtTrfTxInf")));
    assert_eq!(empty, missing("PmtInf[2]/CdtTrfTxInf"));
    // The reader returns one of these; it cannot choose between two.
    let twice = |element: &str| sepa_error(element, &element.repeat(2));
    let repeated = |p: &str| ReadError::Repeated { path: p.into() };
    let message_id = twice("<MsgId>ANTON-20240115-0001</MsgId>");
    assert_eq!(message_id, repeated("GrpHdr/MsgId"));
    let level = twice("<SvcLvl><Cd>SEPA</Cd></SvcLvl>");
    assert_eq!(level, repeated("PmtInf[1]/PmtTpInf/SvcLvl"));
    let remittance = twice("<Ustrd>Invoice 2024/001, January (services)</Ustrd>");
    assert!(matches!(remittance, ReadError::Repeated { .. }));
}

#[test]
fn an_iban_with_bad_check_digits_a_wrong_length_or_another_form_is_refused() {
    let invalid = |p: &str| ReadError::InvalidIban { path: p.into() };
    let (iban, debtor) = (SECRETS[0], "PmtInf[1]/DbtrAcct/Id/IBAN");
    // Bad check digits; right ones, but 23 characters where German IBANs have 22; the paper
    // form, which `iban_validate` takes and the schema does not.
    let long = checked_iban("DE", "3704004405320130001");
    let bad = "DE88370400440532013000|DE89 3704 0044 0532 0130 00";
    for bad in bad.split('|').chain([long.as_str()]) {
        assert_eq!(sepa_error(iban, bad), invalid(debtor), "{bad}");
    }
    let lower = sepa_error("FR1420041010050500013M02606", "FR1420041010050500013m02606");
    assert_eq!(lower, invalid("PmtInf[1]/CdtTrfTxInf[1]/CdtrAcct/Id/IBAN"));
}

#[test]
fn a_bic_outside_the_schemas_pattern_is_refused() {
    let invalid = |p: &str| ReadError::InvalidBic { path: p.into() };
    let debtor = "PmtInf[1]/DbtrAgt/FinInstnId/BICFI";
    for bic in "COBADEFFXX COBADEFFXXXX cobadeffxxx COBA1EFFXXX COBADEFF_XX".split(' ') {
        assert_eq!(sepa_error("COBADEFFXXX", bic), invalid(debtor), "{bic:?}");
    }
    let creditor = "PmtInf[1]/CdtTrfTxInf[1]/CdtrAgt/FinInstnId/BICFI";
    assert_eq!(sepa_error("BNPAFRPP", "BNPAFRP"), invalid(creditor));
}

#[test]
fn a_number_of_transactions_that_disagrees_is_refused_at_both_levels() {
    #[rustfmt::skip]
    let cases = [
        ("<NbOfTxs>3<", "<NbOfTxs>4<", "GrpHdr/NbOfTxs is 4 where there are 3 transactions"),
        ("<NbOfTxs>2<", "<NbOfTxs>1<", "PmtInf[1]/NbOfTxs is 1 where there are 2 transactions"),
    ];
    assert_refused(&cases);
    for count in ["", " 3", "+3", "3.0", "1234567890123456"] {
        let error = sepa_error("<NbOfTxs>3<", &format!("<NbOfTxs>{count}<"));
        assert_invalid_at(error, "GrpHdr/NbOfTxs");
    }
}

#[test]
fn a_control_sum_that_disagrees_is_refused_at_both_levels() {
    #[rustfmt::skip]
    let cases = [
        ("1761.50", "1761.51", "GrpHdr/CtrlSum is 1761.51 where the amounts add up to 1761.50"),
        ("1749.50", "1749", "PmtInf[1]/CtrlSum is 1749.00 where the amounts add up to 1749.50"),
    ];
    assert_refused(&cases);
    // A `DecimalNumber` may write zeros past hundredths, and whitespace around the value.
    assert!(parse(&with(SEPA_FILE, "1761.50", " 1761.500\n")).is_ok());
    assert_invalid_at(sepa_error("1761.50", "1761.505"), "GrpHdr/CtrlSum");
    assert_invalid_at(sepa_error("1761.50", "1.7615E3"), "GrpHdr/CtrlSum");
}

#[test]
fn an_amount_with_more_fraction_digits_than_its_currency_is_refused() {
    let (path, currency) = ("PmtInf[1]/CdtTrfTxInf[1]/Amt/InstdAmt".into(), "EUR".into());
    let euros = ReadError::TooManyFractionDigits { path, currency };
    assert_eq!(sepa_error("1500.00", "1500.000"), euros);
    let (path, currency) = ("PmtInf[1]/CdtTrfTxInf[2]/Amt/InstdAmt".into(), "GBP".into());
    let pounds = ReadError::TooManyFractionDigits { path, currency };
    assert_eq!(error_of(&with(UK_FILE, ">50.25<", ">50.251<")), pounds);
}

#[test]
fn a_negative_or_zero_amount_is_refused() {
    for amount in ["-249.5", "-0.01", "0", "0.00", "000.0"] {
        let path = "PmtInf[1]/CdtTrfTxInf[2]/Amt/InstdAmt".into();
        assert_eq!(sepa_error("249.5", amount), ReadError::NotPositive { path });
    }
}

#[test]
fn amounts_are_plain_decimals_in_a_currency_anton_pays_in() {
    let path = "PmtInf[1]/CdtTrfTxInf[2]/Amt/InstdAmt";
    let forms = "+249.5|2.495E2|2.495e2|.5|249.|| |249,5|249.5.0|0x1F|٢٤٩|99999999999999999.99";
    let too_large = "9".repeat(18);
    for amount in forms.split('|').chain([too_large.as_str()]) {
        assert_invalid_at(sepa_error("249.5", amount), path);
    }
    // Whitespace around the value is not part of it (leading zeros: see the random files).
    assert!(parse(&with(SEPA_FILE, "249.5", " 249.5\n")).is_ok());
    let ccy = |code| sepa_error(r#"Ccy="EUR">249.5"#, &format!(r#"Ccy="{code}">249.5"#));
    let (path, currency) = (path.to_owned(), "CHF".to_owned());
    let chf = ReadError::UnsupportedCurrency { path, currency };
    assert_eq!(ccy("CHF"), chf);
    for malformed in ["eur", "EURO", "EU", ""] {
        assert_invalid_at(ccy(malformed), "PmtInf[1]/CdtTrfTxInf[2]/Amt/InstdAmt");
    }
}

#[test]
fn a_duplicate_id_is_refused() {
    #[rustfmt::skip]
    let cases = [
        ("BATCH-0002", "BATCH-0001", "PmtInf[2]/PmtInfId repeats the id of PmtInf[1]/PmtInfId"),
        ("po-01HMZ8K2Q9", "po-01HMZ8K2Q7", "PmtInf[2]/CdtTrfTxInf[1]/PmtId/EndToEndId repeats \
            the id of PmtInf[1]/CdtTrfTxInf[1]/PmtId/EndToEndId"),
    ];
    assert_refused(&cases);
    // Ids of different kinds may be equal.
    assert!(parse(&with(SEPA_FILE, "po-01HMZ8K2Q9", "BATCH-0001")).is_ok());
}

#[test]
fn a_character_outside_the_sepa_set_is_refused_in_a_sepa_payment_only() {
    // The group header follows the SEPA rules when a payment does.
    #[rustfmt::skip]
    let cases = [
        ("Jeanne Dupont", "Jeanne Dupönt",
            "PmtInf[1]/CdtTrfTxInf[1]/Cdtr/Nm: character 11 is not in the SEPA character set"),
        ("Jeanne Dupont", "Jeanne_Dupont",
            "PmtInf[1]/CdtTrfTxInf[1]/Cdtr/Nm: character 7 is not in the SEPA character set"),
        ("January (services)", "Jan &amp; Feb",
            "PmtInf[1]/CdtTrfTxInf[1]/RmtInf/Ustrd: character 23 is not in the SEPA character set"),
        ("<Nm>Anton Payments GmbH</Nm></I", "<Nm>Anton ☺</Nm></I",
            "GrpHdr/InitgPty/Nm: character 7 is not in the SEPA character set"),
    ];
    assert_refused(&cases);
    // The UK file's names hold 'ë', '&' and '–', and its ids '_'.
    assert!(parse(UK_FILE).is_ok());
}

#[test]
fn a_sepa_id_with_a_double_leading_or_trailing_slash_is_refused() {
    let slashes = |p: &str| ReadError::SepaSlashes { path: p.into() };
    let error = sepa_error("po-01HMZ8K2Q8", "po//01HMZ8K2Q8");
    assert_eq!(error, slashes("PmtInf[1]/CdtTrfTxInf[2]/PmtId/EndToEndId"));
    let error = sepa_error("INSTR-1", "INSTR-1/");
    assert_eq!(error, slashes("PmtInf[1]/CdtTrfTxInf[1]/PmtId/InstrId"));
    let error = sepa_error("BATCH-0001", "/BATCH-0001");
    assert_eq!(error, slashes("PmtInf[1]/PmtInfId"));
    let error = sepa_error("ANTON-20240115-0001", "ANTON//1");
    assert_eq!(error, slashes("GrpHdr/MsgId"));
    assert!(parse(&with(SEPA_FILE, "po-01HMZ8K2Q8", "po/01HMZ8K2Q8")).is_ok());
    assert!(parse(&with(UK_FILE, "GB-7-1", "GB//7//1/")).is_ok());
}

#[test]
fn a_text_longer_than_its_type_is_refused_and_one_as_long_is_read_as_written() {
    let msg_id = "ANTON-20240115-0001";
    #[rustfmt::skip]
    let cases = [
        (msg_id, &*"A".repeat(36), "GrpHdr/MsgId is longer than 35 characters"),
        ("De Vries B.V.", &*"V".repeat(71),
            "PmtInf[1]/CdtTrfTxInf[2]/Cdtr/Nm is longer than 70 characters"),
        (msg_id, "", "GrpHdr/MsgId is empty"),
        (msg_id, "   ", "GrpHdr/MsgId is empty"),
        ("<Nm>Huber KG", "<Nm>Huber <b>KG</b>",
            "PmtInf[2]/CdtTrfTxInf[1]/Cdtr/Nm must be text, not elements"),
    ];
    assert_refused(&cases);
    assert!(parse(&with(SEPA_FILE, msg_id, &"A".repeat(35))).is_ok());
    // The schema counts characters, not bytes; the EPC rulebook allows SEPA names of 70.
    let uk_name = |name: String| parse(&with(UK_FILE, "Priya Shah", &name));
    assert!(uk_name("é".repeat(140)).is_ok());
    let (path, max) = ("PmtInf[1]/CdtTrfTxInf[2]/Cdtr/Nm".into(), 140);
    let too_long = Err(ReadError::TooLong { path, max });
    assert_eq!(uk_name("é".repeat(141)), too_long);
    // Whitespace is part of a text: the schema's string types keep it.
    let padded = with(SEPA_FILE, "Jeanne Dupont", " Jeanne  Dupont ");
    let padded = parse(&padded).map(|f| f.payments[0].transactions[0].creditor_name.clone());
    assert_eq!(padded, Ok(" Jeanne  Dupont ".into()));
}

#[test]
fn a_sepa_payment_is_in_euros_to_an_iban_with_shared_charges() {
    #[rustfmt::skip]
    let cases = [
        (r#"Ccy="EUR">12<"#, r#"Ccy="GBP">12<"#,
            "PmtInf[2]/CdtTrfTxInf[1]/Amt/InstdAmt is in GBP; a SEPA payment is in EUR"),
        ("<IBAN>NL91ABNA0417164300</IBAN>", "<Othr><Id>0417164300</Id></Othr>",
            "PmtInf[1]/CdtTrfTxInf[2]/CdtrAcct/Id is not an IBAN; a SEPA payment goes to an IBAN"),
        ("<ChrgBr>SLEV", "<ChrgBr>SHAR", "PmtInf[1]/ChrgBr must be SLEV in a SEPA payment"),
    ];
    assert_refused(&cases);
    assert!(parse(&with(UK_FILE, "<ChrgBr>DEBT", "<ChrgBr>SHAR")).is_ok());
    let ours = error_of(&with(UK_FILE, "<ChrgBr>DEBT", "<ChrgBr>OURS"));
    assert_invalid_at(ours, "PmtInf[1]/ChrgBr");
}

#[test]
fn codes_choices_dates_and_times_are_checked() {
    assert_invalid_at(sepa_error("<PmtMtd>TRF", "<PmtMtd>CHK"), "PmtInf[1]/PmtMtd");
    assert_invalid_at(sepa_error("true", "yes"), "PmtInf[1]/BtchBookg");
    let both = sepa_error("4300</IBAN>", "4300</IBAN><Othr/>");
    assert_invalid_at(both, "PmtInf[1]/CdtTrfTxInf[2]/CdtrAcct/Id");
    #[rustfmt::skip]
    let cases = [
        ("<SvcLvl><Cd>SEPA</Cd>", "<SvcLvl><Prtry>SEPA</Prtry>",
            "PmtInf[1]/PmtTpInf/SvcLvl: a proprietary service level is not supported"),
        ("<Dt>2024-01-16</Dt>", "<DtTm>2024-01-16T10:00:00</DtTm>",
            "PmtInf[1]/ReqdExctnDt/DtTm: a requested execution date and time is not supported"),
    ];
    assert_refused(&cases);
    for bad in "2024-02-30|2024-1-16|+2024-01-16|2024-01-16Z|16.01.2024|".split('|') {
        assert_invalid_at(sepa_error("2024-01-16", bad), "PmtInf[1]/ReqdExctnDt/Dt");
    }
    let created = "2024-01-15T09:30:00+01:00";
    let bad = "2024-01-15 09:30:00|2024-01-15T09:30|2024-01-15t09:30:00z|2024-01-15T25:00:00|";
    for bad in format!("{bad}2024-01-15T09:30:00+0100|+2024-01-15T09:30:00").split('|') {
        assert_invalid_at(sepa_error(created, bad), "GrpHdr/CreDtTm");
    }
}

#[test]
fn no_error_or_debug_output_holds_an_iban_or_account_number() {
    let files = [SEPA_FILE, UK_FILE].map(|file| format!("{:?}", parse(file).expect("valid")));
    for secret in SECRETS {
        assert!(!files.concat().contains(secret), "{secret} shown");
    }
    for tail in "…3000 …2606 …4300 …3201 …6819 …5678 …4321".split(' ') {
        assert!(files.concat().contains(tail), "{tail} not in {files:?}");
    }
    // `error_of` checks each error's message and `Debug` output; these put a secret where an
    // error is found: in the element that fails, a neighbour, an entity name, a broken tag.
    let iban = SECRETS[0];
    #[rustfmt::skip]
    let cases = [
        (iban, format!("{iban}0")), (iban, format!(" {iban}")), ("<IBAN>", format!("<IBAN<{iban}")),
        ("Jeanne Dupont", format!("{iban}ü")), ("Jeanne Dupont", format!("&{iban};")),
        ("ANTON-20240115-0001", format!("{iban}{iban}")), ("po-01HMZ8K2Q7", format!("/{iban}")),
        ("1500.00", iban.to_owned()), (NAMESPACE, iban.to_owned()),
    ];
    for (from, to) in cases {
        sepa_error(from, &to);
    }
    error_of(&with(UK_FILE, "12345678", &"12345678".repeat(5)));
    error_of(&with(UK_FILE, "GBP", "12345678"));
    // Hence malformed XML and unknown entities are refused without quoting the file.
    assert_eq!(sepa_error("Huber KG", "Huber &KG;"), ReadError::Entity);
    assert!(matches!(
        sepa_error("</Cdtr>", "</Dbtr>"),
        ReadError::Malformed { .. }
    ));
    let doctype = sepa_error("<Document", "<!DOCTYPE Document><Document");
    assert_eq!(doctype, ReadError::Xml(tree::XmlError::Doctype));
}

#[test]
fn a_truncated_or_damaged_file_is_an_error_never_a_panic() {
    for file in [SEPA_FILE, UK_FILE] {
        for cut in (0..file.len()).filter(|&cut| file.is_char_boundary(cut)) {
            error_of(&file[..cut]);
        }
    }
    // Any byte replaced (the SEPA file is ASCII, so every result is a string): an error or a
    // file, never a panic, and never an error that holds a secret.
    assert!(SEPA_FILE.is_ascii());
    for at in 0..SEPA_FILE.len() {
        for byte in ["<", ">", "&", "\"", "/", " ", "x", "9", "\u{0}"] {
            let mut damaged = SEPA_FILE.to_owned();
            damaged.replace_range(at..=at, byte);
            if let Err(error) = parse(&damaged) {
                assert_no_secret(&error);
            }
        }
    }
    // A changed digit in an IBAN, an amount, a count or a control sum is always caught: by the
    // IBAN's check digits or by a control.
    let bytes = SEPA_FILE.as_bytes();
    for opening in ["<IBAN>", "Ccy=\"EUR\">", "<NbOfTxs>", "<CtrlSum>"] {
        for (start, _) in SEPA_FILE.match_indices(opening) {
            for at in (start + opening.len()..).take_while(|&at| bytes[at] != b'<') {
                let Some(digit) = char::from(bytes[at]).to_digit(10) else {
                    continue;
                };
                let digit = char::from_digit((digit + 1) % 10, 10).expect("a digit");
                let mut damaged = SEPA_FILE.to_owned();
                damaged.replace_range(at..=at, &digit.to_string());
                assert!(parse(&damaged).is_err(), "{}", &damaged[start..=at]);
            }
        }
    }
}

// Random valid files: generated as the values the reader must return, with choices of how to
// write them that do not change what they say (amount forms, optional controls), then written
// out by `render`. Generators and renderers are left unformatted so that each reads as the
// schema's sequence, element by element.

/// An IBAN of `country` with `bban`, its check digits worked out (ISO 13616, mod 97).
#[rustfmt::skip]
fn checked_iban(country: &str, bban: &str) -> String {
    let rearranged = format!("{bban}{country}00");
    let digits = rearranged.chars().map(|c| c.to_digit(36).expect("alphanumeric"));
    let remainder = digits.fold(0, |r, d| (r * if d < 10 { 10 } else { 100 } + d) % 97);
    format!("{country}{:02}{bban}", 98 - remainder)
}

/// A text of at most `max` characters, never blank: from the SEPA set, or else with characters
/// XML escapes and letters beyond ASCII.
#[rustfmt::skip]
fn any_text(sepa: bool, max: usize) -> BoxedStrategy<String> {
    let others = if sepa { "/?:().,'+ -" } else { " &<>'\"éßł–-" };
    let pattern = format!("[A-Za-z0-9][A-Za-z0-9{others}]{{0,{}}}", max - 1);
    proptest::string::string_regex(&pattern).expect("a pattern").boxed()
}

#[rustfmt::skip]
fn one_of(values: &[&'static str]) -> BoxedStrategy<String> {
    prop::sample::select(values.to_vec()).prop_map(String::from).boxed()
}

/// An id; `any_file` makes it unique with a suffix.
const ID: &str = "[A-Za-z0-9]([A-Za-z0-9.-]{0,18}[A-Za-z0-9])?";

prop_compose! {
    fn any_iban()(german in any::<bool>(), bank in "[A-Z]{4}", digits in "[0-9]{14}") -> String {
        let (country, bank) = if german { ("DE", "0000") } else { ("GB", bank.as_str()) };
        checked_iban(country, &format!("{bank}{digits}"))
    }
}

prop_compose! {
    /// A transaction, and the form its amount is written in.
    fn any_transaction(sepa: bool)(
        instruction_id in maybe(ID), end_to_end_id in ID,
        currency in one_of(if sepa { &CURRENCIES[..1] } else { &CURRENCIES[..] }),
        (amount_minor, form) in (1_i64..100_000_000_000, 0_u8..3),
        creditor_bic in maybe(one_of(&["BNPAFRPP", "BARCGB22", "DEUTDEDB101"])),
        clearing in maybe((maybe(one_of(&["GBDSC", "USABA"])), "[0-9]{6}")),
        creditor_name in any_text(sepa, 70), iban in any_iban(),
        (other, id, scheme) in (any::<bool>(), "[0-9]{8}", maybe(one_of(&["BBAN", "UKACCT"]))),
        remittance in maybe(any_text(sepa, 140)),
    ) -> (Transaction, u8) {
        let creditor_clearing = clearing.map(|(system, member_id)| ClearingMember {
            system, member_id });
        let creditor_account = match other && !sepa {
            true => CreditorAccount::Other { id, scheme },
            false => CreditorAccount::Iban(iban),
        };
        let transaction = Transaction { instruction_id, end_to_end_id, currency, amount_minor,
            creditor_bic, creditor_clearing, creditor_name, creditor_account, remittance };
        (transaction, form)
    }
}

/// A generated `PmtInf`, its amounts' forms, and whether it has `NbOfTxs` and `CtrlSum`.
#[derive(Debug, Clone)]
struct Generated(PaymentInformation, Vec<u8>, bool, bool);

prop_compose! {
    fn any_payment(sepa: bool)(
        id in ID, batch_booking in maybe(any::<bool>()), level in maybe(one_of(&["NURG", "URGP"])),
        local_instrument in maybe(one_of(&["INST", "SDVA", "FPS", "CHAPS"])),
        day in (2020_i32..2030, 1_u16..366), debtor_name in any_text(sepa, 70),
        debtor_iban in any_iban(), debtor_bic in maybe(one_of(&["COBADEFFXXX", "NWBKGB2L"])),
        charge_bearer in maybe(one_of(if sepa { &["SLEV"] } else { &["DEBT", "SHAR", "SLEV"] })),
        transactions in prop::collection::vec(any_transaction(sepa), 1..5),
        controls in any::<(bool, bool)>(),
    ) -> Generated {
        let (transactions, forms) = transactions.into_iter().unzip();
        let requested_execution_date = Date::from_ordinal_date(day.0, day.1).expect("a day");
        let service_level = if sepa { Some(SEPA.to_owned()) } else { level };
        let payment = PaymentInformation { id, batch_booking, service_level, local_instrument,
            requested_execution_date, debtor_name, debtor_iban, debtor_bic, charge_bearer,
            transactions };
        Generated(payment, forms, controls.0, controls.1)
    }
}

prop_compose! {
    /// A message, and its payments as written; ids are made unique by their places.
    fn any_file()(
        message_id in ID, initiating_party_name in maybe(any_text(true, 70)),
        created_at in one_of(&["2024-01-15T09:30:00", "2024-12-31T23:59:59.9+01:00"]),
        mut payments in prop::collection::vec(any::<bool>().prop_flat_map(any_payment), 1..4),
        with_sum in any::<bool>(),
    ) -> (CreditTransferInitiation, Vec<Generated>) {
        for (p, Generated(payment, ..)) in payments.iter_mut().enumerate() {
            payment.id = format!("{}-{}", payment.id, p + 1);
            for (t, to) in payment.transactions.iter_mut().enumerate() {
                to.end_to_end_id = format!("{}-{}-{}", to.end_to_end_id, p + 1, t + 1);
            }
        }
        let all = payments.iter().flat_map(|Generated(p, ..)| &p.transactions);
        let (count, sum) = all.fold((0, 0), |(n, sum), t| (n + 1, sum + t.amount_minor));
        let file = CreditTransferInitiation { message_id, created_at, initiating_party_name,
            number_of_transactions: count, control_sum_minor: with_sum.then_some(sum),
            payments: payments.iter().map(|Generated(p, ..)| p.clone()).collect() };
        (file, payments)
    }
}

/// `<name>text</name>`, the text escaped; nothing without a text.
#[rustfmt::skip]
fn tag(name: &str, text: Option<&str>) -> String {
    let escape = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    text.map_or(String::new(), |t| format!("<{name}>{}</{name}>", escape(t)))
}

/// A `Cd` or `Prtry` choice named `name`: a code when the value fits `code_max`.
#[rustfmt::skip]
fn choice(name: &str, value: Option<&str>, code_max: usize) -> String {
    let kind = |v: &str| if v.chars().count() <= code_max { "Cd" } else { "Prtry" };
    value.map_or(String::new(), |v| format!("<{name}>{}</{name}>", tag(kind(v), Some(v))))
}

/// Hundredths as a decimal with two fraction digits, e.g. 176150 as "1761.50".
#[rustfmt::skip]
fn decimal(minor: i64) -> String { format!("{}.{:02}", minor / 100, minor % 100) }

/// Writes a generated message.
#[rustfmt::skip]
fn render(file: &CreditTransferInitiation, payments: &[Generated]) -> String {
    let header = [
        tag("MsgId", Some(&file.message_id)), tag("CreDtTm", Some(&file.created_at)),
        tag("NbOfTxs", Some(&file.number_of_transactions.to_string())),
        tag("CtrlSum", file.control_sum_minor.map(decimal).as_deref()),
        format!("<InitgPty>{}</InitgPty>", tag("Nm", file.initiating_party_name.as_deref())),
    ];
    let payments: String = payments.iter().map(render_payment).collect();
    let header = header.concat();
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Document xmlns=\"{NAMESPACE}\">\
        <CstmrCdtTrfInitn><GrpHdr>{header}</GrpHdr>{payments}</CstmrCdtTrfInitn></Document>")
}

#[rustfmt::skip]
fn render_payment(Generated(p, forms, with_count, with_sum): &Generated) -> String {
    let level = p.service_level.as_deref().map(|l| format!("<SvcLvl><Cd>{l}</Cd></SvcLvl>"));
    let instrument = choice("LclInstrm", p.local_instrument.as_deref(), 35);
    let payment_type = match (level, instrument.as_str()) {
        (None, "") => String::new(),
        (level, _) => format!("<PmtTpInf>{}{instrument}</PmtTpInf>", level.unwrap_or_default()),
    };
    // A control sum may write zeros past hundredths.
    let sum = decimal(p.transactions.iter().map(|t| t.amount_minor).sum()) + "0";
    let (date, bic) = (p.requested_execution_date, p.debtor_bic.as_deref());
    let transactions = p.transactions.iter().zip(forms).map(|(t, f)| render_transaction(t, *f));
    let parts = [
        tag("PmtInfId", Some(&p.id)), tag("PmtMtd", Some("TRF")),
        tag("BtchBookg", p.batch_booking.map(|b| b.to_string()).as_deref()),
        tag("NbOfTxs", with_count.then(|| p.transactions.len().to_string()).as_deref()),
        tag("CtrlSum", with_sum.then_some(sum.as_str())),
        payment_type,
        format!("<ReqdExctnDt>{}</ReqdExctnDt>", tag("Dt", Some(&date.to_string()))),
        format!("<Dbtr>{}</Dbtr>", tag("Nm", Some(&p.debtor_name))),
        format!("<DbtrAcct><Id>{}</Id></DbtrAcct>", tag("IBAN", Some(&p.debtor_iban))),
        format!("<DbtrAgt><FinInstnId>{}</FinInstnId></DbtrAgt>", tag("BICFI", bic)),
        tag("ChrgBr", p.charge_bearer.as_deref()),
        transactions.collect(),
    ];
    format!("<PmtInf>{}</PmtInf>", parts.concat())
}

/// Writes a transaction, its amount in `form` (0: fewest fraction digits, 1: leading zeros,
/// 2: two fraction digits).
#[rustfmt::skip]
fn render_transaction(t: &Transaction, form: u8) -> String {
    let (whole, cents) = (t.amount_minor / 100, t.amount_minor % 100);
    let amount = match form {
        0 if cents == 0 => whole.to_string(),
        0 if cents % 10 == 0 => format!("{whole}.{}", cents / 10),
        1 => format!("00{}", decimal(t.amount_minor)),
        _ => decimal(t.amount_minor),
    };
    let member = t.creditor_clearing.as_ref().map(|m| {
        let system = choice("ClrSysId", m.system.as_deref(), 5);
        format!("<ClrSysMmbId>{system}{}</ClrSysMmbId>", tag("MmbId", Some(&m.member_id)))
    });
    let agent = match (t.creditor_bic.as_deref(), member) {
        (None, None) => String::new(),
        (bic, member) => format!("<CdtrAgt><FinInstnId>{}{}</FinInstnId></CdtrAgt>",
            tag("BICFI", bic), member.unwrap_or_default()),
    };
    let account = match &t.creditor_account {
        CreditorAccount::Iban(iban) => tag("IBAN", Some(iban)),
        CreditorAccount::Other { id, scheme } => format!("<Othr>{}{}</Othr>",
            tag("Id", Some(id)), choice("SchmeNm", scheme.as_deref(), 4)),
    };
    let remittance = t.remittance.as_deref().map(|r| tag("Ustrd", Some(r)));
    let parts = [
        format!("<PmtId>{}{}</PmtId>",
            tag("InstrId", t.instruction_id.as_deref()), tag("EndToEndId", Some(&t.end_to_end_id))),
        format!(r#"<Amt><InstdAmt Ccy="{}">{amount}</InstdAmt></Amt>"#, t.currency),
        agent,
        format!("<Cdtr>{}</Cdtr>", tag("Nm", Some(&t.creditor_name))),
        format!("<CdtrAcct><Id>{account}</Id></CdtrAcct>"),
        remittance.map_or(String::new(), |ustrd| format!("<RmtInf>{ustrd}</RmtInf>")),
    ];
    format!("<CdtTrfTxInf>{}</CdtTrfTxInf>", parts.concat())
}

proptest! {
    // Failures are reported, not saved to a file in the source tree.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_valid_files_read_back_to_the_values_written((file, payments) in any_file()) {
        prop_assert_eq!(parse(&render(&file, &payments)), Ok(file));
    }
}
