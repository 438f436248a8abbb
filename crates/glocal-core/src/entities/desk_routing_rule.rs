use sea_orm::entity::prelude::*;

/// Where requests of a category, country and language go.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "desk_routing_rules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub position: i32,
    pub category: Option<String>,
    pub country: Option<String>,
    pub language: Option<String>,
    pub target_id: i64,
    pub follow_the_sun: bool,
    pub active: bool,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
