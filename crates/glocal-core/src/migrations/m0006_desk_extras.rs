//! Desk extras: canned responses per language, links between requests, and @mentions of
//! colleagues in internal notes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::schema::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("desk_canned_responses")
                .col(big_pk_auto("id"))
                .col(string("title"))
                .col(text("body"))
                .col(string("language"))
                .col(string_null("category"))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_desk_canned_responses_language")
                .table("desk_canned_responses")
                .col("language")
                .col("category")
                .to_owned(),
        )
        .await?;

        // One row per pair: `from` is the parent of a parent-child link and the duplicate of a
        // duplicate link; a related link reads the same both ways.
        m.create_table(
            Table::create()
                .table("desk_request_links")
                .col(big_pk_auto("id"))
                .col(big_integer("from_request_id"))
                .col(big_integer("to_request_id"))
                .col(string("kind"))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(("desk_request_links", "from_request_id"), "desk_requests"))
                .foreign_key(&mut fk(("desk_request_links", "to_request_id"), "desk_requests"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_desk_request_links_pair")
                .table("desk_request_links")
                .col("from_request_id")
                .col("to_request_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_desk_request_links_to")
                .table("desk_request_links")
                .col("to_request_id")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("desk_mentions")
                .col(big_pk_auto("id"))
                .col(big_integer("request_id"))
                .col(big_integer("message_id"))
                .col(big_integer("user_id"))
                .col(big_integer_null("author_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(("desk_mentions", "request_id"), "desk_requests"))
                .foreign_key(&mut fk(("desk_mentions", "message_id"), "desk_messages"))
                .foreign_key(&mut fk(("desk_mentions", "user_id"), "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_desk_mentions_user").table("desk_mentions").col("user_id").col("id").to_owned(),
        )
        .await
    }
}
