//! A reader of the bank's `camt.054` Bank to Customer Debit Credit Notifications: the entries
//! booked (or pending) on Anton's own account. A booked debit whose transaction carries a
//! payout's `EndToEndId` says the payout's money left; a credit with return information
//! (`RtrInf`) and the payout's `EndToEndId` says it came back.
//!
//! [`parse`] returns the notification as typed values, or the first thing in it Anton cannot
//! fully understand. **A notification is read whole or refused whole**, and **a notification
//! that does not add up is refused**: the transactions of an entry must sum to the entry's
//! amount (credits and debits netted, when every transaction states an amount), a batch's
//! transactions to the batch total and count it states, and every amount must be in the entry's
//! currency.
//!
//! Versions `camt.054.001.02` to `.10` are read, told apart by the root's namespace. What
//! changes between them, for what Anton reads:
//! - `Ntry/Sts` is the status code itself up to `.06` (`EntryStatus2Code`) and a choice from
//!   `.07` (`Sts/Cd`, an `ExternalEntryStatus1Code`; a bank's own `Sts/Prtry` is refused).
//! - `TxDtls/Amt` and `TxDtls/CdtDbtInd` exist from `.04`; before, a transaction's amount is only
//!   in `TxDtls/AmtDtls/TxAmt/Amt` (read in every version; when both are there they must agree).
//! - `RtrInf` carries a reason and free text in every version but no original `EndToEndId`:
//!   banks put the returned payout's `EndToEndId` in the return's `Refs/EndToEndId`.
//!
//! Amounts are integers in minor units, read from the decimal text without floats; Anton's
//! currencies (EUR, GBP, USD) all have two decimals, and an entry in any other currency refuses
//! the file (Anton's accounts hold no other, so one would mean the wrong account or a bank
//! error an operator should see).
//!
//! **Anton's account number never reaches an error or a `Debug` output** ([`Account`] shows its
//! last four characters); errors name the element path and never echo the file's text beyond a
//! code or a currency.

use std::fmt;

use anton_core::money::{Currency, CurrencyError};
use time::Date;

use super::common::{
    count, decimal_minor, describe_namespace, parse_date, shown_code, split_offset, version_of,
    DecimalError, FieldError, IsoDateTime, Node, Redacted, XmlProblem, MAX35, MINOR_DIGITS,
};
use super::reasons::Reason;
use super::tree;

/// A notification larger than this is refused before it is parsed: a day of a busy account's
/// notifications, with every transaction detailed, is a few tens of megabytes at most.
pub const MAX_NOTIFICATION_BYTES: usize = 64 * 1024 * 1024;
/// The namespace of every version read, but for its last two digits.
const NAMESPACE_PREFIX: &str = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.";
/// The versions read (the `NN` of `camt.054.001.NN`).
const VERSIONS: std::ops::RangeInclusive<u8> = 2..=10;
/// From this version `Ntry/Sts` is a choice (`Sts/Cd`) rather than the code itself.
const STATUS_CHOICE_FROM_VERSION: u8 = 7;
/// ISO `Max34Text`: an account identifier other than an IBAN, and an IBAN at most.
const MAX34: usize = 34;
/// Characters of an account identifier that `Debug` shows, to tell accounts apart in a log.
const ACCOUNT_CHARS_SHOWN: usize = 4;

/// A `camt.054` message, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The `NN` of the namespace `camt.054.001.NN`.
    pub version: u8,
    /// `GrpHdr/MsgId`: the message's own identifier, to recognise one received twice.
    pub message_id: String,
    /// `GrpHdr/CreDtTm`.
    pub created_at: IsoDateTime,
    /// `Ntfctn`: one per account reported, in file order (at least one).
    pub notifications: Vec<AccountNotification>,
}

/// One `Ntfctn`: the entries on one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountNotification {
    /// `Id`: the bank's identifier of this notification.
    pub id: String,
    /// `Acct/Id`: the account, Anton's own (the caller checks it is one of Anton's).
    pub account: Account,
    /// `Ntry`: the entries, in file order.
    pub entries: Vec<Entry>,
}

/// An account identifier; `Debug` shows only its last four characters. Anton's own account, but
/// an account number all the same: never log it whole.
#[derive(Clone, PartialEq, Eq)]
pub enum Account {
    /// `Id/IBAN`, checked (country length and check digits).
    Iban(String),
    /// `Id/Othr/Id`: a domestic account number (e.g. UK sort code and account number).
    Other(String),
}

