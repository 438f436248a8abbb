//! Trip reports in the structured form of the official overseas-trip report (출장보고서 /
//! 出國報告): purpose, organiser and contact, participants, period and destinations, report
//! date, summary, purpose, itinerary, process, findings, and recommendations — each of which
//! is tracked as a follow-up with an owner, a due date and a status.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ExprTrait;
use sea_orm::QueryTrait;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{DocumentId, FollowUpStatus, Purpose, may_edit, may_read_row, readable_condition};
use crate::actor::Scope;
use crate::audit;
use crate::entities::{library_document, library_follow_up};
use crate::error::{Error, ErrorCode, FieldError, Result};
use crate::paging::{Page, PageRequest};
use crate::validate::{self, Checks};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    #[serde(default)]
    pub organization: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub rank: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItineraryItem {
    pub date: Option<NaiveDate>,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub activity: String,
}

/// The structured form, as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TripReport {
    pub purpose_category: Option<Purpose>,
    #[serde(default)]
    pub organiser: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub participants: Vec<Participant>,
    pub departed_on: Option<NaiveDate>,
    pub returned_on: Option<NaiveDate>,
    #[serde(default)]
    pub destinations: Vec<String>,
    pub reported_on: Option<NaiveDate>,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub itinerary: Vec<ItineraryItem>,
    #[serde(default)]
    pub process: String,
    #[serde(default)]
    pub findings: String,
}

/// A recommendation as the writer sends it: with the id of its follow-up to keep one, without
/// to add one. Follow-ups not named again are removed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecommendationInput {
    pub id: Option<i64>,
    pub text: String,
    pub owner: Option<String>,
    pub due_on: Option<String>,
}

/// What the version history compares of a recommendation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    pub text: String,
    pub owner: Option<String>,
    pub due_on: Option<String>,
}

/// The structured form as a writer sends it (dates as `YYYY-MM-DD`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TripInput {
    pub purpose_category: Option<String>,
    #[serde(default)]
    pub organiser: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub participants: Vec<Participant>,
    pub departed_on: Option<String>,
    pub returned_on: Option<String>,
    #[serde(default)]
    pub destinations: Vec<String>,
    pub reported_on: Option<String>,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub itinerary: Vec<ItineraryInput>,
    #[serde(default)]
    pub process: String,
    #[serde(default)]
    pub findings: String,
    #[serde(default)]
    pub recommendations: Vec<RecommendationInput>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItineraryInput {
    pub date: Option<String>,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub activity: String,
}

fn date_field(field: &str, raw: Option<&str>, checks: &mut Checks) -> Option<NaiveDate> {
    let s = raw.map(str::trim).filter(|s| !s.is_empty())?;
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            checks.push(FieldError::new(field, ErrorCode::InvalidDate));
            None
        }
    }
}

fn short(field: String, raw: &str, max: usize, checks: &mut Checks) -> String {
    match validate::optional_text("text", Some(raw), max) {
        Ok(v) => v.unwrap_or_default(),
        Err(e) => {
            checks.push(FieldError::new(field, e.code));
            String::new()
        }
    }
}

