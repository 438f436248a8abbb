use sea_orm::entity::prelude::*;

/// One version of a library document: the diff from the previous one and a snapshot.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "library_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub document_id: i64,
    pub version: i32,
    pub at: DateTimeUtc,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub changes: String,
    pub snapshot: String,
}

impl ActiveModelBehavior for ActiveModel {}
