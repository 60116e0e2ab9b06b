//! Payout state changes inside a write job: the cancel, the rail's steps, the test helpers. **A
//! state change, its ledger posting and its event commit in one transaction**: [`transition`]
//! (one payout) and [`transition_many`] (a rail pass: a set, with a constant number of
//! statements) write all three through the same connection, and write nothing for a move the
//! state machine or the compare-and-set refuses.

use std::collections::BTreeMap;

use anton_core::event::NewEvent;
use anton_core::id::BalanceTransactionId;
use anton_core::ledger::{LedgerAccount, Posting};
use anton_core::money::{Amount, Currency};
use anton_core::payout::{Applied, InvalidTransition, PayoutStatus, Transition};
use anton_core::time::Timestamp;
use anton_store::ledger::{self, BalanceKey, Delta, PostOutcome, PostingRow};
use anton_store::list::BatchConn;
use anton_store::payouts::{self, PayoutRecord, StatusRow, StatusUpdate};
use anton_store::Conn;
use anton_store::{events, Result, Scoped, StoreError, Tenant};

use crate::objects::{to_value, PayoutOut};

/// Applies `t` to `p` (as read in this transaction). Returns the updated record, or the refusal.
/// `rail_due_us`: when the rail should act next after this step.
pub async fn transition(
    c: &mut Conn,
    tenant: &Tenant,
    p: &PayoutRecord,
    t: Transition,
    rail_due_us: Option<i64>,
    now_us: i64,
) -> Result<Result<PayoutRecord, InvalidTransition>> {
    let applied = match p.status.apply(t) {
        Ok(a) => a,
        Err(e) => return Ok(Err(e)),
    };
    let arrival = (applied.to == anton_core::payout::PayoutStatus::Paid)
        .then(|| Timestamp::from_unix_micros(now_us).to_rfc3339()[..10].to_owned());
    let update = StatusUpdate {
        from: p.status,
        to: applied.to,
        failure_code: applied.failure.map(|f| f.as_str()),
        failure_message: applied.failure.map(|f| f.message()),
        arrival_date: arrival.as_deref(),
        rail_due_us,
        now_us,
    };
    if !payouts::update_status(c, tenant, &p.id, &update).await? {
        // Moved by someone else since we read it: report it as the transition being invalid now.
        return Ok(Err(InvalidTransition {
            from: p.status,
            transition: t,
        }));
    }
    if let Some(kind) = applied.posting {
        let amount =
            Amount::new(p.amount).map_err(|_| StoreError::Corrupt("payouts.amount".into()))?;
        let currency = Currency::parse(&p.currency)
            .map_err(|_| StoreError::Corrupt("payouts.currency".into()))?;
        match ledger::post(
            c,
            tenant,
            currency,
            Posting::new(kind, amount),
            Some(p.id.as_str()),
            now_us,
        )
        .await?
        {
            PostOutcome::Posted(_) => {}
            // Releases and settlements never debit `available`; only a reserve can be refused.
            PostOutcome::InsufficientFunds => {
                return Err(StoreError::Corrupt(
                    "a payout transition debited available".into(),
                ))
            }
        }
    }
    let mut updated = p.clone();
    updated.status = applied.to;
    if let Some(f) = applied.failure {
        updated.failure_code = Some(f.as_str().into());
        updated.failure_message = Some(f.message().into());
    }
    if arrival.is_some() {
        updated.arrival_date = arrival;
    }
    updated.rail_due_us = rail_due_us;
    updated.updated = Timestamp::from_unix_micros(now_us);
    let object = to_value(&PayoutOut::from_record(&updated, tenant.env));
    let previous = serde_json::json!({"status": p.status.as_str()});
    let ev = NewEvent::new(
        applied.event,
        tenant.env,
        updated.updated,
        p.id.as_str(),
        object,
        Some(previous),
    );
    events::insert(c, tenant, &ev).await?;
    Ok(Ok(updated))
}

/// One step of a set ([`transition_many`]): `transition` for `payout` (as read in this
/// transaction), and when the rail should act next.
#[derive(Debug, Clone)]
pub struct Move {
    pub tenant: Tenant,
    pub payout: PayoutRecord,
    pub transition: Transition,
    pub rail_due_us: Option<i64>,
}

/// A move of [`transition_many`] that took place (for the node's metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moved {
    pub live: bool,
    pub to: PayoutStatus,
    pub currency: Currency,
}

