//! The desk ("Online Bureau"): local governments ask the association for help with
//! international affairs, and its secretariat and overseas offices answer, step by step.
//!
//! A request moves through the six steps of [`workflow`]; every move is checked against the
//! one table of allowed transitions, written with a guard on the version the actor read (two
//! staff acting at once: one wins, the other gets `conflict_stale`), and recorded as an event
//! of the request's timeline and in the audit log, all in one transaction.
//!
//! Requesters see only their own organisation's requests, and never internal notes.

pub mod calendar;
pub mod canned;
pub mod category;
pub mod files;
pub mod links;
pub mod mentions;
pub mod routing;
pub mod sla;
pub mod stats;
pub mod workflow;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
use sea_orm::ExprTrait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::actor::{Actor, Role, Scope};
use crate::audit;
use crate::entities::{
    desk_attachment, desk_category_field, desk_counter, desk_event, desk_message, desk_request, organization, user,
};
use crate::error::{Error, ErrorCode, FieldError, Result};
use crate::ids::{OrgId, UserId};
use crate::mail::{self, Notice};
use crate::paging::{Page, PageRequest};
use crate::validate::{self, Checks, CountryCode, LanguageCode};

pub use category::{Category, ExtraField, FieldKind, Fields, Priority};
pub use workflow::{State, Target, Transition};

/// A request's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestId(pub i64);

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The service-level clock of a request, as stored (see `sla`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Clock {
    /// The step being timed: `register`, `assign_department`, `assign_staff`, `interim`, `final`.
    pub stage: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub warn_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub final_due_at: Option<DateTime<Utc>>,
    /// Business seconds the step is given.
    pub budget_secs: Option<i64>,
    /// Set while the clocks are paused (on hold): business seconds left.
    pub remaining_secs: Option<i64>,
    pub final_remaining_secs: Option<i64>,
    pub warned: bool,
    pub breached: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Request {
    pub id: RequestId,
    /// `2026-000123`, issued on registration.
    pub reg_no: Option<String>,
    pub org_id: OrgId,
    pub requester_id: UserId,
    pub category: Category,
    pub priority: Priority,
    pub title: String,
    pub description: String,
    pub fields: Fields,
    pub extra: BTreeMap<String, Value>,
    /// The language the requester wants the answer in.
    pub language: String,
    /// The country concerned, for routing.
    pub country: Option<String>,
    pub state: State,
    pub held_from: Option<State>,
    /// The association unit (department or overseas office) holding the request.
    pub department_id: Option<OrgId>,
    pub assignee_id: Option<UserId>,
    pub rating: Option<i32>,
    pub rating_comment: Option<String>,
    pub clock: Clock,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub registered_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
}

impl Request {
    /// What a notification names of the request.
    pub(crate) fn about(&self) -> mail::About<'_> {
        mail::About { request_id: self.id.0, reg_no: self.reg_no.as_deref(), title: &self.title }
    }

    fn from_row(r: desk_request::Model) -> Result<Request> {
        let category = Category::parse(&r.category).map_err(|_| anyhow::anyhow!("bad category {}", r.category))?;
        let fields = decode_fields(category, &r.fields)?;
        Ok(Request {
            id: RequestId(r.id),
            reg_no: r.reg_no,
            org_id: OrgId(r.org_id),
            requester_id: UserId(r.requester_id),
            category,
            priority: Priority::parse(&r.priority).unwrap_or(Priority::Normal),
            title: r.title,
            description: r.description,
            fields,
            extra: serde_json::from_str(&r.extra).unwrap_or_default(),
            language: r.language,
            country: r.country,
            state: State::parse(&r.state).map_err(|_| anyhow::anyhow!("bad state {}", r.state))?,
            held_from: r.held_from.as_deref().and_then(|s| State::parse(s).ok()),
            department_id: r.department_id.map(OrgId),
            assignee_id: r.assignee_id.map(UserId),
            rating: r.rating,
            rating_comment: r.rating_comment,
            clock: Clock {
                stage: r.sla_stage,
                started_at: r.sla_started_at,
                warn_at: r.warn_at,
                due_at: r.due_at,
                final_due_at: r.final_due_at,
                budget_secs: r.sla_budget_secs,
                remaining_secs: r.sla_remaining_secs,
                final_remaining_secs: r.sla_final_remaining_secs,
                warned: r.sla_warned,
                breached: r.sla_breached,
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
            registered_at: r.registered_at,
            answered_at: r.answered_at,
            closed_at: r.closed_at,
            version: r.version,
        })
    }

    fn audit_view(&self) -> Value {
        json!({
            "state": self.state, "reg_no": self.reg_no, "department_id": self.department_id,
            "assignee_id": self.assignee_id, "rating": self.rating,
        })
    }
}

fn decode_fields(category: Category, raw: &str) -> Result<Fields> {
    use category::*;
    let v: Value = serde_json::from_str(raw).map_err(anyhow::Error::from)?;
    let f = match category {
        Category::InterpretationTranslation => serde_json::from_value(v).map(Fields::LanguageService),
        Category::InternationalExchange => serde_json::from_value::<Exchange>(v).map(Fields::Exchange),
        Category::OverseasVisit => serde_json::from_value::<Visit>(v).map(Fields::Visit),
        Category::InformationRequest => serde_json::from_value::<Information>(v).map(Fields::Information),
        Category::GeneralInquiry => serde_json::from_value::<Inquiry>(v).map(Fields::Inquiry),
    };
    Ok(f.map_err(anyhow::Error::from)?)
}

/// Who is acting, in the desk's terms.
fn is_desk_staff(actor: &Actor) -> bool {
    actor.has(Role::DeskStaff) || actor.has(Role::DeskManager) || actor.has(Role::Administrator)
}

/// Whether the actor may see the request at all. Everyone else is told *not found*.
fn may_see(actor: &Actor, org: OrgId) -> bool {
    is_desk_staff(actor) || actor.user().is_some_and(|u| u.org_id == org)
}

/// What a requester sends to open a request.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct NewRequest {
    pub category: String,
    pub priority: Option<String>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The language of the answer; defaults to the requester's interface language.
    pub language: Option<String>,
    pub country: Option<String>,
    #[serde(default)]
    pub fields: Value,
    #[serde(default)]
    pub extra: Value,
}

/// What an action on a request carries; which parts matter depends on the transition.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ActionInput {
    /// The version the actor read; a different current version refuses the action.
    pub version: Option<i32>,
    pub reason: Option<String>,
    /// The unit for `assign_department` and `transfer`.
    pub department_id: Option<i64>,
    /// The staff member for `assign_staff`.
    pub assignee_id: Option<i64>,
    /// The text of an interim or final response, or the question asked when holding.
    pub body: Option<String>,
}

