use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "registry_seekings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_org_id: i64,
    pub countries: String,
    pub fields: String,
    pub min_population: Option<i64>,
    pub max_population: Option<i64>,
    pub motive: String,
    pub open: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
