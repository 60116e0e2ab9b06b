//! Known-answer tests for the NACHA reader. Every record is built here by hand from the record
//! layouts, field by field, and every control total is written out as a literal worked by hand:
//! nothing comes from the writer, so these tests share none of its mistakes.

use super::*;

/// A left-justified, space-padded field (alphanumeric).
fn a(text: &str, width: usize) -> String {
    assert!(text.len() <= width, "{text:?} is wider than {width}");
    format!("{text:<width$}")
}

/// A right-justified, zero-filled field (numeric).
fn n(value: u64, width: usize) -> String {
    let text = format!("{value:0width$}");
    assert_eq!(text.len(), width, "{value} is wider than {width}");
    text
}

/// One record from its fields, which must add up to 94 characters.
fn record(fields: &[&str]) -> String {
    let record = fields.concat();
    assert_eq!(record.len(), 94, "{record:?}");
    record
}

/// `record` with `text` written over it from 1-based position `from`.
fn set(record: &str, from: usize, text: &str) -> String {
    let mut record = record.to_owned();
    record.replace_range(from - 1..from - 1 + text.len(), text);
    record
}

/// The originator's company identification, in every batch header and control.
const COMPANY_ID: &str = "1234567890";
/// The ODFI, in every batch header and control and at the front of every trace number.
const ODFI: &str = "09100001";

// The record builders below are left unformatted so that each reads as its layout, field by
// field in position order.

/// The file header: to " 091000019", from " 123456789", made 2024-01-15 09:30, modifier "A".
#[rustfmt::skip]
fn file_header() -> String {
    record(&[
        "1", "01", " 091000019", " 123456789", "240115", "0930", "A", "094", "10", "1",
        &a("WELLS FARGO BANK", 23), &a("ANTON PAYMENTS INC", 23), &a("REF00001", 8),
    ])
}

/// A batch header of Anton's, effective 2024-01-16.
#[rustfmt::skip]
fn batch_header(service_class: u64, sec: &str, batch_number: u64) -> String {
    record(&[
        "5", &n(service_class, 3), &a("ANTON PAYMENTS", 16), &a("JANUARY RUN", 20), COMPANY_ID,
        sec, &a("PAYROLL", 10), &a("JAN 24", 6), "240116", "   ", "1", ODFI, &n(batch_number, 7),
    ])
}

/// An entry with addenda indicator "0" (write "1" at position 79 for an addenda), identification
/// "ID<seq>" and trace number ODFI + `seq`.
#[rustfmt::skip]
fn entry(code: u64, rdfi: &str, account: &str, amount: u64, name: &str, seq: u64) -> String {
    record(&[
        "6", &n(code, 2), rdfi, &a(account, 17), &n(amount, 10), &a(&format!("ID{seq}"), 15),
        &a(name, 22), "  ", "0", ODFI, &n(seq, 7),
    ])
}

/// A batch control of Anton's, with a blank message authentication code.
#[rustfmt::skip]
fn batch_control(class: u64, count: u64, hash: u64, debit: u64, credit: u64, batch: u64) -> String {
    record(&[
        "8", &n(class, 3), &n(count, 6), &n(hash, 10), &n(debit, 12), &n(credit, 12), COMPANY_ID,
        &a("", 19), &a("", 6), ODFI, &n(batch, 7),
    ])
}

/// A file control.
#[rustfmt::skip]
fn file_control(batches: u64, blocks: u64, count: u64, hash: u64, debit: u64, credit: u64) -> String {
    record(&[
        "9", &n(batches, 6), &n(blocks, 6), &n(count, 8), &n(hash, 10), &n(debit, 12),
        &n(credit, 12), &a("", 39),
    ])
}

/// A filler record.
fn filler() -> String {
    "9".repeat(94)
}

// Indices (line - 1) of the records of `two_batch_file`.
const FILE_HEADER: usize = 0;
const BATCH_1: usize = 1;
const ENTRY_1: usize = 2;
const BATCH_1_CONTROL: usize = 5;
const BATCH_2: usize = 6;
const ENTRY_4: usize = 7;
const ADDENDA_4: usize = 8;
const BATCH_2_CONTROL: usize = 9;
const FILE_CONTROL: usize = 10;

