use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub tier: Option<String>,
    #[sea_orm(unique)]
    pub code: Option<String>,
    pub parent_id: Option<i64>,
    pub name: String,
    pub name_en: String,
    /// JSON object: locale tag → name, for names in other scripts.
    pub names: String,
    pub country: Option<String>,
    pub city: Option<String>,
    pub time_zone: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    pub active: bool,
    pub search_text: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
