use sea_orm::entity::prelude::*;

/// One line of the append-only audit log. Triggers refuse UPDATE and DELETE on both backends.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<String>,
    pub org_id: Option<i64>,
    /// JSON: what changed (before/after per field), or what was read.
    pub details: String,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
