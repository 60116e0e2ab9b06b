//! Live rails over bank files (docs/live-payouts.md): per live currency, files written at the
//! bank's cut-offs into an outbox directory and the bank's answers read back from an inbox
//! directory. The map: [`config`] (what `[rails.*]` holds, checked at start), [`schedule`]
//! (the bank's calendar), [`cutoff`] (a cut-off's file, built then put), [`render`] (a file's
//! text), [`outbox`], [`inbound`] (the bank's answers), [`worker`] (the loop), [`failpoint`]
//! (the kill tests' crash points).

pub mod config;
pub mod cutoff;
pub mod failpoint;
pub mod inbound;
pub mod outbox;
pub mod render;
pub mod schedule;
pub mod worker;
