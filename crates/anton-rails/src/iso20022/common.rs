//! What the readers of the bank's files (`pain002`, `camt054`) share: elements with their paths
//! ([`Node`]), the errors a field can have ([`FieldError`]), ISO date-times ([`IsoDateTime`]),
//! XML problems without the file's text ([`XmlProblem`]), and the rules for what an error may
//! quote from a file (a code, an ISO namespace; never free text, which can hold an account).

use std::fmt;

use time::{Date, Month, PrimitiveDateTime, Time, UtcOffset};

use super::reasons::{Reason, ReasonCode};
use super::tree::{Element, XmlError, MAX_DEPTH};

/// ISO `Max35Text`: identifiers and proprietary codes.
pub(super) const MAX35: usize = 35;
/// ISO `Max105Text`: a line of additional information on a status or return reason.
pub(super) const MAX105: usize = 105;
/// The decimals of Anton's currencies (EUR, GBP, USD).
pub(super) const MINOR_DIGITS: usize = 2;

/// Why a decimal could not be read as minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DecimalError {
    /// Not digits, then optionally '.' and digits (no sign, exponent or spaces).
    NotDecimal,
    /// More than [`MINOR_DIGITS`] decimals.
    TooPrecise,
    TooLarge,
}

/// A decimal's text in minor units: digits, then optionally '.' and one or two digits. No
/// float anywhere.
pub(super) fn decimal_minor(text: &str) -> Result<i64, DecimalError> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let fraction_missing = text.contains('.') && fraction.is_empty();
    if whole.is_empty() || fraction_missing || !digits(whole) || !digits(fraction) {
        return Err(DecimalError::NotDecimal);
    }
    if fraction.len() > MINOR_DIGITS {
        return Err(DecimalError::TooPrecise);
    }
    let padded = (fraction.bytes())
        .chain(std::iter::repeat(b'0'))
        .take(MINOR_DIGITS);
    whole
        .bytes()
        .chain(padded)
        .try_fold(0i64, |value, b| {
            value.checked_mul(10)?.checked_add(i64::from(b - b'0'))
        })
        .ok_or(DecimalError::TooLarge)
}

/// ISO `Max15NumericText` as a count.
pub(super) fn count(text: &str) -> Option<u64> {
    let valid = (1..=15).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
    if valid {
        text.parse().ok()
    } else {
        None
    }
}

/// The `NN` of a namespace `{prefix}NN` (two digits) when `versions` holds it.
pub(super) fn version_of(
    namespace: &str,
    prefix: &str,
    versions: std::ops::RangeInclusive<u8>,
) -> Option<u8> {
    let digits = namespace.strip_prefix(prefix)?;
    if digits.len() != 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let version = digits.parse().ok()?;
    versions.contains(&version).then_some(version)
}

/// `text` when it looks like a code (one to four ASCII letters or digits), else a description:
/// an error never echoes anything longer from the file.
pub(super) fn shown_code(text: &str) -> String {
    let looks_like_code =
        (1..=4).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric());
    if looks_like_code {
        text.to_owned()
    } else {
        "(a value that is not a code)".to_owned()
    }
}

/// `namespace` when it is an ISO 20022 message namespace (short, of known characters), else a
/// description: an error never echoes arbitrary text from the file.
pub(super) fn describe_namespace(namespace: &str) -> String {
    let name = namespace.strip_prefix("urn:iso:std:iso:20022:tech:xsd:");
    let known = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.';
    match name {
        Some(name) if name.len() <= 20 && name.bytes().all(known) => namespace.to_owned(),
        _ if namespace.is_empty() => "(none)".to_owned(),
        _ => "(not an ISO 20022 message namespace)".to_owned(),
    }
}

/// Shows how many lines of free text there are, not what they say.
pub(super) struct Redacted<'a>(pub(super) &'a [String]);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{} line(s) redacted]", self.0.len())
    }
}

/// What made a file unreadable as XML, without the tree reader's detail: its messages quote the
/// file (tag and entity names), which may hold an account number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum XmlProblem {
    #[error("it is not well-formed at byte {position}")]
    Malformed { position: u64 },
    #[error("it has a DOCTYPE")]
    Doctype,
    #[error("it uses an entity reference other than the predefined ones")]
    Entity,
    #[error("it nests elements deeper than {MAX_DEPTH}")]
    TooDeep,
    #[error("it has no root element")]
    Empty,
    #[error("it has content after its root element")]
    TrailingContent,
}

