//! Who a client is, for limits that count clients rather than keys: its [`AddressKey`], and the
//! failed-authentication budgets ([`AuthFailures`]).
//!
//! Failed authentication is counted per client address (an IPv6 client per /64) **and** across
//! the node. Neither budget ever refuses a request whose key is valid: the key is checked first,
//! and only a request that fails authentication is answered 429 instead of 401 while its address,
//! or the node, is over budget. One anonymous client behind a NAT, a corporate egress or a load
//! balancer therefore cannot lock out the merchants that share its address; an attacker spread
//! over many addresses still meets the node's budget.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anton_engine::ratelimit::{Decision, RateLimiter};

/// A client address as limits count it: an IPv4 address, or an IPv6 /64 (what one subscriber or
/// host gets; counting single IPv6 addresses would let one client use 2^64 of them). IPv4-mapped
/// IPv6 addresses count as their IPv4 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressKey {
    V4(Ipv4Addr),
    V6Prefix64(u64),
}

impl AddressKey {
    pub fn of(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V4(v4) => Self::V4(v4),
            IpAddr::V6(v6) => {
                let bits = u128::from(v6);
                Self::V6Prefix64(u64::try_from(bits >> 64).unwrap_or(u64::MAX))
            }
        }
    }
}

impl fmt::Display for AddressKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::V4(v4) => write!(f, "{v4}"),
            Self::V6Prefix64(p) => write!(f, "{}/64", Ipv6Addr::from(u128::from(*p) << 64)),
        }
    }
}

/// The failed-authentication budgets of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthFailureLimits {
    /// Failures per second per client address (IPv6: per /64); bursts of twice that.
    pub per_address_per_s: u64,
    /// Failures per second across the node; bursts of twice that.
    pub per_node_per_s: u64,
}

impl Default for AuthFailureLimits {
    fn default() -> Self {
        Self {
            per_address_per_s: 10,
            per_node_per_s: 500,
        }
    }
}

/// Which budget a failure met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Within both budgets: answer 401.
    Within,
    /// Over its address's budget: answer 429 with this decision's numbers.
    AddressOver(Decision),
    /// Over the node's budget: answer 429 with this decision's numbers.
    NodeOver(Decision),
}

/// Counts of failed authentication on this node (for metrics and the operator's log).
#[derive(Debug, Default)]
pub struct AuthFailureCounts {
    /// Every failed authentication.
    pub failures: AtomicU64,
    /// Failures answered 429 because their address was over budget.
    pub address_limited: AtomicU64,
    /// Failures answered 429 because the node was over budget.
    pub node_limited: AtomicU64,
    /// Times an address went over its budget (a lockout began).
    pub address_lockouts: AtomicU64,
    /// Times the node went over its budget.
    pub node_lockouts: AtomicU64,
}

/// A lockout counts as one while its refusals come less than this far apart: it is logged and
/// counted when it begins, not per request.
const LOCKOUT_GAP: Duration = Duration::from_secs(60);
/// Bound on remembered locked-out addresses (forgotten all at once when reached).
const LOCKOUTS_MAX: usize = 10_000;

/// The failed-authentication budgets: per address and per node.
#[derive(Debug, Default)]
pub struct AuthFailures {
    limits: AuthFailureLimits,
    per_address: RateLimiter,
    per_node: RateLimiter,
    pub counts: AuthFailureCounts,
    /// When each locked-out address, and the node, was last refused.
    last_refused: Mutex<(HashMap<AddressKey, Instant>, Option<Instant>)>,
}

