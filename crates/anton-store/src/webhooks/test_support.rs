//! Fixtures of the webhook store tests: a SQLite file through the native writer (the same
//! functions run on PostgreSQL through the API tests), and rows written as SQL.

use anton_core::id::{MerchantId, WebhookEndpointId};
use anton_core::keys::Environment;

use super::EndpointKey;
use crate::list::Sql;
use crate::{Scoped, Store, Tenant};

pub(super) const M: &str = "mer_test";

/// Runs `sql` statements in one native write job.
pub(super) async fn exec(store: &Store, statements: Vec<String>) {
    store
        .write_native(move |c| {
            Box::pin(async move {
                for s in &statements {
                    Sql::for_batch(c, s).execute_batch(c).await?;
                }
                Ok(())
            })
        })
        .await
        .unwrap();
}

/// The single number a `SELECT COUNT(*) …` answers.
pub(super) async fn count(store: &Store, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(store.read()).await.unwrap();
    n
}

pub(super) fn endpoint(id: &str) -> String {
    format!(
        "INSERT INTO webhook_endpoints (merchant_id, env, id, url, enabled_events, status, \
         secret_ciphertext, created_us, updated_us) VALUES ('{M}', 'test', '{id}', \
         'https://example.com/{id}', '[\"*\"]', 'enabled', 'ct-{id}', 1, 1)"
    )
}

/// The test tenant's endpoint `id`, as the store addresses it.
pub(super) fn endpoint_key(id: &str) -> EndpointKey {
    Scoped::new(
        Tenant::new(MerchantId::parse(M).unwrap(), Environment::Test),
        WebhookEndpointId::parse(id).unwrap(),
    )
}

pub(super) fn event(id: &str, created: i64) -> String {
    format!(
        "INSERT INTO events (merchant_id, env, id, type, object_id, body, created_us) \
         VALUES ('{M}', 'test', '{id}', 'payout.created', 'po_1', '{{\"id\":\"{id}\"}}', {created})"
    )
}

pub(super) fn due_delivery(id: &str, endpoint: &str, event: &str) -> String {
    format!(
        "INSERT INTO webhook_deliveries (merchant_id, env, id, endpoint_id, event_id, event_type, \
         status, attempts, next_attempt_us, created_us, updated_us) VALUES ('{M}', 'test', '{id}', \
         '{endpoint}', '{event}', 'payout.created', 'pending', 0, 5, 5, 5)"
    )
}

pub(super) async fn setup() -> (Store, std::path::PathBuf) {
    let (store, dir) = crate::test_store().await;
    exec(
        &store,
        vec![format!(
            "INSERT INTO merchants (id, name, created_us) VALUES ('{M}', 'Test', 1)"
        )],
    )
    .await;
    (store, dir)
}

/// The test tenant.
pub(super) fn tenant() -> Tenant {
    Tenant::new(MerchantId::parse(M).unwrap(), Environment::Test)
}

/// One text column of the first row `sql` returns.
pub(super) async fn text(store: &Store, sql: &str) -> Option<String> {
    let (v,): (Option<String>,) = sqlx::query_as(sql).fetch_one(store.read()).await.unwrap();
    v
}
