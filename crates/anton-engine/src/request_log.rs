//! The per-merchant request log (docs/reference.md §6): the API hands each answered request to
//! [`Engine::log_request`], which never waits; [`flush`] writes what has gathered every
//! [`FLUSH_EVERY`] as one native write job, so the log costs the group-commit writer a few jobs a
//! second however many requests arrive. [`sweep`] deletes entries older than the retention.
//!
//! Entries are kept in memory until their round commits: a node that crashes loses the entries
//! of at most its last round (a tenth of a second of requests). A full buffer (the database far
//! behind) drops new entries rather than slowing requests; both are counted in
//! `anton_request_log_entries_total{outcome="dropped"}`.

use std::time::Duration;

use anton_store::list::Listed;
use anton_store::request_log::{self, RequestFilter, RequestRecord};
use anton_store::{now_us, Tenant};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, watch, Mutex};

use crate::error::Result;
use crate::validate::{ListQuery, Listing};
use crate::Engine;

/// Entries waiting for their write, at most.
const BUFFER: usize = 65_536;
/// How long entries gather before they are written: fewer, larger rounds cost the writer less
/// (on PostgreSQL each round is a commit of its own).
const FLUSH_EVERY: Duration = Duration::from_millis(100);
/// Entries per write job, at most.
const ROUND_MAX: usize = 4_096;
/// Entries deleted per sweep statement (one writer job each).
const SWEEP_CHUNK: i64 = 5_000;

/// `[request_log]` in `anton.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RequestLogConfig {
    /// Record requests at all (default true).
    pub enabled: bool,
    /// Days an entry is kept (default 30; 1–3650).
    pub retention_days: u32,
}

impl Default for RequestLogConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            retention_days: 30,
        }
    }
}

impl RequestLogConfig {
    /// The retention in microseconds.
    pub fn retention_us(&self) -> i64 {
        i64::from(self.retention_days.clamp(1, 3650)) * 86_400 * 1_000_000
    }
}

/// The buffer between the API and the flusher.
pub(crate) struct Sink {
    tx: mpsc::Sender<RequestRecord>,
    rx: Mutex<mpsc::Receiver<RequestRecord>>,
}

impl Sink {
    pub(crate) fn new() -> Self {
        let (tx, rx) = mpsc::channel(BUFFER);
        Self {
            tx,
            rx: Mutex::new(rx),
        }
    }
}

/// A page of the request log: the common list parameters and the log's own filters.
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    pub list: ListQuery,
    pub filter: RequestFilter,
}

impl Engine {
    /// Records one answered request in its merchant's log, without waiting.
    pub fn log_request(&self, record: RequestRecord) {
        if !self.0.config.request_log.enabled {
            return;
        }
        if self.0.request_log.tx.try_send(cleaned(record)).is_err() {
            self.metrics().request_log_entries(false, 1);
        }
    }

    /// Writes every entry waiting now, in rounds; returns how many were written. The flusher's
    /// round, and the final one when a node stops.
    pub async fn flush_request_log(&self) -> usize {
        self.drain_request_log(Vec::new()).await
    }

    /// Writes `round` and every entry waiting, in rounds of at most [`ROUND_MAX`].
    async fn drain_request_log(&self, mut round: Vec<RequestRecord>) -> usize {
        let mut rx = self.0.request_log.rx.lock().await;
        let mut written = 0;
        loop {
            while round.len() < ROUND_MAX {
                match rx.try_recv() {
                    Ok(r) => round.push(r),
                    Err(_) => break,
                }
            }
            if round.is_empty() {
                return written;
            }
            written += self.write_round(std::mem::take(&mut round)).await;
        }
    }

    async fn write_round(&self, round: Vec<RequestRecord>) -> usize {
        let n = round.len();
        let known = self.0.known_addresses.clone();
        let wrote = self
            .store()
            .write_native(move |c| {
                Box::pin(async move {
                    request_log::insert_many(c, &round).await?;
                    crate::alerts::signals::record_round(c, &round, &known, now_us()).await
                })
            })
            .await;
        match wrote {
            Ok(()) => {
                self.metrics().request_log_entries(true, n as u64);
                n
            }
            Err(e) => {
                tracing::warn!(error = %e, entries = n, "request log write failed; entries dropped");
                self.metrics().request_log_entries(false, n as u64);
                0
            }
        }
    }

