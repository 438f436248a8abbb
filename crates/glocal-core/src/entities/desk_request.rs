use sea_orm::entity::prelude::*;

/// A request to the desk; see `crate::desk`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "desk_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub reg_no: Option<String>,
    pub org_id: i64,
    pub requester_id: i64,
    pub category: String,
    pub priority: String,
    pub title: String,
    pub description: String,
    /// The category's typed fields, as JSON.
    pub fields: String,
    /// Administrator-defined extra fields, as a JSON object.
    pub extra: String,
    pub language: String,
    pub country: Option<String>,
    pub state: String,
    /// While on hold: the state to resume to.
    pub held_from: Option<String>,
    pub department_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub rating: Option<i32>,
    pub rating_comment: Option<String>,
    pub sla_stage: Option<String>,
    pub sla_started_at: Option<DateTimeUtc>,
    pub warn_at: Option<DateTimeUtc>,
    pub due_at: Option<DateTimeUtc>,
    pub final_due_at: Option<DateTimeUtc>,
    /// Business seconds the current step is given.
    pub sla_budget_secs: Option<i64>,
    /// While on hold: business seconds left on the paused clocks.
    pub sla_remaining_secs: Option<i64>,
    pub sla_final_remaining_secs: Option<i64>,
    pub sla_warned: bool,
    pub sla_breached: bool,
    pub search_text: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub registered_at: Option<DateTimeUtc>,
    pub answered_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub version: i32,
}

impl ActiveModelBehavior for ActiveModel {}
