//! The payout-creation hot path as a set-based batch (DESIGN.md §10).
//!
//! `create_payout` validates a request and hands the writer a [`Creation`] — data, not a closure.
//! The writer gives every creation waiting in a group commit to [`PayoutCreations`] at once, which
//! handles them with a constant number of statements, whatever the batch size:
//!
//! 1. read the stored idempotency records of the batch's keys (one `SELECT … IN (VALUES …)`); a
//!    stored key answers with its stored response (or 422 for another request);
//! 2. read the recipients (one statement);
//! 3. read the `available` balances involved — on PostgreSQL either locked (`SELECT … FOR
//!    UPDATE`, in key order, so batches cannot deadlock on them) or, in the parallel lanes'
//!    optimistic mode, unlocked (see step 6);
//! 4. decide each creation **in arrival order, inside the transaction**, against those balances;
//! 5. store the keyed responses (`INSERT … ON CONFLICT DO NOTHING RETURNING`, in key order): a key
//!    another node stored since step 1 lost the race — that creation takes no effect here and
//!    replays the winner's response;
//! 6. write the effects of the creations that stand in bulk: postings, payouts, events, and last
//!    the balance deltas. Optimistic batches take the balance rows' locks only here, so batches
//!    of several lanes overlap; if another lane's commit left the balance short of what this
//!    batch decided, the `available >= 0` CHECK fails and the writer runs the batch again from
//!    the start, locking at step 3. A batch whose debits still fit decided exactly what it would
//!    have decided on the committed balance (every creation it made fits it, so every refusal
//!    was short of it too): the batches are equivalent to running one after the other.
//!
//! Money and idempotency decisions stay inside the database transaction, under the row locks (and
//! SQLite's single writer); the invariants are exactly those of the one-request path. Everything
//! commits with the rest of the group commit, and each caller is answered only after that.

use std::collections::{HashMap, HashSet};

use anton_core::event::{EventType, NewEvent};
use anton_core::id::{BalanceTransactionId, PayoutId, RecipientId};
use anton_core::ledger::{LedgerAccount, Posting, PostingKind};
use anton_core::money::{Amount, Currency};
use anton_core::payout::PayoutStatus;
use anton_core::time::Timestamp;
use anton_store::idempotency::{self, KeyRef};
use anton_store::ledger::{self, BalanceKey, PostingRow};
use anton_store::list::{BatchConn, Sql};
use anton_store::payouts::{self, PayoutRecord};
use anton_store::{events, now_us, recipients, BatchItem, BatchMode, BatchRunner, Tenant};
use axum::http::StatusCode;
use futures_util::future::BoxFuture;

use crate::api::error::ApiError;
use crate::api::request_id;

/// One validated payout creation request, with everything that does not depend on the decision
/// already prepared by the request's own task (ids, the payout row, the response body, the event),
/// so the single writer task spends its time only on deciding and writing.
pub struct Creation {
    pub tenant: Tenant,
    /// `(Idempotency-Key, request fingerprint)`.
    pub idempotency: Option<(String, String)>,
    /// For the error bodies this creation may store.
    pub request_id: String,
    pub amount: Amount,
    pub currency: Currency,
    /// The payout to insert if created; `outcome_last4` is filled in from the recipient.
    pub record: PayoutRecord,
    /// The 200 response body (the payout object).
    pub body: String,
    /// `payout.created`, rendered.
    pub event: NewEvent,
    /// The id of the reserve posting.
    pub posting_id: BalanceTransactionId,
}

impl Creation {
    /// Prepares a creation at time `now_us`.
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per field of a validated request"
    )]
    pub fn prepare(
        tenant: Tenant,
        idempotency: Option<(String, String)>,
        request_id: String,
        recipient_id: RecipientId,
        amount: Amount,
        currency: Currency,
        description: Option<String>,
        metadata: String,
        first_rail_step_us: Option<i64>,
        now_us: i64,
    ) -> Self {
        let record = PayoutRecord {
            id: PayoutId::generate(),
            recipient_id,
            amount: amount.minor(),
            currency: currency.as_str().into(),
            status: PayoutStatus::Pending,
            failure_code: None,
            failure_message: None,
            description,
            metadata,
            outcome_last4: String::new(),
            arrival_date: None,
            rail_due_us: first_rail_step_us.map(|d| now_us + d),
            created: Timestamp::from_unix_micros(now_us),
            updated: Timestamp::from_unix_micros(now_us),
        };
        let object = super::payout_json(&record, tenant.env);
        let body = object.to_string();
        let event = NewEvent::new(
            EventType::PayoutCreated,
            tenant.env,
            record.created,
            record.id.as_str(),
            object,
            None,
        );
        Self {
            tenant,
            idempotency,
            request_id,
            amount,
            currency,
            record,
            body,
            event,
            posting_id: BalanceTransactionId::generate(),
        }
    }
}

