//! Claims: due deliveries taken with a lease, so each is attempted by one dispatcher at a time,
//! and taken over when its lease expires (its node crashed or stalled). A claim is shared out
//! evenly between the endpoints with room, oldest expired leases first.

use std::collections::{HashMap, HashSet};

use anton_core::id::{DeliveryId, EventId, WebhookEndpointId};

use super::{bind_key, DeliveryKey, EndpointKey, EventKey};
use crate::list::key_from_row;
use crate::list::{chunks_for, rows_from, BatchConn, RowGet, Sql};
use crate::{stored, Result, Scoped, Tenant};

/// A claimed delivery, with what the dispatcher needs to send it.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub tenant: Tenant,
    pub id: DeliveryId,
    pub endpoint_id: WebhookEndpointId,
    pub event_id: EventId,
    pub event_type: String,
    pub status: String,
    pub attempts: i64,
    pub url: String,
    pub endpoint_status: String,
    pub secret_ciphertext: String,
    pub previous_secret_ciphertext: Option<String>,
    pub previous_expires_us: Option<i64>,
    pub body: String,
}

impl Claimed {
    /// The endpoint it goes to.
    pub fn endpoint_key(&self) -> EndpointKey {
        Scoped::new(self.tenant.clone(), self.endpoint_id.clone())
    }

    /// The delivery itself.
    pub fn key(&self) -> DeliveryKey {
        Scoped::new(self.tenant.clone(), self.id.clone())
    }
}

/// Endpoints per claim statement (a `UNION ALL` of one index range scan each).
const CLAIM_UNION: usize = 64;

/// Claims due deliveries until `lease_until_us`: at most `per_endpoint` per endpoint (so one
/// endpoint's backlog never fills a claim) and `limit` in all; an endpoint listed in `allowance`
/// gets at most that many instead (its remaining prefetch and rate
/// budget on this node; 0 skips it). The lease is a conditional
/// `UPDATE`: of two dispatchers racing for a row, exactly one gets it.
/// `now_us` is the schedule's time (deliveries due by then); `lease_now_us` the real time leases
/// are compared with (so a test clock moved forward never expires a running attempt's lease).
pub async fn claim_due(
    conn: &mut BatchConn<'_>,
    now_us: i64,
    lease_now_us: i64,
    lease_until_us: i64,
    per_endpoint: i64,
    limit: usize,
    allowance: &HashMap<EndpointKey, usize>,
) -> Result<Vec<Claimed>> {
    let mut wanted = endpoints_with_room(conn, per_endpoint, allowance).await?;
    // Deliveries whose lease expired (their node crashed or stalled) first: they are the oldest
    // work. Then each endpoint's oldest due, unleased deliveries.
    let mut keys = expired_leases(conn, now_us, lease_now_us, limit, &mut wanted).await?;
    wanted.retain(|(_, room)| *room > 0);
    keys.extend(due_unleased(conn, now_us, limit.saturating_sub(keys.len()), &wanted).await?);
    keys.truncate(limit);
    let mut out = Vec::new();
    for chunk in chunks_for(conn, &keys) {
        let claimed = lease(conn, chunk, now_us, lease_now_us, lease_until_us).await?;
        if !claimed.is_empty() {
            out.extend(with_details(conn, claimed).await?);
        }
    }
    Ok(out)
}

/// The enabled endpoints with room on this node, each with its room, in a random order so that
/// no endpoint is always served last. A disabled endpoint's deliveries wait until it is enabled
/// again.
async fn endpoints_with_room(
    conn: &mut BatchConn<'_>,
    per_endpoint: i64,
    allowance: &HashMap<EndpointKey, usize>,
) -> Result<Vec<(EndpointKey, i64)>> {
    let endpoints: Vec<EndpointKey> = Sql::for_batch(
        conn,
        "SELECT merchant_id, env, id FROM webhook_endpoints WHERE status = 'enabled'",
    )
    .fetch_batch(conn, |r| key_from_row(r, "webhook endpoint id"))
    .await?;
    let mut wanted: Vec<(EndpointKey, i64)> = endpoints
        .into_iter()
        .filter_map(|ep| {
            let room = allowance
                .get(&ep)
                .copied()
                .unwrap_or(usize::try_from(per_endpoint).unwrap_or(0));
            (room > 0).then(|| (ep, i64::try_from(room).unwrap_or(0)))
        })
        .collect();
    {
        use rand::seq::SliceRandom;
        wanted.shuffle(&mut rand::thread_rng());
    }
    Ok(wanted)
}

