//! Claims and leases: one fan-out-and-claim pass, a single native write job, so an event is one
//! commit away from its first attempt. Older due deliveries first (retries, a backlog; expired
//! leases first of all), then the waiting events' deliveries, claimed as they are created with
//! the room that is left. Reads come first, so an idle node writes nothing.

use std::collections::HashMap;

use anton_store::webhooks::{self, Claimed, EndpointKey};
use anton_store::{Backend, BatchConn, Store};

/// Most deliveries claimed at once.
pub(super) const CLAIM_MAX: usize = 1024;
/// Events fanned out per write.
const FANOUT_MAX: i64 = 512;
/// Deliveries created per write (the fan-out stops after the event that reaches it).
const FANOUT_DELIVERIES: usize = 2048;

/// What the previous pass found out, so this one need not ask the database: a full claim leaves
/// more due deliveries behind, and a full fan-out (or a skipped one) more waiting events. On a
/// busy node each of those reads was 10–40 ms (a hand-off to a read connection and a scan past
/// the deliveries under lease).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Known {
    pub waiting: bool,
    pub due: bool,
}

/// What one fan-out-and-claim pass did.
pub(super) struct Claim {
    /// Events were fanned out.
    pub fanned_out: bool,
    /// The fan-out was full: more events may be waiting.
    pub more_waiting: bool,
    /// Events wait and none was fanned out: this node has no room for their deliveries. They
    /// stay in the outbox until attempts finish here (which wakes the loop).
    pub no_room: bool,
    /// Deliveries per event fanned out (subscribers per event), to size the next fan-out.
    pub per_event: Option<usize>,
    /// The pass ran a write job (its time counts in [`Speeds`]).
    pub wrote: bool,
    /// The deliveries claimed (`None`: nothing waited and nothing was due).
    pub claimed: Option<Vec<Claimed>>,
}

/// What one pass may claim, and when.
pub(super) struct Pass {
    /// The schedule's time: deliveries due by then.
    pub now: i64,
    /// Real time, which leases are compared with.
    pub lease_now: i64,
    pub lease_until: i64,
    /// Most per endpoint not in `allowance`.
    pub per_endpoint: usize,
    /// Most in all (what is left of the node's room).
    pub limit: usize,
    /// What each endpoint already busy here may still take.
    pub allowance: HashMap<EndpointKey, usize>,
    pub known: Known,
    /// Deliveries per event in the last fan-out: events are read for the room there is, not
    /// FANOUT_MAX at a time (on PostgreSQL each one read is also locked).
    pub per_event: usize,
}

/// Claims due deliveries and fans out waiting events in one write job, so an event is one commit
/// away from its first attempt: older due deliveries first, then the new events' deliveries,
/// claimed as they are created with the room that is left.
pub(super) async fn fan_out_and_claim(store: &Store, pass: Pass) -> anton_store::Result<Claim> {
    // Reads first, so an idle dispatcher writes nothing.
    let waiting = pass.known.waiting || webhooks::outbox_waiting(store.read()).await?;
    let due = pass.limit > 0
        && (pass.known.due || webhooks::any_due(store.read(), pass.now, pass.lease_now).await?);
    if !waiting && !due {
        return Ok(Claim {
            fanned_out: false,
            more_waiting: false,
            no_room: false,
            per_event: None,
            wrote: false,
            claimed: None,
        });
    }
    if !due && pass.limit == 0 {
        // Events wait, but this node has no room to claim their deliveries.
        return Ok(Claim {
            fanned_out: false,
            more_waiting: true,
            no_room: true,
            per_event: None,
            wrote: false,
            claimed: Some(Vec::new()),
        });
    }
    let backend = store.backend();
    store
        .write_native(move |c| Box::pin(write_pass(c, backend, pass, waiting, due)))
        .await
}

