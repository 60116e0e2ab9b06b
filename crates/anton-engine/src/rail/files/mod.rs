//! Live rails over bank files (docs/live-payouts.md): per live currency, files written at the
//! bank's cut-offs into an outbox and the bank's answers read back from an inbox, directories
//! on the node or on the bank's SFTP server. The map: [`config`] (what `[rails.*]` holds,
//! checked at start), [`schedule`] (the bank's calendar), [`cutoff`] (a cut-off's file, built
//! then put), [`render`] (a file's text), [`exchange`] (reaching the outbox and inbox),
//! [`outbox`] (a put into a directory), [`sftp`] (the same over SFTP), [`inbound`] (the bank's
//! answers), [`worker`] (the loop), [`failpoint`] (the kill tests' crash points).

pub mod config;
pub mod cutoff;
pub mod exchange;
pub mod failpoint;
pub mod inbound;
pub mod outbox;
pub mod render;
pub mod schedule;
pub mod sftp;
pub mod worker;
