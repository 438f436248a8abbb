//! The library: best practices, trip reports, research reports, declarations, published desk
//! answers and other documents, in any language, each possibly a translation of another.
//!
//! Who may read a document depends on its [`Status`]: a draft its author and the librarians,
//! an internal document the association's staff and the owning organisation, a published one
//! every signed-in user. The rule is applied in every read here and, through reader tokens
//! ([`readers_of`], [`reader_tokens`]), in the search index. A document one may not read is
//! *not found*.
//!
//! Every change is written with a guard on the version the writer read, a version-history
//! entry (who changed what, and the document as it then was), an audit entry, and an entry of
//! the change log the search indexes follow — all in one transaction.

pub mod attachments;
pub mod changes;
pub mod demo;
pub mod desk_answer;
pub mod extract;
pub mod import;
pub mod search;
pub mod taxonomy;
pub mod trip;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::actor::{Actor, Role, Scope};
use crate::audit;
use crate::entities::{library_change, library_document, library_version, organization};
use crate::error::{Error, ErrorCode, Result};
use crate::ids::{OrgId, UserId};
use crate::paging::{Page, PageRequest};
use crate::validate::{self, Checks, CountryCode, LanguageCode};

pub use attachments::Attachment;
pub use taxonomy::{Area, FollowUpStatus, Kind, Purpose, Status};
pub use trip::{FollowUp, TripInput, TripReport};

/// A document's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DocumentId(pub i64);

impl std::fmt::Display for DocumentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Document {
    pub id: DocumentId,
    pub kind: Kind,
    /// BCP 47 as stored: `ko`, `en`, `ja`, `zh-Hans`, `zh-Hant`, …
    pub language: String,
    pub status: Status,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub source: Option<String>,
    pub area: Option<Area>,
    pub country: Option<String>,
    /// The local government the document is about (best practices).
    pub local_government: Option<String>,
    pub year: Option<i32>,
    /// The structured form of a trip report.
    pub trip: Option<TripReport>,
    /// When a trip report is due: the return date plus `library.report_due_days`.
    pub report_due_on: Option<NaiveDate>,
    /// A trip report still a draft after it was due.
    pub overdue: bool,
    pub owner_org_id: OrgId,
    pub author_id: Option<UserId>,
    pub translation_group: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub version: i32,
}

/// Another language's version of a document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Translation {
    pub id: DocumentId,
    pub language: String,
    pub title: String,
    pub status: Status,
}

/// A document with what its page shows beside it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocumentView {
    pub document: Document,
    /// The other members of its translation group the reader may see.
    pub translations: Vec<Translation>,
    pub attachments: Vec<Attachment>,
    /// A trip report's recommendations, as tracked.
    pub follow_ups: Vec<FollowUp>,
}

/// Today in Korea, where reports fall due.
pub fn today() -> NaiveDate {
    crate::db::now().with_timezone(&chrono_tz::Asia::Seoul).date_naive()
}

