use sea_orm::entity::prelude::*;

/// A file attached to a request; its bytes are a content-addressed blob.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "desk_attachments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub request_id: i64,
    pub message_id: Option<i64>,
    pub sha256: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub internal: bool,
    pub uploaded_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
