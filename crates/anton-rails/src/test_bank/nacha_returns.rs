//! The test bank's NACHA return files: the receiving banks' returns of Anton's credits, as an
//! ODFI delivers them to its originator.
//!
//! A return file is written by its own small record writer, never by `nacha::write` (which
//! writes Anton's credit files only, and refuses what a return needs: transaction codes 21 and
//! 31, addenda records); `nacha::read` checks it in tests like any bank's file.
//!
//! What each record holds:
//! - File header: the original's destination and origin (and their names) swapped, as the
//!   bank sends the file back; created at `at` in UTC; file ID modifier `A` for the returns sent
//!   at once and `B` for those sent after settlement, which may be made the same day; reference
//!   code `RETURNS`.
//! - One batch per original batch with returns, numbered from 1: the original's company name,
//!   discretionary data, company id, SEC code, entry description, descriptive date, originator
//!   status and ODFI. Its effective entry date is the original's for a return sent at once, and
//!   [`LATE_RETURN_DELAY_DAYS`] later for one sent after settlement; the settlement date (a
//!   Julian day, which the ACH operator fills in a return) is the effective entry date's.
//! - One return entry per returned payment: transaction code 21 for an original 22, 31 for 32;
//!   the original's receiving DFI, account, amount, identification, name and discretionary
//!   data; a trace number of the returning bank (the original RDFI's eight digits and a
//!   sequence). Its addenda 99 carries the return reason ([`returns::reason_for`]), the
//!   original's trace number and RDFI, and the same trace number as its entry.
//! - Controls with their counts, entry hash and totals, and filler to whole blocks of ten.

use time::{Date, Month, OffsetDateTime};

use anton_core::payout::{FailureCode, SimulatedOutcome};

use super::{
    answer_name, outcome_for_account, utc, AnswerFile, Answers, Fingerprint, TestBankError,
    LATE_RETURN_DELAY_DAYS, NACHA_LATE_RETURNS_SUFFIX, NACHA_RETURNS_SUFFIX,
};
use crate::nacha::read::{ParsedBatch, ParsedEntry, ParsedFile, ParsedFileHeader};
use crate::nacha::{returns, BLOCKING_FACTOR, RECORD_LEN};

/// The service class of every return batch: returns of credits are credit-side entries.
const CREDITS_ONLY: u64 = 220;
/// The entry hash keeps its rightmost ten digits.
const ENTRY_HASH_MODULUS: u64 = 10_000_000_000;
/// Trace number sequences have seven digits.
const TRACE_SEQUENCE_MODULUS: u64 = 10_000_000;
/// The reference code of every return file.
const REFERENCE_CODE: &str = "RETURNS";

/// When a return file is sent, which decides what goes in it and how it is dated.
#[derive(Clone, Copy)]
enum Timing {
    /// At once: the returns of failed payments.
    Now,
    /// After the settlement date: the returns of payments that were paid.
    AfterSettlement,
}

impl Timing {
    /// The return reason of a payment with `outcome` in this file, if it goes in it.
    fn reason(self, outcome: SimulatedOutcome) -> Option<&'static str> {
        let code: FailureCode = match (self, outcome) {
            (Self::Now, SimulatedOutcome::Failed(code)) => code,
            (Self::AfterSettlement, SimulatedOutcome::PaidThenReturned(code)) => code,
            _ => return None,
        };
        Some(returns::reason_for(code))
    }

    /// The file ID modifier: the two files of one original may be made the same day.
    fn file_id_modifier(self) -> &'static str {
        match self {
            Self::Now => "A",
            Self::AfterSettlement => "B",
        }
    }

    /// The days from the original's effective entry date to the return's.
    fn delay_days(self) -> i64 {
        match self {
            Self::Now => 0,
            Self::AfterSettlement => LATE_RETURN_DELAY_DAYS,
        }
    }
}

/// One original batch with returns in a return file.
struct ReturnedBatch<'a> {
    original: &'a ParsedBatch,
    /// The effective entry date of the returns (see the module documentation).
    effective: Date,
    /// The entries returned, in file order.
    entries: Vec<Returned<'a>>,
}

