//! `anton logs tail`: follows the request log (`GET /v1/requests`), printing each new request
//! once, oldest first, like `stripe logs tail`.

use std::collections::{HashSet, VecDeque};
use std::io::Write;
use std::time::Duration;

use anton_sdk::types::{ListParams, RequestLogEntry};
use futures_util::TryStreamExt;

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
    let mut since = whole_second(time::OffsetDateTime::now_utc() - Duration::from_secs(1));
    let mut seen: HashSet<String> = HashSet::new();
    let mut order: VecDeque<(String, time::OffsetDateTime)> = VecDeque::new();
    // Requests before the start are not shown (a bad filter fails here, with the server's error).
    let existing: Vec<RequestLogEntry> = client
        .requests()
        .list_all(filter.params(since))
        .try_collect()
        .await?;
    for r in existing {
        order.push_back((r.id.clone(), r.created));
        seen.insert(r.id);
    }
    eprintln!("ready: following requests (Ctrl-C to stop)");
    loop {
        let page: Vec<RequestLogEntry> = match client
            .requests()
            .list_all(filter.params(since))
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
        let fresh: Vec<RequestLogEntry> =
            page.into_iter().filter(|r| !seen.contains(&r.id)).collect();
        for r in fresh.into_iter().rev() {
            seen.insert(r.id.clone());
            order.push_back((r.id.clone(), r.created));
            if r.route != OWN_ROUTE {
                print_entry(&r, as_json)?;
            }
        }
        let horizon = whole_second(time::OffsetDateTime::now_utc() - OVERLAP);
        if horizon > since {
            since = horizon;
        }
        while order.front().is_some_and(|(_, t)| *t < since) {
            if let Some((id, _)) = order.pop_front() {
                seen.remove(&id);
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// `t` without its fraction of a second: the resolution of `created[gte]` in unix seconds.
fn whole_second(t: time::OffsetDateTime) -> time::OffsetDateTime {
    t.replace_nanosecond(0).unwrap_or(t)
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
