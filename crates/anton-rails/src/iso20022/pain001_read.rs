//! A strict reader of ISO 20022 `pain.001.001.09` credit transfer initiations, written from the
//! schema alone and never from the writer, so that the files Anton makes are checked by code
//! that shares none of their writer's mistakes; the test bank reads Anton's files with it too.
//!
//! [`parse`] returns every payment information block and transaction as typed values, or the
//! first rule the file breaks with its element path, 1-based like XPath and starting below
//! `CstmrCdtTrfInitn` (`PmtInf[2]/CdtTrfTxInf[5]/Amt/InstdAmt`). It checks:
//! - the root (`Document` in exactly the `pain.001.001.09` namespace), and that each element it
//!   reads is there when the schema (or Anton) requires it, and never twice;
//! - texts as written (a padded name is the writer's mistake to show, not to hide): not blank,
//!   at most their schema type's characters; codes by their enumerations (`PmtMtd` is `TRF`);
//! - BICs by the schema's pattern; IBANs by `iban_validate` (country, length, mod 97);
//! - amounts in EUR, GBP or USD, plain decimals (no sign or exponent) above zero with at most
//!   2 fraction digits, read into integer hundredths without floats;
//! - `NbOfTxs` and `CtrlSum` of the group header and of each `PmtInf` (when there) against the
//!   transactions; `PmtInfId` and `EndToEndId` unique in the file;
//! - for a `PmtInf` whose `SvcLvl/Cd` is `SEPA` (and the group header when any is): euros, a
//!   creditor IBAN, `ChrgBr` `SLEV` if any, names of at most 70 characters (the EPC limit),
//!   texts in the SEPA Latin set, ids without a leading, trailing or double '/'.
//!
//! Not checked: element order and what it does not read (addresses, `Strd`, transaction-level
//! `PmtTpInf` and `ChrgBr`, ...), which the writer's tests validate against the XSD; whether
//! dates are sensible. Refused as unsupported: `ReqdExctnDt/DtTm`, proprietary service levels.
//!
//! **No IBAN or account number reaches a [`ReadError`] or a `Debug` output**: errors name paths,
//! not texts of the file (but for currency codes and ISO names); [`PaymentInformation`] and
//! [`CreditorAccount`] mask theirs.

use std::collections::HashMap;
use std::fmt;

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

use super::tree::{self, Element, XmlError};

/// The namespace of `pain.001.001.09`, the only version this reader takes.
pub const NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09";

/// What every ISO 20022 message namespace starts with.
const ISO_NAMESPACES: &str = "urn:iso:std:iso:20022:tech:xsd:";
/// `Max35Text`: ids, proprietary codes, clearing member ids.
const MAX35: usize = 35;
/// `Max34Text`: an account id without an IBAN.
const MAX34: usize = 34;
/// `Max140Text`: names and unstructured remittance.
const MAX140: usize = 140;
/// `ExternalServiceLevel1Code`, `ExternalAccountIdentification1Code`.
const CODE_MAX: usize = 4;
/// `ExternalClearingSystemIdentification1Code`.
const CLEARING_CODE_MAX: usize = 5;
/// The EPC rulebook's limit on a party's name in a SEPA credit transfer.
const SEPA_NAME_MAX: usize = 70;
/// The service level code that brings in the SEPA rules.
const SEPA: &str = "SEPA";
/// The currencies Anton pays in. Each has two fraction digits, so amounts are hundredths.
const CURRENCIES: [&str; 3] = ["EUR", "GBP", "USD"];
/// Fraction digits of every currency in [`CURRENCIES`].
const FRACTION_DIGITS: usize = 2;
/// `totalDigits` of the schema's amounts and control sums.
const TOTAL_DIGITS_MAX: usize = 18;
/// Characters of an IBAN or account number that `Debug` shows, to tell accounts apart in a log.
const ACCOUNT_CHARS_SHOWN: usize = 4;

/// A whole `pain.001.001.09` message, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditTransferInitiation {
    /// `GrpHdr/MsgId`.
    pub message_id: String,
    /// `GrpHdr/CreDtTm` as written (checked to be an `xs:dateTime`).
    pub created_at: String,
    /// `GrpHdr/InitgPty/Nm`.
    pub initiating_party_name: Option<String>,
    /// `GrpHdr/NbOfTxs`, which equals the number of transactions in the file.
    pub number_of_transactions: u64,
    /// `GrpHdr/CtrlSum` in hundredths, which equals the sum of every `InstdAmt`.
    pub control_sum_minor: Option<i64>,
    /// The `PmtInf` blocks, in file order.
    pub payments: Vec<PaymentInformation>,
}

