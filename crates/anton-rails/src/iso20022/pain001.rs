//! Anton's outbound ISO 20022 credit transfer files, `pain.001.001.09`
//! (CustomerCreditTransferInitiationV09): one group header, one payment information block
//! (a *batch*: one debtor account, one execution date, one scheme) per currency, and one
//! credit transfer transaction per payout.
//!
//! Two schemes:
//! - [`Scheme::Sepa`]: euros to IBANs, service level `SEPA`, charges `SLEV` (each side pays its
//!   own bank, as the SEPA rulebook requires).
//! - [`Scheme::Uk`]: pounds to a sort code and account number (or a GB IBAN), as UK banks take
//!   Faster Payments in `pain.001`; charges `DEBT` (Anton's operator pays, so the recipient
//!   receives the whole amount). Banks differ in the service level and local instrument they
//!   want for Faster Payments, so both come from the rail's configuration.
//!
//! The writer is strict, like the NACHA writer: a value that breaks the schema or the SEPA
//! rules is refused with its element's path, never cut short or changed silently. Every text
//! field, for both schemes, keeps to the SEPA Latin character set (`a-z A-Z 0-9 / - ? : ( ) .
//! , ' +` and space), which UK banks accept too. Free text (names, descriptions) is prepared
//! for it by [`text`], which says what it changed; identifiers are never prepared, only
//! checked. The file is UTF-8 with LF line endings, and is valid against the official XSD (the
//! tests validate every kind of file against it).

use std::fmt::{self, Write as _};

use time::{Date, OffsetDateTime, UtcOffset};
use unicode_normalization::UnicodeNormalization;

pub const NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09";

/// The schema's `Max35Text`: every identifier.
pub const ID_MAX: usize = 35;
/// SEPA's limit for names (the schema allows 140; the SEPA rulebook, 70).
pub const NAME_MAX: usize = 70;
/// The schema's `Max140Text`: unstructured remittance information.
pub const REMITTANCE_MAX: usize = 140;
/// The schema's amounts have at most 18 digits in all.
const TOTAL_DIGITS_MAX: usize = 18;

/// How a batch's transfers travel, which decides its currency and what its transfers pay into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// A SEPA credit transfer: euros, IBANs only.
    Sepa,
    /// A UK payment in pounds. `service_level` (e.g. `NURG`) and `local_instrument` (a
    /// proprietary code such as `FPS`) are written when the bank asks for them.
    Uk {
        service_level: Option<String>,
        local_instrument: Option<String>,
    },
}

impl Scheme {
    pub fn currency(&self) -> &'static str {
        match self {
            Self::Sepa => "EUR",
            Self::Uk { .. } => "GBP",
        }
    }
}

/// A bank, as the file names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Agent {
    /// By BIC (8 or 11 characters).
    Bic(String),
    /// A UK bank by its sort code (6 digits), in the UK's clearing system (`GBDSC`).
    SortCode(String),
}

/// Where a transfer pays.
#[derive(Clone, PartialEq, Eq)]
pub enum CreditorAccount {
    /// An IBAN, with the bank's BIC when known (SEPA no longer needs it).
    Iban { iban: String, bic: Option<String> },
    /// A UK account: sort code (6 digits) and account number (8 digits).
    SortCodeAccount {
        sort_code: String,
        account_number: String,
    },
}

/// Only the last four characters of the account: the file holds the whole number, logs and
/// panics never do.
impl fmt::Debug for CreditorAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Iban { iban, bic } => f
                .debug_struct("Iban")
                .field("last4", &last4(iban))
                .field("bic", bic)
                .finish(),
            Self::SortCodeAccount {
                sort_code,
                account_number,
            } => f
                .debug_struct("SortCodeAccount")
                .field("sort_code", sort_code)
                .field("last4", &last4(account_number))
                .finish(),
        }
    }
}

fn last4(s: &str) -> &str {
    let start = s.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
    &s[start..]
}

/// One payout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// Anton's instruction id; the bank's statuses may refer to it.
    pub instruction_id: String,
    /// Carried unchanged to the recipient's bank and back in every status and return: how a
    /// file coming back finds its payout.
    pub end_to_end_id: String,
    /// Minor units of the batch's currency.
    pub amount_minor: i64,
    pub creditor_name: String,
    pub creditor_account: CreditorAccount,
    /// What the recipient's statement shows (the payout's description).
    pub remittance: Option<String>,
}

