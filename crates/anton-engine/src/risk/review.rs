//! The review of payouts a risk rule held (docs/risk.md): approve (→ `pending`, released to
//! the rail and counted in the outflow windows), reject (→ `canceled`, the amount released to
//! `available`), and the expiry of the reviews nobody decided in time. Four-eyes: the key that
//! created a payout cannot approve it; a portal member may (members create no payouts). Each decision commits with its transition, its event,
//! its review record and its audit entry.

use std::time::Duration;

use anton_core::id::PayoutId;
use anton_core::money::Currency;
use anton_core::payout::{PayoutStatus, Transition};
use anton_core::risk::Outflow;
use anton_core::time::Timestamp;
use anton_store::ledger::{self, BalanceKey};
use anton_store::payouts::{self, PayoutRecord};
use anton_store::{now_us, Conn, StoreError, Tenant};
use tokio::sync::watch;

use crate::audit::{self, Actor, Change};
use crate::error::{EngineError, Result};
use crate::idempotency::{self, Answer, Mutation, Render};
use crate::objects::ReviewOut;
use crate::payouts::transition;
use crate::Engine;

/// A reviewer's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

impl Decision {
    fn status(self) -> &'static str {
        match self {
            Self::Approve => "approved",
            Self::Reject => "rejected",
        }
    }
}

/// Payouts expired per sweep, at most (the rest wait for the next sweep).
const EXPIRE_MAX: i64 = 500;
/// How often a worker looks for expired reviews.
const EXPIRE_EVERY: Duration = Duration::from_secs(60);

fn not_in_review(status: PayoutStatus) -> EngineError {
    EngineError::conflict(
        "payout_not_in_review",
        format!(
            "This payout is {}, not held for review: only a requires_review payout can be \
             approved or rejected.",
            status.as_str()
        ),
        None,
    )
}

fn review_of(p: &PayoutRecord) -> std::result::Result<ReviewOut, StoreError> {
    p.review
        .as_deref()
        .and_then(|t| serde_json::from_str(t).ok())
        .ok_or_else(|| StoreError::Corrupt("payouts.review".into()))
}

/// Decides the held payout `p` (as read in this transaction) with `review` as it will read:
/// the transition, its posting and event (which shows the decided review), the review record,
/// and for an approval the outflow windows. `rail_due_us`: when the rail takes an approved one.
async fn decide(
    c: &mut Conn,
    t: &Tenant,
    p: &PayoutRecord,
    (step, review): (Transition, ReviewOut),
    rail_due_us: Option<i64>,
    now: i64,
) -> anton_store::Result<std::result::Result<PayoutRecord, EngineError>> {
    let review_text = serde_json::to_string(&review).unwrap_or_default();
    let mut held = p.clone();
    held.review = Some(review_text.clone());
    let due = if step == Transition::Approve {
        rail_due_us
    } else {
        None
    };
    let moved = match transition::transition(c, t, &held, step, due, now).await? {
        Ok(moved) => moved,
        // Decided by someone else since it was read (a concurrent decision or the expiry).
        Err(_) => return Ok(Err(not_in_review(PayoutStatus::Canceled))),
    };
    payouts::set_review(c, t, &p.id, &review_text).await?;
    if step == Transition::Approve {
        let currency = Currency::parse(&p.currency)
            .map_err(|_| StoreError::Corrupt("payouts.currency".into()))?;
        let mut released = Outflow::default().at(now);
        released.add(p.amount);
        ledger::add_outflow(c, &BalanceKey::new(t.clone(), currency), released).await?;
    }
    Ok(Ok(moved))
}

/// Expires the held payout `id` of `t` if it is still held (read in this transaction).
async fn expire_one(
    c: &mut Conn,
    t: &Tenant,
    id: &PayoutId,
    now: i64,
) -> anton_store::Result<bool> {
    let Some(p) = payouts::get(&mut *c, t, id).await? else {
        return Ok(false);
    };
    if p.status != PayoutStatus::RequiresReview {
        return Ok(false);
    }
    let mut review = review_of(&p)?;
    review.status = "expired".into();
    review.decided = Some(Timestamp::from_unix_micros(now).to_rfc3339());
    review.reason = Some("expired".into());
    let step = (Transition::Reject, review.clone());
    if decide(c, t, &p, step, None, now).await?.is_err() {
        return Ok(false);
    }
    let change = Change {
        action: "payout.review_expired",
        object_type: "payout",
        object_id: p.id.to_string(),
        before: Some(serde_json::json!({ "status": p.status.as_str() })),
        after: Some(serde_json::json!({
            "status": PayoutStatus::Canceled.as_str(),
            "review": review,
        })),
    };
    audit::record(c, t, &Actor::system(), change).await?;
    Ok(true)
}