impl From<&XmlError> for XmlProblem {
    fn from(error: &XmlError) -> Self {
        match error {
            XmlError::Malformed { position } => Self::Malformed {
                position: *position,
            },
            XmlError::Doctype => Self::Doctype,
            XmlError::Entity => Self::Entity,
            XmlError::TooDeep => Self::TooDeep,
            XmlError::Empty => Self::Empty,
            XmlError::TrailingContent => Self::TrailingContent,
        }
    }
}

/// An element that is missing, repeated, empty, too long or not of its type. `path` is from the
/// message element, e.g. `CstmrPmtStsRpt/GrpHdr/CreDtTm`; the element's text is never quoted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// A required element (or attribute, `@name`) is not there.
    #[error("{path} is missing")]
    Missing { path: String },
    #[error("{path} appears more than once")]
    Repeated { path: String },
    #[error("{path} is empty")]
    Empty { path: String },
    #[error("{path} is {length} characters long; at most {max} are allowed")]
    TooLong {
        path: String,
        length: usize,
        max: usize,
    },
    /// A choice (e.g. `Rsn`: `Cd` or `Prtry`) that holds none or more than one of `choices`.
    #[error("{path} must hold exactly one of {choices}")]
    InvalidChoice { path: String, choices: &'static str },
    /// Not an ISO date-time (`YYYY-MM-DDThh:mm:ss`, optional fraction and offset) or date.
    #[error("{path} is not an ISO date-time")]
    InvalidDateTime { path: String },
    #[error("{path} is not an ISO date")]
    InvalidDate { path: String },
    #[error("{path} is not an ISO reason code (four upper-case letters or digits)")]
    InvalidReasonCode { path: String },
}

/// An element with its path from the message element, so that every error names where it is.
#[derive(Debug, Clone)]
pub(super) struct Node<'a> {
    /// The element.
    pub(super) element: &'a Element,
    /// Its path, e.g. `CstmrPmtStsRpt/OrgnlPmtInfAndSts[2]/TxInfAndSts[1]`.
    pub(super) path: String,
}

impl<'a> Node<'a> {
    /// `element` at `path`.
    pub(super) fn new(element: &'a Element, path: &str) -> Self {
        let path = path.to_owned();
        Self { element, path }
    }

    /// The path of a child `name`.
    pub(super) fn path_to(&self, name: &str) -> String {
        format!("{}/{name}", self.path)
    }

    /// The only child `name`, if any; two or more is an error.
    pub(super) fn optional(&self, name: &str) -> Result<Option<Node<'a>>, FieldError> {
        let mut named = self.element.children.iter().filter(|c| c.name == name);
        let first = named.next();
        let path = self.path_to(name);
        match named.next() {
            Some(_) => Err(FieldError::Repeated { path }),
            None => Ok(first.map(|element| Node { element, path })),
        }
    }

    /// The only child `name`, which must be there.
    pub(super) fn required(&self, name: &str) -> Result<Node<'a>, FieldError> {
        let path = self.path_to(name);
        self.optional(name)?.ok_or(FieldError::Missing { path })
    }

    /// Every child `name`, in file order, with 1-based positions in their paths.
    pub(super) fn every<'s>(&'s self, name: &'s str) -> impl Iterator<Item = Node<'a>> + 's {
        let named = self.element.children.iter().filter(move |c| c.name == name);
        named.enumerate().map(move |(index, element)| Node {
            element,
            path: format!("{}/{name}[{}]", self.path, index + 1),
        })
    }

    /// The text: not empty, at most `max` characters.
    pub(super) fn text(&self, max: usize) -> Result<String, FieldError> {
        let text = self.element.text();
        let (path, length) = (self.path.clone(), text.chars().count());
        if length == 0 {
            return Err(FieldError::Empty { path });
        }
        if length > max {
            return Err(FieldError::TooLong { path, length, max });
        }
        Ok(text.to_owned())
    }

    /// The text of the required child `name`.
    pub(super) fn required_text(&self, name: &str, max: usize) -> Result<String, FieldError> {
        self.required(name)?.text(max)
    }

    /// The text of the optional child `name`.
    pub(super) fn optional_text(
        &self,
        name: &str,
        max: usize,
    ) -> Result<Option<String>, FieldError> {
        self.optional(name)?.map(|node| node.text(max)).transpose()
    }

    /// The required date-time child `name`.
    pub(super) fn date_time(&self, name: &str) -> Result<IsoDateTime, FieldError> {
        let node = self.required(name)?;
        let path = node.path;
        IsoDateTime::parse(node.element.text()).ok_or(FieldError::InvalidDateTime { path })
    }

    /// The child `Rsn`, when there is one: `Cd` (an ISO code) or `Prtry` (the bank's own).
    pub(super) fn reason(&self) -> Result<Option<Reason>, FieldError> {
        let Some(rsn) = self.optional("Rsn")? else {
            return Ok(None);
        };
        match (rsn.optional("Cd")?, rsn.optional("Prtry")?) {
            (Some(code), None) => {
                let path = code.path;
                let code = ReasonCode::parse(code.element.text());
                Ok(Some(Reason::Code(
                    code.ok_or(FieldError::InvalidReasonCode { path })?,
                )))
            }
            (None, Some(own)) => Ok(Some(Reason::Proprietary(own.text(MAX35)?))),
            _ => Err(FieldError::InvalidChoice {
                path: rsn.path,
                choices: "Cd and Prtry",
            }),
        }
    }

    /// Every child `AddtlInf`: lines of at most 105 characters.
    pub(super) fn additional_info(&self) -> Result<Vec<String>, FieldError> {
        self.every("AddtlInf")
            .map(|line| line.text(MAX105))
            .collect()
    }
}