/// The account the money leaves: the operator's account at the bank.
#[derive(Clone, PartialEq, Eq)]
pub struct Debtor {
    pub name: String,
    pub iban: String,
    pub agent: Agent,
}

impl fmt::Debug for Debtor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Debtor")
            .field("name", &self.name)
            .field("iban_last4", &last4(&self.iban))
            .field("agent", &self.agent)
            .finish()
    }
}

/// A payment information block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub id: String,
    pub scheme: Scheme,
    /// `true` asks the bank for one debit of the batch's sum on the statement.
    pub batch_booking: bool,
    pub requested_execution_date: Date,
    pub debtor: Debtor,
    pub transfers: Vec<Transfer>,
}

/// A whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Initiation {
    /// Unique per file for the bank's duplicate check (Anton uses the file's name).
    pub message_id: String,
    pub created_at: OffsetDateTime,
    pub initiating_party_name: String,
    /// The customer id the bank gave the operator, when it wants one in the file.
    pub initiating_party_id: Option<String>,
    pub batches: Vec<Batch>,
}

/// Why a file could not be written.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WriteError {
    #[error("{path}: {problem}")]
    Field { path: String, problem: Problem },
    #[error("the file has no batches")]
    NoBatches,
    #[error("batch {0} has no transfers")]
    EmptyBatch(String),
    #[error("two batches have the id {0}")]
    DuplicateBatch(String),
    #[error("two transfers have the end-to-end id {0}")]
    DuplicateEndToEnd(String),
    #[error("the file's control sum has more than {TOTAL_DIGITS_MAX} digits")]
    TotalTooLarge,
}

/// What is wrong with one value. Never carries the value itself: it may be an account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("empty")]
    Empty,
    #[error("longer than {max} characters")]
    TooLong { max: usize },
    #[error("holds a character outside the SEPA character set at position {position}")]
    Character { position: usize },
    #[error("starts or ends with a space")]
    Spaces,
    #[error("starts or ends with '/' or holds '//'")]
    Slashes,
    #[error("is not a valid IBAN")]
    Iban,
    #[error("is not a valid BIC")]
    Bic,
    #[error("is not 6 digits")]
    SortCode,
    #[error("is not 8 digits")]
    AccountNumber,
    #[error("must be positive and have at most {TOTAL_DIGITS_MAX} digits")]
    Amount,
    #[error("a SEPA transfer pays an IBAN")]
    SepaNeedsIban,
    #[error("a GBP transfer pays a GB account")]
    UkNeedsGb,
    #[error("a GBP transfer is not SEPA (SEPA is for euros)")]
    UkNotSepa,
}

/// Free text prepared for the SEPA character set and `max` characters: letters with accents
/// lose them, a few letters become their usual spelling (ß → ss, Æ → AE), `&` becomes `+`,
/// any other character a space; runs of spaces close up and the text is cut to `max`. Returns
/// the text and whether it changed (the caller may record that a name was simplified). Never
/// for identifiers or account numbers.
pub fn text(s: &str, max: usize) -> (String, bool) {
    let mut out = String::with_capacity(s.len());
    for c in s.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        match c {
            c if sepa_char(c) => out.push(c),
            'ß' => out.push_str("ss"),
            'Æ' => out.push_str("AE"),
            'æ' => out.push_str("ae"),
            'Œ' => out.push_str("OE"),
            'œ' => out.push_str("oe"),
            'Ø' => out.push('O'),
            'ø' => out.push('o'),
            'Ł' => out.push('L'),
            'ł' => out.push('l'),
            'Đ' => out.push('D'),
            'đ' => out.push('d'),
            'Þ' => out.push_str("TH"),
            'þ' => out.push_str("th"),
            '&' => out.push('+'),
            _ => out.push(' '),
        }
    }
    let mut closed = String::with_capacity(out.len());
    for word in out.split(' ').filter(|w| !w.is_empty()) {
        if !closed.is_empty() {
            closed.push(' ');
        }
        closed.push_str(word);
    }
    let cut: String = closed.chars().take(max).collect();
    let cut = cut.trim_end().to_owned();
    let changed = cut != s;
    (cut, changed)
}

