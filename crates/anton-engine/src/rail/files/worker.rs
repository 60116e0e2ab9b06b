//! The file rails' worker: on every node with workers, for each rail, it finishes what a crash
//! left (a file still building, a sealed file not yet in the outbox) and makes the file of the
//! latest cut-off that has none. Nodes may run it side by side: a cut-off has one file whoever
//! starts it, and putting a file is idempotent by name.

use std::time::Duration;

use anton_store::payout_files::{self, FileRow, FileStatus};
use jiff::{SignedDuration, Timestamp};

use super::config::FileRail;
use super::cutoff::{self, RailError};
use anton_store::Store;

use crate::{Engine, Secrets};

/// How often the worker looks: cut-offs are minutes apart at the closest, and each look is two
/// indexed reads per rail.
pub const POLL: Duration = Duration::from_secs(5);

/// How far back a rail that never made a file looks for a cut-off it missed.
const FIRST_LOOK_BACK: SignedDuration = SignedDuration::from_hours(24);

/// One look at `rail` at time `now` (tests pass a time to run a cut-off): returns the files it
/// transmitted.
pub async fn run_once(
    store: &Store,
    secrets: &Secrets,
    rail: &FileRail,
    now: Timestamp,
) -> Result<Vec<FileRow>, RailError> {
    let mut sent = Vec::new();
    for file in payout_files::unsent(store.read(), &rail.key()).await? {
        let file = if file.status == FileStatus::Building {
            let cutoff = Timestamp::from_microsecond(file.cutoff_us)
                .map_err(|_| RailError::Data("a file's cut-off is out of range".into()))?;
            match cutoff::build(store, rail, cutoff).await? {
                Some(file) => file,
                None => continue,
            }
        } else {
            file
        };
        cutoff::transmit(store, secrets, rail, &file).await?;
        sent.push(file);
    }
    let last = payout_files::last_cutoff(store.read(), &rail.key())
        .await?
        .and_then(|us| Timestamp::from_microsecond(us).ok());
    let mut from = last.unwrap_or_else(|| now.saturating_sub(FIRST_LOOK_BACK).unwrap_or(now));
    let mut due = None;
    while let Some(next) = rail.schedule.next_cutoff(from) {
        if next > now {
            break;
        }
        due = Some(next);
        from = next;
    }
    if let Some(cutoff) = due {
        let file = cutoff::build(store, rail, cutoff).await?;
        if let Some(file) = file.filter(|f| f.status != FileStatus::Transmitted) {
            cutoff::transmit(store, secrets, rail, &file).await?;
            sent.push(file);
        }
    }
    Ok(sent)
}

/// The background worker, until `shutdown` resolves.
pub async fn run(
    engine: Engine,
    rails: Vec<FileRail>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        for rail in &rails {
            match run_once(engine.store(), engine.secrets(), rail, Timestamp::now()).await {
                Ok(sent) => {
                    for file in sent {
                        tracing::info!(
                            file = %file.name,
                            payouts = file.payout_count,
                            "bank file transmitted"
                        );
                    }
                }
                Err(e) => {
                    tracing::warn!(rail = %rail.key(), error = %e, "file rail pass failed; will retry")
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = shutdown.changed() => return,
        }
    }
}
