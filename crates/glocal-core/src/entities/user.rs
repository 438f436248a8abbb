use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub password_hash: Option<String>,
    pub roles: i64,
    pub locale: String,
    pub time_zone: String,
    /// JSON array of language codes the person works in.
    pub languages: String,
    /// JSON array of country codes the person covers.
    pub countries: String,
    pub active: bool,
    pub last_login_at: Option<DateTimeUtc>,
    pub search_text: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
