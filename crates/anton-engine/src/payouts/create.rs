//! The payout-creation hot path as a set-based batch (docs/reference.md §10).
//!
//! [`super::create_payout`] hands the payout batcher a [`Creation`] — typed data, not a closure —
//! and the writer gives every creation waiting in a group commit to [`PayoutCreations`] at once,
//! which handles them with a constant number of statements, whatever the batch size:
//!
//! 0. refuse the creations whose API key may no longer act (revoked or expired since the API's
//!    key cache read it: [`crate::EngineError::KeyNotUsable`], nothing of them written);
//! 1. read the stored idempotency records of the batch's keys (a join from the keys' row set); a
//!    stored key answers with its stored response (or 422 for another request);
//! 2. read the recipients (one statement);
//! 3. read the `available` balances involved, with their outflow windows, and the tenants'
//!    risk rules;
//! 4. decide each creation **in arrival order, inside the transaction**, against those balances
//!    and its risk assessment (`assess`: released to the rail, held for review, or blocked);
//! 5. store the keyed responses (`INSERT … ON CONFLICT DO NOTHING RETURNING`, in key order);
//! 6. write the effects of the creations that stand in bulk: postings, payouts, events, and last
//!    the balance deltas.
//!
//! How the balances are protected depends on the [`BatchMode`]:
//!
//! - `Exclusive` (SQLite): the batch holds the database's only write lock.
//! - `Locking` (PostgreSQL): step 3 locks the balances (`SELECT … FOR UPDATE`, in the global lock
//!   order), then the first-hour counts of the batch's new keys. A key another node stored since step 1 lost the race at step 5: that creation takes
//!   no effect here and replays the winner's response.
//! - `Optimistic` (PostgreSQL's parallel lanes): steps 0–3 are one statement and read the
//!   balances unlocked; after step 4 the batch locks the balances it debits (and its new keys'
//!   first-hour counts) and checks they still cover the debits and that the risk assessments
//!   hold on the locked outflow windows and counts ([`lock_checked`]); steps 5–6 are one statement ([`write_at_once`]). A balance another
//!   lane's commit left short or changed under an assessment, or a key stored meanwhile, comes
//!   back `Stale` and the writer runs the batch again, locking. A batch whose debits still fit
//!   decided exactly what it would have decided on the committed balance (every creation it
//!   made fits it, so every refusal was short of it too; see `assess::Risk::still_holds` for
//!   the windows): the batches are equivalent to running one after the other.
//!
//! Money and idempotency decisions stay inside the database transaction, under the row locks (and
//! SQLite's single writer); the invariants are exactly those of the one-request path. Everything
//! commits with the rest of the group commit, and each caller is answered only after that.

use std::collections::{HashMap, HashSet};

use anton_core::event::{EventType, NewEvent};
use anton_core::id::{BalanceTransactionId, KeyId, PayoutId, RecipientId};
use anton_core::ledger::{LedgerAccount, Posting, PostingKind};
use anton_core::payout::PayoutStatus;
use anton_core::risk::{self, Action, Outflow};
use anton_core::time::Timestamp;
use anton_store::alerts::Signal;
use anton_store::api_keys;
use anton_store::idempotency::{self, NewRecord, RecordKey, StoredResponse};
use anton_store::ledger::{self, BalanceKey, Delta, PostingRow};
use anton_store::list::BatchConn;
use anton_store::payouts::{self, CreationRows, PayoutRecord};
use anton_store::recipients;
use anton_store::risk::KeyAddress;
use anton_store::{now_us, BatchMode, BatchRunner, Scoped, Tenant};
use futures_util::future::BoxFuture;

use super::assess::{self, Made, Risk, Seen};
use super::NewPayout;
use crate::error::{EngineError, Result};
use crate::idempotency::{replay, Answer, Keyed, Render, Reply};
use crate::objects::{to_value, PayoutOut};

