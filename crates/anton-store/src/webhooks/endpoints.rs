//! Webhook endpoints as merchants manage them: create, change, read, list, delete.

use anton_core::id::WebhookEndpointId;
use sqlx::{Any, AnyConnection, Executor};

use crate::list::{BatchConn, Page, RowGet, Sql};
use crate::{stored, Result, Tenant};

/// A stored endpoint.
#[derive(Debug, Clone)]
pub struct EndpointRecord {
    pub id: WebhookEndpointId,
    pub url: String,
    /// JSON array of event types, or `["*"]`.
    pub enabled_events: String,
    pub description: Option<String>,
    /// `enabled` or `disabled`.
    pub status: String,
    pub secret_ciphertext: String,
    pub previous_secret_ciphertext: Option<String>,
    pub previous_expires_us: Option<i64>,
    pub failing_since_us: Option<i64>,
    pub created_us: i64,
    pub updated_us: i64,
    /// `hmac_sha256` (the default) or `ed25519`.
    pub signature_scheme: String,
    /// The Ed25519 public key (`whpk_…`) of an `ed25519` endpoint; not secret.
    pub public_key: Option<String>,
}

pub(super) const ENDPOINT_COLUMNS: &str =
    "id, url, enabled_events, description, status, secret_ciphertext, \
     previous_secret_ciphertext, previous_expires_us, failing_since_us, created_us, updated_us, \
     signature_scheme, public_key";

pub(super) fn endpoint_from_row(r: &dyn RowGet) -> Result<EndpointRecord> {
    Ok(EndpointRecord {
        id: stored(&r.text("id")?, "webhook endpoint id")?,
        url: r.text("url")?,
        enabled_events: r.text("enabled_events")?,
        description: r.opt_text("description")?,
        status: r.text("status")?,
        secret_ciphertext: r.text("secret_ciphertext")?,
        previous_secret_ciphertext: r.opt_text("previous_secret_ciphertext")?,
        previous_expires_us: r.opt_int("previous_expires_us")?,
        failing_since_us: r.opt_int("failing_since_us")?,
        created_us: r.int("created_us")?,
        updated_us: r.int("updated_us")?,
        signature_scheme: r.text("signature_scheme")?,
        public_key: r.opt_text("public_key")?,
    })
}

pub async fn insert_endpoint(
    conn: &mut AnyConnection,
    t: &Tenant,
    e: &EndpointRecord,
) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO webhook_endpoints (merchant_id, env, {ENDPOINT_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    ))
    .bind(t.m())
    .bind(t.e())
    .bind(e.id.as_str())
    .bind(&e.url)
    .bind(&e.enabled_events)
    .bind(e.description.clone())
    .bind(&e.status)
    .bind(&e.secret_ciphertext)
    .bind(e.previous_secret_ciphertext.clone())
    .bind(e.previous_expires_us)
    .bind(e.failing_since_us)
    .bind(e.created_us)
    .bind(e.updated_us)
    .bind(&e.signature_scheme)
    .bind(e.public_key.clone())
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes every mutable column of `e`. `false` when the endpoint does not exist (for this tenant).
pub async fn update_endpoint(
    conn: &mut AnyConnection,
    t: &Tenant,
    e: &EndpointRecord,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE webhook_endpoints SET url = $1, enabled_events = $2, description = $3, status = $4, \
         secret_ciphertext = $5, previous_secret_ciphertext = $6, previous_expires_us = $7, \
         failing_since_us = $8, updated_us = $9, public_key = $10 \
         WHERE merchant_id = $11 AND env = $12 AND id = $13",
    )
    .bind(&e.url)
    .bind(&e.enabled_events)
    .bind(e.description.clone())
    .bind(&e.status)
    .bind(&e.secret_ciphertext)
    .bind(e.previous_secret_ciphertext.clone())
    .bind(e.previous_expires_us)
    .bind(e.failing_since_us)
    .bind(e.updated_us)
    .bind(e.public_key.clone())
    .bind(t.m())
    .bind(t.e())
    .bind(e.id.as_str())
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn get_endpoint<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
    id: &WebhookEndpointId,
) -> Result<Option<EndpointRecord>> {
    let row = sqlx::query(&format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE merchant_id = $1 AND env = $2 AND id = $3"
    ))
    .bind(t.m())
    .bind(t.e())
    .bind(id.as_str())
    .fetch_optional(ex)
    .await?;
    row.as_ref().map(|r| endpoint_from_row(r)).transpose()
}

