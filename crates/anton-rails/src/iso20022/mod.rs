//! ISO 20022 files: Anton's outbound `pain.001.001.09` credit transfers (SEPA in euros, UK
//! payments in pounds) and what the bank sends back (`pain.002` status reports, `camt.054`
//! debit and credit notifications).
//!
//! - `pain001`: the writer of Anton's credit transfer files.
//! - `pain001_read`: a reader of `pain.001.001.09`, written from the schema alone and not from
//!   the writer, so a file the writer makes is checked by code that shares none of its mistakes
//!   (and the test bank reads Anton's files with it).
//! - `pain002`: the bank's payment status reports.
//! - `camt054`: the bank's debit and credit notifications.
//! - `reasons`: what an ISO status or return reason code means for a payout (its failure code).
//! - `common`: what the readers of the bank's files share (paths, field errors, date-times).
//! - `tree`: a small, strict XML tree the readers share (never the writer).

pub mod camt054;
mod common;
pub mod pain001;
pub mod pain001_read;
pub mod pain002;
pub mod reasons;
pub mod tree;
