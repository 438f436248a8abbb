use sea_orm::entity::prelude::*;

/// A holiday of a calendar (imported; the built-in Korean ones live in code).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "desk_holidays")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub calendar: String,
    /// ISO date, `YYYY-MM-DD`.
    pub day: String,
    pub name: String,
}

impl ActiveModelBehavior for ActiveModel {}
