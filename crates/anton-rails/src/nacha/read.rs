//! A reader of NACHA ACH files, written from the record layouts (Nacha Operating Rules, Appendix
//! Three) alone and never from `write`, so that the writer's files are checked by code that shares
//! none of its mistakes; it also reads the bank's returns and notifications of change.
//!
//! [`parse`] returns every record as typed values, or the first rule the file breaks with its
//! line. It checks characters, lengths, record order, fixed and numeric fields, and every control
//! record against what it controls; not check digits, calendar dates or trace number order.
//!
//! **No account number reaches a [`ReadError`] or a `Debug` output** ([`ParsedEntry`] and
//! [`ChangeAddenda`] mask theirs).

use std::fmt;

use super::{BLOCKING_FACTOR, RECORD_LEN};

// The file header spells these two constants out as "094" and "10"; keep them in step.
const _: () = assert!(RECORD_LEN == 94 && BLOCKING_FACTOR == 10);

/// Entry hashes keep only their rightmost ten digits (the width of the field).
const ENTRY_HASH_MODULUS: u64 = 10_000_000_000;
/// Characters of an account number that `Debug` shows, to tell accounts apart in a log.
const ACCOUNT_CHARS_SHOWN: usize = 4;

/// A whole NACHA file, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedFile {
    /// The file header record ("1").
    pub header: ParsedFileHeader,
    /// The batches, in file order.
    pub batches: Vec<ParsedBatch>,
    /// The file control record ("9"), which agrees with the batches and the record count.
    pub control: FileControl,
}

/// The file header record ("1"); its record size, blocking factor and format code are not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedFileHeader {
    /// Priority code, as in the record (normally "01").
    pub priority_code: String,
    /// Immediate destination, the 10 characters as in the record (usually " " + 9 digits).
    pub immediate_destination: String,
    /// Immediate origin, the 10 characters as in the record.
    pub immediate_origin: String,
    /// File creation date, YYMMDD as in the record (six digits).
    pub creation_date: String,
    /// File creation time, HHMM as in the record (four digits, or four spaces: it is optional).
    pub creation_time: String,
    /// File ID modifier (A-Z or 0-9), telling apart files made on the same day.
    pub file_id_modifier: char,
    /// Immediate destination name, trailing spaces trimmed.
    pub destination_name: String,
    /// Immediate origin name, trailing spaces trimmed.
    pub origin_name: String,
    /// Reference code, trailing spaces trimmed.
    pub reference_code: String,
}

/// One batch: its header ("5"), its entries with their addenda, and its control ("8").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedBatch {
    /// Service class code: 200 (mixed), 220 (credits only) or 225 (debits only).
    pub service_class: u16,
    /// Company name, trailing spaces trimmed.
    pub company_name: String,
    /// Company discretionary data, trailing spaces trimmed.
    pub company_discretionary_data: String,
    /// Company identification (10 characters), trailing spaces trimmed.
    pub company_id: String,
    /// Standard entry class code as in the record, e.g. "PPD", "CCD", "COR".
    pub sec: String,
    /// Company entry description, trailing spaces trimmed.
    pub entry_description: String,
    /// Company descriptive date, trailing spaces trimmed.
    pub descriptive_date: String,
    /// Effective entry date, YYMMDD (six digits).
    pub effective_date: String,
    /// Settlement date (Julian day), trailing spaces trimmed; blank in originated files.
    pub settlement_date: String,
    /// Originator status code.
    pub originator_status: char,
    /// Originating DFI identification (8 digits).
    pub odfi: String,
    /// Batch number.
    pub batch_number: u32,
    /// The entries, in file order.
    pub entries: Vec<ParsedEntry>,
    /// The batch control record, which agrees with the header and the entries.
    pub control: BatchControl,
}

