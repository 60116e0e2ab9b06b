//! Balances: what a tenant can pay out and what is on its way, the postings behind them, and
//! funding (the test helper, and the operator's only way to fund live mode).

use anton_core::ledger::{Posting, PostingKind};
use anton_core::money::{Amount, Currency};
use anton_store::ledger::{self, BalanceTransactionRecord, PostOutcome};
use anton_store::list::Listed;
use anton_store::{now_us, Conn, StoreError, Tenant};

use crate::audit::{self, Actor, Change};
use crate::error::{EngineError, Result};
use crate::idempotency::{self, Answer, Mutation, Render};
use crate::objects::BalanceOut;
use crate::validate::{self, ListQuery, Listing};
use crate::Engine;

/// Balance transactions of a list: by type, by source object.
#[derive(Debug, Clone, Default)]
pub struct TransactionQuery {
    pub list: ListQuery,
    pub kind: Option<String>,
    pub source: Option<String>,
}

/// Posts `funding → available` on a write job's connection, and its audit entry.
pub(crate) async fn fund(
    c: &mut Conn,
    t: &Tenant,
    currency: Currency,
    amount: Amount,
    actor: &Actor,
) -> anton_store::Result<()> {
    let posting = Posting::new(PostingKind::Funding, amount);
    match ledger::post(c, t, currency, posting, None, now_us()).await? {
        PostOutcome::Posted(txn) => {
            let change = Change {
                action: "balance.funded",
                object_type: "balance_transaction",
                object_id: txn.to_string(),
                before: None,
                after: Some(serde_json::json!({
                    "amount": amount.minor(),
                    "currency": currency.as_str().to_ascii_lowercase(),
                })),
            };
            audit::record(c, t, actor, change).await
        }
        PostOutcome::InsufficientFunds => {
            Err(StoreError::Corrupt("funding debited available".into()))
        }
    }
}

impl Engine {
    pub async fn balance(&self, tenant: &Tenant) -> Result<BalanceOut> {
        let rows = ledger::balances(self.store().read(), tenant).await?;
        Ok(BalanceOut::from_accounts(&rows, tenant.env))
    }

    pub async fn list_balance_transactions(
        &self,
        tenant: &Tenant,
        query: &TransactionQuery,
    ) -> Result<Listing<BalanceTransactionRecord>> {
        let page = query
            .list
            .page(self.store(), Listed::BalanceTransactions, tenant)
            .await?;
        let rows = ledger::list_transactions(
            self.store().read(),
            tenant,
            query.kind.as_deref(),
            query.source.as_deref(),
            &page,
        )
        .await?;
        Ok(Listing::of(rows, &page))
    }

    /// Adds money to a test balance (the test helper; live balances are funded by the operator,
    /// [`crate::operator::fund`]).
    pub async fn fund_test_balance<R: Render<BalanceOut>>(
        &self,
        tenant: &Tenant,
        amount: i64,
        currency: &str,
        mutation: Mutation<R>,
    ) -> Result<Answer> {
        let amount = Amount::new(amount)
            .map_err(|e| EngineError::invalid("amount_invalid", e.to_string(), "amount"))?;
        let currency = validate::currency(currency)?;
        let t = tenant.clone();
        let actor = mutation.actor.clone();
        let job: idempotency::Job<BalanceOut> = std::sync::Arc::new(move |c| {
            let (t, actor) = (t.clone(), actor.clone());
            Box::pin(async move {
                fund(c, &t, currency, amount, &actor).await?;
                let rows = ledger::balances(&mut *c, &t).await?;
                Ok(Ok(BalanceOut::from_accounts(&rows, t.env)))
            })
        });
        idempotency::run(self.store(), self.in_flight(), tenant, mutation, job).await
    }
}
