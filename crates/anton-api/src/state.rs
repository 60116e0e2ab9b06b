//! The API's shared state on a node: the engine, and what only the HTTP API needs — the rate
//! limiters, the caches of authentication and the webhook transport for test events. Cheap to clone (an `Arc`). Holds no money or
//! idempotency decisions: those are the engine's, made in database transactions.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anton_engine::ratelimit::RateLimiter;
use anton_engine::webhooks::dispatch::Transport;
use anton_engine::Engine;

use crate::client::{AuthFailureLimits, AuthFailures};

#[derive(Clone)]
pub struct ApiState(Arc<Inner>);

pub struct Inner {
    pub engine: Engine,
    /// Posts webhooks (the node's egress clients): test events are sent from the API.
    pub transport: Arc<dyn Transport>,
    /// Per-key request limiter (docs/reference.md §2).
    pub key_limiter: RateLimiter,
    /// The failed-authentication budgets, per client address and per node.
    pub auth_failures: AuthFailures,
    /// When each key's `last_used_at` was last written, so it is written at most once a minute.
    pub last_used_written: Mutex<HashMap<String, Instant>>,
    /// API key records by keyed hash: (fetched at, store key epoch, record). See `auth`.
    pub key_cache: Mutex<HashMap<String, (Instant, u64, anton_store::api_keys::ApiKeyRecord)>>,
    /// Merchants' rate-limit settings: (fetched at, live/s, test/s), refreshed after a second.
    pub merchant_limits: Mutex<HashMap<anton_core::id::MerchantId, (Instant, i64, i64)>>,
}

impl std::ops::Deref for ApiState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl ApiState {
    /// A node's API state; `auth_failures`: its failed-authentication budgets; `transport`: how
    /// it posts webhooks.
    pub fn new(
        engine: Engine,
        auth_failures: AuthFailureLimits,
        transport: Arc<dyn Transport>,
    ) -> Self {
        Self(Arc::new(Inner {
            engine,
            transport,
            key_limiter: RateLimiter::default(),
            auth_failures: AuthFailures::new(auth_failures),
            last_used_written: Mutex::new(HashMap::new()),
            key_cache: Mutex::new(HashMap::new()),
            merchant_limits: Mutex::new(HashMap::new()),
        }))
    }
}
