//! The file rails' worker: on every node with workers, for each rail, it
//! 1. finishes what a crash left (a file still building, a sealed file not yet in the outbox),
//! 2. makes the file of the latest cut-off that has none,
//! 3. reads the inbox's new files (each applied once, see [`inbound`]),
//! 4. and (ACH) pays the payouts of files whose settlement window ended with no return.
//!
//! Nodes may run it side by side: a cut-off has one file whoever starts it, putting a file is
//! idempotent by name, and a bank file is applied once by its digest.

use std::collections::HashSet;
use std::time::Duration;

use anton_core::payout::Transition;

use anton_store::payout_files::{self, FileRow, FileStatus};
use jiff::{SignedDuration, Timestamp};

use super::config::{FileRail, Format};
use super::cutoff::{self, RailError};
use super::exchange::Link;
use super::inbound::{self, Ingested};
use super::sftp::Listed;
use crate::payouts::transition::{self, Move};
use anton_store::Store;

use crate::{Engine, Secrets};

/// How far back a rail that never made a file looks for a cut-off it missed.
const FIRST_LOOK_BACK: SignedDuration = SignedDuration::from_hours(24);

/// What one look at a rail did.
#[derive(Debug, Default)]
pub struct Pass {
    /// Files put into the outbox.
    pub sent: Vec<FileRow>,
    /// Files read from the inbox (not those read before), by name.
    pub read: Vec<(String, Ingested)>,
    /// Payouts paid because their settlement window ended with no return.
    pub settled: usize,
    /// What went wrong (each step and each file on its own: one failing file or step does not
    /// hold up the others); tried again at the next look.
    pub errors: Vec<RailError>,
}

/// The bank's files in an inbox that this node has already looked at, by name, size and
/// modification time: a look reads only new or changed files.
pub type Seen = HashSet<Listed>;

/// What a worker keeps about a rail between looks: the inbox files seen, and its way to the
/// outbox and inbox (over SFTP, a connection).
pub struct RailState {
    pub seen: Seen,
    pub link: Link,
    /// The inbox as the last look listed it (with `inbox_stable_looks`, a file is read once two
    /// looks in a row list it the same).
    pub last_listing: Seen,
}

impl RailState {
    pub fn new(rail: &FileRail) -> Self {
        RailState {
            seen: Seen::new(),
            link: Link::new(&rail.exchange),
            last_listing: Seen::new(),
        }
    }
}

/// Larger than any answer to Anton's files; a larger file is quarantined unread.
const INBOUND_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// One look at `rail` at time `now` (tests pass a time to run a cut-off or end a settlement
/// window). `state`: what the worker kept from earlier looks. Every step runs whatever the
/// others did; their errors are in [`Pass::errors`].
pub async fn run_once(
    store: &Store,
    secrets: &Secrets,
    rail: &FileRail,
    now: Timestamp,
    state: &mut RailState,
) -> Pass {
    let mut pass = Pass::default();
    state.link.begin_look();
    send(store, secrets, rail, &mut state.link, now, &mut pass).await;
    if let Err(e) = read_inbox(store, rail, state, &mut pass).await {
        pass.errors.push(e);
    }
    if matches!(rail.format, Format::Nacha(_)) {
        match settle(store, rail, now).await {
            Ok(n) => pass.settled = n,
            Err(e) => pass.errors.push(e),
        }
    }
    pass
}

/// Steps 1 and 2, into `pass`: each unsent file on its own, then the cut-off.
async fn send(
    store: &Store,
    secrets: &Secrets,
    rail: &FileRail,
    link: &mut Link,
    now: Timestamp,
    pass: &mut Pass,
) {
    let unsent = match payout_files::unsent(store.read(), &rail.key()).await {
        Ok(unsent) => unsent,
        Err(e) => return pass.errors.push(e.into()),
    };
    for file in unsent {
        match finish(store, secrets, rail, link, file).await {
            Ok(Some(file)) => pass.sent.push(file),
            Ok(None) => {}
            Err(e) => pass.errors.push(e),
        }
    }
    match cut_off(store, secrets, rail, link, now).await {
        Ok(Some(file)) => pass.sent.push(file),
        Ok(None) => {}
        Err(e) => pass.errors.push(e),
    }
}