/// What a creation's caller gets.
pub enum Outcome {
    /// This request ran: status and body (a payout, or a refusal).
    Fresh(StatusCode, String),
    /// The key's stored response (same request as before).
    Replay(StatusCode, String),
    /// The key was used with another request.
    Mismatch,
    /// The key's first request is still running.
    InFlight,
}

/// The batch runner registered with the store (see `startup::open_store`).
pub struct PayoutCreations;

impl BatchRunner for PayoutCreations {
    fn run<'c, 'a: 'c>(
        &'c self,
        conn: &'c mut BatchConn<'a>,
        mode: BatchMode,
        items: &'c [BatchItem],
    ) -> BoxFuture<'c, anton_store::Result<Vec<BatchItem>>> {
        Box::pin(async move {
            let creations = items
                .iter()
                .map(|item| {
                    item.downcast_ref::<Creation>().ok_or_else(|| {
                        anton_store::StoreError::Corrupt(
                            "a batched item is not a payout creation".into(),
                        )
                    })
                })
                .collect::<anton_store::Result<Vec<_>>>()?;
            let outcomes = run_creations(conn, mode, &creations).await?;
            Ok(outcomes
                .into_iter()
                .map(|o| Box::new(o) as BatchItem)
                .collect())
        })
    }
}

fn key_ref(c: &Creation) -> Option<KeyRef> {
    c.idempotency.as_ref().map(|(k, _)| {
        (
            c.tenant.merchant_id.to_string(),
            c.tenant.env.as_str().to_owned(),
            k.clone(),
        )
    })
}

fn balance_key(c: &Creation) -> BalanceKey {
    (
        c.tenant.merchant_id.to_string(),
        c.tenant.env.as_str().to_owned(),
        c.currency.as_str().to_owned(),
    )
}

fn refusal(c: &Creation, e: ApiError) -> Outcome {
    let body = request_id::with_id(c.request_id.clone(), || e.body());
    Outcome::Fresh(e.status, body)
}