/// An ISO 20022 date-time (`ISODateTime`, i.e. `xs:dateTime`) as written: ISO allows a local
/// time without an offset, so the offset is kept apart rather than guessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IsoDateTime {
    /// The date and time as written (fractions of a second to the nanosecond).
    pub local: PrimitiveDateTime,
    /// The offset from UTC when the text gives one (`Z` or `±hh:mm`).
    pub offset: Option<UtcOffset>,
}

impl IsoDateTime {
    /// Reads `YYYY-MM-DDThh:mm:ss`, then optionally `.` and 1 to 9 digits, then optionally `Z`
    /// or `±hh:mm`. Years before 1000 or after 9999, hour 24 and leap seconds are refused.
    pub fn parse(text: &str) -> Option<Self> {
        if !text.is_ascii() {
            return None;
        }
        let (main, offset) = split_offset(text)?;
        let (date, time) = main.split_once('T')?;
        let date = parse_date(date)?;
        let (hms, fraction) = match time.split_once('.') {
            Some((hms, fraction)) => (hms, Some(fraction)),
            None => (time, None),
        };
        let [hour, minute, second] = colon_numbers(hms)?;
        let nanosecond = match fraction {
            None => 0,
            Some(f) if (1..=9).contains(&f.len()) => number(f)? * 10u32.pow(9 - f.len() as u32),
            Some(_) => return None,
        };
        let time = Time::from_hms_nano(hour, minute, second, nanosecond).ok()?;
        Some(Self {
            local: PrimitiveDateTime::new(date, time),
            offset,
        })
    }
}

/// Splits a trailing `Z` or `±hh:mm` off a date or date-time; `None` for text that is not
/// ASCII or whose offset is out of range.
pub(super) fn split_offset(text: &str) -> Option<(&str, Option<UtcOffset>)> {
    if !text.is_ascii() {
        return None;
    }
    if let Some(main) = text.strip_suffix('Z') {
        return Some((main, Some(UtcOffset::UTC)));
    }
    let Some(at) = text.len().checked_sub(6) else {
        return Some((text, None));
    };
    let (main, suffix) = text.split_at(at);
    let sign = match suffix.as_bytes().first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Some((text, None)),
    };
    // A date alone ends in "-MM-DD", which looks like an offset but has no ':' in it.
    if !suffix.contains(':') {
        return Some((text, None));
    }
    let [hours, minutes] = colon_numbers(&suffix[1..])?;
    if hours > 14 {
        return None;
    }
    let (hours, minutes) = (i8::try_from(hours).ok()?, i8::try_from(minutes).ok()?);
    let offset = UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()?;
    Some((main, Some(offset)))
}

/// Reads an ASCII `YYYY-MM-DD` (four-digit year).
pub(super) fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let month = Month::try_from(u8::try_from(number(month)?).ok()?).ok()?;
    let day = u8::try_from(number(day)?).ok()?;
    Date::from_calendar_date(i32::try_from(number(year)?).ok()?, month, day).ok()
}

/// Reads `N` two-digit numbers separated by ':' (e.g. `hh:mm:ss`).
fn colon_numbers<const N: usize>(text: &str) -> Option<[u8; N]> {
    let mut numbers = [0; N];
    let mut parts = text.split(':');
    for slot in &mut numbers {
        let part = parts.next()?;
        if part.len() != 2 {
            return None;
        }
        *slot = u8::try_from(number(part)?).ok()?;
    }
    parts.next().is_none().then_some(numbers)
}

/// A string of 1 to 9 ASCII digits as a number.
fn number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 9 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}
