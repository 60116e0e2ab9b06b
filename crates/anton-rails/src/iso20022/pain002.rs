//! A reader of the bank's `pain.002` Customer Payment Status Reports: the answer to a
//! `pain.001` file Anton sent, saying whether the whole file, a batch (`PmtInf`) or single
//! transactions were accepted, are pending, or were rejected and why.
//!
//! [`parse`] returns the report as typed values, or the first thing in it Anton cannot fully
//! understand. **A report is read whole or refused whole**: a status code Anton does not know,
//! a transaction it cannot identify, or a transaction accepted inside a batch rejected as a
//! whole refuses the file, so an operator looks at it instead of the engine applying half of it.
//!
//! Versions `pain.002.001.03` to `.12` are read, told apart by the root's namespace. The elements
//! Anton reads sit at the same paths in all of them (`OrgnlGrpInfAndSts`, `OrgnlPmtInfAndSts`,
//! `TxInfAndSts/TxSts`, `StsRsnInf/Rsn/Cd|Prtry`, `StsRsnInf/AddtlInf`); what changes is the
//! status code lists. Versions 03 to 07 use closed lists (`TransactionGroupStatus3Code` for the
//! group and batches, `TransactionIndividualStatus3Code` for transactions, which lacks `RCVD` and
//! `PART`); from 08 the statuses are external codes (`ExternalPaymentGroupStatus1Code`,
//! `ExternalPaymentTransactionStatus1Code`), which add `ACCC`, `ACFC` and `PATC`. [`Status`]
//! knows the codes a bank answers a credit transfer file with and refuses the rest (cheque,
//! request-to-pay and verification-of-payee statuses among them) rather than guess.
//!
//! How a status applies is the caller's to resolve against the original file, with one rule
//! made impossible to miss: **a rejection at group or batch level rejects every transaction
//! under it, listed or not** ([`StatusReport::rejects_whole_message`],
//! [`PaymentInformationStatus::rejects_whole_batch`]), and a report that lists one of those
//! transactions as anything but rejected is refused.
//!
//! Errors name the element path and never echo the file's text beyond a status or reason code
//! (a bank's free text can hold an account number); what it shares with `camt054` is in
//! `common`.

use std::collections::HashMap;
use std::fmt;

use super::common::{
    count, decimal_minor, describe_namespace, shown_code, version_of, Node, Redacted, MAX35,
};
pub use super::common::{FieldError, IsoDateTime, XmlProblem};
use super::reasons::Reason;
use super::tree;

/// A report larger than this is refused before it is parsed: a status report about the largest
/// file Anton sends (tens of thousands of payouts) is a few megabytes.
pub const MAX_REPORT_BYTES: usize = 32 * 1024 * 1024;
/// The namespace of every version read, but for its last two digits.
const NAMESPACE_PREFIX: &str = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.";
/// The versions read (the `NN` of `pain.002.001.NN`).
const VERSIONS: std::ops::RangeInclusive<u8> = 3..=12;

/// A `pain.002` status report, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    /// The `NN` of the namespace `pain.002.001.NN`.
    pub version: u8,
    /// `GrpHdr/MsgId`: the report's own identifier, to recognise a report received twice.
    pub message_id: String,
    /// `GrpHdr/CreDtTm`.
    pub created_at: IsoDateTime,
    /// `OrgnlGrpInfAndSts/OrgnlMsgId`: the `GrpHdr/MsgId` of Anton's file this answers.
    pub original_message_id: String,
    /// `OrgnlGrpInfAndSts/OrgnlMsgNmId`, e.g. `pain.001.001.09`.
    pub original_message_name_id: String,
    /// `OrgnlGrpInfAndSts/OrgnlNbOfTxs`: how many transactions the bank counted in the
    /// original file, when it says.
    pub original_transaction_count: Option<u64>,
    /// `OrgnlGrpInfAndSts/OrgnlCtrlSum` in minor units (two decimals), when the bank says.
    pub original_control_sum_minor: Option<i64>,
    /// `OrgnlGrpInfAndSts/GrpSts`: the status of the whole original file, when given.
    pub group_status: Option<Status>,
    /// `OrgnlGrpInfAndSts/StsRsnInf`: why, in file order.
    pub group_reasons: Vec<StatusReason>,
    /// `OrgnlPmtInfAndSts`: statuses of batches and their transactions, in file order.
    pub payment_informations: Vec<PaymentInformationStatus>,
}

