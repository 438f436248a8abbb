use sea_orm::entity::prelude::*;

/// A document of the library; see `crate::library`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "library_documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub language: String,
    pub status: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub source: Option<String>,
    pub area: Option<String>,
    pub country: Option<String>,
    pub local_government: Option<String>,
    pub year: Option<i32>,
    /// The trip report's structured form, as JSON.
    pub trip: Option<String>,
    pub returned_on: Option<String>,
    pub reported_on: Option<String>,
    pub owner_org_id: i64,
    pub author_id: Option<i64>,
    pub translation_group: Option<i64>,
    pub search_text: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
    pub version: i32,
}

impl ActiveModelBehavior for ActiveModel {}
