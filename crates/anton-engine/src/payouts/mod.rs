//! Payouts (docs/reference.md §3): create, read, list, change ([`update`]), cancel, and the
//! test-mode moves.
//!
//! Creating a payout is the hot path: [`NewPayout`] is the validated command, and
//! [`Engine::create_payout`] hands it to the payout batcher, where [`create`] decides every
//! creation of a group commit together (**a payout larger than `available` is refused, even
//! when many requests race**). Every later status change goes through [`transition`], the one
//! writer of status, with its posting and event.

pub mod assess;
pub mod create;
pub mod transition;
pub mod update;

use anton_core::id::{PayoutId, RecipientId};
use anton_core::money::{Amount, Currency};
use anton_core::payout::{FailureCode, PayoutStatus, Transition};
use anton_store::list::Listed;
use anton_store::payouts::{self, PayoutFilter, PayoutRecord};
use anton_store::{now_us, Tenant};

use crate::audit::{self, Change};
use crate::error::{EngineError, Result};
use crate::idempotency::{self, Answer, Mutation, Render};
use crate::validate::{self, ListQuery, Listing, Metadata};
use crate::Engine;

/// A payout to create, validated: the only way to one is [`NewPayout::new`].
#[derive(Debug, Clone)]
pub struct NewPayout {
    pub(crate) recipient: RecipientId,
    pub(crate) amount: Amount,
    pub(crate) currency: Currency,
    pub(crate) description: Option<String>,
    pub(crate) metadata: Metadata,
}

impl NewPayout {
    /// The amount in minor units (always ≥ 1).
    pub fn amount_minor(&self) -> u64 {
        u64::try_from(self.amount.minor()).unwrap_or(0)
    }

    /// The ISO 4217 code.
    pub fn currency_code(&self) -> &'static str {
        self.currency.as_str()
    }

    /// Checks the request's values in this order: amount, currency, recipient id, description,
    /// metadata.
    pub fn new(
        amount: i64,
        currency: &str,
        recipient: &str,
        description: Option<String>,
        metadata: Metadata,
    ) -> Result<Self> {
        let amount = validate::amount(amount)?;
        let currency = validate::currency(currency)?;
        let recipient = RecipientId::parse(recipient).map_err(|_| {
            EngineError::invalid(
                "parameter_invalid",
                "recipient must be a recipient id (rcp_…)",
                "recipient",
            )
        })?;
        let description = validate::description(description.as_deref(), "parameter_invalid")?;
        validate::metadata(&metadata)?;
        Ok(Self {
            recipient,
            amount,
            currency,
            description,
            metadata,
        })
    }
}

/// A test-mode move of a payout (`POST /v1/test_helpers/payouts/{id}/{pay|fail|return}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestMove {
    /// Paid (through `processing` when pending).
    Pay,
    /// Failed with this code (through `processing` when pending).
    Fail(FailureCode),
    /// A paid payout returned by the bank.
    Return,
}

impl TestMove {
    /// A failure with `code` (default `declined`); `account_frozen` is a return's code, not a
    /// failure's.
    pub fn fail(code: Option<&str>) -> Result<Self> {
        let code = match code {
            None => FailureCode::Declined,
            Some(c) => FailureCode::parse(c)
                .filter(|c| *c != FailureCode::AccountFrozen)
                .ok_or_else(|| {
                    EngineError::invalid(
                        "parameter_invalid",
                        format!("Unknown failure_code: {c}"),
                        "failure_code",
                    )
                })?,
        };
        Ok(Self::Fail(code))
    }

    /// The transitions that make this move from `status`.
    fn steps(self, status: PayoutStatus) -> Vec<Transition> {
        let from_pending = |last: Transition| {
            if status == PayoutStatus::Pending {
                vec![Transition::StartProcessing, last]
            } else {
                vec![last]
            }
        };
        match self {
            Self::Pay => from_pending(Transition::Pay),
            Self::Fail(code) => from_pending(Transition::Fail(code)),
            Self::Return => vec![Transition::Return(FailureCode::AccountFrozen)],
        }
    }
}

/// Payouts of a list: by status, by recipient.
#[derive(Debug, Clone, Default)]
pub struct PayoutQuery {
    pub list: ListQuery,
    pub filter: PayoutFilter,
}