/// One entry detail record ("6", PPD/CCD layout) with its addenda; `Debug` masks the account.
#[derive(Clone, PartialEq, Eq)]
pub struct ParsedEntry {
    /// Transaction code: e.g. 22, 32 (credits), 27, 37 (debits), 21, 26, 31, 36 (returns, NOCs).
    pub transaction_code: u8,
    /// Receiving DFI routing number: identification (8 digits) then check digit (1).
    pub rdfi_routing: String,
    /// DFI account number, trailing spaces trimmed. A secret: never log it.
    pub account_number: String,
    /// Amount in cents.
    pub amount_cents: u64,
    /// Individual or company identification number, trailing spaces trimmed.
    pub identification: String,
    /// Individual name or receiving company name, trailing spaces trimmed.
    pub name: String,
    /// Discretionary data, trailing spaces trimmed.
    pub discretionary_data: String,
    /// Trace number (15 digits).
    pub trace_number: String,
    /// Addenda records ("7") that follow the entry; empty when its addenda indicator is "0".
    pub addenda: Vec<Addenda>,
}

/// An addenda record ("7"), by addenda type code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addenda {
    /// Type "99": the entry is a return.
    Return(ReturnAddenda),
    /// Type "98": the entry is a notification of change.
    Change(ChangeAddenda),
    /// Any other type (e.g. "05"): payment related information.
    Other {
        /// Addenda type code (two digits).
        type_code: String,
        /// Payment related information (positions 4-83), trailing spaces trimmed.
        payment_info: String,
    },
}

/// A return addenda (type "99"): why the receiving bank sent an entry back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnAddenda {
    /// Return reason code, e.g. "R01" (insufficient funds).
    pub reason_code: String,
    /// Trace number of the entry being returned (15 digits).
    pub original_trace: String,
    /// Date of death (YYMMDD), trailing spaces trimmed; blank unless the reason needs it.
    pub date_of_death: String,
    /// Receiving DFI identification of the original entry (8 digits).
    pub original_rdfi: String,
    /// Addenda information, trailing spaces trimmed.
    pub addenda_info: String,
    /// Trace number of this return entry (15 digits).
    pub trace_number: String,
}

/// A notification of change addenda (type "98"); `Debug` masks the corrected data.
#[derive(Clone, PartialEq, Eq)]
pub struct ChangeAddenda {
    /// Change code, e.g. "C01" (incorrect account number).
    pub change_code: String,
    /// Trace number of the entry being corrected (15 digits).
    pub original_trace: String,
    /// Receiving DFI identification of the original entry (8 digits).
    pub original_rdfi: String,
    /// Corrected data, trailing spaces trimmed. May be an account number: never log it.
    pub corrected_data: String,
    /// Trace number of this notification entry (15 digits).
    pub trace_number: String,
}

/// The batch control record ("8"); its message authentication code is not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchControl {
    /// Service class code; equals the batch header's.
    pub service_class: u16,
    /// Entries plus addenda in the batch.
    pub entry_addenda_count: u32,
    /// Sum of the entries' 8-digit RDFI identifications, rightmost ten digits.
    pub entry_hash: u64,
    /// Sum of the debit entries' amounts, in cents.
    pub total_debit_cents: u64,
    /// Sum of the credit entries' amounts, in cents.
    pub total_credit_cents: u64,
    /// Company identification, trailing spaces trimmed; equals the batch header's.
    pub company_id: String,
    /// Originating DFI identification (8 digits); equals the batch header's.
    pub odfi: String,
    /// Batch number; equals the batch header's.
    pub batch_number: u32,
}

/// The file control record ("9").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileControl {
    /// Number of batches.
    pub batch_count: u32,
    /// Number of blocks of ten records, filler included.
    pub block_count: u32,
    /// Entries plus addenda in the whole file.
    pub entry_addenda_count: u32,
    /// Sum of the batch entry hashes, rightmost ten digits.
    pub entry_hash: u64,
    /// Sum of the batch debit totals, in cents.
    pub total_debit_cents: u64,
    /// Sum of the batch credit totals, in cents.
    pub total_credit_cents: u64,
}

