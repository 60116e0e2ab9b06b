//! `anton audit verify` and `anton audit export`: the operator checks the audit log's hash
//! chains ([`anton_engine::audit::verify`]) and exports a merchant's entries as JSON lines, in
//! the shape the API shows them.

use std::io::Write;
use std::path::PathBuf;

use anton_engine::audit::{self, Verdict};
use anton_engine::objects::AuditEntryOut;
use anyhow::{bail, Context};
use clap::Subcommand;

use super::operator::{emit, merchant_id, operator_context};
use super::ConfigArgs;

#[derive(Subcommand)]
pub(super) enum AuditCommand {
    /// Check the hash chain of a merchant's audit log (every merchant's without --merchant):
    /// each entry's hash, its link to the entry before, no entry missing. Prints each chain's
    /// length and head hash (keep it: a later run that prints another head for the same length
    /// means the log was rewritten). Exit 1 naming the first bad entry when a chain is broken.
    Verify {
        /// The merchant (mer_…).
        #[arg(long)]
        merchant: Option<String>,
    },
    /// Write a merchant's audit log as JSON lines, oldest first (both environments).
    Export {
        /// The merchant (mer_…).
        #[arg(long)]
        merchant: String,
        /// Write here instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

pub(super) async fn run(cfg: ConfigArgs, command: AuditCommand, json: bool) -> anyhow::Result<()> {
    let (store, _) = operator_context(&cfg).await?;
    match command {
        AuditCommand::Verify { merchant } => {
            let merchants = match merchant {
                Some(m) => vec![merchant_id(&m)?],
                None => anton_engine::operator::merchants(&store)
                    .await?
                    .into_iter()
                    .map(|m| m.id)
                    .collect(),
            };
            let mut broken = 0;
            for m in merchants {
                match audit::verify(&store, &m).await? {
                    Verdict::Intact { entries, head } => {
                        let value = serde_json::json!({
                            "merchant": m.as_str(), "ok": true, "entries": entries, "head": head,
                        });
                        emit(json, &value, || {
                            format!("{m}: {entries} entries, chain intact, head {head}")
                        });
                    }
                    Verdict::Broken(b) => {
                        broken += 1;
                        let id = b.id.as_ref().map(ToString::to_string);
                        let value = serde_json::json!({
                            "merchant": m.as_str(), "ok": false, "seq": b.seq, "id": id,
                            "reason": b.reason,
                        });
                        emit(json, &value, || {
                            format!(
                                "{m}: CHAIN BROKEN at entry {}{}: {}",
                                b.seq,
                                id.map(|i| format!(" ({i})")).unwrap_or_default(),
                                b.reason
                            )
                        });
                    }
                }
            }
            if broken > 0 {
                bail!("{broken} audit chain(s) broken");
            }
        }
        AuditCommand::Export { merchant, output } => {
            let m = merchant_id(&merchant)?;
            let mut out: Box<dyn Write> = match &output {
                Some(path) => Box::new(std::io::BufWriter::new(
                    std::fs::File::create(path)
                        .with_context(|| format!("cannot create {}", path.display()))?,
                )),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            let n = audit::export(&store, &m, |r| {
                let line = serde_json::to_string(&AuditEntryOut::from_record(r.clone()))?;
                writeln!(out, "{line}")
            })
            .await?;
            out.flush()?;
            if output.is_some() {
                eprintln!("exported {n} entries");
            }
        }
    }
    Ok(())
}