/// One payout creation, with everything that does not depend on the decision already prepared by
/// the request's own task (ids, the payout row, the success answer, the event), so the writer
/// spends its time only on deciding and writing.
pub struct Creation {
    pub tenant: Tenant,
    pub keyed: Option<Keyed>,
    /// The API key acting, confirmed usable in the batch's transaction (see
    /// [`crate::idempotency::Mutation`]).
    pub actor: Option<KeyId>,
    /// The address the request came from (for the risk rule `new_address`).
    pub source_ip: Option<String>,
    pub amount: anton_core::money::Amount,
    pub currency: anton_core::money::Currency,
    /// The payout to insert if created; `outcome_last4` is filled in from the recipient.
    pub record: PayoutRecord,
    /// The answer if the payout is created.
    pub created: Reply,
    /// Renders a refusal, decided in the writer (kept for the key's record).
    pub render: Box<dyn Render<PayoutRecord>>,
    /// `payout.created`, rendered.
    pub event: NewEvent,
    /// The id of the reserve posting.
    pub posting_id: BalanceTransactionId,
    /// How long the payout may wait for review if a risk rule holds it.
    pub review_expires_us: i64,
}

impl Creation {
    /// Prepares the creation of `new` at time `now_us`. `first_rail_step_us`: when the rail
    /// should first act, after `now_us` (`None`: no rail schedules it).
    pub fn prepare(
        tenant: Tenant,
        (keyed, actor, source_ip): (Option<Keyed>, Option<KeyId>, Option<String>),
        new: NewPayout,
        render: Box<dyn Render<PayoutRecord>>,
        (first_rail_step_us, review_expires_us): (Option<i64>, i64),
        now_us: i64,
    ) -> Self {
        let record = PayoutRecord {
            id: PayoutId::generate(),
            recipient_id: new.recipient,
            amount: new.amount.minor(),
            currency: new.currency.as_str().into(),
            status: PayoutStatus::Pending,
            failure_code: None,
            failure_message: None,
            description: new.description,
            metadata: crate::validate::metadata_text(&new.metadata),
            outcome_last4: String::new(),
            arrival_date: None,
            rail_due_us: first_rail_step_us.map(|d| now_us + d),
            created: Timestamp::from_unix_micros(now_us),
            updated: Timestamp::from_unix_micros(now_us),
            // Filled in by the batch's assessment (`assess::made`).
            risk: None,
            review: None,
            bank_file: None,
            bank_reference: None,
        };
        let created = render.render(Ok(&record));
        let event = NewEvent::new(
            EventType::PayoutCreated,
            tenant.env,
            record.created,
            record.id.as_str(),
            to_value(&PayoutOut::from_record(&record, tenant.env)),
            None,
        );
        Self {
            tenant,
            keyed,
            actor,
            source_ip,
            amount: new.amount,
            currency: new.currency,
            record,
            created,
            render,
            event,
            posting_id: BalanceTransactionId::generate(),
            review_expires_us,
        }
    }
}

/// What a creation's caller gets: the answer (fresh or replayed), or the idempotency refusal
/// (key reused with another request, or its first request still running).
pub type Outcome = Result<Answer>;

/// The batched use case of payout creation (its batcher lives in the [`crate::Engine`]).
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
    c.keyed
        .as_ref()
        .map(|k| RecordKey::new(c.tenant.clone(), k.key.as_str()))
}

fn balance_key(c: &Creation) -> BalanceKey {
    BalanceKey::new(c.tenant.clone(), c.currency)
}

fn recipient_key(c: &Creation) -> Scoped<RecipientId> {
    Scoped::new(c.tenant.clone(), c.record.recipient_id.clone())
}

fn refusal(c: &Creation, e: &EngineError) -> Outcome {
    Ok(Answer {
        reply: c.render.render(Err(e)),
        replayed: false,
    })
}

/// A batch's decisions so far: one slot per creation, `None` while undecided.
struct Decisions(Vec<Option<Outcome>>);

impl Decisions {
    fn undecided(&self) -> Vec<usize> {
        (0..self.0.len()).filter(|i| self.0[*i].is_none()).collect()
    }

    fn done(self) -> Vec<Outcome> {
        self.0
            .into_iter()
            .map(|o| o.unwrap_or(Err(EngineError::IdempotencyInProgress)))
            .collect()
    }
}

