//! Outcomes: every finished attempt written to the attempt log with the delivery's next state,
//! and the endpoint consequences — its failure clock, and disabling it.

use std::collections::HashMap;

use super::{bind_key, DeliveryKey, EndpointKey};
use crate::list::key_from_row;
use crate::list::{chunks_for, rows_from, rows_insert, BatchConn, Sql};
use crate::Result;

/// The outcome of one attempt, to record.
#[derive(Debug, Clone)]
pub struct AttemptOutcome {
    pub attempt: i64,
    pub started_us: i64,
    pub latency_us: i64,
    pub status_code: Option<i64>,
    pub response_body: Option<String>,
    pub error_class: Option<String>,
    /// The delivery's new status and next attempt (None: nothing more scheduled).
    pub new_status: String,
    pub next_attempt_us: Option<i64>,
}

/// Disables an endpoint (410 Gone, or failing for too long). `false` if it was not enabled.
pub async fn disable_endpoint(
    conn: &mut BatchConn<'_>,
    endpoint: &EndpointKey,
    now_us: i64,
) -> Result<bool> {
    let mut sql = Sql::for_batch(
        conn,
        "UPDATE webhook_endpoints SET status = 'disabled', updated_us = ",
    );
    sql.push_int(now_us)
        .push(" WHERE merchant_id = ")
        .text(endpoint.tenant.m())
        .push(" AND env = ")
        .text(endpoint.tenant.e())
        .push(" AND id = ")
        .text(endpoint.id.as_str())
        .push(" AND status = 'enabled'");
    Ok(sql.execute_batch(conn).await? == 1)
}

/// Writes many attempts and their deliveries' new states in a constant number of statements
/// (per power-of-two chunk): one multi-row insert into the attempt log, one `UPDATE … FROM
/// (VALUES …)` of the deliveries (releasing their leases). Attempts already recorded are kept.
pub async fn record_attempts(
    conn: &mut BatchConn<'_>,
    rows: &[(DeliveryKey, AttemptOutcome)],
    now_us: i64,
) -> Result<()> {
    for chunk in chunks_for(conn, rows) {
        let mut sql = Sql::for_batch(
            conn,
            "INSERT INTO webhook_attempts (merchant_id, env, delivery_id, attempt, started_us, latency_us, \
             status_code, response_body, error_class) ",
        );
        rows_insert(&mut sql, chunk, |sql, (d, o)| {
            bind_key(sql, d);
            sql.push(", ")
                .push_int(o.attempt)
                .push(", ")
                .push_int(o.started_us)
                .push(", ")
                .push_int(o.latency_us)
                .push(", ")
                .opt_int(o.status_code)
                .push(", ")
                .opt_text(o.response_body.as_deref())
                .push(", ")
                .opt_text(o.error_class.as_deref());
        });
        sql.push(" ON CONFLICT (merchant_id, env, delivery_id, attempt) DO NOTHING");
        sql.execute_batch(conn).await?;

        // Typed casts: a VALUES column that is NULL in every row would otherwise be text on
        // PostgreSQL (array row sets are typed already; the casts' text is not part of them).
        let mut sql = Sql::for_batch(
            conn,
            "UPDATE webhook_deliveries SET status = v.column4, attempts = v.column5, \
             next_attempt_us = v.column6, lease_us = NULL, last_status_code = v.column7, \
             last_error = v.column8, updated_us = ",
        );
        sql.push_int(now_us).push(" FROM ");
        rows_from(&mut sql, chunk, |sql, (d, o)| {
            bind_key(sql, d);
            sql.push(", ")
                .text(&o.new_status)
                .push(", CAST(")
                .push_int(o.attempt)
                .push(" AS BIGINT), CAST(")
                .opt_int(o.next_attempt_us)
                .push(" AS BIGINT), CAST(")
                .opt_int(o.status_code)
                .push(" AS BIGINT), CAST(")
                .opt_text(o.error_class.as_deref())
                .push(" AS TEXT)");
        });
        sql.push(
            " WHERE webhook_deliveries.merchant_id = v.column1 AND webhook_deliveries.env = v.column2 \
             AND webhook_deliveries.id = v.column3 AND webhook_deliveries.status <> 'canceled'",
        );
        sql.execute_batch(conn).await?;
    }
    Ok(())
}

/// Clears the failure clock of endpoints that just delivered successfully.
pub async fn clear_failing(conn: &mut BatchConn<'_>, endpoints: &[EndpointKey]) -> Result<()> {
    debug_assert!(in_key_order(endpoints), "endpoints arrive in key order");
    for chunk in chunks_for(conn, endpoints) {
        let mut sql = Sql::for_batch(
            conn,
            "UPDATE webhook_endpoints SET failing_since_us = NULL FROM ",
        );
        rows_from(&mut sql, chunk, bind_key);
        sql.push(
            " WHERE webhook_endpoints.merchant_id = v.column1 AND webhook_endpoints.env = v.column2 \
             AND webhook_endpoints.id = v.column3 AND webhook_endpoints.failing_since_us IS NOT NULL",
        );
        sql.execute_batch(conn).await?;
    }
    Ok(())
}

