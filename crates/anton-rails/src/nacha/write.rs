//! Anton's outbound NACHA files: credits only (service class 220), PPD entries to people and
//! CCD entries to companies, to checking or savings accounts.
//!
//! The writer is strict: a value that does not fit its field, or holds a character the rules do
//! not allow, is refused with the field's name — never cut short or changed silently, since a
//! truncated account number pays someone else. Free text (names, descriptions) is prepared for
//! it by [`text`], which says what it changed. Alphanumeric fields are upper case, left-justified
//! and padded with spaces; numeric fields are right-justified and padded with zeros.

use std::fmt::Write as _;

use time::{Date, PrimitiveDateTime};

use super::{BLOCKING_FACTOR, RECORD_LEN};

/// What an entry pays: a person (PPD) or a company (CCD). Every entry of a batch has its class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sec {
    Ppd,
    Ccd,
}

impl Sec {
    /// The standard entry class code in the batch header.
    pub fn code(self) -> &'static str {
        match self {
            Self::Ppd => "PPD",
            Self::Ccd => "CCD",
        }
    }
}

/// The kind of the receiver's account, which decides the credit's transaction code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    Checking,
    Savings,
}

impl AccountKind {
    /// The transaction code of a live credit to this kind of account.
    pub fn credit_code(self) -> u8 {
        match self {
            Self::Checking => 22,
            Self::Savings => 32,
        }
    }
}

/// The file header's parties and time (what the bank gives an originator, and when the file
/// was made).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileHeader {
    /// The routing number (9 digits) of the bank or operator the file is sent to.
    pub immediate_destination: String,
    /// The originator's identification at that bank: 10 characters as the bank assigns them
    /// (often a space and 9 digits, or "1" and a tax id); shorter values are right-justified.
    pub immediate_origin: String,
    pub destination_name: String,
    pub origin_name: String,
    pub created: PrimitiveDateTime,
    /// `A`–`Z` or `0`–`9`: tells apart files made the same day.
    pub file_id_modifier: char,
    pub reference_code: String,
}

/// One batch: one originator company, one entry class, one effective date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub company_name: String,
    pub company_discretionary_data: String,
    /// The originator's company identification (10 characters, as the bank assigns it).
    pub company_id: String,
    pub sec: Sec,
    /// Shown on the receiver's statement (e.g. `PAYOUT`).
    pub entry_description: String,
    pub descriptive_date: String,
    /// The day the originator wants the entries to settle.
    pub effective_date: Date,
    /// The originating bank's routing number without its check digit (8 digits).
    pub odfi: String,
    pub batch_number: u32,
    pub entries: Vec<Entry>,
}

/// One credit. `Debug` shows the account number's last four characters only.
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    pub account_kind: AccountKind,
    /// The receiving bank's routing number (9 digits, its check digit included).
    pub rdfi_routing: String,
    pub account_number: String,
    pub amount_cents: u64,
    /// The receiver's identification at the originator (Anton puts the payout's reference).
    pub identification: String,
    /// The individual's (PPD) or company's (CCD) name.
    pub name: String,
    pub discretionary_data: String,
    /// The entry's sequence in the file: its trace number is the ODFI's 8 digits and this.
    pub trace_sequence: u32,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.account_number.chars().count();
        let last4: String = self
            .account_number
            .chars()
            .skip(n.saturating_sub(4))
            .collect();
        f.debug_struct("Entry")
            .field("account_kind", &self.account_kind)
            .field("rdfi_routing", &self.rdfi_routing)
            .field("account_number", &format_args!("…{last4}"))
            .field("amount_cents", &self.amount_cents)
            .field("identification", &self.identification)
            .field("name", &self.name)
            .field("trace_sequence", &self.trace_sequence)
            .finish()
    }
}

/// A whole file: its header and its batches (the controls and blocking are computed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub header: FileHeader,
    pub batches: Vec<Batch>,
}