/// One `PmtInf`: a debtor account, an execution date and transactions; `Debug` masks the IBAN.
#[derive(Clone, PartialEq, Eq)]
pub struct PaymentInformation {
    /// `PmtInfId`, unique in the file.
    pub id: String,
    /// `BtchBookg`: whether the debtor's statement shows one entry for the block.
    pub batch_booking: Option<bool>,
    /// `PmtTpInf/SvcLvl/Cd`, e.g. "SEPA".
    pub service_level: Option<String>,
    /// `PmtTpInf/LclInstrm/Cd` or `/Prtry`, e.g. "INST".
    pub local_instrument: Option<String>,
    /// `ReqdExctnDt/Dt`.
    pub requested_execution_date: Date,
    /// `Dbtr/Nm`.
    pub debtor_name: String,
    /// `DbtrAcct/Id/IBAN`. A secret: never log it.
    pub debtor_iban: String,
    /// `DbtrAgt/FinInstnId/BICFI`.
    pub debtor_bic: Option<String>,
    /// `ChrgBr`: DEBT, CRED, SHAR or SLEV.
    pub charge_bearer: Option<String>,
    /// The `CdtTrfTxInf` blocks, in file order.
    pub transactions: Vec<Transaction>,
}

/// One `CdtTrfTxInf`: a payment to one creditor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    /// `PmtId/InstrId`.
    pub instruction_id: Option<String>,
    /// `PmtId/EndToEndId`, unique in the file: how the bank's answers name the payment.
    pub end_to_end_id: String,
    /// `Amt/InstdAmt/@Ccy`: EUR, GBP or USD.
    pub currency: String,
    /// `Amt/InstdAmt` in hundredths of `currency`, above zero.
    pub amount_minor: i64,
    /// `CdtrAgt/FinInstnId/BICFI`.
    pub creditor_bic: Option<String>,
    /// `CdtrAgt/FinInstnId/ClrSysMmbId`: how a UK payment names the creditor's bank.
    pub creditor_clearing: Option<ClearingMember>,
    /// `Cdtr/Nm`.
    pub creditor_name: String,
    /// `CdtrAcct/Id`.
    pub creditor_account: CreditorAccount,
    /// `RmtInf/Ustrd`.
    pub remittance: Option<String>,
}

/// A bank's membership of a clearing system (`ClrSysMmbId`), e.g. sort code 400515 in GBDSC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClearingMember {
    /// `ClrSysId/Cd` (e.g. "GBDSC") or `ClrSysId/Prtry`.
    pub system: Option<String>,
    /// `MmbId`, e.g. a sort code.
    pub member_id: String,
}

/// The creditor's account (`CdtrAcct/Id`); `Debug` masks it.
#[derive(Clone, PartialEq, Eq)]
pub enum CreditorAccount {
    /// `IBAN`. A secret: never log it.
    Iban(String),
    /// `Othr`: an account without an IBAN, e.g. a UK account number.
    Other {
        /// `Othr/Id`. A secret: never log it.
        id: String,
        /// `Othr/SchmeNm/Cd` (e.g. "BBAN") or `Othr/SchmeNm/Prtry`.
        scheme: Option<String>,
    },
}

