//! Schema migrations, one module per step, applied in order by `glocal migrate` and at start-up.
//!
//! Each migration is written once with SeaORM's schema builder, which emits the right DDL for
//! SQLite and PostgreSQL; what must differ by backend comes from [`crate::db::dialect`].

use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_jobs_and_blobs;
mod m0002b_gazetteer;
mod m0003_desk;
mod m0005_registry;
mod m0006_desk_extras;
mod m0007_mail;
mod m0008_library;
mod m0009_terms;
mod schema;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_jobs_and_blobs::Migration),
            Box::new(m0002b_gazetteer::Migration),
            Box::new(m0003_desk::Migration),
            Box::new(m0005_registry::Migration),
            Box::new(m0006_desk_extras::Migration),
            Box::new(m0007_mail::Migration),
            Box::new(m0008_library::Migration),
            Box::new(m0009_terms::Migration),
        ]
    }
}