impl Engine {
    /// Creates a payout: decided with every creation of its group commit (see [`create`]).
    pub async fn create_payout<R: Render<PayoutRecord>>(
        &self,
        tenant: &Tenant,
        new: NewPayout,
        mutation: Mutation<R>,
    ) -> Result<Answer> {
        if tenant.env.is_live() {
            let rail = self
                .config()
                .live_currencies
                .iter()
                .find(|(c, _)| *c == new.currency);
            let Some((_, max)) = rail else {
                return Err(EngineError::LiveRailNotConfigured {
                    currency: new.currency,
                });
            };
            if new.amount.minor() > *max {
                return Err(EngineError::invalid(
                    "amount_too_large",
                    format!(
                        "amount is larger than a live {} payout can be: the bank file carries at \
                         most {max} minor units per payout.",
                        new.currency.as_str()
                    ),
                    "amount",
                ));
            }
        }
        // In test mode the simulator rail takes the payout from here.
        let first_rail_step_us = (!tenant.env.is_live()).then(|| {
            i64::try_from(self.config().simulator.processing_delay_ms).unwrap_or(0) * 1000
        });
        let Mutation {
            keyed,
            render,
            actor,
        } = mutation;
        let _running = keyed
            .as_ref()
            .map(|k| self.in_flight().enter(tenant, &k.key))
            .transpose()?;
        let creation = create::Creation::prepare(
            tenant.clone(),
            (keyed, actor.key_id().cloned(), actor.source_ip.clone()),
            new,
            Box::new(render),
            (first_rail_step_us, self.config().risk.review_expires_us()),
            now_us(),
        );
        self.0.creations.submit(creation).await?
    }

    pub async fn get_payout(&self, tenant: &Tenant, id: &PayoutId) -> Result<PayoutRecord> {
        payouts::get(self.store().read(), tenant, id)
            .await?
            .ok_or_else(|| EngineError::not_found("payout", id.as_str()))
    }

    pub async fn list_payouts(
        &self,
        tenant: &Tenant,
        query: &PayoutQuery,
    ) -> Result<Listing<PayoutRecord>> {
        let page = query
            .list
            .page(self.store(), Listed::Payouts, tenant)
            .await?;
        let rows = payouts::list(self.store().read(), tenant, &query.filter, &page).await?;
        Ok(Listing::of(rows, &page))
    }

    /// Cancels a pending payout (its reserve released). Cancelling a canceled payout answers
    /// with it, unchanged: a retry after a lost answer is not a failure.
    pub async fn cancel_payout<R: Render<PayoutRecord>>(
        &self,
        tenant: &Tenant,
        id: PayoutId,
        mutation: Mutation<R>,
    ) -> Result<Answer> {
        self.move_payout(tenant, id, vec![Transition::Cancel], mutation, true)
            .await
    }

    /// Moves a test-mode payout as its bank would (the test helpers).
    pub async fn test_move_payout<R: Render<PayoutRecord>>(
        &self,
        tenant: &Tenant,
        id: PayoutId,
        what: TestMove,
        mutation: Mutation<R>,
    ) -> Result<Answer> {
        let status = self.get_payout(tenant, &id).await?.status;
        self.move_payout(tenant, id, what.steps(status), mutation, false)
            .await
    }

    /// Runs `steps` in order on one payout inside one job; the first refusal stops it, and
    /// nothing of it is kept.
    async fn move_payout<R: Render<PayoutRecord>>(
        &self,
        tenant: &Tenant,
        id: PayoutId,
        steps: Vec<Transition>,
        mutation: Mutation<R>,
        cancel: bool,
    ) -> Result<Answer> {
        let t = tenant.clone();
        let actor = mutation.actor.clone();
        let job: idempotency::Job<PayoutRecord> = std::sync::Arc::new(move |c| {
            let (t, id, steps, actor) = (t.clone(), id.clone(), steps.clone(), actor.clone());
            Box::pin(async move {
                let Some(mut p) = payouts::get(&mut *c, &t, &id).await? else {
                    return Ok(Err(EngineError::not_found("payout", id.as_str())));
                };
                if cancel && p.status == PayoutStatus::Canceled {
                    return Ok(Ok(p));
                }
                let before = p.status;
                // Each step a microsecond after the one before, so its event lists after the
                // previous step's (lists order by creation time, then id).
                let now = now_us();
                for (at, step) in (now..).zip(steps) {
                    match transition::transition(c, &t, &p, step, None, at).await? {
                        Ok(next) => p = next,
                        Err(refused) if cancel => {
                            return Ok(Err(EngineError::NotCancelable(refused)))
                        }
                        Err(refused) => return Ok(Err(EngineError::InvalidTransition(refused))),
                    }
                }
                if cancel {
                    let change = Change {
                        action: "payout.canceled",
                        object_type: "payout",
                        object_id: id.to_string(),
                        before: Some(serde_json::json!({ "status": before.as_str() })),
                        after: Some(serde_json::json!({ "status": p.status.as_str() })),
                    };
                    audit::record(c, &t, &actor, change).await?;
                }
                Ok(Ok(p))
            })
        });
        idempotency::run(self.store(), self.in_flight(), tenant, mutation, job).await
    }
}
