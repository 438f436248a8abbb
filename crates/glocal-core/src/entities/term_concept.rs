use sea_orm::entity::prelude::*;

/// A concept of the term base; see `crate::search::terms`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "term_concepts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub area: Option<String>,
    pub definition: Option<String>,
    pub note: Option<String>,
    pub search_text: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

impl ActiveModelBehavior for ActiveModel {}