/// Why a file could not be written. Names the field; never echoes a value (it may be an
/// account number).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    #[error("{field} is longer than its {width} characters")]
    TooLong { field: &'static str, width: usize },
    #[error("{field} holds a character NACHA files do not allow")]
    Character { field: &'static str },
    #[error("{field} must be digits only")]
    NotDigits { field: &'static str },
    #[error("{field} is not a routing number (9 digits with a valid check digit)")]
    Routing { field: &'static str },
    #[error("{field} is out of range")]
    Range { field: &'static str },
    #[error("a batch has no entries")]
    EmptyBatch,
    #[error("two entries share the trace sequence {0}")]
    DuplicateTrace(u32),
}

/// Free text prepared for an alphanumeric field of `width`: upper case, letters with accents
/// and other characters outside printable ASCII replaced by the closest plain letter or a
/// space, and cut to the width. Returns the text and whether it changed beyond upper-casing
/// (the caller may record that a name was shortened or simplified). Never for identifiers or
/// account numbers.
pub fn text(s: &str, width: usize) -> (String, bool) {
    let mut changed = false;
    let mut out = String::with_capacity(width);
    for c in s.chars() {
        let plain = plain(c);
        changed |= plain != c.to_ascii_uppercase();
        out.push(plain);
    }
    let out = out.trim().to_owned();
    if out.chars().count() > width {
        changed = true;
        return (
            out.chars()
                .take(width)
                .collect::<String>()
                .trim_end()
                .to_owned(),
            changed,
        );
    }
    (out, changed)
}

/// The character a NACHA field can hold for `c`: itself upper-cased when printable ASCII,
/// a base letter for common Latin letters with marks, else a space.
fn plain(c: char) -> char {
    if c.is_ascii_graphic() || c == ' ' {
        return c.to_ascii_uppercase();
    }
    match c {
        'À'..='Å' | 'à'..='å' | 'Ā' | 'ā' | 'Ą' | 'ą' => 'A',
        'Ç' | 'ç' | 'Ć' | 'ć' | 'Č' | 'č' => 'C',
        'È'..='Ë' | 'è'..='ë' | 'Ē' | 'ē' | 'Ę' | 'ę' | 'Ě' | 'ě' => 'E',
        'Ì'..='Ï' | 'ì'..='ï' => 'I',
        'Ñ' | 'ñ' | 'Ń' | 'ń' | 'Ň' | 'ň' => 'N',
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ő' | 'ő' => 'O',
        'Ù'..='Ü' | 'ù'..='ü' | 'Ů' | 'ů' | 'Ű' | 'ű' => 'U',
        'Ý' | 'ý' | 'ÿ' => 'Y',
        'Š' | 'š' | 'Ś' | 'ś' => 'S',
        'Ž' | 'ž' | 'Ź' | 'ź' | 'Ż' | 'ż' => 'Z',
        'Ł' | 'ł' => 'L',
        'Ř' | 'ř' => 'R',
        'ß' => 'S',
        _ => ' ',
    }
}

/// One record being filled, field by field, checked as it goes.
struct Record(String);

impl Record {
    fn new(kind: char) -> Self {
        let mut s = String::with_capacity(RECORD_LEN);
        s.push(kind);
        Self(s)
    }

    /// An alphanumeric field: upper case, left-justified, space-padded.
    fn alpha(mut self, field: &'static str, value: &str, width: usize) -> Result<Self, WriteError> {
        if value.chars().any(|c| !(c.is_ascii_graphic() || c == ' ')) {
            return Err(WriteError::Character { field });
        }
        if value.len() > width {
            return Err(WriteError::TooLong { field, width });
        }
        let _ = write!(self.0, "{:<width$}", value.to_ascii_uppercase());
        Ok(self)
    }

    /// A numeric field: right-justified, zero-padded.
    fn num(mut self, field: &'static str, value: u64, width: usize) -> Result<Self, WriteError> {
        let s = value.to_string();
        if s.len() > width {
            return Err(WriteError::Range { field });
        }
        let _ = write!(self.0, "{s:0>width$}");
        Ok(self)
    }

    /// A field of digits given as text (routing numbers, identifications), exactly `width`.
    fn digits(
        mut self,
        field: &'static str,
        value: &str,
        width: usize,
    ) -> Result<Self, WriteError> {
        if value.len() != width || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(WriteError::NotDigits { field });
        }
        self.0.push_str(value);
        Ok(self)
    }

    /// Text written as it is (constants of the format).
    fn raw(mut self, value: &str) -> Self {
        self.0.push_str(value);
        self
    }

    fn done(self) -> String {
        debug_assert_eq!(self.0.len(), RECORD_LEN, "a record of the wrong length");
        self.0
    }
}

fn routing(field: &'static str, value: &str) -> Result<(), WriteError> {
    if anton_core::bank::aba_checksum_ok(value) {
        Ok(())
    } else {
        Err(WriteError::Routing { field })
    }
}

fn yymmdd(d: Date) -> u64 {
    let y = u64::try_from(d.year().rem_euclid(100)).unwrap_or(0);
    y * 10_000 + u64::from(u8::from(d.month())) * 100 + u64::from(d.day())
}

/// The entry hash's modulus: the sum of RDFI identifications keeps its rightmost 10 digits.
const HASH_MOD: u64 = 10_000_000_000;

/// The largest amount an entry carries (10 digits of cents).
const AMOUNT_MAX: u64 = 9_999_999_999;

fn file_header(h: &FileHeader) -> Result<String, WriteError> {
    routing("immediate_destination", &h.immediate_destination)?;
    if !(h.file_id_modifier.is_ascii_uppercase() || h.file_id_modifier.is_ascii_digit()) {
        return Err(WriteError::Character {
            field: "file_id_modifier",
        });
    }
    let origin = format!("{:>10}", h.immediate_origin);
    let time = u64::from(h.created.hour()) * 100 + u64::from(h.created.minute());
    Ok(Record::new('1')
        .raw("01 ")
        .raw(&h.immediate_destination)
        .alpha("immediate_origin", &origin, 10)?
        .num("creation_date", yymmdd(h.created.date()), 6)?
        .num("creation_time", time, 4)?
        .raw(&h.file_id_modifier.to_string())
        .raw("094101")
        .alpha("destination_name", &h.destination_name, 23)?
        .alpha("origin_name", &h.origin_name, 23)?
        .alpha("reference_code", &h.reference_code, 8)?
        .done())
}

fn batch_header(b: &Batch) -> Result<String, WriteError> {
    Ok(Record::new('5')
        .raw("220")
        .alpha("company_name", &b.company_name, 16)?
        .alpha(
            "company_discretionary_data",
            &b.company_discretionary_data,
            20,
        )?
        .alpha("company_id", &b.company_id, 10)?
        .raw(b.sec.code())
        .alpha("entry_description", &b.entry_description, 10)?
        .alpha("descriptive_date", &b.descriptive_date, 6)?
        .num("effective_date", yymmdd(b.effective_date), 6)?
        .raw("   1")
        .digits("odfi", &b.odfi, 8)?
        .num("batch_number", u64::from(b.batch_number), 7)?
        .done())
}

fn entry(b: &Batch, e: &Entry) -> Result<String, WriteError> {
    routing("rdfi_routing", &e.rdfi_routing)?;
    if e.amount_cents == 0 || e.amount_cents > AMOUNT_MAX {
        return Err(WriteError::Range {
            field: "amount_cents",
        });
    }
    if e.account_number.trim().is_empty() {
        return Err(WriteError::Range {
            field: "account_number",
        });
    }
    Ok(Record::new('6')
        .num(
            "transaction_code",
            u64::from(e.account_kind.credit_code()),
            2,
        )?
        .raw(&e.rdfi_routing)
        .alpha("account_number", &e.account_number, 17)?
        .num("amount_cents", e.amount_cents, 10)?
        .alpha("identification", &e.identification, 15)?
        .alpha("name", &e.name, 22)?
        .alpha("discretionary_data", &e.discretionary_data, 2)?
        .raw("0")
        .raw(&b.odfi)
        .num("trace_sequence", u64::from(e.trace_sequence), 7)?
        .done())
}

/// A batch's or the file's sums, as their control records carry them.
#[derive(Default, Clone, Copy)]
struct Totals {
    entries: u64,
    hash: u64,
    credit: u64,
}

impl Totals {
    fn add(&mut self, other: Self) {
        self.entries += other.entries;
        self.hash = (self.hash + other.hash) % HASH_MOD;
        self.credit += other.credit;
    }
}

fn batch_control(b: &Batch, t: Totals) -> Result<String, WriteError> {
    Ok(Record::new('8')
        .raw("220")
        .num("entry_count", t.entries, 6)?
        .num("entry_hash", t.hash, 10)?
        .num("total_debit", 0, 12)?
        .num("total_credit", t.credit, 12)?
        .alpha("company_id", &b.company_id, 10)?
        .raw(&" ".repeat(25))
        .raw(&b.odfi)
        .num("batch_number", u64::from(b.batch_number), 7)?
        .done())
}

fn file_control(batches: usize, blocks: usize, t: Totals) -> Result<String, WriteError> {
    Ok(Record::new('9')
        .num("batch_count", batches as u64, 6)?
        .num("block_count", blocks as u64, 6)?
        .num("entry_count", t.entries, 8)?
        .num("entry_hash", t.hash, 10)?
        .num("total_debit", 0, 12)?
        .num("total_credit", t.credit, 12)?
        .raw(&" ".repeat(39))
        .done())
}

/// The file's text: its records, each ended by `\n`, padded with filler records to whole
/// blocks of ten. Refuses the whole file at the first field that does not fit.
pub fn render(file: &File) -> Result<String, WriteError> {
    let mut records = vec![file_header(&file.header)?];
    let mut total = Totals::default();
    let mut traces = std::collections::HashSet::new();
    for b in &file.batches {
        if b.entries.is_empty() {
            return Err(WriteError::EmptyBatch);
        }
        records.push(batch_header(b)?);
        let mut t = Totals::default();
        for e in &b.entries {
            if !traces.insert(e.trace_sequence) {
                return Err(WriteError::DuplicateTrace(e.trace_sequence));
            }
            records.push(entry(b, e)?);
            let rdfi: u64 = e.rdfi_routing[..8].parse().unwrap_or(0);
            t.add(Totals {
                entries: 1,
                hash: rdfi,
                credit: e.amount_cents,
            });
        }
        if t.credit > 999_999_999_999 {
            return Err(WriteError::Range {
                field: "total_credit",
            });
        }
        records.push(batch_control(b, t)?);
        total.add(t);
    }
    let blocks = (records.len() + 1).div_ceil(BLOCKING_FACTOR);
    records.push(file_control(file.batches.len(), blocks, total)?);
    let filler = "9".repeat(RECORD_LEN);
    while records.len() % BLOCKING_FACTOR != 0 {
        records.push(filler.clone());
    }
    let mut out = String::with_capacity(records.len() * (RECORD_LEN + 1));
    for r in records {
        out.push_str(&r);
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
#[path = "write_tests.rs"]
pub(crate) mod tests;
