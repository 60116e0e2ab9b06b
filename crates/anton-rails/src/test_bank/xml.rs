//! A small writer of the test bank's ISO 20022 documents: indented elements, every text
//! escaped, amounts in minor units written as decimals with their currency, and the date and
//! date-time forms the schemas want. Its own, not the `pain.001` writer's: that one is Anton's
//! outbound format, and the two must be free to differ.

use std::fmt::Write as _;

use time::{Date, OffsetDateTime};

use super::{utc, TestBankError};

/// The largest amount written, in minor units: the schemas' amounts have at most 18 digits.
const AMOUNT_MINOR_MAX: i128 = 999_999_999_999_999_999;

/// A document being written, element by element.
pub(super) struct Xml {
    out: String,
    /// Elements open below `Document`, for the indentation.
    depth: usize,
}

impl Xml {
    /// Starts a document whose root is `Document` in `namespace`.
    pub(super) fn document(namespace: &str) -> Self {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(out, "<Document xmlns=\"{}\">", escaped(namespace));
        Self { out, depth: 0 }
    }

    /// Opens the element `name`.
    pub(super) fn open(&mut self, name: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{name}>");
        self.depth += 1;
    }

    /// Closes the element `name`, the innermost open.
    pub(super) fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        let _ = writeln!(self.out, "</{name}>");
    }

    /// An element holding `text`, escaped.
    pub(super) fn leaf(&mut self, name: &str, text: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{name}>{}</{name}>", escaped(text));
    }

    /// An element holding `text` when there is one.
    pub(super) fn optional_leaf(&mut self, name: &str, text: Option<&str>) {
        if let Some(text) = text {
            self.leaf(name, text);
        }
    }

    /// An amount element: `minor` units of `currency` as a decimal with two fraction digits
    /// (every currency Anton pays in has two), and its `Ccy`.
    pub(super) fn amount(
        &mut self,
        name: &str,
        currency: &str,
        minor: i128,
    ) -> Result<(), TestBankError> {
        let amount = decimal(minor)?;
        self.indent();
        let currency = escaped(currency);
        let _ = writeln!(self.out, "<{name} Ccy=\"{currency}\">{amount}</{name}>");
        Ok(())
    }

    /// An element holding a choice of `Cd`: `<name><Cd>code</Cd></name>`.
    pub(super) fn code(&mut self, name: &str, code: &str) {
        self.open(name);
        self.leaf("Cd", code);
        self.close(name);
    }

    /// An element holding a date: `<name><Dt>YYYY-MM-DD</Dt></name>`.
    pub(super) fn date(&mut self, name: &str, date: Date) {
        self.open(name);
        self.leaf("Dt", &iso_date(date));
        self.close(name);
    }

    /// The document, its root closed.
    pub(super) fn finish(mut self) -> String {
        self.out.push_str("</Document>\n");
        self.out
    }

    fn indent(&mut self) {
        for _ in 0..=self.depth {
            self.out.push_str("  ");
        }
    }
}

/// `minor` as a decimal with two fraction digits, e.g. `1234.05`; at most 18 digits.
pub(super) fn decimal(minor: i128) -> Result<String, TestBankError> {
    if !(0..=AMOUNT_MINOR_MAX).contains(&minor) {
        return Err(TestBankError::AmountTooLarge);
    }
    Ok(format!("{}.{:02}", minor / 100, minor % 100))
}

/// `at` in UTC, to the second, with its zone: `YYYY-MM-DDThh:mm:ssZ`.
pub(super) fn date_time(at: OffsetDateTime) -> String {
    let at = utc(at);
    let (hour, minute, second) = (at.hour(), at.minute(), at.second());
    format!("{}T{hour:02}:{minute:02}:{second:02}Z", iso_date(at.date()))
}

/// `YYYY-MM-DD`.
fn iso_date(date: Date) -> String {
    let (year, month, day) = (date.year(), u8::from(date.month()), date.day());
    format!("{year:04}-{month:02}-{day:02}")
}

/// `text` with the five XML special characters escaped.
fn escaped(text: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(text)
}