/// The pass's write job. Older due deliveries first (retries, a backlog), then the new events'
/// deliveries with the room that is left, claimed as they are created. A full claim skips the
/// fan-out: its deliveries start now, and the next pass fans out while they run.
async fn write_pass(
    c: &mut BatchConn<'_>,
    backend: Backend,
    pass: Pass,
    waiting: bool,
    due: bool,
) -> anton_store::Result<Claim> {
    let Pass {
        now,
        lease_now,
        lease_until,
        per_endpoint,
        limit,
        allowance,
        per_event,
        ..
    } = pass;
    let claimed = if due {
        webhooks::claim_due(
            c,
            now,
            lease_now,
            lease_until,
            per_endpoint as i64,
            limit,
            &allowance,
        )
        .await?
    } else {
        Vec::new()
    };
    if !waiting || claimed.len() == limit {
        return Ok(Claim {
            fanned_out: false,
            more_waiting: waiting,
            no_room: false,
            per_event: None,
            wrote: true,
            claimed: Some(claimed),
        });
    }
    let mut room = allowance;
    for d in &claimed {
        let left = room.entry(d.endpoint_key()).or_insert(per_endpoint);
        *left = left.saturating_sub(1);
    }
    let direct = webhooks::DirectClaim {
        lease_until_us: lease_until,
        limit: limit - claimed.len(),
        per_endpoint,
        room: &room,
    };
    // Enough events for the room (one more, in case some have fewer subscribers).
    let budget = direct.limit.min(FANOUT_DELIVERIES);
    let events = i64::try_from(budget.div_ceil(per_event.max(1)) + 1)
        .unwrap_or(FANOUT_MAX)
        .min(FANOUT_MAX);
    let fanned =
        webhooks::fan_out(c, backend, now, events, FANOUT_DELIVERIES, Some(direct)).await?;
    let mut claimed = claimed;
    claimed.extend(fanned.claimed);
    Ok(Claim {
        fanned_out: fanned.events > 0,
        more_waiting: fanned.more,
        no_room: fanned.events == 0 && fanned.more,
        per_event: (fanned.events > 0 && fanned.deliveries > 0)
            .then(|| fanned.deliveries.div_ceil(fanned.events)),
        wrote: true,
        claimed: Some(claimed),
    })
}

#[cfg(test)]
mod tests {
    //! A pass on a SQLite file through the native writer (the API tests run the same on
    //! PostgreSQL).

    use anton_store::list::Sql;
    use anton_store::StoreOptions;

    use super::*;

    async fn store() -> (Store, std::path::PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("anton-engine-{}", anton_core::random_base62(10)));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("t.db").display());
        let store = Store::connect(&url, StoreOptions::default()).await.unwrap();
        store.migrate().await.unwrap();
        (store, dir)
    }

    async fn exec(store: &Store, statements: &'static [&'static str]) {
        store
            .write_native(move |c| {
                Box::pin(async move {
                    for s in statements {
                        Sql::for_batch(c, s).execute_batch(c).await?;
                    }
                    Ok(())
                })
            })
            .await
            .unwrap();
    }

    fn pass(limit: usize) -> Pass {
        Pass {
            now: 10,
            lease_now: 10,
            lease_until: 1_000,
            per_endpoint: 16,
            limit,
            allowance: HashMap::new(),
            known: Known::default(),
            per_event: 1,
        }
    }

    #[tokio::test]
    async fn an_idle_pass_writes_nothing_and_a_waiting_event_is_claimed_as_it_fans_out() {
        let (store, dir) = store().await;
        let idle = fan_out_and_claim(&store, pass(8)).await.unwrap();
        assert!(
            !idle.wrote && idle.claimed.is_none(),
            "nothing waits, nothing is due"
        );
        exec(
            &store,
            &[
                "INSERT INTO merchants (id, name, created_us) VALUES ('mer_1', 'M', 1)",
                "INSERT INTO webhook_endpoints (merchant_id, env, id, url, enabled_events, status, \
                 secret_ciphertext, created_us, updated_us) VALUES ('mer_1', 'test', 'we_1', \
                 'https://example.com/h', '[\"*\"]', 'enabled', 'ct', 1, 1)",
                "INSERT INTO events (merchant_id, env, id, type, object_id, body, created_us) \
                 VALUES ('mer_1', 'test', 'evt_1', 'payout.created', 'po_1', '{}', 1)",
            ],
        )
        .await;
        // No room on this node: the event stays in the outbox, and the caller hears so.
        let full = fan_out_and_claim(&store, pass(0)).await.unwrap();
        assert!(full.no_room && full.more_waiting && !full.wrote);
        // Room: fanned out and claimed in the same pass, ready to attempt.
        let claim = fan_out_and_claim(&store, pass(8)).await.unwrap();
        assert!(claim.wrote && claim.fanned_out);
        let claimed = claim.claimed.unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].url, "https://example.com/h");
        assert_eq!(claim.per_event, Some(1));
        std::fs::remove_dir_all(dir).ok();
    }
}
