//! Everything that differs between SQLite and PostgreSQL, in one place.

use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, Statement, TransactionTrait};

/// Triggers that make a table append-only: UPDATE and DELETE fail.
pub fn append_only_triggers(backend: DbBackend, table: &str) -> Vec<String> {
    match backend {
        DbBackend::Postgres => vec![
            format!(
                "CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN RAISE EXCEPTION '{table} is append-only'; END $$"
            ),
            format!(
                "CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
            ),
        ],
        _ => vec![
            format!(
                "CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} \
                 BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            ),
            format!(
                "CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} \
                 BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            ),
        ],
    }
}

/// Serialises start-up work between processes (migrations, reference data). On PostgreSQL, a
/// transaction-level advisory lock held by one pooled connection while the work runs on the
/// others (so a PostgreSQL pool needs at least two connections); on SQLite, whose deployments
/// are one process, the database's own write lock serialises each statement.
pub struct StartupLock(Option<DatabaseTransaction>);

const MIGRATION_LOCK_KEY: i64 = 0x676c_6f63_616c; // "glocal"

impl StartupLock {
    pub async fn acquire(db: &DatabaseConnection) -> anyhow::Result<StartupLock> {
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(StartupLock(None));
        }
        let tx = db.begin().await?;
        tx.execute_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})"),
        ))
        .await?;
        Ok(StartupLock(Some(tx)))
    }

    pub async fn release(self) -> anyhow::Result<()> {
        if let Some(tx) = self.0 {
            tx.commit().await?;
        }
        Ok(())
    }
}

/// Writes a consistent copy of a live SQLite database to `dest` (`VACUUM INTO`), without
/// stopping writers.
pub async fn sqlite_backup(db: &DatabaseConnection, dest: &std::path::Path) -> anyhow::Result<()> {
    anyhow::ensure!(
        db.get_database_backend() == DbBackend::Sqlite,
        "backup copies SQLite databases; for PostgreSQL use pg_dump (see README)"
    );
    anyhow::ensure!(!dest.exists(), "{} exists already", dest.display());
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "VACUUM INTO ?",
        [dest.to_string_lossy().to_string().into()],
    ))
    .await?;
    Ok(())
}
