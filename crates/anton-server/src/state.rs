//! Shared state of one node: the store, secrets, limiters and settings. Cheap to clone (an `Arc`).
//! Holds no money or idempotency decisions: those are made in database transactions.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anton_store::{Store, Tenant};

use crate::api::ratelimit::RateLimiter;
use crate::config::SimulatorConfig;
use crate::secrets::Secrets;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    /// Payout creations, decided together in each group commit (see `payouts::batch`).
    pub creations: anton_store::Batcher<crate::payouts::batch::PayoutCreations>,
    pub secrets: Secrets,
    pub simulator: SimulatorConfig,
    /// Per-key request limiter (DESIGN.md §2).
    pub key_limiter: RateLimiter,
    /// Per-client-IP limiter for failed authentication.
    pub auth_failure_limiter: RateLimiter,
    /// Idempotency keys whose first request is running on this node (→ 409 for a concurrent twin).
    pub in_flight: Mutex<HashSet<(Tenant, String)>>,
    /// When each key's `last_used_at` was last written, so it is written at most once a minute.
    pub last_used_written: Mutex<HashMap<String, Instant>>,
    /// API key records by keyed hash: (fetched at, store key epoch, record). See `api::auth`.
    pub key_cache: Mutex<HashMap<String, (Instant, u64, anton_store::api_keys::ApiKeyRecord)>>,
    /// Merchants' rate-limit settings: (fetched at, live/s, test/s), refreshed after a second.
    pub merchant_limits: Mutex<HashMap<anton_core::id::MerchantId, (Instant, i64, i64)>>,
    /// Whether a live rail is configured. None exists yet, so live payouts are refused.
    pub live_rail: bool,
    /// The SSRF guard, egress addresses, schedule clock and dispatcher wake-up.
    pub webhooks: Arc<crate::webhooks::dispatcher::WebhookRuntime>,
    /// This node's id in the `nodes` table.
    pub node_id: String,
    /// API nodes alive in the deployment (from heartbeats; at least 1). Each node allows
    /// `limit / api_nodes` per key, so a key's limit holds across nodes.
    pub api_nodes: std::sync::atomic::AtomicU64,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(
        store: Store,
        secrets: Secrets,
        simulator: SimulatorConfig,
        webhooks: Arc<crate::webhooks::dispatcher::WebhookRuntime>,
    ) -> Self {
        Self(Arc::new(Inner {
            creations: store.batcher(crate::payouts::batch::PayoutCreations),
            store,
            secrets,
            simulator,
            key_limiter: RateLimiter::default(),
            auth_failure_limiter: RateLimiter::default(),
            in_flight: Mutex::new(HashSet::new()),
            last_used_written: Mutex::new(HashMap::new()),
            merchant_limits: Mutex::new(HashMap::new()),
            key_cache: Mutex::new(HashMap::new()),
            live_rail: false,
            webhooks,
            node_id: format!("node_{}", anton_core::random_base62(16)),
            api_nodes: std::sync::atomic::AtomicU64::new(1),
        }))
    }
}