/// The first rule a file breaks. Paths start below `CstmrCdtTrfInitn`; messages name elements
/// and never echo a text of the file, so never an IBAN or account number.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    /// XML that is not well-formed, at byte `position`. quick-xml's reason is dropped: it quotes
    /// names, and in a broken file a "name" can run on over text, account numbers included.
    #[error("the file is not well-formed XML at byte {position}")]
    Malformed { position: u64 },
    /// What no ISO 20022 file has: a DOCTYPE, deep nesting, no root, content after it.
    #[error(transparent)]
    Xml(XmlError),
    /// An entity reference other than the predefined five. Its name is dropped: it is text of
    /// the file, and an unescaped '&' before an account number would make one.
    #[error("the file uses an entity reference that is not predefined")]
    Entity,
    /// A root element other than `Document` in the `pain.001.001.09` namespace (e.g. another
    /// version's); `found` is its `{namespace}name` when both are ISO 20022's.
    #[error("the root element is {found}, not {{{NAMESPACE}}}Document")]
    WrongRoot { found: String },
    /// A required element (or attribute, `@Ccy`) that is not there.
    #[error("{path} is missing")]
    Missing { path: String },
    /// An element that is there twice where the reader returns one value.
    #[error("{path} appears more than once")]
    Repeated { path: String },
    /// A text that is empty or only whitespace.
    #[error("{path} is empty")]
    Empty { path: String },
    /// A text longer than its type (or the SEPA rules) allow, counted in characters.
    #[error("{path} is longer than {max} characters")]
    TooLong { path: String, max: usize },
    /// A value its type (or Anton) does not allow; `expected` says what it allows.
    #[error("{path} must be {expected}")]
    Invalid {
        path: String,
        expected: &'static str,
    },
    /// A BIC that does not match `[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?`.
    #[error("{path} is not a BIC")]
    InvalidBic { path: String },
    /// An IBAN with a bad form, length for its country, or check digits.
    #[error("{path} is not a valid IBAN")]
    InvalidIban { path: String },
    /// A currency Anton does not pay in (checked to be three capital letters, so shown).
    #[error("{path} is in {currency}; only EUR, GBP and USD are read")]
    UnsupportedCurrency { path: String, currency: String },
    /// A negative or zero amount.
    #[error("{path} is not above zero")]
    NotPositive { path: String },
    /// An amount with more than 2 fraction digits, the most EUR, GBP and USD have.
    #[error("{path} has more than 2 fraction digits, the most {currency} has")]
    TooManyFractionDigits { path: String, currency: String },
    /// An `NbOfTxs` that disagrees with the transactions it counts.
    #[error("{path} is {in_file} where there are {counted} transactions")]
    CountMismatch {
        path: String,
        in_file: u64,
        counted: u64,
    },
    /// A `CtrlSum` that disagrees with the amounts it sums.
    #[error("{path} is {in_file} where the amounts add up to {computed}")]
    ControlSumMismatch {
        path: String,
        in_file: String,
        computed: String,
    },
    /// A `PmtInfId` or `EndToEndId` already used at `first`.
    #[error("{path} repeats the id of {first}")]
    DuplicateId { path: String, first: String },
    /// Valid schema content the reader cannot return faithfully; `what` names it.
    #[error("{path}: {what} is not supported")]
    Unsupported { path: String, what: &'static str },
    /// A SEPA payment in a currency other than euros.
    #[error("{path} is in {currency}; a SEPA payment is in EUR")]
    SepaCurrency { path: String, currency: String },
    /// A SEPA payment to an account without an IBAN.
    #[error("{path} is not an IBAN; a SEPA payment goes to an IBAN")]
    SepaAccountNotIban { path: String },
    /// A character outside the SEPA Latin set, the `position`th (from 1) of the text.
    #[error("{path}: character {position} is not in the SEPA character set")]
    SepaCharacter { path: String, position: usize },
    /// A SEPA id that starts or ends with '/' or contains "//".
    #[error("{path} starts or ends with '/' or contains \"//\", which SEPA ids cannot")]
    SepaSlashes { path: String },
}

/// Reads a whole `pain.001.001.09` message and checks it (see the module documentation).
pub fn parse(xml: &str) -> Result<CreditTransferInitiation, ReadError> {
    let document = tree::parse(xml).map_err(|error| match error {
        XmlError::Malformed { position } => ReadError::Malformed { position },
        XmlError::Entity => ReadError::Entity,
        other => ReadError::Xml(other),
    })?;
    let (namespace, name) = (&document.namespace, &document.root.name);
    if namespace != NAMESPACE || name != "Document" {
        // Shown only when ISO 20022's: any other text could hold anything, an account number.
        let iso = namespace.starts_with(ISO_NAMESPACES) && name.chars().all(char::is_alphabetic);
        let found = format!("{{{namespace}}}{name}");
        let found = if iso { found } else { "not ISO 20022's".into() };
        return Err(ReadError::WrongRoot { found });
    }
    let root = Node::at(&document.root, String::new());
    // Paths start below `CstmrCdtTrfInitn`: "GrpHdr/MsgId", "PmtInf[2]/PmtInfId".
    let message = Node::at(root.required("CstmrCdtTrfInitn")?.element, String::new());
    // The group header's texts follow the SEPA rules when any payment's do; look ahead, so
    // that errors still come in file order.
    let any_sepa = (message.element.children_named("PmtInf"))
        .filter_map(|p| p.at(&["PmtTpInf", "SvcLvl", "Cd"]))
        .any(|code| code.raw_text == SEPA);
    let (header, rules) = (message.required("GrpHdr")?, Rules { sepa: any_sepa });
    // In the schema's order, so that errors come in file order; controls are checked last.
    let mut file = CreditTransferInitiation {
        message_id: rules.id(&header.required("MsgId")?)?,
        created_at: read_date_time(&header.required("CreDtTm")?)?,
        number_of_transactions: read_count(&header.required("NbOfTxs")?)?,
        control_sum_minor: header.read_optional("CtrlSum", read_control_sum)?,
        initiating_party_name: (header.required("InitgPty")?)
            .read_optional("Nm", |n| rules.name(n))?,
        payments: Vec::new(),
    };
    let mut seen = SeenIds::new();
    for p in message.each("PmtInf") {
        file.payments.push(read_payment_information(&p, &mut seen)?);
    }
    if file.payments.is_empty() {
        return Err(message.missing("PmtInf"));
    }
    let controls = (Some(file.number_of_transactions), file.control_sum_minor);
    let transactions = file.payments.iter().flat_map(|p| &p.transactions);
    check_controls(controls, "GrpHdr", transactions)?;
    Ok(file)
}

