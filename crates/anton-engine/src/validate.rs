//! Rules on values that more than one use case accepts: amounts, currencies, names, emails,
//! descriptions, metadata, bank accounts and list positions. Each returns the value parsed or the
//! refusal that names the parameter.
//!
//! Free text follows one rule on characters (docs/reference.md §2), refused with
//! [`CHARACTERS_INVALID`] naming the field:
//! - control characters (Unicode category Cc: U+0000–U+001F, U+007F–U+009F — NUL, ESC, CR, LF,
//!   tab…) are refused everywhere, metadata values included: they break terminals, logs and bank
//!   files;
//! - names, emails, descriptions and metadata keys also refuse what hides or reorders text on a
//!   screen ([`is_hazard`]): bidirectional marks, embeddings, overrides and isolates, zero-width
//!   characters, and the line and paragraph separators;
//! - names, emails and descriptions are stored NFC-normalized, so one name has one spelling and
//!   is what every later answer, event and bank file shows. Metadata is the merchant's own data
//!   and is stored exactly as sent.

use std::collections::BTreeMap;

use anton_core::bank::BankAccountError;
use anton_core::money::{Amount, AmountError, Currency, CurrencyError};
use anton_store::list::{Listed, Page};
use anton_store::{Store, Tenant};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::error::{EngineError, Result};

/// Metadata: up to 50 string pairs, keys up to 40 characters, values up to 500.
pub type Metadata = BTreeMap<String, String>;

/// Most metadata pairs.
const METADATA_KEYS_MAX: usize = 50;
/// Longest description (payouts, endpoints), in characters.
pub(crate) const DESCRIPTION_CHARS_MAX: usize = 500;
/// Longest name (recipients, merchants, API keys), in characters once normalized and trimmed.
const NAME_CHARS_MAX: usize = 200;

/// The code of a text refused for a character it holds (see the module docs).
pub const CHARACTERS_INVALID: &str = "parameter_invalid_characters";

/// The characters [`is_hazard`] covers besides control characters: inclusive ranges, with what
/// kind of character each is. One table for the check and for the documented pattern.
const HAZARDS: [(char, char, &str); 9] = [
    ('\u{061C}', '\u{061C}', BIDI),
    ('\u{180E}', '\u{180E}', ZERO_WIDTH),
    ('\u{200B}', '\u{200D}', ZERO_WIDTH),
    ('\u{200E}', '\u{200F}', BIDI),
    ('\u{2028}', '\u{2029}', "a line or paragraph separator"),
    ('\u{202A}', '\u{202E}', BIDI),
    ('\u{2060}', '\u{2060}', ZERO_WIDTH),
    ('\u{2066}', '\u{2069}', BIDI),
    ('\u{FEFF}', '\u{FEFF}', ZERO_WIDTH),
];
const BIDI: &str = "a bidirectional formatting character";
const ZERO_WIDTH: &str = "a zero-width character";

/// Control characters (Unicode category Cc, what `char::is_control` covers).
const CONTROLS: [(char, char); 2] = [('\u{0}', '\u{1F}'), ('\u{7F}', '\u{9F}')];

/// The whitespace (`char::is_whitespace`) that is not a hazard: what a name may hold but not
/// consist of.
const SPACES: [(char, char); 7] = [
    (' ', ' '),
    ('\u{A0}', '\u{A0}'),
    ('\u{1680}', '\u{1680}'),
    ('\u{2000}', '\u{200A}'),
    ('\u{202F}', '\u{202F}'),
    ('\u{205F}', '\u{205F}'),
    ('\u{3000}', '\u{3000}'),
];

/// What kind of character `c` is, when it is an [`is_hazard`] character.
fn hazard(c: char) -> Option<&'static str> {
    if c.is_control() {
        return Some("a control character");
    }
    HAZARDS
        .iter()
        .find(|(lo, hi, _)| (*lo..=*hi).contains(&c))
        .map(|(_, _, kind)| *kind)
}

/// `ranges` as the inside of a regular-expression character class (`\u0000-\u001F…`).
fn class(ranges: impl IntoIterator<Item = (char, char)>) -> String {
    let mut out = String::new();
    for (lo, hi) in ranges {
        out.push_str(&format!("\\u{:04X}", u32::from(lo)));
        if hi != lo {
            out.push_str(&format!("-\\u{:04X}", u32::from(hi)));
        }
    }
    out
}