/// The first rule a file breaks. Every variant's `line` is the 1-based line where the rule shows;
/// messages name fields and never echo an account number.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    /// A character outside printable ASCII (0x20..=0x7E), at 1-based `column`.
    #[error("line {line}: character {column} is not printable ASCII")]
    NotPrintableAscii { line: usize, column: usize },
    /// A record that is not 94 characters long.
    #[error("line {line}: the record is {length} characters long, not 94")]
    WrongLength { line: usize, length: usize },
    /// A record whose type (`found`, its first character) cannot come here.
    #[error("line {line}: a record of type '{found}' where {expected} was expected")]
    UnexpectedRecord {
        line: usize,
        found: char,
        expected: &'static str,
    },
    /// The file ends too soon (e.g. without a file control); `line` is the one after the end.
    #[error("line {line}: the file ends where {expected} was expected")]
    UnexpectedEnd { line: usize, expected: &'static str },
    /// An addenda record that follows no entry whose addenda indicator is "1".
    #[error("line {line}: an addenda record that belongs to no entry")]
    UnexpectedAddenda { line: usize },
    /// An entry (on `line`) whose addenda indicator is "1" but no addenda record follows it.
    #[error("line {line}: the entry announces an addenda record that does not follow")]
    MissingAddenda { line: usize },
    /// A numeric field with a character other than a digit.
    #[error("line {line}: the {field} is not all digits")]
    NotDigits { line: usize, field: &'static str },
    /// A field with a value the layout does not allow; `expected` says which it allows.
    #[error("line {line}: the {field} must be {expected}")]
    InvalidField {
        line: usize,
        field: &'static str,
        expected: &'static str,
    },
    /// A transaction code that is neither a credit nor a debit code.
    #[error("line {line}: transaction code {code} is neither a credit nor a debit")]
    UnknownTransactionCode { line: usize, code: u8 },
    /// A batch control field that disagrees with the batch header or the entries.
    #[error("line {line}: in the batch control, {mismatch}")]
    BatchControlMismatch {
        line: usize,
        mismatch: ControlMismatch,
    },
    /// A file control field that disagrees with the batches or the number of records.
    #[error("line {line}: in the file control, {mismatch}")]
    FileControlMismatch {
        line: usize,
        mismatch: ControlMismatch,
    },
    /// A number of `records` that is not a whole number of blocks (filler missing or extra).
    #[error("line {line}: the file has {records} records, not a multiple of 10")]
    RecordCount { line: usize, records: usize },
    /// A tenth filler record: filler only completes the last block.
    #[error("line {line}: a tenth filler record; filler only completes the last block")]
    ExcessFiller { line: usize },
}

/// A control record's field that disagrees with the records it controls.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {field} is {in_control} where the records give {computed}")]
pub struct ControlMismatch {
    /// Name of the field, e.g. "entry hash".
    pub field: &'static str,
    /// The value in the control record.
    pub in_control: String,
    /// The value from the header or the records controlled.
    pub computed: String,
}

/// Reads a whole NACHA file: a file header, batches, a file control, then filler to a whole
/// number of blocks. Lines end in "\n" or "\r\n"; empty lines at the end are ignored.
pub fn parse(text: &str) -> Result<ParsedFile, ReadError> {
    let mut records = Records::split(text)?;
    let header = read_file_header(records.take(b'1', "a file header")?)?;
    let mut batches = Vec::new();
    while records.next_is(b'5') {
        batches.push(read_batch(&mut records)?);
    }
    let control = read_file_control(records.take(b'9', "a batch header or the file control")?)?;
    let line = records.taken_line;
    let record_count = records.take_filler()?;
    check_file_control(&control, &batches, record_count)
        .map_err(|mismatch| ReadError::FileControlMismatch { line, mismatch })?;
    Ok(ParsedFile {
        header,
        batches,
        control,
    })
}

/// One record, checked to be 94 printable ASCII characters.
#[derive(Clone, Copy)]
struct Record<'a> {
    /// 1-based line in the file, for errors.
    line: usize,
    /// The whole record.
    text: &'a str,
}