/// Opens a request in the requester's organisation (state `submitted`).
pub async fn create(scope: &Scope<'_>, input: NewRequest) -> Result<Request> {
    let user = scope.actor.user().ok_or(Error::Unauthenticated)?.clone();
    scope.actor.require(Role::Requester)?;
    let mut checks = Checks::new();
    let category = checks.field("category", Category::parse(&input.category));
    let priority = match input.priority.as_deref() {
        None | Some("") => Some(Priority::Normal),
        Some(p) => checks.field("priority", Priority::parse(p)),
    };
    let title = checks.take(validate::required_text("title", &input.title, 300));
    let description = checks.take(validate::optional_text("description", Some(&input.description), 20_000));
    let language = match input.language.as_deref().map(str::trim) {
        None | Some("") => Some(user.locale.tag().to_string()),
        Some(l) => checks.field("language", LanguageCode::parse(l)).map(|l| l.as_str().to_string()),
    };
    let country = match input.country.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => checks.field("country", CountryCode::parse(c)).map(|c| c.as_str().to_string()),
    };
    let (fields, extra) = match category {
        Some(cat) => {
            let fields = category::parse_fields(cat, &input.fields, &mut checks);
            let defs = extra_fields_of(scope.db(), cat).await?;
            (fields, category::parse_extra(&defs, &input.extra, &mut checks))
        }
        None => (None, BTreeMap::new()),
    };
    checks.finish()?;
    let (category, priority, title, fields) =
        (category.expect("checked"), priority.expect("checked"), title.expect("checked"), fields.expect("checked"));
    // The country concerned: given, or the first one the fields name.
    let country = country.or_else(|| fields.countries().into_iter().next());
    let now = crate::db::now();
    let mut model = desk_request::Model {
        id: 0,
        reg_no: None,
        org_id: user.org_id.0,
        requester_id: user.id.0,
        category: category.as_str().into(),
        priority: priority.as_str().into(),
        search_text: crate::text::search_text([title.as_str()]),
        title,
        description: description.flatten().unwrap_or_default(),
        fields: serde_json::to_string(&fields).map_err(anyhow::Error::from)?,
        extra: serde_json::to_string(&extra).map_err(anyhow::Error::from)?,
        language: language.expect("checked"),
        country,
        state: State::Submitted.as_str().into(),
        held_from: None,
        department_id: None,
        assignee_id: None,
        rating: None,
        rating_comment: None,
        sla_stage: None,
        sla_started_at: None,
        warn_at: None,
        due_at: None,
        final_due_at: None,
        sla_budget_secs: None,
        sla_remaining_secs: None,
        sla_final_remaining_secs: None,
        sla_warned: false,
        sla_breached: false,
        created_at: now,
        updated_at: now,
        registered_at: None,
        answered_at: None,
        closed_at: None,
        version: 1,
    };
    // Registration and assignment may happen at once, by the routing rules, in the same
    // transaction; each step is recorded on its own. Routing that fails leaves the request
    // submitted for a person to route.
    let decision = match scope.config().desk.auto_route {
        true => match routing::decide(scope.db(), scope.config(), &Request::from_row(model.clone())?, now).await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "automatic routing failed");
                None
            }
        },
        false => None,
    };
    let tx = crate::db::begin_write(scope.writer()).await?;
    let cal = sla::calendar_of(&tx, scope.config(), None).await?;
    let blank = model.clone();
    sla::on_change(&blank, &mut model, None, &cal, &cal, now);
    let mut active = model.into_active_model().reset_all();
    active.id = NotSet;
    let row = active.insert(&tx).await?;
    let request = Request::from_row(row)?;
    record_event(&tx, scope, request.id, "created", None, Some(State::Submitted), None, false, json!({})).await?;
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "desk_request.create",
            subject_type: "desk_request",
            subject_id: Some(request.id.to_string()),
            org_id: Some(request.org_id.0),
            details: json!({"category": category, "title": request.title}),
        },
    )
    .await?;
    let mut request = request;
    if let Some(decision) = decision {
        let savepoint = sea_orm::TransactionTrait::begin(&tx).await?;
        match routing::route_in(&savepoint, scope, request.id, &decision).await {
            Ok(routed) => {
                savepoint.commit().await?;
                request = routed;
            }
            Err(e) => {
                tracing::warn!(request = request.id.0, error = %e, "automatic routing failed");
                savepoint.rollback().await?;
            }
        }
    }
    tx.commit().await?;
    Ok(request)
}

