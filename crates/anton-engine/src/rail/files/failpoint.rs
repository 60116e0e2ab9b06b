//! Crash points for the file rails' kill tests: with `ANTON_FAILPOINT=name` (comma-separated
//! for several) in its environment, the process aborts — as a power cut or `kill -9` would stop
//! it — when it reaches that point. Unset (as in every real deployment) each check is one
//! relaxed load of a value read once at the first check.
//!
//! The points (docs/live-payouts.md, "What holds, whatever crashes"):
//! - `rail.after_chunk`: a write job of a cut-off's file has committed (the file may still be
//!   building);
//! - `rail.before_put`: the file is sealed and rendered, nothing is in the outbox yet;
//! - `rail.mid_put`: the bytes are in the outbox under the hidden temporary name, not renamed;
//! - `rail.after_put`: the file is in the outbox, not yet recorded as transmitted.

use std::sync::OnceLock;

fn armed() -> &'static [String] {
    static ARMED: OnceLock<Vec<String>> = OnceLock::new();
    ARMED.get_or_init(|| {
        std::env::var("ANTON_FAILPOINT")
            .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect())
            .unwrap_or_default()
    })
}

/// Aborts the process if `name` is armed.
pub fn hit(name: &str) {
    if armed().iter().any(|a| a == name) {
        eprintln!("ANTON_FAILPOINT: aborting at {name}");
        std::process::abort();
    }
}