/// The SEPA Latin character set.
fn sepa_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "/-?:().,'+ ".contains(c)
}

/// Renders `file` as a `pain.001.001.09` document, or says which value breaks the rules.
pub fn render(file: &Initiation) -> Result<String, WriteError> {
    check(file)?;
    let mut total: i128 = 0;
    let mut count: usize = 0;
    for batch in &file.batches {
        total += batch_sum(batch);
        count += batch.transfers.len();
    }
    let control_sum = decimal(total).ok_or(WriteError::TotalTooLarge)?;

    let mut x = Xml::default();
    x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.raw(&format!("<Document xmlns=\"{NAMESPACE}\">\n"));
    x.open("CstmrCdtTrfInitn");
    x.open("GrpHdr");
    x.leaf("MsgId", &file.message_id);
    x.leaf("CreDtTm", &date_time(file.created_at));
    x.leaf("NbOfTxs", &count.to_string());
    x.leaf("CtrlSum", &control_sum);
    x.open("InitgPty");
    x.leaf("Nm", &file.initiating_party_name);
    if let Some(id) = &file.initiating_party_id {
        x.open("Id");
        x.open("OrgId");
        x.open("Othr");
        x.leaf("Id", id);
        x.close("Othr");
        x.close("OrgId");
        x.close("Id");
    }
    x.close("InitgPty");
    x.close("GrpHdr");
    for batch in &file.batches {
        render_batch(&mut x, batch)?;
    }
    x.close("CstmrCdtTrfInitn");
    x.raw("</Document>\n");
    Ok(x.out)
}

fn batch_sum(batch: &Batch) -> i128 {
    batch
        .transfers
        .iter()
        .map(|t| i128::from(t.amount_minor))
        .sum()
}

fn render_batch(x: &mut Xml, batch: &Batch) -> Result<(), WriteError> {
    let sum = decimal(batch_sum(batch)).ok_or(WriteError::TotalTooLarge)?;
    x.open("PmtInf");
    x.leaf("PmtInfId", &batch.id);
    x.leaf("PmtMtd", "TRF");
    x.leaf(
        "BtchBookg",
        if batch.batch_booking { "true" } else { "false" },
    );
    x.leaf("NbOfTxs", &batch.transfers.len().to_string());
    x.leaf("CtrlSum", &sum);
    let (service_level, local_instrument) = match &batch.scheme {
        Scheme::Sepa => (Some("SEPA"), None),
        Scheme::Uk {
            service_level,
            local_instrument,
        } => (service_level.as_deref(), local_instrument.as_deref()),
    };
    if service_level.is_some() || local_instrument.is_some() {
        x.open("PmtTpInf");
        if let Some(code) = service_level {
            x.open("SvcLvl");
            x.leaf("Cd", code);
            x.close("SvcLvl");
        }
        if let Some(code) = local_instrument {
            x.open("LclInstrm");
            x.leaf("Prtry", code);
            x.close("LclInstrm");
        }
        x.close("PmtTpInf");
    }
    x.open("ReqdExctnDt");
    x.leaf("Dt", &iso_date(batch.requested_execution_date));
    x.close("ReqdExctnDt");
    x.open("Dbtr");
    x.leaf("Nm", &batch.debtor.name);
    x.close("Dbtr");
    x.open("DbtrAcct");
    x.open("Id");
    x.leaf("IBAN", &batch.debtor.iban);
    x.close("Id");
    x.close("DbtrAcct");
    x.open("DbtrAgt");
    agent(x, &batch.debtor.agent);
    x.close("DbtrAgt");
    x.leaf(
        "ChrgBr",
        match batch.scheme {
            Scheme::Sepa => "SLEV",
            Scheme::Uk { .. } => "DEBT",
        },
    );
    for transfer in &batch.transfers {
        render_transfer(x, batch.scheme.currency(), transfer)?;
    }
    x.close("PmtInf");
    Ok(())
}

