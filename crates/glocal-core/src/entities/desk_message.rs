use sea_orm::entity::prelude::*;

/// A public reply or an internal note on a request.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "desk_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub request_id: i64,
    pub author_id: Option<i64>,
    pub author_label: String,
    /// `reply`, `note`, `interim_response`, `final_response`, `question`.
    pub kind: String,
    pub internal: bool,
    pub body: String,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
