use sea_orm::entity::prelude::*;

/// An entry of the library's change log, followed by every process's search index.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "library_changes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    pub document_id: i64,
    pub at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