impl<'a> Record<'a> {
    /// Checks that `text` is 94 printable ASCII characters.
    fn new(line: usize, text: &'a str) -> Result<Self, ReadError> {
        if let Some(at) = text.bytes().position(|b| !(0x20..=0x7E).contains(&b)) {
            let column = at + 1;
            return Err(ReadError::NotPrintableAscii { line, column });
        }
        let length = text.len();
        if length != RECORD_LEN {
            return Err(ReadError::WrongLength { line, length });
        }
        Ok(Self { line, text })
    }

    /// The record type code (position 1).
    fn kind(self) -> u8 {
        self.text.as_bytes()[0]
    }

    /// Positions `from..=to`, 1-based as in the layouts. Cannot panic: every record is 94 ASCII
    /// characters (checked in `new`) and every position in this file is a layout constant.
    fn field(self, from: usize, to: usize) -> &'a str {
        debug_assert!(1 <= from && from <= to && to <= RECORD_LEN);
        &self.text[from - 1..to]
    }

    /// Positions `from..=to` with trailing spaces trimmed.
    fn trimmed(self, from: usize, to: usize) -> String {
        self.field(from, to).trim_end_matches(' ').to_owned()
    }

    /// The character at `at`.
    fn char_at(self, at: usize) -> char {
        char::from(self.text.as_bytes()[at - 1])
    }

    /// Positions `from..=to`, which must be all digits, as text (keeping leading zeros).
    fn digit_text(self, from: usize, to: usize, field: &'static str) -> Result<String, ReadError> {
        let (line, text) = (self.line, self.field(from, to));
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ReadError::NotDigits { line, field });
        }
        Ok(text.to_owned())
    }

    /// Positions `from..=to`, which must be all digits, as a number. Every field read this way
    /// fits its type (at most 12 digits into a `u64`, 9 into a `u32`), so `try_from` cannot fail.
    fn number<T: TryFrom<u64>>(
        self,
        from: usize,
        to: usize,
        field: &'static str,
    ) -> Result<T, ReadError> {
        let value = (self.digit_text(from, to, field)?.bytes())
            .fold(0, |value: u64, b| value * 10 + u64::from(b - b'0'));
        T::try_from(value).map_err(|_| self.invalid(field, "a smaller number"))
    }

    /// Whether this is a filler record: 94 '9's.
    fn is_filler(self) -> bool {
        self.text.bytes().all(|b| b == b'9')
    }

    /// The error for this record where it cannot come; `expected` says what could.
    fn unexpected(self, expected: &'static str) -> ReadError {
        ReadError::UnexpectedRecord {
            line: self.line,
            found: char::from(self.kind()),
            expected,
        }
    }

    /// The error for a `field` of this record whose value is not one of `expected`.
    fn invalid(self, field: &'static str, expected: &'static str) -> ReadError {
        ReadError::InvalidField {
            line: self.line,
            field,
            expected,
        }
    }
}

/// The records of a file, read front to back.
struct Records<'a> {
    /// Every record of the file.
    list: Vec<Record<'a>>,
    /// Index in `list` of the next record to take.
    next: usize,
    /// Line of the record last taken, for an error found once it is read.
    taken_line: usize,
}