/// A valid file: three PPD credits in a credits-only batch, one CCD debit with an addenda in a
/// mixed batch, and 9 filler records (20 records, 2 blocks).
fn two_batch_file() -> Vec<String> {
    let mut records = vec![
        file_header(),
        batch_header(220, "PPD", 1),
        entry(22, "091000019", "123456789", 150_000, "JANE DOE", 1),
        entry(32, "021000021", "987654321", 2_500, "JOHN ROE", 2),
        entry(22, "121000358", "5550001234", 99, "ALEX POE", 3),
        // Hash 09100001 + 02100002 + 12100035; credits 150000 + 2500 + 99.
        batch_control(220, 3, 23_300_038, 0, 152_599, 1),
        batch_header(200, "CCD", 2),
        set(
            &entry(27, "031000053", "ACCT-77", 1_000_000, "SUPPLIER CO", 4),
            79,
            "1",
        ),
        record(&[
            "7",
            "05",
            &a("INV 2024-001 MAINTENANCE", 80),
            "0001",
            &n(4, 7),
        ]),
        batch_control(200, 2, 3_100_005, 1_000_000, 0, 2),
        file_control(2, 2, 5, 26_400_043, 1_000_000, 152_599),
    ];
    records.extend(std::iter::repeat_with(filler).take(9));
    records
}

/// Parses `records` joined by "\n", with a final newline.
fn parse_records(records: &[String]) -> Result<ParsedFile, ReadError> {
    parse(&(records.join("\n") + "\n"))
}

/// The error for `two_batch_file` with `text` written over record `index` from position `from`.
fn error_with(index: usize, from: usize, text: &str) -> ReadError {
    let mut records = two_batch_file();
    records[index] = set(&records[index], from, text);
    parse_records(&records).expect_err("the file breaks a rule")
}

/// The error for `records`, which break a rule.
fn error_of(records: &[String]) -> ReadError {
    parse_records(records).expect_err("the file breaks a rule")
}

#[test]
fn a_valid_two_batch_file_parses_to_the_expected_values() {
    let file = parse_records(&two_batch_file()).expect("a valid file");
    assert_eq!(
        file.header,
        ParsedFileHeader {
            priority_code: "01".into(),
            immediate_destination: " 091000019".into(),
            immediate_origin: " 123456789".into(),
            creation_date: "240115".into(),
            creation_time: "0930".into(),
            file_id_modifier: 'A',
            destination_name: "WELLS FARGO BANK".into(),
            origin_name: "ANTON PAYMENTS INC".into(),
            reference_code: "REF00001".into(),
        }
    );
    assert_eq!(file.batches.len(), 2);
    let first = &file.batches[0];
    assert_eq!(
        (
            first.service_class,
            first.company_name.as_str(),
            first.company_discretionary_data.as_str()
        ),
        (220, "ANTON PAYMENTS", "JANUARY RUN")
    );
    assert_eq!(
        (first.company_id.as_str(), first.sec.as_str()),
        (COMPANY_ID, "PPD")
    );
    assert_eq!(
        (
            first.entry_description.as_str(),
            first.descriptive_date.as_str()
        ),
        ("PAYROLL", "JAN 24")
    );
    assert_eq!(
        (
            first.effective_date.as_str(),
            first.settlement_date.as_str()
        ),
        ("240116", "")
    );
    assert_eq!(
        (
            first.originator_status,
            first.odfi.as_str(),
            first.batch_number
        ),
        ('1', ODFI, 1)
    );
    assert_eq!(
        first.entries[0],
        ParsedEntry {
            transaction_code: 22,
            rdfi_routing: "091000019".into(),
            account_number: "123456789".into(),
            amount_cents: 150_000,
            identification: "ID1".into(),
            name: "JANE DOE".into(),
            discretionary_data: String::new(),
            trace_number: "091000010000001".into(),
            addenda: Vec::new(),
        }
    );
    let codes: Vec<u8> = first.entries.iter().map(|e| e.transaction_code).collect();
    assert_eq!(codes, [22, 32, 22]);
    assert_eq!(
        first.control,
        BatchControl {
            service_class: 220,
            entry_addenda_count: 3,
            entry_hash: 23_300_038,
            total_debit_cents: 0,
            total_credit_cents: 152_599,
            company_id: COMPANY_ID.into(),
            odfi: ODFI.into(),
            batch_number: 1,
        }
    );
    let second = &file.batches[1];
    assert_eq!(
        (
            second.service_class,
            second.sec.as_str(),
            second.batch_number
        ),
        (200, "CCD", 2)
    );
    let debit = &second.entries[0];
    assert_eq!(
        (debit.transaction_code, debit.amount_cents),
        (27, 1_000_000)
    );
    assert_eq!(
        (debit.account_number.as_str(), debit.name.as_str()),
        ("ACCT-77", "SUPPLIER CO")
    );
    assert_eq!(
        debit.addenda,
        [Addenda::Other {
            type_code: "05".into(),
            payment_info: "INV 2024-001 MAINTENANCE".into()
        }]
    );
    assert_eq!(
        file.control,
        FileControl {
            batch_count: 2,
            block_count: 2,
            entry_addenda_count: 5,
            entry_hash: 26_400_043,
            total_debit_cents: 1_000_000,
            total_credit_cents: 152_599,
        }
    );
}