fn hazard_class() -> String {
    class(
        CONTROLS
            .into_iter()
            .chain(HAZARDS.map(|(lo, hi, _)| (lo, hi))),
    )
}

/// The documented pattern (ECMA-262, as OpenAPI's `pattern`) of text that refuses every
/// [`is_hazard`] character: emails, descriptions, metadata keys.
pub fn text_pattern() -> String {
    format!("^[^{}]*$", hazard_class())
}

/// [`text_pattern`] for names: also at least one character that is not whitespace.
pub fn name_pattern() -> String {
    let hazards = hazard_class();
    format!(
        "^[^{hazards}]*[^{hazards}{spaces}][^{hazards}]*$",
        spaces = class(SPACES)
    )
}

/// The documented pattern of metadata values: no control character.
pub fn controls_pattern() -> String {
    format!("^[^{}]*$", class(CONTROLS))
}

/// Whether `c` is a character no name may hold: a control character (Unicode category Cc), or
/// one that hides or reorders text — bidirectional marks, embeddings, overrides and isolates
/// (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), zero-width characters (U+180E,
/// U+200B–U+200D, U+2060, U+FEFF) — or breaks a line (U+2028, U+2029). The CLI escapes these
/// when it prints stored text.
pub fn is_hazard(c: char) -> bool {
    hazard(c).is_some()
}

/// Which characters a text refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refuse {
    /// Control characters only (metadata values).
    Controls,
    /// Every [`is_hazard`] character (names, emails, descriptions, metadata keys).
    Hazards,
}

/// The first character of `value` that `refuse` covers, as the refusal naming `param`; `what`
/// names the text in the message ("name", "a metadata key").
fn characters(value: &str, refuse: Refuse, what: &str, param: &str) -> Result<()> {
    let bad = value.chars().find_map(|c| match (hazard(c), refuse) {
        (Some(kind), Refuse::Hazards) => Some((c, kind)),
        (Some(kind), Refuse::Controls) if c.is_control() => Some((c, kind)),
        _ => None,
    });
    match bad {
        None => Ok(()),
        Some((c, kind)) => Err(EngineError::invalid(
            CHARACTERS_INVALID,
            format!(
                "{what} contains U+{:04X} ({kind}); control, bidirectional formatting and \
                 zero-width characters are not allowed",
                u32::from(c)
            ),
            param,
        )),
    }
}

/// `value` in Unicode normalization form C (composed: "e\u{301}" becomes "é").
fn nfc(value: &str) -> String {
    match is_nfc_quick(value.chars()) {
        IsNormalized::Yes => value.to_owned(),
        IsNormalized::No | IsNormalized::Maybe => value.nfc().collect(),
    }
}

/// Free text as stored: refused for any [`is_hazard`] character, else NFC-normalized.
fn text(value: &str, param: &str) -> Result<String> {
    characters(value, Refuse::Hazards, param, param)?;
    Ok(nfc(value))
}

/// A payout amount in minor units.
pub fn amount(v: i64) -> Result<Amount> {
    Amount::new(v).map_err(|e| {
        let code = match e {
            AmountError::TooSmall => "amount_too_small",
            AmountError::TooLarge => "amount_too_large",
        };
        EngineError::invalid(code, e.to_string(), "amount")
    })
}

/// A supported currency.
pub fn currency(v: &str) -> Result<Currency> {
    Currency::parse(v).map_err(|e| {
        let code = match e {
            CurrencyError::Malformed => "currency_invalid",
            CurrencyError::Unsupported(_) => "currency_not_supported",
        };
        EngineError::invalid(code, e.to_string(), "currency")
    })
}

/// Up to 50 pairs, keys 1 to 40 characters, values up to 500; characters as the module docs say.
pub fn metadata(m: &Metadata) -> Result<()> {
    if m.len() > METADATA_KEYS_MAX {
        return Err(EngineError::invalid(
            "metadata_invalid",
            "metadata holds at most 50 keys",
            "metadata",
        ));
    }
    for (k, v) in m {
        if k.is_empty() || k.chars().count() > 40 || v.chars().count() > 500 {
            return Err(EngineError::invalid(
                "metadata_invalid",
                "metadata keys are 1 to 40 characters and values at most 500",
                "metadata",
            ));
        }
        // Keys are labels shown beside the values: held to the rule of names. Values are the
        // merchant's own data: any text but control characters.
        characters(k, Refuse::Hazards, "a metadata key", "metadata")?;
        characters(v, Refuse::Controls, "a metadata value", "metadata")?;
    }
    Ok(())
}

