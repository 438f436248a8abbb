use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "registry_activities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub relationship_id: i64,
    pub kind: String,
    pub started_on: Date,
    pub ended_on: Option<Date>,
    pub title: String,
    pub participants: Option<String>,
    pub notes: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