impl AuthFailures {
    pub fn new(limits: AuthFailureLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    pub fn limits(&self) -> AuthFailureLimits {
        self.limits
    }

    /// Counts one failed authentication from `address` (`None`: unknown) against its address's
    /// budget and, when within that, the node's; says whether it is within both.
    pub fn fail(&self, address: Option<AddressKey>) -> Budget {
        self.counts.failures.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        if let Some(a) = address {
            let d = self
                .per_address
                .check(&a.to_string(), self.limits.per_address_per_s);
            if !d.allowed {
                // Not charged to the node's budget: one address over its own budget cannot use
                // up everyone's.
                self.counts.address_limited.fetch_add(1, Ordering::Relaxed);
                if self.lockout_begins(Some(a), now) {
                    self.counts.address_lockouts.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(client.address = %a, limit_per_s = self.limits.per_address_per_s,
                        "failed authentication over the address's budget: its failures now get 429");
                }
                return Budget::AddressOver(d);
            }
        }
        let node = self.per_node.check("node", self.limits.per_node_per_s);
        if !node.allowed {
            self.counts.node_limited.fetch_add(1, Ordering::Relaxed);
            if self.lockout_begins(None, now) {
                self.counts.node_lockouts.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(
                    limit_per_s = self.limits.per_node_per_s,
                    "failed authentication over the node's budget: failures now get 429"
                );
            }
            return Budget::NodeOver(node);
        }
        Budget::Within
    }

    /// Records a refusal of `who` (`None`: the node) at `now`; true when it begins a lockout.
    fn lockout_begins(&self, who: Option<AddressKey>, now: Instant) -> bool {
        let mut guard = self.last_refused.lock().unwrap_or_else(|p| p.into_inner());
        let (addresses, node) = &mut *guard;
        let last = match who {
            Some(a) => {
                if addresses.len() >= LOCKOUTS_MAX && !addresses.contains_key(&a) {
                    addresses.clear();
                }
                addresses.insert(a, now)
            }
            None => node.replace(now),
        };
        last.is_none_or(|t| now.duration_since(t) >= LOCKOUT_GAP)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> AddressKey {
        AddressKey::of(s.parse().unwrap())
    }

    #[test]
    fn ipv6_clients_are_counted_per_64_and_ipv4_per_address() {
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:ffff::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:10.0.0.1"), key("10.0.0.1"));
        assert_ne!(key("10.0.0.2"), key("10.0.0.1"));
        assert_eq!(key("2001:db8:1:2:aaaa::1").to_string(), "2001:db8:1:2::/64");
    }

    #[test]
    fn an_address_over_its_budget_is_limited_without_limiting_other_addresses() {
        let f = AuthFailures::new(AuthFailureLimits {
            per_address_per_s: 5,
            per_node_per_s: 1000,
        });
        for _ in 0..10 {
            assert_eq!(f.fail(Some(key("198.51.100.7"))), Budget::Within);
        }
        assert!(matches!(
            f.fail(Some(key("198.51.100.7"))),
            Budget::AddressOver(_)
        ));
        assert!(matches!(
            f.fail(Some(key("198.51.100.7"))),
            Budget::AddressOver(_)
        ));
        assert_eq!(f.fail(Some(key("198.51.100.8"))), Budget::Within);
        // An IPv6 client is limited for its whole /64, not one address of it.
        for i in 0..10 {
            assert_eq!(f.fail(Some(key(&format!("2001:db8::{i}")))), Budget::Within);
        }
        assert!(matches!(
            f.fail(Some(key("2001:db8::ffff:1"))),
            Budget::AddressOver(_)
        ));
        assert_eq!(f.fail(Some(key("2001:db8:0:1::1"))), Budget::Within);
        assert_eq!(f.counts.address_lockouts.load(Ordering::Relaxed), 2);
        assert_eq!(f.counts.address_limited.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn one_address_over_its_budget_does_not_use_up_the_nodes() {
        let f = AuthFailures::new(AuthFailureLimits {
            per_address_per_s: 1,
            per_node_per_s: 10,
        });
        for _ in 0..100 {
            f.fail(Some(key("203.0.113.9")));
        }
        assert_eq!(f.fail(Some(key("203.0.113.10"))), Budget::Within);
    }

    #[test]
    fn failures_spread_over_many_addresses_meet_the_node_budget() {
        let f = AuthFailures::new(AuthFailureLimits {
            per_address_per_s: 5,
            per_node_per_s: 10,
        });
        let outcomes: Vec<Budget> = (0..40u32)
            .map(|i| f.fail(Some(AddressKey::V4(Ipv4Addr::from(0x0a00_0000 + i)))))
            .collect();
        let within = outcomes.iter().filter(|b| **b == Budget::Within).count();
        assert_eq!(within, 20, "the node's burst is twice its rate");
        assert!(matches!(outcomes[39], Budget::NodeOver(_)));
        assert_eq!(f.counts.node_lockouts.load(Ordering::Relaxed), 1);
    }
}
