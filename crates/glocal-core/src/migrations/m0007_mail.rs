//! Incoming mail: every message the desk took or refused, by its Message-ID, so a message the
//! mail server delivers twice lands once.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("mail_inbound")
                .col(big_pk_auto("id"))
                .col(string_uniq("message_id"))
                .col(string("sender"))
                .col(string("outcome"))
                .col(big_integer_null("request_id"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await
    }
}