/// Up to `limit` due, unleased deliveries of the `wanted` endpoints, at most each one's room. Per
/// endpoint, its oldest: one index range scan each (`webhook_deliveries_endpoint_due`, which
/// holds unleased deliveries only), whatever the backlog and however many are leased, in a
/// UNION ALL of up to [`CLAIM_UNION`] endpoints per statement.
///
/// The claim is shared out evenly: each endpoint gets at most its share of what is left
/// (recomputed per statement, so endpoints with little due leave more to the ones after them).
/// Taking each endpoint's whole room from the first few endpoints instead both read rows only to
/// drop them and left most endpoints idle until a later claim — with every endpoint's
/// concurrency capped, the node's attempts then ran on a handful of endpoints.
async fn due_unleased(
    conn: &mut BatchConn<'_>,
    now_us: i64,
    limit: usize,
    wanted: &[(EndpointKey, i64)],
) -> Result<Vec<DeliveryKey>> {
    let mut keys = Vec::new();
    let mut left = wanted.len();
    for chunk in wanted.chunks(CLAIM_UNION) {
        let rest = limit.saturating_sub(keys.len());
        if rest == 0 {
            break;
        }
        let share = i64::try_from(rest.div_ceil(left)).unwrap_or(i64::MAX);
        left -= chunk.len();
        let mut sql = Sql::for_batch(conn, "");
        for (i, (ep, room)) in chunk.iter().enumerate() {
            let room = (*room).min(share);
            if i > 0 {
                sql.push(" UNION ALL ");
            }
            sql.push("SELECT * FROM (SELECT merchant_id, env, id FROM webhook_deliveries WHERE merchant_id = ")
                .text(ep.tenant.m())
                .push(" AND env = ")
                .text(ep.tenant.e())
                .push(" AND endpoint_id = ")
                .text(ep.id.as_str())
                .push(" AND next_attempt_us IS NOT NULL AND lease_us IS NULL AND next_attempt_us <= ")
                .push_int(now_us)
                .push(" ORDER BY next_attempt_us LIMIT ")
                .push_int(room)
                .push(&format!(") AS q{i}"));
        }
        keys.extend(
            sql.fetch_batch(conn, |r| key_from_row(r, "delivery id"))
                .await?,
        );
    }
    Ok(keys)
}

/// Leases `keys` until `lease_until_us` by a conditional `UPDATE … FROM (VALUES …)` (a
/// primary-key lookup per row on both backends): of two dispatchers racing for a row, exactly one
/// gets it back from `RETURNING`.
async fn lease(
    conn: &mut BatchConn<'_>,
    keys: &[DeliveryKey],
    now_us: i64,
    lease_now_us: i64,
    lease_until_us: i64,
) -> Result<Vec<Claimed>> {
    let mut sql = Sql::for_batch(conn, "UPDATE webhook_deliveries SET lease_us = ");
    sql.push_int(lease_until_us).push(" FROM ");
    rows_from(&mut sql, keys, bind_key);
    sql.push(
        " WHERE webhook_deliveries.merchant_id = v.column1 AND webhook_deliveries.env = v.column2 \
         AND webhook_deliveries.id = v.column3 AND (webhook_deliveries.lease_us IS NULL OR webhook_deliveries.lease_us < ",
    )
    .push_int(lease_now_us)
    .push(") AND webhook_deliveries.next_attempt_us <= ")
    .push_int(now_us)
    .push(
        " RETURNING webhook_deliveries.merchant_id, webhook_deliveries.env, webhook_deliveries.id, \
         webhook_deliveries.endpoint_id, webhook_deliveries.event_id, webhook_deliveries.event_type, \
         webhook_deliveries.status, webhook_deliveries.attempts",
    );
    sql.fetch_batch(conn, |r| {
        Ok(Claimed {
            tenant: Tenant::from_stored(&r.text("merchant_id")?, &r.text("env")?)?,
            id: stored(&r.text("id")?, "delivery id")?,
            endpoint_id: stored(&r.text("endpoint_id")?, "webhook endpoint id")?,
            event_id: stored(&r.text("event_id")?, "event id")?,
            event_type: r.text("event_type")?,
            status: r.text("status")?,
            attempts: r.int("attempts")?,
            url: String::new(),
            endpoint_status: String::new(),
            secret_ciphertext: String::new(),
            previous_secret_ciphertext: None,
            previous_expires_us: None,
            body: String::new(),
        })
    })
    .await
}

