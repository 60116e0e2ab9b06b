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
use anton_metrics::{AttemptOutcome as Attempted, Metrics};
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

/// Counts finished attempts in the node's metrics: each by outcome, and for each success the time
/// since its event was created (the event id's time; wall clock, like the event's `created`).
fn count(metrics: &Metrics, batch: &[Done]) {
    let now_ms = u64::try_from(now_us() / 1_000).unwrap_or(0);
    for done in batch {
        let outcome = match (done.status_code, done.error_class) {
            (Some(status), _) => Attempted::of_status(status),
            (None, Some("timeout")) => Attempted::Timeout,
            (None, Some("connect")) => Attempted::Connect,
            (None, Some("tls")) => Attempted::Tls,
            (None, Some("refused_destination")) => Attempted::Refused,
            (None, _) => Attempted::Other,
        };
        metrics.webhook_attempt(outcome);
        if outcome == Attempted::Status2xx {
            if let Some(created) = done.delivery.event_id.generated_unix_ms() {
                metrics.delivered(Duration::from_millis(now_ms.saturating_sub(created)));
            }
        }
    }
}

/// Records outcomes in batches: one write job for everything waiting.
pub(super) async fn record(
    store: Store,
    config: WebhooksConfig,
    runtime: Arc<WebhookRuntime>,
    metrics: Arc<Metrics>,
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
        count(&metrics, &batch);
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
            let raised = if is_operational(&d.event_type) {
                Vec::new()
            } else {
                raised_events(config, d.attempts, ok, is_gone, new_status)
            };
            let created = now_us();
            for (ty, at) in raised.into_iter().zip(created..) {
                plan.raised.push((
                    d.tenant.clone(),
                    delivery_event(ty, done, &outcome, now, at),
                ));
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

/// The `delivery.*` events an attempt raises, in order, for a delivery that had failed
/// `attempts` times before it. `delivery.failing` is raised once, when the failed attempts reach
/// `failing_after_attempts` or the delivery is exhausted, whichever comes first (a short retry
/// schedule still reports the failure before the exhaustion); `delivery.recovered` only follows a
/// `delivery.failing` that was raised. A 410 disables the endpoint instead.
fn raised_events(
    config: &WebhooksConfig,
    attempts: i64,
    ok: bool,
    is_gone: bool,
    new_status: &str,
) -> Vec<EventType> {
    let exhausted_at = i64::try_from(config.retry_schedule_ms.len()).unwrap_or(i64::MAX) + 1;
    let failing_at = i64::from(config.failing_after_attempts).min(exhausted_at);
    let n = attempts + 1;
    if ok {
        return if attempts >= failing_at {
            vec![EventType::DeliveryRecovered]
        } else {
            Vec::new()
        };
    }
    if is_gone {
        return Vec::new();
    }
    let exhausted = new_status == "exhausted";
    let mut raised = Vec::new();
    if n == failing_at || (exhausted && attempts < failing_at) {
        raised.push(EventType::DeliveryFailing);
    }
    if exhausted {
        raised.push(EventType::DeliveryExhausted);
    }
    raised
}

/// A `delivery.*` event about the delivery of `done` in its new state, created at `created_us`.
fn delivery_event(
    ty: EventType,
    done: &Done,
    outcome: &AttemptOutcome,
    now: i64,
    created_us: i64,
) -> NewEvent {
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
        Timestamp::from_unix_micros(created_us),
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
        let signal = anton_store::alerts::Signal {
            tenant: t.clone(),
            rule: crate::alerts::Rule::WebhookEndpointDisabled.as_str(),
            subject: endpoint.id.to_string(),
            count: 1,
            last_us: now,
            detail: serde_json::json!({"webhook_endpoint": endpoint.id.as_str(), "url": r.url})
                .to_string(),
        };
        anton_store::alerts::insert_signals(c, &[signal], now).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failing_is_raised_once_before_exhaustion_and_recovered_only_after_it() {
        use EventType::{DeliveryExhausted as X, DeliveryFailing as F, DeliveryRecovered as R};
        let config = |retries: usize| WebhooksConfig {
            retry_schedule_ms: vec![1_000; retries],
            failing_after_attempts: 4,
            ..WebhooksConfig::default()
        };
        // Attempts fail one after another; the last one is the schedule's end.
        let run = |retries: usize| -> Vec<Vec<EventType>> {
            (0..=retries as i64)
                .map(|before| {
                    let status = if before as usize == retries {
                        "exhausted"
                    } else {
                        "retrying"
                    };
                    raised_events(&config(retries), before, false, false, status)
                })
                .collect()
        };
        // The long schedule: failing at the 4th failure, exhausted at the end.
        let long = run(8);
        assert_eq!(long[3], [F]);
        assert_eq!(long[8], [X]);
        assert_eq!(long.iter().flatten().filter(|e| **e == F).count(), 1);
        // Three retries or fewer: the failure is still reported, before the exhaustion.
        for retries in [0, 1, 2, 3] {
            let short = run(retries);
            assert_eq!(
                short.iter().flatten().collect::<Vec<_>>(),
                [&F, &X],
                "{retries} retries"
            );
        }
        // Recovered only after a failing that was raised: 2 failures on the long schedule are
        // not reported, so their later success is no recovery; after 4 (or an exhaustion of a
        // short schedule) it is.
        assert!(raised_events(&config(8), 2, true, false, "succeeded").is_empty());
        assert_eq!(raised_events(&config(8), 4, true, false, "succeeded"), [R]);
        assert_eq!(raised_events(&config(2), 3, true, false, "succeeded"), [R]);
        // A 410 disables the endpoint instead of raising delivery events.
        assert!(raised_events(&config(1), 1, false, true, "exhausted").is_empty());
    }

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