/// Metadata as stored (JSON object text).
pub(crate) fn metadata_text(m: &Metadata) -> String {
    serde_json::to_string(m).unwrap_or_else(|_| "{}".into())
}

/// A recipient's name as stored: no [`is_hazard`] character, at most 200 characters as sent and
/// not only whitespace (else `parameter_invalid`); stored NFC-normalized and trimmed.
pub fn name(name: &str) -> Result<String> {
    name_as(name, "parameter_invalid")
}

/// [`name`], refusing a length out of range with `length_code` (operator actions answer
/// `name_invalid`).
pub(crate) fn name_as(name: &str, length_code: &'static str) -> Result<String> {
    // Lengths count the characters as sent: the limit a client can check before sending
    // (normalizing may compose or, rarely, decompose characters).
    let sent = name.chars().count();
    let name = text(name, "name")?;
    let name = name.trim();
    if name.is_empty() || sent > NAME_CHARS_MAX {
        return Err(EngineError::invalid(
            length_code,
            "name must be 1 to 200 characters, not only whitespace",
            "name",
        ));
    }
    Ok(name.to_owned())
}

/// An email address as stored: no [`is_hazard`] character, NFC-normalized, and an address
/// mail can reach (the documented `idn-email` format): a dot-atom local part of at most 64 bytes
/// (RFC 5322 `atext`, and any non-ASCII character as RFC 6531 allows), `@`, and a domain of at
/// least two labels that IDNA (UTS 46, strict: letters, digits and inner hyphens; DNS lengths)
/// accepts. Quoted local parts and address literals (`[192.0.2.1]`) are refused: no payee
/// is reached that way.
pub fn email(email: &str) -> Result<String> {
    let email = text(email, "email")?;
    let ok = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| email_local_part(local) && email_domain(domain));
    if ok {
        Ok(email)
    } else {
        Err(EngineError::invalid(
            "email_invalid",
            "email is not a valid email address",
            "email",
        ))
    }
}

/// RFC 5322's dot-atom (with RFC 6531's non-ASCII characters), at most 64 bytes.
fn email_local_part(local: &str) -> bool {
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    local.len() <= 64
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(|c| !c.is_ascii() || atext(c)))
}

/// A domain name mail can be sent to: IDNA-valid (strict), two labels or more, not an IPv4
/// address written without brackets.
fn email_domain(domain: &str) -> bool {
    let Ok(ascii) = idna::domain_to_ascii_strict(domain) else {
        return false;
    };
    let labels: Vec<&str> = ascii.split('.').collect();
    labels.len() >= 2
        && labels
            .last()
            .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
}

/// A description as stored: no [`is_hazard`] character (so no line break), at most
/// [`DESCRIPTION_CHARS_MAX`] characters as sent (else refused with `code`), NFC-normalized.
pub(crate) fn description(d: Option<&str>, code: &'static str) -> Result<Option<String>> {
    let Some(d) = d else {
        return Ok(None);
    };
    let sent = d.chars().count();
    let d = text(d, "description")?;
    if sent > DESCRIPTION_CHARS_MAX {
        return Err(EngineError::invalid(
            code,
            "description is at most 500 characters",
            "description",
        ));
    }
    Ok(Some(d))
}

/// A bank account that did not parse, as the refusal naming its field.
pub fn bank_account(e: BankAccountError) -> EngineError {
    EngineError::invalid(e.code(), e.to_string(), e.param())
}

/// What page of a list to read: at most `limit` objects (1 to 100), newest first, after the
/// object `starting_after` (the next page) or just before `ending_before` (the previous page),
/// created within the range.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub limit: i64,
    pub starting_after: Option<String>,
    pub ending_before: Option<String>,
    pub created_gte_us: Option<i64>,
    pub created_lt_us: Option<i64>,
}

