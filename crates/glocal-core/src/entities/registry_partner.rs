use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "registry_partners")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub category: String,
    pub name: String,
    pub name_en: String,
    pub names: String,
    pub acronym: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub website: Option<String>,
    pub notes: Option<String>,
    pub search_text: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
