//! Anton's application: every use case, as plain async functions and services over the
//! [`Store`], shared by the HTTPS API, the operator commands and the workers (and, later, the
//! portal and the bank rails). **Architecture invariant: the engine speaks no HTTP** — it returns
//! no status codes, JSON envelopes or HTML (it only reads the statuses webhook endpoints answer).
//! A use case returns its typed outcome or an [`EngineError`]; an adapter renders both.
//!
//! Layout:
//! - [`Engine`]: what a node's use cases share (store, secrets, settings, the payout batcher,
//!   the idempotency marks, the webhook runtime).
//! - [`error`]: [`EngineError`], one enum with stable codes.
//! - [`idempotency`]: keyed mutations, the one implementation (closure jobs and batches).
//! - [`objects`]: the published shape of each object (API responses and event bodies); with the
//!   `openapi` feature, `openapi` holds the schema components of their values (enums, ids).
//! - [`validate`]: rules on values several use cases accept, lists and their pages.
//! - Use cases: [`payouts`] (creation as a set-based batch, cancel, every transition with its
//!   posting and event), [`recipients`], [`balance`], [`events`], [`operator`] (merchants, keys,
//!   live funding, authentication lookups), [`webhooks`] (endpoints, deliveries, the SSRF guard,
//!   the dispatcher), [`rail`] (the test-mode simulator), [`maintenance`] (node heartbeat,
//!   planner statistics, idempotency sweeps), [`request_log`], [`audit`] (who changed what,
//!   written in each audited change's transaction), [`team`] (the portal's members:
//!   invitations, passwords and two factors, sign-in, sessions).
//! - [`dashboard`]: the portal dashboard's figures (payouts per day, endpoints' health).
//! - [`ratelimit`]: token buckets (API keys, client addresses, webhook endpoints).
//!
//! What the engine does not do: accept connections, parse requests, render responses, read
//! configuration files, or send HTTP — webhook attempts go through a
//! [`webhooks::dispatch::Transport`] the binary provides.

pub mod alerts;
pub mod audit;
pub mod balance;
pub mod dashboard;
pub mod error;
pub mod events;
pub mod idempotency;
pub mod maintenance;
pub mod objects;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod operator;
pub mod payouts;
pub mod rail;
pub mod ratelimit;
pub mod recipients;
pub mod request_log;
pub mod risk;
mod secrets;
pub mod team;
pub mod validate;
pub mod webhooks;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub use anton_store::{Store, Tenant};
pub use error::{EngineError, Result};
pub use secrets::Secrets;

use idempotency::InFlight;
use rail::simulator::SimulatorConfig;
use webhooks::ssrf::NameLookup;
use webhooks::{WebhookRuntime, WebhooksConfig};

/// What the engine is configured with.
#[derive(Debug, Clone, Default)]
pub struct EngineConfig {
    pub simulator: SimulatorConfig,
    pub webhooks: WebhooksConfig,
    /// The currencies with a live rail configured (`[rails]`, docs/live-payouts.md), each with
    /// the largest amount its files can carry; a live payout in any other currency is refused.
    pub live_currencies: Vec<(anton_core::money::Currency, i64)>,
    pub request_log: request_log::RequestLogConfig,
    pub alerts: alerts::AlertsConfig,
    pub risk: risk::RiskConfig,
    /// The portal's accounts and sessions (`[portal]`).
    pub team: team::TeamConfig,
}

/// A node's use cases and what they share. Cheap to clone (an `Arc`).
#[derive(Clone)]
pub struct Engine(Arc<Inner>);

struct Inner {
    store: Store,
    secrets: Secrets,
    config: EngineConfig,
    /// Payout creations, decided together in each group commit (see [`payouts::create`]).
    creations: anton_store::Batcher<payouts::create::PayoutCreations>,
    /// Idempotency keys whose first request is running on this node.
    in_flight: InFlight,
    webhooks: Arc<WebhookRuntime>,
    /// This node's id in the `nodes` table.
    node_id: String,
    /// API nodes alive in the deployment (from heartbeats; at least 1).
    api_nodes: AtomicU64,
    /// This node's operator metrics (docs/monitoring.md).
    metrics: Arc<anton_metrics::Metrics>,
    /// Answered requests waiting for their request-log write.
    request_log: request_log::Sink,
    /// The (key, address) pairs this node knows are recorded (the new-address alert rule).
    known_addresses: Arc<alerts::signals::KnownAddresses>,
}

impl Engine {
    /// The engine over a migrated `store`. `lookup` resolves webhook destinations for the SSRF
    /// guard (the system resolver in production).
    pub fn new(
        store: Store,
        secrets: Secrets,
        config: EngineConfig,
        lookup: Arc<dyn NameLookup>,
    ) -> Self {
        let webhooks = Arc::new(WebhookRuntime::new(&config.webhooks, lookup));
        let metrics = store.metrics().clone();
        Self(Arc::new(Inner {
            creations: store.batcher(payouts::create::PayoutCreations),
            store,
            secrets,
            config,
            in_flight: InFlight::default(),
            webhooks,
            node_id: format!("node_{}", anton_core::random_base62(16)),
            api_nodes: AtomicU64::new(1),
            metrics,
            request_log: request_log::Sink::new(),
            known_addresses: Arc::default(),
        }))
    }

    /// This node's operator metrics.
    pub fn metrics(&self) -> &Arc<anton_metrics::Metrics> {
        &self.0.metrics
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    pub fn secrets(&self) -> &Secrets {
        &self.0.secrets
    }

    pub fn config(&self) -> &EngineConfig {
        &self.0.config
    }

    /// The SSRF guard, the published egress addresses, the schedule clock and the dispatcher's
    /// wake-up.
    pub fn webhooks(&self) -> &Arc<WebhookRuntime> {
        &self.0.webhooks
    }

    pub(crate) fn in_flight(&self) -> &InFlight {
        &self.0.in_flight
    }

    /// This node's id (heartbeats).
    pub fn node_id(&self) -> &str {
        &self.0.node_id
    }

    /// API nodes alive in the deployment, at least 1 (see [`maintenance::heartbeat`]). Each node
    /// allows `limit / api_nodes` per key, so a key's limit holds across nodes.
    pub fn api_nodes(&self) -> u64 {
        self.0.api_nodes.load(Ordering::Relaxed)
    }

    pub(crate) fn set_api_nodes(&self, n: u64) {
        self.0.api_nodes.store(n.max(1), Ordering::Relaxed);
    }

    /// The store's API-key epoch: it changes when this process revokes, expires or rolls a key,
    /// so caches of key records know to read again.
    pub fn key_epoch(&self) -> u64 {
        self.0.store.key_epoch()
    }

    /// Checks that the database answers (readiness).
    pub async fn ping(&self) -> Result<()> {
        Ok(self.0.store.ping().await?)
    }
}