/// [`transition`] for a set of payouts with a constant number of statements, whatever its size:
/// the status compare-and-set of all of them, then for those that moved their postings, the
/// balance deltas (summed per account) and their events. Returns the moves that took place. A move the
/// state machine refuses, or whose payout someone else moved meanwhile, writes nothing.
///
/// `lock` (PostgreSQL): the balances involved are locked first, in the global lock order, as a
/// creation batch locks them (`ledger::read_available`), so a pass and a batch on the same
/// balances wait for each other instead of deadlocking. SQLite's writer excludes every other.
pub async fn transition_many(
    conn: &mut BatchConn<'_>,
    moves: &[Move],
    lock: bool,
    now_us: i64,
) -> Result<Vec<Moved>> {
    // One move per payout: two would both pass the one compare-and-set and post twice.
    let mut seen = std::collections::HashSet::with_capacity(moves.len());
    if !moves
        .iter()
        .all(|m| seen.insert((m.tenant.clone(), m.payout.id.clone())))
    {
        return Err(StoreError::Corrupt(
            "transition_many was given two moves for one payout".into(),
        ));
    }
    let arrival = Timestamp::from_unix_micros(now_us).to_rfc3339()[..10].to_owned();
    let mut rows = Vec::with_capacity(moves.len());
    let mut applied = Vec::with_capacity(moves.len());
    for m in moves {
        let Ok(a) = m.payout.status.apply(m.transition) else {
            continue;
        };
        rows.push(StatusRow {
            tenant: m.tenant.clone(),
            payout: m.payout.id.clone(),
            from: m.payout.status,
            to: a.to,
            failure_code: a.failure.map(|f| f.as_str()),
            failure_message: a.failure.map(|f| f.message()),
            arrival_date: (a.to == PayoutStatus::Paid).then(|| arrival.clone()),
            rail_due_us: m.rail_due_us,
        });
        applied.push((m, a));
    }
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let moved = payouts::update_status_many(conn, &rows, now_us).await?;
    let mut postings = Vec::new();
    let mut deltas: BTreeMap<(BalanceKey, &'static str), (LedgerAccount, i64)> = BTreeMap::new();
    let mut events = Vec::new();
    let mut done = Vec::new();
    for ((m, a), row) in applied.iter().zip(&rows) {
        if !moved.contains(&Scoped::new(m.tenant.clone(), m.payout.id.clone())) {
            continue;
        }
        let currency = Currency::parse(&m.payout.currency)
            .map_err(|_| StoreError::Corrupt("payouts.currency".into()))?;
        let balance = BalanceKey::new(m.tenant.clone(), currency);
        done.push(Moved {
            live: m.tenant.env.is_live(),
            to: a.to,
            currency,
        });
        if let Some(kind) = a.posting {
            let amount = Amount::new(m.payout.amount)
                .map_err(|_| StoreError::Corrupt("payouts.amount".into()))?;
            let posting = Posting::new(kind, amount);
            for (account, signed) in posting.entries() {
                let slot = deltas
                    .entry((balance.clone(), account.as_str()))
                    .or_insert((account, 0));
                slot.1 += signed;
            }
            postings.push(PostingRow {
                id: BalanceTransactionId::generate(),
                balance: balance.clone(),
                posting,
                source_id: Some(m.payout.id.to_string()),
                created_us: now_us,
            });
        }
        events.push((m.tenant.clone(), moved_event(m, a, row, now_us)));
    }
    let deltas: Vec<Delta> = deltas
        .into_iter()
        .filter(|(_, (_, amount))| *amount != 0)
        .map(|((balance, _), (account, amount))| Delta {
            balance,
            account,
            amount,
            outflow: anton_core::risk::Outflow::default(),
        })
        .collect();
    let mut balances: Vec<BalanceKey> = deltas.iter().map(|d| d.balance.clone()).collect();
    balances.dedup();
    if lock && !balances.is_empty() {
        ledger::read_available(conn, true, &balances).await?;
    }
    ledger::insert_postings(conn, &postings).await?;
    ledger::apply_deltas(conn, &deltas).await?;
    events::insert_many(conn, &events).await?;
    Ok(done)
}

/// The event of a move that took place: the payout as it now is, and its previous status.
fn moved_event(m: &Move, a: &Applied, row: &StatusRow, now_us: i64) -> NewEvent {
    let mut updated = m.payout.clone();
    updated.status = a.to;
    if let Some(f) = a.failure {
        updated.failure_code = Some(f.as_str().into());
        updated.failure_message = Some(f.message().into());
    }
    if row.arrival_date.is_some() {
        updated.arrival_date.clone_from(&row.arrival_date);
    }
    updated.rail_due_us = m.rail_due_us;
    updated.updated = Timestamp::from_unix_micros(now_us);
    NewEvent::new(
        a.event,
        m.tenant.env,
        updated.updated,
        m.payout.id.as_str(),
        to_value(&PayoutOut::from_record(&updated, m.tenant.env)),
        Some(serde_json::json!({"status": m.payout.status.as_str()})),
    )
}