/// One original entry returned, and why.
struct Returned<'a> {
    entry: &'a ParsedEntry,
    /// The entry's 1-based position in the whole original file.
    position: u64,
    /// The return reason code, e.g. `R03`.
    reason: &'static str,
}

/// The test bank's answers to `file` (see the module documentation).
pub(super) fn answer(
    name: &str,
    file: &ParsedFile,
    fingerprint: Fingerprint,
    at: OffsetDateTime,
) -> Result<Answers, TestBankError> {
    check_credits(file)?;
    let mut settles_on = None;
    for (index, batch) in file.batches.iter().enumerate() {
        let date = effective_date(batch, index + 1)?;
        settles_on = settles_on.max(Some(date));
    }
    // A file of no batches pays no one and has no date: it settles the day it is answered.
    let settles_on = settles_on.unwrap_or_else(|| utc(at).date());
    let named = |suffix, contents| AnswerFile {
        name: answer_name(name, suffix),
        contents,
    };
    let now = returns_file(file, Timing::Now, fingerprint, at)?;
    let now = now.map(|contents| named(NACHA_RETURNS_SUFFIX, contents));
    let late = returns_file(file, Timing::AfterSettlement, fingerprint, at)?;
    let late = late.map(|contents| named(NACHA_LATE_RETURNS_SUFFIX, contents));
    Ok(Answers {
        now: now.into_iter().collect(),
        after_settlement: late.into_iter().collect(),
        settles_on,
    })
}

/// Checks that every entry is a live credit, which is all Anton sends (and not, say, the test
/// bank's own return file put back in the outbox).
fn check_credits(file: &ParsedFile) -> Result<(), TestBankError> {
    for (b, batch) in file.batches.iter().enumerate() {
        for (e, entry) in batch.entries.iter().enumerate() {
            if return_code(entry.transaction_code).is_none() {
                let (batch, entry, code) = (b + 1, e + 1, entry.transaction_code);
                return Err(TestBankError::NotACredit { batch, entry, code });
            }
        }
    }
    Ok(())
}

/// The transaction code of the return of a credit with `code`, when it is a live credit.
fn return_code(code: u8) -> Option<u64> {
    match code {
        22 => Some(21),
        32 => Some(31),
        _ => None,
    }
}

/// The return file sent at `timing`, or `None` when no payment is returned then.
fn returns_file(
    file: &ParsedFile,
    timing: Timing,
    fingerprint: Fingerprint,
    at: OffsetDateTime,
) -> Result<Option<String>, TestBankError> {
    let mut position = 0;
    let mut batches = Vec::new();
    for (index, original) in file.batches.iter().enumerate() {
        let mut entries = Vec::new();
        for entry in &original.entries {
            position += 1;
            let outcome = outcome_for_account(entry.account_number.trim());
            if let Some(reason) = timing.reason(outcome) {
                entries.push(Returned {
                    entry,
                    position,
                    reason,
                });
            }
        }
        if entries.is_empty() {
            continue;
        }
        let effective = effective_date(original, index + 1)?;
        let delay = time::Duration::days(timing.delay_days());
        // Effective dates are of 2000–2099, so the sum is always a date; were it not, the
        // original's would do.
        let effective = effective.checked_add(delay).unwrap_or(effective);
        batches.push(ReturnedBatch {
            original,
            effective,
            entries,
        });
    }
    if batches.is_empty() {
        return Ok(None);
    }
    let mut writer = FileWriter::new(&file.header, timing, at)?;
    // The returning banks' trace sequences start at a point of the fingerprint, so that the
    // returns of two files from the same bank do not share trace numbers.
    let trace_base = fingerprint.0 % 1_000 * 10_000;
    for batch in &batches {
        writer.batch(batch, trace_base)?;
    }
    writer.finish().map(Some)
}