    pub async fn get_request(
        &self,
        tenant: &Tenant,
        id: &anton_core::id::RequestId,
    ) -> Result<RequestRecord> {
        request_log::get(self.store().read(), tenant, id)
            .await?
            .ok_or_else(|| crate::error::EngineError::not_found("request", id.as_str()))
    }

    pub async fn list_requests(
        &self,
        tenant: &Tenant,
        query: &RequestQuery,
    ) -> Result<Listing<RequestRecord>> {
        let page = query
            .list
            .page(self.store(), Listed::Requests, tenant)
            .await?;
        let rows = request_log::list(self.store().read(), tenant, &query.filter, &page).await?;
        Ok(Listing::of(rows, &page))
    }

    /// Deletes every tenant's entries older than the retention at `now_us`; returns how many.
    pub async fn sweep_request_log(&self, now_us: i64) -> Result<u64> {
        let before = now_us - self.0.config.request_log.retention_us();
        let merchants = anton_store::merchants::list(self.store().read()).await?;
        let mut deleted = 0;
        for m in merchants {
            for env in [
                anton_core::keys::Environment::Test,
                anton_core::keys::Environment::Live,
            ] {
                let tenant = Tenant::new(m.id.clone(), env);
                deleted +=
                    crate::maintenance::delete_in_chunks(self.store(), SWEEP_CHUNK, move |c, n| {
                        let tenant = tenant.clone();
                        Box::pin(async move {
                            request_log::delete_older_than(c, &tenant, before, n).await
                        })
                    })
                    .await?;
            }
        }
        Ok(deleted)
    }
}

/// An entry as stored: the user agent cut to 256 characters without control characters.
fn cleaned(mut r: RequestRecord) -> RequestRecord {
    if let Some(ua) = r.user_agent.take() {
        let clean: String = ua.chars().filter(|c| !c.is_control()).take(256).collect();
        r.user_agent = (!clean.is_empty()).then_some(clean);
    }
    r
}

/// The flusher: once entries are waiting, lets more gather for [`FLUSH_EVERY`], then writes them
/// all, until `shutdown`. The node flushes what is left once its requests have finished
/// (`Engine::flush_request_log`).
pub async fn flush(engine: Engine, mut shutdown: watch::Receiver<bool>) {
    loop {
        let first = {
            let mut rx = engine.0.request_log.rx.lock().await;
            tokio::select! {
                r = rx.recv() => r,
                _ = shutdown.changed() => return,
            }
        };
        let Some(first) = first else { return };
        tokio::select! {
            () = tokio::time::sleep(FLUSH_EVERY) => {}
            _ = shutdown.changed() => {}
        }
        engine.drain_request_log(vec![first]).await;
    }
}

/// Deletes entries older than the retention, hourly. Safe on every node at once (plain DELETEs
/// by age, in bounded chunks).
pub async fn sweep(engine: Engine, shutdown: watch::Receiver<bool>) {
    crate::maintenance::every_hour("request log entries", shutdown, || {
        engine.sweep_request_log(now_us())
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_agent(ua: &str) -> RequestRecord {
        RequestRecord {
            tenant: Tenant::new(
                anton_core::id::MerchantId::generate(),
                anton_core::keys::Environment::Test,
            ),
            id: anton_core::id::RequestId::generate(),
            created_us: 0,
            method: "GET".into(),
            route: "/v1/balance".into(),
            status: 200,
            error_code: None,
            key_id: anton_core::id::KeyId::generate(),
            source_ip: None,
            user_agent: Some(ua.to_owned()),
            duration_us: 1,
            idempotency_key: None,
        }
    }

    #[test]
    fn a_user_agent_is_kept_to_256_characters_without_control_characters() {
        let long = format!("a\u{1b}[31m\n{}", "é".repeat(400));
        let ua = cleaned(with_agent(&long)).user_agent.unwrap();
        assert_eq!(ua.chars().count(), 256);
        assert!(!ua.chars().any(char::is_control), "{ua:?}");
        assert!(ua.starts_with("a[31m"));
        assert_eq!(cleaned(with_agent("\r\n\t")).user_agent, None);
        assert_eq!(
            cleaned(with_agent("anton-sdk-rust/0.1.0"))
                .user_agent
                .as_deref(),
            Some("anton-sdk-rust/0.1.0")
        );
    }
}