#[test]
fn returns_and_notifications_of_change_parse_to_their_addenda() {
    let records = [
        file_header(),
        batch_header(220, "PPD", 1),
        set(
            &entry(21, "091000019", "123456789", 150_000, "JANE DOE", 11),
            79,
            "1",
        ),
        record(&[
            "7",
            "99",
            "R01",
            "091000010000001",
            &a("", 6),
            "09100001",
            &a("NSF", 44),
            "091000010000011",
        ]),
        batch_control(220, 2, 9_100_001, 0, 150_000, 1),
        batch_header(220, "COR", 2),
        set(
            &entry(21, "091000019", "123456789", 0, "JANE DOE", 12),
            79,
            "1",
        ),
        record(&[
            "7",
            "98",
            "C01",
            "091000010000002",
            &a("", 6),
            "09100001",
            &a("1122334455", 29),
            &a("", 15),
            "091000010000012",
        ]),
        batch_control(220, 2, 9_100_001, 0, 0, 2),
        file_control(2, 1, 4, 18_200_002, 0, 150_000),
    ];
    let file = parse_records(&records).expect("a valid returns file");
    assert_eq!(
        file.batches[0].entries[0].addenda,
        [Addenda::Return(ReturnAddenda {
            reason_code: "R01".into(),
            original_trace: "091000010000001".into(),
            date_of_death: String::new(),
            original_rdfi: "09100001".into(),
            addenda_info: "NSF".into(),
            trace_number: "091000010000011".into(),
        })]
    );
    assert_eq!(file.batches[1].sec, "COR");
    assert_eq!(
        file.batches[1].entries[0].addenda,
        [Addenda::Change(ChangeAddenda {
            change_code: "C01".into(),
            original_trace: "091000010000002".into(),
            original_rdfi: "09100001".into(),
            corrected_data: "1122334455".into(),
            trace_number: "091000010000012".into(),
        })]
    );
    let debug = format!("{file:?}");
    assert!(
        !debug.contains("1122334455") && debug.contains("…4455"),
        "{debug}"
    );
}

#[test]
fn crlf_line_endings_a_missing_final_newline_and_trailing_empty_lines_are_accepted() {
    let records = two_batch_file();
    let expected = parse_records(&records).expect("a valid file");
    for text in [
        records.join("\r\n") + "\r\n",
        records.join("\r\n"),
        records.join("\n"),
        records.join("\n") + "\n\n\r\n",
    ] {
        assert_eq!(parse(&text), Ok(expected.clone()));
    }
}

