//! The outbox: events wait with `fanout_us` NULL until [`fan_out`] creates one delivery per
//! subscribed, enabled endpoint and marks them. A fan-out may claim the deliveries it creates
//! ([`DirectClaim`]), so a new event is one commit away from its first attempt.

use std::collections::{HashMap, HashSet};

use anton_core::id::{DeliveryId, EventId, WebhookEndpointId};

use super::claims::{Claimed, EndpointDetails};
use super::deliveries::{insert_deliveries, NewDelivery};
use super::{subscribed, EndpointKey};
use crate::list::{chunks_for, rows_from, BatchConn, Sql};
use crate::{stored, Result, Scoped, Tenant};

/// What one [`fan_out`] did.
#[derive(Debug, Clone)]
pub struct FanOut {
    /// Events fanned out (and marked).
    pub events: usize,
    /// Deliveries created.
    pub deliveries: usize,
    /// More events may be waiting (a limit was reached).
    pub more: bool,
    /// The new deliveries claimed at creation (see [`DirectClaim`]).
    pub claimed: Vec<Claimed>,
}

/// Lets [`fan_out`] claim the deliveries it creates, as [`super::claim_due`] would (same lease, same
/// per-endpoint room): they are inserted already leased and handed to the dispatcher with their
/// endpoint and body, with no claim statement, lease update or detail read of their own. Only
/// room left after the claim of older due deliveries is used, so a fresh event never starves a
/// backlog of retries.
#[derive(Debug, Clone, Copy)]
pub struct DirectClaim<'a> {
    pub lease_until_us: i64,
    /// Most deliveries claimed in all.
    pub limit: usize,
    /// Most per endpoint, for endpoints not in `room`.
    pub per_endpoint: usize,
    /// What each listed endpoint may still take (more or less than `per_endpoint`).
    pub room: &'a HashMap<EndpointKey, usize>,
}

impl DirectClaim<'_> {
    /// What `endpoint` may take in this fan-out.
    fn room_of(&self, endpoint: &EndpointKey) -> usize {
        self.room
            .get(endpoint)
            .copied()
            .unwrap_or(self.per_endpoint)
    }

    /// Whether one more new delivery to `endpoint` is claimed, given what this fan-out claimed so
    /// far (`claimed` in all, `taken` per endpoint); if so, counts it.
    fn admits(
        &self,
        endpoint: EndpointKey,
        claimed: usize,
        taken: &mut HashMap<EndpointKey, usize>,
    ) -> bool {
        if claimed >= self.limit {
            return false;
        }
        let room = self.room_of(&endpoint);
        let n = taken.entry(endpoint).or_insert(0);
        if *n >= room {
            return false;
        }
        *n += 1;
        true
    }
}

/// An event waiting in the outbox.
struct WaitingEvent {
    tenant: Tenant,
    id: EventId,
    event_type: String,
    body: String,
}