impl Engine {
    /// Approves or rejects a payout held for review (audited: `payout.approved`,
    /// `payout.rejected`). Deciding it again the same way answers the payout as it is (a retry
    /// after a lost answer); any other payout is `payout_not_in_review`. The key that created
    /// the payout cannot approve it (`approver_is_creator`); it may reject it.
    pub async fn review_payout<R: Render<PayoutRecord>>(
        &self,
        tenant: &Tenant,
        id: PayoutId,
        (decision, reason): (Decision, Option<String>),
        mutation: Mutation<R>,
    ) -> Result<Answer> {
        let reason = crate::validate::description(reason.as_deref(), "parameter_invalid")
            .map_err(|e| e.with_param("reason"))?;
        let t = tenant.clone();
        let actor = mutation.actor.clone();
        let first_step_us = (!tenant.env.is_live()).then(|| {
            i64::try_from(self.config().simulator.processing_delay_ms).unwrap_or(0) * 1000
        });
        let job: idempotency::Job<PayoutRecord> = std::sync::Arc::new(move |c| {
            let (t, id, reason, actor) = (t.clone(), id.clone(), reason.clone(), actor.clone());
            Box::pin(async move {
                let Some(p) = payouts::get(&mut *c, &t, &id).await? else {
                    return Ok(Err(EngineError::not_found("payout", id.as_str())));
                };
                if p.status != PayoutStatus::RequiresReview {
                    let same = p.review.is_some()
                        && review_of(&p).is_ok_and(|r| r.status == decision.status());
                    if same {
                        return Ok(Ok(p));
                    }
                    return Ok(Err(not_in_review(p.status)));
                }
                let mut review = review_of(&p)?;
                // A key decides through the API, a member in the portal. Members never create
                // payouts, so four-eyes holds for them by construction.
                let by = actor.id_text();
                if decision == Decision::Approve
                    && actor.key_id().is_some()
                    && review.requested_by == by
                {
                    return Ok(Err(EngineError::Forbidden {
                        code: "approver_is_creator",
                        message: "The API key that created a payout cannot approve it: approve \
                                  it with another key that has the payouts:approve scope."
                            .into(),
                    }));
                }
                let now = now_us();
                review.status = decision.status().into();
                review.decided_by = by;
                review.decided = Some(Timestamp::from_unix_micros(now).to_rfc3339());
                review.reason = reason;
                let step = match decision {
                    Decision::Approve => Transition::Approve,
                    Decision::Reject => Transition::Reject,
                };
                let due = first_step_us.map(|d| now + d);
                let moved = match decide(c, &t, &p, (step, review.clone()), due, now).await? {
                    Ok(moved) => moved,
                    Err(e) => return Ok(Err(e)),
                };
                let change = Change {
                    action: match decision {
                        Decision::Approve => "payout.approved",
                        Decision::Reject => "payout.rejected",
                    },
                    object_type: "payout",
                    object_id: id.to_string(),
                    before: Some(serde_json::json!({ "status": p.status.as_str() })),
                    after: Some(serde_json::json!({
                        "status": moved.status.as_str(),
                        "review": review,
                    })),
                };
                audit::record(c, &t, &actor, change).await?;
                Ok(Ok(moved))
            })
        });
        idempotency::run(self.store(), self.in_flight(), tenant, mutation, job).await
    }

    /// Rejects the payouts held for review longer than `[risk] review_expires_after_hours` at
    /// `now` (at most 500 per call; audited as `payout.review_expired` by the system). Returns
    /// how many expired. Each payout is expired in a write job of its own — it locks what a
    /// cancel locks, in the same order (the payout, its balances, the merchant's audit row), so
    /// it cannot deadlock with creations, the rail or other decisions, and one payout that
    /// fails (a conflict, a corrupt review) leaves the others to expire.
    pub async fn expire_reviews(&self, now: i64) -> Result<usize> {
        let before = now - self.config().risk.review_expires_us();
        let held = payouts::in_review_before(self.store().read(), before, EXPIRE_MAX).await?;
        let mut expired = 0;
        for (t, id) in held.into_iter().map(|(t, p)| (t, p.id)) {
            let job_id = id.clone();
            let done = self
                .store()
                .write(move |c| {
                    let (t, id) = (t.clone(), job_id.clone());
                    Box::pin(async move { expire_one(c, &t, &id, now).await })
                })
                .await;
            match done {
                Ok(true) => expired += 1,
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(payout.id = %id, error = %e, "expiring a payout review failed; will retry")
                }
            }
        }
        if expired > 0 {
            tracing::info!(expired, "payout reviews expired");
        }
        Ok(expired)
    }
}

/// The worker loop that expires reviews, every minute until `shutdown`.
pub async fn expiry(engine: Engine, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(EXPIRE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
        if let Err(e) = engine.expire_reviews(now_us()).await {
            tracing::warn!(error = %e, "expiring payout reviews failed; will retry");
        }
    }
}
