//! The figures of the portal's dashboard: per day, the payouts created, paid and failed, the
//! amount paid per currency and the success rate; per endpoint, its deliveries of the last day
//! by outcome. Read from the store's aggregates ([`anton_store::stats`]), bounded by time.

use std::collections::BTreeMap;

use anton_store::stats::{self, DAY_US};
use anton_store::webhooks::EndpointRecord;
use anton_store::Tenant;

use crate::error::Result;
use crate::validate::ListQuery;
use crate::Engine;

/// One UTC day's payouts (those created that day, as they stand now).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayFigures {
    /// Days since the Unix epoch.
    pub day: i64,
    pub created: i64,
    pub paid: i64,
    /// Failed or returned.
    pub failed: i64,
    /// The amounts paid (status `paid`), per currency, in minor units.
    pub paid_amount: BTreeMap<String, i64>,
}

impl DayFigures {
    /// Paid among those that reached an outcome (paid, failed or returned), in per mille;
    /// `None` when none has yet.
    pub fn success_per_mille(&self) -> Option<i64> {
        let done = self.paid + self.failed;
        (done > 0).then(|| self.paid * 1000 / done)
    }
}

/// An endpoint's deliveries created in the last day, by outcome.
#[derive(Debug, Clone)]
pub struct EndpointHealth {
    pub endpoint: EndpointRecord,
    pub succeeded: i64,
    /// Retrying or exhausted.
    pub failing: i64,
    pub pending: i64,
}

#[derive(Debug, Clone)]
pub struct Dashboard {
    /// The last `days` days, oldest first, every day present (zeros where nothing happened).
    pub days: Vec<DayFigures>,
    /// The currencies paid in the window, in order.
    pub currencies: Vec<String>,
    /// The mode's endpoints (at most 100), newest first.
    pub endpoints: Vec<EndpointHealth>,
}

impl Engine {
    /// The dashboard of `tenant` at `now_us`, over the last `days` days (1–90).
    pub async fn dashboard(&self, tenant: &Tenant, days: i64, now_us: i64) -> Result<Dashboard> {
        let days = days.clamp(1, 90);
        let today = now_us.div_euclid(DAY_US);
        let first = today - days + 1;
        let rows = stats::payouts_by_day(self.store().read(), tenant, first * DAY_US).await?;
        let mut by_day: BTreeMap<i64, DayFigures> = (first..=today)
            .map(|day| {
                (
                    day,
                    DayFigures {
                        day,
                        ..DayFigures::default()
                    },
                )
            })
            .collect();
        let mut currencies = Vec::new();
        for r in rows {
            let Some(d) = by_day.get_mut(&r.day) else {
                continue;
            };
            d.created += r.count;
            match r.status.as_str() {
                "paid" => {
                    d.paid += r.count;
                    *d.paid_amount.entry(r.currency.clone()).or_default() += r.amount;
                    if !currencies.contains(&r.currency) {
                        currencies.push(r.currency);
                    }
                }
                "failed" | "returned" => d.failed += r.count,
                _ => {}
            }
        }
        currencies.sort();
        let list = ListQuery {
            limit: 100,
            ..ListQuery::default()
        };
        let mut endpoints = Vec::new();
        for e in self.list_endpoints(tenant, &list, None).await?.data {
            let counts =
                stats::deliveries_by_status(self.store().read(), tenant, &e.id, now_us - DAY_US)
                    .await?;
            let count = |names: &[&str]| {
                counts
                    .iter()
                    .filter(|(s, _)| names.contains(&s.as_str()))
                    .map(|(_, n)| n)
                    .sum()
            };
            endpoints.push(EndpointHealth {
                succeeded: count(&["succeeded"]),
                failing: count(&["retrying", "exhausted"]),
                pending: count(&["pending"]),
                endpoint: e,
            });
        }
        Ok(Dashboard {
            days: by_day.into_values().collect(),
            currencies,
            endpoints,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::DayFigures;

    #[test]
    fn the_success_rate_counts_outcomes_only() {
        let mut d = DayFigures::default();
        assert_eq!(d.success_per_mille(), None);
        d.created = 10;
        d.paid = 3;
        d.failed = 1;
        assert_eq!(d.success_per_mille(), Some(750));
    }
}