/// Starts the failure clock of endpoints that just failed (where not running) and returns when
/// each endpoint's clock started.
pub async fn start_failing(
    conn: &mut BatchConn<'_>,
    endpoints: &[EndpointKey],
    now_us: i64,
) -> Result<HashMap<EndpointKey, i64>> {
    debug_assert!(in_key_order(endpoints), "endpoints arrive in key order");
    let mut out = HashMap::new();
    for chunk in chunks_for(conn, endpoints) {
        // Joins from the VALUES list (primary-key lookups), not `IN (VALUES …)` (a table scan on
        // SQLite).
        let mut sql = Sql::for_batch(conn, "UPDATE webhook_endpoints SET failing_since_us = ");
        sql.push_int(now_us).push(" FROM ");
        rows_from(&mut sql, chunk, bind_key);
        sql.push(
            " WHERE webhook_endpoints.merchant_id = v.column1 AND webhook_endpoints.env = v.column2 \
             AND webhook_endpoints.id = v.column3 AND webhook_endpoints.failing_since_us IS NULL",
        );
        sql.execute_batch(conn).await?;
        let mut sql = Sql::for_batch(
            conn,
            "SELECT w.merchant_id, w.env, w.id, w.failing_since_us FROM ",
        );
        rows_from(&mut sql, chunk, bind_key);
        sql.push(
            " JOIN webhook_endpoints w ON w.merchant_id = v.column1 AND w.env = v.column2 AND w.id = v.column3",
        );
        let rows = sql
            .fetch_batch(conn, |r| {
                Ok((
                    key_from_row(r, "webhook endpoint id")?,
                    r.opt_int("failing_since_us")?,
                ))
            })
            .await?;
        out.extend(
            rows.into_iter()
                .filter_map(|(k, since)| since.map(|s| (k, s))),
        );
    }
    Ok(out)
}

/// Endpoint rows are written in key order by every node, so two nodes recording at once wait
/// for each other instead of deadlocking.
fn in_key_order(endpoints: &[EndpointKey]) -> bool {
    endpoints.windows(2).all(|w| w[0] < w[1])
}

#[cfg(test)]
mod tests {
    use anton_core::id::DeliveryId;

    use super::*;
    use crate::webhooks::test_support::*;
    use crate::Scoped;

    #[tokio::test]
    async fn an_outcome_is_logged_once_and_moves_its_delivery_on_and_its_lease_off() {
        let (store, dir) = setup().await;
        exec(
            &store,
            vec![
                endpoint("we_1"),
                event("evt_1", 1),
                due_delivery("del_1", "we_1", "evt_1"),
                "UPDATE webhook_deliveries SET lease_us = 500".into(),
            ],
        )
        .await;
        let outcome = AttemptOutcome {
            attempt: 1,
            started_us: 10,
            latency_us: 2_000,
            status_code: Some(503),
            response_body: Some("busy".into()),
            error_class: Some("http_status".into()),
            new_status: "retrying".into(),
            next_attempt_us: Some(5_010),
        };
        let key = Scoped::new(tenant(), DeliveryId::parse("del_1").unwrap());
        // Written twice (a batch retried after a lost answer): the log keeps one row.
        for _ in 0..2 {
            let rows = vec![(key.clone(), outcome.clone())];
            store
                .write_native(move |c| Box::pin(async move { record_attempts(c, &rows, 20).await }))
                .await
                .unwrap();
        }
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM webhook_attempts").await,
            1
        );
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'retrying' AND attempts = 1 \
                 AND next_attempt_us = 5010 AND lease_us IS NULL AND last_status_code = 503"
            )
            .await,
            1
        );
        std::fs::remove_dir_all(dir).ok();
    }

    #[tokio::test]
    async fn a_failure_clock_starts_once_is_cleared_by_a_success_and_disabling_happens_once() {
        let (store, dir) = setup().await;
        exec(&store, vec![endpoint("we_1")]).await;
        let ep = vec![endpoint_key("we_1")];
        let start = |now: i64| {
            let (store, ep) = (store.clone(), ep.clone());
            async move {
                store
                    .write_native(move |c| {
                        Box::pin(async move { start_failing(c, &ep, now).await })
                    })
                    .await
                    .unwrap()
            }
        };
        assert_eq!(start(100).await.get(&endpoint_key("we_1")), Some(&100));
        // Still failing later: the clock keeps its start.
        assert_eq!(start(900).await.get(&endpoint_key("we_1")), Some(&100));
        let cleared = ep.clone();
        store
            .write_native(move |c| Box::pin(async move { clear_failing(c, &cleared).await }))
            .await
            .unwrap();
        assert_eq!(start(1_000).await.get(&endpoint_key("we_1")), Some(&1_000));
        let disable = || {
            let store = store.clone();
            async move {
                store
                    .write_native(|c| {
                        Box::pin(async move { disable_endpoint(c, &endpoint_key("we_1"), 5).await })
                    })
                    .await
                    .unwrap()
            }
        };
        assert!(disable().await, "an enabled endpoint is disabled");
        assert!(!disable().await, "a disabled one is not disabled again");
        std::fs::remove_dir_all(dir).ok();
    }
}
