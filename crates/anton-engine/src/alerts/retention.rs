//! The retention of resolved alerts: [`Engine::sweep_alerts`] deletes those resolved more than
//! `[alerts] retention_days` ago (default 90), with their queued emails; [`sweep`] runs it
//! hourly on worker nodes. Open and acknowledged alerts are kept however old they are, and what
//! was done with an alert stays in the audit log, which is never swept.

use anton_store::{alerts, now_us};
use tokio::sync::watch;

use crate::Engine;

/// Alerts deleted per statement (one writer job each).
const SWEEP_CHUNK: i64 = 1_000;

impl Engine {
    /// Deletes every tenant's alerts resolved before the retention at `now_us`; returns how many.
    pub async fn sweep_alerts(&self, now_us: i64) -> crate::Result<u64> {
        let before = now_us - self.config().alerts.retention_us();
        let deleted =
            crate::maintenance::delete_in_chunks(self.store(), SWEEP_CHUNK, move |c, n| {
                Box::pin(alerts::delete_resolved_before(c, before, n))
            })
            .await?;
        Ok(deleted)
    }
}

/// Deletes resolved alerts past the retention, hourly, until `shutdown`. Safe on every worker
/// at once (plain DELETEs by age, in bounded chunks).
pub async fn sweep(engine: Engine, shutdown: watch::Receiver<bool>) {
    crate::maintenance::every_hour("resolved alerts", shutdown, || {
        engine.sweep_alerts(now_us())
    })
    .await;
}