/// Fills in what an attempt needs: the endpoints, then the event bodies, each by its whole
/// primary key from a VALUES list and joined with nothing else — in a three-way join PostgreSQL
/// without fresh statistics (a bulk load before autovacuum analyzed it) walked an index by
/// `(merchant_id, env)` alone, scanning the merchant's whole backlog per delivery.
async fn with_details(conn: &mut BatchConn<'_>, mut claimed: Vec<Claimed>) -> Result<Vec<Claimed>> {
    let endpoint_keys: Vec<EndpointKey> = claimed
        .iter()
        .map(Claimed::endpoint_key)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let endpoints = endpoint_details(conn, &endpoint_keys).await?;
    // An endpoint deleted in the same instant (another node) takes its deliveries with it: its
    // delete cancels them, so they are never claimed again.
    claimed.retain_mut(|c| {
        let Some(details) = endpoints.get(&c.endpoint_key()) else {
            return false;
        };
        c.url.clone_from(&details.url);
        c.endpoint_status.clone_from(&details.status);
        c.secret_ciphertext.clone_from(&details.secret_ciphertext);
        c.previous_secret_ciphertext
            .clone_from(&details.previous_secret_ciphertext);
        c.previous_expires_us = details.previous_expires_us;
        true
    });
    let event_keys: Vec<EventKey> = claimed
        .iter()
        .map(|c| Scoped::new(c.tenant.clone(), c.event_id.clone()))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let bodies = event_bodies(conn, &event_keys).await?;
    for c in &mut claimed {
        let key = Scoped::new(c.tenant.clone(), c.event_id.clone());
        let Some(body) = bodies.get(&key) else {
            return Err(crate::StoreError::Corrupt(
                "a delivery's event is missing".into(),
            ));
        };
        c.body.clone_from(body);
    }
    Ok(claimed)
}

/// Due deliveries whose lease expired, oldest lease first (through `webhook_deliveries_leased`,
/// which holds only the leased deliveries: normally an empty range), of the endpoints in `wanted`
/// that still have room; each one taken counts against its endpoint's room there. Disabled
/// endpoints' are skipped in the query; the rest is read a page at a time until `limit` are taken
/// or none is left, so expired leases of endpoints without room (a dead endpoint's, left to lapse)
/// never hide the ones behind them.
async fn expired_leases(
    conn: &mut BatchConn<'_>,
    now_us: i64,
    lease_now_us: i64,
    limit: usize,
    wanted: &mut [(EndpointKey, i64)],
) -> Result<Vec<DeliveryKey>> {
    let page = i64::try_from(limit.max(1)).unwrap_or(i64::MAX);
    let mut room: HashMap<EndpointKey, &mut i64> =
        wanted.iter_mut().map(|(k, r)| (k.clone(), r)).collect();
    let mut keys = Vec::new();
    // Where the last page ended: its lease and delivery.
    let mut after: Option<(i64, DeliveryKey)> = None;
    while keys.len() < limit && room.values().any(|left| **left > 0) {
        let mut sql = Sql::for_batch(
            conn,
            "SELECT d.merchant_id, d.env, d.id, d.endpoint_id, d.lease_us FROM webhook_deliveries d \
             JOIN webhook_endpoints w ON w.merchant_id = d.merchant_id AND w.env = d.env \
             AND w.id = d.endpoint_id \
             WHERE d.lease_us IS NOT NULL AND d.next_attempt_us IS NOT NULL AND d.lease_us < ",
        );
        sql.push_int(lease_now_us)
            .push(" AND d.next_attempt_us <= ")
            .push_int(now_us)
            .push(" AND w.status = 'enabled'");
        if let Some((lease, last)) = &after {
            sql.push(" AND (d.lease_us > ")
                .push_int(*lease)
                .push(" OR (d.lease_us = ")
                .push_int(*lease)
                .push(" AND (d.merchant_id, d.env, d.id) > (");
            bind_key(&mut sql, last);
            sql.push(")))");
        }
        sql.push(" ORDER BY d.lease_us, d.merchant_id, d.env, d.id LIMIT ")
            .push_int(page);
        let expired: Vec<(DeliveryKey, WebhookEndpointId, i64)> = sql
            .fetch_batch(conn, |r| {
                Ok((
                    key_from_row(r, "delivery id")?,
                    stored(&r.text("endpoint_id")?, "webhook endpoint id")?,
                    r.int("lease_us")?,
                ))
            })
            .await?;
        let full = i64::try_from(expired.len()).unwrap_or(i64::MAX) == page;
        for (delivery, endpoint, lease) in expired {
            after = Some((lease, delivery.clone()));
            if keys.len() >= limit {
                break;
            }
            let endpoint = Scoped::new(delivery.tenant.clone(), endpoint);
            if let Some(left) = room.get_mut(&endpoint) {
                if **left > 0 {
                    **left -= 1;
                    keys.push(delivery);
                }
            }
        }
        if !full {
            break;
        }
    }
    Ok(keys)
}