/// Step 1 for one file: a building file is finished, then the file is put.
async fn finish(
    store: &Store,
    secrets: &Secrets,
    rail: &FileRail,
    link: &mut Link,
    file: FileRow,
) -> Result<Option<FileRow>, RailError> {
    let file = if file.status == FileStatus::Building {
        let cutoff = Timestamp::from_microsecond(file.cutoff_us)
            .map_err(|_| RailError::Data("a file's cut-off is out of range".into()))?;
        match cutoff::build(store, rail, cutoff).await? {
            Some(file) => file,
            None => return Ok(None),
        }
    } else {
        file
    };
    cutoff::transmit(store, secrets, rail, link, &file).await?;
    Ok(Some(file))
}

/// Step 2: the latest cut-off's file, if it has none yet.
async fn cut_off(
    store: &Store,
    secrets: &Secrets,
    rail: &FileRail,
    link: &mut Link,
    now: Timestamp,
) -> Result<Option<FileRow>, RailError> {
    let last = payout_files::last_cutoff(store.read(), &rail.key())
        .await?
        .and_then(|us| Timestamp::from_microsecond(us).ok());
    // The latest cut-off not yet made: one file for everything pending by then, however many
    // cut-offs a stopped node missed (a rail that never made a file looks back a day).
    let floor = last.unwrap_or_else(|| now.saturating_sub(FIRST_LOOK_BACK).unwrap_or(now));
    let due = rail
        .schedule
        .latest_at_or_before(now)
        .filter(|c| *c > floor || (last.is_none() && *c == floor));
    let Some(cutoff) = due else { return Ok(None) };
    let file = cutoff::build(store, rail, cutoff).await?;
    match file.filter(|f| f.status != FileStatus::Transmitted) {
        Some(file) => {
            cutoff::transmit(store, secrets, rail, link, &file).await?;
            Ok(Some(file))
        }
        None => Ok(None),
    }
}

/// Step 3: every inbox file not looked at before, read and applied (or quarantined), into
/// `pass`; a file that cannot be read now is tried again at the next look.
async fn read_inbox(
    store: &Store,
    rail: &FileRail,
    state: &mut RailState,
    pass: &mut Pass,
) -> Result<(), RailError> {
    let listed = state
        .link
        .list_inbox()
        .await
        .map_err(|e| RailError::Data(e.to_string()))?;
    let previous = std::mem::replace(&mut state.last_listing, listed.iter().cloned().collect());
    for key in listed {
        if state.seen.contains(&key) {
            continue;
        }
        // A bank that writes its answers in place: a file still changing (or listed for the
        // first time) waits for the next look.
        if rail.inbox_stable_looks && !previous.contains(&key) {
            continue;
        }
        let name = key.0.clone();
        let result = if key.1 > INBOUND_MAX_BYTES {
            // Quarantined unread, by what the listing says of it.
            let marker = format!("{name}\n{}\n{:?}", key.1, key.2);
            let reason = format!("it is larger than {INBOUND_MAX_BYTES} bytes; not read");
            inbound::quarantine_unread(store, rail, &name, marker.as_bytes(), reason).await
        } else {
            // A file that grew past the limit since it was listed is cut there, and
            // quarantined as unreadable.
            match state.link.read_inbox(&name, INBOUND_MAX_BYTES).await {
                Ok(bytes) => inbound::ingest(store, rail, &name, &bytes).await,
                Err(e) => Err(RailError::Data(format!(
                    "inbox file {} could not be read ({e})",
                    name.escape_debug()
                ))),
            }
        };
        match result {
            Ok(result) => {
                state.seen.insert(key);
                if result != Ingested::AlreadySeen {
                    pass.read.push((name, result));
                }
            }
            Err(e) => pass.errors.push(e),
        }
    }
    Ok(())
}

