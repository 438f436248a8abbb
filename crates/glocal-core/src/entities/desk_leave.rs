use sea_orm::entity::prelude::*;

/// A staff member's leave, inclusive dates in their own time zone.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "desk_leaves")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub first_day: String,
    pub last_day: String,
}

impl ActiveModelBehavior for ActiveModel {}
