//! The domain of Glocal: organisations, accounts, the audit log, and (in later modules) the
//! desk, the library and the registry. It knows the database and nothing of HTTP.
//!
//! Every domain function takes a [`actor::Scope`] — the [`Core`] plus the acting user — so
//! authorisation is decided here, once, whatever the caller.

pub mod accounts;
pub mod actor;
pub mod audit;
pub mod blobs;
pub mod bootstrap;
pub mod config;
pub mod db;
pub mod demo;
pub mod desk;
mod entities;
pub mod error;
pub mod gazetteer;
pub mod ids;
pub mod jobs;
pub mod library;
pub mod mail;
mod migrations;
pub mod orgs;
pub mod paging;
pub mod refdata;
pub mod registry;
pub mod search;
pub mod secrets;
pub mod text;
pub mod validate;

use std::sync::Arc;

pub use actor::{Actor, Origin, Scope};
pub use config::Config;
pub use error::{Error, ErrorCode, Result};

/// Everything a domain function needs besides the actor: the database and the configuration.
/// Cheap to clone; one per process.
#[derive(Clone)]
pub struct Core {
    pub db: sea_orm::DatabaseConnection,
    /// Where write transactions begin ([`db::begin_write`]). On SQLite a pool of one
    /// connection, so writers queue in order here instead of sleeping in SQLite's busy
    /// handler; on PostgreSQL the same pool as `db`.
    pub writer: sea_orm::DatabaseConnection,
    pub config: Arc<Config>,
    pub blobs: blobs::BlobStore,
    /// The process's search index of the library, opened on first use.
    pub search: library::search::Searcher,
    /// The process's matcher of the term base's terms, rebuilt when the term base changes.
    pub terms: search::terms::LookupCache,
}

impl Core {
    /// Connects, applies pending migrations and loads changed reference data — under the
    /// start-up lock, so that processes starting together do this once.
    pub async fn open(config: Config) -> anyhow::Result<Core> {
        let db = db::connect(&config).await?;
        let writer = db::connect_writer(&config, &db).await?;
        let blobs = blobs::BlobStore::new(&config.storage.data_dir);
        let core =
            Core { db, writer, config: Arc::new(config), blobs, search: Default::default(), terms: Default::default() };
        let lock = db::dialect::StartupLock::acquire(&core.db).await?;
        db::apply_migrations(&core.db).await?;
        if let Some(report) = refdata::ensure_loaded(&core).await? {
            tracing::info!(created = report.created, updated = report.updated, "reference data loaded");
        }
        lock.release().await?;
        Ok(core)
    }

    pub fn scope<'a>(&'a self, actor: &'a Actor, origin: &'a Origin) -> Scope<'a> {
        Scope { core: self, actor, origin }
    }
}