/// Step 4 (ACH): pays the payouts still `processing` in files whose entries are final.
async fn settle(store: &Store, rail: &FileRail, now: Timestamp) -> Result<usize, RailError> {
    let now_us = now.as_microsecond();
    let mut paid = 0;
    for file in payout_files::final_due(store.read(), &rail.key(), now_us).await? {
        loop {
            let lock = store.backend() == anton_store::Backend::Postgres;
            let id = file.id.clone();
            let chunk = rail.payouts_per_job;
            let moved = store
                .write(move |c| {
                    Box::pin(async move {
                        let due = payout_files::processing_in_file(c, &id, chunk, lock).await?;
                        let full = i64::try_from(due.len()).unwrap_or(chunk) >= chunk;
                        let moves: Vec<Move> = due
                            .into_iter()
                            .map(|d| Move {
                                tenant: d.tenant,
                                payout: d.payout,
                                transition: Transition::Pay,
                                rail_due_us: None,
                            })
                            .collect();
                        let moved = transition::transition_many(
                            &mut anton_store::list::BatchConn::Any(c),
                            &moves,
                            lock,
                            anton_store::now_us(),
                        )
                        .await?;
                        if !full {
                            payout_files::mark_settled(c, &id, anton_store::now_us()).await?;
                        }
                        Ok((moved.len(), full))
                    })
                })
                .await?;
            paid += moved.0;
            if !moved.1 {
                break;
            }
        }
    }
    Ok(paid)
}

/// Logs what a look did and counts it in the node's metrics.
fn report(engine: &Engine, rail: &FileRail, pass: Pass) {
    let metrics = engine.metrics();
    let key = rail.key();
    for file in pass.sent {
        metrics.rail_file_sent(&key);
        tracing::info!(
            file.name = %file.name,
            payout.count = file.payout_count,
            "bank file transmitted"
        );
    }
    for (name, result) in pass.read {
        match result {
            Ingested::Applied { moved } => {
                metrics.rail_file_read(&key, false);
                tracing::info!(
                    file.name = %name.escape_debug(),
                    payout.count = moved.len(),
                    "bank file applied"
                );
            }
            // Logged where it was quarantined, with the reason.
            Ingested::Quarantined { .. } => metrics.rail_file_read(&key, true),
            Ingested::AlreadySeen => {}
        }
    }
    for e in pass.errors {
        metrics.rail_step_failed(&key);
        tracing::warn!(rail = %key, error = %e, "file rail step failed; will retry");
    }
}

/// The background worker, until `shutdown` resolves.
pub async fn run(
    engine: Engine,
    rails: Vec<FileRail>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut states: Vec<RailState> = rails.iter().map(RailState::new).collect();
    for rail in &rails {
        engine.metrics().rail_configured(&rail.key());
    }
    // Each rail is looked at every `poll_interval_ms` of its own (a bank's SFTP server may
    // want minutes between logins where a local directory can be read every few seconds).
    let mut due: Vec<tokio::time::Instant> =
        rails.iter().map(|_| tokio::time::Instant::now()).collect();
    'looking: loop {
        for ((rail, state), due) in rails.iter().zip(&mut states).zip(&mut due) {
            if *shutdown.borrow() {
                break 'looking;
            }
            if tokio::time::Instant::now() < *due {
                continue;
            }
            let pass = run_once(
                engine.store(),
                engine.secrets(),
                rail,
                Timestamp::now(),
                state,
            )
            .await;
            report(&engine, rail, pass);
            *due = tokio::time::Instant::now() + rail.poll;
        }
        let next = due
            .iter()
            .min()
            .copied()
            .unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(5));
        tokio::select! {
            _ = tokio::time::sleep_until(next) => {}
            _ = shutdown.changed() => break,
        }
    }
    for state in states {
        state.link.close().await;
    }
}
