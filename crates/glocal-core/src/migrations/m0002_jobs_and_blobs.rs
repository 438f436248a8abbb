//! Background jobs and the index of stored file contents.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("jobs")
                .col(big_pk_auto("id"))
                .col(string("kind"))
                .col(text("payload"))
                .col(string("status"))
                .col(string_null("dedupe_key"))
                .col(timestamp_with_time_zone("run_at"))
                .col(integer("attempts"))
                .col(integer("max_attempts"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(string_null("locked_by"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_jobs_due").table("jobs").col("status").col("run_at").to_owned())
            .await?;
        // At most one pending job per dedupe key. The same partial-index syntax works on both
        // backends.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_jobs_dedupe ON jobs (dedupe_key) WHERE status = 'pending' AND dedupe_key IS NOT NULL",
            )
            .await?;

        m.create_table(
            Table::create()
                .table("blobs")
                .col(string("sha256").primary_key())
                .col(big_integer("size"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
