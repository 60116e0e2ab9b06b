//! Webhooks (docs/reference.md §5): the endpoints a merchant manages ([`endpoints`]), deliveries as
//! it reads, resends and recovers them ([`deliveries`]), which destinations may be reached
//! ([`ssrf`]), the dispatcher that delivers ([`dispatch`]), and test events sent on request
//! ([`test_send`]).
//!
//! Endpoint secrets are `whsec_<base64 of 32 bytes>`, stored encrypted with the server keyring
//! (merchant id as associated data) because the dispatcher signs with them.

pub mod deliveries;
pub mod dispatch;
pub mod endpoints;
pub mod ssrf;
pub mod test_send;

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anton_store::now_us;
use tokio::sync::Notify;

use ssrf::{Allowlist, Guard, NameLookup};

/// Webhook delivery settings (docs/reference.md §5).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhooksConfig {
    /// Local addresses outgoing deliveries bind to, round-robin; published at `/v1/egress_ips`.
    /// Empty: the operating system chooses (and the list is empty).
    pub egress_ips: Vec<IpAddr>,
    /// A PEM CA certificate trusted in addition to the public roots (tests, private deployments).
    /// Certificates are always verified.
    pub extra_root_ca: Option<PathBuf>,
    /// Private destinations allowed despite the SSRF guard: host names (exact) or CIDRs.
    pub allow_private: Vec<String>,
    /// Delay before each retry, in milliseconds (each ±20% jitter). Default: 5 s, 5 min, 30 min,
    /// 2 h, 5 h, 10 h, 10 h, 24 h.
    pub retry_schedule_ms: Vec<u64>,
    /// Per-attempt timeout.
    pub timeout_ms: u64,
    /// Concurrent requests per endpoint (per node), at most: each endpoint's window opens up to
    /// this with successes and closes to 1 when it does not answer (`dispatch::windows`).
    pub max_concurrency_per_endpoint: u32,
    /// Requests per second per endpoint (per node; bursts up to twice that).
    pub rate_per_endpoint_per_s: u64,
    /// Attempts in flight per node, across all endpoints; endpoints that do not answer hold at
    /// most half of them.
    pub max_in_flight: u32,
    /// Failed attempts after which `delivery.failing` is raised.
    pub failing_after_attempts: u32,
    /// An endpoint failing without a single success for this long is disabled.
    pub disable_after_ms: u64,
    /// How often the dispatcher looks for due work when nothing wakes it.
    pub poll_interval_ms: u64,
}

impl Default for WebhooksConfig {
    fn default() -> Self {
        Self {
            egress_ips: Vec::new(),
            extra_root_ca: None,
            allow_private: Vec::new(),
            retry_schedule_ms: [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000, 86_400]
                .iter()
                .map(|s| s * 1_000)
                .collect(),
            timeout_ms: 15_000,
            max_concurrency_per_endpoint: 10,
            rate_per_endpoint_per_s: 500,
            max_in_flight: 256,
            failing_after_attempts: 4,
            disable_after_ms: 5 * 86_400_000,
            poll_interval_ms: 200,
        }
    }
}

/// The schedule's clock: real time plus an offset (0 in production; tests advance it, so the
/// whole three-day retry schedule runs in seconds). Signatures always carry the real time.
#[derive(Debug, Default)]
pub struct Clock {
    offset_us: AtomicI64,
}

impl Clock {
    pub fn now_us(&self) -> i64 {
        now_us() + self.offset_us.load(Ordering::Acquire)
    }

    /// Moves the schedule's time forward (tests).
    pub fn advance(&self, by: Duration) {
        self.offset_us.fetch_add(
            i64::try_from(by.as_micros()).unwrap_or(i64::MAX),
            Ordering::AcqRel,
        );
    }
}

/// What the webhook use cases and the dispatcher share on a node.
pub struct WebhookRuntime {
    pub guard: Guard,
    /// Published at `/v1/egress_ips`.
    pub egress_ips: Vec<IpAddr>,
    pub clock: Arc<Clock>,
    /// Wakes the dispatcher (resend, recover).
    pub wake: Arc<Notify>,
}

impl WebhookRuntime {
    pub(crate) fn new(config: &WebhooksConfig, lookup: Arc<dyn NameLookup>) -> Self {
        Self {
            guard: Guard {
                allow: Arc::new(Allowlist::new(&config.allow_private)),
                lookup,
            },
            egress_ips: config.egress_ips.clone(),
            clock: Arc::default(),
            wake: Arc::default(),
        }
    }
}

impl crate::Engine {
    /// Reads the webhook backlog and endpoint states into the node's metrics (at each scrape).
    pub async fn sample_webhook_backlog(&self) -> anton_store::Result<()> {
        let now = self.webhooks().clock.now_us();
        let b = anton_store::webhooks::backlog(self.store().read(), now).await?;
        let age_us = b.oldest_us.map_or(0, |t| now.saturating_sub(t).max(0));
        self.metrics()
            .set_webhook_backlog(&anton_metrics::WebhookBacklog {
                events_waiting: b.events_waiting,
                deliveries_due: b.deliveries_due,
                oldest_age: Duration::from_micros(u64::try_from(age_us).unwrap_or(0)),
                endpoints_enabled: b.endpoints_enabled,
                endpoints_failing: b.endpoints_failing,
                endpoints_disabled: b.endpoints_disabled,
            });
        Ok(())
    }
}
