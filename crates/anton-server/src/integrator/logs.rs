//! `anton logs tail`: follows the request log (`GET /v1/requests`), printing each new request
//! once, oldest first, like `stripe logs tail`.

use std::io::Write;
use std::time::Duration;

use anton_sdk::types::{ListParams, RequestLogEntry};
use futures_util::TryStreamExt;

use super::follow::Follow;
use super::Connect;
use crate::cli::escape;

/// What `anton logs tail` shows (each `None` is every value).
#[derive(Debug, Clone, Default)]
pub struct TailFilter {
    /// A class (`4xx`) or a code (`401`).
    pub status: Option<String>,
    pub route: Option<String>,
    pub method: Option<String>,
    pub api_key: Option<String>,
}

impl TailFilter {
    fn params(&self, since: time::OffsetDateTime) -> ListParams {
        let mut p = ListParams::new().created_gte(since);
        for (name, v) in [
            ("status", &self.status),
            ("route", &self.route),
            ("method", &self.method),
            ("api_key", &self.api_key),
        ] {
            if let Some(v) = v {
                p = p.filter(name, v.clone());
            }
        }
        p
    }
}

/// The route the tail itself polls: its own requests are not shown.
const OWN_ROUTE: &str = "/v1/requests";
/// Requests may reach the log up to a moment after their answer (written in batches, by any
/// node): the window looks back this far, deduplicated by id.
const OVERLAP: Duration = Duration::from_secs(5);

/// `anton logs tail`: prints requests made from now on (never the tail's own polls) until
/// interrupted.
pub async fn logs_tail(
    connect: &Connect,
    filter: &TailFilter,
    as_json: bool,
) -> anyhow::Result<()> {
    let (client, _) = connect.client()?;
    let mut follow = Follow::new(OVERLAP);
    // Requests before the start are not shown (a bad filter fails here, with the server's error).
    let existing: Vec<RequestLogEntry> = client
        .requests()
        .list_all(filter.params(follow.since()))
        .try_collect()
        .await?;
    for r in existing {
        follow.admit(&r.id, r.created);
    }
    eprintln!("ready: following requests (Ctrl-C to stop)");
    loop {
        let page: Vec<RequestLogEntry> = match client
            .requests()
            .list_all(filter.params(follow.since()))
            .try_collect()
            .await
        {
            Ok(p) => p,
            Err(e) => {
                eprintln!(
                    "polling requests failed (retrying): {}",
                    escape(&e.to_string())
                );
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        // Oldest first (the server lists newest first).
        for r in page.into_iter().rev() {
            if follow.admit(&r.id, r.created) && r.route != OWN_ROUTE {
                print_entry(&r, as_json)?;
            }
        }
        follow.advance();
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// One request: a JSON line, or a line for a terminal (what the server sent through [`escape`]).
fn print_entry(r: &RequestLogEntry, as_json: bool) -> anyhow::Result<()> {
    if as_json {
        println!("{}", serde_json::to_string(r)?);
    } else {
        println!(
            "{}  {} {:<6} {:<40} {:<28} {}  {}  {:.1} ms  {}",
            r.created
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            r.status,
            escape(&r.method),
            escape(&r.route),
            escape(r.error_code.as_deref().unwrap_or("-")),
            escape(&r.api_key),
            escape(r.source_ip.as_deref().unwrap_or("-")),
            r.duration_us as f64 / 1000.0,
            escape(&r.id),
        );
    }
    std::io::stdout().flush()?;
    Ok(())
}