impl StatusReport {
    /// Whether the bank rejected the whole original file (`GrpSts` is `RJCT`). **Every
    /// transaction of the original file is then rejected**, whether or not the report lists it
    /// (a file-level rejection usually lists none); the reasons are in `group_reasons`. The
    /// reader has checked that no transaction in the report says otherwise.
    pub fn rejects_whole_message(&self) -> bool {
        self.group_status == Some(Status::Rejected)
    }

    /// The batches rejected as a whole (see [`PaymentInformationStatus::rejects_whole_batch`]).
    pub fn rejected_batches(&self) -> impl Iterator<Item = &PaymentInformationStatus> {
        self.payment_informations
            .iter()
            .filter(|batch| batch.rejects_whole_batch())
    }
}

/// The status of one batch of the original file (`OrgnlPmtInfAndSts`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentInformationStatus {
    /// `OrgnlPmtInfId`: the `PmtInf/PmtInfId` Anton gave the batch.
    pub original_payment_information_id: String,
    /// `PmtInfSts`: the status of the whole batch, when given.
    pub status: Option<Status>,
    /// `StsRsnInf`: why, in file order.
    pub reasons: Vec<StatusReason>,
    /// `TxInfAndSts`: statuses of single transactions, in file order.
    pub transactions: Vec<TransactionStatus>,
}

impl PaymentInformationStatus {
    /// Whether the bank rejected this whole batch (`PmtInfSts` is `RJCT`). **Every transaction
    /// of the batch in the original file is then rejected**, listed here or not; the reasons are
    /// in `reasons`. The reader has checked that no listed transaction says otherwise.
    pub fn rejects_whole_batch(&self) -> bool {
        self.status == Some(Status::Rejected)
    }
}

/// The status of one transaction of the original file (`TxInfAndSts`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionStatus {
    /// `OrgnlEndToEndId`: the `EndToEndId` Anton gave the payout. Required here: a status Anton
    /// cannot tie to a payout is not understood.
    pub original_end_to_end_id: String,
    /// `OrgnlInstrId`: the `InstrId` Anton gave the payout, when the bank repeats it.
    pub original_instruction_id: Option<String>,
    /// `TxSts`.
    pub status: Status,
    /// `StsRsnInf`: why, in file order.
    pub reasons: Vec<StatusReason>,
}

/// One `StsRsnInf`: a reason and free text, either of which may be absent. `Debug` hides the
/// free text, which a bank may fill with the creditor's account number.
#[derive(Clone, PartialEq, Eq)]
pub struct StatusReason {
    /// `Rsn`: an ISO code (`Cd`) or the bank's own (`Prtry`).
    pub reason: Option<Reason>,
    /// `AddtlInf`: lines of free text (at most 105 characters each), in file order.
    pub additional_info: Vec<String>,
}

impl fmt::Debug for StatusReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatusReason")
            .field("reason", &self.reason)
            .field("additional_info", &Redacted(&self.additional_info))
            .finish()
    }
}

/// A payment status code Anton knows. Any other code refuses the report: a status that is not
/// understood could be a rejection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// `ACTC`: authentication and syntax checks passed.
    AcceptedTechnicalValidation,
    /// `RCVD`: received, nothing checked yet.
    Received,
    /// `PDNG`: pending; another report follows.
    Pending,
    /// `PATC` (from v08, transactions): more signatures are needed (e.g. EBICS distributed
    /// signature) before the bank goes on.
    PartiallyAcceptedTechnicalCorrect,
    /// `ACCP`: customer profile checks passed.
    AcceptedCustomerProfile,
    /// `ACFC` (from v08, transactions): funds checked.
    AcceptedFundsChecked,
    /// `ACSP`: accepted for execution; settlement in progress.
    AcceptedSettlementInProcess,
    /// `ACSC`: the debit on Anton's account is done.
    AcceptedSettlementCompleted,
    /// `ACCC` (from v08): the credit on the creditor's account is done.
    AcceptedCreditSettlementCompleted,
    /// `ACWC`: accepted with a change (e.g. the execution date).
    AcceptedWithChange,
    /// `PART` (group and batch only): some transactions accepted, others not (yet); the
    /// transactions' own statuses say which.
    PartiallyAccepted,
    /// `RJCT`: rejected.
    Rejected,
}