async fn run_creations(
    conn: &mut BatchConn<'_>,
    mode: BatchMode,
    items: &[&Creation],
) -> anton_store::Result<Vec<Outcome>> {
    let now = now_us();
    let mut outcomes: Vec<Option<Outcome>> = items.iter().map(|_| None).collect();

    // 1. Keys already stored answer from their stored response; a key twice in one batch is in
    //    flight for the second request.
    let mut seen = HashSet::new();
    let mut keys = Vec::new();
    for (i, c) in items.iter().enumerate() {
        if let Some(k) = key_ref(c) {
            if seen.insert(k.clone()) {
                keys.push(k);
            } else {
                outcomes[i] = Some(Outcome::InFlight);
            }
        }
    }
    // Optimistic (PostgreSQL lanes): steps 1-3 read in one statement, for every creation not
    // already in flight (a few lookups too many when a key replays; one round trip, not three).
    let mut prefetched = if mode == BatchMode::Optimistic {
        let candidates: Vec<usize> = (0..items.len())
            .filter(|i| outcomes[*i].is_none())
            .collect();
        Some(
            payouts::creation_reads(
                conn,
                &keys,
                &recipient_keys(items, &candidates),
                &balance_keys(items, &candidates),
            )
            .await?,
        )
    } else {
        None
    };
    let stored = match prefetched.as_mut() {
        Some(p) => std::mem::take(&mut p.stored),
        None => idempotency::get_many(conn, &keys).await?,
    };
    for (i, c) in items.iter().enumerate() {
        let (Some(k), Some((_, fp))) = (key_ref(c), &c.idempotency) else {
            continue;
        };
        if outcomes[i].is_some() {
            continue;
        }
        if let Some(s) = stored.get(&k) {
            outcomes[i] = Some(replay_or_mismatch(s, fp));
        }
    }

    // 2. Recipients of the creations still undecided.
    let undecided: Vec<usize> = (0..items.len())
        .filter(|i| outcomes[*i].is_none())
        .collect();
    let recipients = match prefetched.as_mut() {
        Some(p) => std::mem::take(&mut p.recipients),
        None => recipients::get_many_brief(conn, &recipient_keys(items, &undecided)).await?,
    };

    // 3. Read the balances involved: locked, in the global order, when locking; without locks
    //    when optimistic (see `lock_debited`).
    let mut available = match prefetched {
        Some(p) => p.available,
        None => {
            let lock = mode == BatchMode::Locking;
            ledger::read_available(conn, lock, &balance_keys(items, &undecided)).await?
        }
    };

    // 4. Decide in arrival order.
    let mut created = decide(
        items,
        &undecided,
        &recipients,
        &mut available,
        &mut outcomes,
    );

    let mut records: Vec<idempotency::NewRecord> = Vec::new();
    for (i, c) in items.iter().enumerate() {
        if let (Some(k), Some((_, fp)), Some(Outcome::Fresh(status, body))) =
            (key_ref(c), &c.idempotency, &outcomes[i])
        {
            records.push((k, fp.clone(), status.as_u16(), body.clone()));
        }
    }

    // 5 and 6 at once, optimistic: see `write_at_once`.
    if mode == BatchMode::Optimistic {
        let effects = Effects::of(items, &created, now);
        lock_debited(conn, &effects.deltas).await?;
        write_at_once(conn, &mut records, &effects, now)
            .await
            .map_err(|e| match e {
                anton_store::StoreError::CheckViolation => anton_store::StoreError::Stale,
                e => e,
            })?;
        return Ok(outcomes
            .into_iter()
            .map(|o| o.unwrap_or(Outcome::InFlight))
            .collect());
    }

    // 5. Store the responses of keyed requests. A key another node stored since step 1 lost the
    //    race: that request takes no effect here and replays the winner's response.
    let won = idempotency::store_new_many(conn, &mut records, now).await?;
    let lost: Vec<KeyRef> = records
        .iter()
        .map(|r| r.0.clone())
        .filter(|k| !won.contains(k))
        .collect();
    if !lost.is_empty() {
        let winners = idempotency::get_many(conn, &lost).await?;
        for (i, c) in items.iter().enumerate() {
            let (Some(k), Some((_, fp))) = (key_ref(c), &c.idempotency) else {
                continue;
            };
            if lost.contains(&k) {
                created[i] = None;
                outcomes[i] = Some(
                    winners
                        .get(&k)
                        .map_or(Outcome::InFlight, |s| replay_or_mismatch(s, fp)),
                );
            }
        }
    }

    // 6. Write the effects of the creations that stand, in bulk.
    write_effects(conn, &Effects::of(items, &created, now)).await?;

    Ok(outcomes
        .into_iter()
        .map(|o| o.unwrap_or(Outcome::InFlight))
        .collect())
}

/// The distinct recipients of `items[i]` for each `i` in `which`.
fn recipient_keys(items: &[&Creation], which: &[usize]) -> Vec<(String, String, String)> {
    which
        .iter()
        .map(|&i| recipient_key(items[i]))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect()
}

/// The distinct balances of `items[i]` for each `i` in `which`, sorted (the lock order).
fn balance_keys(items: &[&Creation], which: &[usize]) -> Vec<BalanceKey> {
    let mut keys: Vec<BalanceKey> = which.iter().map(|&i| balance_key(items[i])).collect();
    keys.sort();
    keys.dedup();
    keys
}

fn recipient_key(c: &Creation) -> (String, String, String) {
    (
        c.tenant.merchant_id.to_string(),
        c.tenant.env.as_str().to_owned(),
        c.record.recipient_id.to_string(),
    )
}