impl Account {
    /// The identifier as in the file.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Iban(id) | Self::Other(id) => id,
        }
    }
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            Self::Iban(_) => "Iban",
            Self::Other(_) => "Other",
        };
        let id = self.as_str();
        let chars = id.chars().count();
        // An identifier no longer than the part shown shows nothing.
        let hidden = if chars > ACCOUNT_CHARS_SHOWN {
            chars - ACCOUNT_CHARS_SHOWN
        } else {
            chars
        };
        let tail: String = id.chars().skip(hidden).collect();
        write!(f, "{kind}(\"…{tail}\")")
    }
}

/// Which way an entry or a transaction moves money on Anton's account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CreditDebit {
    /// `CRDT`: money in (e.g. a payout returned).
    Credit,
    /// `DBIT`: money out (e.g. payouts paid).
    Debit,
}

impl CreditDebit {
    /// The ISO code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Credit => "CRDT",
            Self::Debit => "DBIT",
        }
    }
}

/// An entry's status on the bank's books.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryStatus {
    /// `BOOK`: booked; the money has moved (it can still be reversed by a later entry).
    Booked,
    /// `PDNG`: not booked yet; a booked entry follows if it happens.
    Pending,
    /// `INFO`: for information only; nothing was booked.
    Information,
    /// `FUTR` (an external code, from v07): on the books, with a value date to come.
    Future,
}

impl EntryStatus {
    /// Every status, for lookup by code.
    pub const ALL: [EntryStatus; 4] = [
        EntryStatus::Booked,
        EntryStatus::Pending,
        EntryStatus::Information,
        EntryStatus::Future,
    ];

    /// The ISO code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Booked => "BOOK",
            Self::Pending => "PDNG",
            Self::Information => "INFO",
            Self::Future => "FUTR",
        }
    }
}

/// One `Ntry`: an amount booked (or pending) on the account, with what it is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `NtryRef`: the bank's reference for the entry, when given.
    pub reference: Option<String>,
    /// `Amt`, in minor units (at least zero).
    pub amount_minor: i64,
    /// `Amt/@Ccy`: EUR, GBP or USD.
    pub currency: Currency,
    /// `CdtDbtInd`.
    pub credit_debit: CreditDebit,
    /// `RvslInd`: the entry reverses an earlier one (of the opposite direction); false when
    /// absent.
    pub reversal: bool,
    /// `Sts` (`Sts/Cd` from v07).
    pub status: EntryStatus,
    /// `BookgDt/Dt`, or the date of `BookgDt/DtTm` as written (the bank's local date). For a
    /// pending entry, the expected booking date.
    pub booking_date: Option<Date>,
    /// `AcctSvcrRef`: the bank's unique reference for the entry, when given.
    pub account_servicer_reference: Option<String>,
    /// `NtryDtls`: the batches and transactions the entry is made of, in file order.
    pub details: Vec<EntryDetails>,
}

impl Entry {
    /// Every transaction of the entry, across its `NtryDtls`, in file order.
    pub fn transactions(&self) -> impl Iterator<Item = &Transaction> {
        self.details.iter().flat_map(|d| &d.transactions)
    }
}

/// One `NtryDtls`: a batch, its transactions, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDetails {
    /// `Btch`: the batch of an original file this booking covers, when the bank says so. A
    /// batch with no transactions listed covers the whole `PmtInf` of that id.
    pub batch: Option<Batch>,
    /// `TxDtls`: the transactions, in file order.
    pub transactions: Vec<Transaction>,
}

/// One `Btch`: the original batch a batched booking covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// `MsgId`: the `GrpHdr/MsgId` of Anton's file.
    pub message_id: Option<String>,
    /// `PmtInfId`: the `PmtInf/PmtInfId` Anton gave the batch.
    pub payment_information_id: Option<String>,
    /// `NbOfTxs`; equals the number of transactions listed, when some are.
    pub transaction_count: Option<u64>,
    /// `TtlAmt`, in minor units of the entry's currency; equals the transactions' net sum when
    /// they all state an amount.
    pub total_minor: Option<i64>,
    /// `CdtDbtInd`: the direction of `TtlAmt` (the entry's when absent).
    pub credit_debit: Option<CreditDebit>,
}