/// What the dispatcher needs of an endpoint to attempt a delivery to it.
#[derive(Debug, Clone)]
pub(super) struct EndpointDetails {
    pub url: String,
    pub status: String,
    pub secret_ciphertext: String,
    pub previous_secret_ciphertext: Option<String>,
    pub previous_expires_us: Option<i64>,
}

impl EndpointDetails {
    pub(super) fn from_row(r: &dyn RowGet) -> Result<Self> {
        Ok(Self {
            url: r.text("url")?,
            status: r.text("status")?,
            secret_ciphertext: r.text("secret_ciphertext")?,
            previous_secret_ciphertext: r.opt_text("previous_secret_ciphertext")?,
            previous_expires_us: r.opt_int("previous_expires_us")?,
        })
    }
}

/// Endpoints by their whole primary key, from a `VALUES` list joined with nothing else (see
/// `claim_due` for why).
async fn endpoint_details(
    conn: &mut BatchConn<'_>,
    keys: &[EndpointKey],
) -> Result<HashMap<EndpointKey, EndpointDetails>> {
    let mut out = HashMap::new();
    for chunk in chunks_for(conn, keys) {
        let mut sql = Sql::for_batch(
            conn,
            "SELECT w.merchant_id, w.env, w.id, w.url, w.status, w.secret_ciphertext, \
             w.previous_secret_ciphertext, w.previous_expires_us FROM ",
        );
        rows_from(&mut sql, chunk, bind_key);
        sql.push(
            " JOIN webhook_endpoints w ON w.merchant_id = v.column1 AND w.env = v.column2 AND w.id = v.column3",
        );
        let rows = sql
            .fetch_batch(conn, |r| {
                Ok((
                    key_from_row(r, "webhook endpoint id")?,
                    EndpointDetails::from_row(r)?,
                ))
            })
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Event bodies by their whole primary key (as `endpoint_details`).
async fn event_bodies(
    conn: &mut BatchConn<'_>,
    keys: &[EventKey],
) -> Result<HashMap<EventKey, String>> {
    let mut out = HashMap::new();
    for chunk in chunks_for(conn, keys) {
        let mut sql = Sql::for_batch(conn, "SELECT ev.merchant_id, ev.env, ev.id, ev.body FROM ");
        rows_from(&mut sql, chunk, bind_key);
        sql.push(
            " JOIN events ev ON ev.merchant_id = v.column1 AND ev.env = v.column2 AND ev.id = v.column3",
        );
        let rows = sql
            .fetch_batch(conn, |r| {
                Ok((key_from_row(r, "event id")?, r.text("body")?))
            })
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Whether a delivery of an enabled endpoint is due and not leased (a read, so an idle dispatcher
/// writes nothing). Asked per enabled endpoint through `webhook_deliveries_endpoint_due`, the
/// index claims use; a disabled endpoint's deliveries wait until it is enabled again, so they do
/// not count (the dispatcher would claim nothing for them).
pub async fn any_due(pool: &crate::Pool, now_us: i64, lease_now_us: i64) -> Result<bool> {
    let unleased = sqlx::query(
        "SELECT 1 AS one FROM webhook_endpoints w WHERE w.status = 'enabled' AND EXISTS (\
         SELECT 1 FROM webhook_deliveries d WHERE d.merchant_id = w.merchant_id AND d.env = w.env \
         AND d.endpoint_id = w.id AND d.next_attempt_us IS NOT NULL AND d.lease_us IS NULL \
         AND d.next_attempt_us <= $1) LIMIT 1",
    )
    .bind(now_us)
    .fetch_optional(pool)
    .await?;
    if unleased.is_some() {
        return Ok(true);
    }
    // Expired leases, through `webhook_deliveries_leased` (see `expired_leases`).
    Ok(sqlx::query(
        "SELECT 1 AS one FROM webhook_deliveries d JOIN webhook_endpoints w \
         ON w.merchant_id = d.merchant_id AND w.env = d.env AND w.id = d.endpoint_id \
         WHERE d.lease_us IS NOT NULL AND d.next_attempt_us IS NOT NULL AND d.lease_us < $1 \
         AND d.next_attempt_us <= $2 AND w.status = 'enabled' LIMIT 1",
    )
    .bind(lease_now_us)
    .bind(now_us)
    .fetch_optional(pool)
    .await?
    .is_some())
}

/// Gives claimed deliveries back without an attempt (a stopping node): due again at once.
pub async fn release_leases(conn: &mut BatchConn<'_>, rows: &[DeliveryKey]) -> Result<()> {
    for chunk in chunks_for(conn, rows) {
        let mut sql = Sql::for_batch(conn, "UPDATE webhook_deliveries SET lease_us = NULL FROM ");
        rows_from(&mut sql, chunk, bind_key);
        sql.push(
            " WHERE webhook_deliveries.merchant_id = v.column1 AND webhook_deliveries.env = v.column2 \
             AND webhook_deliveries.id = v.column3",
        );
        sql.execute_batch(conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use anton_core::id::WebhookEndpointId;

    use super::*;
    use crate::webhooks::test_support::*;

    #[tokio::test]
    async fn a_claim_is_shared_out_evenly_between_endpoints_with_due_deliveries() {
        let (store, dir) = setup().await;
        let mut sql = vec![event("evt_1", 1)];
        for e in 0..4 {
            sql.push(endpoint(&format!("we_{e}")));
            for d in 0..10 {
                sql.push(due_delivery(
                    &format!("del_{e}x{d}"),
                    &format!("we_{e}"),
                    "evt_1",
                ));
            }
        }
        exec(&store, sql).await;
        let claimed = store
            .write_native(|c| {
                Box::pin(async move { claim_due(c, 10, 10, 1_000, 80, 8, &HashMap::new()).await })
            })
            .await
            .unwrap();
        let mut per: HashMap<WebhookEndpointId, usize> = HashMap::new();
        for d in &claimed {
            *per.entry(d.endpoint_id.clone()).or_default() += 1;
            assert_eq!(d.body, "{\"id\":\"evt_1\"}");
            assert_eq!(d.url, format!("https://example.com/{}", d.endpoint_id));
        }
        assert_eq!(claimed.len(), 8);
        assert_eq!(per.len(), 4, "every endpoint gets a share: {per:?}");
        assert!(per.values().all(|n| *n == 2), "{per:?}");
        std::fs::remove_dir_all(dir).ok();
    }

    #[tokio::test]
    async fn a_delivery_is_due_when_unleased_on_an_enabled_endpoint() {
        let (store, dir) = setup().await;
        exec(
            &store,
            vec![
                endpoint("we_1"),
                event("evt_1", 1),
                due_delivery("del_1", "we_1", "evt_1"),
            ],
        )
        .await;
        // Due at 5: not yet at 4, due at 10.
        assert!(!any_due(store.read(), 4, 4).await.unwrap());
        assert!(any_due(store.read(), 10, 10).await.unwrap());
        // Leased until 100: not due before then (lease time), due again after.
        exec(
            &store,
            vec!["UPDATE webhook_deliveries SET lease_us = 100".into()],
        )
        .await;
        assert!(!any_due(store.read(), 10, 50).await.unwrap());
        assert!(any_due(store.read(), 10, 101).await.unwrap());
        // A disabled endpoint's deliveries wait until it is enabled again.
        exec(
            &store,
            vec!["UPDATE webhook_endpoints SET status = 'disabled'".into()],
        )
        .await;
        assert!(!any_due(store.read(), 10, 101).await.unwrap());
        std::fs::remove_dir_all(dir).ok();
    }

    #[tokio::test]
    async fn expired_leases_of_endpoints_without_room_or_disabled_do_not_hide_the_others() {
        let (store, dir) = setup().await;
        let mut sql = vec![
            endpoint("we_full"),
            endpoint("we_off"),
            endpoint("we_1"),
            event("evt_1", 1),
        ];
        for (d, ep) in [
            ("del_f0", "we_full"),
            ("del_f1", "we_full"),
            ("del_o0", "we_off"),
            ("del_o1", "we_off"),
            ("del_a0", "we_1"),
        ] {
            sql.push(due_delivery(d, ep, "evt_1"));
        }
        // All leases expired (at 100); the full endpoint's and the disabled one's are the oldest.
        sql.push(
            "UPDATE webhook_deliveries SET lease_us = 10 WHERE endpoint_id = 'we_full'".into(),
        );
        sql.push("UPDATE webhook_deliveries SET lease_us = 20 WHERE endpoint_id = 'we_off'".into());
        sql.push("UPDATE webhook_deliveries SET lease_us = 40 WHERE endpoint_id = 'we_1'".into());
        sql.push("UPDATE webhook_endpoints SET status = 'disabled' WHERE id = 'we_off'".into());
        exec(&store, sql).await;
        let allowance: HashMap<EndpointKey, usize> =
            [(endpoint_key("we_full"), 0)].into_iter().collect();
        let claimed: Vec<String> = store
            .write_native(move |c| {
                Box::pin(async move { claim_due(c, 30, 100, 1_000, 80, 2, &allowance).await })
            })
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.id.to_string())
            .collect();
        assert_eq!(claimed, ["del_a0"]);
        std::fs::remove_dir_all(dir).ok();
    }

    #[tokio::test]
    async fn a_claim_takes_expired_leases_first_then_unleased_deliveries_never_live_leases() {
        let (store, dir) = setup().await;
        let mut sql = vec![endpoint("we_1"), event("evt_1", 1)];
        for d in 0..6 {
            sql.push(due_delivery(&format!("del_{d}"), "we_1", "evt_1"));
        }
        // del_0 and del_1: leased until 50 (expired at 100); del_2: leased until 500 (live).
        sql.push(
            "UPDATE webhook_deliveries SET lease_us = 50 WHERE id IN ('del_0', 'del_1')".into(),
        );
        sql.push("UPDATE webhook_deliveries SET lease_us = 500 WHERE id = 'del_2'".into());
        // del_3: unleased but due only at 20 (earliest of the unleased is del_4, del_5 at 5).
        sql.push("UPDATE webhook_deliveries SET next_attempt_us = 20 WHERE id = 'del_3'".into());
        exec(&store, sql).await;
        let claim = |limit: usize| {
            let store = store.clone();
            async move {
                let mut ids: Vec<String> = store
                    .write_native(move |c| {
                        Box::pin(async move {
                            claim_due(c, 30, 100, 1_000, 80, limit, &HashMap::new()).await
                        })
                    })
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|d| d.id.to_string())
                    .collect();
                ids.sort();
                ids
            }
        };
        assert_eq!(claim(3).await, ["del_0", "del_1", "del_4"]);
        assert_eq!(claim(10).await, ["del_3", "del_5"]);
        // Everything is leased now (del_2 by its own live lease): nothing is due.
        assert!(claim(10).await.is_empty());
        assert!(!any_due(store.read(), 30, 100).await.unwrap());
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM webhook_deliveries WHERE lease_us = 1000"
            )
            .await,
            5
        );
        std::fs::remove_dir_all(dir).ok();
    }
}