impl<'a> Records<'a> {
    /// Splits a file into records, checking each one's characters and length.
    fn split(text: &'a str) -> Result<Self, ReadError> {
        // Empty lines at the end are ignored; `lines` splits at "\n" and "\r\n" alike.
        let lines = text.trim_end_matches(['\r', '\n']).lines().enumerate();
        let list = lines
            .map(|(index, line)| Record::new(index + 1, line))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            list,
            next: 0,
            taken_line: 0,
        })
    }

    /// The next record, left in place.
    fn peek(&self) -> Option<Record<'a>> {
        self.list.get(self.next).copied()
    }

    /// Whether the next record is of type `kind`.
    fn next_is(&self, kind: u8) -> bool {
        self.peek().is_some_and(|r| r.kind() == kind)
    }

    /// Takes the next record, which must be of type `kind`.
    fn take(&mut self, kind: u8, expected: &'static str) -> Result<Record<'a>, ReadError> {
        match self.peek() {
            Some(r) if r.kind() == kind => {
                self.next += 1;
                self.taken_line = r.line;
                Ok(r)
            }
            Some(r) => Err(r.unexpected(expected)),
            None => Err(self.end(expected)),
        }
    }

    /// Takes the filler after the file control, which must end the file and complete its last
    /// block and no more. Returns the number of records in the file.
    fn take_filler(&mut self) -> Result<usize, ReadError> {
        let mut filler = 0;
        while let Some(r) = self.peek() {
            if !r.is_filler() {
                return Err(r.unexpected("a filler record of 94 '9's or the end of the file"));
            }
            filler += 1;
            if filler >= BLOCKING_FACTOR {
                return Err(ReadError::ExcessFiller { line: r.line });
            }
            self.next += 1;
        }
        let records = self.list.len();
        if !records.is_multiple_of(BLOCKING_FACTOR) {
            let line = self.list.last().map_or(1, |r| r.line);
            return Err(ReadError::RecordCount { line, records });
        }
        Ok(records)
    }

    /// The error for a file that ends where `expected` should come.
    fn end(&self, expected: &'static str) -> ReadError {
        let line = self.list.last().map_or(1, |r| r.line + 1);
        ReadError::UnexpectedEnd { line, expected }
    }
}

/// Reads the file header, checking its fixed fields.
fn read_file_header(r: Record<'_>) -> Result<ParsedFileHeader, ReadError> {
    if r.field(35, 37) != "094" {
        return Err(r.invalid("record size", "094"));
    }
    if r.field(38, 39) != "10" {
        return Err(r.invalid("blocking factor", "10"));
    }
    if r.field(40, 40) != "1" {
        return Err(r.invalid("format code", "1"));
    }
    let file_id_modifier = r.char_at(34);
    if !(file_id_modifier.is_ascii_uppercase() || file_id_modifier.is_ascii_digit()) {
        return Err(r.invalid("file ID modifier", "A-Z or 0-9"));
    }
    let creation_time = r.field(30, 33);
    if !(creation_time.bytes().all(|b| b.is_ascii_digit()) || creation_time.trim().is_empty()) {
        return Err(r.invalid("file creation time", "four digits or blank"));
    }
    Ok(ParsedFileHeader {
        priority_code: r.field(2, 3).to_owned(),
        immediate_destination: r.field(4, 13).to_owned(),
        immediate_origin: r.field(14, 23).to_owned(),
        creation_date: r.digit_text(24, 29, "file creation date")?,
        creation_time: creation_time.to_owned(),
        file_id_modifier,
        destination_name: r.trimmed(41, 63),
        origin_name: r.trimmed(64, 86),
        reference_code: r.trimmed(87, 94),
    })
}

/// Running sums over entries (for a batch control) or batch controls (for the file control).
#[derive(Default)]
struct Totals {
    /// Entries and addenda.
    entry_addenda_count: u64,
    /// Sum of the RDFI identifications, rightmost ten digits.
    entry_hash: u64,
    /// Sum of the debits.
    debit_cents: u64,
    /// Sum of the credits.
    credit_cents: u64,
}