/// Creates the deliveries of up to `limit` events not fanned out yet, oldest first, and marks
/// those events; it stops after the event that brings the deliveries to `max_deliveries` (so one
/// write job stays short whatever the number of endpoints: with 100 endpoints, 512 events were
/// 51,200 inserts, a second and more during which the node claimed nothing), and with a direct
/// claim before an event with subscribers once its `limit` is used up. Runs as a writer
/// job, so on SQLite it is the only writer; on PostgreSQL the `FOR UPDATE SKIP LOCKED` lets
/// several nodes share the work.
pub async fn fan_out(
    conn: &mut BatchConn<'_>,
    backend: crate::Backend,
    now_us: i64,
    limit: i64,
    max_deliveries: usize,
    direct: Option<DirectClaim<'_>>,
) -> Result<FanOut> {
    let events = waiting_events(conn, backend, limit).await?;
    if events.is_empty() {
        return Ok(FanOut {
            events: 0,
            deliveries: 0,
            more: false,
            claimed: Vec::new(),
        });
    }
    let read = events.len();
    let endpoints = enabled_endpoints(conn, &events).await?;
    let mut deliveries = Vec::new();
    let mut claimed = Vec::new();
    // Direct claims so far per endpoint.
    let mut taken: HashMap<EndpointKey, usize> = HashMap::new();
    let mut handled = 0;
    for event in &events {
        if deliveries.len() >= max_deliveries {
            break;
        }
        let subscribers: Vec<_> = endpoints
            .get(&event.tenant)
            .map(|list| {
                list.iter()
                    .filter(|(_, enabled, _)| subscribed(enabled, &event.event_type))
                    .collect()
            })
            .unwrap_or_default();
        // With a direct claim, the node's room for new deliveries: once it is used up, the events
        // wait here, in the outbox, rather than as deliveries written now and again when claimed.
        // (Not an endpoint's room: events behind a full endpoint's would wait too — a dead
        // endpoint would hold up every other one. Its new deliveries are written unleased.)
        // Events without subscribers are marked whatever the room.
        if direct.is_some_and(|d| claimed.len() >= d.limit) && !subscribers.is_empty() {
            break;
        }
        handled += 1;
        for (endpoint_id, _, details) in subscribers {
            let mut d = NewDelivery {
                tenant: event.tenant.clone(),
                id: DeliveryId::generate(),
                endpoint_id: endpoint_id.clone(),
                event_id: event.id.clone(),
                event_type: event.event_type.clone(),
                next_attempt_us: now_us,
                lease_us: None,
                created_us: now_us,
            };
            let key = || Scoped::new(event.tenant.clone(), endpoint_id.clone());
            if let Some(direct) = direct.filter(|c| c.admits(key(), claimed.len(), &mut taken)) {
                d.lease_us = Some(direct.lease_until_us);
                claimed.push(claimed_at_creation(&d, details, event));
            }
            deliveries.push(d);
        }
    }
    insert_deliveries(conn, &deliveries).await?;
    mark_fanned_out(conn, &events[..handled], now_us).await?;
    Ok(FanOut {
        events: handled,
        deliveries: deliveries.len(),
        more: handled < read || i64::try_from(read).is_ok_and(|r| r == limit),
        claimed,
    })
}

/// Up to `limit` events not fanned out yet, oldest first (on PostgreSQL locked, skipping those
/// another node's fan-out holds).
async fn waiting_events(
    conn: &mut BatchConn<'_>,
    backend: crate::Backend,
    limit: i64,
) -> Result<Vec<WaitingEvent>> {
    let mut sql = Sql::for_batch(
        conn,
        "SELECT merchant_id, env, id, type, body FROM events WHERE fanout_us IS NULL ORDER BY created_us LIMIT ",
    );
    sql.bind(crate::list::Arg::Int(limit));
    if backend == crate::Backend::Postgres {
        sql.push(" FOR UPDATE SKIP LOCKED");
    }
    sql.fetch_batch(conn, |r| {
        Ok(WaitingEvent {
            tenant: Tenant::from_stored(&r.text("merchant_id")?, &r.text("env")?)?,
            id: stored(&r.text("id")?, "event id")?,
            event_type: r.text("type")?,
            body: r.text("body")?,
        })
    })
    .await
}

/// An endpoint that may subscribe: its id, its `enabled_events` (JSON) and what an attempt needs.
type Subscriber = (WebhookEndpointId, String, EndpointDetails);