/// An element and its path, for errors.
struct Node<'a> {
    element: &'a Element,
    /// From `CstmrCdtTrfInitn`, e.g. "PmtInf[1]/Dbtr"; empty for the top.
    path: String,
}

impl<'a> Node<'a> {
    fn at(element: &'a Element, path: String) -> Self {
        Self { element, path }
    }

    /// The path of this element's child `name`.
    fn path_of(&self, name: &str) -> String {
        match self.path.as_str() {
            "" => name.to_owned(),
            path => format!("{path}/{name}"),
        }
    }

    /// The error `make` builds from this element's path.
    fn fail(&self, make: impl FnOnce(String) -> ReadError) -> ReadError {
        make(self.path.clone())
    }

    fn missing(&self, name: &str) -> ReadError {
        let path = self.path_of(name);
        ReadError::Missing { path }
    }

    fn invalid(&self, expected: &'static str) -> ReadError {
        self.fail(|path| ReadError::Invalid { path, expected })
    }

    /// The element at `path` ("Dbtr/Nm") below this one, when every step is there. A step
    /// that is there twice is refused: the reader would pick one silently, a bank the other.
    fn optional(&self, path: &str) -> Result<Option<Node<'a>>, ReadError> {
        let mut node = Node::at(self.element, self.path.clone());
        for name in path.split('/') {
            let mut found = node.element.children.iter().filter(|c| c.name == name);
            let (first, path) = (found.next(), node.path_of(name));
            match (first, found.next()) {
                (Some(element), None) => node = Node::at(element, path),
                (Some(_), Some(_)) => return Err(ReadError::Repeated { path }),
                (None, _) => return Ok(None),
            }
        }
        Ok(Some(node))
    }

    /// The element at `path` below this one, which must be there (once).
    fn required(&self, path: &str) -> Result<Node<'a>, ReadError> {
        self.optional(path)?.ok_or_else(|| self.missing(path))
    }

    /// `read` of the element at `path`, when there is one.
    fn read_optional<T>(
        &self,
        path: &str,
        read: impl FnOnce(&Node<'a>) -> Result<T, ReadError>,
    ) -> Result<Option<T>, ReadError> {
        self.optional(path)?.map(|node| read(&node)).transpose()
    }

    /// Every child `name`, numbered from 1 in their paths ("PmtInf[2]").
    fn each(&self, name: &str) -> Vec<Node<'a>> {
        let found = self.element.children.iter().filter(|c| c.name == name);
        let number = |(i, e)| Node::at(e, format!("{}[{}]", self.path_of(name), i + 1));
        found.enumerate().map(number).collect()
    }

    /// The character data of a leaf element, exactly as written.
    fn leaf(&self) -> Result<&'a str, ReadError> {
        if !self.element.children.is_empty() {
            return Err(self.invalid("text, not elements"));
        }
        Ok(&self.element.raw_text)
    }

    /// The text of a string type (`MaxNText`, codes): as written, since those types keep
    /// whitespace; not blank; at most `max` characters (the schema counts characters).
    fn text(&self, max: usize) -> Result<String, ReadError> {
        let text = self.leaf()?;
        if text.trim().is_empty() {
            Err(self.fail(|path| ReadError::Empty { path }))
        } else if text.chars().count() > max {
            Err(self.fail(|path| ReadError::TooLong { path, max }))
        } else {
            Ok(text.to_owned())
        }
    }

    /// The value of a type whose whitespace the schema collapses (dates, decimals, booleans).
    fn value(&self) -> Result<&'a str, ReadError> {
        Ok(self.leaf()?.trim())
    }
}

/// The text rules of a payment: the schema's, and the SEPA rulebook's for a SEPA one.
#[derive(Clone, Copy)]
struct Rules {
    sepa: bool,
}

