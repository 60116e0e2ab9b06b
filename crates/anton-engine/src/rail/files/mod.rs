//! Live rails over bank files (docs/live-payouts.md): per live currency, files written at the
//! bank's cut-offs and the bank's answers read back. Being built for issue 21: so far the
//! calendar ([`schedule`]); nothing runs a file rail yet, and live payouts are still refused.

pub mod config;
pub mod cutoff;
pub mod failpoint;
pub mod inbound;
pub mod outbox;
pub mod render;
pub mod schedule;
pub mod worker;