impl Status {
    /// Every status, for lookup by code.
    pub const ALL: [Status; 12] = [
        Status::AcceptedTechnicalValidation,
        Status::Received,
        Status::Pending,
        Status::PartiallyAcceptedTechnicalCorrect,
        Status::AcceptedCustomerProfile,
        Status::AcceptedFundsChecked,
        Status::AcceptedSettlementInProcess,
        Status::AcceptedSettlementCompleted,
        Status::AcceptedCreditSettlementCompleted,
        Status::AcceptedWithChange,
        Status::PartiallyAccepted,
        Status::Rejected,
    ];

    /// The ISO code, e.g. `"RJCT"`.
    pub fn code(self) -> &'static str {
        match self {
            Self::AcceptedTechnicalValidation => "ACTC",
            Self::Received => "RCVD",
            Self::Pending => "PDNG",
            Self::PartiallyAcceptedTechnicalCorrect => "PATC",
            Self::AcceptedCustomerProfile => "ACCP",
            Self::AcceptedFundsChecked => "ACFC",
            Self::AcceptedSettlementInProcess => "ACSP",
            Self::AcceptedSettlementCompleted => "ACSC",
            Self::AcceptedCreditSettlementCompleted => "ACCC",
            Self::AcceptedWithChange => "ACWC",
            Self::PartiallyAccepted => "PART",
            Self::Rejected => "RJCT",
        }
    }

    /// The status whose code is `code`, or `None` for a code Anton does not know.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether this is a rejection (`RJCT`).
    pub fn is_rejected(self) -> bool {
        self == Self::Rejected
    }

    /// Whether `pain.002.001.{version}` allows this status on a transaction
    /// (`on_transaction`) or on the group or a batch (see the module documentation).
    pub fn allowed(self, version: u8, on_transaction: bool) -> bool {
        let closed_lists = version <= 7;
        match self {
            Self::AcceptedTechnicalValidation
            | Self::Pending
            | Self::AcceptedCustomerProfile
            | Self::AcceptedSettlementInProcess
            | Self::AcceptedSettlementCompleted
            | Self::AcceptedWithChange
            | Self::Rejected => true,
            Self::Received => !(closed_lists && on_transaction),
            Self::PartiallyAccepted => !on_transaction,
            Self::AcceptedCreditSettlementCompleted => !closed_lists,
            Self::AcceptedFundsChecked | Self::PartiallyAcceptedTechnicalCorrect => {
                !closed_lists && on_transaction
            }
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why a report is refused. Paths are from the message element (`CstmrPmtStsRpt`) with 1-based
/// positions among same-named siblings; messages never echo the file's text beyond a code.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Pain002Error {
    /// More than [`MAX_REPORT_BYTES`].
    #[error("the report is {size_bytes} bytes; at most {MAX_REPORT_BYTES} are read")]
    TooLarge { size_bytes: usize },
    /// Not XML the tree reader accepts.
    #[error("the report is not readable XML: {0}")]
    Xml(XmlProblem),
    /// The root's namespace is not `pain.002.001.03` to `.12`; `namespace` describes it.
    #[error("the report's namespace is {namespace}, not pain.002.001.03 to .12")]
    UnsupportedNamespace { namespace: String },
    /// The root element is not `Document`.
    #[error("the report's root element is not Document")]
    NotADocument,
    /// A required element is missing, repeated, empty, too long or malformed.
    #[error(transparent)]
    Field(#[from] FieldError),
    /// A status code Anton does not know; `code` shows it when it looks like a code.
    #[error("{path} holds the status {code}, which Anton does not know")]
    UnknownStatus { path: String, code: String },
    /// A known status where this version of the message does not allow it.
    #[error("{path} holds {status}, which pain.002.001.{version:02} does not allow there")]
    StatusNotAllowed {
        path: String,
        status: Status,
        version: u8,
    },
    /// The report carries no status at all: no group status and no batch.
    /// A count or control sum that is not one (a sum with more than two decimals included).
    #[error("{path} is not a count or an amount with at most two decimals")]
    NotANumber { path: String },
    #[error("the report carries no status: no GrpSts and no OrgnlPmtInfAndSts")]
    NoStatus,
    /// A batch with neither its own status nor any transaction's.
    #[error("{path} has neither PmtInfSts nor TxInfAndSts")]
    BatchWithoutStatus { path: String },
    /// The same batch listed twice.
    #[error("{path} repeats the OrgnlPmtInfId of {first}")]
    DuplicatePaymentInformation { path: String, first: String },
    /// The same transaction listed twice.
    #[error("{path} repeats the OrgnlEndToEndId of {first}")]
    DuplicateTransaction { path: String, first: String },
    /// A status other than `RJCT` under a group or batch rejected as a whole.
    #[error("{path} is {status}, but the {scope} it belongs to is rejected as a whole")]
    ContradictsRejection {
        path: String,
        status: Status,
        scope: &'static str,
    },
}

/// Reads a `pain.002.001.03` to `.12` status report (see the module documentation).
pub fn parse(xml: &str) -> Result<StatusReport, Pain002Error> {
    if xml.len() > MAX_REPORT_BYTES {
        return Err(Pain002Error::TooLarge {
            size_bytes: xml.len(),
        });
    }
    let document = tree::parse(xml).map_err(|e| Pain002Error::Xml(XmlProblem::from(&e)))?;
    let version = version_of(&document.namespace, NAMESPACE_PREFIX, VERSIONS).ok_or_else(|| {
        let namespace = describe_namespace(&document.namespace);
        Pain002Error::UnsupportedNamespace { namespace }
    })?;
    if document.root.name != "Document" {
        return Err(Pain002Error::NotADocument);
    }
    let message = Node::new(&document.root, "Document").required("CstmrPmtStsRpt")?;
    let report = Node::new(message.element, "CstmrPmtStsRpt");
    let header = report.required("GrpHdr")?;
    let group = report.required("OrgnlGrpInfAndSts")?;
    let report = StatusReport {
        version,
        message_id: header.required_text("MsgId", MAX35)?,
        created_at: header.date_time("CreDtTm")?,
        original_message_id: group.required_text("OrgnlMsgId", MAX35)?,
        original_message_name_id: group.required_text("OrgnlMsgNmId", MAX35)?,
        original_transaction_count: group
            .optional("OrgnlNbOfTxs")?
            .map(|n| {
                count(n.element.text()).ok_or(Pain002Error::NotANumber {
                    path: n.path.clone(),
                })
            })
            .transpose()?,
        original_control_sum_minor: group
            .optional("OrgnlCtrlSum")?
            .map(|n| {
                decimal_minor(n.element.text()).map_err(|_| Pain002Error::NotANumber {
                    path: n.path.clone(),
                })
            })
            .transpose()?,
        group_status: read_status(&group, "GrpSts", version, false)?,
        group_reasons: read_reasons(&group)?,
        payment_informations: read_batches(&report, version)?,
    };
    check_report(&report)?;
    Ok(report)
}

/// Reads every `OrgnlPmtInfAndSts`, refusing a batch or transaction listed twice.
fn read_batches(
    report: &Node<'_>,
    version: u8,
) -> Result<Vec<PaymentInformationStatus>, Pain002Error> {
    let mut batch_paths: HashMap<String, String> = HashMap::new();
    let mut transaction_paths: HashMap<String, String> = HashMap::new();
    let mut batches = Vec::new();
    for node in report.every("OrgnlPmtInfAndSts") {
        let batch = read_batch(&node, version)?;
        let id = batch.original_payment_information_id.clone();
        if let Some(first) = batch_paths.insert(id, node.path.clone()) {
            let path = node.path;
            return Err(Pain002Error::DuplicatePaymentInformation { path, first });
        }
        for (t, transaction) in batch.transactions.iter().enumerate() {
            let path = format!("{}/TxInfAndSts[{}]", node.path, t + 1);
            let id = transaction.original_end_to_end_id.clone();
            if let Some(first) = transaction_paths.insert(id, path.clone()) {
                return Err(Pain002Error::DuplicateTransaction { path, first });
            }
        }
        batches.push(batch);
    }
    Ok(batches)
}

/// Reads one `OrgnlPmtInfAndSts`.
fn read_batch(node: &Node<'_>, version: u8) -> Result<PaymentInformationStatus, Pain002Error> {
    let batch = PaymentInformationStatus {
        original_payment_information_id: node.required_text("OrgnlPmtInfId", MAX35)?,
        status: read_status(node, "PmtInfSts", version, false)?,
        reasons: read_reasons(node)?,
        transactions: node
            .every("TxInfAndSts")
            .map(|tx| read_transaction(&tx, version))
            .collect::<Result<_, _>>()?,
    };
    if batch.status.is_none() && batch.transactions.is_empty() {
        let path = node.path.clone();
        return Err(Pain002Error::BatchWithoutStatus { path });
    }
    Ok(batch)
}

/// Reads one `TxInfAndSts`; its end-to-end id and status are required.
fn read_transaction(node: &Node<'_>, version: u8) -> Result<TransactionStatus, Pain002Error> {
    let original_instruction_id = node.optional_text("OrgnlInstrId", MAX35)?;
    let original_end_to_end_id = node.required_text("OrgnlEndToEndId", MAX35)?;
    let status = read_status(node, "TxSts", version, true)?;
    let status = status.ok_or_else(|| FieldError::Missing {
        path: node.path_to("TxSts"),
    })?;
    Ok(TransactionStatus {
        original_end_to_end_id,
        original_instruction_id,
        status,
        reasons: read_reasons(node)?,
    })
}

/// Reads the status `name` under `parent`, when there is one, and checks that the version
/// allows it there.
fn read_status(
    parent: &Node<'_>,
    name: &str,
    version: u8,
    on_transaction: bool,
) -> Result<Option<Status>, Pain002Error> {
    let Some(node) = parent.optional(name)? else {
        return Ok(None);
    };
    let code = node.element.text();
    let Some(status) = Status::parse(code) else {
        let (path, code) = (node.path, shown_code(code));
        return Err(Pain002Error::UnknownStatus { path, code });
    };
    if !status.allowed(version, on_transaction) {
        let path = node.path;
        return Err(Pain002Error::StatusNotAllowed {
            path,
            status,
            version,
        });
    }
    Ok(Some(status))
}

/// Reads every `StsRsnInf` under `parent`.
fn read_reasons(parent: &Node<'_>) -> Result<Vec<StatusReason>, FieldError> {
    parent
        .every("StsRsnInf")
        .map(|info| {
            Ok(StatusReason {
                reason: info.reason()?,
                additional_info: info.additional_info()?,
            })
        })
        .collect()
}

/// Checks that the report says something, and that nothing under a group or batch rejected as a
/// whole says otherwise.
fn check_report(report: &StatusReport) -> Result<(), Pain002Error> {
    if report.group_status.is_none() && report.payment_informations.is_empty() {
        return Err(Pain002Error::NoStatus);
    }
    let whole_message = report.rejects_whole_message();
    for (index, batch) in report.payment_informations.iter().enumerate() {
        let at = format!("CstmrPmtStsRpt/OrgnlPmtInfAndSts[{}]", index + 1);
        let scope = match (whole_message, batch.rejects_whole_batch()) {
            (true, _) => "original message",
            (false, true) => "batch",
            (false, false) => continue,
        };
        // A batch status other than RJCT can only be here under a rejected group.
        if let Some(status) = batch.status.filter(|s| !s.is_rejected()) {
            let path = format!("{at}/PmtInfSts");
            return Err(Pain002Error::ContradictsRejection {
                path,
                status,
                scope,
            });
        }
        let mut transactions = batch.transactions.iter().enumerate();
        if let Some((t, tx)) = transactions.find(|(_, tx)| !tx.status.is_rejected()) {
            let path = format!("{at}/TxInfAndSts[{}]/TxSts", t + 1);
            let status = tx.status;
            return Err(Pain002Error::ContradictsRejection {
                path,
                status,
                scope,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "pain002_tests.rs"]
pub(super) mod tests;
