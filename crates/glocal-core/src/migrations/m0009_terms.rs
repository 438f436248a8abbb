//! The term base: concepts, their terms in every language, and the one counter that tells every
//! process when its copy of the term base (the search's query expander, the translators' term
//! lookup) is out of date.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::schema::{fk, ts, ts_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("term_concepts")
                .col(big_pk_auto("id"))
                // A code of the library's best-practice taxonomy.
                .col(string_null("area"))
                .col(text_null("definition"))
                .col(text_null("note"))
                // Every term, the definition and the note, folded (see `crate::text`).
                .col(text("search_text"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("term_terms")
                .col(big_pk_auto("id"))
                .col(big_integer("concept_id"))
                .col(integer("position"))
                // BCP 47: ko, en, ja, zh-Hans, zh-Hant, …
                .col(string("language"))
                .col(string("text"))
                // The text folded (case, width, Chinese script): what "the same term" means.
                .col(string("folded"))
                // preferred | admitted | deprecated
                .col(string("status"))
                .col(text_null("note"))
                .foreign_key(&mut fk(("term_terms", "concept_id"), "term_concepts"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_term_terms_concept")
                .table("term_terms")
                .col("concept_id")
                .col("position")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_term_terms_folded").table("term_terms").col("language").col("folded").to_owned(),
        )
        .await?;

        // One row (id 1): the version of the whole term base, incremented by every write, and
        // when the starter set was loaded.
        m.create_table(
            Table::create()
                .table("term_base")
                .col(integer("id").primary_key())
                .col(big_integer("version"))
                .col(ts_null("seeded_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await
    }
}
