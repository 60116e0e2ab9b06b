//! `anton-tools bench receiver`: a webhook receiver as a process of its own, for the outside
//! benchmark (`scripts/bench-outside.py`), which drives `anton serve` with a standard load
//! generator and needs somewhere for the node's deliveries to go.
//!
//! It serves HTTPS on 127.0.0.1 with a CA of its own, counts the `payout.*` deliveries it gets at
//! `POST /hook`, answers the count at `GET /count`, and writes `{"url", "ca", "count_url"}` to
//! the file named by `--info` once it listens. It runs until it is killed.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;

use crate::bench::LocalReceiver;

#[derive(clap::Args)]
pub struct ReceiverArgs {
    /// Where to write the receiver's URL and CA (JSON).
    #[arg(long)]
    pub info: PathBuf,
}

async fn hook(State(count): State<Arc<AtomicU64>>, body: Bytes) -> &'static str {
    let is_payout = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["type"].as_str().map(|t| t.starts_with("payout.")))
        .unwrap_or(false);
    if is_payout {
        count.fetch_add(1, Ordering::Relaxed);
    }
    "ok"
}

async fn count(State(count): State<Arc<AtomicU64>>) -> String {
    count.load(Ordering::Relaxed).to_string()
}

pub async fn run(args: ReceiverArgs) -> anyhow::Result<()> {
    let counter = Arc::new(AtomicU64::new(0));
    let receiver = LocalReceiver::start(
        Router::new()
            .route("/hook", post(hook))
            .route("/count", get(count))
            .with_state(counter),
    )
    .await?;
    let info = serde_json::json!({
        "url": receiver.url(),
        "ca": receiver.ca(),
        "count_url": format!("https://localhost:{}/count", receiver.port),
    });
    std::fs::write(&args.info, serde_json::to_vec(&info)?)?;
    tokio::signal::ctrl_c().await?;
    let _ = std::fs::remove_dir_all(&receiver.dir);
    Ok(())
}
