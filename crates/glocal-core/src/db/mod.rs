//! Connecting to the database, migrating it, and the few helpers every domain module uses.
//!
//! The backend is chosen by the URL: `sqlite://…` or `postgres://…`. Queries are written once
//! with SeaORM; what differs between the backends lives in [`dialect`].

pub mod dialect;

use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

use crate::config::Config;
use crate::migrations::Migrator;

/// Opens the pool. For SQLite the data folder is created, and every connection runs in WAL
/// mode with foreign keys enforced and a busy timeout, so writers wait for each other instead
/// of failing.
pub async fn connect(config: &Config) -> anyhow::Result<DatabaseConnection> {
    connect_with(config, config.database.max_connections, 1).await
}

/// The connection write transactions begin on: on SQLite a second pool of one connection,
/// so that writers of this process queue for it in order (SQLite has one writer at a time,
/// and its busy handler makes waiting writers sleep in steps up to 100 ms); on PostgreSQL,
/// which has no such limit, `db` itself.
pub async fn connect_writer(config: &Config, db: &DatabaseConnection) -> anyhow::Result<DatabaseConnection> {
    if is_sqlite(db) { connect_with(config, 1, 0).await } else { Ok(db.clone()) }
}

async fn connect_with(config: &Config, max: u32, min: u32) -> anyhow::Result<DatabaseConnection> {
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.storage.data_dir)
            .with_context(|| format!("creating data folder {}", config.storage.data_dir.display()))?;
    }
    let mut options = ConnectOptions::new(url.clone());
    let synchronous = match config.database.sqlite_synchronous.as_str() {
        "normal" => sea_orm::sqlx::sqlite::SqliteSynchronous::Normal,
        _ => sea_orm::sqlx::sqlite::SqliteSynchronous::Full,
    };
    options
        .max_connections(max)
        .min_connections(min)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(synchronous)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .create_if_missing(true)
        });
    let db = Database::connect(options)
        .await
        .with_context(|| format!("connecting to {}", crate::config::redact_url(&url)))?;
    Ok(db)
}

/// Applies every pending migration. Several processes starting at once on PostgreSQL take
/// turns through an advisory lock.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    let lock = dialect::StartupLock::acquire(db).await?;
    apply_migrations(db).await?;
    lock.release().await
}

/// Applies pending migrations; the caller holds the [`dialect::StartupLock`].
pub(crate) async fn apply_migrations(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None).await.context("applying migrations")
}

/// The names of applied and pending migrations, for `glocal migrate --status`.
pub async fn migration_status(db: &DatabaseConnection) -> anyhow::Result<Vec<(String, bool)>> {
    let applied: Vec<String> =
        Migrator::get_applied_migrations(db).await?.iter().map(|m| m.name().to_string()).collect();
    Ok(Migrator::migrations()
        .iter()
        .map(|m| {
            let name = m.name().to_string();
            let done = applied.contains(&name);
            (name, done)
        })
        .collect())
}

/// Begins a transaction that will write, on [`crate::Core::writer`]. On SQLite it takes the
/// write lock at once (`BEGIN IMMEDIATE`), so a writer of another process waits on the busy
/// timeout instead of one failing when it upgrades from reading to writing.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, sea_orm::DbErr> {
    let options =
        TransactionOptions { sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate), ..Default::default() };
    db.begin_with_options(options).await
}

/// The current time, truncated to microseconds: PostgreSQL keeps no more, and a value read
/// back must equal the value written on both backends.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

pub fn is_sqlite(db: &impl ConnectionTrait) -> bool {
    db.get_database_backend() == DbBackend::Sqlite
}

/// Whether a database error is a violated unique constraint.
pub fn is_unique_violation(e: &sea_orm::DbErr) -> bool {
    matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Connections of this process's pool: (open, idle), for the metrics.
pub fn pool_stats(db: &DatabaseConnection) -> (u32, u32) {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let p = db.get_postgres_connection_pool();
            (p.size(), p.num_idle() as u32)
        }
        _ => {
            let p = db.get_sqlite_connection_pool();
            (p.size(), p.num_idle() as u32)
        }
    }
}

/// Whether the database answers (for `/readyz`).
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}

/// The most one multi-row write should send. sqlx cannot set `TCP_NODELAY` on its PostgreSQL
/// sockets, and a message larger than a socket's initial send buffer (16 KiB on Linux) is sent
/// in two writes, the second of which waits for the server's delayed ACK: about 40 ms per
/// statement. Bulk writes therefore go in statements below this size (measured on the
/// gazetteer import: 20 s in 40 KB statements, under 4 s below 12 KB).
pub const BULK_STATEMENT_BYTES: usize = 12 * 1024;

/// Splits `items` into runs whose estimated encoded size (`size` of each, plus a per-row
/// allowance for the protocol's lengths and format codes) stays under
/// [`BULK_STATEMENT_BYTES`], and at most 1,000 rows (well below either backend's limit on
/// bound parameters).
pub fn bulk_chunks<T>(items: &[T], size: impl Fn(&T) -> usize) -> Vec<&[T]> {
    const ROW_OVERHEAD: usize = 32;
    const MAX_ROWS: usize = 1000;
    let mut chunks = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, item) in items.iter().enumerate() {
        let n = size(item) + ROW_OVERHEAD;
        if i > start && (bytes + n > BULK_STATEMENT_BYTES || i - start == MAX_ROWS) {
            chunks.push(&items[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += n;
    }
    if start < items.len() {
        chunks.push(&items[start..]);
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_chunks_keep_every_item_once_in_order_and_under_the_budget() {
        let items: Vec<usize> = (0..5000).map(|i| (i * 37) % 700).collect();
        let chunks = bulk_chunks(&items, |n| *n);
        assert_eq!(chunks.concat(), items);
        for c in &chunks {
            assert!(c.len() <= 1000);
            assert!(c.len() == 1 || c.iter().map(|n| n + 32).sum::<usize>() <= BULK_STATEMENT_BYTES);
        }
        // One item larger than the budget still goes, alone.
        assert_eq!(bulk_chunks(&[1, 100_000, 1], |n| *n), vec![&[1][..], &[100_000][..], &[1][..]]);
        assert!(bulk_chunks(&[] as &[usize], |n| *n).is_empty());
    }
}
