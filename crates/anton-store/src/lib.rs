//! Persistence for Anton: one [`Store`] over SQLite (embedded default) or PostgreSQL (scale-out),
//! chosen at runtime by the database URL.
//!
//! Layout:
//! - [`Store`]: a read pool plus the group-commit [`writer`]. **Every write goes through
//!   [`Store::write`]**: the writer takes the jobs waiting at that moment, runs each inside its own
//!   savepoint of one shared transaction, commits once, and only then answers each caller. One
//!   job's failure (a refusal, a constraint) rolls back its savepoint only.
//! - One module per table family ([`merchants`], [`api_keys`], [`recipients`], [`payouts`],
//!   [`ledger`], [`events`], [`idempotency`]): small named SQL functions. **Every function on tenant
//!   data takes a [`Tenant`]** (merchant and environment); there is no unscoped variant.
//!
//! Both backends run the same SQL through sqlx's `Any` driver: `$n` placeholders, BIGINT for every
//! integer, TEXT for ids and JSON, `ON CONFLICT` upserts and row-value comparisons, which SQLite and
//! PostgreSQL share. Backend-specific statements (leases with `SKIP LOCKED`) branch on [`Backend`].

pub mod alerts;
pub mod api_keys;
pub mod audit;
pub mod events;
pub mod idempotency;
pub mod ledger;
pub mod list;
pub mod merchants;
pub mod nodes;
pub mod payout_files;
pub mod payouts;
pub mod recipients;
pub mod reconcile;
pub mod request_log;
pub mod risk;
pub mod stats;
pub mod team;
pub mod webhooks;
pub mod writer;

use std::str::FromStr;
use std::time::Duration;

use anton_core::id::MerchantId;
use anton_core::keys::Environment;
use futures_util::future::BoxFuture;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor, Row};

pub use list::BatchConn;
pub use sqlx::{AnyConnection as Conn, AnyPool as Pool};
pub use writer::batch::{BatchRunner, Batcher};
pub use writer::{BatchMode, WriterConfig};

/// The merchant and environment every tenant query is scoped to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tenant {
    pub merchant_id: MerchantId,
    pub env: Environment,
}

/// Tenants sort as their stored columns do (`merchant_id`, then `env` as text): the order of
/// every tenant table's primary key, and so the global order in which rows are locked.
impl Ord for Tenant {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.m(), self.e()).cmp(&(other.m(), other.e()))
    }
}

impl PartialOrd for Tenant {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// One of a tenant's rows by its id: the whole primary key `(merchant_id, env, id)` of a tenant
/// table, typed by the kind of id (`Scoped<RecipientId>`, `Scoped<WebhookEndpointId>`, …), so
/// keys of different tables cannot be swapped. Sorts as the primary key does.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scoped<I> {
    pub tenant: Tenant,
    pub id: I,
}

impl<I> Scoped<I> {
    pub fn new(tenant: Tenant, id: I) -> Self {
        Self { tenant, id }
    }
}

impl<I: AsRef<str>> Scoped<I> {
    /// Binds this row's merchant, environment and id, in that order (one row of a row set,
    /// `list::rows_from`).
    pub(crate) fn bind(&self, sql: &mut list::Sql) {
        sql.text(self.tenant.m())
            .push(", ")
            .text(self.tenant.e())
            .push(", ")
            .text(self.id.as_ref());
    }
}

/// An id read back from the database; a value that does not parse is corrupt data.
pub(crate) fn stored<I: FromStr>(text: &str, what: &str) -> Result<I> {
    I::from_str(text).map_err(|_| StoreError::Corrupt(format!("stored {what}")))
}