impl Rules {
    /// A free text (e.g. remittance) of at most `max` characters.
    fn text(self, node: &Node<'_>, max: usize) -> Result<String, ReadError> {
        let text = node.text(max)?;
        let sepa_character = |c: char| c.is_ascii_alphanumeric() || "/-?:().,'+ ".contains(c);
        match text.chars().position(|c| self.sepa && !sepa_character(c)) {
            Some(i) => Err(node.fail(|path| ReadError::SepaCharacter {
                path,
                position: i + 1,
            })),
            None => Ok(text),
        }
    }

    /// A party's name.
    fn name(self, node: &Node<'_>) -> Result<String, ReadError> {
        self.text(node, if self.sepa { SEPA_NAME_MAX } else { MAX140 })
    }

    /// An id (`Max35Text`). In SEPA, '/' cannot start or end one nor come twice in a row: the
    /// rulebook keeps those for structured references.
    fn id(self, node: &Node<'_>) -> Result<String, ReadError> {
        let id = self.text(node, MAX35)?;
        if self.sepa && (id.starts_with('/') || id.ends_with('/') || id.contains("//")) {
            return Err(node.fail(|path| ReadError::SepaSlashes { path }));
        }
        Ok(id)
    }
}

/// Ids already read, by element name and id, with the path where each was first seen.
type SeenIds = HashMap<(String, String), String>;

/// Records the id at `node`, read as `id`; an id seen before in an element of the same name is
/// refused.
fn check_unique(seen: &mut SeenIds, node: &Node<'_>, id: &str) -> Result<(), ReadError> {
    let key = (node.element.name.clone(), id.to_owned());
    if let Some(first) = seen.get(&key).cloned() {
        return Err(node.fail(|path| ReadError::DuplicateId { path, first }));
    }
    seen.insert(key, node.path.clone());
    Ok(())
}

/// Reads one `PmtInf` and its transactions, and checks its controls.
fn read_payment_information(
    p: &Node<'_>,
    seen: &mut SeenIds,
) -> Result<PaymentInformation, ReadError> {
    let id_node = p.required("PmtInfId")?;
    // The payment type comes first: it says whether the SEPA rules apply to the texts.
    let (service_level, local_instrument) = read_payment_type(p)?;
    let sepa = service_level.as_deref() == Some(SEPA);
    let rules = Rules { sepa };
    let id = rules.id(&id_node)?;
    check_unique(seen, &id_node, &id)?;
    let method = p.required("PmtMtd")?;
    if method.leaf()? != "TRF" {
        return Err(method.invalid("TRF (a credit transfer)"));
    }
    let batch_booking = p.read_optional("BtchBookg", read_boolean)?;
    let count = p.read_optional("NbOfTxs", read_count)?;
    let sum_minor = p.read_optional("CtrlSum", read_control_sum)?;
    let requested_execution_date = read_requested_date(&p.required("ReqdExctnDt")?)?;
    let debtor_name = rules.name(&p.required("Dbtr/Nm")?)?;
    let debtor_iban = read_iban(&p.required("DbtrAcct/Id/IBAN")?)?;
    let debtor_bic = read_bic(&p.required("DbtrAgt/FinInstnId")?)?;
    let charge_bearer = p.read_optional("ChrgBr", |n| read_charge_bearer(n, rules))?;
    let transactions = (p.each("CdtTrfTxInf").iter())
        .map(|t| read_transaction(t, rules, seen))
        .collect::<Result<Vec<_>, _>>()?;
    if transactions.is_empty() {
        return Err(p.missing("CdtTrfTxInf"));
    }
    check_controls((count, sum_minor), &p.path, transactions.iter())?;
    Ok(PaymentInformation {
        id,
        batch_booking,
        service_level,
        local_instrument,
        requested_execution_date,
        debtor_name,
        debtor_iban,
        debtor_bic,
        charge_bearer,
        transactions,
    })
}

/// Reads `PmtTpInf`: its service level code and its local instrument.
fn read_payment_type(p: &Node<'_>) -> Result<(Option<String>, Option<String>), ReadError> {
    let Some(payment_type) = p.optional("PmtTpInf")? else {
        return Ok((None, None));
    };
    // `optional` refuses a second service level, which the schema allows: Anton writes one,
    // and which rules apply to a payment with two is the bank's guess.
    let service_level = match payment_type.optional("SvcLvl")? {
        Some(level) if level.optional("Cd")?.is_none() => {
            let what = "a proprietary service level";
            return Err(level.fail(|path| ReadError::Unsupported { path, what }));
        }
        Some(level) => Some(level.required("Cd")?.text(CODE_MAX)?),
        None => None,
    };
    let local_instrument = payment_type.read_optional("LclInstrm", |n| read_choice(n, MAX35))?;
    Ok((service_level, local_instrument))
}

