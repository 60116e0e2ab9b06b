//! The payout-creation hot path as a set-based batch (DESIGN.md §10).
//!
//! `create_payout` validates a request and hands the writer a [`Creation`] — data, not a closure.
//! The writer gives every creation waiting in a group commit to [`PayoutCreations`] at once, which
//! handles them with a constant number of statements, whatever the batch size:
//!
//! 1. read the stored idempotency records of the batch's keys (a join from the keys' row set); a
//!    stored key answers with its stored response (or 422 for another request);
//! 2. read the recipients (one statement);
//! 3. read the `available` balances involved;
//! 4. decide each creation **in arrival order, inside the transaction**, against those balances;
//! 5. store the keyed responses (`INSERT … ON CONFLICT DO NOTHING RETURNING`, in key order);
//! 6. write the effects of the creations that stand in bulk: postings, payouts, events, and last
//!    the balance deltas.
//!
//! How the balances are protected depends on the [`BatchMode`]:
//!
//! - `Exclusive` (SQLite): the batch holds the database's only write lock.
//! - `Locking` (PostgreSQL): step 3 locks the balances (`SELECT … FOR UPDATE`, in the global lock
//!   order). A key another node stored since step 1 lost the race at step 5: that creation takes
//!   no effect here and replays the winner's response.
//! - `Optimistic` (PostgreSQL's parallel lanes): steps 1–3 are one statement and read the
//!   balances unlocked; after step 4 the batch locks the balances it debits and checks they still
//!   cover the debits ([`lock_debited`]); steps 5–6 are one statement ([`write_at_once`]). A
//!   balance another lane's commit left short, or a key stored meanwhile, comes back `Stale` and
//!   the writer runs the batch again, locking. A batch whose debits still fit decided exactly
//!   what it would have decided on the committed balance (every creation it made fits it, so
//!   every refusal was short of it too): the batches are equivalent to running one after the
//!   other.
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
use anton_store::idempotency::{self, NewRecord, RecordKey};
use anton_store::ledger::{self, BalanceKey, Delta, PostingRow};
use anton_store::list::BatchConn;
use anton_store::payouts::{self, CreationRows, PayoutRecord};
use anton_store::{now_us, recipients, BatchMode, BatchRunner, Scoped, Tenant};
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

/// The batched use case of payout creation (see `AppState::new`, which makes its batcher).
pub struct PayoutCreations;

impl BatchRunner for PayoutCreations {
    type Item = Creation;
    type Output = Outcome;

    fn run<'c, 'a: 'c>(
        &'c self,
        conn: &'c mut BatchConn<'a>,
        mode: BatchMode,
        items: &'c [Creation],
    ) -> BoxFuture<'c, anton_store::Result<Vec<Outcome>>> {
        Box::pin(run_creations(conn, mode, items))
    }
}

fn key_ref(c: &Creation) -> Option<RecordKey> {
    c.idempotency
        .as_ref()
        .map(|(k, _)| RecordKey::new(c.tenant.clone(), k.clone()))
}

fn balance_key(c: &Creation) -> BalanceKey {
    BalanceKey::new(c.tenant.clone(), c.currency)
}

fn refusal(c: &Creation, e: ApiError) -> Outcome {
    let body = request_id::with_id(c.request_id.clone(), || e.body());
    Outcome::Fresh(e.status, body)
}

async fn run_creations(
    conn: &mut BatchConn<'_>,
    mode: BatchMode,
    items: &[Creation],
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

    let mut records: Vec<NewRecord> = Vec::new();
    for (i, c) in items.iter().enumerate() {
        if let (Some(key), Some((_, fp)), Some(Outcome::Fresh(status, body))) =
            (key_ref(c), &c.idempotency, &outcomes[i])
        {
            records.push(NewRecord {
                key,
                response: idempotency::StoredResponse {
                    fingerprint: fp.clone(),
                    status: status.as_u16(),
                    body: body.clone(),
                },
            });
        }
    }

    // 5 and 6 at once, optimistic: see `write_at_once`.
    if mode == BatchMode::Optimistic {
        let rows = creation_rows(items, &created, now);
        lock_debited(conn, &rows).await?;
        write_at_once(conn, &mut records, &rows, now).await?;
        return Ok(outcomes
            .into_iter()
            .map(|o| o.unwrap_or(Outcome::InFlight))
            .collect());
    }

    // 5. Store the responses of keyed requests. A key another node stored since step 1 lost the
    //    race: that request takes no effect here and replays the winner's response.
    let won = idempotency::store_new_many(conn, &mut records, now).await?;
    let lost: Vec<RecordKey> = records
        .iter()
        .map(|r| r.key.clone())
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
    payouts::insert_creations(conn, &creation_rows(items, &created, now)).await?;

    Ok(outcomes
        .into_iter()
        .map(|o| o.unwrap_or(Outcome::InFlight))
        .collect())
}