/// One `TxDtls`: a transaction within an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    /// `Refs/EndToEndId`: a payout's, for Anton's debits and for their returns.
    pub end_to_end_id: Option<String>,
    /// `Refs/InstrId`.
    pub instruction_id: Option<String>,
    /// `Refs/MsgId`: the `GrpHdr/MsgId` of the file the transaction came in.
    pub message_id: Option<String>,
    /// `Refs/PmtInfId`.
    pub payment_information_id: Option<String>,
    /// `Amt` or `AmtDtls/TxAmt/Amt` in minor units of the entry's currency; for the only
    /// transaction of an entry that states none and is not a batch booking, the entry's amount.
    pub amount_minor: Option<i64>,
    /// `CdtDbtInd`, or the entry's when absent.
    pub credit_debit: CreditDebit,
    /// `RtrInf`: present when the transaction is a return.
    pub return_information: Option<ReturnInformation>,
}

/// One `RtrInf`: why a payment came back. `Debug` hides the free text, which a bank may fill
/// with an account number.
#[derive(Clone, PartialEq, Eq)]
pub struct ReturnInformation {
    /// `Rsn`: an ISO return reason code (`Cd`, e.g. `AC04`) or the bank's own (`Prtry`).
    pub reason: Option<Reason>,
    /// `AddtlInf`: lines of free text (at most 105 characters each), in file order.
    pub additional_info: Vec<String>,
}

impl fmt::Debug for ReturnInformation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReturnInformation")
            .field("reason", &self.reason)
            .field("additional_info", &Redacted(&self.additional_info))
            .finish()
    }
}

/// Why a notification is refused. Paths are from the message element (`BkToCstmrDbtCdtNtfctn`)
/// with 1-based positions among same-named siblings; messages never echo an account number.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Camt054Error {
    /// More than [`MAX_NOTIFICATION_BYTES`].
    #[error("the notification is {size_bytes} bytes; at most {MAX_NOTIFICATION_BYTES} are read")]
    TooLarge { size_bytes: usize },
    #[error("the notification is not readable XML: {0}")]
    Xml(XmlProblem),
    /// The root's namespace is not `camt.054.001.02` to `.10`; `namespace` describes it.
    #[error("the notification's namespace is {namespace}, not camt.054.001.02 to .10")]
    UnsupportedNamespace { namespace: String },
    #[error("the notification's root element is not Document")]
    NotADocument,
    /// A required element is missing, repeated, empty, too long or malformed.
    #[error(transparent)]
    Field(#[from] FieldError),
    /// `Acct/Id/IBAN` that is not a valid IBAN (country, length, check digits).
    #[error("{path} is not a valid IBAN")]
    InvalidIban { path: String },
    /// An amount that is not a plain decimal: digits, then optionally '.' and digits (no sign,
    /// no exponent, no spaces).
    #[error("{path} is not a decimal amount")]
    AmountNotDecimal { path: String },
    #[error("{path} has more than {MINOR_DIGITS} decimals")]
    AmountTooPrecise { path: String },
    #[error("{path} is too large")]
    AmountTooLarge { path: String },
    /// A currency attribute that is not three upper-case letters.
    #[error("{path} is not an ISO currency code")]
    InvalidCurrency { path: String },
    #[error("{path} is {currency}; Anton's accounts hold only EUR, GBP and USD")]
    UnsupportedCurrency { path: String, currency: String },
    #[error("{path} is in {currency}, but its entry is in {entry_currency}")]
    CurrencyMismatch {
        path: String,
        currency: Currency,
        entry_currency: Currency,
    },
    #[error("{path} is neither CRDT nor DBIT")]
    InvalidCreditDebit { path: String },
    /// An indicator other than `true`, `false`, `1` or `0`.
    #[error("{path} is not true or false")]
    InvalidIndicator { path: String },
    /// A number of transactions that is not 1 to 15 digits.
    #[error("{path} is not a number of transactions")]
    InvalidCount { path: String },
    /// An entry status code Anton does not know.
    #[error("{path} holds the entry status {code}, which Anton does not know")]
    UnknownEntryStatus { path: String, code: String },
    /// A bank's own entry status (`Sts/Prtry`): Anton cannot tell whether money moved.
    #[error("{path} is the bank's own entry status, which Anton cannot interpret")]
    ProprietaryEntryStatus { path: String },
    /// `Sts` in the other version's shape: the code itself up to v06, `Sts/Cd` from v07.
    #[error("{path} must be {expected} in camt.054.001.{version:02}")]
    EntryStatusShape {
        path: String,
        expected: &'static str,
        version: u8,
    },
    #[error("{path}: Amt is {amount_minor} and AmtDtls/TxAmt/Amt is {detail_minor} (minor units)")]
    TransactionAmountsDisagree {
        path: String,
        amount_minor: i64,
        detail_minor: i64,
    },
    /// A batch whose `NbOfTxs` is not the number of transactions listed with it.
    #[error("{path} is {stated} but {listed} transactions are listed")]
    BatchCountMismatch {
        path: String,
        stated: u64,
        listed: usize,
    },
    /// A batch whose `TtlAmt` is not the net sum of its transactions.
    #[error("{path} is {stated_minor} but its transactions sum to {sum_minor} (minor units)")]
    BatchTotalMismatch {
        path: String,
        stated_minor: i64,
        sum_minor: i128,
    },
    /// An entry whose amount is not the net sum of its transactions (or batch totals).
    #[error("{path} is {stated_minor} but what it is made of sums to {sum_minor} (minor units)")]
    EntryTotalMismatch {
        path: String,
        stated_minor: i64,
        sum_minor: i128,
    },
}