#[test]
fn debug_of_an_entry_shows_only_the_last_four_characters_of_the_account() {
    let file = parse_records(&two_batch_file()).expect("a valid file");
    let debug = format!("{:?}", file.batches[0].entries[0]);
    assert!(!debug.contains("123456789"), "{debug}");
    assert!(debug.contains(r#"account_number: "…6789""#), "{debug}");
    let short = ParsedEntry {
        account_number: "1234".into(),
        ..file.batches[0].entries[0].clone()
    };
    assert!(!format!("{short:?}").contains("1234"));
}

#[test]
fn an_error_never_echoes_the_account_number() {
    for (from, text) in [
        (2, "2X"),
        (2, "25"),
        (30, "00001X0000"),
        (79, "2"),
        (80, "X"),
    ] {
        let error = error_with(ENTRY_1, from, text);
        assert!(!error.to_string().contains("123456789"), "{error}");
    }
    let mut records = two_batch_file();
    records[ENTRY_1].pop();
    let error = error_of(&records);
    assert!(
        !format!("{error} {error:?}").contains("123456789"),
        "{error}"
    );
}

#[test]
fn characters_outside_printable_ascii_are_refused() {
    let error = error_with(ENTRY_1, 55, "\t");
    assert_eq!(
        error,
        ReadError::NotPrintableAscii {
            line: 3,
            column: 55
        }
    );
    let error = error_with(ENTRY_1, 55, "é");
    assert_eq!(
        error,
        ReadError::NotPrintableAscii {
            line: 3,
            column: 55
        }
    );
}

#[test]
fn a_record_of_the_wrong_length_is_refused() {
    let mut records = two_batch_file();
    records[ENTRY_1].pop();
    assert_eq!(
        error_of(&records),
        ReadError::WrongLength {
            line: 3,
            length: 93
        }
    );
    records[ENTRY_1].push_str("  ");
    assert_eq!(
        error_of(&records),
        ReadError::WrongLength {
            line: 3,
            length: 95
        }
    );
    let mut records = two_batch_file();
    records.insert(BATCH_1, String::new());
    assert_eq!(
        error_of(&records),
        ReadError::WrongLength { line: 2, length: 0 }
    );
}

#[test]
fn records_out_of_order_are_refused() {
    // An entry outside a batch.
    let mut records = two_batch_file();
    records.insert(BATCH_2, records[ENTRY_1].clone());
    assert!(matches!(
        error_of(&records),
        ReadError::UnexpectedRecord {
            line: 7,
            found: '6',
            ..
        }
    ));
    // A second file header.
    let mut records = two_batch_file();
    records.insert(BATCH_1, file_header());
    assert!(matches!(
        error_of(&records),
        ReadError::UnexpectedRecord {
            line: 2,
            found: '1',
            ..
        }
    ));
    // A record after the filler.
    let mut records = two_batch_file();
    records.push(batch_header(220, "PPD", 3));
    assert!(matches!(
        error_of(&records),
        ReadError::UnexpectedRecord {
            line: 21,
            found: '5',
            ..
        }
    ));
    // A filler record that is not all 9s.
    let mut records = two_batch_file();
    records[19] = set(&filler(), 94, "8");
    assert!(matches!(
        error_of(&records),
        ReadError::UnexpectedRecord {
            line: 20,
            found: '9',
            ..
        }
    ));
    // A batch without its control.
    let mut records = two_batch_file();
    records.remove(BATCH_2_CONTROL);
    assert!(matches!(
        error_of(&records),
        ReadError::UnexpectedRecord {
            line: 10,
            found: '9',
            ..
        }
    ));
    // A file that does not start with a file header.
    assert!(matches!(
        error_of(&two_batch_file()[BATCH_1..]),
        ReadError::UnexpectedRecord {
            line: 1,
            found: '5',
            ..
        }
    ));
}

#[test]
fn a_file_that_ends_too_soon_is_refused() {
    let records = two_batch_file();
    let ends_at = |error: ReadError| match error {
        ReadError::UnexpectedEnd { line, .. } => line,
        other => panic!("not the end of the file: {other}"),
    };
    assert_eq!(
        ends_at(error_of(&records[..FILE_CONTROL])),
        11,
        "missing file control"
    );
    assert_eq!(
        ends_at(error_of(&records[..BATCH_1_CONTROL])),
        6,
        "missing batch control"
    );
    assert_eq!(ends_at(parse("").expect_err("empty")), 1);
    assert_eq!(ends_at(parse("\r\n\n").expect_err("only empty lines")), 1);
}

#[test]
fn an_addenda_without_an_entry_that_announces_it_is_refused() {
    // Right after a batch header.
    let mut records = two_batch_file();
    records.insert(BATCH_2 + 1, records[ADDENDA_4].clone());
    assert_eq!(error_of(&records), ReadError::UnexpectedAddenda { line: 8 });
    // After an entry whose addenda indicator is "0".
    let mut records = two_batch_file();
    records[ENTRY_4] = set(&records[ENTRY_4], 79, "0");
    assert_eq!(error_of(&records), ReadError::UnexpectedAddenda { line: 9 });
}

#[test]
fn an_entry_that_announces_an_addenda_needs_at_least_one() {
    let mut records = two_batch_file();
    records.remove(ADDENDA_4);
    records.push(filler());
    assert_eq!(error_of(&records), ReadError::MissingAddenda { line: 8 });
    // Two addenda are read when the counts say so.
    let mut records = two_batch_file();
    records.insert(ADDENDA_4, records[ADDENDA_4].clone());
    records.pop();
    records[BATCH_2_CONTROL + 1] = batch_control(200, 3, 3_100_005, 1_000_000, 0, 2);
    records[FILE_CONTROL + 1] = file_control(2, 2, 6, 26_400_043, 1_000_000, 152_599);
    let file = parse_records(&records).expect("two addenda");
    assert_eq!(file.batches[1].entries[0].addenda.len(), 2);
}

#[test]
fn an_addenda_indicator_other_than_0_or_1_is_refused() {
    let error = error_with(ENTRY_1, 79, "2");
    assert!(matches!(
        error,
        ReadError::InvalidField {
            line: 3,
            field: "addenda record indicator",
            ..
        }
    ));
}

#[test]
fn numeric_fields_must_be_all_digits() {
    let cases = [
        (ENTRY_1, 2, "2A", "transaction code"),
        (ENTRY_1, 4, "0910 001", "receiving DFI identification"),
        (ENTRY_1, 12, "X", "receiving DFI check digit"),
        (ENTRY_1, 30, "000015000 ", "amount"),
        (ENTRY_1, 94, "A", "trace number"),
        (BATCH_1, 2, "22O", "service class code"),
        (BATCH_1, 88, "000000I", "batch number"),
        (BATCH_1, 80, "0910000I", "originating DFI identification"),
        (BATCH_1_CONTROL, 5, "00000-", "entry/addenda count"),
        (BATCH_1_CONTROL, 11, " ", "entry hash"),
        (BATCH_1_CONTROL, 21, "+", "total debit amount"),
        (BATCH_1_CONTROL, 44, ".", "total credit amount"),
        (FILE_CONTROL, 2, "00000 ", "batch count"),
        (FILE_CONTROL, 13, "X", "block count"),
        (FILE_CONTROL, 14, "0000000O", "entry/addenda count"),
        (FILE_CONTROL, 31, "X", "entry hash"),
        (FILE_CONTROL, 32, "X", "total debit amount"),
        (FILE_CONTROL, 55, "X", "total credit amount"),
        (ADDENDA_4, 2, "0A", "addenda type code"),
    ];
    for (index, from, text, field) in cases {
        let line = index + 1;
        assert_eq!(
            error_with(index, from, text),
            ReadError::NotDigits { line, field },
            "{field}"
        );
    }
}

#[test]
fn the_file_headers_fixed_fields_are_checked() {
    for (from, text, field) in [
        (35, "095", "record size"),
        (38, "20", "blocking factor"),
        (40, "2", "format code"),
        (34, "a", "file ID modifier"),
        (30, "09 0", "file creation time"),
    ] {
        let error = error_with(FILE_HEADER, from, text);
        assert!(
            matches!(error, ReadError::InvalidField { line: 1, field: f, .. } if f == field),
            "{error}"
        );
    }
    let error = error_with(FILE_HEADER, 24, "2401 5");
    assert_eq!(
        error,
        ReadError::NotDigits {
            line: 1,
            field: "file creation date"
        }
    );
}

#[test]
fn a_blank_creation_time_is_accepted() {
    let mut records = two_batch_file();
    records[FILE_HEADER] = set(&records[FILE_HEADER], 30, "    ");
    let file = parse_records(&records).expect("creation time is optional");
    assert_eq!(file.header.creation_time, "    ");
}

#[test]
fn service_classes_and_transaction_codes_are_checked() {
    let error = error_with(BATCH_1, 2, "201");
    assert!(matches!(
        error,
        ReadError::InvalidField {
            line: 2,
            field: "service class code",
            ..
        }
    ));
    assert_eq!(
        error_with(ENTRY_1, 2, "25"),
        ReadError::UnknownTransactionCode { line: 3, code: 25 }
    );
    assert_eq!(
        error_with(ENTRY_1, 2, "99"),
        ReadError::UnknownTransactionCode { line: 3, code: 99 }
    );
    // A debit in a credits-only batch.
    let error = error_with(ENTRY_1, 2, "27");
    assert!(matches!(
        error,
        ReadError::InvalidField {
            line: 3,
            field: "transaction code",
            ..
        }
    ));
}

#[test]
fn the_batch_control_must_agree_with_its_header_and_entries() {
    let cases = [
        (2, "225", "service class", "225", "220"),
        (5, "000004", "entry/addenda count", "4", "3"),
        (11, "0023300039", "entry hash", "23300039", "23300038"),
        (21, "000000000001", "total debit", "1", "0"),
        (33, "000000152598", "total credit", "152598", "152599"),
        (
            45,
            "1234567891",
            "company identification",
            "1234567891",
            COMPANY_ID,
        ),
        (
            80,
            "09100002",
            "originating DFI identification",
            "09100002",
            ODFI,
        ),
        (88, "0000002", "batch number", "2", "1"),
    ];
    for (from, text, field, in_control, computed) in cases {
        let mismatch = ControlMismatch {
            field,
            in_control: in_control.into(),
            computed: computed.into(),
        };
        let expected = ReadError::BatchControlMismatch { line: 6, mismatch };
        assert_eq!(error_with(BATCH_1_CONTROL, from, text), expected);
    }
    // The totals come from the entries, not from the control.
    let error = error_with(ENTRY_1, 30, "0000150001");
    let mismatch = ControlMismatch {
        field: "total credit",
        in_control: "152599".into(),
        computed: "152600".into(),
    };
    assert_eq!(error, ReadError::BatchControlMismatch { line: 6, mismatch });
    let error = error_with(ENTRY_1, 4, "09100002");
    assert!(
        matches!(error, ReadError::BatchControlMismatch { line: 6, mismatch } if mismatch.field == "entry hash")
    );
}

#[test]
fn the_file_control_must_agree_with_the_batches_and_the_records() {
    let cases = [
        (2, "000003", "batch count", "3", "2"),
        (8, "000003", "block count", "3", "2"),
        (14, "00000006", "entry/addenda count", "6", "5"),
        (22, "0026400044", "entry hash", "26400044", "26400043"),
        (32, "000001000001", "total debit", "1000001", "1000000"),
        (44, "000000152598", "total credit", "152598", "152599"),
    ];
    for (from, text, field, in_control, computed) in cases {
        let mismatch = ControlMismatch {
            field,
            in_control: in_control.into(),
            computed: computed.into(),
        };
        let expected = ReadError::FileControlMismatch { line: 11, mismatch };
        assert_eq!(error_with(FILE_CONTROL, from, text), expected);
    }
}

#[test]
fn the_filler_completes_the_last_block_and_no_more() {
    let mut records = two_batch_file();
    records.pop();
    assert_eq!(
        error_of(&records),
        ReadError::RecordCount {
            line: 19,
            records: 19
        }
    );
    // A tenth filler record is a whole block of filler.
    let mut records = two_batch_file();
    records.push(filler());
    assert_eq!(error_of(&records), ReadError::ExcessFiller { line: 21 });
    // A whole extra block of filler, even one the block count admits.
    let mut records = two_batch_file();
    records.extend(std::iter::repeat_with(filler).take(10));
    records[FILE_CONTROL] = set(&records[FILE_CONTROL], 8, "000003");
    assert_eq!(error_of(&records), ReadError::ExcessFiller { line: 21 });
}

#[test]
fn the_entry_hash_keeps_the_rightmost_ten_digits() {
    let mut records = vec![file_header(), batch_header(220, "PPD", 1)];
    records.extend((1..=101).map(|seq| entry(22, "999999994", "1", 1, "X", seq)));
    // 101 × 99999999 = 10099999899, of which the rightmost ten digits are 0099999899.
    records.push(batch_control(220, 101, 99_999_899, 0, 101, 1));
    records.push(file_control(1, 11, 101, 99_999_899, 0, 101));
    records.extend(std::iter::repeat_with(filler).take(5));
    let file = parse_records(&records).expect("a valid file");
    assert_eq!(file.control.entry_hash, 99_999_899);
}
