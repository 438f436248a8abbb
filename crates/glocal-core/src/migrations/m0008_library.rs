//! The library: documents (best practices, trip reports, …) with their version history,
//! attachments and extracted text, the trip reports' follow-ups, and the change log the
//! search index of every process follows.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::schema::{fk, ts};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("library_documents")
                .col(big_pk_auto("id"))
                .col(string("kind"))
                .col(string("language"))
                .col(string("status"))
                .col(string("title"))
                .col(text("summary"))
                .col(text("body"))
                .col(text_null("source"))
                // Best practices.
                .col(string_null("area"))
                .col(string_null("country"))
                .col(string_null("local_government"))
                .col(integer_null("year"))
                // Trip reports: the structured form as JSON, and the return date (ISO
                // `YYYY-MM-DD`, compared as text on both backends) for the overdue list.
                .col(text_null("trip"))
                .col(string_null("returned_on"))
                .col(string_null("reported_on"))
                .col(big_integer("owner_org_id"))
                .col(big_integer_null("author_id"))
                // Documents that translate each other share a group: the id of its first member.
                .col(big_integer_null("translation_group"))
                .col(text("search_text"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .col(timestamp_with_time_zone_null("published_at"))
                .col(integer("version"))
                .foreign_key(&mut fk(("library_documents", "owner_org_id"), "organizations"))
                .foreign_key(&mut fk(("library_documents", "author_id"), "users"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("idx_library_documents_kind", &["kind", "status"][..]),
            ("idx_library_documents_group", &["translation_group"][..]),
            ("idx_library_documents_returned", &["returned_on"][..]),
        ] {
            let mut idx = Index::create().name(name).table("library_documents").to_owned();
            for c in cols {
                idx.col(*c);
            }
            m.create_index(idx).await?;
        }

        // One row per version: who changed what (the diff) and the whole document as it then was.
        m.create_table(
            Table::create()
                .table("library_versions")
                .col(big_pk_auto("id"))
                .col(big_integer("document_id"))
                .col(integer("version"))
                .col(ts("at"))
                .col(big_integer_null("actor_id"))
                .col(string("actor_label"))
                .col(text("changes"))
                .col(text("snapshot"))
                .foreign_key(&mut fk(("library_versions", "document_id"), "library_documents"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_library_versions_document")
                .table("library_versions")
                .col("document_id")
                .col("version")
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("library_attachments")
                .col(big_pk_auto("id"))
                .col(big_integer("document_id"))
                .col(string("sha256"))
                .col(string("filename"))
                .col(string("content_type"))
                .col(big_integer("size"))
                // pending | done | failed | unsupported
                .col(string("extraction"))
                .col(text_null("extraction_error"))
                .col(text_null("text"))
                .col(big_integer_null("uploaded_by"))
                .col(ts("created_at"))
                .foreign_key(&mut fk(("library_attachments", "document_id"), "library_documents"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_library_attachments_document")
                .table("library_attachments")
                .col("document_id")
                .to_owned(),
        )
        .await?;

        // A trip report's recommendations, each tracked until done.
        m.create_table(
            Table::create()
                .table("library_follow_ups")
                .col(big_pk_auto("id"))
                .col(big_integer("document_id"))
                .col(integer("position"))
                .col(text("recommendation"))
                .col(string_null("owner"))
                .col(string_null("due_on"))
                .col(string("status"))
                .col(text_null("note"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .col(integer("version"))
                .foreign_key(&mut fk(("library_follow_ups", "document_id"), "library_documents"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_library_follow_ups_document")
                .table("library_follow_ups")
                .col("document_id")
                .col("position")
                .to_owned(),
        )
        .await?;

        // Written in the same transaction as every document change; each process's search
        // index applies the entries past the last one it applied, in order.
        m.create_table(
            Table::create()
                .table("library_changes")
                .col(big_pk_auto("seq"))
                .col(big_integer("document_id"))
                .col(ts("at"))
                .to_owned(),
        )
        .await
    }
}