/// [`get_endpoint`] inside a write job on a [`BatchConn`].
pub async fn get_endpoint_on(
    conn: &mut BatchConn<'_>,
    t: &Tenant,
    id: &WebhookEndpointId,
) -> Result<Option<EndpointRecord>> {
    let mut sql = Sql::for_batch(
        conn,
        &format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE merchant_id = "),
    );
    sql.text(t.m())
        .push(" AND env = ")
        .text(t.e())
        .push(" AND id = ")
        .text(id.as_str());
    Ok(sql.fetch_batch(conn, endpoint_from_row).await?.pop())
}

/// A page of the tenant's endpoints, only those in `status` (`enabled`, `disabled`) if given.
pub async fn list_endpoints<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
    status: Option<&str>,
    page: &Page,
) -> Result<Vec<EndpointRecord>> {
    let mut sql = Sql::new(&format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE merchant_id = "
    ));
    sql.text(t.m()).push(" AND env = ").text(t.e());
    if let Some(s) = status {
        sql.push(" AND status = ").text(s);
    }
    page.finish(&mut sql);
    sql.fetch_all(ex)
        .await?
        .iter()
        .map(|r| endpoint_from_row(r))
        .collect()
}

/// Deletes the endpoint and cancels its scheduled deliveries (their rows stay, marked `canceled`;
/// the API no longer lists them, since the endpoint is a 404). `false` when it did not exist.
pub async fn delete_endpoint(
    conn: &mut AnyConnection,
    t: &Tenant,
    id: &WebhookEndpointId,
    now_us: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "DELETE FROM webhook_endpoints WHERE merchant_id = $1 AND env = $2 AND id = $3",
    )
    .bind(t.m())
    .bind(t.e())
    .bind(id.as_str())
    .execute(&mut *conn)
    .await?;
    if r.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE webhook_deliveries SET status = 'canceled', next_attempt_us = NULL, lease_us = NULL, \
         updated_us = $1 WHERE merchant_id = $2 AND env = $3 AND endpoint_id = $4 AND next_attempt_us IS NOT NULL",
    )
    .bind(now_us)
    .bind(t.m())
    .bind(t.e())
    .bind(id.as_str())
    .execute(conn)
    .await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhooks::test_support::*;

    #[tokio::test]
    async fn deleting_an_endpoint_cancels_its_scheduled_deliveries_and_keeps_the_rest() {
        let (store, dir) = setup().await;
        exec(
            &store,
            vec![
                endpoint("we_1"),
                endpoint("we_2"),
                event("evt_1", 1),
                due_delivery("del_1", "we_1", "evt_1"),
                due_delivery("del_2", "we_2", "evt_1"),
            ],
        )
        .await;
        let delete = || {
            let store = store.clone();
            async move {
                store
                    .write(|c| {
                        Box::pin(async move {
                            let id = WebhookEndpointId::parse("we_1").unwrap();
                            delete_endpoint(c, &tenant(), &id, 50).await
                        })
                    })
                    .await
                    .unwrap()
            }
        };
        assert!(delete().await);
        assert!(!delete().await, "a deleted endpoint is missing");
        assert_eq!(
            text(
                &store,
                "SELECT status FROM webhook_deliveries WHERE id = 'del_1'"
            )
            .await,
            Some("canceled".into())
        );
        assert_eq!(
            text(
                &store,
                "SELECT status FROM webhook_deliveries WHERE id = 'del_2'"
            )
            .await,
            Some("pending".into())
        );
        std::fs::remove_dir_all(dir).ok();
    }
}
