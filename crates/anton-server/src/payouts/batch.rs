//! The payout-creation hot path as a set-based batch (DESIGN.md §10).
//!
//! `create_payout` validates a request and hands the writer a [`Creation`] — data, not a closure.
//! The writer gives every creation waiting in a group commit to [`PayoutCreations`] at once, which
//! handles them with a constant number of statements, whatever the batch size:
//!
//! 1. read the stored idempotency records of the batch's keys (one `SELECT … IN (VALUES …)`); a
//!    stored key answers with its stored response (or 422 for another request);
//! 2. read the recipients (one statement);
//! 3. read and lock the `available` balances involved (`SELECT … FOR UPDATE` on PostgreSQL, in key
//!    order, so batches on several nodes cannot deadlock on them);
//! 4. decide each creation **in arrival order, inside the transaction**, against those balances;
//! 5. store the keyed responses (`INSERT … ON CONFLICT DO NOTHING RETURNING`, in key order): a key
//!    another node stored since step 1 lost the race — that creation takes no effect here and
//!    replays the winner's response;
//! 6. write the effects of the creations that stand in bulk: balance deltas, postings, payouts,
//!    events.
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
use anton_store::list::BatchConn;
use anton_store::payouts::{self, PayoutRecord};
use anton_store::{events, now_us, recipients, Backend, BatchItem, BatchRunner, Tenant};
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
        backend: Backend,
        items: Vec<BatchItem>,
    ) -> BoxFuture<'c, anton_store::Result<Vec<BatchItem>>> {
        Box::pin(async move {
            let creations = items
                .into_iter()
                .map(|item| {
                    item.downcast::<Creation>().map(|c| *c).map_err(|_| {
                        anton_store::StoreError::Corrupt(
                            "a batched item is not a payout creation".into(),
                        )
                    })
                })
                .collect::<anton_store::Result<Vec<_>>>()?;
            let outcomes = run_creations(conn, backend, &creations).await?;
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
    backend: Backend,
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
    let stored = idempotency::get_many(conn, &keys).await?;
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
    let recipient_keys: Vec<_> = undecided
        .iter()
        .map(|&i| recipient_key(&items[i]))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let recipients = recipients::get_many_brief(conn, &recipient_keys).await?;

    // 3. Lock the balances involved, in key order.
    let mut balance_keys: Vec<BalanceKey> =
        undecided.iter().map(|&i| balance_key(&items[i])).collect();
    balance_keys.sort();
    balance_keys.dedup();
    let mut available = ledger::lock_available(conn, backend, &balance_keys).await?;

    // 4. Decide in arrival order.
    let mut created = decide(
        items,
        &undecided,
        &recipients,
        &mut available,
        &mut outcomes,
    );

    // 5. Store the responses of keyed requests. A key another node stored since step 1 lost the
    //    race: that request takes no effect here and replays the winner's response.
    let mut records: Vec<idempotency::NewRecord> = Vec::new();
    for (i, c) in items.iter().enumerate() {
        if let (Some(k), Some((_, fp)), Some(Outcome::Fresh(status, body))) =
            (key_ref(c), &c.idempotency, &outcomes[i])
        {
            records.push((k, fp.clone(), status.as_u16(), body.clone()));
        }
    }
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
    write_effects(conn, items, &created, now).await?;

    Ok(outcomes
        .into_iter()
        .map(|o| o.unwrap_or(Outcome::InFlight))
        .collect())
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
    items: &[Creation],
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

/// Writes the effects of the creations that stand: balance deltas, postings, payouts and events,
/// one multi-row statement each (per power-of-two chunk).
async fn write_effects(
    conn: &mut BatchConn<'_>,
    items: &[Creation],
    created: &[Option<String>],
    now: i64,
) -> anton_store::Result<()> {
    let mut reserved: HashMap<BalanceKey, i64> = HashMap::new();
    let mut payout_rows = Vec::new();
    let mut event_rows = Vec::new();
    let mut posting_rows = Vec::new();
    for (c, last4) in items.iter().zip(created) {
        let Some(last4) = last4 else { continue };
        *reserved.entry(balance_key(c)).or_default() += c.amount.minor();
        let mut record = c.record.clone();
        record.outcome_last4.clone_from(last4);
        event_rows.push((c.tenant.clone(), c.event.clone()));
        posting_rows.push(PostingRow {
            id: c.posting_id.clone(),
            merchant_id: c.tenant.merchant_id.to_string(),
            env: c.tenant.env.as_str().to_owned(),
            currency: c.currency.as_str().to_owned(),
            posting: Posting::new(PostingKind::PayoutReserve, c.amount),
            source_id: Some(record.id.to_string()),
            created_us: now,
        });
        payout_rows.push((c.tenant.clone(), record));
    }
    let mut deltas = Vec::with_capacity(reserved.len() * 2);
    for (bk, sum) in reserved {
        deltas.push((bk.clone(), LedgerAccount::Available, -sum));
        deltas.push((bk, LedgerAccount::InFlight, sum));
    }
    deltas.sort_by(|a, b| (&a.0, a.1.as_str()).cmp(&(&b.0, b.1.as_str())));
    ledger::apply_deltas(conn, &deltas).await?;
    ledger::insert_postings(conn, &posting_rows).await?;
    payouts::insert_many(conn, &payout_rows).await?;
    events::insert_many(conn, &event_rows).await?;
    Ok(())
}
