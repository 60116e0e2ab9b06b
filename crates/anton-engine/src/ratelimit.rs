//! Token-bucket rate limiting, per node (docs/reference.md §2): `rate` requests per second with a
//! burst of `2 × rate`. Keyed by API key id for requests, and by client address and node for
//! failed authentication (`anton_api::client`).
//!
//! A small hand-written bucket rather than a crate: limits differ per merchant and environment and
//! change at runtime, and the answer must carry the numbers for the `RateLimit-*` headers.
//! Across nodes, the caller gives each node its share of a key's limit (the limit divided by the
//! live API nodes: `anton_api::auth`, docs/operations.md).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Bound on tracked buckets; idle ones are dropped first when it is reached.
const BUCKETS_MAX: usize = 100_000;

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, Bucket>>,
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u64,
    pub remaining: u64,
    /// Seconds until a request would be allowed again (0 when allowed).
    pub retry_after_s: u64,
}

impl RateLimiter {
    /// Takes one token from `key`'s bucket (`rate` per second, capacity `2 × rate`).
    pub fn check(&self, key: &str, rate_per_s: u64) -> Decision {
        self.take(key, rate_per_s, 1.0)
    }

    /// Looks without taking (for "is this IP already over its failure budget").
    pub fn peek(&self, key: &str, rate_per_s: u64) -> Decision {
        self.take(key, rate_per_s, 0.0)
    }

    fn take(&self, key: &str, rate_per_s: u64, cost: f64) -> Decision {
        let rate = rate_per_s.max(1) as f64;
        let capacity = 2.0 * rate;
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= BUCKETS_MAX && !buckets.contains_key(key) {
            buckets.retain(|_, b| now.duration_since(b.at).as_secs() < 10);
        }
        let b = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() * rate).min(capacity);
        b.at = now;
        let allowed = b.tokens >= cost.max(1.0) || (cost == 0.0 && b.tokens >= 1.0);
        if allowed {
            b.tokens -= cost;
        }
        let missing = (1.0 - b.tokens).max(0.0);
        Decision {
            allowed,
            limit: capacity as u64,
            remaining: b.tokens.max(0.0) as u64,
            retry_after_s: if allowed {
                0
            } else {
                (missing / rate).ceil() as u64
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_a_burst_of_twice_the_rate_then_refuses() {
        let l = RateLimiter::default();
        for _ in 0..20 {
            assert!(l.check("k", 10).allowed);
        }
        let d = l.check("k", 10);
        assert!(!d.allowed);
        assert!(d.retry_after_s >= 1);
        assert!(l.check("other", 10).allowed);
    }
}