/// Reads a `camt.054.001.02` to `.10` notification (see the module documentation).
pub fn parse(xml: &str) -> Result<Notification, Camt054Error> {
    if xml.len() > MAX_NOTIFICATION_BYTES {
        return Err(Camt054Error::TooLarge {
            size_bytes: xml.len(),
        });
    }
    let document = tree::parse(xml).map_err(|e| Camt054Error::Xml(XmlProblem::from(&e)))?;
    let version = version_of(&document.namespace, NAMESPACE_PREFIX, VERSIONS).ok_or_else(|| {
        let namespace = describe_namespace(&document.namespace);
        Camt054Error::UnsupportedNamespace { namespace }
    })?;
    if document.root.name != "Document" {
        return Err(Camt054Error::NotADocument);
    }
    let message = Node::new(&document.root, "Document").required("BkToCstmrDbtCdtNtfctn")?;
    let message = Node::new(message.element, "BkToCstmrDbtCdtNtfctn");
    let header = message.required("GrpHdr")?;
    let message_id = header.required_text("MsgId", MAX35)?;
    let created_at = header.date_time("CreDtTm")?;
    let notifications = message
        .every("Ntfctn")
        .map(|n| read_notification(&n, version))
        .collect::<Result<Vec<_>, _>>()?;
    if notifications.is_empty() {
        let path = message.path_to("Ntfctn");
        return Err(FieldError::Missing { path }.into());
    }
    Ok(Notification {
        version,
        message_id,
        created_at,
        notifications,
    })
}

/// Reads one `Ntfctn`.
fn read_notification(node: &Node<'_>, version: u8) -> Result<AccountNotification, Camt054Error> {
    Ok(AccountNotification {
        id: node.required_text("Id", MAX35)?,
        account: read_account(&node.required("Acct")?)?,
        entries: node
            .every("Ntry")
            .map(|entry| read_entry(&entry, version))
            .collect::<Result<_, _>>()?,
    })
}

/// Reads `Acct/Id`: an IBAN (checked) or another identifier.
fn read_account(acct: &Node<'_>) -> Result<Account, Camt054Error> {
    let id = acct.required("Id")?;
    match (id.optional("IBAN")?, id.optional("Othr")?) {
        (Some(iban), None) => {
            let text = iban.text(MAX34)?;
            match text.parse::<iban::Iban>() {
                Ok(_) => Ok(Account::Iban(text)),
                Err(_) => Err(Camt054Error::InvalidIban { path: iban.path }),
            }
        }
        (None, Some(other)) => Ok(Account::Other(other.required_text("Id", MAX34)?)),
        _ => Err(FieldError::InvalidChoice {
            path: id.path,
            choices: "IBAN and Othr",
        }
        .into()),
    }
}