impl Tenant {
    pub fn new(merchant_id: MerchantId, env: Environment) -> Self {
        Self { merchant_id, env }
    }
    /// A tenant read back from stored `merchant_id` and `env` columns.
    pub(crate) fn from_stored(merchant_id: &str, env: &str) -> Result<Self> {
        match (MerchantId::parse(merchant_id), Environment::parse(env)) {
            (Ok(m), Some(e)) => Ok(Self::new(m, e)),
            _ => Err(StoreError::Corrupt("stored tenant".into())),
        }
    }
    pub(crate) fn m(&self) -> &str {
        self.merchant_id.as_str()
    }
    pub(crate) fn e(&self) -> &'static str {
        self.env.as_str()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error")]
    Database(#[source] sqlx::Error),
    #[error("database error")]
    Sqlite(#[source] rusqlite::Error),
    #[error("unique constraint violated")]
    UniqueViolation,
    #[error("check constraint violated")]
    CheckViolation,
    #[error("the database writer is unavailable")]
    WriterUnavailable,
    /// An optimistic batch found the rows it decided on changed (see
    /// [`writer::BatchMode::Optimistic`]); the writer runs it again, locking. Never reaches callers.
    #[error("an optimistic batch read rows that changed before it wrote")]
    Stale,
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("migration failed")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("unsupported database URL (use sqlite://… or postgres://…)")]
    UnsupportedUrl,
}

impl StoreError {
    /// True when the database could not be reached, or refused the work for a transient reason
    /// (PostgreSQL chose it as a deadlock victim or a serialization failure): the request may be
    /// retried as it is (with its idempotency key), so the API answers 503, not 500.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::WriterUnavailable => true,
            e if e.is_conflict() => true,
            Self::Database(e) => matches!(
                e,
                sqlx::Error::Io(_)
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::Tls(_)
            ),
            Self::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                rusqlite::ErrorCode::CannotOpen
                    | rusqlite::ErrorCode::SystemIoFailure
                    | rusqlite::ErrorCode::DatabaseBusy
                    | rusqlite::ErrorCode::DatabaseLocked
            ),
            _ => false,
        }
    }
}

impl StoreError {
    /// PostgreSQL aborted the transaction as a deadlock victim or a serialization failure: running
    /// it again is expected to succeed.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::Database(sqlx::Error::Database(db))
            if matches!(db.code().as_deref(), Some("40P01" | "40001")))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        // Constraint violations are told apart by kind, never by message text.
        if let sqlx::Error::Database(db) = &e {
            match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => return Self::UniqueViolation,
                sqlx::error::ErrorKind::CheckViolation => return Self::CheckViolation,
                _ => {}
            }
        }
        Self::Database(e)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            if f.code == rusqlite::ErrorCode::ConstraintViolation {
                match f.extended_code {
                    rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY => return Self::UniqueViolation,
                    rusqlite::ffi::SQLITE_CONSTRAINT_CHECK => return Self::CheckViolation,
                    _ => {}
                }
            }
        }
        Self::Sqlite(e)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Storage settings.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Read-pool size.
    pub read_connections: u32,
    pub writer: WriterConfig,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            read_connections: 8,
            writer: WriterConfig::default(),
        }
    }
}

/// The database: a pool for reads and the group-commit writer for every write.
#[derive(Clone)]
pub struct Store {
    read: AnyPool,
    writer: writer::Writer,
    backend: Backend,
    /// Bumped whenever this process revokes, expires or rolls an API key, so per-node caches of
    /// key records can drop what they hold at once (other processes' changes reach them by TTL).
    key_epoch: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Notified after every commit of the writer (the webhook dispatcher waits on it).
    commits: std::sync::Arc<tokio::sync::Notify>,
    /// The node's operator metrics: the writer records its commits; the engine takes it
    /// (`Engine::metrics`).
    metrics: std::sync::Arc<anton_metrics::Metrics>,
}

static MIGRATOR_SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static MIGRATOR_POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

fn backend_of(url: &str) -> Result<Backend> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Backend::Postgres)
    } else {
        Err(StoreError::UnsupportedUrl)
    }
}

/// PostgreSQL session settings of every connection. Durable commits; statements stay prepared
/// (parsed once) but are planned for their actual values: a generic plan for the batched
/// `… JOIN (VALUES …)` / `UPDATE … FROM (VALUES …)` statements can scan whole tables, which
/// measured twice as slow and growing.
pub(crate) const POSTGRES_SESSION: &str =
    "SET synchronous_commit = on; SET plan_cache_mode = force_custom_plan";

/// Session settings applied to every new connection.
async fn prepare_connection(conn: &mut AnyConnection, backend: Backend) -> Result<(), sqlx::Error> {
    match backend {
        Backend::Sqlite => {
            // WAL lets readers run beside the writer; FULL makes every commit durable (fsync) before
            // the writer answers. busy_timeout covers the rare lock wait from an operator command.
            conn.execute("PRAGMA journal_mode = WAL").await?;
            conn.execute("PRAGMA synchronous = FULL").await?;
            conn.execute("PRAGMA busy_timeout = 5000").await?;
            conn.execute("PRAGMA foreign_keys = ON").await?;
            // Reads through a memory map: pages come from the OS page cache without a copy. (A
            // large private page cache would not help readers: in WAL mode a reader drops its
            // whole cache whenever another connection has committed.)
            conn.execute("PRAGMA mmap_size = 268435456").await?;
        }
        Backend::Postgres => {
            conn.execute(POSTGRES_SESSION).await?;
        }
    }
    Ok(())
}