/// The effective entry date of the original `batch` (1-based `number`), YYMMDD read as a date
/// of this century.
fn effective_date(batch: &ParsedBatch, number: usize) -> Result<Date, TestBankError> {
    let invalid = || TestBankError::EffectiveDate { batch: number };
    let digits = batch.effective_date.as_bytes();
    let two = |at: usize| match digits.get(at..at + 2) {
        Some([tens, ones]) if tens.is_ascii_digit() && ones.is_ascii_digit() => {
            Some((tens - b'0') * 10 + (ones - b'0'))
        }
        _ => None,
    };
    let (Some(year), Some(month), Some(day)) = (two(0), two(2), two(4)) else {
        return Err(invalid());
    };
    let month = Month::try_from(month).map_err(|_| invalid())?;
    Date::from_calendar_date(2000 + i32::from(year), month, day).map_err(|_| invalid())
}

/// A date as YYMMDD.
fn yymmdd(date: Date) -> u64 {
    let year = u64::try_from(date.year().rem_euclid(100)).unwrap_or(0);
    year * 10_000 + u64::from(u8::from(date.month())) * 100 + u64::from(date.day())
}

/// Running sums for a batch control or the file control.
#[derive(Default, Clone, Copy)]
struct Totals {
    /// Entries and addenda.
    records: u64,
    /// Sum of the entries' RDFI identifications, rightmost ten digits.
    hash: u64,
    /// Sum of the amounts, in cents (returns of credits are all credit-side).
    credit_cents: u64,
}

impl Totals {
    /// Adds a batch's totals. The credit total saturates: the control field cannot hold the
    /// sum anyway, and the record writer refuses it.
    fn add(&mut self, other: Totals) {
        self.records = self.records.saturating_add(other.records);
        self.hash = (self.hash + other.hash) % ENTRY_HASH_MODULUS;
        self.credit_cents = self.credit_cents.saturating_add(other.credit_cents);
    }
}

/// The records of a return file, written in order.
struct FileWriter {
    records: Vec<String>,
    totals: Totals,
    batch_count: u64,
}

impl FileWriter {
    /// Starts a file with its header: the original's parties swapped.
    fn new(
        original: &ParsedFileHeader,
        timing: Timing,
        at: OffsetDateTime,
    ) -> Result<Self, TestBankError> {
        let at = utc(at);
        let time = u64::from(at.hour()) * 100 + u64::from(at.minute());
        let header = Record::new('1')
            .text(&original.priority_code, 2)
            .text(&original.immediate_origin, 10)
            .text(&original.immediate_destination, 10)
            .number(yymmdd(at.date()), 6)
            .number(time, 4)
            .text(timing.file_id_modifier(), 1)
            .text("094101", 6)
            .text(&original.origin_name, 23)
            .text(&original.destination_name, 23)
            .text(REFERENCE_CODE, 8)
            .done("file header")?;
        Ok(Self {
            records: vec![header],
            totals: Totals::default(),
            batch_count: 0,
        })
    }

    /// Adds a batch: the returns of `returned`'s entries.
    fn batch(
        &mut self,
        returned: &ReturnedBatch<'_>,
        trace_base: u64,
    ) -> Result<(), TestBankError> {
        let (original, effective) = (returned.original, returned.effective);
        self.batch_count += 1;
        let number = self.batch_count;
        self.records.push(
            Record::new('5')
                .number(CREDITS_ONLY, 3)
                .text(&original.company_name, 16)
                .text(&original.company_discretionary_data, 20)
                .text(&original.company_id, 10)
                .text(&original.sec, 3)
                .text(&original.entry_description, 10)
                .text(&original.descriptive_date, 6)
                .number(yymmdd(effective), 6)
                .number(u64::from(effective.ordinal()), 3)
                .text(&original.originator_status.to_string(), 1)
                .text(&original.odfi, 8)
                .number(number, 7)
                .done("batch header")?,
        );
        let mut totals = Totals::default();
        for entry in &returned.entries {
            let sequence = (trace_base + entry.position) % TRACE_SEQUENCE_MODULUS;
            totals.add(self.return_entry(entry, sequence)?);
        }
        self.records.push(
            Record::new('8')
                .number(CREDITS_ONLY, 3)
                .number(totals.records, 6)
                .number(totals.hash, 10)
                .number(0, 12)
                .number(totals.credit_cents, 12)
                .text(&original.company_id, 10)
                .text("", 25)
                .text(&original.odfi, 8)
                .number(number, 7)
                .done("batch control")?,
        );
        self.totals.add(totals);
        Ok(())
    }

