//! Outcome recording and retry scheduling: a recorder task writes every finished attempt
//! waiting in one native write job, set-based — the attempt log, each delivery's next state
//! (retry on the schedule with jitter and a bounded `Retry-After`, or `succeeded`/`exhausted`),
//! the `delivery.failing|exhausted|recovered` events, the endpoints' failure clocks and
//! disabling (410, or failing for `disable_after_ms`).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use anton_core::event::{EventType, NewEvent};
use anton_core::time::Timestamp;
use anton_store::webhooks::{self, AttemptOutcome, DeliveryKey, DeliveryRecord, EndpointKey};
use anton_store::{events, now_us, BatchConn, Store, Tenant};
use rand::Rng;
use tokio::sync::mpsc;

use super::sending::Done;
use crate::objects::{to_value, DeliveryOut, EndpointOut};
use crate::webhooks::{WebhookRuntime, WebhooksConfig};

/// Finished attempts recorded in one write job, at most.
const RECORD_BATCH_MAX: usize = 512;

/// The delay before retry `n` (1-based) with ±20% jitter; `None` when the schedule is used up.
fn retry_delay(schedule: &[u64], n: usize, retry_after: Option<Duration>) -> Option<i64> {
    let base_ms = *schedule.get(n.checked_sub(1)?)?;
    let jitter = rand::thread_rng().gen_range(0.8..=1.2);
    let mut ms = (base_ms as f64 * jitter) as i64;
    if let Some(ra) = retry_after {
        // Honoured within [scheduled, 2 × scheduled].
        let ra_ms = i64::try_from(ra.as_millis()).unwrap_or(i64::MAX);
        ms = ra_ms.clamp(ms, ms.saturating_mul(2));
    }
    Some(ms.saturating_mul(1_000))
}

/// Records outcomes in batches: one write job for everything waiting.
pub(super) async fn record(
    store: Store,
    config: WebhooksConfig,
    runtime: Arc<WebhookRuntime>,
    mut rx: mpsc::UnboundedReceiver<Done>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < RECORD_BATCH_MAX {
            match rx.try_recv() {
                Ok(d) => batch.push(d),
                Err(_) => break,
            }
        }
        // A batch that fails (a lost connection, a deadlock with another node) was rolled back
        // whole, so it is written again — twice more, after a short pause — before its leases
        // are left to expire (then the deliveries are attempted again: at least once, but late
        // and duplicated).
        let batch = Arc::new(batch);
        for pause_ms in [100, 1_000, 0] {
            let now = runtime.clock.now_us();
            let (config, batch) = (config.clone(), Arc::clone(&batch));
            let result = store
                .write_native(move |c| {
                    Box::pin(async move { apply_all(c, &config, &batch, now).await })
                })
                .await;
            match result {
                Ok(()) => break,
                Err(e) if pause_ms > 0 => {
                    tracing::warn!(error = %e, "recording webhook attempts failed; trying again");
                    tokio::time::sleep(Duration::from_millis(pause_ms)).await;
                }
                Err(e) => tracing::warn!(
                    error = %e,
                    "recording webhook attempts failed; their leases expire and they are sent again"
                ),
            }
        }
    }
}

fn is_operational(event_type: &str) -> bool {
    event_type.starts_with("delivery.")
}

/// What a batch of outcomes writes.
#[derive(Default)]
struct Plan {
    attempts: Vec<(DeliveryKey, AttemptOutcome)>,
    succeeded: HashSet<EndpointKey>,
    failed: HashSet<EndpointKey>,
    /// Endpoints that answered 410 Gone.
    gone: Vec<EndpointKey>,
    raised: Vec<(Tenant, NewEvent)>,
}

impl Plan {
    /// Decides each outcome's consequences: the delivery's next state, the events it raises, what
    /// it says of its endpoint.
    fn of(config: &WebhooksConfig, batch: &[Done], now: i64) -> Self {
        let mut plan = Self::default();
        for done in batch {
            let d = &done.delivery;
            let n = d.attempts + 1;
            let ok = done.status_code.is_some_and(|s| (200..300).contains(&s));
            let is_gone = done.status_code == Some(410);
            let (new_status, next) = if ok {
                ("succeeded", None)
            } else if is_gone {
                ("exhausted", None)
            } else {
                match retry_delay(&config.retry_schedule_ms, n as usize, done.retry_after) {
                    Some(delay) => ("retrying", Some(now + delay)),
                    None => ("exhausted", None),
                }
            };
            let outcome = AttemptOutcome {
                attempt: n,
                started_us: done.started_us,
                latency_us: done.latency_us,
                status_code: done.status_code.map(i64::from),
                response_body: done.body.clone(),
                error_class: done.error_class.map(str::to_owned),
                new_status: new_status.into(),
                next_attempt_us: next,
            };
            // No delivery.* events about deliveries of delivery.* events: no feedback loop.
            let operational = is_operational(&d.event_type);
            let failing_after = i64::from(config.failing_after_attempts);
            let raised = if ok {
                (!operational && d.attempts >= failing_after)
                    .then_some(EventType::DeliveryRecovered)
            } else if operational {
                None
            } else if new_status == "exhausted" && !is_gone {
                Some(EventType::DeliveryExhausted)
            } else {
                (n == failing_after).then_some(EventType::DeliveryFailing)
            };
            if let Some(ty) = raised {
                plan.raised
                    .push((d.tenant.clone(), delivery_event(ty, done, &outcome, now)));
            }
            let endpoint = d.endpoint_key();
            if ok {
                plan.succeeded.insert(endpoint);
            } else {
                if is_gone {
                    plan.gone.push(endpoint.clone());
                }
                plan.failed.insert(endpoint);
            }
            plan.attempts.push((d.key(), outcome));
        }
        plan
    }
}

