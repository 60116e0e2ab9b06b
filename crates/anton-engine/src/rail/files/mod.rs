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

impl crate::Engine {
    /// Reads the live rails' health (files not yet sent, payouts the bank has not answered for)
    /// into the node's metrics (at each scrape).
    pub async fn sample_rail_health(&self) -> anton_store::Result<()> {
        let now = anton_store::now_us();
        let age = |since: Option<i64>| {
            let us = since.map_or(0, |t| now.saturating_sub(t).max(0));
            std::time::Duration::from_micros(u64::try_from(us).unwrap_or(0))
        };
        for (rail, h) in anton_store::reconcile::rail_health(self.store().read()).await? {
            self.metrics().set_rail_health(
                &rail,
                &anton_metrics::RailHealth {
                    unsent: h.unsent,
                    oldest_unsent_age: age(h.oldest_unsent_us),
                    outstanding: h.outstanding,
                    oldest_outstanding_age: age(h.oldest_outstanding_us),
                },
            );
        }
        Ok(())
    }
}