/// Reads one `Ntry`, then checks that it adds up.
fn read_entry(node: &Node<'_>, version: u8) -> Result<Entry, Camt054Error> {
    let reference = node.optional_text("NtryRef", MAX35)?;
    let (amount_minor, currency) = read_amount(&node.required("Amt")?)?;
    let credit_debit = read_credit_debit(&node.required("CdtDbtInd")?)?;
    let reversal = node.optional("RvslInd")?.map(|i| read_indicator(&i));
    let reversal = reversal.transpose()?.unwrap_or(false);
    let status = read_entry_status(&node.required("Sts")?, version)?;
    let booking_date = node
        .optional("BookgDt")?
        .map(|d| read_date_choice(&d))
        .transpose()?;
    let account_servicer_reference = node.optional_text("AcctSvcrRef", MAX35)?;
    let context = EntryContext {
        currency,
        credit_debit,
    };
    let mut details = node
        .every("NtryDtls")
        .map(|d| read_details(&d, context))
        .collect::<Result<Vec<_>, _>>()?;
    // The only transaction of an entry that is not a batch booking is the entry: its amount is
    // the entry's when not stated. (A batch booking listing one transaction may cover more.)
    let batched = details.iter().any(|d| d.batch.is_some());
    let mut transactions = details.iter_mut().flat_map(|d| &mut d.transactions);
    if let (Some(only), None, false) = (transactions.next(), transactions.next(), batched) {
        only.amount_minor.get_or_insert(amount_minor);
    }
    check_entry_total(&node.path_to("Amt"), amount_minor, credit_debit, &details)?;
    Ok(Entry {
        reference,
        amount_minor,
        currency,
        credit_debit,
        reversal,
        status,
        booking_date,
        account_servicer_reference,
        details,
    })
}

/// What the parts of an entry must agree with.
#[derive(Clone, Copy)]
struct EntryContext {
    /// Every amount in the entry is in this currency.
    currency: Currency,
    /// Transactions and batches go this way unless they say otherwise.
    credit_debit: CreditDebit,
}

/// Reads one `NtryDtls`, checking its batch against its transactions.
fn read_details(node: &Node<'_>, context: EntryContext) -> Result<EntryDetails, Camt054Error> {
    let batch = node.optional("Btch")?;
    let transactions = node
        .every("TxDtls")
        .map(|tx| read_transaction(&tx, context))
        .collect::<Result<Vec<_>, _>>()?;
    let Some(batch_node) = batch else {
        return Ok(EntryDetails {
            batch: None,
            transactions,
        });
    };
    let batch = read_batch(&batch_node, context)?;
    if let (Some(stated), false) = (batch.transaction_count, transactions.is_empty()) {
        let listed = transactions.len();
        if u64::try_from(listed).ok() != Some(stated) {
            let path = batch_node.path_to("NbOfTxs");
            return Err(Camt054Error::BatchCountMismatch {
                path,
                stated,
                listed,
            });
        }
    }
    let direction = batch.credit_debit.unwrap_or(context.credit_debit);
    let sum = net_sum(&transactions, direction);
    if let (Some(stated_minor), Some(sum_minor)) = (batch.total_minor, sum) {
        if i128::from(stated_minor) != sum_minor {
            let path = batch_node.path_to("TtlAmt");
            return Err(Camt054Error::BatchTotalMismatch {
                path,
                stated_minor,
                sum_minor,
            });
        }
    }
    Ok(EntryDetails {
        batch: Some(batch),
        transactions,
    })
}

/// Reads one `Btch`.
fn read_batch(node: &Node<'_>, context: EntryContext) -> Result<Batch, Camt054Error> {
    let total = node.optional("TtlAmt")?;
    Ok(Batch {
        message_id: node.optional_text("MsgId", MAX35)?,
        payment_information_id: node.optional_text("PmtInfId", MAX35)?,
        transaction_count: node
            .optional("NbOfTxs")?
            .map(|n| read_count(&n))
            .transpose()?,
        total_minor: total
            .map(|t| read_amount_in(&t, context.currency))
            .transpose()?,
        credit_debit: node
            .optional("CdtDbtInd")?
            .map(|c| read_credit_debit(&c))
            .transpose()?,
    })
}