fn replay_or_mismatch(stored: &idempotency::StoredResponse, fingerprint: &str) -> Outcome {
    if stored.fingerprint == fingerprint {
        Outcome::Replay(
            StatusCode::from_u16(stored.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            stored.body.clone(),
        )
    } else {
        Outcome::Mismatch
    }
}

/// Decides each undecided creation in arrival order against the locked balances: a refusal, or a
/// reservation (the returned vector holds the recipient's last four for each reservation).
fn decide(
    items: &[&Creation],
    undecided: &[usize],
    recipients: &HashMap<(String, String, String), recipients::RecipientBrief>,
    available: &mut HashMap<BalanceKey, i64>,
    outcomes: &mut [Option<Outcome>],
) -> Vec<Option<String>> {
    let mut created: Vec<Option<String>> = items.iter().map(|_| None).collect();
    for &i in undecided {
        let c = &items[i];
        let Some(recipient) = recipients.get(&recipient_key(c)) else {
            outcomes[i] = Some(refusal(
                c,
                ApiError::invalid(
                    "resource_missing",
                    format!("No such recipient: '{}'", c.record.recipient_id),
                )
                .with_param("recipient"),
            ));
            continue;
        };
        if recipient.currency != c.currency.as_str() {
            outcomes[i] = Some(refusal(
                c,
                ApiError::invalid(
                    "currency_mismatch",
                    format!(
                        "This recipient's {} account is paid in {}, not {}.",
                        recipient.bank_type, recipient.currency, c.currency
                    ),
                )
                .with_param("currency"),
            ));
            continue;
        }
        let balance = available.entry(balance_key(c)).or_insert(0);
        if *balance < c.amount.minor() {
            outcomes[i] = Some(refusal(
                c,
                ApiError::invalid(
                    "insufficient_funds",
                    format!(
                        "The available {} balance does not cover this payout.",
                        c.currency
                    ),
                )
                .with_param("amount"),
            ));
            continue;
        }
        *balance -= c.amount.minor();
        created[i] = Some(recipient.last4.clone());
        outcomes[i] = Some(Outcome::Fresh(StatusCode::OK, c.body.clone()));
    }
    created
}

/// The rows a batch's creations write.
struct Effects {
    postings: Vec<PostingRow>,
    payouts: Vec<(Tenant, PayoutRecord)>,
    events: Vec<(Tenant, NewEvent)>,
    /// Debits of `available` and credits of `in_flight`, sorted (the global lock order).
    deltas: Vec<ledger::Delta>,
}

impl Effects {
    /// The effects of the creations that stand (`created[i]` holds the recipient's last four).
    fn of(items: &[&Creation], created: &[Option<String>], now: i64) -> Self {
        let mut reserved: HashMap<BalanceKey, i64> = HashMap::new();
        let mut effects = Self {
            postings: Vec::new(),
            payouts: Vec::new(),
            events: Vec::new(),
            deltas: Vec::new(),
        };
        for (c, last4) in items.iter().zip(created) {
            let Some(last4) = last4 else { continue };
            *reserved.entry(balance_key(c)).or_default() += c.amount.minor();
            let mut record = c.record.clone();
            record.outcome_last4.clone_from(last4);
            effects.events.push((c.tenant.clone(), c.event.clone()));
            effects.postings.push(PostingRow {
                id: c.posting_id.clone(),
                merchant_id: c.tenant.merchant_id.to_string(),
                env: c.tenant.env.as_str().to_owned(),
                currency: c.currency.as_str().to_owned(),
                posting: Posting::new(PostingKind::PayoutReserve, c.amount),
                source_id: Some(record.id.to_string()),
                created_us: now,
            });
            effects.payouts.push((c.tenant.clone(), record));
        }
        for (bk, sum) in reserved {
            effects
                .deltas
                .push((bk.clone(), LedgerAccount::Available, -sum));
            effects.deltas.push((bk, LedgerAccount::InFlight, sum));
        }
        effects
            .deltas
            .sort_by(|a, b| (&a.0, a.1.as_str()).cmp(&(&b.0, b.1.as_str())));
        effects
    }
}

/// Writes the effects of the creations that stand: postings, payouts and events, then the
/// balances (on PostgreSQL these take the balance rows' locks, held until the commit).
async fn write_effects(conn: &mut BatchConn<'_>, effects: &Effects) -> anton_store::Result<()> {
    ledger::insert_postings(conn, &effects.postings).await?;
    payouts::insert_many(conn, &effects.payouts).await?;
    events::insert_many(conn, &effects.events).await?;
    ledger::apply_deltas(conn, &effects.deltas).await?;
    Ok(())
}

/// Before an optimistic batch's writes: lock the balances it debits (in the global lock order,
/// see [`ledger::read_available`]) and check that they still cover the debits. Taking the locks
/// here, in order, and not inside [`write_at_once`] (whose data-modifying CTEs run in no set
/// order) is what keeps lanes and other writers from deadlocking; the locks are held only for
/// the write statement and the commit. A balance that no longer covers its debit is
/// [`StoreError::Stale`](anton_store::StoreError::Stale).
async fn lock_debited(
    conn: &mut BatchConn<'_>,
    deltas: &[ledger::Delta],
) -> anton_store::Result<()> {
    let debits: Vec<(&BalanceKey, i64)> = deltas
        .iter()
        .filter(|d| d.2 < 0)
        .map(|d| (&d.0, d.2))
        .collect();
    if debits.is_empty() {
        return Ok(());
    }
    let keys: Vec<BalanceKey> = debits.iter().map(|(k, _)| (*k).clone()).collect();
    let now = ledger::read_available(conn, true, &keys).await?;
    if debits
        .iter()
        .any(|(k, delta)| now.get(*k).copied().unwrap_or(0) + delta < 0)
    {
        return Err(anton_store::StoreError::Stale);
    }
    Ok(())
}

/// Steps 5 and 6 of an optimistic batch (PostgreSQL lanes) as **one statement**: each write a
/// data-modifying CTE, so the batch's transaction is five round trips (`BEGIN`, the reads,
/// [`lock_debited`], this, `COMMIT`) whatever its size. Everything is decided already; this
/// only checks:
///
/// - a key another transaction stored since step 1 (so this one stored nothing for it): the
///   batch must not take effect for that request — [`StoreError::Stale`], and the writer runs
///   the batch again, locking, where step 1 finds the stored key and replays it;
/// - a debit that would leave `available` negative fails the CHECK (a backstop: `lock_debited`
///   has checked the locked balances already): also stale (the caller maps it).
///
/// [`StoreError::Stale`]: anton_store::StoreError::Stale
async fn write_at_once(
    conn: &mut BatchConn<'_>,
    records: &mut [idempotency::NewRecord],
    effects: &Effects,
    now: i64,
) -> anton_store::Result<()> {
    let debits: Vec<&ledger::Delta> = effects.deltas.iter().filter(|d| d.2 < 0).collect();
    let credits: Vec<&ledger::Delta> = effects.deltas.iter().filter(|d| d.2 > 0).collect();
    if records.is_empty() && debits.is_empty() {
        return Ok(());
    }
    // Keys in key order, as `store_new_many` takes them (no two transactions wait on each other).
    records.sort_by(|a, b| a.0.cmp(&b.0));
    let mut sql = Sql::for_batch(conn, "WITH ");
    let mut ctes = 0;
    let mut cte = |sql: &mut Sql, name: &str| {
        sql.push(if ctes == 0 { "" } else { ", " })
            .push(name)
            .push(" AS (");
        ctes += 1;
    };
    if !records.is_empty() {
        cte(&mut sql, "k");
        idempotency::push_store_new(&mut sql, records, now);
        sql.push(")");
    }
    if !effects.postings.is_empty() {
        cte(&mut sql, "p");
        ledger::push_insert_postings(&mut sql, &effects.postings);
        sql.push(")");
        cte(&mut sql, "o");
        payouts::push_insert(&mut sql, &effects.payouts);
        sql.push(")");
        cte(&mut sql, "e");
        events::push_insert(&mut sql, &effects.events);
        sql.push(")");
    }
    if !debits.is_empty() {
        cte(&mut sql, "d");
        ledger::push_debits(&mut sql, &debits);
        sql.push(" RETURNING 1)");
    }
    if !credits.is_empty() {
        cte(&mut sql, "c");
        ledger::push_credits(&mut sql, &credits);
        sql.push(")");
    }
    let stored_keys = "SELECT 'key' AS kind, merchant_id AS a, env AS b, key AS c FROM k";
    let debited = "SELECT 'debited' AS kind, '' AS a, '' AS b, count(*)::text AS c FROM d";
    match (records.is_empty(), debits.is_empty()) {
        (false, false) => sql
            .push(" ")
            .push(stored_keys)
            .push(" UNION ALL ")
            .push(debited),
        (false, true) => sql.push(" ").push(stored_keys),
        _ => sql.push(" ").push(debited),
    };
    let rows = sql
        .fetch_batch(conn, |r| {
            Ok((r.text("kind")?, r.text("a")?, r.text("b")?, r.text("c")?))
        })
        .await?;
    let mut stored = 0;
    for (kind, _, _, c) in &rows {
        if kind == "debited" && c.parse::<usize>().ok() != Some(debits.len()) {
            return Err(anton_store::StoreError::Corrupt(
                "a debited balance row does not exist".into(),
            ));
        }
        if kind == "key" {
            stored += 1;
        }
    }
    if stored != records.len() {
        return Err(anton_store::StoreError::Stale);
    }
    Ok(())
}