    /// Adds the return entry of `returned` and its addenda 99; returns what they add to the
    /// batch's totals.
    fn return_entry(
        &mut self,
        returned: &Returned<'_>,
        sequence: u64,
    ) -> Result<Totals, TestBankError> {
        let entry = returned.entry;
        let code = return_code(entry.transaction_code);
        let code = code.ok_or(TestBankError::Unwritable { record: "entry" })?;
        // The reader has checked the routing number is nine digits.
        let rdfi = entry.rdfi_routing.get(..8).unwrap_or_default();
        let trace = format!("{rdfi}{sequence:07}");
        self.records.push(
            Record::new('6')
                .number(code, 2)
                .text(&entry.rdfi_routing, 9)
                .text(&entry.account_number, 17)
                .number(entry.amount_cents, 10)
                .text(&entry.identification, 15)
                .text(&entry.name, 22)
                .text(&entry.discretionary_data, 2)
                .text("1", 1)
                .text(&trace, 15)
                .done("entry")?,
        );
        self.records.push(
            Record::new('7')
                .text("99", 2)
                .text(returned.reason, 3)
                .text(&entry.trace_number, 15)
                .text("", 6)
                .text(rdfi, 8)
                .text("", 44)
                .text(&trace, 15)
                .done("addenda")?,
        );
        Ok(Totals {
            records: 2,
            hash: rdfi.parse().unwrap_or(0),
            credit_cents: entry.amount_cents,
        })
    }

    /// Ends the file: its control, then filler to whole blocks.
    fn finish(mut self) -> Result<String, TestBankError> {
        let blocks = (self.records.len() + 1).div_ceil(BLOCKING_FACTOR) as u64;
        self.records.push(
            Record::new('9')
                .number(self.batch_count, 6)
                .number(blocks, 6)
                .number(self.totals.records, 8)
                .number(self.totals.hash, 10)
                .number(0, 12)
                .number(self.totals.credit_cents, 12)
                .text("", 39)
                .done("file control")?,
        );
        let filler = "9".repeat(RECORD_LEN);
        while !self.records.len().is_multiple_of(BLOCKING_FACTOR) {
            self.records.push(filler.clone());
        }
        let mut out = String::with_capacity(self.records.len() * (RECORD_LEN + 1));
        for record in &self.records {
            out.push_str(record);
            out.push('\n');
        }
        Ok(out)
    }
}

/// One record, field by field. Values come from a file the reader has checked, so each fits
/// its field; one that did not would make the record longer, and [`Record::done`] refuses it
/// rather than cut it.
struct Record(String);

impl Record {
    fn new(kind: char) -> Self {
        let mut text = String::with_capacity(RECORD_LEN);
        text.push(kind);
        Self(text)
    }

    /// An alphanumeric field: left-justified, padded with spaces.
    fn text(mut self, value: &str, width: usize) -> Self {
        self.0.push_str(&format!("{value:<width$}"));
        self
    }

    /// A numeric field: right-justified, padded with zeros.
    fn number(mut self, value: u64, width: usize) -> Self {
        self.0.push_str(&format!("{value:0>width$}"));
        self
    }

    /// The record, when it is 94 printable ASCII characters.
    fn done(self, record: &'static str) -> Result<String, TestBankError> {
        let printable = self.0.bytes().all(|b| (0x20..=0x7E).contains(&b));
        if self.0.len() != RECORD_LEN || !printable {
            return Err(TestBankError::Unwritable { record });
        }
        Ok(self.0)
    }
}