/// The enabled endpoints of each tenant of `events`.
async fn enabled_endpoints<'e>(
    conn: &mut BatchConn<'_>,
    events: &'e [WaitingEvent],
) -> Result<HashMap<&'e Tenant, Vec<Subscriber>>> {
    let tenants: HashSet<&Tenant> = events.iter().map(|e| &e.tenant).collect();
    let mut endpoints = HashMap::new();
    for tenant in tenants {
        let mut sql = Sql::for_batch(
            conn,
            "SELECT id, enabled_events, url, status, secret_ciphertext, previous_secret_ciphertext, \
             previous_expires_us FROM webhook_endpoints WHERE merchant_id = ",
        );
        sql.text(tenant.m())
            .push(" AND env = ")
            .text(tenant.e())
            .push(" AND status = 'enabled'");
        let list = sql
            .fetch_batch(conn, |r| {
                Ok((
                    stored(&r.text("id")?, "webhook endpoint id")?,
                    r.text("enabled_events")?,
                    EndpointDetails::from_row(r)?,
                ))
            })
            .await?;
        endpoints.insert(tenant, list);
    }
    Ok(endpoints)
}

/// A new delivery, claimed as it is created: with its endpoint and body, as a claim returns it.
fn claimed_at_creation(
    d: &NewDelivery,
    details: &EndpointDetails,
    event: &WaitingEvent,
) -> Claimed {
    Claimed {
        tenant: d.tenant.clone(),
        id: d.id.clone(),
        endpoint_id: d.endpoint_id.clone(),
        event_id: event.id.clone(),
        event_type: event.event_type.clone(),
        status: "pending".into(),
        attempts: 0,
        url: details.url.clone(),
        endpoint_status: details.status.clone(),
        secret_ciphertext: details.secret_ciphertext.clone(),
        previous_secret_ciphertext: details.previous_secret_ciphertext.clone(),
        previous_expires_us: details.previous_expires_us,
        body: event.body.clone(),
    }
}

/// Marks `events` fanned out: `UPDATE … FROM (VALUES …)`, a primary-key lookup per row on both
/// backends.
async fn mark_fanned_out(
    conn: &mut BatchConn<'_>,
    events: &[WaitingEvent],
    now_us: i64,
) -> Result<()> {
    for chunk in chunks_for(conn, events) {
        let mut sql = Sql::for_batch(conn, "UPDATE events SET fanout_us = ");
        sql.push_int(now_us).push(" FROM ");
        rows_from(&mut sql, chunk, |sql, e| {
            sql.text(e.tenant.m())
                .push(", ")
                .text(e.tenant.e())
                .push(", ")
                .text(e.id.as_str());
        });
        sql.push(
            " WHERE events.merchant_id = v.column1 AND events.env = v.column2 AND events.id = v.column3",
        );
        sql.execute_batch(conn).await?;
    }
    Ok(())
}