pub(super) fn check(t: &TripInput, checks: &mut Checks) -> (Option<TripReport>, Vec<RecommendationInput>) {
    let purpose_category = match t.purpose_category.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(p) => checks.field("trip.purpose_category", Purpose::parse(p)),
    };
    let departed_on = date_field("trip.departed_on", t.departed_on.as_deref(), checks);
    let returned_on = date_field("trip.returned_on", t.returned_on.as_deref(), checks);
    if let (Some(d), Some(r)) = (departed_on, returned_on)
        && r < d
    {
        checks.push(FieldError::new("trip.returned_on", ErrorCode::ValueOutOfRange));
    }
    let reported_on = date_field("trip.reported_on", t.reported_on.as_deref(), checks);
    let participants = t
        .participants
        .iter()
        .enumerate()
        .map(|(i, p)| Participant {
            organization: short(format!("trip.participants[{i}].organization"), &p.organization, 300, checks),
            unit: short(format!("trip.participants[{i}].unit"), &p.unit, 300, checks),
            title: short(format!("trip.participants[{i}].title"), &p.title, 200, checks),
            rank: short(format!("trip.participants[{i}].rank"), &p.rank, 100, checks),
            name: short(format!("trip.participants[{i}].name"), &p.name, 200, checks),
        })
        .filter(|p| p != &Participant::default())
        .collect();
    let itinerary = t
        .itinerary
        .iter()
        .enumerate()
        .map(|(i, it)| ItineraryItem {
            date: date_field(&format!("trip.itinerary[{i}].date"), it.date.as_deref(), checks),
            place: short(format!("trip.itinerary[{i}].place"), &it.place, 300, checks),
            activity: short(format!("trip.itinerary[{i}].activity"), &it.activity, 4000, checks),
        })
        .filter(|it| it != &ItineraryItem::default())
        .collect();
    let destinations = t
        .destinations
        .iter()
        .enumerate()
        .map(|(i, d)| short(format!("trip.destinations[{i}]"), d, 200, checks))
        .filter(|d| !d.is_empty())
        .collect();
    let mut recs = Vec::new();
    for (i, r) in t.recommendations.iter().enumerate() {
        let text = short(format!("trip.recommendations[{i}].text"), &r.text, 4000, checks);
        if text.is_empty() {
            continue;
        }
        let due = date_field(&format!("trip.recommendations[{i}].due_on"), r.due_on.as_deref(), checks);
        let owner =
            short(format!("trip.recommendations[{i}].owner"), r.owner.as_deref().unwrap_or_default(), 300, checks);
        recs.push(RecommendationInput {
            id: r.id,
            text,
            owner: Some(owner).filter(|o| !o.is_empty()),
            due_on: due.map(|d| d.to_string()),
        });
    }
    let trip = TripReport {
        purpose_category,
        organiser: short("trip.organiser".into(), &t.organiser, 300, checks),
        contact: short("trip.contact".into(), &t.contact, 300, checks),
        participants,
        departed_on,
        returned_on,
        destinations,
        reported_on,
        purpose: short("trip.purpose".into(), &t.purpose, 20_000, checks),
        itinerary,
        process: short("trip.process".into(), &t.process, 200_000, checks),
        findings: short("trip.findings".into(), &t.findings, 200_000, checks),
    };
    (Some(trip), recs)
}

impl TripReport {
    pub(super) fn flatten_into(&self, out: &mut String) {
        let mut push = |s: &str| {
            if !s.is_empty() {
                out.push('\n');
                out.push_str(s);
            }
        };
        push(&self.organiser);
        push(&self.contact);
        for p in &self.participants {
            push(&[p.organization.as_str(), &p.unit, &p.title, &p.rank, &p.name].join(" "));
        }
        for d in &self.destinations {
            push(d);
        }
        push(&self.purpose);
        for it in &self.itinerary {
            push(&it.place);
            push(&it.activity);
        }
        push(&self.process);
        push(&self.findings);
    }

    /// The form again, for a writer who changes only some of it.
    pub fn to_input(&self, follow_ups: &[FollowUp]) -> TripInput {
        let d = |d: Option<NaiveDate>| d.map(|d| d.to_string());
        TripInput {
            purpose_category: self.purpose_category.map(|p| p.as_str().to_string()),
            organiser: self.organiser.clone(),
            contact: self.contact.clone(),
            participants: self.participants.clone(),
            departed_on: d(self.departed_on),
            returned_on: d(self.returned_on),
            destinations: self.destinations.clone(),
            reported_on: d(self.reported_on),
            purpose: self.purpose.clone(),
            itinerary: self
                .itinerary
                .iter()
                .map(|i| ItineraryInput { date: d(i.date), place: i.place.clone(), activity: i.activity.clone() })
                .collect(),
            process: self.process.clone(),
            findings: self.findings.clone(),
            recommendations: follow_ups
                .iter()
                .map(|f| RecommendationInput {
                    id: Some(f.id),
                    text: f.recommendation.clone(),
                    owner: f.owner.clone(),
                    due_on: d(f.due_on),
                })
                .collect(),
        }
    }
}

