//! Rails move `pending`/`processing` payouts and report outcomes (docs/reference.md §3). Only the
//! test-mode simulator exists so far; live payouts are refused at creation while no live rail is
//! configured.

pub mod files;
pub mod simulator;