async fn run_creations(
    conn: &mut BatchConn<'_>,
    mode: BatchMode,
    items: &[Creation],
) -> anton_store::Result<Vec<Outcome>> {
    let now = now_us();
    let mut decisions = Decisions(items.iter().map(|_| None).collect());

    // 0. Creations whose API key was revoked or expired (after the API's key cache read it) are
    //    refused; nothing of them is written, not even their idempotency record. (Optimistic:
    //    read with steps 1-3 below, in the same statement.)
    //    With them, new keys' first-hour counts (exact on SQLite; read again locked when
    //    locking, below).
    let actors = actors(items);
    let mut bursts = HashMap::new();
    if mode != BatchMode::Optimistic && !actors.is_empty() {
        let usable = api_keys::usable_many(conn, &actors, now).await?;
        let keys: HashSet<Scoped<KeyId>> = usable.keys().cloned().collect();
        refuse_unusable_actors(items, &keys, &mut decisions);
        bursts = usable
            .into_iter()
            .filter_map(|(k, n)| Some((k, n?)))
            .collect();
    }

    // 1. A key twice in one batch is in flight for the second request; keys already stored
    //    answer from their stored response.
    let keys = distinct_keys(items, &mut decisions);
    // Optimistic (PostgreSQL lanes): steps 0-3 read in one statement, for every creation not
    // already in flight (a few lookups too many when a key replays; one round trip, not four).
    let mut reads = if mode == BatchMode::Optimistic {
        let candidates = decisions.undecided();
        let addresses = key_addresses(items, &candidates);
        let reads = payouts::creation_reads(
            conn,
            &keys,
            &recipient_keys(items, &candidates),
            &balance_keys(items, &candidates),
            (&actors, now),
            payouts::RiskReads {
                addresses: &addresses,
                known_before_us: now - risk::NEW_US,
            },
        )
        .await?;
        refuse_unusable_actors(items, &reads.usable_actors, &mut decisions);
        reads
    } else {
        payouts::CreationReads {
            stored: idempotency::get_many(conn, &keys).await?,
            ..payouts::CreationReads::default()
        }
    };
    replay_stored(items, &reads.stored, &mut decisions);

    // 2. Recipients of the creations still undecided, and 3. the balances involved (with their
    //    outflow windows) and the tenants' risk rules: the balances locked, in the global
    //    order, when locking; without locks when optimistic (see `lock_checked`).
    let undecided = decisions.undecided();
    if mode != BatchMode::Optimistic {
        reads.recipients =
            recipients::get_many_brief(conn, &recipient_keys(items, &undecided)).await?;
        let lock = mode == BatchMode::Locking;
        let balances = balance_keys(items, &undecided);
        reads.available = ledger::read_available(conn, lock, &balances).await?;
        reads.rules =
            anton_store::risk::rules_many(conn, &anton_store::risk::tenants_of(&balances)).await?;
        reads.history = anton_store::risk::history_many(conn, &balances).await?;
        reads.known_addresses = anton_store::risk::addresses_known_before(
            conn,
            &key_addresses(items, &undecided),
            now - risk::NEW_US,
        )
        .await?;
        // New keys' first-hour counts, when locking: locked after the balances (the lock
        // order).
        reads.bursts = if lock {
            anton_store::risk::lock_key_bursts(conn, &actors, now).await?
        } else {
            bursts
        };
    }

    // 4. Decide in arrival order, risk rules included.
    let mut risk = Risk::new(now);
    let Decided {
        mut stands,
        signals,
    } = decide(
        items,
        &undecided,
        &mut reads,
        &mut risk,
        &mut decisions,
        now,
    );
    let mut records = records_to_store(items, &decisions);

    // 5 and 6 at once, optimistic: see `write_at_once`.
    if mode == BatchMode::Optimistic {
        let rows = creation_rows(items, (&stands, &signals), &risk, now);
        lock_checked(conn, &rows, &risk).await?;
        write_at_once(conn, &mut records, &rows, now).await?;
        return Ok(decisions.done());
    }

    // 5. Store the answers of keyed requests. A key another node stored since step 1 lost the
    //    race: that request takes no effect here and replays the winner's answer.
    let won = idempotency::store_new_many(conn, &mut records, now).await?;
    let lost: Vec<RecordKey> = records
        .iter()
        .map(|r| r.key.clone())
        .filter(|k| !won.contains(k))
        .collect();
    if !lost.is_empty() {
        let winners = idempotency::get_many(conn, &lost).await?;
        for (i, c) in items.iter().enumerate() {
            let (Some(k), Some(keyed)) = (key_ref(c), &c.keyed) else {
                continue;
            };
            // A creation refused for its API key stays refused, whatever its key's twin did.
            let refused = matches!(decisions.0[i], Some(Err(EngineError::KeyNotUsable)));
            if lost.contains(&k) && !refused {
                stands[i] = None;
                decisions.0[i] = Some(
                    winners
                        .get(&k)
                        .map_or(Err(EngineError::IdempotencyInProgress), |s| {
                            replay(s, keyed)
                        }),
                );
            }
        }
    }

    // 6. Write the effects of the creations that stand, in bulk.
    let rows = creation_rows(items, (&stands, &signals), &risk, now);
    payouts::insert_creations(conn, &rows).await?;
    Ok(decisions.done())
}