impl ListQuery {
    /// The store page. `starting_after` must be the tenant's own object of this list's kind; an id
    /// of another kind is refused before any lookup, an unknown one after a scoped lookup.
    pub(crate) async fn page(&self, store: &Store, table: Listed, tenant: &Tenant) -> Result<Page> {
        if self.starting_after.is_some() && self.ending_before.is_some() {
            return Err(EngineError::invalid(
                "parameter_invalid",
                "Give starting_after or ending_before, not both.",
                "ending_before",
            ));
        }
        let cursor = |id: &Option<String>, param: &'static str| {
            let id = id.clone();
            async move {
                match id {
                    None => Ok(None),
                    Some(id) if !table.is_id(&id) => Err(bad_cursor(&id, param)),
                    Some(id) => anton_store::list::cursor(store.read(), table, tenant, &id)
                        .await?
                        .map(Some)
                        .ok_or_else(|| bad_cursor(&id, param)),
                }
            }
        };
        Ok(Page {
            limit: self.limit,
            after: cursor(&self.starting_after, "starting_after").await?,
            before: cursor(&self.ending_before, "ending_before").await?,
            created_gte_us: self.created_gte_us,
            created_lt_us: self.created_lt_us,
        })
    }
}

fn bad_cursor(id: &str, param: &str) -> EngineError {
    EngineError::invalid(
        "parameter_invalid",
        format!("{param}: no such object '{id}'"),
        param,
    )
}

/// A page of a list, and whether more follow.
#[derive(Debug, Clone)]
pub struct Listing<T> {
    pub data: Vec<T>,
    pub has_more: bool,
}

