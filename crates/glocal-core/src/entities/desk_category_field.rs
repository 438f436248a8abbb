use sea_orm::entity::prelude::*;

/// A field an administrator added to a category.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "desk_category_fields")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub category: String,
    pub key: String,
    /// `text`, `number`, `date` or `boolean`.
    pub kind: String,
    pub required: bool,
    /// JSON object: locale tag → label.
    pub labels: String,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