/// Reads one `TxDtls`.
fn read_transaction(node: &Node<'_>, context: EntryContext) -> Result<Transaction, Camt054Error> {
    let refs = node.optional("Refs")?;
    let reference = |name: &str| -> Result<Option<String>, FieldError> {
        match &refs {
            Some(refs) => refs.optional_text(name, MAX35),
            None => Ok(None),
        }
    };
    let credit_debit = node.optional("CdtDbtInd")?.map(|c| read_credit_debit(&c));
    let return_information = node.optional("RtrInf")?.map(|rtr| {
        Ok::<_, FieldError>(ReturnInformation {
            reason: rtr.reason()?,
            additional_info: rtr.additional_info()?,
        })
    });
    Ok(Transaction {
        end_to_end_id: reference("EndToEndId")?,
        instruction_id: reference("InstrId")?,
        message_id: reference("MsgId")?,
        payment_information_id: reference("PmtInfId")?,
        amount_minor: read_transaction_amount(node, context.currency)?,
        credit_debit: credit_debit.transpose()?.unwrap_or(context.credit_debit),
        return_information: return_information.transpose()?,
    })
}

/// A transaction's amount: `Amt` (from v04) or `AmtDtls/TxAmt/Amt`, which must agree when both
/// are there.
fn read_transaction_amount(
    node: &Node<'_>,
    currency: Currency,
) -> Result<Option<i64>, Camt054Error> {
    let amount = node
        .optional("Amt")?
        .map(|amt| read_amount_in(&amt, currency));
    let amount = amount.transpose()?;
    let tx_amt = match node.optional("AmtDtls")? {
        Some(details) => details.optional("TxAmt")?,
        None => None,
    };
    let detail = tx_amt.map(|tx_amt| read_amount_in(&tx_amt.required("Amt")?, currency));
    let detail = detail.transpose()?;
    match (amount, detail) {
        (Some(amount_minor), Some(detail_minor)) if amount_minor != detail_minor => {
            Err(Camt054Error::TransactionAmountsDisagree {
                path: node.path.clone(),
                amount_minor,
                detail_minor,
            })
        }
        (amount, detail) => Ok(amount.or(detail)),
    }
}

/// Checks the entry's amount against the net sum of its transactions when they all state an
/// amount, or else of its batch totals when every `NtryDtls` states one.
fn check_entry_total(
    path: &str,
    stated_minor: i64,
    direction: CreditDebit,
    details: &[EntryDetails],
) -> Result<(), Camt054Error> {
    let transactions = details.iter().flat_map(|d| &d.transactions);
    let sum = net_sum(transactions, direction).or_else(|| batch_net_sum(details, direction));
    match sum {
        Some(sum_minor) if sum_minor != i128::from(stated_minor) => {
            Err(Camt054Error::EntryTotalMismatch {
                path: path.to_owned(),
                stated_minor,
                sum_minor,
            })
        }
        _ => Ok(()),
    }
}

/// The sum of `transactions` counted positive in `direction` and negative against it, or `None`
/// when there are none or one states no amount. Summed in `i128`: no `i64` amounts overflow it.
fn net_sum<'t>(
    transactions: impl IntoIterator<Item = &'t Transaction>,
    direction: CreditDebit,
) -> Option<i128> {
    let mut sum: Option<i128> = None;
    for tx in transactions {
        let amount = i128::from(tx.amount_minor?);
        let signed = if tx.credit_debit == direction {
            amount
        } else {
            -amount
        };
        sum = Some(sum.unwrap_or(0) + signed);
    }
    sum
}

/// The sum of the batch totals of `details`, netted as in [`net_sum`], or `None` when there are
/// none or one states no total.
fn batch_net_sum(details: &[EntryDetails], direction: CreditDebit) -> Option<i128> {
    let mut sum: Option<i128> = None;
    for batch in details.iter().map(|d| d.batch.as_ref()) {
        let batch = batch?;
        let amount = i128::from(batch.total_minor?);
        let same = batch.credit_debit.unwrap_or(direction) == direction;
        sum = Some(sum.unwrap_or(0) + if same { amount } else { -amount });
    }
    sum
}

/// Reads an amount element (`Amt Ccy="EUR"`) in Anton's currencies.
fn read_amount(node: &Node<'_>) -> Result<(i64, Currency), Camt054Error> {
    let ccy_path = format!("{}/@Ccy", node.path);
    let Some(code) = node.element.attribute("Ccy") else {
        return Err(FieldError::Missing { path: ccy_path }.into());
    };
    let currency = match Currency::parse(code) {
        Ok(currency) => currency,
        Err(CurrencyError::Unsupported(currency)) => {
            return Err(Camt054Error::UnsupportedCurrency {
                path: ccy_path,
                currency,
            })
        }
        Err(CurrencyError::Malformed) => {
            return Err(Camt054Error::InvalidCurrency { path: ccy_path })
        }
    };
    Ok((parse_minor(node)?, currency))
}