fn render_transfer(x: &mut Xml, currency: &str, t: &Transfer) -> Result<(), WriteError> {
    x.open("CdtTrfTxInf");
    x.open("PmtId");
    x.leaf("InstrId", &t.instruction_id);
    x.leaf("EndToEndId", &t.end_to_end_id);
    x.close("PmtId");
    x.open("Amt");
    let amount = decimal(i128::from(t.amount_minor)).ok_or(WriteError::TotalTooLarge)?;
    x.leaf_with("InstdAmt", &format!("Ccy=\"{currency}\""), &amount);
    x.close("Amt");
    match &t.creditor_account {
        CreditorAccount::Iban { bic: Some(bic), .. } => {
            x.open("CdtrAgt");
            agent(x, &Agent::Bic(bic.clone()));
            x.close("CdtrAgt");
        }
        CreditorAccount::Iban { bic: None, .. } => {}
        CreditorAccount::SortCodeAccount { sort_code, .. } => {
            x.open("CdtrAgt");
            agent(x, &Agent::SortCode(sort_code.clone()));
            x.close("CdtrAgt");
        }
    }
    x.open("Cdtr");
    x.leaf("Nm", &t.creditor_name);
    x.close("Cdtr");
    x.open("CdtrAcct");
    x.open("Id");
    match &t.creditor_account {
        CreditorAccount::Iban { iban, .. } => x.leaf("IBAN", iban),
        CreditorAccount::SortCodeAccount { account_number, .. } => {
            x.open("Othr");
            x.leaf("Id", account_number);
            x.open("SchmeNm");
            x.leaf("Cd", "BBAN");
            x.close("SchmeNm");
            x.close("Othr");
        }
    }
    x.close("Id");
    x.close("CdtrAcct");
    if let Some(remittance) = &t.remittance {
        x.open("RmtInf");
        x.leaf("Ustrd", remittance);
        x.close("RmtInf");
    }
    x.close("CdtTrfTxInf");
    Ok(())
}

fn agent(x: &mut Xml, agent: &Agent) {
    x.open("FinInstnId");
    match agent {
        Agent::Bic(bic) => x.leaf("BICFI", bic),
        Agent::SortCode(sort_code) => {
            x.open("ClrSysMmbId");
            x.open("ClrSysId");
            x.leaf("Cd", "GBDSC");
            x.close("ClrSysId");
            x.leaf("MmbId", sort_code);
            x.close("ClrSysMmbId");
        }
    }
    x.close("FinInstnId");
}

/// Minor units as the schema's decimal with two fraction digits, or `None` past 18 digits.
fn decimal(minor: i128) -> Option<String> {
    let s = format!("{}.{:02}", minor / 100, minor % 100);
    (s.len() - 1 <= TOTAL_DIGITS_MAX).then_some(s)
}

/// `CreDtTm`: the creation time in UTC, to the second, with its zone (`Z`).
fn date_time(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        iso_date(at.date()),
        at.hour(),
        at.minute(),
        at.second()
    )
}

fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// An indenting writer of elements; text is escaped, though checked text never needs it.
#[derive(Default)]
struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn indent(&mut self) {
        for _ in 0..=self.depth {
            self.out.push_str("  ");
        }
    }

    fn open(&mut self, name: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{name}>");
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth -= 1;
        self.indent();
        let _ = writeln!(self.out, "</{name}>");
    }

    fn leaf(&mut self, name: &str, text: &str) {
        self.leaf_with(name, "", text);
    }

    fn leaf_with(&mut self, name: &str, attributes: &str, text: &str) {
        self.indent();
        let space = if attributes.is_empty() { "" } else { " " };
        let text = quick_xml::escape::escape(text);
        let _ = writeln!(self.out, "<{name}{space}{attributes}>{text}</{name}>");
    }
}

#[path = "pain001_check.rs"]
mod checks;
use checks::check;

#[cfg(test)]
#[path = "pain001_tests.rs"]
pub(super) mod tests;

/// Whether `iban` is an IBAN in its electronic form (country, check digits, the country's
/// length and format), by the `iban_validate` crate.
fn valid_iban(iban: &str) -> bool {
    use iban::IbanLike as _;
    iban.parse::<iban::Iban>()
        .is_ok_and(|parsed| parsed.electronic_str() == iban)
}

#[cfg(test)]
#[path = "pain001_roundtrip_tests.rs"]
mod roundtrip_tests;