/// A recommendation of a trip report, tracked until done.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FollowUp {
    pub id: i64,
    pub document_id: DocumentId,
    pub document_title: String,
    pub position: i32,
    pub recommendation: String,
    pub owner: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub status: FollowUpStatus,
    pub note: Option<String>,
    /// Open or in progress past its due date.
    pub overdue: bool,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl FollowUp {
    fn from_row(r: library_follow_up::Model, title: &str) -> FollowUp {
        let status = FollowUpStatus::parse(&r.status).unwrap_or(FollowUpStatus::Open);
        let due_on = r.due_on.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let open = matches!(status, FollowUpStatus::Open | FollowUpStatus::InProgress);
        FollowUp {
            id: r.id,
            document_id: DocumentId(r.document_id),
            document_title: title.to_string(),
            position: r.position,
            recommendation: r.recommendation,
            owner: r.owner,
            overdue: open && due_on.is_some_and(|d| super::today() > d),
            due_on,
            status,
            note: r.note,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// Makes a document's follow-ups match its recommendations: kept (by id) and changed, added,
/// or removed. Returns the recommendations as stored, for the version history.
pub(super) async fn sync_follow_ups(
    conn: &impl ConnectionTrait,
    document_id: i64,
    recs: &[RecommendationInput],
    now: DateTime<Utc>,
) -> Result<Vec<Recommendation>> {
    let existing = library_follow_up::Entity::find()
        .filter(library_follow_up::Column::DocumentId.eq(document_id))
        .all(conn)
        .await?;
    let kept: Vec<i64> = recs.iter().filter_map(|r| r.id).collect();
    for r in recs.iter().filter_map(|r| r.id) {
        if !existing.iter().any(|e| e.id == r) {
            return Err(Error::field("trip.recommendations.id", ErrorCode::NotFound));
        }
    }
    for e in existing.iter().filter(|e| !kept.contains(&e.id)) {
        library_follow_up::Entity::delete_by_id(e.id).exec(conn).await?;
    }
    for (i, r) in recs.iter().enumerate() {
        let position = i as i32 + 1;
        match r.id.and_then(|id| existing.iter().find(|e| e.id == id)) {
            Some(e) => {
                if e.recommendation != r.text || e.owner != r.owner || e.due_on != r.due_on || e.position != position {
                    let mut a: library_follow_up::ActiveModel = e.clone().into();
                    a.recommendation = Set(r.text.clone());
                    a.owner = Set(r.owner.clone());
                    a.due_on = Set(r.due_on.clone());
                    a.position = Set(position);
                    a.updated_at = Set(now);
                    a.version = Set(e.version + 1);
                    a.update(conn).await?;
                }
            }
            None => {
                library_follow_up::ActiveModel {
                    id: NotSet,
                    document_id: Set(document_id),
                    position: Set(position),
                    recommendation: Set(r.text.clone()),
                    owner: Set(r.owner.clone()),
                    due_on: Set(r.due_on.clone()),
                    status: Set(FollowUpStatus::Open.as_str().into()),
                    note: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    version: Set(1),
                }
                .insert(conn)
                .await?;
            }
        }
    }
    Ok(recs
        .iter()
        .map(|r| Recommendation { text: r.text.clone(), owner: r.owner.clone(), due_on: r.due_on.clone() })
        .collect())
}

pub(super) async fn recommendations_of(conn: &impl ConnectionTrait, document_id: i64) -> Result<Vec<Recommendation>> {
    let rows = library_follow_up::Entity::find()
        .filter(library_follow_up::Column::DocumentId.eq(document_id))
        .order_by_asc(library_follow_up::Column::Position)
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|r| Recommendation { text: r.recommendation, owner: r.owner, due_on: r.due_on }).collect())
}

pub(super) async fn follow_ups_of(conn: &impl ConnectionTrait, doc: &library_document::Model) -> Result<Vec<FollowUp>> {
    let rows = library_follow_up::Entity::find()
        .filter(library_follow_up::Column::DocumentId.eq(doc.id))
        .order_by_asc(library_follow_up::Column::Position)
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|r| FollowUp::from_row(r, &doc.title)).collect())
}

#[derive(Clone, Debug, Default)]
pub struct FollowUpFilter {
    pub status: Option<FollowUpStatus>,
    pub document_id: Option<DocumentId>,
    /// Only open or in-progress follow-ups past their due date.
    pub overdue: bool,
    pub page: PageRequest,
}

/// Follow-ups of the trip reports the actor may read, soonest due first.
pub async fn list_follow_ups(scope: &Scope<'_>, filter: FollowUpFilter) -> Result<Page<FollowUp>> {
    use library_follow_up::Column as F;
    scope.actor.require_login()?;
    // The readable trip reports as a sub-query: one short statement however many there are.
    let readable = library_document::Entity::find()
        .select_only()
        .column(library_document::Column::Id)
        .filter(readable_condition(scope.actor))
        .filter(library_document::Column::Kind.eq(super::Kind::TripReport.as_str()))
        .into_query();
    let mut q = library_follow_up::Entity::find().filter(F::DocumentId.in_subquery(readable));
    if let Some(d) = filter.document_id {
        q = q.filter(F::DocumentId.eq(d.0));
    }
    if let Some(s) = filter.status {
        q = q.filter(F::Status.eq(s.as_str()));
    }
    if filter.overdue {
        q = q
            .filter(F::Status.is_in([FollowUpStatus::Open.as_str(), FollowUpStatus::InProgress.as_str()]))
            .filter(F::DueOn.lt(super::today().to_string()));
    }
    let total = q.clone().count(scope.db()).await?;
    let rows = q
        .order_by(sea_orm::sea_query::Expr::col(F::DueOn).is_null(), sea_orm::Order::Asc)
        .order_by_asc(F::DueOn)
        .order_by_asc(F::Id)
        .offset(filter.page.offset())
        .limit(filter.page.per_page)
        .all(scope.db())
        .await?;
    let mut doc_ids: Vec<i64> = rows.iter().map(|r| r.document_id).collect();
    doc_ids.sort_unstable();
    doc_ids.dedup();
    let titles: std::collections::HashMap<i64, String> = library_document::Entity::find()
        .select_only()
        .column(library_document::Column::Id)
        .column(library_document::Column::Title)
        .filter(library_document::Column::Id.is_in(doc_ids))
        .into_tuple::<(i64, String)>()
        .all(scope.db())
        .await?
        .into_iter()
        .collect();
    Ok(Page {
        items: rows
            .into_iter()
            .map(|r| {
                let title = titles.get(&r.document_id).cloned().unwrap_or_default();
                FollowUp::from_row(r, &title)
            })
            .collect(),
        total,
        page: filter.page.page,
        per_page: filter.page.per_page,
    })
}

