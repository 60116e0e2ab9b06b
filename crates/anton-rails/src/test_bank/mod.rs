//! The test bank's answers, pure: given one file Anton sent (a NACHA credit file or a
//! `pain.001.001.09`), the files a bank would send back, so that integrators and Anton's own
//! end-to-end tests see every outcome of a live rail without a bank. The CLI
//! (`anton rails test-bank`) does the reading and writing; this module only decides.
//!
//! Each payment is answered by the last four characters of its account as written in the file
//! (the NACHA entry's DFI account number without its padding, the creditor's IBAN, or a UK
//! `Othr/Id` account number), with the test-mode simulator's table
//! ([`SimulatedOutcome::for_last4`]), so a payout behaves the same in test mode and through the
//! test bank:
//!
//! | last four | outcome                                    |
//! |-----------|--------------------------------------------|
//! | `0002`    | failed, `account_closed`                   |
//! | `0003`    | failed, `no_account`                       |
//! | `0004`    | failed, `invalid_account_number`           |
//! | `0005`    | paid, then returned (`account_frozen`)     |
//! | `0006`    | stays processing                           |
//! | any other | paid                                       |
//!
//! What each answer holds, and its name (the original's name and a suffix, so a re-run writes
//! the same names):
//!
//! - A NACHA file. `now`: `{name}.returns.ach` ([`NACHA_RETURNS_SUFFIX`]), a return file with
//!   one return entry (addenda 99, reason `R02`/`R03`/`R04`) per failed payment, when there is
//!   one. `after_settlement`: `{name}.returns-late.ach` ([`NACHA_LATE_RETURNS_SUFFIX`]), the
//!   returns (`R16`) of the payments paid then returned. ACH has no acceptance message: a
//!   payment with no return by the end of the settlement window is paid, so neither a paid
//!   payment nor one that "stays processing" (`0006`) is answered at all.
//! - A `pain.001`. `now`: `{name}.pain002.xml` ([`PAIN002_SUFFIX`]), a `pain.002.001.10` that
//!   lists every payment (`RJCT` with its reason, `PDNG` for `0006`, `ACCP` for the rest); and
//!   `{name}.camt054.xml` ([`CAMT054_SUFFIX`]), a `camt.054.001.08` with the booked debits of
//!   the payments paid, when there are some. `after_settlement`: `{name}.camt054-returns.xml`
//!   ([`CAMT054_RETURNS_SUFFIX`]), the booked credits (`RtrInf` `AC06`) of the payments paid
//!   then returned.
//!
//! **Answers are deterministic**: the same name, contents and `at` give byte-identical files,
//! so a re-run never makes a "new" answer. Message ids and the returning bank's trace numbers
//! come from a fingerprint of the original's contents; creation times are `at`; booking and
//! effective dates come from the original's own dates.
//!
//! **No account number reaches a [`TestBankError`] or a `Debug` output**: errors name positions
//! and fields, never the file's text, and [`AnswerFile`]'s `Debug` shows its name and size only.

mod camt054_write;
mod iso;
mod nacha_returns;
mod pain002_write;
mod xml;

use std::fmt;

use anton_core::payout::SimulatedOutcome;
use time::{Date, OffsetDateTime};

use crate::iso20022::pain001_read;
use crate::nacha;

/// A file larger than this is refused before it is read: Anton's largest files (tens of
/// thousands of payouts) are a few megabytes, and the readers of the bank's files stop at 32
/// and 64 MiB.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// The longest original name answered, so that an answer's name (the original's and a suffix
/// of at most 20 bytes) stays within the 255 bytes file systems allow.
pub const NAME_MAX_BYTES: usize = 200;

/// Days after a payment's settlement date (the NACHA effective entry date, the `pain.001`
/// requested execution date) on which its return is dated: an `R16` or `AC06` return comes
/// back within two banking days of the credit.
pub const LATE_RETURN_DELAY_DAYS: i64 = 2;

/// The NACHA return file sent at once (failed payments).
pub const NACHA_RETURNS_SUFFIX: &str = ".returns.ach";
/// The NACHA return file sent after the settlement date (payments paid then returned).
pub const NACHA_LATE_RETURNS_SUFFIX: &str = ".returns-late.ach";
/// The `pain.002` status report.
pub const PAIN002_SUFFIX: &str = ".pain002.xml";
/// The `camt.054` notification of the debits booked.
pub const CAMT054_SUFFIX: &str = ".camt054.xml";
/// The `camt.054` notification of the returns credited after the settlement date.
pub const CAMT054_RETURNS_SUFFIX: &str = ".camt054-returns.xml";

// Every answer's name fits in the 255 bytes file systems allow.
const _: () = {
    let suffixes = [
        NACHA_RETURNS_SUFFIX,
        NACHA_LATE_RETURNS_SUFFIX,
        PAIN002_SUFFIX,
        CAMT054_SUFFIX,
        CAMT054_RETURNS_SUFFIX,
    ];
    let mut i = 0;
    while i < suffixes.len() {
        assert!(NAME_MAX_BYTES + suffixes[i].len() <= 255);
        i += 1;
    }
};

/// What the test bank sends back for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    /// Sent at once: rejections, status reports, debits booked. Empty when nothing is answered
    /// (a NACHA file whose payments are all paid).
    pub now: Vec<AnswerFile>,
    /// Sent after `settles_on`: returns of payments that were paid.
    pub after_settlement: Vec<AnswerFile>,
    /// The last date the original's payments settle on (the latest NACHA effective entry date
    /// or `pain.001` requested execution date): a bank sends `after_settlement` after it.
    pub settles_on: Date,
}

