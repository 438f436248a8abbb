//! Organisations, users, sessions, API tokens, one-time links, login throttling, the audit log
//! and shared settings.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::schema::{fk, ts};

use crate::db::dialect;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("organizations")
                .col(big_pk_auto("id"))
                .col(string("kind"))
                .col(string_null("tier"))
                .col(string_null("code").unique_key())
                .col(big_integer_null("parent_id"))
                .col(string("name"))
                .col(string("name_en"))
                .col(text("names"))
                .col(string_null("country"))
                .col(string_null("city"))
                .col(string_null("time_zone"))
                .col(string_null("email"))
                .col(string_null("phone"))
                .col(string_null("website"))
                .col(text_null("address"))
                .col(boolean("active"))
                .col(text("search_text"))
                .col(integer("version"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(("organizations", "parent_id"), "organizations"))
                .to_owned(),
        )
        .await?;
        for (name, col) in [("idx_organizations_kind", "kind"), ("idx_organizations_parent", "parent_id")] {
            m.create_index(Index::create().name(name).table("organizations").col(col).to_owned()).await?;
        }

        m.create_table(
            Table::create()
                .table("users")
                .col(big_pk_auto("id"))
                .col(big_integer("org_id"))
                .col(string("email").unique_key())
                .col(string("name"))
                .col(string_null("title"))
                .col(string_null("phone"))
                .col(string_null("password_hash"))
                .col(big_integer("roles"))
                .col(string("locale"))
                .col(string("time_zone"))
                .col(text("languages"))
                .col(text("countries"))
                .col(boolean("active"))
                .col(timestamp_with_time_zone_null("last_login_at"))
                .col(text("search_text"))
                .col(integer("version"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk(("users", "org_id"), "organizations"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_users_org").table("users").col("org_id").to_owned()).await?;

        m.create_table(
            Table::create()
                .table("sessions")
                .col(string("id").primary_key())
                .col(big_integer("user_id"))
                .col(string("csrf_token"))
                .col(ts("created_at"))
                .col(ts("last_seen_at"))
                .col(ts("expires_at"))
                .col(string_null("ip"))
                .col(string_null("user_agent"))
                .foreign_key(&mut fk(("sessions", "user_id"), "users").on_delete(ForeignKeyAction::Cascade).to_owned())
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_sessions_user").table("sessions").col("user_id").to_owned()).await?;
        m.create_index(Index::create().name("idx_sessions_expires").table("sessions").col("expires_at").to_owned())
            .await?;

        m.create_table(
            Table::create()
                .table("api_tokens")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(string("name"))
                .col(string("token_hash").unique_key())
                .col(string("prefix"))
                .col(ts("created_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .col(timestamp_with_time_zone_null("expires_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut fk(("api_tokens", "user_id"), "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_api_tokens_user").table("api_tokens").col("user_id").to_owned())
            .await?;

        m.create_table(
            Table::create()
                .table("setup_tokens")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(string("token_hash").unique_key())
                .col(ts("created_at"))
                .col(ts("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .foreign_key(
                    &mut fk(("setup_tokens", "user_id"), "users").on_delete(ForeignKeyAction::Cascade).to_owned(),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("login_throttle")
                .col(string("key").primary_key())
                .col(integer("failures"))
                .col(ts("window_started_at"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("audit_events")
                .col(big_pk_auto("id"))
                .col(ts("at"))
                .col(big_integer_null("actor_id"))
                .col(string("actor_label"))
                .col(string("action"))
                .col(string("subject_type"))
                .col(string_null("subject_id"))
                .col(big_integer_null("org_id"))
                .col(text("details"))
                .col(string_null("ip"))
                .col(string_null("request_id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_audit_subject")
                .table("audit_events")
                .col("subject_type")
                .col("subject_id")
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_audit_actor").table("audit_events").col("actor_id").to_owned())
            .await?;
        for stmt in dialect::append_only_triggers(m.get_database_backend(), "audit_events") {
            m.get_connection().execute_unprepared(&stmt).await?;
        }

        m.create_table(
            Table::create()
                .table("settings")
                .col(string("key").primary_key())
                .col(text("value"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