fn parse_date(s: Option<&str>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

impl Document {
    pub(crate) fn from_row(r: library_document::Model, due_days: u32) -> Result<Document> {
        let kind = Kind::parse(&r.kind).map_err(|_| anyhow::anyhow!("bad kind {}", r.kind))?;
        let status = Status::parse(&r.status).map_err(|_| anyhow::anyhow!("bad status {}", r.status))?;
        let trip: Option<TripReport> = match &r.trip {
            Some(t) => Some(serde_json::from_str(t).map_err(anyhow::Error::from)?),
            None => None,
        };
        let report_due_on = match kind {
            Kind::TripReport => {
                parse_date(r.returned_on.as_deref()).map(|d| d + chrono::Days::new(u64::from(due_days)))
            }
            _ => None,
        };
        let overdue = status == Status::Draft && report_due_on.is_some_and(|due| today() > due);
        Ok(Document {
            id: DocumentId(r.id),
            kind,
            language: r.language,
            status,
            title: r.title,
            summary: r.summary,
            body: r.body,
            source: r.source,
            area: r.area.as_deref().and_then(|a| Area::parse(a).ok()),
            country: r.country,
            local_government: r.local_government,
            year: r.year,
            trip,
            report_due_on,
            overdue,
            owner_org_id: OrgId(r.owner_org_id),
            author_id: r.author_id.map(UserId),
            translation_group: r.translation_group,
            created_at: r.created_at,
            updated_at: r.updated_at,
            published_at: r.published_at,
            version: r.version,
        })
    }

    /// What the version history and the audit log compare.
    fn audit_view(&self, recommendations: &[trip::Recommendation]) -> Value {
        json!({
            "kind": self.kind, "language": self.language, "status": self.status, "title": self.title,
            "summary": self.summary, "body": self.body, "source": self.source, "area": self.area,
            "country": self.country, "local_government": self.local_government, "year": self.year,
            "trip": self.trip, "recommendations": recommendations, "owner_org_id": self.owner_org_id,
            "translation_group": self.translation_group,
        })
    }

    /// The body and every structured text of the document, flattened (what the index reads).
    pub fn full_text(&self, follow_ups: &[FollowUp]) -> String {
        let mut out = self.body.clone();
        if let Some(t) = &self.trip {
            t.flatten_into(&mut out);
        }
        for f in follow_ups {
            out.push('\n');
            out.push_str(&f.recommendation);
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Who may do what.

fn is_librarian(actor: &Actor) -> bool {
    actor.has(Role::Librarian)
}

/// Whether the actor may read a document with this status, owner and author.
fn may_read(actor: &Actor, status: Status, owner: i64, author: Option<i64>) -> bool {
    match actor {
        Actor::System(_) => true,
        Actor::Anonymous => false,
        Actor::User(u) => match status {
            Status::Published => true,
            Status::Internal => u.roles.is_staff() || u.org_id.0 == owner,
            Status::Draft => u.roles.contains(Role::Librarian) || author == Some(u.id.0),
        },
    }
}

fn may_read_row(actor: &Actor, r: &library_document::Model) -> bool {
    Status::parse(&r.status).is_ok_and(|s| may_read(actor, s, r.owner_org_id, r.author_id))
}

/// Whether the actor may change a document: its author, a librarian or an administrator.
fn may_edit(actor: &Actor, r: &library_document::Model) -> bool {
    actor.has(Role::Librarian)
        || actor.has(Role::Administrator)
        || actor.user_id().is_some_and(|u| r.author_id == Some(u.0))
}

/// The SQL form of [`may_read`], for lists.
fn readable_condition(actor: &Actor) -> Condition {
    use library_document::Column as C;
    match actor {
        Actor::System(_) => Condition::all(),
        Actor::Anonymous => Condition::all().add(Expr::val(1).eq(0)),
        Actor::User(u) => {
            let mut any = Condition::any().add(C::Status.eq(Status::Published.as_str()));
            let internal = if u.roles.is_staff() {
                Condition::all().add(C::Status.eq(Status::Internal.as_str()))
            } else {
                Condition::all().add(C::Status.eq(Status::Internal.as_str())).add(C::OwnerOrgId.eq(u.org_id.0))
            };
            any = any.add(internal);
            let draft = if u.roles.contains(Role::Librarian) {
                Condition::all().add(C::Status.eq(Status::Draft.as_str()))
            } else {
                Condition::all().add(C::Status.eq(Status::Draft.as_str())).add(C::AuthorId.eq(u.id.0))
            };
            any.add(draft)
        }
    }
}

/// Who may find a document in the search index: `all` (every signed-in user), `staff`,
/// `librarians`, `org:<id>`, `user:<id>`.
pub fn readers_of(status: Status, owner: OrgId, author: Option<UserId>) -> Vec<String> {
    match status {
        Status::Published => vec!["all".into()],
        Status::Internal => vec!["staff".into(), format!("org:{}", owner.0)],
        Status::Draft => {
            let mut r = vec!["librarians".to_string()];
            if let Some(a) = author {
                r.push(format!("user:{}", a.0));
            }
            r
        }
    }
}

/// The reader tokens of the actor: a search hit needs one in common with the document's.
pub fn reader_tokens(actor: &Actor) -> Vec<String> {
    match actor {
        Actor::Anonymous => Vec::new(),
        Actor::System(_) => vec!["all".into(), "staff".into(), "librarians".into()],
        Actor::User(u) => {
            let mut t = vec!["all".to_string(), format!("org:{}", u.org_id.0), format!("user:{}", u.id.0)];
            if u.roles.is_staff() {
                t.push("staff".into());
            }
            if u.roles.contains(Role::Librarian) {
                t.push("librarians".into());
            }
            t
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Writing.

/// What a writer sends to create or replace a document. On update every field is replaced.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct DocumentInput {
    pub kind: String,
    pub language: String,
    /// Defaults to `draft`. Publishing takes a librarian.
    pub status: Option<String>,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub body: String,
    pub source: Option<String>,
    pub area: Option<String>,
    pub country: Option<String>,
    pub local_government: Option<String>,
    pub year: Option<i32>,
    /// On create: the document this one translates (it joins its translation group). Reading
    /// the original is enough: linking a translation does not change its content or version.
    pub translation_of: Option<i64>,
    /// The owning organisation; defaults to the author's. Librarians may set another.
    pub owner_org_id: Option<i64>,
    /// Trip reports: the structured form.
    pub trip: Option<TripInput>,
    /// On update: the version the writer read.
    pub version: Option<i32>,
}

/// A checked input.
struct Checked {
    kind: Kind,
    language: String,
    status: Status,
    title: String,
    summary: String,
    body: String,
    source: Option<String>,
    area: Option<Area>,
    country: Option<String>,
    local_government: Option<String>,
    year: Option<i32>,
    trip: Option<TripReport>,
    recommendations: Vec<trip::RecommendationInput>,
}

fn check(input: &DocumentInput) -> Result<Checked> {
    let mut checks = Checks::new();
    let kind = checks.field("kind", Kind::parse(&input.kind));
    let language = checks.field("language", LanguageCode::parse(&input.language)).map(|l| l.as_str().to_string());
    let status = match input.status.as_deref().map(str::trim) {
        None | Some("") => Some(Status::Draft),
        Some(s) => checks.field("status", Status::parse(s)),
    };
    let title = checks.take(validate::required_text("title", &input.title, 500));
    let summary = checks.take(validate::optional_text("summary", Some(&input.summary), 20_000));
    let body = checks.take(validate::optional_text("body", Some(&input.body), 2_000_000));
    let source = checks.take(validate::optional_text("source", input.source.as_deref(), 2000)).flatten();
    let area = match input.area.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(a) => checks.field("area", Area::parse(a)),
    };
    let country = match input.country.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => checks.field("country", CountryCode::parse(c)).map(|c| c.as_str().to_string()),
    };
    let local_government =
        checks.take(validate::optional_text("local_government", input.local_government.as_deref(), 300)).flatten();
    if input.year.is_some_and(|y| !(1900..=2100).contains(&y)) {
        checks.push(crate::error::FieldError::new("year", ErrorCode::ValueOutOfRange));
    }
    let (trip, recommendations) = match (&input.trip, kind) {
        (Some(t), Some(Kind::TripReport)) => trip::check(t, &mut checks),
        (None, Some(Kind::TripReport)) => (Some(TripReport::default()), Vec::new()),
        _ => (None, Vec::new()),
    };
    if area.is_some() && kind.is_some_and(|k| k != Kind::BestPractice) {
        checks.push(crate::error::FieldError::new("area", ErrorCode::InvalidChoice));
    }
    checks.finish()?;
    Ok(Checked {
        kind: kind.expect("checked"),
        language: language.expect("checked"),
        status: status.expect("checked"),
        title: title.expect("checked"),
        summary: summary.flatten().unwrap_or_default(),
        body: body.flatten().unwrap_or_default(),
        source,
        area,
        country,
        local_government,
        year: input.year,
        trip,
        recommendations,
    })
}

fn may_set_status(actor: &Actor, status: Status) -> Result<()> {
    if status == Status::Published && !(is_librarian(actor) || matches!(actor, Actor::System(_))) {
        return Err(Error::Forbidden);
    }
    Ok(())
}

fn apply_checked(row: &mut library_document::Model, c: &Checked, now: DateTime<Utc>) -> Result<()> {
    row.kind = c.kind.as_str().into();
    row.language = c.language.clone();
    if c.status == Status::Published && row.status != Status::Published.as_str() {
        row.published_at = Some(now);
    }
    row.status = c.status.as_str().into();
    row.title = c.title.clone();
    row.summary = c.summary.clone();
    row.body = c.body.clone();
    row.source = c.source.clone();
    row.area = c.area.map(|a| a.as_str().to_string());
    row.country = c.country.clone();
    row.local_government = c.local_government.clone();
    row.year = c.year;
    row.trip = match &c.trip {
        Some(t) => Some(serde_json::to_string(t).map_err(anyhow::Error::from)?),
        None => None,
    };
    row.returned_on = c.trip.as_ref().and_then(|t| t.returned_on).map(|d| d.to_string());
    row.reported_on = c.trip.as_ref().and_then(|t| t.reported_on).map(|d| d.to_string());
    row.search_text = crate::text::search_text([
        c.title.as_str(),
        c.local_government.as_deref().unwrap_or_default(),
        c.source.as_deref().unwrap_or_default(),
    ]);
    Ok(())
}

/// Appends an entry to the change log the search indexes follow (inside the caller's transaction).
pub(crate) async fn log_change(conn: &impl ConnectionTrait, id: i64) -> Result<()> {
    library_change::ActiveModel { seq: NotSet, document_id: Set(id), at: Set(crate::db::now()) }.insert(conn).await?;
    Ok(())
}

/// Records a version: the diff from `before` (empty for the first) and the snapshot.
async fn record_version(
    conn: &impl ConnectionTrait,
    scope: &Scope<'_>,
    doc: &Document,
    before: &Value,
    after: &Value,
) -> Result<Value> {
    let changes = audit::diff(before, after, &[]);
    library_version::ActiveModel {
        id: NotSet,
        document_id: Set(doc.id.0),
        version: Set(doc.version),
        at: Set(doc.updated_at),
        actor_id: Set(scope.actor.user_id().map(|u| u.0)),
        actor_label: Set(match scope.actor {
            Actor::User(u) => u.name.clone(),
            other => other.label(),
        }),
        changes: Set(changes.to_string()),
        snapshot: Set(after.to_string()),
    }
    .insert(conn)
    .await?;
    Ok(changes)
}

/// Creates a document, owned by the author's organisation (or, for a librarian, the one named).
pub async fn create(scope: &Scope<'_>, input: DocumentInput) -> Result<DocumentView> {
    scope.actor.require_login()?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let id = create_in(&tx, scope, input).await?;
    tx.commit().await?;
    get(scope, id).await
}

/// [`create`] inside the caller's transaction.
pub(crate) async fn create_in(
    tx: &impl ConnectionTrait,
    scope: &Scope<'_>,
    input: DocumentInput,
) -> Result<DocumentId> {
    scope.actor.require_login()?;
    let c = check(&input)?;
    may_set_status(scope.actor, c.status)?;
    let owner = match (input.owner_org_id, scope.actor) {
        (Some(o), a) if is_librarian(a) || matches!(a, Actor::System(_)) => o,
        (Some(o), Actor::User(u)) if o == u.org_id.0 => o,
        (Some(_), _) => return Err(Error::Forbidden),
        (None, Actor::User(u)) => u.org_id.0,
        (None, _) => return Err(Error::field("owner_org_id", ErrorCode::ValueRequired)),
    };
    if organization::Entity::find_by_id(owner).one(tx).await?.is_none() {
        return Err(Error::field("owner_org_id", ErrorCode::UnknownOrganization));
    }
    let group = match input.translation_of {
        None => None,
        Some(of) => {
            let target = library_document::Entity::find_by_id(of).one(tx).await?;
            let target = target
                .filter(|t| may_read_row(scope.actor, t))
                .ok_or_else(|| Error::field("translation_of", ErrorCode::NotFound))?;
            let group = target.translation_group.unwrap_or(target.id);
            if target.translation_group.is_none() {
                library_document::Entity::update_many()
                    .col_expr(library_document::Column::TranslationGroup, Expr::value(group))
                    .filter(library_document::Column::Id.eq(target.id))
                    .exec(tx)
                    .await?;
                log_change(tx, target.id).await?;
            }
            Some(group)
        }
    };
    let now = crate::db::now();
    let mut row = library_document::Model {
        id: 0,
        kind: String::new(),
        language: String::new(),
        status: Status::Draft.as_str().into(),
        title: String::new(),
        summary: String::new(),
        body: String::new(),
        source: None,
        area: None,
        country: None,
        local_government: None,
        year: None,
        trip: None,
        returned_on: None,
        reported_on: None,
        owner_org_id: owner,
        author_id: scope.actor.user_id().map(|u| u.0),
        translation_group: group,
        search_text: String::new(),
        created_at: now,
        updated_at: now,
        published_at: None,
        version: 1,
    };
    apply_checked(&mut row, &c, now)?;
    let mut active = row.into_active_model().reset_all();
    active.id = NotSet;
    let row = active.insert(tx).await?;
    let recs = trip::sync_follow_ups(tx, row.id, &c.recommendations, now).await?;
    let doc = Document::from_row(row, scope.config().library.report_due_days)?;
    let after = doc.audit_view(&recs);
    record_version(tx, scope, &doc, &json!({}), &after).await?;
    audit::record(
        tx,
        scope,
        audit::Entry {
            action: "library_document.create",
            subject_type: "library_document",
            subject_id: Some(doc.id.to_string()),
            org_id: Some(doc.owner_org_id.0),
            details: json!({"kind": doc.kind, "title": doc.title, "status": doc.status}),
        },
    )
    .await?;
    log_change(tx, doc.id.0).await?;
    Ok(doc.id)
}

/// Loads a row for changing it: not found unless the actor may read it, forbidden unless
/// they may edit it, `conflict_stale` if its version moved on.
async fn load_for_change(
    conn: &impl ConnectionTrait,
    scope: &Scope<'_>,
    id: DocumentId,
    expected: Option<i32>,
) -> Result<library_document::Model> {
    let row = library_document::Entity::find_by_id(id.0).one(conn).await?.ok_or(Error::NotFound)?;
    if !may_read_row(scope.actor, &row) {
        return Err(Error::NotFound);
    }
    if !may_edit(scope.actor, &row) {
        return Err(Error::Forbidden);
    }
    if expected.is_some_and(|v| v != row.version) {
        return Err(Error::Refused(ErrorCode::ConflictStale));
    }
    Ok(row)
}

/// Writes `after` if the row still has `before`'s version.
async fn write_guarded(
    conn: &impl ConnectionTrait,
    before: &library_document::Model,
    mut after: library_document::Model,
    now: DateTime<Utc>,
) -> Result<library_document::Model> {
    after.version = before.version + 1;
    after.updated_at = now;
    let result = library_document::Entity::update_many()
        .set(after.clone().into_active_model().reset_all())
        .filter(library_document::Column::Id.eq(before.id))
        .filter(library_document::Column::Version.eq(before.version))
        .exec(conn)
        .await?;
    if result.rows_affected == 0 {
        return Err(Error::Refused(ErrorCode::ConflictStale));
    }
    Ok(after)
}

/// Replaces a document's content (every field of `input`), guarded by `input.version`.
pub async fn update(scope: &Scope<'_>, id: DocumentId, input: DocumentInput) -> Result<DocumentView> {
    scope.actor.require_login()?;
    let version = input.version.ok_or_else(|| Error::field("version", ErrorCode::ValueRequired))?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let before = load_for_change(&tx, scope, id, Some(version)).await?;
    let c = check(&input)?;
    if c.status.as_str() != before.status {
        may_set_status(scope.actor, c.status)?;
    }
    let due = scope.config().library.report_due_days;
    let before_recs = trip::recommendations_of(&tx, before.id).await?;
    let before_view = Document::from_row(before.clone(), due)?.audit_view(&before_recs);
    let now = crate::db::now();
    let mut after = before.clone();
    if let Some(o) = input.owner_org_id.filter(|o| *o != before.owner_org_id) {
        if !is_librarian(scope.actor) {
            return Err(Error::Forbidden);
        }
        if organization::Entity::find_by_id(o).one(&tx).await?.is_none() {
            return Err(Error::field("owner_org_id", ErrorCode::UnknownOrganization));
        }
        after.owner_org_id = o;
    }
    apply_checked(&mut after, &c, now)?;
    let recs = trip::sync_follow_ups(&tx, before.id, &c.recommendations, now).await?;
    let doc = Document::from_row(after.clone(), due)?;
    let after_view = doc.audit_view(&recs);
    if after_view == before_view {
        // Nothing changed: no new version.
        tx.commit().await?;
        return get(scope, id).await;
    }
    let row = write_guarded(&tx, &before, after, now).await?;
    let doc = Document::from_row(row, due)?;
    let changes = record_version(&tx, scope, &doc, &before_view, &after_view).await?;
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: if doc.status == Status::Published && before.status != Status::Published.as_str() {
                "library_document.publish"
            } else {
                "library_document.update"
            },
            subject_type: "library_document",
            subject_id: Some(doc.id.to_string()),
            org_id: Some(doc.owner_org_id.0),
            details: changes,
        },
    )
    .await?;
    log_change(&tx, doc.id.0).await?;
    tx.commit().await?;
    get(scope, id).await
}

/// Sets a document's status (publishing takes a librarian), guarded by `version`.
pub async fn set_status(scope: &Scope<'_>, id: DocumentId, status: Status, version: i32) -> Result<DocumentView> {
    let view = get(scope, id).await?;
    let d = &view.document;
    let input = DocumentInput {
        kind: d.kind.as_str().into(),
        language: d.language.clone(),
        status: Some(status.as_str().into()),
        title: d.title.clone(),
        summary: d.summary.clone(),
        body: d.body.clone(),
        source: d.source.clone(),
        area: d.area.map(|a| a.as_str().to_string()),
        country: d.country.clone(),
        local_government: d.local_government.clone(),
        year: d.year,
        translation_of: None,
        owner_org_id: None,
        trip: d.trip.as_ref().map(|t| t.to_input(&view.follow_ups)),
        version: Some(version),
    };
    update(scope, id, input).await
}

// ---------------------------------------------------------------------------------------------
// Reading.

/// One document with its translations, attachments and follow-ups.
pub async fn get(scope: &Scope<'_>, id: DocumentId) -> Result<DocumentView> {
    scope.actor.require_login()?;
    let row = library_document::Entity::find_by_id(id.0).one(scope.db()).await?.ok_or(Error::NotFound)?;
    if !may_read_row(scope.actor, &row) {
        return Err(Error::NotFound);
    }
    let translations = match row.translation_group {
        None => Vec::new(),
        Some(g) => library_document::Entity::find()
            .filter(library_document::Column::TranslationGroup.eq(g))
            .filter(library_document::Column::Id.ne(row.id))
            .filter(readable_condition(scope.actor))
            .order_by_asc(library_document::Column::Id)
            .all(scope.db())
            .await?
            .into_iter()
            .map(|t| Translation {
                id: DocumentId(t.id),
                language: t.language,
                title: t.title,
                status: Status::parse(&t.status).unwrap_or(Status::Draft),
            })
            .collect(),
    };
    let attachments = attachments::of_document(scope.db(), row.id).await?;
    let follow_ups = trip::follow_ups_of(scope.db(), &row).await?;
    let document = Document::from_row(row, scope.config().library.report_due_days)?;
    Ok(DocumentView { document, translations, attachments, follow_ups })
}

#[derive(Clone, Debug, Default)]
pub struct DocumentFilter {
    pub kind: Option<Kind>,
    pub status: Option<Status>,
    pub language: Option<String>,
    pub area: Option<Area>,
    pub country: Option<String>,
    pub year: Option<i32>,
    /// Matches the title, local government or source, folded for case, width and Chinese script.
    pub q: Option<String>,
    /// Trip reports still drafts after they were due.
    pub overdue: bool,
    pub page: PageRequest,
}

/// Documents the actor may read, most recently changed first.
pub async fn list(scope: &Scope<'_>, filter: DocumentFilter) -> Result<Page<Document>> {
    use library_document::Column as C;
    scope.actor.require_login()?;
    let mut q = library_document::Entity::find().filter(readable_condition(scope.actor));
    if let Some(k) = filter.kind {
        q = q.filter(C::Kind.eq(k.as_str()));
    }
    if let Some(s) = filter.status {
        q = q.filter(C::Status.eq(s.as_str()));
    }
    if let Some(l) = filter.language.as_deref().filter(|l| !l.is_empty()) {
        q = q.filter(C::Language.eq(l));
    }
    if let Some(a) = filter.area {
        q = q.filter(C::Area.eq(a.as_str()));
    }
    if let Some(c) = filter.country.as_deref().filter(|c| !c.is_empty()) {
        q = q.filter(C::Country.eq(c.to_ascii_uppercase()));
    }
    if let Some(y) = filter.year {
        q = q.filter(C::Year.eq(y));
    }
    if filter.overdue {
        let due_days = i64::from(scope.config().library.report_due_days);
        let latest_return = (today() - chrono::Days::new(due_days as u64 + 1)).to_string();
        q = q
            .filter(C::Kind.eq(Kind::TripReport.as_str()))
            .filter(C::Status.eq(Status::Draft.as_str()))
            .filter(C::ReturnedOn.lte(latest_return));
    }
    if let Some(text) = filter.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = format!("%{}%", crate::db::like_escape(&crate::text::search_fold(text)));
        q = q.filter(Expr::col(C::SearchText).like(LikeExpr::new(pattern).escape('\\')));
    }
    let total = q.clone().count(scope.db()).await?;
    let q = if filter.overdue { q.order_by_asc(C::ReturnedOn) } else { q.order_by_desc(C::UpdatedAt) };
    let rows = q.order_by_desc(C::Id).offset(filter.page.offset()).limit(filter.page.per_page).all(scope.db()).await?;
    let due = scope.config().library.report_due_days;
    Ok(Page {
        items: rows.into_iter().map(|r| Document::from_row(r, due)).collect::<Result<_>>()?,
        total,
        page: filter.page.page,
        per_page: filter.page.per_page,
    })
}

/// One entry of a document's version history.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Version {
    pub version: i32,
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub actor: String,
    /// `{field: [before, after]}` for every field that changed.
    pub changes: Value,
}

/// A document's versions, newest first.
pub async fn versions(scope: &Scope<'_>, id: DocumentId) -> Result<Vec<Version>> {
    get(scope, id).await?;
    let rows = library_version::Entity::find()
        .filter(library_version::Column::DocumentId.eq(id.0))
        .order_by_desc(library_version::Column::Version)
        .all(scope.db())
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| Version {
            version: r.version,
            at: r.at,
            actor_id: r.actor_id.map(UserId),
            actor: r.actor_label,
            changes: serde_json::from_str(&r.changes).unwrap_or(Value::Null),
        })
        .collect())
}

/// The document as it was at `version` (the snapshot of the history).
pub async fn version_snapshot(scope: &Scope<'_>, id: DocumentId, version: i32) -> Result<Value> {
    get(scope, id).await?;
    let row = library_version::Entity::find()
        .filter(library_version::Column::DocumentId.eq(id.0))
        .filter(library_version::Column::Version.eq(version))
        .one(scope.db())
        .await?
        .ok_or(Error::NotFound)?;
    Ok(serde_json::from_str(&row.snapshot).unwrap_or(Value::Null))
}