/// A `delivery.*` event about the delivery of `done` in its new state.
fn delivery_event(ty: EventType, done: &Done, outcome: &AttemptOutcome, now: i64) -> NewEvent {
    let d = &done.delivery;
    let record = DeliveryRecord {
        id: d.id.clone(),
        endpoint_id: d.endpoint_id.clone(),
        event_id: d.event_id.clone(),
        event_type: d.event_type.clone(),
        status: outcome.new_status.clone(),
        attempts: outcome.attempt,
        next_attempt_us: outcome.next_attempt_us,
        last_status_code: outcome.status_code,
        last_error: outcome.error_class.clone(),
        created_us: now,
        updated_us: now,
    };
    NewEvent::new(
        ty,
        d.tenant.env,
        Timestamp::from_unix_micros(now_us()),
        d.id.as_str(),
        to_value(&DeliveryOut::from_record(&record, &[], d.tenant.env)),
        None,
    )
}

/// Writes a batch of outcomes: the attempts and the deliveries' next states set-based, then the
/// endpoints' failure clocks, and the rare consequences (operational events, disabling) row by
/// row.
async fn apply_all(
    c: &mut BatchConn<'_>,
    config: &WebhooksConfig,
    batch: &[Done],
    now: i64,
) -> anton_store::Result<()> {
    let Plan {
        attempts,
        succeeded,
        failed,
        mut gone,
        raised,
    } = Plan::of(config, batch, now);
    webhooks::record_attempts(c, &attempts, now).await?;
    // Endpoint rows are written in key order, as every node does, so two nodes recording at once
    // wait for each other instead of deadlocking.
    let mut succeeded: Vec<_> = succeeded.into_iter().collect();
    succeeded.sort();
    webhooks::clear_failing(c, &succeeded).await?;
    // An endpoint that also succeeded in this batch is alive: its clock does not start.
    let mut failed: Vec<_> = failed
        .into_iter()
        .filter(|e| !succeeded.contains(e))
        .collect();
    failed.sort();
    gone.sort();
    let since = webhooks::start_failing(c, &failed, now).await?;
    let limit = i64::try_from(config.disable_after_ms)
        .unwrap_or(i64::MAX)
        .saturating_mul(1_000);
    for endpoint in &failed {
        if since.get(endpoint).is_some_and(|s| now - s >= limit) {
            disable(c, endpoint, now).await?;
        }
    }
    for endpoint in &gone {
        disable(c, endpoint, now).await?;
    }
    events::insert_many(c, &raised).await?;
    Ok(())
}

async fn disable(
    c: &mut BatchConn<'_>,
    endpoint: &EndpointKey,
    now: i64,
) -> anton_store::Result<()> {
    if !webhooks::disable_endpoint(c, endpoint, now).await? {
        return Ok(());
    }
    let t = &endpoint.tenant;
    if let Some(r) = webhooks::get_endpoint_on(c, t, &endpoint.id).await? {
        let object = to_value(&EndpointOut::from_record(&r, t.env));
        let ev = NewEvent::new(
            EventType::WebhookEndpointDisabled,
            t.env,
            Timestamp::from_unix_micros(now_us()),
            endpoint.id.as_str(),
            object,
            None,
        );
        events::insert_many(c, &[(t.clone(), ev)]).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_follow_the_schedule_with_jitter_and_bounded_retry_after() {
        let schedule = [5_000, 300_000];
        for _ in 0..100 {
            let d = retry_delay(&schedule, 1, None).unwrap();
            assert!((4_000_000..=6_000_000).contains(&d), "{d}");
            let d = retry_delay(&schedule, 2, Some(Duration::from_secs(10_000))).unwrap();
            assert!(
                d <= 720_000_000,
                "Retry-After is capped at twice the scheduled delay: {d}"
            );
            let d = retry_delay(&schedule, 2, Some(Duration::from_secs(1))).unwrap();
            assert!(
                d >= 240_000_000,
                "Retry-After never shortens the schedule: {d}"
            );
        }
        assert_eq!(retry_delay(&schedule, 3, None), None);
    }
}