/// What a follow-up update carries; absent fields stay as they are.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct FollowUpChanges {
    /// The version the writer read.
    pub version: i32,
    pub status: Option<String>,
    pub owner: Option<String>,
    /// `YYYY-MM-DD`; an empty string clears it.
    pub due_on: Option<String>,
    pub note: Option<String>,
}

/// Changes a follow-up's status, owner, due date or note. Those who may edit the report may,
/// and so may the staff of the organisation that owns it (the unit carrying it out).
pub async fn update_follow_up(scope: &Scope<'_>, id: i64, changes: FollowUpChanges) -> Result<FollowUp> {
    scope.actor.require_login()?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let row = library_follow_up::Entity::find_by_id(id).one(&tx).await?.ok_or(Error::NotFound)?;
    let doc = library_document::Entity::find_by_id(row.document_id).one(&tx).await?.ok_or(Error::NotFound)?;
    if !may_read_row(scope.actor, &doc) {
        return Err(Error::NotFound);
    }
    let own_unit = scope.actor.user().is_some_and(|u| u.roles.is_staff() && u.org_id.0 == doc.owner_org_id);
    if !(may_edit(scope.actor, &doc) || own_unit) {
        return Err(Error::Forbidden);
    }
    if changes.version != row.version {
        return Err(Error::Refused(ErrorCode::ConflictStale));
    }
    let mut checks = Checks::new();
    let status = match changes.status.as_deref().map(str::trim) {
        None | Some("") => FollowUpStatus::parse(&row.status).ok(),
        Some(s) => checks.field("status", FollowUpStatus::parse(s)),
    };
    let owner = match changes.owner.as_deref() {
        None => row.owner.clone(),
        Some(o) => checks.take(validate::optional_text("owner", Some(o), 300)).flatten(),
    };
    let due_on = match changes.due_on.as_deref() {
        None => row.due_on.clone(),
        Some(d) => date_field("due_on", Some(d), &mut checks).map(|d| d.to_string()),
    };
    let note = match changes.note.as_deref() {
        None => row.note.clone(),
        Some(n) => checks.take(validate::optional_text("note", Some(n), 4000)).flatten(),
    };
    checks.finish()?;
    let status = status.expect("checked");
    let before = json!({"status": row.status, "owner": row.owner, "due_on": row.due_on, "note": row.note});
    let after = json!({"status": status, "owner": owner, "due_on": due_on, "note": note});
    let now = crate::db::now();
    let result = library_follow_up::Entity::update_many()
        .col_expr(library_follow_up::Column::Status, status.as_str().into())
        .col_expr(library_follow_up::Column::Owner, owner.clone().into())
        .col_expr(library_follow_up::Column::DueOn, due_on.clone().into())
        .col_expr(library_follow_up::Column::Note, note.clone().into())
        .col_expr(library_follow_up::Column::UpdatedAt, now.into())
        .col_expr(library_follow_up::Column::Version, (row.version + 1).into())
        .filter(library_follow_up::Column::Id.eq(id))
        .filter(library_follow_up::Column::Version.eq(row.version))
        .exec(&tx)
        .await?;
    if result.rows_affected == 0 {
        return Err(Error::Refused(ErrorCode::ConflictStale));
    }
    audit::record_change(
        &tx,
        scope,
        "library_follow_up.update",
        ("library_follow_up", id.to_string()),
        Some(doc.owner_org_id),
        &before,
        &after,
    )
    .await?;
    tx.commit().await?;
    let row = library_follow_up::Entity::find_by_id(id).one(scope.db()).await?.ok_or(Error::NotFound)?;
    Ok(FollowUp::from_row(row, &doc.title))
}