impl Totals {
    /// Adds one entry (and its addenda), or one batch control's sums. Sums saturate rather than
    /// wrap: a sum above 10^19 never equals a control field, so an absurd file is still refused.
    fn add(&mut self, records: u64, hash: u64, debit_cents: u64, credit_cents: u64) {
        self.entry_addenda_count = self.entry_addenda_count.saturating_add(records);
        self.entry_hash = (self.entry_hash + hash) % ENTRY_HASH_MODULUS;
        self.debit_cents = self.debit_cents.saturating_add(debit_cents);
        self.credit_cents = self.credit_cents.saturating_add(credit_cents);
    }
}

/// Reads a batch, from its header to its control, and checks the control.
fn read_batch(records: &mut Records<'_>) -> Result<ParsedBatch, ReadError> {
    let h = records.take(b'5', "a batch header")?;
    let service_class: u16 = h.number(2, 4, "service class code")?;
    if ![200, 220, 225].contains(&service_class) {
        return Err(h.invalid("service class code", "200, 220 or 225"));
    }
    let mut totals = Totals::default();
    // A struct's fields are evaluated in the order written, so the header's errors come before
    // its entries', as in the file.
    let batch = ParsedBatch {
        service_class,
        company_name: h.trimmed(5, 20),
        company_discretionary_data: h.trimmed(21, 40),
        company_id: h.trimmed(41, 50),
        sec: h.field(51, 53).to_owned(),
        entry_description: h.trimmed(54, 63),
        descriptive_date: h.trimmed(64, 69),
        effective_date: h.digit_text(70, 75, "effective entry date")?,
        settlement_date: h.trimmed(76, 78),
        originator_status: h.char_at(79),
        odfi: h.digit_text(80, 87, "originating DFI identification")?,
        batch_number: h.number(88, 94, "batch number")?,
        entries: read_entries(records, service_class, &mut totals)?,
        control: read_batch_control(records.take(b'8', "an entry or the batch control")?)?,
    };
    let line = records.taken_line;
    check_batch_control(&batch, &totals)
        .map_err(|mismatch| ReadError::BatchControlMismatch { line, mismatch })?;
    Ok(batch)
}

/// Reads a batch's entries, up to its control, adding them to `totals`.
fn read_entries(
    records: &mut Records<'_>,
    service_class: u16,
    totals: &mut Totals,
) -> Result<Vec<ParsedEntry>, ReadError> {
    let mut entries = Vec::new();
    while records.next_is(b'6') {
        entries.push(read_entry(records, service_class, totals)?);
    }
    match records.peek() {
        Some(r) if r.kind() == b'7' => Err(ReadError::UnexpectedAddenda { line: r.line }),
        _ => Ok(entries),
    }
}

/// Checks a batch's control against its header and the `totals` of its entries.
fn check_batch_control(batch: &ParsedBatch, totals: &Totals) -> Result<(), ControlMismatch> {
    let c = &batch.control;
    agree("service class", c.service_class, batch.service_class)?;
    let count = u64::from(c.entry_addenda_count);
    agree("entry/addenda count", count, totals.entry_addenda_count)?;
    agree("entry hash", c.entry_hash, totals.entry_hash)?;
    agree("total debit", c.total_debit_cents, totals.debit_cents)?;
    agree("total credit", c.total_credit_cents, totals.credit_cents)?;
    agree("company identification", &c.company_id, &batch.company_id)?;
    agree("originating DFI identification", &c.odfi, &batch.odfi)?;
    agree("batch number", c.batch_number, batch.batch_number)
}

/// Which way an entry moves money, from its transaction code.
#[derive(Clone, Copy)]
enum Direction {
    /// Money to the receiver (or a credit's return, prenote, NOC).
    Credit,
    /// Money from the receiver (or a debit's return, prenote, NOC).
    Debit,
}

impl Direction {
    /// The direction of a transaction code, or `None` for a code that is neither.
    fn of(code: u8) -> Option<Self> {
        match code {
            21..=24 | 31..=34 | 41..=44 | 51..=54 => Some(Self::Credit),
            26..=29 | 36..=39 | 46..=49 | 55 | 56 => Some(Self::Debit),
            _ => None,
        }
    }
}

