use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "registry_outcomes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_org_id: i64,
    pub place_id: i64,
    pub outcome: String,
    pub note: Option<String>,
    pub score: Option<f64>,
    pub recorded_by: Option<i64>,
    pub recorded_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
