use sea_orm::entity::prelude::*;

/// One entry of a request's timeline.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "desk_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub request_id: i64,
    pub at: DateTimeUtc,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub kind: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub reason: Option<String>,
    /// Shown to the association's staff only.
    pub internal: bool,
    pub details: String,
}

impl ActiveModelBehavior for ActiveModel {}