/// One file to write into the inbox. Its contents hold account numbers: `Debug` shows the
/// name and the size only.
#[derive(Clone, PartialEq, Eq)]
pub struct AnswerFile {
    /// The file's name: the original's with a suffix (see the module documentation).
    pub name: String,
    /// The file's text.
    pub contents: String,
}

impl fmt::Debug for AnswerFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnswerFile")
            .field("name", &self.name)
            .field("contents_bytes", &self.contents.len())
            .finish()
    }
}

/// Why a file is not answered. Never echoes the file's text (it holds account numbers).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TestBankError {
    /// An empty name, one with a path separator or NUL, `.`, `..`, or a name longer than
    /// [`NAME_MAX_BYTES`].
    #[error("the file name must be a plain file name of at most {NAME_MAX_BYTES} bytes")]
    InvalidName,
    /// More than [`MAX_FILE_BYTES`].
    #[error("the file is {size_bytes} bytes; the test bank reads at most {MAX_FILE_BYTES}")]
    TooLarge { size_bytes: usize },
    /// Neither a NACHA file (a file header record first) nor a `pain.001.001.09` document.
    #[error("the file is neither a NACHA file nor a pain.001.001.09 document")]
    UnknownFormat,
    /// A NACHA file that breaks the record layouts (the reader's error names the line and
    /// field).
    #[error("the NACHA file cannot be read")]
    Nacha(#[source] nacha::read::ReadError),
    /// A `pain.001.001.09` that breaks the schema or the rules its reader checks.
    #[error("the pain.001 document cannot be read")]
    Pain001(#[source] pain001_read::ReadError),
    /// A NACHA entry (1-based `batch` and `entry` in it) that is not a live credit: the test
    /// bank answers Anton's credit files, never a return or a debit.
    #[error("batch {batch}, entry {entry}: transaction code {code} is not a credit (22 or 32)")]
    NotACredit {
        batch: usize,
        entry: usize,
        code: u8,
    },
    /// A NACHA batch (1-based) whose effective entry date is not a calendar date.
    #[error("batch {batch}: the effective entry date is not a date")]
    EffectiveDate { batch: usize },
    /// A sum of amounts too large for the answer's amount fields.
    #[error("the amounts add up to more than an answer's amount field holds")]
    AmountTooLarge,
    /// A NACHA record of the answer that does not come out as 94 printable characters (a value
    /// from the original too long for its field; the reader makes this impossible).
    #[error("a {record} record of the answer does not fit in 94 characters")]
    Unwritable { record: &'static str },
}

/// The test bank's answers to the file `name` holding `contents`, made at `at` (see the module
/// documentation). `name` is the original's file name, without a directory.
pub fn answer(name: &str, contents: &str, at: OffsetDateTime) -> Result<Answers, TestBankError> {
    check_name(name)?;
    if contents.len() > MAX_FILE_BYTES {
        let size_bytes = contents.len();
        return Err(TestBankError::TooLarge { size_bytes });
    }
    let fingerprint = Fingerprint::of(contents);
    if contents.starts_with('1') {
        let file = nacha::read::parse(contents).map_err(TestBankError::Nacha)?;
        return nacha_returns::answer(name, &file, fingerprint, at);
    }
    let xml = contents.trim_start_matches('\u{feff}').trim_start();
    if !xml.starts_with('<') {
        return Err(TestBankError::UnknownFormat);
    }
    let file = pain001_read::parse(contents).map_err(|error| match error {
        // Another message (a `pain.002`, a `camt.054`) or not ISO 20022 at all.
        pain001_read::ReadError::WrongRoot { .. } => TestBankError::UnknownFormat,
        other => TestBankError::Pain001(other),
    })?;
    iso::answer(name, &file, fingerprint, at)
}

/// What the test bank does with a payment to `account`: the simulator's outcome for its last
/// four characters (all of it when shorter).
pub fn outcome_for_account(account: &str) -> SimulatedOutcome {
    SimulatedOutcome::for_last4(last4(account))
}

/// The last four characters of `account`, or all of it when shorter.
fn last4(account: &str) -> &str {
    let start = account.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
    &account[start..]
}

/// `at` in UTC, which every answer's creation time is written in. At the very end of year
/// 9999, where UTC is past the last date `time` holds, `at` is kept as it is.
fn utc(at: OffsetDateTime) -> OffsetDateTime {
    at.checked_to_offset(time::UtcOffset::UTC).unwrap_or(at)
}

/// Checks that `name` is a plain file name an answer's name can be made from.
fn check_name(name: &str) -> Result<(), TestBankError> {
    let separator = name.contains(['/', '\\', '\0']);
    if name.is_empty() || name == "." || name == ".." || separator || name.len() > NAME_MAX_BYTES {
        return Err(TestBankError::InvalidName);
    }
    Ok(())
}

/// The answer's name: the original's `name` and `suffix`.
fn answer_name(name: &str, suffix: &str) -> String {
    format!("{name}{suffix}")
}

/// A fingerprint of the original's contents (64-bit FNV-1a), from which the answers' message
/// ids and trace numbers are made: deterministic, unlike `std`'s hasher, whose algorithm may
/// change between Rust releases. Not a security measure: it only keeps answers to different
/// files apart.
#[derive(Clone, Copy)]
struct Fingerprint(u64);

impl Fingerprint {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    fn of(contents: &str) -> Self {
        let hash = (contents.bytes()).fold(Self::OFFSET_BASIS, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(Self::PRIME)
        });
        Self(hash)
    }

    /// A message id of at most 23 characters: `TB-{kind}-` and 16 hexadecimal digits. `kind`
    /// tells apart the answers to one file (`PSR`, `NTF`, `RTN`).
    fn message_id(self, kind: &str) -> String {
        format!("TB-{kind}-{:016X}", self.0)
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod nacha_tests;

#[cfg(test)]
mod iso_tests;

#[cfg(test)]
mod property_tests;