/// The writer's connection. On SQLite it also gets a 64 MiB page cache: the writer is the only
/// connection that commits, so its cache stays valid and the hot indexes stay in memory.
pub(crate) async fn connect_one(url: &str, backend: Backend) -> Result<AnyConnection> {
    let opts = AnyConnectOptions::from_str(url)?.disable_statement_logging();
    let mut conn = AnyConnection::connect_with(&opts).await?;
    prepare_connection(&mut conn, backend).await?;
    if backend == Backend::Sqlite {
        conn.execute("PRAGMA cache_size = -65536").await?;
        // Each job runs in a savepoint, whose sub-journal is otherwise a temporary file created,
        // written and deleted per transaction (measured ~6% of webhook throughput on the native
        // writer).
        conn.execute("PRAGMA temp_store = MEMORY").await?;
    }
    Ok(conn)
}

impl Store {
    /// Connects (creating the SQLite file if needed) and starts the writer. Does not migrate.
    pub async fn connect(url: &str, options: StoreOptions) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        let opts = AnyConnectOptions::from_str(url)?.disable_statement_logging();
        let read = AnyPoolOptions::new()
            .max_connections(options.read_connections)
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _| {
                Box::pin(async move { prepare_connection(conn, backend).await })
            })
            .connect_with(opts)
            .await?;
        let commits = std::sync::Arc::new(tokio::sync::Notify::new());
        let metrics = anton_metrics::Metrics::new();
        let signals = std::sync::Arc::new(writer::Signals {
            commits: commits.clone(),
            metrics: metrics.clone(),
        });
        let writer =
            writer::Writer::start(url.to_owned(), backend, options.writer, signals).await?;
        Ok(Self {
            read,
            writer,
            backend,
            key_epoch: Default::default(),
            commits,
            metrics,
        })
    }

    pub async fn migrate(&self) -> Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &MIGRATOR_SQLITE,
            Backend::Postgres => &MIGRATOR_POSTGRES,
        };
        migrator.run(&self.read).await.map_err(StoreError::Migrate)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Refreshes the planner's statistics of the tables that changed a lot since their last
    /// `ANALYZE` (PostgreSQL; nothing on SQLite, whose planner does not need them for Anton's
    /// queries). Returns the tables analyzed.
    ///
    /// Why Anton does this itself: autovacuum looks once a minute, and until it has analyzed a
    /// freshly filled table PostgreSQL plans it as nearly empty — it then cannot tell a
    /// primary-key lookup `(merchant_id, env, id)` from a walk of another index by
    /// `(merchant_id, env)`, and every keyed lookup scans the merchant's whole backlog
    /// (docs/benchmarks.md). A table counts as changed a lot when the rows modified since its
    /// last analyze exceed 500 and the rows it holds — it has about doubled. Plans of keyed
    /// lookups only need to know a table is no longer tiny, so analyzing on doubling keeps them
    /// right at a logarithmic cost (a tenth, the autovacuum default, measured ~9% of the
    /// database's CPU while a benchmark filled tables at thousands of rows per second).
    ///
    /// The row counts come from the statistics collector, which hears of a backend's writes up
    /// to a second or more after they commit, so a table is also analyzed when its file has
    /// grown past twice the pages it had at its last analyze (and past 8 pages): the file's size
    /// is current at once. Measured: a 10,000-event backlog written just before the dispatcher
    /// started was planned without statistics in some runs, and the job lane's cached plans then
    /// walked the merchant's whole `events_list` index per event marked (100–190 ms per
    /// statement instead of ~6 ms; one endpoint ~3,900 against ~5,300 deliveries/s).
    pub async fn refresh_statistics(&self) -> Result<Vec<String>> {
        if self.backend != Backend::Postgres {
            return Ok(Vec::new());
        }
        let stale: Vec<String> = sqlx::query(
            "SELECT quote_ident(s.relname) AS name FROM pg_stat_user_tables s \
             JOIN pg_class c ON c.oid = s.relid \
             WHERE s.schemaname = current_schema() \
             AND (s.n_mod_since_analyze > GREATEST(500, s.n_live_tup - s.n_mod_since_analyze) \
                  OR pg_relation_size(c.oid) / current_setting('block_size')::bigint \
                     > GREATEST(8, 2 * c.relpages::bigint))",
        )
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("name"))
        .collect::<std::result::Result<_, _>>()?;
        for name in &stale {
            sqlx::query(&format!("ANALYZE {name}"))
                .execute(&self.read)
                .await?;
        }
        Ok(stale)
    }

    /// The pool for reads. Reads see every write whose caller has been answered.
    pub fn read(&self) -> &AnyPool {
        &self.read
    }

    /// Runs `job` inside the next group commit and returns its result once the commit is durable.
    /// If `job` returns `Err`, its savepoint is rolled back and nothing it wrote survives; the other
    /// jobs of the batch are unaffected.
    pub async fn write<T, F>(&self, job: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        self.writer.submit(job).await
    }

    /// [`Store::write`] for a job that may refuse: `Ok(Err(refusal))` rolls back everything the
    /// job wrote, like an `Err`, but reaches the caller as its answer.
    pub async fn write_refusable<T, E, F>(&self, job: F) -> Result<std::result::Result<T, E>>
    where
        T: Send + 'static,
        E: Send + 'static,
        F: for<'c> FnOnce(
                &'c mut AnyConnection,
            ) -> BoxFuture<'c, Result<std::result::Result<T, E>>>
            + Send
            + 'static,
    {
        self.writer.submit_refusable(job).await
    }

    /// Runs `job` in a write batch through a [`BatchConn`], in a savepoint of its own: on SQLite (a
    /// file database) on the native writer connection's thread, with no thread hand-off per
    /// statement; on PostgreSQL on the job lane (its own native connection, row sets as arrays);
    /// with in-memory SQLite as [`Store::write`] does. The job's future must await nothing but
    /// its connection.
    pub async fn write_native<T, F>(&self, job: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c, 'a> FnOnce(&'c mut BatchConn<'a>) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        self.writer.submit_native(job).await
    }

    /// The node's operator metrics (one registry per store, so per node).
    pub fn metrics(&self) -> &std::sync::Arc<anton_metrics::Metrics> {
        &self.metrics
    }

    /// The read pool's connections in use and idle, and whether the database answers a ping
    /// within `timeout` — recorded in the metrics (at each scrape).
    pub async fn sample_database(&self, timeout: Duration) {
        let up = matches!(tokio::time::timeout(timeout, self.ping()).await, Ok(Ok(())));
        let size = self.read.size();
        let idle = u32::try_from(self.read.num_idle()).unwrap_or(size);
        self.metrics
            .set_database(size.saturating_sub(idle), idle, up);
    }

    /// Notified after each commit of this node's writer: a waiter wakes at least once after every
    /// commit that happened since it last woke.
    pub fn commits(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.commits.clone()
    }

    /// The current API-key epoch (see the field's docs).
    pub fn key_epoch(&self) -> u64 {
        self.key_epoch.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Announces that an API key changed (revoked, expiry shortened): caches must re-read.
    pub fn note_key_change(&self) {
        self.key_epoch
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// The typed handle of a batched use case: items given to [`Batcher::submit`] are decided
    /// together by `runner` inside a group commit (see [`writer::batch`]). Each call makes a new
    /// queue (on PostgreSQL with lanes of its own): a use case makes its batcher once.
    pub fn batcher<R: BatchRunner>(&self, runner: R) -> Batcher<R> {
        self.writer.batcher(runner)
    }

    /// Checks that the database answers (for readiness probes).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    /// Closes the read pool. The writer task ends when the last `Store` clone is dropped.
    pub async fn close(&self) {
        self.read.close().await;
    }
}

/// Runs `job` inside a savepoint of a write job's connection: what it wrote stays only if it
/// returns `Ok(Ok(_))`; a refusal (`Ok(Err(_))`) or an error rolls it back.
pub async fn in_savepoint<T, E, F>(
    conn: &mut AnyConnection,
    job: F,
) -> Result<std::result::Result<T, E>>
where
    F: for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<std::result::Result<T, E>>>,
{
    let mut sp = conn.begin().await?;
    match job(&mut sp).await {
        Ok(Ok(t)) => {
            sp.commit().await?;
            Ok(Ok(t))
        }
        Ok(Err(refusal)) => {
            sp.rollback().await?;
            Ok(Err(refusal))
        }
        Err(e) => {
            // A failed rollback means the connection is gone; the caller sees `e`.
            let _ = sp.rollback().await;
            Err(e)
        }
    }
}

/// Current time in unix microseconds.
pub fn now_us() -> i64 {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// A migrated store on a new SQLite file (unit tests of this crate). The directory is the
/// caller's to remove.
#[cfg(test)]
pub(crate) async fn test_store() -> (Store, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("anton-store-{}", anton_core::random_base62(10)));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.join("t.db").display());
    let store = Store::connect(&url, StoreOptions::default())
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    (store, dir)
}
