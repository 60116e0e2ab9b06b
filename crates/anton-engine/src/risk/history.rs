//! The trailing history the risk rule `amount_vs_history` judges a payout against: each
//! tenant's payouts of the last 30 days per currency, their 95th percentile and number,
//! refreshed every hour by the worker nodes ([`refresh`]) and read by the payout batch from
//! `risk_history`. A payout is judged against the history as of the last refresh (at most an
//! hour old): one unusual payout is not in the history it is compared with.

use anton_core::risk::HISTORY_DAYS;
use anton_store::now_us;
use anton_store::risk as store_risk;
use tokio::sync::watch;

use crate::error::Result;
use crate::Engine;

const DAY_US: i64 = 24 * 3_600 * 1_000_000;

impl Engine {
    /// Recomputes every tenant's trailing history at `now`, one tenant at a time: read from a
    /// reader connection (a sort of the tenant's 30 days of payouts, on its listing index), then
    /// written in a small write job of its own. Returns the tenants refreshed; a tenant that
    /// fails is logged and left to the next refresh.
    pub async fn refresh_risk_history(&self, now: i64) -> Result<u64> {
        let tenants = store_risk::history_tenants(self.store().read()).await?;
        let since = now - HISTORY_DAYS * DAY_US;
        let mut refreshed = 0;
        for t in tenants {
            let rows = match store_risk::compute_history(self.store().read(), &t, since).await {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::warn!(error = %e, "computing a merchant's payout history failed; will retry");
                    continue;
                }
            };
            let written = self
                .store()
                .write(move |c| {
                    Box::pin(async move { store_risk::put_history(c, &t, &rows, now).await })
                })
                .await;
            match written {
                Ok(()) => refreshed += 1,
                Err(e) => {
                    tracing::warn!(error = %e, "storing a merchant's payout history failed; will retry")
                }
            }
        }
        Ok(refreshed)
    }
}

/// The worker loop that refreshes the history: at start, then every hour until `shutdown`.
pub async fn refresh(engine: Engine, shutdown: watch::Receiver<bool>) {
    crate::maintenance::every_hour("merchants' payout history", shutdown, || {
        engine.refresh_risk_history(now_us())
    })
    .await;
}