/// Reads one `CdtTrfTxInf`.
fn read_transaction(
    t: &Node<'_>,
    rules: Rules,
    seen: &mut SeenIds,
) -> Result<Transaction, ReadError> {
    let instruction_id = t.read_optional("PmtId/InstrId", |n| rules.id(n))?;
    let id_node = t.required("PmtId/EndToEndId")?;
    let end_to_end_id = rules.id(&id_node)?;
    check_unique(seen, &id_node, &end_to_end_id)?;
    let amount = t.required("Amt/InstdAmt")?;
    let (currency, amount_minor) = read_amount(&amount)?;
    if rules.sepa && currency != "EUR" {
        let currency = currency.clone();
        return Err(amount.fail(|path| ReadError::SepaCurrency { path, currency }));
    }
    let agent = t.read_optional("CdtrAgt/FinInstnId", read_creditor_agent)?;
    let (creditor_bic, creditor_clearing) = agent.unwrap_or_default();
    let creditor_name = rules.name(&t.required("Cdtr/Nm")?)?;
    let account = t.required("CdtrAcct/Id")?;
    let creditor_account = read_creditor_account(&account)?;
    if rules.sepa && !matches!(creditor_account, CreditorAccount::Iban(_)) {
        return Err(account.fail(|path| ReadError::SepaAccountNotIban { path }));
    }
    Ok(Transaction {
        instruction_id,
        end_to_end_id,
        currency,
        amount_minor,
        creditor_bic,
        creditor_clearing,
        creditor_name,
        creditor_account,
        remittance: t.read_optional("RmtInf/Ustrd", |n| rules.text(n, MAX140))?,
    })
}

/// Reads a creditor agent's `FinInstnId`: its BIC and its clearing system membership.
fn read_creditor_agent(
    institution: &Node<'_>,
) -> Result<(Option<String>, Option<ClearingMember>), ReadError> {
    let bic = read_bic(institution)?;
    let member = institution.read_optional("ClrSysMmbId", |member| {
        Ok(ClearingMember {
            system: member.read_optional("ClrSysId", |n| read_choice(n, CLEARING_CODE_MAX))?,
            member_id: member.required("MmbId")?.text(MAX35)?,
        })
    })?;
    Ok((bic, member))
}

/// Reads `CdtrAcct/Id`: an IBAN, or another id (`Max34Text`) with its scheme.
fn read_creditor_account(id: &Node<'_>) -> Result<CreditorAccount, ReadError> {
    match (id.optional("IBAN")?, id.optional("Othr")?) {
        (Some(iban), None) => Ok(CreditorAccount::Iban(read_iban(&iban)?)),
        (None, Some(other)) => Ok(CreditorAccount::Other {
            id: other.required("Id")?.text(MAX34)?,
            scheme: other.read_optional("SchmeNm", |n| read_choice(n, CODE_MAX))?,
        }),
        (Some(_), Some(_)) => Err(id.invalid("either an IBAN or Othr, not both")),
        (None, None) => Err(id.missing("IBAN")),
    }
}

/// Reads a choice of `Cd` (a code of at most `code_max` characters) or `Prtry` (`Max35Text`).
fn read_choice(choice: &Node<'_>, code_max: usize) -> Result<String, ReadError> {
    match (choice.optional("Cd")?, choice.optional("Prtry")?) {
        (Some(code), None) => code.text(code_max),
        (None, Some(proprietary)) => proprietary.text(MAX35),
        (Some(_), Some(_)) => Err(choice.invalid("either Cd or Prtry, not both")),
        (None, None) => Err(choice.missing("Cd")),
    }
}

/// Reads the `BICFI` of a `FinInstnId`, when there is one.
fn read_bic(institution: &Node<'_>) -> Result<Option<String>, ReadError> {
    institution.read_optional("BICFI", |node| {
        let bic = node.leaf()?;
        let b = bic.as_bytes();
        let code = |c: &u8| c.is_ascii_uppercase() || c.is_ascii_digit();
        let country = b.get(4..6).map(|c| c.iter().all(u8::is_ascii_uppercase));
        if !(matches!(b.len(), 8 | 11) && b.iter().all(code) && country == Some(true)) {
            return Err(node.fail(|path| ReadError::InvalidBic { path }));
        }
        Ok(bic.to_owned())
    })
}

