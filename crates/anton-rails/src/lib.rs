//! Anton's bank file formats (docs/live-payouts.md): pure functions from records to files and
//! back, with no I/O, so every format is tested on its own and the engine decides what goes into
//! a file and what a file coming back means.
//!
//! - [`nacha`]: US ACH. A writer of PPD/CCD credit files (`nacha::write`) and, written
//!   independently of it, a reader (`nacha::read`) of any NACHA file: Anton's own (to check the
//!   writer) and the bank's returns and notifications of change.
//! - [`iso20022`]: SEPA and UK payments. A `pain.001.001.09` writer, checked against the ISO
//!   schema in tests and by an independent reader, and readers of the bank's `pain.002` status
//!   reports and `camt.054` notifications.
//! - [`test_bank`]: the test bank's answers to Anton's own files (NACHA returns, `pain.002`,
//!   `camt.054`), chosen by each account's last four digits like the test-mode simulator's.

pub mod iso20022;
pub mod nacha;
pub mod test_bank;