/// Reads an amount element that must be in `entry_currency`.
fn read_amount_in(node: &Node<'_>, entry_currency: Currency) -> Result<i64, Camt054Error> {
    let (amount, currency) = read_amount(node)?;
    if currency != entry_currency {
        return Err(Camt054Error::CurrencyMismatch {
            path: format!("{}/@Ccy", node.path),
            currency,
            entry_currency,
        });
    }
    Ok(amount)
}

/// An amount's decimal text in minor units ([`decimal_minor`]).
fn parse_minor(node: &Node<'_>) -> Result<i64, Camt054Error> {
    let path = node.path.clone();
    decimal_minor(node.element.text()).map_err(|e| match e {
        DecimalError::NotDecimal => Camt054Error::AmountNotDecimal { path },
        DecimalError::TooPrecise => Camt054Error::AmountTooPrecise { path },
        DecimalError::TooLarge => Camt054Error::AmountTooLarge { path },
    })
}

/// Reads `CRDT` or `DBIT`.
fn read_credit_debit(node: &Node<'_>) -> Result<CreditDebit, Camt054Error> {
    match node.element.text() {
        "CRDT" => Ok(CreditDebit::Credit),
        "DBIT" => Ok(CreditDebit::Debit),
        _ => Err(Camt054Error::InvalidCreditDebit {
            path: node.path.clone(),
        }),
    }
}

/// Reads an `xs:boolean` indicator.
fn read_indicator(node: &Node<'_>) -> Result<bool, Camt054Error> {
    match node.element.text() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(Camt054Error::InvalidIndicator {
            path: node.path.clone(),
        }),
    }
}

/// Reads `Max15NumericText` as a count.
fn read_count(node: &Node<'_>) -> Result<u64, Camt054Error> {
    count(node.element.text()).ok_or_else(|| Camt054Error::InvalidCount {
        path: node.path.clone(),
    })
}

/// Reads `Sts`: the code itself up to v06, `Sts/Cd` from v07.
fn read_entry_status(sts: &Node<'_>, version: u8) -> Result<EntryStatus, Camt054Error> {
    let shape = |expected| Camt054Error::EntryStatusShape {
        path: sts.path.clone(),
        expected,
        version,
    };
    let code = if version < STATUS_CHOICE_FROM_VERSION {
        if !sts.element.children.is_empty() {
            return Err(shape("the status code itself"));
        }
        sts.clone()
    } else {
        match (sts.optional("Cd")?, sts.optional("Prtry")?) {
            (Some(code), None) => code,
            (None, Some(own)) => {
                return Err(Camt054Error::ProprietaryEntryStatus { path: own.path });
            }
            _ => return Err(shape("a choice of Cd or Prtry")),
        }
    };
    let text = code.element.text();
    EntryStatus::ALL
        .into_iter()
        .find(|status| status.code() == text)
        .ok_or_else(|| Camt054Error::UnknownEntryStatus {
            path: code.path.clone(),
            code: shown_code(text),
        })
}

/// Reads a `BookgDt`: `Dt`, or the date of `DtTm` as written.
fn read_date_choice(node: &Node<'_>) -> Result<Date, Camt054Error> {
    match (node.optional("Dt")?, node.optional("DtTm")?) {
        (Some(date), None) => {
            let text = date.element.text();
            let parsed = split_offset(text).and_then(|(date, _)| parse_date(date));
            Ok(parsed.ok_or(FieldError::InvalidDate { path: date.path })?)
        }
        (None, Some(date_time)) => {
            let path = date_time.path;
            let parsed = IsoDateTime::parse(date_time.element.text());
            let parsed = parsed.ok_or(FieldError::InvalidDateTime { path })?;
            Ok(parsed.local.date())
        }
        _ => Err(FieldError::InvalidChoice {
            path: node.path.clone(),
            choices: "Dt and DtTm",
        }
        .into()),
    }
}

#[cfg(test)]
#[path = "camt054_tests.rs"]
mod tests;