/// The batch's acting API keys, each once.
fn actors(items: &[Creation]) -> Vec<Scoped<KeyId>> {
    let mut actors: Vec<Scoped<KeyId>> = items.iter().filter_map(actor).collect();
    actors.sort();
    actors.dedup();
    actors
}

fn actor(c: &Creation) -> Option<Scoped<KeyId>> {
    c.actor.clone().map(|id| Scoped::new(c.tenant.clone(), id))
}

/// A creation's acting key with its address (`None`: either is missing, as for the operator).
fn key_address(c: &Creation) -> Option<KeyAddress> {
    Some((actor(c)?, c.source_ip.clone()?))
}

/// The distinct [`key_address`]es of `items[i]` for each `i` in `which`.
fn key_addresses(items: &[Creation], which: &[usize]) -> Vec<KeyAddress> {
    let mut out: Vec<KeyAddress> = which
        .iter()
        .filter_map(|&i| key_address(&items[i]))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Decides every creation whose acting API key is not among `usable`:
/// [`EngineError::KeyNotUsable`].
fn refuse_unusable_actors(
    items: &[Creation],
    usable: &HashSet<Scoped<KeyId>>,
    decisions: &mut Decisions,
) {
    for (i, c) in items.iter().enumerate() {
        if actor(c).is_some_and(|a| !usable.contains(&a)) {
            decisions.0[i] = Some(Err(EngineError::KeyNotUsable));
        }
    }
}

/// The batch's distinct keys; a key met again is in flight for that later creation.
fn distinct_keys(items: &[Creation], decisions: &mut Decisions) -> Vec<RecordKey> {
    let mut seen = HashSet::new();
    let mut keys = Vec::new();
    for (i, c) in items.iter().enumerate() {
        if decisions.0[i].is_some() {
            continue;
        }
        if let Some(k) = key_ref(c) {
            if seen.insert(k.clone()) {
                keys.push(k);
            } else {
                decisions.0[i] = Some(Err(EngineError::IdempotencyInProgress));
            }
        }
    }
    keys
}

/// Decides every undecided creation whose key has a stored answer: its replay, or a mismatch.
fn replay_stored(
    items: &[Creation],
    stored: &HashMap<RecordKey, StoredResponse>,
    decisions: &mut Decisions,
) {
    for (i, c) in items.iter().enumerate() {
        let (Some(k), Some(keyed)) = (key_ref(c), &c.keyed) else {
            continue;
        };
        if decisions.0[i].is_some() {
            continue;
        }
        if let Some(s) = stored.get(&k) {
            decisions.0[i] = Some(replay(s, keyed));
        }
    }
}

/// The records of keyed creations answered afresh (a success or a refusal), to store.
fn records_to_store(items: &[Creation], decisions: &Decisions) -> Vec<NewRecord> {
    let mut records = Vec::new();
    for (i, c) in items.iter().enumerate() {
        if let (Some(key), Some(keyed), Some(Ok(answer))) = (key_ref(c), &c.keyed, &decisions.0[i])
        {
            if answer.replayed {
                continue;
            }
            records.push(NewRecord {
                key,
                response: StoredResponse {
                    fingerprint: keyed.fingerprint.clone(),
                    status: answer.reply.status,
                    body: answer.reply.body.clone(),
                },
            });
        }
    }
    records
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

/// What deciding a batch made: per creation, what it writes if it stands; and the alert
/// signals of the risk rules that fired with the action `alert`, by creation (written only for
/// the creations that still stand when the batch writes).
struct Decided {
    stands: Vec<Option<Made>>,
    signals: Vec<(usize, Signal)>,
}

/// Decides each undecided creation in arrival order against the balances read: a refusal, or a
/// reservation — released to the rail, or held for review — as its risk assessment says.
fn decide(
    items: &[Creation],
    undecided: &[usize],
    reads: &mut payouts::CreationReads,
    risk: &mut Risk,
    decisions: &mut Decisions,
    now: i64,
) -> Decided {
    let mut out = Decided {
        stands: items.iter().map(|_| None).collect(),
        signals: Vec::new(),
    };
    for &i in undecided {
        let c = &items[i];
        let Some(recipient) = reads.recipients.get(&recipient_key(c)) else {
            let missing = EngineError::ReferenceMissing {
                resource: "recipient",
                id: c.record.recipient_id.to_string(),
                param: "recipient",
            };
            decisions.0[i] = Some(refusal(c, &missing));
            continue;
        };
        if recipient.currency != c.currency.as_str() {
            let mismatch = EngineError::CurrencyMismatch {
                bank_type: recipient.bank_type.clone(),
                account_currency: recipient.currency.clone(),
                requested: c.currency,
            };
            decisions.0[i] = Some(refusal(c, &mismatch));
            continue;
        }
        let key = balance_key(c);
        let balance = reads.available.entry(key.clone()).or_default();
        if balance.amount < c.amount.minor() {
            let short = EngineError::InsufficientFunds {
                currency: c.currency,
            };
            decisions.0[i] = Some(refusal(c, &short));
            continue;
        }
        let seen = Seen {
            bank_changed_us: recipient.bank_changed_us,
            destination: recipient.destination,
            history: reads.history.get(&key).copied(),
            new_address: key_address(c).map(|k| !reads.known_addresses.contains(&k)),
            key_burst: actor(c).and_then(|k| Some((k.clone(), *reads.bursts.get(&k)?))),
        };
        let a = risk.assess(c, (&key, balance.outflow), seen, &reads.rules);
        let action = a.action();
        if action == Some(Action::Block) {
            let blocked = a.fired.iter().find(|f| f.action == Action::Block);
            let e = EngineError::RiskBlocked {
                rule: blocked.map_or("", |f| f.rule.as_str()),
                explanation: blocked.map(|f| f.explanation.clone()).unwrap_or_default(),
            };
            decisions.0[i] = Some(refusal(c, &e));
            continue;
        }
        balance.amount -= c.amount.minor();
        let held = action == Some(Action::Review);
        if !held {
            risk.release(&key, actor(c).as_ref(), c.amount.minor());
        }
        out.signals
            .extend(assess::signals(c, &a, now).into_iter().map(|s| (i, s)));
        let text = risk.text(&c.tenant, c.currency, &a);
        let (made, reply) = assess::made(c, (&a, text), held, &recipient.last4, now);
        decisions.0[i] = Some(Ok(Answer {
            reply,
            replayed: false,
        }));
        out.stands[i] = Some(made);
    }
    out
}

/// The rows the creations that stand write: the reserve postings, the payouts, their events,
/// the balance deltas (each debit of `available` with the payouts it releases to the rail, for
/// the outflow windows; held payouts are reserved but not released), the new keys' first-hour
/// counts (`risk`'s, with the payouts released) and the alert signals.
fn creation_rows(
    items: &[Creation],
    (stands, signals): (&[Option<Made>], &[(usize, Signal)]),
    risk: &Risk,
    now: i64,
) -> CreationRows {
    let mut reserved: HashMap<BalanceKey, (i64, Outflow)> = HashMap::new();
    let mut released: HashMap<Scoped<KeyId>, i64> = HashMap::new();
    let mut rows = CreationRows {
        signals: signals
            .iter()
            .filter(|(i, _)| stands[*i].is_some())
            .map(|(_, s)| s.clone())
            .collect(),
        ..CreationRows::default()
    };
    for (c, made) in items.iter().zip(stands) {
        let Some(made) = made else { continue };
        let (sum, outflow) = reserved
            .entry(balance_key(c))
            .or_insert_with(|| (0, Outflow::default().at(now)));
        *sum += c.amount.minor();
        if made.record.status == PayoutStatus::Pending {
            outflow.add(c.amount.minor());
            if let Some(k) = actor(c) {
                *released.entry(k).or_default() += 1;
            }
        }
        rows.events.push((c.tenant.clone(), made.event.clone()));
        rows.postings.push(PostingRow {
            id: c.posting_id.clone(),
            balance: balance_key(c),
            posting: Posting::new(PostingKind::PayoutReserve, c.amount),
            source_id: Some(made.record.id.to_string()),
            created_us: now,
        });
        rows.payouts.push((c.tenant.clone(), made.record.clone()));
    }
    for (balance, (sum, outflow)) in reserved {
        rows.deltas.push(Delta {
            balance: balance.clone(),
            account: LedgerAccount::Available,
            amount: -sum,
            outflow,
        });
        rows.deltas.push(Delta {
            balance,
            account: LedgerAccount::InFlight,
            amount: sum,
            outflow: Outflow::default(),
        });
    }
    rows.deltas.sort_by(Delta::lock_order);
    rows.bursts = risk.burst_deltas(&released);
    rows
}

/// Before an optimistic batch's writes: lock the balances it debits, and those on which a risk
/// rule reading the outflow windows fired (in the global lock order, see
/// [`ledger::read_available`]), and check that the debited ones still cover their debits and
/// that every assessment still holds on the locked windows ([`Risk::still_holds`]); then, after
/// the balances (the lock order), the same for the first-hour counts of the new keys the batch
/// assessed, whatever it released (its assessments rest on the counts read:
/// [`BurstDelta::holds`](anton_store::risk::BurstDelta::holds)). Taking the
/// locks here, in order, and not inside the one write statement (whose data-modifying CTEs run
/// in no set order) is what keeps lanes and other writers from deadlocking; the locks are held
/// only for the write statement and the commit. Anything that no longer holds is
/// [`StoreError::Stale`](anton_store::StoreError::Stale): the batch runs again, locking.
async fn lock_checked(
    conn: &mut BatchConn<'_>,
    rows: &CreationRows,
    risk: &Risk,
) -> anton_store::Result<()> {
    let mut keys: Vec<BalanceKey> = rows
        .debits()
        .map(|(k, _)| k.clone())
        .chain(risk.fired_on_windows().cloned())
        .collect();
    keys.sort();
    keys.dedup();
    let bursts: Vec<Scoped<KeyId>> = rows.bursts.iter().map(|d| d.key.clone()).collect();
    // The balances, then the new keys' counts (every row, even one whose hour ended since the
    // read: the write adds to it), in one statement when there are both.
    let (locked, counts) = match (keys.is_empty(), bursts.is_empty()) {
        (true, true) => return Ok(()),
        (false, true) => (
            ledger::read_available(conn, true, &keys).await?,
            HashMap::new(),
        ),
        (true, false) => (
            HashMap::new(),
            anton_store::risk::lock_key_bursts(conn, &bursts, i64::MIN).await?,
        ),
        (false, false) => ledger::lock_available_and_bursts(conn, &keys, &bursts).await?,
    };
    let short = rows
        .debits()
        .any(|(k, delta)| locked.get(k).map_or(0, |a| a.amount) + delta < 0);
    let changed = keys.iter().any(|k| {
        !risk.still_holds(
            k,
            locked.get(k).map_or_else(Outflow::default, |a| a.outflow),
        )
    });
    let burst_changed = rows
        .bursts
        .iter()
        .any(|d| !counts.get(&d.key).is_some_and(|n| d.holds(*n)));
    if short || changed || burst_changed {
        return Err(anton_store::StoreError::Stale);
    }
    Ok(())
}

/// Steps 5 and 6 of an optimistic batch (PostgreSQL lanes) as one statement
/// ([`payouts::write_creations_at_once`]), so the batch's transaction is five round trips
/// (`BEGIN`, the reads, [`lock_checked`], this, `COMMIT`) whatever its size. Everything is
/// decided already; this only checks:
///
/// - a key another transaction stored since step 1 (so this one stored nothing for it): the
///   batch must not take effect for that request — [`StoreError::Stale`], and the writer runs
///   the batch again, locking, where step 1 finds the stored key and replays it;
/// - a debit that would leave `available` negative fails the CHECK (a backstop: `lock_debited`
///   has checked the locked balances already): also stale;
/// - a new key's first-hour count that does not hold the batch's decisions (a backstop:
///   [`lock_checked`] has checked the locked counts already): also stale.
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
    if written.keys_stored != records.len() || written.bursts_added != rows.bursts.len() {
        return Err(anton_store::StoreError::Stale);
    }
    Ok(())
}
