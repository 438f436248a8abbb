//! The library's pages: browse with filters, read (translations, attachments, follow-ups,
//! versions), create and edit (one form: the best-practice fields and the structured trip
//! report), and the follow-ups with the overdue reports.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use glocal_core::library::{
    self, Area, DocumentFilter, DocumentId, DocumentInput, DocumentView, FollowUp, FollowUpStatus, Kind, Purpose,
    Status, trip,
};
use glocal_core::paging::PageRequest;
use serde::Deserialize;

use super::{CsrfForm, FormErrors, Page, Pager, error_page, render, see_other};
use crate::AppState;
use crate::ctx::Ctx;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/library", get(list).post(create))
        .route("/library/new", get(new_form))
        .route("/library/follow-ups", get(follow_ups))
        .route("/library/follow-ups/{id}", post(update_follow_up))
        .route("/library/{id}", get(show).post(update))
        .route("/library/{id}/edit", get(edit_form))
}

fn options<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    name: impl Fn(T) -> &'static str,
) -> Vec<(&'static str, String)> {
    all.iter().map(|v| (code(*v), name(*v).to_string())).collect()
}

fn kinds(ctx: &Ctx) -> Vec<(&'static str, String)> {
    options(Kind::ALL, Kind::as_str, |k| k.name(ctx.locale.tag()))
}
fn statuses(ctx: &Ctx) -> Vec<(&'static str, String)> {
    options(Status::ALL, Status::as_str, |s| s.name(ctx.locale.tag()))
}
fn areas(ctx: &Ctx) -> Vec<(&'static str, String)> {
    options(Area::ALL, Area::as_str, |a| a.name(ctx.locale.tag()))
}
use super::library_search::LANGUAGES;

/// A row of a list, with names in the reader's language.
struct Row {
    id: i64,
    title: String,
    kind: String,
    status: String,
    status_code: &'static str,
    language: String,
    area: String,
    country: String,
    year: String,
    updated: String,
    due: String,
}

fn row(ctx: &Ctx, page: &Page, d: &library::Document) -> Row {
    let l = ctx.locale.tag();
    Row {
        id: d.id.0,
        title: d.title.clone(),
        kind: d.kind.name(l).into(),
        status: d.status.name(l).into(),
        status_code: d.status.as_str(),
        language: d.language.clone(),
        area: d.area.map(|a| a.name(l).to_string()).unwrap_or_default(),
        country: d.country.clone().unwrap_or_default(),
        year: d.year.map(|y| y.to_string()).unwrap_or_default(),
        updated: page.dt(&d.updated_at),
        due: d.report_due_on.map(|d| d.to_string()).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "library_list.html")]