/// Whether an event waits for fan-out (a read, so an idle dispatcher writes nothing).
pub async fn outbox_waiting(pool: &crate::Pool) -> Result<bool> {
    Ok(
        sqlx::query("SELECT 1 AS one FROM events WHERE fanout_us IS NULL LIMIT 1")
            .fetch_optional(pool)
            .await?
            .is_some(),
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::webhooks::test_support::*;

    #[tokio::test]
    async fn fan_out_claims_new_deliveries_within_each_endpoints_room_and_stops_at_its_delivery_budget(
    ) {
        let (store, dir) = setup().await;
        exec(
            &store,
            vec![
                endpoint("we_full"),
                endpoint("we_free"),
                event("evt_1", 1),
                event("evt_2", 2),
                event("evt_3", 3),
            ],
        )
        .await;
        let fanned = store
            .write_native(|c| {
                Box::pin(async move {
                    let room: HashMap<EndpointKey, usize> = [(endpoint_key("we_full"), 0)].into();
                    let direct = DirectClaim {
                        lease_until_us: 1_000,
                        limit: 10,
                        per_endpoint: 5,
                        room: &room,
                    };
                    // Two endpoints: the budget of 3 deliveries is reached by the second event.
                    fan_out(c, crate::Backend::Sqlite, 10, 100, 3, Some(direct)).await
                })
            })
            .await
            .unwrap();
        assert_eq!(
            (fanned.events, fanned.deliveries, fanned.more),
            (2, 4, true)
        );
        // we_full has no room; we_free has: both of its deliveries are claimed, with what an
        // attempt needs.
        let got: Vec<_> = fanned
            .claimed
            .iter()
            .map(|c| (c.endpoint_id.as_str(), c.event_id.as_str()))
            .collect();
        assert_eq!(got, [("we_free", "evt_1"), ("we_free", "evt_2")]);
        let c = &fanned.claimed[0];
        assert_eq!(c.body, "{\"id\":\"evt_1\"}");
        assert_eq!(c.secret_ciphertext, "ct-we_free");
        let rows: Vec<(String, Option<i64>)> = sqlx::query_as(
            "SELECT id, lease_us FROM webhook_deliveries ORDER BY endpoint_id, event_id",
        )
        .fetch_all(store.read())
        .await
        .unwrap();
        let mut leased: Vec<_> = rows
            .iter()
            .filter(|(_, l)| l.is_some())
            .map(|(id, _)| id.clone())
            .collect();
        leased.sort();
        let mut claimed: Vec<_> = fanned.claimed.iter().map(|c| c.id.to_string()).collect();
        claimed.sort();
        assert_eq!(rows.len(), 4);
        assert_eq!(leased, claimed);
        let waiting: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM events WHERE fanout_us IS NULL")
                .fetch_all(store.read())
                .await
                .unwrap();
        assert_eq!(waiting, [("evt_3".to_owned(),)]);
        std::fs::remove_dir_all(dir).ok();
    }

    #[tokio::test]
    async fn fan_out_stops_when_the_nodes_room_is_used_up_and_passes_events_nobody_subscribes_to() {
        let (store, dir) = setup().await;
        exec(
            &store,
            vec![
                endpoint("we_1"),
                endpoint("we_2"),
                // Subscribed to another type: never gets a delivery here, and takes no room.
                format!(
                    "INSERT INTO webhook_endpoints (merchant_id, env, id, url, enabled_events, \
                     status, secret_ciphertext, created_us, updated_us) VALUES ('{M}', 'live', \
                     'we_3', 'https://example.com/we_3', '[\"payout.failed\"]', 'enabled', 'ct', 1, 1)"
                ),
                format!(
                    "INSERT INTO events (merchant_id, env, id, type, object_id, body, created_us) \
                     VALUES ('{M}', 'live', 'evt_0', 'payout.created', 'po_1', '{{}}', 0)"
                ),
                event("evt_1", 1),
                event("evt_2", 2),
                event("evt_3", 3),
            ],
        )
        .await;
        let fan = |limit: usize| {
            let store = store.clone();
            async move {
                store
                    .write_native(move |c| {
                        Box::pin(async move {
                            let room = HashMap::new();
                            let direct = DirectClaim {
                                lease_until_us: 1_000,
                                limit,
                                per_endpoint: 80,
                                room: &room,
                            };
                            fan_out(c, crate::Backend::Sqlite, 10, 100, 1_000, Some(direct)).await
                        })
                    })
                    .await
                    .unwrap()
            }
        };
        // Room for 3: evt_0 (nobody subscribed) passes, evt_1 takes 2, evt_2 the third (its
        // other delivery is written unleased), and evt_3 waits in the outbox instead of becoming
        // deliveries nobody here can claim now.
        let first = fan(3).await;
        assert_eq!(
            (
                first.events,
                first.deliveries,
                first.claimed.len(),
                first.more
            ),
            (3, 4, 3, true)
        );
        // No room at all: nothing is fanned out, and the caller hears that events wait.
        let none = fan(0).await;
        assert_eq!((none.events, none.deliveries, none.more), (0, 0, true));
        let waiting: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM events WHERE fanout_us IS NULL ORDER BY id")
                .fetch_all(store.read())
                .await
                .unwrap();
        assert_eq!(waiting, [("evt_3".to_owned(),)]);
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM webhook_deliveries WHERE lease_us IS NULL"
            )
            .await,
            1
        );
        std::fs::remove_dir_all(dir).ok();
    }
}