/// Reads an IBAN by `iban_validate` (the schema's pattern, then its country's length and check
/// digits). Spaces (the paper form) and lower case, which that crate takes, are refused: the
/// schema has neither, and the reader returns the text as written.
fn read_iban(node: &Node<'_>) -> Result<String, ReadError> {
    let text = node.leaf()?;
    let parsed = text.parse::<iban::Iban>();
    if !parsed.is_ok_and(|iban| iban::IbanLike::electronic_str(&iban) == text) {
        return Err(node.fail(|path| ReadError::InvalidIban { path }));
    }
    Ok(text.to_owned())
}

/// Reads `ChrgBr` (`ChargeBearerType1Code`); in SEPA, charges are always shared (SLEV).
fn read_charge_bearer(node: &Node<'_>, rules: Rules) -> Result<String, ReadError> {
    match node.leaf()? {
        code if rules.sepa && code != "SLEV" => Err(node.invalid("SLEV in a SEPA payment")),
        code @ ("DEBT" | "CRED" | "SHAR" | "SLEV") => Ok(code.to_owned()),
        _ => Err(node.invalid("DEBT, CRED, SHAR or SLEV")),
    }
}

/// Reads an `xs:boolean`.
fn read_boolean(node: &Node<'_>) -> Result<bool, ReadError> {
    match node.value()? {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(node.invalid("true, false, 1 or 0")),
    }
}

/// Reads an `NbOfTxs` (`Max15NumericText`: 1 to 15 digits, so it fits a `u64`).
fn read_count(node: &Node<'_>) -> Result<u64, ReadError> {
    let text = node.leaf()?;
    let digits = (1..=15).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
    let count = text.parse().ok().filter(|_| digits);
    count.ok_or_else(|| node.invalid("1 to 15 digits"))
}

/// Reads `ReqdExctnDt`, which must hold a date (`Dt`), as Anton writes it: `YYYY-MM-DD`, no
/// sign (which `time` takes) and no time zone.
fn read_requested_date(node: &Node<'_>) -> Result<Date, ReadError> {
    if let Some(date_time) = node.optional("DtTm")? {
        // A date and time would have to be cut to a date in some time zone; the bank
        // executes on a date, and Anton writes one.
        let what = "a requested execution date and time";
        return Err(date_time.fail(|path| ReadError::Unsupported { path, what }));
    }
    let date = node.required("Dt")?;
    let (text, format) = (date.value()?, format_description!("[year]-[month]-[day]"));
    let unsigned = text.starts_with(|c: char| c.is_ascii_digit());
    let parsed = Date::parse(text, format).ok().filter(|_| unsigned);
    parsed.ok_or_else(|| date.invalid("a date, YYYY-MM-DD"))
}

/// Reads an `xs:dateTime` as written: `YYYY-MM-DDThh:mm:ss`, then a fraction of a second and a
/// time zone (`Z` or `±hh:mm`) if wanted.
fn read_date_time(node: &Node<'_>) -> Result<String, ReadError> {
    let text = node.value()?;
    let local = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    // RFC 3339 is `xs:dateTime` with a time zone, but for the 't', 'z' and ' ' it also takes.
    let zoned = !text.contains(['t', 'z', ' ']) && OffsetDateTime::parse(text, &Rfc3339).is_ok();
    let unsigned = text.starts_with(|c: char| c.is_ascii_digit());
    if !(unsigned && (zoned || PrimitiveDateTime::parse(text, local).is_ok())) {
        return Err(node.invalid("a date and time, YYYY-MM-DDThh:mm:ss[.s][Z|±hh:mm]"));
    }
    Ok(text.to_owned())
}

/// Reads `InstdAmt`: its currency and its amount in hundredths, above zero.
fn read_amount(node: &Node<'_>) -> Result<(String, i64), ReadError> {
    let Some(currency) = node.element.attribute("Ccy") else {
        return Err(node.missing("@Ccy"));
    };
    if !currency.bytes().all(|b| b.is_ascii_uppercase()) || currency.len() != 3 {
        return Err(node.invalid("in a currency of three capital letters (@Ccy)"));
    }
    if !CURRENCIES.contains(&currency) {
        let currency = currency.to_owned();
        return Err(node.fail(|path| ReadError::UnsupportedCurrency { path, currency }));
    }
    match hundredths(node, node.value()?, Some(currency))? {
        0 => Err(node.fail(|path| ReadError::NotPositive { path })),
        minor => Ok((currency.to_owned(), minor)),
    }
}

/// Reads a `CtrlSum` (`DecimalNumber`) in hundredths.
fn read_control_sum(node: &Node<'_>) -> Result<i64, ReadError> {
    hundredths(node, node.value()?, None)
}