/// Appends an entry to a request's timeline.
#[allow(clippy::too_many_arguments)]
async fn record_event(
    conn: &impl ConnectionTrait,
    scope: &Scope<'_>,
    request: RequestId,
    kind: &str,
    from: Option<State>,
    to: Option<State>,
    reason: Option<&str>,
    internal: bool,
    details: Value,
) -> Result<()> {
    desk_event::ActiveModel {
        id: NotSet,
        request_id: Set(request.0),
        at: Set(crate::db::now()),
        actor_id: Set(scope.actor.user_id().map(|u| u.0)),
        actor_label: Set(match scope.actor {
            Actor::User(u) => u.name.clone(),
            other => other.label(),
        }),
        kind: Set(kind.into()),
        from_state: Set(from.map(|s| s.as_str().to_string())),
        to_state: Set(to.map(|s| s.as_str().to_string())),
        reason: Set(reason.map(str::to_string)),
        internal: Set(internal),
        details: Set(details.to_string()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Which requests a list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Queue {
    /// Everything the actor may see.
    #[default]
    All,
    /// Assigned to the actor.
    Mine,
    /// Held by the actor's unit.
    MyDepartment,
    /// Open and not yet assigned to anyone.
    Unassigned,
    /// Open with a clock past its 80 % warning or breached.
    BreachingSoon,
    OnHold,
}

impl Queue {
    pub const ALL: &'static [Queue] =
        &[Queue::All, Queue::Mine, Queue::MyDepartment, Queue::Unassigned, Queue::BreachingSoon, Queue::OnHold];
    pub fn parse(s: &str) -> std::result::Result<Queue, ErrorCode> {
        serde_json::from_value(Value::String(s.trim().into())).map_err(|_| ErrorCode::InvalidChoice)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Queue::All => "all",
            Queue::Mine => "mine",
            Queue::MyDepartment => "my_department",
            Queue::Unassigned => "unassigned",
            Queue::BreachingSoon => "breaching_soon",
            Queue::OnHold => "on_hold",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct RequestFilter {
    pub queue: Queue,
    pub state: Option<State>,
    pub category: Option<Category>,
    pub org: Option<OrgId>,
    pub department: Option<OrgId>,
    /// Matches the title or registration number, folded for case and width.
    pub q: Option<String>,
    pub page: PageRequest,
}

const OPEN_STATES: &[State] =
    &[State::Submitted, State::Registered, State::DepartmentAssigned, State::StaffAssigned, State::InterimResponded];

/// Requests the actor may see, most urgent first (open ones by due time, then newest).
pub async fn list(scope: &Scope<'_>, filter: RequestFilter) -> Result<Page<Request>> {
    scope.actor.require_login()?;
    let mut q = desk_request::Entity::find();
    if !is_desk_staff(scope.actor) {
        let user = scope.actor.user().ok_or(Error::Forbidden)?;
        q = q.filter(desk_request::Column::OrgId.eq(user.org_id.0));
    }
    let open = || desk_request::Column::State.is_in(OPEN_STATES.iter().map(|s| s.as_str()));
    match filter.queue {
        Queue::All => {}
        Queue::Mine => {
            q = q.filter(desk_request::Column::AssigneeId.eq(scope.actor.user_id().map_or(-1, |u| u.0)));
        }
        Queue::MyDepartment => {
            q = q.filter(desk_request::Column::DepartmentId.eq(scope.actor.user().map_or(-1, |u| u.org_id.0)));
        }
        Queue::Unassigned => q = q.filter(open()).filter(desk_request::Column::AssigneeId.is_null()),
        Queue::BreachingSoon => {
            q = q
                .filter(open())
                .filter(desk_request::Column::SlaWarned.eq(true).or(desk_request::Column::SlaBreached.eq(true)))
        }
        Queue::OnHold => q = q.filter(desk_request::Column::State.eq(State::OnHold.as_str())),
    }
    if let Some(s) = filter.state {
        q = q.filter(desk_request::Column::State.eq(s.as_str()));
    }
    if let Some(c) = filter.category {
        q = q.filter(desk_request::Column::Category.eq(c.as_str()));
    }
    if let Some(o) = filter.org {
        q = q.filter(desk_request::Column::OrgId.eq(o.0));
    }
    if let Some(d) = filter.department {
        q = q.filter(desk_request::Column::DepartmentId.eq(d.0));
    }
    if let Some(text) = filter.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = format!("%{}%", crate::db::like_escape(&crate::text::search_fold(text)));
        let like = |col| Expr::col(col).like(sea_orm::sea_query::LikeExpr::new(pattern.clone()).escape('\\'));
        q = q.filter(like(desk_request::Column::SearchText).or(like(desk_request::Column::RegNo)));
    }
    let total = q.clone().count(scope.db()).await?;
    let rows = q
        .order_by(Expr::col(desk_request::Column::DueAt).is_null(), sea_orm::Order::Asc)
        .order_by_asc(desk_request::Column::DueAt)
        .order_by_desc(desk_request::Column::Id)
        .offset(filter.page.offset())
        .limit(filter.page.per_page)
        .all(scope.db())
        .await?;
    Ok(Page {
        items: rows.into_iter().map(Request::from_row).collect::<Result<_>>()?,
        total,
        page: filter.page.page,
        per_page: filter.page.per_page,
    })
}

pub async fn get(scope: &Scope<'_>, id: RequestId) -> Result<Request> {
    scope.actor.require_login()?;
    let row = desk_request::Entity::find_by_id(id.0).one(scope.db()).await?.ok_or(Error::NotFound)?;
    if !may_see(scope.actor, OrgId(row.org_id)) {
        return Err(Error::NotFound);
    }
    Request::from_row(row)
}

/// A message of a request's conversation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Message {
    pub id: i64,
    pub author_id: Option<UserId>,
    pub author: String,
    /// `reply`, `note`, `question`, `interim_response`, `final_response`.
    pub kind: String,
    pub internal: bool,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A file attached to a request.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Attachment {
    pub id: i64,
    pub request_id: RequestId,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub internal: bool,
    pub created_at: DateTime<Utc>,
}

impl Attachment {
    fn from_row(r: desk_attachment::Model) -> Attachment {
        Attachment {
            id: r.id,
            request_id: RequestId(r.request_id),
            filename: r.filename,
            content_type: r.content_type,
            size: r.size,
            sha256: r.sha256,
            internal: r.internal,
            created_at: r.created_at,
        }
    }
}

/// One entry of the timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub actor: String,
    pub kind: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub reason: Option<String>,
    pub internal: bool,
    pub details: Value,
}

/// The conversation of a request, oldest first; internal notes only for the desk's staff.
pub async fn messages(scope: &Scope<'_>, id: RequestId) -> Result<Vec<Message>> {
    let request = get(scope, id).await?;
    let mut q = desk_message::Entity::find().filter(desk_message::Column::RequestId.eq(request.id.0));
    if !is_desk_staff(scope.actor) {
        q = q.filter(desk_message::Column::Internal.eq(false));
    }
    let rows = q.order_by_asc(desk_message::Column::Id).all(scope.db()).await?;
    Ok(rows
        .into_iter()
        .map(|r| Message {
            id: r.id,
            author_id: r.author_id.map(UserId),
            author: r.author_label,
            kind: r.kind,
            internal: r.internal,
            body: r.body,
            created_at: r.created_at,
        })
        .collect())
}

/// The files of a request; internal ones only for the desk's staff.
pub async fn attachments(scope: &Scope<'_>, id: RequestId) -> Result<Vec<Attachment>> {
    let request = get(scope, id).await?;
    let mut q = desk_attachment::Entity::find().filter(desk_attachment::Column::RequestId.eq(request.id.0));
    if !is_desk_staff(scope.actor) {
        q = q.filter(desk_attachment::Column::Internal.eq(false));
    }
    let rows = q.order_by_asc(desk_attachment::Column::Id).all(scope.db()).await?;
    Ok(rows.into_iter().map(Attachment::from_row).collect())
}

/// The timeline of a request, oldest first; internal entries only for the desk's staff.
pub async fn events(scope: &Scope<'_>, id: RequestId) -> Result<Vec<Event>> {
    let request = get(scope, id).await?;
    let mut q = desk_event::Entity::find().filter(desk_event::Column::RequestId.eq(request.id.0));
    if !is_desk_staff(scope.actor) {
        q = q.filter(desk_event::Column::Internal.eq(false));
    }
    let rows = q.order_by_asc(desk_event::Column::Id).all(scope.db()).await?;
    Ok(rows
        .into_iter()
        .map(|r| Event {
            id: r.id,
            at: r.at,
            actor_id: r.actor_id.map(UserId),
            actor: r.actor_label,
            kind: r.kind,
            from_state: r.from_state,
            to_state: r.to_state,
            reason: r.reason,
            internal: r.internal,
            details: serde_json::from_str(&r.details).unwrap_or(Value::Null),
        })
        .collect())
}

/// Loads a request for changing it, refusing what the actor may not see or whose version
/// moved on since the actor read it.
async fn load_for_change(
    conn: &impl ConnectionTrait,
    scope: &Scope<'_>,
    id: RequestId,
    expected_version: Option<i32>,
) -> Result<desk_request::Model> {
    let row = desk_request::Entity::find_by_id(id.0).one(conn).await?.ok_or(Error::NotFound)?;
    if !may_see(scope.actor, OrgId(row.org_id)) {
        return Err(Error::NotFound);
    }
    if expected_version.is_some_and(|v| v != row.version) {
        return Err(Error::Refused(ErrorCode::ConflictStale));
    }
    Ok(row)
}

/// Writes `after` over `before` if nobody changed the row meanwhile (same version and
/// state); otherwise `conflict_stale` and nothing changes.
async fn write_guarded(
    conn: &impl ConnectionTrait,
    before: &desk_request::Model,
    mut after: desk_request::Model,
    now: DateTime<Utc>,
) -> Result<desk_request::Model> {
    after.version = before.version + 1;
    after.updated_at = now;
    let model = after.clone().into_active_model().reset_all();
    let result = desk_request::Entity::update_many()
        .set(model)
        .filter(desk_request::Column::Id.eq(before.id))
        .filter(desk_request::Column::Version.eq(before.version))
        .exec(conn)
        .await?;
    if result.rows_affected == 0 {
        return Err(Error::Refused(ErrorCode::ConflictStale));
    }
    Ok(after)
}

/// Takes the next registration number of the year, `YYYY-000123`. The counter row is
/// incremented inside the caller's transaction: on PostgreSQL the row lock makes a concurrent
/// registrar wait for this transaction to end; on SQLite the write lock is already held.
async fn next_registration_number(conn: &impl ConnectionTrait, year: i32) -> Result<String> {
    let name = format!("reg-{year}");
    desk_counter::Entity::insert(desk_counter::ActiveModel { name: Set(name.clone()), value: Set(0) })
        .on_conflict_do_nothing()
        .exec(conn)
        .await?;
    let rows = desk_counter::Entity::update_many()
        .col_expr(desk_counter::Column::Value, Expr::col(desk_counter::Column::Value).add(1))
        .filter(desk_counter::Column::Name.eq(name.clone()))
        .exec_with_returning(conn)
        .await?;
    let value = rows.first().map(|r| r.value).ok_or_else(|| anyhow::anyhow!("counter {name} missing"))?;
    Ok(format!("{year}-{value:06}"))
}

fn required_body(field: &'static str, raw: Option<&str>, max: usize) -> Result<String> {
    validate::required_text(field, raw.unwrap_or_default(), max).map_err(|e| Error::Invalid(vec![e]))
}

/// Moves a request by `transition`, if the table allows it from where the request stands and
/// the actor may. Returns the request as it now is.
pub async fn act(scope: &Scope<'_>, id: RequestId, transition: Transition, input: ActionInput) -> Result<Request> {
    scope.actor.require_login()?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let request = act_in(&tx, scope, id, transition, input).await?;
    tx.commit().await?;
    Ok(request)
}

async fn act_in(
    tx: &impl ConnectionTrait,
    scope: &Scope<'_>,
    id: RequestId,
    transition: Transition,
    input: ActionInput,
) -> Result<Request> {
    let before = load_for_change(tx, scope, id, input.version).await?;
    let staff = is_desk_staff(scope.actor);
    if !staff {
        // A requester of the organisation may confirm, reopen, withdraw, and (by replying)
        // resume; everything else is the desk's.
        let own = scope.actor.user().is_some_and(|u| u.org_id.0 == before.org_id);
        if !(own && transition.by_requester()) {
            return Err(Error::Forbidden);
        }
    }
    let from = State::parse(&before.state).map_err(|_| anyhow::anyhow!("bad state"))?;
    let to = match workflow::target(from, transition).map_err(Error::Refused)? {
        Target::To(s) => s,
        Target::Resume => before.held_from.as_deref().and_then(|s| State::parse(s).ok()).unwrap_or(State::Registered),
    };
    let reason = input.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
    if reason.as_ref().is_some_and(|r| r.chars().count() > 4000) {
        return Err(Error::field("reason", ErrorCode::ValueTooLong));
    }
    let now = crate::db::now();
    let mut after = before.clone();
    after.state = to.as_str().into();
    let mut details = json!({});
    let mut message: Option<(&str, String)> = None;
    match transition {
        Transition::Register => {
            let year = now.with_timezone(&chrono_tz::Asia::Seoul).year();
            after.reg_no = Some(next_registration_number(tx, year).await?);
            after.registered_at = Some(now);
            details = json!({"reg_no": after.reg_no});
        }
        Transition::AssignDepartment | Transition::Transfer => {
            let unit = input.department_id.ok_or_else(|| Error::field("department_id", ErrorCode::ValueRequired))?;
            let org = organization::Entity::find_by_id(unit).one(tx).await?;
            let is_unit = org.as_ref().is_some_and(|o| {
                o.active && crate::orgs::OrgKind::parse(&o.kind).is_ok_and(|k| k.is_association_unit())
            });
            if !is_unit {
                return Err(Error::field("department_id", ErrorCode::UnknownDepartment));
            }
            if transition == Transition::Transfer {
                if before.department_id == Some(unit) {
                    return Err(Error::field("department_id", ErrorCode::InvalidChoice));
                }
                after.assignee_id = None;
            }
            after.department_id = Some(unit);
            details = json!({"from_department_id": before.department_id, "department_id": unit});
        }
        Transition::AssignStaff => {
            let who = input.assignee_id.ok_or_else(|| Error::field("assignee_id", ErrorCode::ValueRequired))?;
            let u = user::Entity::find_by_id(who).one(tx).await?;
            let is_staff = u
                .as_ref()
                .is_some_and(|u| u.active && crate::actor::Roles::from_bits(u.roles).contains(Role::DeskStaff));
            if !is_staff {
                return Err(Error::field("assignee_id", ErrorCode::UnknownStaff));
            }
            after.assignee_id = Some(who);
            details = json!({"from_assignee_id": before.assignee_id, "assignee_id": who});
        }
        Transition::InterimResponse => {
            message = Some(("interim_response", required_body("body", input.body.as_deref(), 50_000)?));
        }
        Transition::FinalResponse => {
            message = Some(("final_response", required_body("body", input.body.as_deref(), 50_000)?));
            after.answered_at = Some(now);
        }
        Transition::Close => after.closed_at = Some(now),
        Transition::Withdraw => after.closed_at = Some(now),
        Transition::Reopen => {
            let answered = before.answered_at.unwrap_or(now);
            let window = chrono::Duration::days(i64::from(scope.config().desk.reopen_days));
            if now - answered > window {
                return Err(Error::Refused(ErrorCode::ReopenWindowPassed));
            }
            after.answered_at = None;
            after.closed_at = None;
        }
        Transition::Hold => {
            // Holding waits for the requester: say what is needed.
            let question = match input.body.as_deref() {
                Some(b) => required_body("body", Some(b), 50_000)?,
                None => reason.clone().ok_or_else(|| Error::field("reason", ErrorCode::ValueRequired))?,
            };
            message = Some(("question", question));
            after.held_from = Some(from.as_str().into());
        }
        Transition::Resume => after.held_from = None,
    }
    let old_cal = sla::calendar_of(tx, scope.config(), before.department_id).await?;
    let cal = if after.department_id == before.department_id {
        old_cal.clone()
    } else {
        sla::calendar_of(tx, scope.config(), after.department_id).await?
    };
    sla::on_change(&before, &mut after, Some(from), &old_cal, &cal, now);
    let written = write_guarded(tx, &before, after, now).await?;
    if let Some((kind, body)) = &message {
        insert_message(tx, scope, id, kind, false, body).await?;
    }
    record_event(tx, scope, id, transition.as_str(), Some(from), Some(to), reason.as_deref(), false, details).await?;
    let before_req = Request::from_row(before)?;
    let after_req = Request::from_row(written)?;
    let body = message.as_ref().map(|(_, b)| b.as_str());
    let notice = match transition {
        Transition::Register => Some(Notice::Acknowledged),
        Transition::InterimResponse => body.map(Notice::InterimResponse),
        Transition::FinalResponse => body.map(Notice::FinalResponse),
        Transition::Hold => body.map(Notice::Question),
        _ => None,
    };
    if let Some(notice) = notice {
        mail::notify(tx, scope.config(), after_req.requester_id.0, after_req.about(), notice).await?;
    }
    audit::record_change(
        tx,
        scope,
        &format!("desk_request.{}", transition.as_str()),
        ("desk_request", id.to_string()),
        Some(after_req.org_id.0),
        &before_req.audit_view(),
        &after_req.audit_view(),
    )
    .await?;
    Ok(after_req)
}

async fn insert_message(
    conn: &impl ConnectionTrait,
    scope: &Scope<'_>,
    id: RequestId,
    kind: &str,
    internal: bool,
    body: &str,
) -> Result<i64> {
    let row = desk_message::ActiveModel {
        id: NotSet,
        request_id: Set(id.0),
        author_id: Set(scope.actor.user_id().map(|u| u.0)),
        author_label: Set(match scope.actor {
            Actor::User(u) => u.name.clone(),
            other => other.label(),
        }),
        kind: Set(kind.into()),
        internal: Set(internal),
        body: Set(body.into()),
        created_at: Set(crate::db::now()),
    }
    .insert(conn)
    .await?;
    Ok(row.id)
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct NewMessage {
    pub body: String,
    /// An internal note, seen only by the desk's staff.
    #[serde(default)]
    pub internal: bool,
}

/// Adds a public reply or (staff only) an internal note. A requester's reply to a request on
/// hold resumes it: the clocks run again.
pub async fn add_message(scope: &Scope<'_>, id: RequestId, input: NewMessage) -> Result<Message> {
    scope.actor.require_login()?;
    let body = validate::required_text("body", &input.body, 50_000).map_err(|e| Error::Invalid(vec![e]))?;
    let staff = is_desk_staff(scope.actor);
    if input.internal && !staff {
        return Err(Error::Forbidden);
    }
    let tx = crate::db::begin_write(scope.writer()).await?;
    let row = load_for_change(&tx, scope, id, None).await?;
    let kind = if input.internal { "note" } else { "reply" };
    let message_id = insert_message(&tx, scope, id, kind, input.internal, &body).await?;
    if input.internal {
        mentions::record_note_mentions(&tx, scope, id, message_id, &body).await?;
    }
    let about = mail::About { request_id: row.id, reg_no: row.reg_no.as_deref(), title: &row.title };
    if !input.internal && staff {
        mail::notify(&tx, scope.config(), row.requester_id, about, Notice::Reply(&body)).await?;
    } else if !staff && let Some(holder) = row.assignee_id {
        mail::notify(&tx, scope.config(), holder, about, Notice::RequesterReply(&body)).await?;
    }
    record_event(&tx, scope, id, kind, None, None, None, input.internal, json!({"message_id": message_id})).await?;
    if !staff && row.state == State::OnHold.as_str() {
        act_in(&tx, scope, id, Transition::Resume, ActionInput { reason: Some("reply".into()), ..Default::default() })
            .await?;
    }
    tx.commit().await?;
    let all = messages(scope, id).await?;
    all.into_iter().find(|m| m.id == message_id).ok_or(Error::NotFound)
}

/// Attaches a file: checked for size and type (by its content), stored once by content hash.
/// Text documents of a translation request update its character and word counts.
pub async fn add_attachment(
    scope: &Scope<'_>,
    id: RequestId,
    filename: &str,
    bytes: &[u8],
    internal: bool,
) -> Result<Attachment> {
    // The visibility check comes first, so nothing is told about a request one may not see.
    get(scope, id).await?;
    if internal && !is_desk_staff(scope.actor) {
        return Err(Error::Forbidden);
    }
    let limit = u64::from(scope.config().desk.max_attachment_mb) * 1024 * 1024;
    if bytes.len() as u64 > limit {
        return Err(Error::Refused(ErrorCode::AttachmentTooLarge));
    }
    if bytes.is_empty() {
        return Err(Error::field("file", ErrorCode::ValueRequired));
    }
    let filename = files::safe_filename(filename)?;
    let content_type = files::check_type(&filename, bytes)?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let row = load_for_change(&tx, scope, id, None).await?;
    let blob = scope.core.blobs.put(&tx, bytes).await?;
    let att = desk_attachment::ActiveModel {
        id: NotSet,
        request_id: Set(id.0),
        message_id: Set(None),
        sha256: Set(blob.sha256.clone()),
        filename: Set(filename.clone()),
        content_type: Set(content_type.into()),
        size: Set(bytes.len() as i64),
        internal: Set(internal),
        uploaded_by: Set(scope.actor.user_id().map(|u| u.0)),
        created_at: Set(crate::db::now()),
    }
    .insert(&tx)
    .await?;
    record_event(
        &tx,
        scope,
        id,
        "attachment",
        None,
        None,
        None,
        internal,
        json!({"attachment_id": att.id, "filename": filename, "size": bytes.len()}),
    )
    .await?;
    if files::is_text_type(content_type) && row.category == Category::InterpretationTranslation.as_str() {
        recount_documents(&tx, scope, &row).await?;
    }
    tx.commit().await?;
    Ok(Attachment::from_row(att))
}

/// Recomputes a translation request's character and word counts from its inline text and
/// every public text document attached.
async fn recount_documents(conn: &impl ConnectionTrait, scope: &Scope<'_>, row: &desk_request::Model) -> Result<()> {
    let mut fields = decode_fields(Category::InterpretationTranslation, &row.fields)?;
    if let Fields::LanguageService(category::LanguageService::Translation { text, char_count, word_count, .. }) =
        &mut fields
    {
        let (mut c, mut w) = text.as_deref().map(category::count_text).unwrap_or((0, 0));
        let docs = desk_attachment::Entity::find()
            .filter(desk_attachment::Column::RequestId.eq(row.id))
            .filter(desk_attachment::Column::Internal.eq(false))
            .all(conn)
            .await?;
        for d in docs.iter().filter(|d| files::is_text_type(&d.content_type)) {
            let bytes = scope.core.blobs.get(&d.sha256).await?;
            let (dc, dw) = category::count_text(&String::from_utf8_lossy(&bytes));
            c += dc;
            w += dw;
        }
        (*char_count, *word_count) = (c, w);
        let mut after = row.clone();
        after.fields = serde_json::to_string(&fields).map_err(anyhow::Error::from)?;
        write_guarded(conn, row, after, crate::db::now()).await?;
    }
    Ok(())
}

/// A stored attachment and its bytes, for download.
pub async fn attachment(scope: &Scope<'_>, id: RequestId, attachment_id: i64) -> Result<(Attachment, Vec<u8>)> {
    let request = get(scope, id).await?;
    let row = desk_attachment::Entity::find_by_id(attachment_id)
        .filter(desk_attachment::Column::RequestId.eq(request.id.0))
        .one(scope.db())
        .await?
        .ok_or(Error::NotFound)?;
    if row.internal && !is_desk_staff(scope.actor) {
        return Err(Error::NotFound);
    }
    let bytes = scope.core.blobs.get(&row.sha256).await?;
    Ok((Attachment::from_row(row), bytes))
}

/// The requester rates the final response: 1 to 5, with an optional comment.
pub async fn rate(scope: &Scope<'_>, id: RequestId, score: i32, comment: Option<String>) -> Result<Request> {
    let user = scope.actor.user().ok_or(Error::Unauthenticated)?;
    let mut checks = Checks::new();
    if !(1..=5).contains(&score) {
        checks.push(FieldError::new("score", ErrorCode::ValueOutOfRange));
    }
    let comment = checks.take(validate::optional_text("comment", comment.as_deref(), 4000)).flatten();
    checks.finish()?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let before = load_for_change(&tx, scope, id, None).await?;
    if before.org_id != user.org_id.0 {
        // Staff see the request but the rating is the requester's.
        return Err(Error::Forbidden);
    }
    if !matches!(State::parse(&before.state), Ok(State::Answered | State::Closed)) {
        return Err(Error::Refused(ErrorCode::NotRatable));
    }
    let mut after = before.clone();
    after.rating = Some(score);
    after.rating_comment = comment.clone();
    let written = write_guarded(&tx, &before, after, crate::db::now()).await?;
    record_event(&tx, scope, id, "rating", None, None, comment.as_deref(), false, json!({"score": score})).await?;
    let (b, a) = (Request::from_row(before)?, Request::from_row(written)?);
    audit::record_change(
        &tx,
        scope,
        "desk_request.rate",
        ("desk_request", id.to_string()),
        Some(a.org_id.0),
        &b.audit_view(),
        &a.audit_view(),
    )
    .await?;
    tx.commit().await?;
    Ok(a)
}

/// The extra fields of a category, as defined by administrators.
async fn extra_fields_of(conn: &impl ConnectionTrait, category: Category) -> Result<Vec<ExtraField>> {
    let rows = desk_category_field::Entity::find()
        .filter(desk_category_field::Column::Category.eq(category.as_str()))
        .order_by_asc(desk_category_field::Column::Id)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(ExtraField {
                id: r.id,
                category: Category::parse(&r.category).ok()?,
                key: r.key,
                kind: FieldKind::parse(&r.kind).ok()?,
                required: r.required,
                labels: serde_json::from_str(&r.labels).unwrap_or_default(),
            })
        })
        .collect())
}

/// The extra fields of a category, for forms.
pub async fn category_fields(scope: &Scope<'_>, category: Category) -> Result<Vec<ExtraField>> {
    scope.actor.require_login()?;
    extra_fields_of(scope.db(), category).await
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct NewExtraField {
    pub key: String,
    pub kind: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// Adds a field to a category (administrators). New requests of the category are checked
/// against it from then on.
pub async fn add_category_field(scope: &Scope<'_>, category: Category, input: NewExtraField) -> Result<ExtraField> {
    scope.actor.require(Role::Administrator)?;
    let mut checks = Checks::new();
    let key = input.key.trim().to_string();
    if key.is_empty() {
        checks.push(FieldError::new("key", ErrorCode::ValueRequired));
    } else if key.len() > 40 || !key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        checks.push(FieldError::new("key", ErrorCode::InvalidCharacters));
    }
    let kind = checks.field("kind", FieldKind::parse(&input.kind));
    let mut labels = BTreeMap::new();
    for (tag, label) in input.labels {
        if let Some(l) = checks.field("labels", validate::Locale::parse(&tag)) {
            if let Some(Some(text)) = checks.take(validate::optional_text("labels", Some(&label), 200)) {
                labels.insert(l.tag().to_string(), text);
            }
        }
    }
    checks.finish()?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let row = desk_category_field::ActiveModel {
        id: NotSet,
        category: Set(category.as_str().into()),
        key: Set(key.clone()),
        kind: Set(kind.expect("checked").as_str().into()),
        required: Set(input.required),
        labels: Set(serde_json::to_string(&labels).map_err(anyhow::Error::from)?),
        created_at: Set(crate::db::now()),
    }
    .insert(&tx)
    .await
    .map_err(|e| {
        if crate::db::is_unique_violation(&e) { Error::field("key", ErrorCode::CodeTaken) } else { e.into() }
    })?;
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "desk_category_field.create",
            subject_type: "desk_category_field",
            subject_id: Some(row.id.to_string()),
            org_id: None,
            details: json!({"category": category, "key": key, "kind": row.kind, "required": row.required}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ExtraField { id: row.id, category, key, kind: kind.expect("checked"), required: row.required, labels })
}

/// A holiday of a calendar.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Holiday {
    pub day: chrono::NaiveDate,
    pub name: String,
    /// Shipped with Glocal (Korea's), rather than imported.
    pub builtin: bool,
}

/// Checks a calendar name: a country code (`KR`, `JP`) or the code of an association unit
/// (`OFF-JP`).
async fn calendar_name(conn: &impl ConnectionTrait, raw: &str) -> Result<String> {
    let raw = raw.trim();
    if raw.len() == 2 {
        return CountryCode::parse(raw).map(|c| c.as_str().to_string()).map_err(|c| Error::field("calendar", c));
    }
    match crate::orgs::find_by_code(conn, raw).await? {
        Some(o) if o.kind.is_association_unit() => Ok(raw.to_string()),
        _ => Err(Error::NotFound),
    }
}

/// The holidays of a calendar, built-in and imported, by date.
pub async fn holidays(scope: &Scope<'_>, calendar: &str) -> Result<Vec<Holiday>> {
    scope.actor.require_login()?;
    let name = calendar_name(scope.db(), calendar).await?;
    let mut out: Vec<Holiday> = calendar::KR_HOLIDAYS
        .iter()
        .filter(|_| name == "KR")
        .map(|(d, n)| Holiday { day: d.parse().expect("valid built-in date"), name: (*n).into(), builtin: true })
        .collect();
    let rows = crate::entities::desk_holiday::Entity::find()
        .filter(crate::entities::desk_holiday::Column::Calendar.eq(name))
        .all(scope.db())
        .await?;
    out.extend(
        rows.into_iter().filter_map(|r| Some(Holiday { day: r.day.parse().ok()?, name: r.name, builtin: false })),
    );
    out.sort_by_key(|h| h.day);
    Ok(out)
}

/// Imports the all-day events of an iCalendar file as holidays of `calendar` (a country code
/// or a unit's code); days already there are kept. Desk managers and administrators.
/// Returns how many days were added.
pub async fn import_holidays(scope: &Scope<'_>, calendar: &str, ics: &str) -> Result<usize> {
    if !(scope.actor.has(Role::DeskManager) || scope.actor.has(Role::Administrator)) {
        scope.actor.require_login()?;
        return Err(Error::Forbidden);
    }
    let days = calendar::parse_ics(ics)?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let name = calendar_name(&tx, calendar).await?;
    let existing: std::collections::BTreeSet<String> = crate::entities::desk_holiday::Entity::find()
        .filter(crate::entities::desk_holiday::Column::Calendar.eq(name.clone()))
        .all(&tx)
        .await?
        .into_iter()
        .map(|r| r.day)
        .collect();
    let mut added = 0;
    let mut seen = existing;
    for (day, title) in days {
        let day = day.to_string();
        if !seen.insert(day.clone()) {
            continue;
        }
        crate::entities::desk_holiday::ActiveModel {
            id: NotSet,
            calendar: Set(name.clone()),
            day: Set(day),
            name: Set(title.chars().take(200).collect()),
        }
        .insert(&tx)
        .await?;
        added += 1;
    }
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "desk_calendar.import",
            subject_type: "desk_calendar",
            subject_id: Some(name.clone()),
            org_id: None,
            details: json!({"added": added}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(added)
}
