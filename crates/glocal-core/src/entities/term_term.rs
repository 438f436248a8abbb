use sea_orm::entity::prelude::*;

/// One term of a concept, in one language.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "term_terms")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub concept_id: i64,
    pub position: i32,
    pub language: String,
    pub text: String,
    pub folded: String,
    pub status: String,
    pub note: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