/// Reads one entry and its addenda, and adds them to the batch's `totals`.
fn read_entry(
    records: &mut Records<'_>,
    service_class: u16,
    totals: &mut Totals,
) -> Result<ParsedEntry, ReadError> {
    let r = records.take(b'6', "an entry")?;
    let line = r.line;
    let code: u8 = r.number(2, 3, "transaction code")?;
    let direction = Direction::of(code).ok_or(ReadError::UnknownTransactionCode { line, code })?;
    match (service_class, direction) {
        (220, Direction::Debit) => return Err(r.invalid("transaction code", "a credit (220)")),
        (225, Direction::Credit) => return Err(r.invalid("transaction code", "a debit (225)")),
        _ => {}
    }
    let rdfi_identification = r.number(4, 11, "receiving DFI identification")?;
    let rdfi_routing = r.digit_text(4, 12, "receiving DFI check digit")?;
    let amount_cents = r.number(30, 39, "amount")?;
    let trace_number = r.digit_text(80, 94, "trace number")?;
    let addenda = match r.char_at(79) {
        '0' => Vec::new(),
        '1' => read_addenda_of(records, line)?,
        _ => return Err(r.invalid("addenda record indicator", "0 or 1")),
    };
    let (debit_cents, credit_cents) = match direction {
        Direction::Credit => (0, amount_cents),
        Direction::Debit => (amount_cents, 0),
    };
    let records_read = 1 + addenda.len() as u64;
    totals.add(records_read, rdfi_identification, debit_cents, credit_cents);
    Ok(ParsedEntry {
        transaction_code: code,
        rdfi_routing,
        account_number: r.trimmed(13, 29),
        amount_cents,
        identification: r.trimmed(40, 54),
        name: r.trimmed(55, 76),
        discretionary_data: r.trimmed(77, 78),
        trace_number,
        addenda,
    })
}

/// Reads the addenda records (one or more) after the entry on `line`.
fn read_addenda_of(records: &mut Records<'_>, line: usize) -> Result<Vec<Addenda>, ReadError> {
    let mut addenda = Vec::new();
    while records.next_is(b'7') {
        addenda.push(read_addenda(records.take(b'7', "an addenda")?)?);
    }
    if addenda.is_empty() {
        return Err(ReadError::MissingAddenda { line });
    }
    Ok(addenda)
}

/// Reads one addenda record by its type code.
fn read_addenda(r: Record<'_>) -> Result<Addenda, ReadError> {
    let type_code = r.digit_text(2, 3, "addenda type code")?;
    Ok(match type_code.as_str() {
        "99" => Addenda::Return(ReturnAddenda {
            reason_code: r.trimmed(4, 6),
            original_trace: r.digit_text(7, 21, "original entry trace number")?,
            date_of_death: r.trimmed(22, 27),
            original_rdfi: r.digit_text(28, 35, "original receiving DFI identification")?,
            addenda_info: r.trimmed(36, 79),
            trace_number: r.digit_text(80, 94, "trace number")?,
        }),
        "98" => Addenda::Change(ChangeAddenda {
            change_code: r.trimmed(4, 6),
            original_trace: r.digit_text(7, 21, "original entry trace number")?,
            original_rdfi: r.digit_text(28, 35, "original receiving DFI identification")?,
            corrected_data: r.trimmed(36, 64),
            trace_number: r.digit_text(80, 94, "trace number")?,
        }),
        _ => Addenda::Other {
            type_code,
            payment_info: r.trimmed(4, 83),
        },
    })
}

