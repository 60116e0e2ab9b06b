//! `anton rails files` (the operator's view of the bank files sent and read) and
//! `anton rails test-bank` (a bank that answers Anton's files locally, by the simulator's
//! last-four table: docs/live-payouts.md).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anton_engine::rail::files::outbox;
use anyhow::Context;
use clap::Subcommand;

use super::operator::{emit, operator_context};
use super::ConfigArgs;

#[derive(Subcommand)]
pub(super) enum RailsCommand {
    /// List the bank files: those Anton sent, newest first, then those it read from the
    /// inboxes (applied or quarantined, with the reason).
    Files {
        /// At most this many of each.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Answer Anton's files as a bank would, for trying the file loop locally: every file that
    /// appears in OUTBOX gets its answers in INBOX by the account's last four digits (0002–0004
    /// rejected or returned, 0005 paid then returned, 0006 never answered, the rest paid).
    /// Answers are deterministic and never written twice.
    TestBank {
        /// The rail's outbox (Anton's files).
        #[arg(long)]
        outbox: PathBuf,
        /// The rail's inbox (where the answers go).
        #[arg(long)]
        inbox: PathBuf,
        /// Answer what is there now and exit (the late returns too with --late).
        #[arg(long)]
        once: bool,
        /// With --once: write the answers due after settlement (the 0005 returns) as well.
        #[arg(long)]
        late: bool,
        /// While running: how long after a file appears its late answers are written.
        #[arg(long, default_value_t = 60)]
        late_after_secs: u64,
    },
}

pub(super) async fn run(cfg: ConfigArgs, command: RailsCommand, json: bool) -> anyhow::Result<()> {
    match command {
        RailsCommand::Files { limit } => files(cfg, limit, json).await,
        RailsCommand::TestBank {
            outbox,
            inbox,
            once,
            late,
            late_after_secs,
        } => {
            if once {
                let written = answer_all(&outbox, &inbox, |_| late)?;
                emit(json, &serde_json::json!({ "written": written }), || {
                    format!(
                        "{} answer file(s) written to {}",
                        written.len(),
                        inbox.display()
                    )
                });
                return Ok(());
            }
            let late_after = Duration::from_secs(late_after_secs);
            eprintln!(
                "test bank: answering {} into {} (late returns {late_after_secs} s after a \
                 file appears; Ctrl-C to stop)",
                outbox.display(),
                inbox.display()
            );
            loop {
                let now = SystemTime::now();
                let written = answer_all(&outbox, &inbox, |appeared| {
                    appeared.is_some_and(|t| t + late_after <= now)
                })?;
                for name in written {
                    emit(json, &serde_json::json!({ "written": name }), || {
                        format!("wrote {name}")
                    });
                }
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                    _ = tokio::signal::ctrl_c() => return Ok(()),
                }
            }
        }
    }
}

/// Answers every file in `outbox`; `late(modified)` says whether a file's late answers are due.
/// Returns the names written (answers already in the inbox are not written again).
fn answer_all(
    outbox: &Path,
    inbox: &Path,
    late: impl Fn(Option<SystemTime>) -> bool,
) -> anyhow::Result<Vec<String>> {
    let mut written = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(outbox)
        .with_context(|| format!("reading {}", outbox.display()))?
        .collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let meta = entry.metadata()?;
        if name.starts_with('.') || !meta.is_file() {
            continue;
        }
        let contents =
            std::fs::read_to_string(entry.path()).with_context(|| format!("reading {name}"))?;
        let at = time::OffsetDateTime::from(meta.modified().unwrap_or(SystemTime::UNIX_EPOCH));
        let answers = match anton_rails::test_bank::answer(&name, &contents, at) {
            Ok(answers) => answers,
            Err(e) => {
                eprintln!("test bank: {name} is not answered: {e}");
                continue;
            }
        };
        let mut files = answers.now;
        if late(meta.modified().ok()) {
            files.extend(answers.after_settlement);
        }
        for file in files {
            // As Anton puts its own files: hidden while written (the inbox reader skips names
            // starting with '.'), 0600 (a return file holds account numbers), never twice.
            let put = outbox::put(inbox, &file.name, file.contents.as_bytes())
                .with_context(|| format!("writing {} into {}", file.name, inbox.display()))?;
            if put == outbox::Put::Written {
                written.push(file.name);
            }
        }
    }
    Ok(written)
}

async fn files(cfg: ConfigArgs, limit: i64, json: bool) -> anyhow::Result<()> {
    let (store, _) = operator_context(&cfg).await?;
    for f in anton_store::payout_files::list(store.read(), limit).await? {
        // Reconciliation: the file's payouts by where they are now, against what it sent.
        let outcomes = anton_store::reconcile::file_outcomes(store.read(), &f.id).await?;
        let all = outcomes.all();
        let reconciled = all.count == f.payout_count && all.total_minor == f.total_minor;
        let tally = |status: &str| {
            let t = outcomes.of(status);
            serde_json::json!({"count": t.count, "total_minor": t.total_minor})
        };
        let value = serde_json::json!({
            "direction": "sent", "name": f.name, "rail": f.rail, "status": f.status.as_str(),
            "payouts": f.payout_count, "total_minor": f.total_minor, "sha256": f.sha256,
            "cutoff_us": f.cutoff_us, "transmitted_us": f.transmitted_us,
            "settled_us": f.settled_us,
            "outcomes": {"at_bank": tally("processing"), "paid": tally("paid"),
                         "failed": tally("failed"), "returned": tally("returned")},
            "reconciled": reconciled,
        });
        emit(json, &value, || {
            let part = |label: &str, status: &str| {
                let t = outcomes.of(status);
                format!("{label} {} ({})", t.count, t.total_minor)
            };
            format!(
                "sent  {}  {}  {} payout(s), {} minor units, {}\n      {}, {}, {}, {}{}",
                f.name,
                f.status.as_str(),
                f.payout_count,
                f.total_minor,
                f.sha256.as_deref().unwrap_or("-"),
                part("at the bank", "processing"),
                part("paid", "paid"),
                part("failed", "failed"),
                part("returned", "returned"),
                if reconciled {
                    ""
                } else {
                    "  MISMATCH: the payouts do not add up to the file"
                }
            )
        });
    }
    for f in anton_store::payout_files::inbound(store.read(), limit).await? {
        let value = serde_json::json!({
            "direction": "read", "name": f.name, "rail": f.rail, "kind": f.kind,
            "status": f.status, "reason": f.reason, "moved": f.moved, "sha256": f.sha256,
            "received_us": f.received_us,
        });
        emit(json, &value, || {
            format!(
                "read  {}  {}  {}  {} moved{}",
                f.name,
                f.kind,
                f.status,
                f.moved,
                f.reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            )
        });
    }
    Ok(())
}
