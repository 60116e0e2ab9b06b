//! Payout state changes inside a write job: the cancel, the rail's steps, the test helpers. **A state change, its ledger posting and its event
//! commit in one transaction**: [`transition`] writes all three through the same connection, and
//! writes nothing when the state machine or the compare-and-set refuses.

use anton_core::event::NewEvent;
use anton_core::ledger::Posting;
use anton_core::money::{Amount, Currency};
use anton_core::payout::{InvalidTransition, Transition};
use anton_core::time::Timestamp;
use anton_store::ledger::{self, PostOutcome};
use anton_store::payouts::{self, PayoutRecord, StatusUpdate};
use anton_store::Conn;
use anton_store::{events, Result, StoreError, Tenant};

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