/// Reads a batch control (checked against its batch by `check_batch_control`).
fn read_batch_control(r: Record<'_>) -> Result<BatchControl, ReadError> {
    Ok(BatchControl {
        service_class: r.number(2, 4, "service class code")?,
        entry_addenda_count: r.number(5, 10, "entry/addenda count")?,
        entry_hash: r.number(11, 20, "entry hash")?,
        total_debit_cents: r.number(21, 32, "total debit amount")?,
        total_credit_cents: r.number(33, 44, "total credit amount")?,
        company_id: r.trimmed(45, 54),
        odfi: r.digit_text(80, 87, "originating DFI identification")?,
        batch_number: r.number(88, 94, "batch number")?,
    })
}

/// Reads the file control (checked against the file by `check_file_control`).
fn read_file_control(r: Record<'_>) -> Result<FileControl, ReadError> {
    Ok(FileControl {
        batch_count: r.number(2, 7, "batch count")?,
        block_count: r.number(8, 13, "block count")?,
        entry_addenda_count: r.number(14, 21, "entry/addenda count")?,
        entry_hash: r.number(22, 31, "entry hash")?,
        total_debit_cents: r.number(32, 43, "total debit amount")?,
        total_credit_cents: r.number(44, 55, "total credit amount")?,
    })
}

/// Checks the file control against the batch controls (already checked) and the record count.
fn check_file_control(
    c: &FileControl,
    batches: &[ParsedBatch],
    records: usize,
) -> Result<(), ControlMismatch> {
    let mut totals = Totals::default();
    for b in batches.iter().map(|batch| &batch.control) {
        let (hash, debit, credit) = (b.entry_hash, b.total_debit_cents, b.total_credit_cents);
        totals.add(u64::from(b.entry_addenda_count), hash, debit, credit);
    }
    agree("batch count", c.batch_count as usize, batches.len())?;
    agree(
        "block count",
        c.block_count as usize,
        records / BLOCKING_FACTOR,
    )?;
    let count = u64::from(c.entry_addenda_count);
    agree("entry/addenda count", count, totals.entry_addenda_count)?;
    agree("entry hash", c.entry_hash, totals.entry_hash)?;
    agree("total debit", c.total_debit_cents, totals.debit_cents)?;
    agree("total credit", c.total_credit_cents, totals.credit_cents)
}

/// Checks that a control field equals what it controls. Only control fields pass through here
/// (counts, hashes, totals, identifiers of the originator), never an account number.
fn agree<T>(field: &'static str, in_control: T, computed: T) -> Result<(), ControlMismatch>
where
    T: PartialEq + fmt::Display,
{
    if in_control == computed {
        Ok(())
    } else {
        Err(ControlMismatch {
            field,
            in_control: in_control.to_string(),
            computed: computed.to_string(),
        })
    }
}

/// Shows only the last characters of a secret, e.g. `"…6789"`; a secret no longer than that
/// shows nothing.
struct Masked<'a>(&'a str);

impl fmt::Debug for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let chars = self.0.chars().count();
        // A secret no longer than the part shown shows nothing.
        let hidden = if chars > ACCOUNT_CHARS_SHOWN {
            chars - ACCOUNT_CHARS_SHOWN
        } else {
            chars
        };
        let tail: String = self.0.chars().skip(hidden).collect();
        write!(f, "\"…{tail}\"")
    }
}

impl fmt::Debug for ParsedEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParsedEntry")
            .field("transaction_code", &self.transaction_code)
            .field("rdfi_routing", &self.rdfi_routing)
            .field("account_number", &Masked(&self.account_number))
            .field("amount_cents", &self.amount_cents)
            .field("identification", &self.identification)
            .field("name", &self.name)
            .field("discretionary_data", &self.discretionary_data)
            .field("trace_number", &self.trace_number)
            .field("addenda", &self.addenda)
            .finish()
    }
}

impl fmt::Debug for ChangeAddenda {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChangeAddenda")
            .field("change_code", &self.change_code)
            .field("original_trace", &self.original_trace)
            .field("original_rdfi", &self.original_rdfi)
            .field("corrected_data", &Masked(&self.corrected_data))
            .field("trace_number", &self.trace_number)
            .finish()
    }
}

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;