impl<T> Listing<T> {
    /// The page from the `limit + 1` rows a store list read with `page`.
    pub(crate) fn of(rows: Vec<T>, page: &Page) -> Self {
        let (data, has_more) = anton_store::list::paged(rows, page);
        Self { data, has_more }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Listing<U> {
        Listing {
            data: self.data.into_iter().map(f).collect(),
            has_more: self.has_more,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hostile characters of issue 15, each inside an otherwise good value.
    const HOSTILE: [(&str, &str); 7] = [
        ("NUL", "Ada\u{0}Lovelace"),
        ("ESC", "Ada \u{1b}[31mLovelace"),
        ("CR", "Ada\rLovelace"),
        ("LF", "Ada\nLovelace"),
        ("RLO", "Ada \u{202e}ecalevoL"),
        ("ZWSP", "Ada\u{200b}Lovelace"),
        ("BOM", "\u{feff}Ada Lovelace"),
    ];

    fn refused_for_characters(r: Result<impl std::fmt::Debug>, param: &str, case: &str) {
        let e = r.expect_err(case);
        assert_eq!(e.code(), CHARACTERS_INVALID, "{case}: {e}");
        assert_eq!(e.param(), Some(param), "{case}");
    }

    #[test]
    fn names_refuse_every_hostile_character() {
        for (case, value) in HOSTILE {
            refused_for_characters(name(value), "name", case);
            refused_for_characters(name_as(value, "name_invalid"), "name", case);
        }
    }

    #[test]
    fn descriptions_and_emails_refuse_every_hostile_character() {
        for (case, value) in HOSTILE {
            refused_for_characters(description(Some(value), "x"), "description", case);
            let address = format!("{value}@example.com");
            refused_for_characters(email(&address), "email", case);
        }
    }

    #[test]
    fn an_email_is_an_address_mail_can_reach() {
        for ok in [
            "ada@example.com",
            "ada.king+payouts@mail.example.co.uk",
            "o'brien@example.ie",
            "a*b=c@example.com",
            "josé@bücher.example",
            "用户@例子.广告",
            "a@xn--bcher-kva.example",
        ] {
            assert!(email(ok).is_ok(), "{ok}");
        }
        for bad in [
            "0@0.com*",
            "a@b_c.com",
            "a@-b.com",
            "a@b-.com",
            "a@b..com",
            "a@.b.com",
            "a@b.com.",
            "a@localhost",
            "a@1.2.3.4",
            "a@[192.0.2.1]",
            ".a@example.com",
            "a.@example.com",
            "a..b@example.com",
            "\"a b\"@example.com",
            "a(b)@example.com",
            "a@b@example.com",
            "@example.com",
            "a@",
            "a b@example.com",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert!(email(&long_local).is_err());
        let long_label = format!("a@{}.com", "b".repeat(64));
        assert!(email(&long_label).is_err());
    }

    #[test]
    fn the_refusal_names_the_character_without_echoing_the_value() {
        let e = name("Ada \u{202e}ecalevoL").unwrap_err();
        let message = e.to_string();
        assert!(message.contains("U+202E"), "{message}");
        assert!(message.contains("bidirectional"), "{message}");
        assert!(!message.contains("ecalevoL"), "{message}");
        let e = name("Ada\u{0}").unwrap_err();
        assert!(
            e.to_string().contains("U+0000 (a control character)"),
            "{e}"
        );
    }

    #[test]
    fn every_listed_bidi_and_zero_width_character_is_a_hazard() {
        let listed = [
            '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}',
            '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{061c}', '\u{200b}', '\u{200c}',
            '\u{200d}', '\u{2060}', '\u{feff}', '\u{180e}', '\u{2028}', '\u{2029}', '\u{7f}',
            '\u{85}', '\u{9f}', '\t',
        ];
        for c in listed {
            assert!(is_hazard(c), "U+{:04X}", u32::from(c));
            assert!(name(&format!("a{c}b")).is_err(), "U+{:04X}", u32::from(c));
        }
        for c in ['a', 'é', 'ß', '你', 'ع', ' ', '-', '\'', '\u{a0}', '😀'] {
            assert!(!is_hazard(c), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn text_is_stored_nfc_normalized_and_names_trimmed() {
        assert_eq!(name("  Zoe\u{301}  ").unwrap(), "Zo\u{e9}");
        assert_eq!(name("e\u{301}").unwrap(), "é");
        assert_eq!(name("Ada Lovelace").unwrap(), "Ada Lovelace");
        assert_eq!(
            description(Some("Cafe\u{301} rent"), "x")
                .unwrap()
                .as_deref(),
            Some("Café rent")
        );
        assert_eq!(description(None, "x").unwrap(), None);
        assert_eq!(
            email("jose\u{301}@example.com").unwrap(),
            "josé@example.com"
        );
        // Length counts the characters as sent, as the documented `maxLength` does: 100
        // decomposed "é" are 200, 101 are too many though they normalize to 101.
        assert!(name(&"e\u{301}".repeat(100)).is_ok());
        assert!(name(&"e\u{301}".repeat(101)).is_err());
        assert!(name(&"e".repeat(201)).is_err());
    }

    #[test]
    fn the_documented_patterns_accept_exactly_what_the_checks_accept() {
        let text = regex::Regex::new(&text_pattern()).unwrap();
        let names = regex::Regex::new(&name_pattern()).unwrap();
        let values = regex::Regex::new(&controls_pattern()).unwrap();
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let one = c.to_string();
            let u = u32::from(c);
            assert_eq!(text.is_match(&one), !is_hazard(c), "U+{u:04X}");
            assert_eq!(values.is_match(&one), !c.is_control(), "U+{u:04X}");
            let spaced = c.is_whitespace() && !is_hazard(c);
            assert_eq!(
                spaced,
                SPACES.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c))
            );
            assert_eq!(names.is_match(&one), !is_hazard(c) && !spaced, "U+{u:04X}");
        }
        for ok in ["Ada", " Ada ", "a\u{a0}b", "你好"] {
            assert!(names.is_match(ok) && name(ok).is_ok(), "{ok:?}");
        }
        for bad in ["", "  ", "\u{3000}", "Ada\n", "\u{202e}Ada"] {
            assert!(!names.is_match(bad) && name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_name_of_only_whitespace_or_too_long_is_refused_with_the_length_code() {
        assert_eq!(name("   ").unwrap_err().code(), "parameter_invalid");
        assert_eq!(
            name_as("", "name_invalid").unwrap_err().code(),
            "name_invalid"
        );
        assert_eq!(
            name(&"x".repeat(NAME_CHARS_MAX + 1)).unwrap_err().code(),
            "parameter_invalid"
        );
        // Counted as sent: U+0958 is one character that normalizes to two.
        assert!(name(&"\u{958}".repeat(NAME_CHARS_MAX)).is_ok());
        assert!(description(Some(&"\u{958}".repeat(DESCRIPTION_CHARS_MAX)), "d").is_ok());
    }

    #[test]
    fn metadata_refuses_control_characters_and_hazards_in_keys_only() {
        let one = |k: &str, v: &str| Metadata::from([(k.to_owned(), v.to_owned())]);
        for (case, value) in HOSTILE {
            refused_for_characters(metadata(&one(value, "v")), "metadata", case);
        }
        for value in ["a\u{0}b", "\u{1b}[31m", "line\nbreak", "cr\r"] {
            refused_for_characters(metadata(&one("k", value)), "metadata", value);
        }
        // Values may hold right-to-left text with its marks, and zero-width joiners (emoji).
        assert!(metadata(&one("k", "\u{5e9}\u{5dc}\u{5d5}\u{5dd}\u{200f}")).is_ok());
        assert!(metadata(&one("k", "\u{1f469}\u{200d}\u{1f4bb}")).is_ok());
    }
}