/// The distinct recipients of `items[i]` for each `i` in `which`.
fn recipient_keys(items: &[Creation], which: &[usize]) -> Vec<Scoped<RecipientId>> {
    which
        .iter()
        .map(|&i| recipient_key(&items[i]))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect()
}

/// The distinct balances of `items[i]` for each `i` in `which`, sorted (the lock order).
fn balance_keys(items: &[Creation], which: &[usize]) -> Vec<BalanceKey> {
    let mut keys: Vec<BalanceKey> = which.iter().map(|&i| balance_key(&items[i])).collect();
    keys.sort();
    keys.dedup();
    keys
}

fn recipient_key(c: &Creation) -> Scoped<RecipientId> {
    Scoped::new(c.tenant.clone(), c.record.recipient_id.clone())
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

/// Decides each undecided creation in arrival order against the balances read: a refusal, or a
/// reservation (the returned vector holds the recipient's last four for each reservation).
fn decide(
    items: &[Creation],
    undecided: &[usize],
    recipients: &HashMap<Scoped<RecipientId>, recipients::RecipientBrief>,
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

/// The rows the creations that stand write (`created[i]` holds the recipient's last four).
fn creation_rows(items: &[Creation], created: &[Option<String>], now: i64) -> CreationRows {
    let mut reserved: HashMap<BalanceKey, i64> = HashMap::new();
    let mut rows = CreationRows::default();
    for (c, last4) in items.iter().zip(created) {
        let Some(last4) = last4 else { continue };
        *reserved.entry(balance_key(c)).or_default() += c.amount.minor();
        let mut record = c.record.clone();
        record.outcome_last4.clone_from(last4);
        rows.events.push((c.tenant.clone(), c.event.clone()));
        rows.postings.push(PostingRow {
            id: c.posting_id.clone(),
            balance: balance_key(c),
            posting: Posting::new(PostingKind::PayoutReserve, c.amount),
            source_id: Some(record.id.to_string()),
            created_us: now,
        });
        rows.payouts.push((c.tenant.clone(), record));
    }
    for (balance, sum) in reserved {
        rows.deltas.push(Delta {
            balance: balance.clone(),
            account: LedgerAccount::Available,
            amount: -sum,
        });
        rows.deltas.push(Delta {
            balance,
            account: LedgerAccount::InFlight,
            amount: sum,
        });
    }
    rows.deltas.sort_by(Delta::lock_order);
    rows
}

/// Before an optimistic batch's writes: lock the balances it debits (in the global lock order,
/// see [`ledger::read_available`]) and check that they still cover the debits. Taking the locks
/// here, in order, and not inside the one write statement (whose data-modifying CTEs run in no
/// set order) is what keeps lanes and other writers from deadlocking; the locks are held only
/// for the write statement and the commit. A balance that no longer covers its debit is
/// [`StoreError::Stale`](anton_store::StoreError::Stale).
async fn lock_debited(conn: &mut BatchConn<'_>, rows: &CreationRows) -> anton_store::Result<()> {
    let keys: Vec<BalanceKey> = rows.debits().map(|(k, _)| k.clone()).collect();
    if keys.is_empty() {
        return Ok(());
    }
    let locked = ledger::read_available(conn, true, &keys).await?;
    if rows
        .debits()
        .any(|(k, delta)| locked.get(k).copied().unwrap_or(0) + delta < 0)
    {
        return Err(anton_store::StoreError::Stale);
    }
    Ok(())
}

/// Steps 5 and 6 of an optimistic batch (PostgreSQL lanes) as one statement
/// ([`payouts::write_creations_at_once`]), so the batch's transaction is five round trips
/// (`BEGIN`, the reads, [`lock_debited`], this, `COMMIT`) whatever its size. Everything is
/// decided already; this only checks:
///
/// - a key another transaction stored since step 1 (so this one stored nothing for it): the
///   batch must not take effect for that request — [`StoreError::Stale`], and the writer runs
///   the batch again, locking, where step 1 finds the stored key and replays it;
/// - a debit that would leave `available` negative fails the CHECK (a backstop: `lock_debited`
///   has checked the locked balances already): also stale.
///
/// [`StoreError::Stale`]: anton_store::StoreError::Stale
async fn write_at_once(
    conn: &mut BatchConn<'_>,
    records: &mut [NewRecord],
    rows: &CreationRows,
    now: i64,
) -> anton_store::Result<()> {
    let written = payouts::write_creations_at_once(conn, records, rows, now)
        .await
        .map_err(|e| match e {
            anton_store::StoreError::CheckViolation => anton_store::StoreError::Stale,
            e => e,
        })?;
    if written.debited != rows.debits().count() {
        return Err(anton_store::StoreError::Corrupt(
            "a debited balance row does not exist".into(),
        ));
    }
    if written.keys_stored != records.len() {
        return Err(anton_store::StoreError::Stale);
    }
    Ok(())
}
