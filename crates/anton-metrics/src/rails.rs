//! The live file rails' families (docs/monitoring.md, docs/live-payouts.md): files sent, the
//! bank's files read (applied or quarantined), failed worker steps, and the health gauges read
//! from the database at each scrape. The `rail` label is a configured rail's key (`usd`, `eur`,
//! `gbp`): a fixed set.

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RailLabel {
    rail: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ReadLabels {
    rail: &'static str,
    outcome: &'static str,
}

/// A rail's health as read from the database at a scrape.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RailHealth {
    /// Files made and not yet (known to be) in the outbox.
    pub unsent: i64,
    /// How long the oldest of them has waited (zero when none).
    pub oldest_unsent_age: Duration,
    /// Payouts in sent files that the bank has not answered for yet.
    pub outstanding: i64,
    /// How long ago the oldest file holding one of them was sent (zero when none).
    pub oldest_outstanding_age: Duration,
}

/// The rails' families, registered in the node's registry.
pub(crate) struct RailMetrics {
    files_sent: Family<RailLabel, Counter>,
    files_read: Family<ReadLabels, Counter>,
    step_failures: Family<RailLabel, Counter>,
    unsent: Family<RailLabel, Gauge>,
    oldest_unsent: Family<RailLabel, Gauge<f64, AtomicU64>>,
    outstanding: Family<RailLabel, Gauge>,
    oldest_outstanding: Family<RailLabel, Gauge<f64, AtomicU64>>,
}

impl RailMetrics {
    pub(crate) fn register(registry: &mut Registry) -> Self {
        let m = RailMetrics {
            files_sent: Family::default(),
            files_read: Family::default(),
            step_failures: Family::default(),
            unsent: Family::default(),
            oldest_unsent: Family::default(),
            outstanding: Family::default(),
            oldest_outstanding: Family::default(),
        };
        registry.register(
            "rail_files_sent",
            "Bank files put into a live rail's outbox, by rail",
            m.files_sent.clone(),
        );
        registry.register(
            "rail_files_read",
            "The bank's files read from a live rail's inbox, by rail and outcome (applied, quarantined)",
            m.files_read.clone(),
        );
        registry.register(
            "rail_step_failures",
            "Live rail worker steps that failed and will be retried (an outbox or inbox out of reach, a file that could not be put), by rail",
            m.step_failures.clone(),
        );
        registry.register(
            "rail_files_unsent",
            "Bank files made and not yet in the outbox, by rail (read at scrape)",
            m.unsent.clone(),
        );
        registry.register_with_unit(
            "rail_oldest_unsent_age",
            "How long the oldest bank file not yet in the outbox has waited, by rail (read at scrape; 0 when none)",
            Unit::Seconds,
            m.oldest_unsent.clone(),
        );
        registry.register(
            "rail_payouts_outstanding",
            "Payouts in sent bank files with no final answer from the bank yet, by rail (read at scrape)",
            m.outstanding.clone(),
        );
        registry.register_with_unit(
            "rail_oldest_outstanding_age",
            "Time since the oldest sent bank file still holding an unanswered payout was sent, by rail (read at scrape; 0 when none)",
            Unit::Seconds,
            m.oldest_outstanding.clone(),
        );
        m
    }

    /// Makes `rail`'s counters exist at zero, so the first quarantine or failure is an
    /// increase a rule can see.
    pub(crate) fn configured(&self, rail: &'static str) {
        let _ = self.files_sent.get_or_create(&RailLabel { rail });
        let _ = self.step_failures.get_or_create(&RailLabel { rail });
        for outcome in ["applied", "quarantined"] {
            let _ = self.files_read.get_or_create(&ReadLabels { rail, outcome });
        }
    }

    pub(crate) fn file_sent(&self, rail: &'static str) {
        self.files_sent.get_or_create(&RailLabel { rail }).inc();
    }

    pub(crate) fn file_read(&self, rail: &'static str, quarantined: bool) {
        let outcome = if quarantined {
            "quarantined"
        } else {
            "applied"
        };
        self.files_read
            .get_or_create(&ReadLabels { rail, outcome })
            .inc();
    }

    pub(crate) fn step_failed(&self, rail: &'static str) {
        self.step_failures.get_or_create(&RailLabel { rail }).inc();
    }

    pub(crate) fn set_health(&self, rail: &'static str, h: &RailHealth) {
        let label = RailLabel { rail };
        self.unsent.get_or_create(&label).set(h.unsent);
        self.oldest_unsent
            .get_or_create(&label)
            .set(h.oldest_unsent_age.as_secs_f64());
        self.outstanding.get_or_create(&label).set(h.outstanding);
        self.oldest_outstanding
            .get_or_create(&label)
            .set(h.oldest_outstanding_age.as_secs_f64());
    }
}

/// A rail key as a label: one of the rails Anton has, so nothing else can mint a label value.
pub fn rail_label(rail: &str) -> &'static str {
    match rail {
        "usd" => "usd",
        "eur" => "eur",
        "gbp" => "gbp",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use crate::{Metrics, RailHealth};
    use std::time::Duration;

    #[test]
    fn rail_families_count_and_gauge_by_rail_only() {
        let m = Metrics::new();
        m.rail_configured("usd");
        m.rail_file_sent("usd");
        m.rail_file_read("eur", true);
        m.rail_step_failed("a rail no one has");
        m.set_rail_health(
            "gbp",
            &RailHealth {
                unsent: 1,
                oldest_unsent_age: Duration::from_millis(1_500),
                outstanding: 4,
                oldest_outstanding_age: Duration::from_secs(60),
            },
        );
        let text = m.render();
        for line in [
            "anton_rail_files_sent_total{rail=\"usd\"} 1",
            "anton_rail_files_read_total{rail=\"usd\",outcome=\"quarantined\"} 0",
            "anton_rail_files_read_total{rail=\"eur\",outcome=\"quarantined\"} 1",
            "anton_rail_step_failures_total{rail=\"usd\"} 0",
            "anton_rail_step_failures_total{rail=\"other\"} 1",
            "anton_rail_files_unsent{rail=\"gbp\"} 1",
            "anton_rail_oldest_unsent_age_seconds{rail=\"gbp\"} 1.5",
            "anton_rail_payouts_outstanding{rail=\"gbp\"} 4",
            "anton_rail_oldest_outstanding_age_seconds{rail=\"gbp\"} 60.0",
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
    }
}
