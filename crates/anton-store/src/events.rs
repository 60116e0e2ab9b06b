//! Events: the transactional outbox. Written by the same job as the change they describe.

use anton_core::event::NewEvent;
use anton_core::id::EventId;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Executor, Row};

use crate::list::{chunks_for, rows_insert, BatchConn, Page, Sql};
use crate::{Result, Tenant};

/// A stored event: its exact JSON body plus what lists filter on.
#[derive(Debug, Clone)]
pub struct EventRecord {
    pub id: EventId,
    pub event_type: String,
    pub body: String,
    pub created_us: i64,
}

fn from_row(r: &AnyRow) -> Result<EventRecord> {
    Ok(EventRecord {
        id: crate::stored(&r.try_get::<String, _>("id")?, "event id")?,
        event_type: r.try_get("type")?,
        body: r.try_get("body")?,
        created_us: r.try_get("created_us")?,
    })
}

pub async fn insert(conn: &mut AnyConnection, t: &Tenant, e: &NewEvent) -> Result<()> {
    sqlx::query(
        "INSERT INTO events (merchant_id, env, id, type, object_id, body, created_us, fanout_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
    )
    .bind(t.m())
    .bind(t.e())
    .bind(e.id.as_str())
    .bind(e.event_type.as_str())
    .bind(&e.object_id)
    .bind(&e.body)
    .bind(e.created.unix_micros())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
    id: &EventId,
) -> Result<Option<EventRecord>> {
    let row = sqlx::query(
        "SELECT id, type, body, created_us FROM events WHERE merchant_id = $1 AND env = $2 AND id = $3",
    )
    .bind(t.m())
    .bind(t.e())
    .bind(id.as_str())
    .fetch_optional(ex)
    .await?;
    row.as_ref().map(from_row).transpose()
}

#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub event_type: Option<String>,
    pub object_id: Option<String>,
}

pub async fn list<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: &Tenant,
    filter: &EventFilter,
    page: &Page,
) -> Result<Vec<EventRecord>> {
    let mut sql = Sql::new("SELECT id, type, body, created_us FROM events WHERE merchant_id = ");
    sql.text(t.m()).push(" AND env = ").text(t.e());
    if let Some(ty) = &filter.event_type {
        sql.push(" AND type = ").text(ty);
    }
    if let Some(o) = &filter.object_id {
        sql.push(" AND object_id = ").text(o);
    }
    page.finish(&mut sql);
    sql.fetch_all(ex).await?.iter().map(from_row).collect()
}

async fn insert_many_chunk(conn: &mut BatchConn<'_>, rows: &[(Tenant, NewEvent)]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::for_batch(conn, "");
    push_insert(&mut sql, rows);
    sql.execute_batch(conn).await?;
    Ok(())
}

/// Appends the statement that inserts `rows` (see [`insert_many`]).
pub fn push_insert(sql: &mut Sql, rows: &[(Tenant, NewEvent)]) {
    sql.push("INSERT INTO events (merchant_id, env, id, type, object_id, body, created_us) ");
    rows_insert(sql, rows, |sql, (t, e)| {
        sql.text(t.m())
            .push(", ")
            .text(t.e())
            .push(", ")
            .text(e.id.as_str())
            .push(", ")
            .text(e.event_type.as_str())
            .push(", ")
            .text(&e.object_id)
            .push(", ")
            .text(&e.body)
            .push(", ")
            .push_int(e.created.unix_micros());
    });
}

/// Inserts many events in one statement (the batched payout path).
pub async fn insert_many(conn: &mut BatchConn<'_>, rows: &[(Tenant, NewEvent)]) -> Result<()> {
    for chunk in chunks_for(conn, rows) {
        insert_many_chunk(&mut *conn, chunk).await?;
    }
    Ok(())
}