/// Reads a decimal in hundredths, without floats; `currency` is the amount's (`None` for a
/// control sum). A sign, "5." and ".5" are `xs:decimal`s, but not how an amount is written.
fn hundredths(node: &Node<'_>, text: &str, currency: Option<&str>) -> Result<i64, ReadError> {
    if text.starts_with('-') {
        return Err(node.fail(|path| ReadError::NotPositive { path }));
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "00"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) {
        return Err(node.invalid("digits, then a '.' and digits if wanted (no sign, no exponent)"));
    }
    // A control sum's type has 17 fraction digits: zeros past hundredths are the same sum.
    // `split_at` cannot panic: `fraction` is ASCII digits.
    let (fraction, beyond) = fraction.split_at(fraction.len().min(FRACTION_DIGITS));
    match currency.map(str::to_owned) {
        _ if beyond.is_empty() => {}
        Some(currency) => {
            return Err(node.fail(|path| ReadError::TooManyFractionDigits { path, currency }))
        }
        None if beyond.bytes().all(|b| b == b'0') => {}
        None => return Err(node.invalid("a sum in hundredths")),
    }
    // `totalDigits` counts the value's digits: no leading zeros, no trailing fraction zeros.
    let significant = format!("{whole}{}", fraction.trim_end_matches('0'));
    if significant.trim_start_matches('0').len() > TOTAL_DIGITS_MAX {
        return Err(node.invalid("at most 18 digits"));
    }
    let padded = format!("{whole}{fraction:0<FRACTION_DIGITS$}");
    (padded.bytes()).try_fold(0_i64, |value, digit| {
        (value.checked_mul(10))
            .and_then(|v| v.checked_add(i64::from(digit - b'0')))
            .ok_or_else(|| node.invalid("small enough for i64 hundredths"))
    })
}

/// Checks an `NbOfTxs` and a `CtrlSum` (each if given), of the element at `path`, against the
/// transactions they control. Sums are `i128`: no number of `i64` amounts overflows one.
fn check_controls<'t>(
    (count, sum_minor): (Option<u64>, Option<i64>),
    path: &str,
    transactions: impl Iterator<Item = &'t Transaction>,
) -> Result<(), ReadError> {
    let (counted, computed) = transactions.fold((0_u64, 0_i128), |(n, sum), t| {
        (n + 1, sum + i128::from(t.amount_minor))
    });
    if let Some(in_file) = count.filter(|&n| n != counted) {
        let path = format!("{path}/NbOfTxs");
        return Err(ReadError::CountMismatch {
            path,
            in_file,
            counted,
        });
    }
    if let Some(in_file) = sum_minor.filter(|&s| i128::from(s) != computed) {
        let path = format!("{path}/CtrlSum");
        let decimal = |minor: i128| format!("{}.{:02}", minor / 100, minor % 100);
        let (in_file, computed) = (decimal(in_file.into()), decimal(computed));
        return Err(ReadError::ControlSumMismatch {
            path,
            in_file,
            computed,
        });
    }
    Ok(())
}

/// Shows only the last characters of a secret, e.g. `"…3000"`; a secret no longer than that
/// shows nothing.
struct Masked<'a>(&'a str);

impl fmt::Debug for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let chars = self.0.chars().count();
        let shown = if chars > ACCOUNT_CHARS_SHOWN {
            ACCOUNT_CHARS_SHOWN
        } else {
            0
        };
        let tail: String = self.0.chars().skip(chars - shown).collect();
        write!(f, "\"…{tail}\"")
    }
}

impl fmt::Debug for PaymentInformation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaymentInformation")
            .field("id", &self.id)
            .field("batch_booking", &self.batch_booking)
            .field("service_level", &self.service_level)
            .field("local_instrument", &self.local_instrument)
            .field("requested_execution_date", &self.requested_execution_date)
            .field("debtor_name", &self.debtor_name)
            .field("debtor_iban", &Masked(&self.debtor_iban))
            .field("debtor_bic", &self.debtor_bic)
            .field("charge_bearer", &self.charge_bearer)
            .field("transactions", &self.transactions)
            .finish()
    }
}

impl fmt::Debug for CreditorAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Iban(iban) => f.debug_tuple("Iban").field(&Masked(iban)).finish(),
            Self::Other { id, scheme } => (f.debug_struct("Other"))
                .field("id", &Masked(id))
                .field("scheme", scheme)
                .finish(),
        }
    }
}

#[cfg(test)]
#[path = "pain001_read_tests.rs"]
mod tests;
