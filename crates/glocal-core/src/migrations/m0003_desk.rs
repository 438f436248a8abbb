//! The desk: requests, their timeline, conversation and attachments, the registration-number
//! counter, administrator-defined extra fields, calendars and routing.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::schema::{fk, ts, ts_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One row per counter (`reg-2026`): registration numbers are taken by incrementing it
        // inside the registering transaction, so two processes never issue the same number.
        m.create_table(
            Table::create()
                .table("desk_counters")
                .col(string("name").primary_key())
                .col(big_integer("value"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("desk_requests")
                .col(big_pk_auto("id"))
                .col(string_null("reg_no").unique_key())
                .col(big_integer("org_id"))
                .col(big_integer("requester_id"))
                .col(string("category"))
                .col(string("priority"))
                .col(string("title"))
                .col(text("description"))
                .col(text("fields"))
                .col(text("extra"))
                .col(string("language"))
                .col(string_null("country"))
                .col(string("state"))
                .col(string_null("held_from"))
                .col(big_integer_null("department_id"))
                .col(big_integer_null("assignee_id"))
                .col(integer_null("rating"))
                .col(text_null("rating_comment"))
                // SLA: the clock of the current step, in the business time of the holder.
                .col(string_null("sla_stage"))
                .col(ts_null("sla_started_at"))
                .col(ts_null("warn_at"))
                .col(ts_null("due_at"))
                .col(ts_null("final_due_at"))
                .col(big_integer_null("sla_budget_secs"))
                .col(big_integer_null("sla_remaining_secs"))
                .col(big_integer_null("sla_final_remaining_secs"))
                .col(boolean("sla_warned"))
                .col(boolean("sla_breached"))
                .col(text("search_text"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .col(ts_null("registered_at"))
                .col(ts_null("answered_at"))
                .col(ts_null("closed_at"))
                .col(integer("version"))
                .foreign_key(&mut fk(("desk_requests", "org_id"), "organizations"))
                .foreign_key(&mut fk(("desk_requests", "requester_id"), "users"))
                .foreign_key(&mut fk(("desk_requests", "department_id"), "organizations"))
                .foreign_key(&mut fk(("desk_requests", "assignee_id"), "users"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("idx_desk_requests_org", &["org_id", "created_at"][..]),
            ("idx_desk_requests_state", &["state", "due_at"][..]),
            ("idx_desk_requests_assignee", &["assignee_id", "state"][..]),
            ("idx_desk_requests_department", &["department_id", "state"][..]),
            ("idx_desk_requests_warn", &["sla_warned", "warn_at"][..]),
            ("idx_desk_requests_due", &["sla_breached", "due_at"][..]),
        ] {
            let mut idx = Index::create().name(name).table("desk_requests").to_owned();
            for c in cols {
                idx.col(*c);
            }
            m.create_index(idx).await?;
        }

        m.create_table(
            Table::create()
                .table("desk_events")
                .col(big_pk_auto("id"))
                .col(big_integer("request_id"))
                .col(ts("at"))
                .col(big_integer_null("actor_id"))
                .col(string("actor_label"))
                .col(string("kind"))
                .col(string_null("from_state"))
                .col(string_null("to_state"))
                .col(text_null("reason"))
                .col(boolean("internal"))
                .col(text("details"))
                .foreign_key(&mut fk(("desk_events", "request_id"), "desk_requests"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_desk_events_request").table("desk_events").col("request_id").to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("desk_messages")
                .col(big_pk_auto("id"))
                .col(big_integer("request_id"))
                .col(big_integer_null("author_id"))
                .col(string("author_label"))
                .col(string("kind"))
                .col(boolean("internal"))
                .col(text("body"))
                .col(ts("created_at"))
                .foreign_key(&mut fk(("desk_messages", "request_id"), "desk_requests"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_desk_messages_request").table("desk_messages").col("request_id").to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("desk_attachments")
                .col(big_pk_auto("id"))
                .col(big_integer("request_id"))
                .col(big_integer_null("message_id"))
                .col(string("sha256"))
                .col(string("filename"))
                .col(string("content_type"))
                .col(big_integer("size"))
                .col(boolean("internal"))
                .col(big_integer_null("uploaded_by"))
                .col(ts("created_at"))
                .foreign_key(&mut fk(("desk_attachments", "request_id"), "desk_requests"))
                .foreign_key(
                    &mut ForeignKey::create().from("desk_attachments", "sha256").to("blobs", "sha256").to_owned(),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_desk_attachments_request").table("desk_attachments").col("request_id").to_owned(),
        )
        .await?;

        // Fields an administrator adds to a category without a code change.
        m.create_table(
            Table::create()
                .table("desk_category_fields")
                .col(big_pk_auto("id"))
                .col(string("category"))
                .col(string("key"))
                .col(string("kind"))
                .col(boolean("required"))
                .col(text("labels"))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_desk_category_fields_key")
                .table("desk_category_fields")
                .col("category")
                .col("key")
                .unique()
                .to_owned(),
        )
        .await?;

        // Holidays by calendar (`KR`, or an office's code), as ISO dates.
        m.create_table(
            Table::create()
                .table("desk_holidays")
                .col(big_pk_auto("id"))
                .col(string("calendar"))
                .col(string("day"))
                .col(string("name"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_desk_holidays_day")
                .table("desk_holidays")
                .col("calendar")
                .col("day")
                .unique()
                .to_owned(),
        )
        .await?;

        // Routing: the first active rule (by position) whose conditions all match decides.
        m.create_table(
            Table::create()
                .table("desk_routing_rules")
                .col(big_pk_auto("id"))
                .col(integer("position"))
                .col(string_null("category"))
                .col(string_null("country"))
                .col(string_null("language"))
                .col(big_integer("target_id"))
                .col(boolean("follow_the_sun"))
                .col(boolean("active"))
                .col(ts("created_at"))
                .foreign_key(&mut fk(("desk_routing_rules", "target_id"), "organizations"))
                .to_owned(),
        )
        .await?;

        // Staff away (leave) by date range, in their own time zone.
        m.create_table(
            Table::create()
                .table("desk_leaves")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(string("first_day"))
                .col(string("last_day"))
                .foreign_key(&mut fk(("desk_leaves", "user_id"), "users"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
