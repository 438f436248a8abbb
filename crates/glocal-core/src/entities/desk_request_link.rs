use sea_orm::entity::prelude::*;

/// A link between two requests: `related`, `duplicate` (from duplicates to) or `parent_child`
/// (from is the parent).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "desk_request_links")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub from_request_id: i64,
    pub to_request_id: i64,
    pub kind: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
