use sea_orm::entity::prelude::*;

/// A unit of background work, persisted so that it survives a crash; see `crate::jobs`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    /// The `Job` as JSON.
    pub payload: String,
    /// `pending`, `running`, `done` or `failed`.
    pub status: String,
    /// Set for jobs of which only one may be pending at a time (a unique partial index).
    pub dedupe_key: Option<String>,
    pub run_at: DateTimeUtc,
    pub attempts: i32,
    pub max_attempts: i32,
    pub locked_until: Option<DateTimeUtc>,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