struct ListPage {
    page: Page,
    rows: Vec<Row>,
    q: ListQuery,
    kinds: Vec<(&'static str, String)>,
    statuses: Vec<(&'static str, String)>,
    areas: Vec<(&'static str, String)>,
    languages: &'static [(&'static str, &'static str)],
    pager: Pager,
}

#[derive(Deserialize, Default, Clone)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    language: String,
    page: Option<u64>,
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Response {
    let filter = DocumentFilter {
        kind: Kind::parse(&q.kind).ok(),
        status: Status::parse(&q.status).ok(),
        area: Area::parse(&q.area).ok(),
        language: Some(q.language.clone()).filter(|l| !l.is_empty()),
        q: Some(q.q.clone()),
        page: PageRequest::new(q.page, Some(50)),
        ..Default::default()
    };
    let result = match library::list(&ctx.scope(&state), filter).await {
        Ok(p) => p,
        Err(e) => return error_page(&state, &ctx, e),
    };
    let query = [
        ("q", q.q.clone()),
        ("kind", q.kind.clone()),
        ("status", q.status.clone()),
        ("area", q.area.clone()),
        ("language", q.language.clone()),
    ];
    let pager = Pager::new(&result, "/library", &query);
    let page = Page::new(&state, &ctx, "library-title", "/library");
    let rows = result.items.iter().map(|d| row(&ctx, &page, d)).collect();
    render(&ListPage {
        kinds: kinds(&ctx),
        statuses: statuses(&ctx),
        areas: areas(&ctx),
        languages: LANGUAGES,
        page,
        rows,
        q,
        pager,
    })
}

#[derive(Template)]
#[template(path = "library_doc.html")]
struct DocPage {
    page: Page,
    view: DocumentView,
    kind: String,
    status: String,
    area: String,
    purpose: String,
    follow_ups: Vec<FollowUpRow>,
    versions: Vec<(i32, String, String, String)>,
    /// Documents like this one: (id, language, title).
    similar: Vec<(i64, String, String)>,
    can_edit: bool,
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    let scope = ctx.scope(&state);
    let view = match library::get(&scope, DocumentId(id)).await {
        Ok(v) => v,
        Err(e) => return error_page(&state, &ctx, e),
    };
    let versions = library::versions(&scope, DocumentId(id)).await.unwrap_or_default();
    let similar = library::search::similar(&scope, DocumentId(id), 5)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|d| (d.id.0, d.language, d.title))
        .collect();
    let mut page = Page::new(&state, &ctx, "library-title", "/library");
    page.title = view.document.title.clone();
    let l = ctx.locale.tag();
    let d = &view.document;
    let can_edit = ctx.actor.has(glocal_core::actor::Role::Librarian)
        || ctx.actor.has(glocal_core::actor::Role::Administrator)
        || ctx.actor.user_id().is_some_and(|u| d.author_id == Some(u));
    render(&DocPage {
        kind: d.kind.name(l).into(),
        status: d.status.name(l).into(),
        area: d.area.map(|a| a.name(l).to_string()).unwrap_or_default(),
        purpose: d.trip.as_ref().and_then(|t| t.purpose_category).map(|p| p.name(l).to_string()).unwrap_or_default(),
        follow_ups: view.follow_ups.iter().map(|f| follow_up_row(&ctx, f)).collect(),
        versions: versions
            .iter()
            .map(|v| {
                let fields: Vec<String> =
                    v.changes.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
                (v.version, page.dt(&v.at), v.actor.clone(), fields.join(", "))
            })
            .collect(),
        similar,
        can_edit,
        page,
        view,
    })
}

// ---------------------------------------------------------------------------------------------
// The form.

#[derive(Clone, Default, Deserialize)]
struct DocForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    local_government: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    translation_of: String,
    version: Option<i32>,
    // Trip reports.
    #[serde(default)]
    purpose_category: String,
    #[serde(default)]
    organiser: String,
    #[serde(default)]
    contact: String,
    /// One per line: organisation | unit | title | rank | name
    #[serde(default)]
    participants: String,
    #[serde(default)]
    departed_on: String,
    #[serde(default)]
    returned_on: String,
    /// One per line.
    #[serde(default)]
    destinations: String,
    #[serde(default)]
    reported_on: String,
    #[serde(default)]
    purpose: String,
    /// One per line: date | place | activity
    #[serde(default)]
    itinerary: String,
    #[serde(default)]
    process: String,
    #[serde(default)]
    findings: String,
    /// One per line.
    #[serde(default)]
    recommendations: String,
}

fn cells(line: &str, n: usize) -> Vec<String> {
    let mut c: Vec<String> = line.split('|').map(|s| s.trim().to_string()).collect();
    c.resize(n, String::new());
    c
}

fn lines(s: &str) -> impl Iterator<Item = &str> {
    s.lines().map(str::trim).filter(|l| !l.is_empty())
}

impl DocForm {
    fn from_view(v: &DocumentView) -> DocForm {
        let d = &v.document;
        let t = d.trip.clone().unwrap_or_default();
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        DocForm {
            kind: d.kind.as_str().into(),
            language: d.language.clone(),
            status: d.status.as_str().into(),
            title: d.title.clone(),
            summary: d.summary.clone(),
            body: d.body.clone(),
            source: d.source.clone().unwrap_or_default(),
            area: d.area.map(|a| a.as_str().to_string()).unwrap_or_default(),
            country: d.country.clone().unwrap_or_default(),
            local_government: d.local_government.clone().unwrap_or_default(),
            year: d.year.map(|y| y.to_string()).unwrap_or_default(),
            translation_of: String::new(),
            version: Some(d.version),
            purpose_category: t.purpose_category.map(|p| p.as_str().to_string()).unwrap_or_default(),
            organiser: t.organiser,
            contact: t.contact,
            participants: t
                .participants
                .iter()
                .map(|p| [p.organization.as_str(), &p.unit, &p.title, &p.rank, &p.name].join(" | "))
                .collect::<Vec<_>>()
                .join("\n"),
            departed_on: date(t.departed_on),
            returned_on: date(t.returned_on),
            destinations: t.destinations.join("\n"),
            reported_on: date(t.reported_on),
            purpose: t.purpose,
            itinerary: t
                .itinerary
                .iter()
                .map(|i| format!("{} | {} | {}", date(i.date), i.place, i.activity))
                .collect::<Vec<_>>()
                .join("\n"),
            process: t.process,
            findings: t.findings,
            recommendations: v
                .follow_ups
                .iter()
                .map(|f| f.recommendation.replace('\n', " "))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// The domain's input. A recommendation whose text is unchanged keeps its follow-up.
    fn into_input(self, existing: &[FollowUp]) -> Result<DocumentInput, glocal_core::Error> {
        let year = match self.year.trim() {
            "" => None,
            y => Some(
                y.parse::<i32>()
                    .map_err(|_| glocal_core::Error::field("year", glocal_core::ErrorCode::ValueOutOfRange))?,
            ),
        };
        let opt = |s: String| Some(s).filter(|s| !s.trim().is_empty());
        let trip = (self.kind == Kind::TripReport.as_str()).then(|| trip::TripInput {
            purpose_category: opt(self.purpose_category.clone()),
            organiser: self.organiser.clone(),
            contact: self.contact.clone(),
            participants: lines(&self.participants)
                .map(|l| {
                    let c = cells(l, 5);
                    trip::Participant {
                        organization: c[0].clone(),
                        unit: c[1].clone(),
                        title: c[2].clone(),
                        rank: c[3].clone(),
                        name: c[4].clone(),
                    }
                })
                .collect(),
            departed_on: opt(self.departed_on.clone()),
            returned_on: opt(self.returned_on.clone()),
            destinations: lines(&self.destinations).map(str::to_string).collect(),
            reported_on: opt(self.reported_on.clone()),
            purpose: self.purpose.clone(),
            itinerary: lines(&self.itinerary)
                .map(|l| {
                    let c = cells(l, 3);
                    trip::ItineraryInput { date: opt(c[0].clone()), place: c[1].clone(), activity: c[2].clone() }
                })
                .collect(),
            process: self.process.clone(),
            findings: self.findings.clone(),
            recommendations: lines(&self.recommendations)
                .map(|l| {
                    let kept = existing.iter().find(|f| f.recommendation.replace('\n', " ") == l);
                    trip::RecommendationInput {
                        id: kept.map(|f| f.id),
                        text: l.to_string(),
                        owner: kept.and_then(|f| f.owner.clone()),
                        due_on: kept.and_then(|f| f.due_on).map(|d| d.to_string()),
                    }
                })
                .collect(),
        });
        Ok(DocumentInput {
            kind: self.kind,
            language: self.language,
            status: opt(self.status),
            title: self.title,
            summary: self.summary,
            body: self.body,
            source: opt(self.source),
            area: opt(self.area),
            country: opt(self.country),
            local_government: opt(self.local_government),
            year,
            translation_of: self.translation_of.trim().parse().ok(),
            owner_org_id: None,
            trip,
            version: self.version,
        })
    }
}

#[derive(Template)]
#[template(path = "library_form.html")]
struct FormPage {
    page: Page,
    action: String,
    form: DocForm,
    errors: FormErrors,
    kinds: Vec<(&'static str, String)>,
    statuses: Vec<(&'static str, String)>,
    areas: Vec<(&'static str, String)>,
    purposes: Vec<(&'static str, String)>,
    languages: &'static [(&'static str, &'static str)],
}

fn form_page(state: &AppState, ctx: &Ctx, action: String, form: DocForm, errors: FormErrors) -> Response {
    let title = if form.version.is_some() { "library-edit-title" } else { "library-new-title" };
    render(&FormPage {
        page: Page::new(state, ctx, title, "/library"),
        action,
        form,
        errors,
        kinds: kinds(ctx),
        statuses: statuses(ctx),
        areas: areas(ctx),
        purposes: options(Purpose::ALL, Purpose::as_str, |p| p.name(ctx.locale.tag())),
        languages: LANGUAGES,
    })
}

#[derive(Deserialize, Default)]
struct NewQuery {
    kind: Option<String>,
    translation_of: Option<i64>,
}

async fn new_form(State(state): State<AppState>, ctx: Ctx, Query(q): Query<NewQuery>) -> Response {
    if ctx.user.is_none() {
        return see_other(&state, "/login", None);
    }
    let form = DocForm {
        kind: q.kind.unwrap_or_else(|| Kind::BestPractice.as_str().into()),
        language: ctx.locale.tag().into(),
        status: Status::Draft.as_str().into(),
        translation_of: q.translation_of.map(|t| t.to_string()).unwrap_or_default(),
        ..Default::default()
    };
    form_page(&state, &ctx, "/library".into(), form, FormErrors::default())
}

async fn create(State(state): State<AppState>, ctx: Ctx, CsrfForm(form): CsrfForm<DocForm>) -> Response {
    let scope = ctx.scope(&state);
    let result = match form.clone().into_input(&[]) {
        Ok(input) => library::create(&scope, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(v) => see_other(&state, &format!("/library/{}", v.document.id), Some("library-saved")),
        Err(e @ glocal_core::Error::Invalid(_)) => {
            let errors = FormErrors::from_error(&e, ctx.tr());
            form_page(&state, &ctx, "/library".into(), form, errors)
        }
        Err(e) => error_page(&state, &ctx, e),
    }
}

async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    match library::get(&ctx.scope(&state), DocumentId(id)).await {
        Ok(v) => form_page(&state, &ctx, format!("/library/{id}"), DocForm::from_view(&v), FormErrors::default()),
        Err(e) => error_page(&state, &ctx, e),
    }
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<DocForm>,
) -> Response {
    let scope = ctx.scope(&state);
    let existing = match library::get(&scope, DocumentId(id)).await {
        Ok(v) => v.follow_ups,
        Err(e) => return error_page(&state, &ctx, e),
    };
    let result = match form.clone().into_input(&existing) {
        Ok(input) => library::update(&scope, DocumentId(id), input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => see_other(&state, &format!("/library/{id}"), Some("library-saved")),
        Err(e) if matches!(e, glocal_core::Error::Invalid(_)) || e.code() == glocal_core::ErrorCode::ConflictStale => {
            let errors = FormErrors::from_error(&e, ctx.tr());
            form_page(&state, &ctx, format!("/library/{id}"), form, errors)
        }
        Err(e) => error_page(&state, &ctx, e),
    }
}

// ---------------------------------------------------------------------------------------------
// Follow-ups and overdue reports.

struct FollowUpRow {
    id: i64,
    document_id: i64,
    document_title: String,
    recommendation: String,
    owner: String,
    due_on: String,
    status: String,
    status_code: &'static str,
    note: String,
    overdue: bool,
    version: i32,
}

fn follow_up_row(ctx: &Ctx, f: &FollowUp) -> FollowUpRow {
    FollowUpRow {
        id: f.id,
        document_id: f.document_id.0,
        document_title: f.document_title.clone(),
        recommendation: f.recommendation.clone(),
        owner: f.owner.clone().unwrap_or_default(),
        due_on: f.due_on.map(|d| d.to_string()).unwrap_or_default(),
        status: f.status.name(ctx.locale.tag()).into(),
        status_code: f.status.as_str(),
        note: f.note.clone().unwrap_or_default(),
        overdue: f.overdue,
        version: f.version,
    }
}

#[derive(Template)]
#[template(path = "library_follow_ups.html")]
struct FollowUpsPage {
    page: Page,
    rows: Vec<FollowUpRow>,
    overdue_reports: Vec<Row>,
    statuses: Vec<(&'static str, String)>,
    status: String,
    overdue: bool,
    pager: Pager,
}

#[derive(Deserialize, Default)]
struct FollowUpQuery {
    #[serde(default)]
    status: String,
    overdue: Option<String>,
    page: Option<u64>,
}

async fn follow_ups(State(state): State<AppState>, ctx: Ctx, Query(q): Query<FollowUpQuery>) -> Response {
    let scope = ctx.scope(&state);
    let overdue = q.overdue.as_deref().is_some_and(|o| !o.is_empty());
    let filter = trip::FollowUpFilter {
        status: FollowUpStatus::parse(&q.status).ok(),
        document_id: None,
        overdue,
        page: PageRequest::new(q.page, Some(50)),
    };
    let list = match trip::list_follow_ups(&scope, filter).await {
        Ok(l) => l,
        Err(e) => return error_page(&state, &ctx, e),
    };
    let reports = library::list(
        &scope,
        DocumentFilter { overdue: true, page: PageRequest::new(Some(1), Some(200)), ..Default::default() },
    )
    .await
    .map(|p| p.items)
    .unwrap_or_default();
    let query = [("status", q.status.clone()), ("overdue", if overdue { "1".into() } else { String::new() })];
    let pager = Pager::new(&list, "/library/follow-ups", &query);
    let page = Page::new(&state, &ctx, "library-follow-ups-title", "/library");
    render(&FollowUpsPage {
        rows: list.items.iter().map(|f| follow_up_row(&ctx, f)).collect(),
        overdue_reports: reports.iter().map(|d| row(&ctx, &page, d)).collect(),
        statuses: options(FollowUpStatus::ALL, FollowUpStatus::as_str, |s| s.name(ctx.locale.tag())),
        status: q.status,
        overdue,
        pager,
        page,
    })
}

#[derive(Deserialize)]
struct FollowUpForm {
    version: i32,
    #[serde(default)]
    status: String,
    #[serde(default)]
    note: String,
}

async fn update_follow_up(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<FollowUpForm>,
) -> Response {
    let changes = trip::FollowUpChanges {
        version: form.version,
        status: Some(form.status),
        owner: None,
        due_on: None,
        note: Some(form.note),
    };
    match trip::update_follow_up(&ctx.scope(&state), id, changes).await {
        Ok(f) => see_other(&state, &format!("/library/{}", f.document_id), Some("library-follow-up-saved")),
        Err(e) => error_page(&state, &ctx, e),
    }
}
