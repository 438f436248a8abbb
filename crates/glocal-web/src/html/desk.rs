//! Pages of the desk (Online Bureau): the requester's portal (a form per category, their
//! organisation's requests, the thread with its six steps), the staff workspace (queues,
//! filters, every typed field, the timeline, SLA badges, replies, internal notes and a form
//! for each move the workflow allows now), the manager's dashboard (charts drawn as SVG here)
//! and the CSV/XLSX export of the list. Each handler makes one call into `desk`, like the API.
//!
//! Every action form carries the version the reader saw; a stale one is refused by the core
//! (`conflict_stale`) and the page says that someone else changed the request.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDateTime, Utc};
use glocal_core::actor::Role;
use glocal_core::desk::category::LanguageService;
use glocal_core::desk::stats::{self, DeskStats, Format};
use glocal_core::desk::{
    self, ActionInput, Attachment, Category, Fields, NewMessage, NewRequest, Priority, Queue, Request, RequestFilter,
    RequestId, Transition,
};
use glocal_core::ids::OrgId;
use glocal_core::orgs::{self, OrgFilter, OrgKind};
use glocal_core::paging::PageRequest;
use glocal_core::{Error, ErrorCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::registry::Chart;
use super::{CsrfForm, FormErrors, Page, Pager, error_page, render, see_other, split_list};
use crate::AppState;
use crate::ctx::Ctx;

/// Largest upload the HTTP layer lets through; the configured limit is checked by the domain.
const UPLOAD_LIMIT: usize = 256 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/desk", get(list_page))
        .route("/desk/new", get(new_page))
        .route("/desk/requests", post(create))
        .route("/desk/requests.csv", get(export_csv))
        .route("/desk/requests.xlsx", get(export_xlsx))
        .route("/desk/dashboard", get(dashboard))
        .route("/desk/requests/{id}", get(request_page))
        .route("/desk/requests/{id}/messages", post(add_message))
        .route("/desk/requests/{id}/actions/{action}", post(act))
        .route("/desk/requests/{id}/rating", post(rate))
        .route("/desk/requests/{id}/attachments/{attachment}", get(download))
        .route("/desk/requests/{id}/attachments", post(upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)))
}

/// Whether the actor works at the desk (and so sees the workspace rather than the portal).
pub fn is_desk_staff(ctx: &Ctx) -> bool {
    ctx.user.is_some()
        && (ctx.actor.has(Role::DeskStaff) || ctx.actor.has(Role::DeskManager) || ctx.actor.has(Role::Administrator))
}

fn is_manager(ctx: &Ctx) -> bool {
    ctx.user.is_some() && (ctx.actor.has(Role::DeskManager) || ctx.actor.has(Role::Administrator))
}

/// The fields of a posted form in order, repeated names kept (rows of a table, lists).
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }
    /// The `i`-th value of a repeated field (a row of a table).
    pub fn nth(&self, name: &str, i: &usize) -> &str {
        self.all(name).get(*i).copied().unwrap_or("")
    }
    pub fn has(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }
    pub fn is(&self, name: &str, value: &str) -> bool {
        self.get(name) == value
    }
    fn opt(&self, name: &str) -> Value {
        match self.get(name).trim() {
            "" => Value::Null,
            v => Value::String(v.into()),
        }
    }
    fn set(&mut self, name: &str, value: &str) {
        self.0.retain(|(k, _)| k != name);
        self.0.push((name.into(), value.into()));
    }
}

fn label_of(page: &Page, prefix: &str, code: &str) -> String {
    let key = format!("{prefix}{code}");
    let t = page.t(&key);
    if t == key { code.to_string() } else { t }
}

fn choices(page: &Page, prefix: &str, codes: impl IntoIterator<Item = &'static str>) -> Vec<(&'static str, String)> {
    codes.into_iter().map(|c| (c, page.t(&format!("{prefix}{c}")))).collect()
}

/// How a request's clock stands, as a badge.
pub struct Badge {
    /// `breached`, `warning`, `due` or `paused`.
    pub class: &'static str,
    pub text: String,
}

fn sla_badge(page: &Page, r: &Request, now: DateTime<Utc>) -> Option<Badge> {
    if !r.state.is_open() {
        return None;
    }
    if r.state == desk::State::OnHold {
        return Some(Badge { class: "paused", text: page.t("desk-sla-paused") });
    }
    let c = &r.clock;
    let due = c.due_at?;
    let when = page.dt(&due);
    if c.breached || due <= now {
        Some(Badge { class: "breached", text: page.t1("desk-sla-breached", "due", when) })
    } else if c.warned || c.warn_at.is_some_and(|w| w <= now) {
        Some(Badge { class: "warning", text: page.t1("desk-sla-warning", "due", when) })
    } else {
        Some(Badge { class: "due", text: page.t1("desk-sla-due", "due", when) })
    }
}

// ---- lists: the requester's requests and the staff's queues ----

#[derive(Deserialize, Default, Clone)]
struct ListQuery {
    queue: Option<String>,
    category: Option<String>,
    state: Option<String>,
    q: Option<String>,
    page: Option<u64>,
}

impl ListQuery {
    fn filter(&self, staff: bool) -> RequestFilter {
        let pick = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        RequestFilter {
            queue: if staff {
                pick(&self.queue).and_then(|q| Queue::parse(&q).ok()).unwrap_or_default()
            } else {
                Queue::All
            },
            state: pick(&self.state).and_then(|s| desk::State::parse(&s).ok()),
            category: pick(&self.category).and_then(|c| Category::parse(&c).ok()),
            q: pick(&self.q),
            page: PageRequest::new(self.page, Some(25)),
            ..Default::default()
        }
    }
    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("queue", self.queue.clone().unwrap_or_default()),
            ("category", self.category.clone().unwrap_or_default()),
            ("state", self.state.clone().unwrap_or_default()),
            ("q", self.q.clone().unwrap_or_default()),
        ]
    }
    fn query_string(&self) -> String {
        let q: Vec<(&str, String)> = self.pairs().into_iter().filter(|(_, v)| !v.is_empty()).collect();
        serde_html_form::to_string(&q).unwrap_or_default()
    }
}

pub struct Row {
    pub id: i64,
    pub reg_no: String,
    pub title: String,
    pub org: String,
    pub category: String,
    pub state: String,
    pub unit: String,
    pub created: String,
    pub sla: Option<Badge>,
}

#[derive(Template)]
#[template(path = "desk_list.html")]
struct ListPage {
    page: Page,
    staff: bool,
    manager: bool,
    requester: bool,
    rows: Vec<Row>,
    queues: Vec<(&'static str, String, String)>,
    queue: String,
    categories: Vec<(&'static str, String)>,
    states: Vec<(&'static str, String)>,
    q: ListQuery,
    pager: Pager,
    export_query: String,
}

async fn list_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Response {
    let staff = is_desk_staff(&ctx);
    let scope = ctx.scope(&state);
    let found = match desk::list(&scope, q.filter(staff)).await {
        Ok(p) => p,
        Err(e) => return error_page(&state, &ctx, e),
    };
    let mut ids: Vec<OrgId> = found.items.iter().flat_map(|r| [Some(r.org_id), r.department_id]).flatten().collect();
    ids.dedup();
    let names = orgs::names_of(&scope, &ids).await.unwrap_or_default();
    let name = |id: Option<OrgId>| {
        id.and_then(|i| names.get(&i)).map(|o| o.display_name(ctx.locale).to_string()).unwrap_or_default()
    };
    let page = Page::new(&state, &ctx, if staff { "desk-workspace-title" } else { "desk-portal-title" }, "/desk");
    let now = Utc::now();
    let rows = found
        .items
        .iter()
        .map(|r| Row {
            id: r.id.0,
            reg_no: r.reg_no.clone().unwrap_or_default(),
            title: r.title.clone(),
            org: name(Some(r.org_id)),
            category: page.t(&format!("desk-category-{}", r.category.as_str())),
            state: page.t(&format!("desk-state-{}", r.state.as_str())),
            unit: name(r.department_id),
            created: page.dt(&r.created_at),
            sla: sla_badge(&page, r, now),
        })
        .collect();
    let pager = Pager::new(&found, "/desk", &q.pairs());
    let queue = q.queue.clone().filter(|_| staff).unwrap_or_else(|| "all".into());
    let queues = Queue::ALL
        .iter()
        .map(|qq| {
            let mut link = ListQuery { queue: Some(qq.as_str().into()), page: None, ..q.clone() };
            if *qq == Queue::All {
                link.queue = None;
            }
            (qq.as_str(), page.t(&format!("desk-queue-{}", qq.as_str())), format!("/desk?{}", link.query_string()))
        })
        .collect();
    render(&ListPage {
        categories: choices(&page, "desk-category-", Category::ALL.iter().map(|c| c.as_str())),
        states: choices(&page, "desk-state-", desk::State::ALL.iter().map(|s| s.as_str())),
        export_query: q.query_string(),
        staff,
        manager: is_manager(&ctx),
        requester: ctx.actor.has(Role::Requester) && ctx.user.is_some(),
        rows,
        queues,
        queue,
        q,
        pager,
        page,
    })
}

// ---- a new request: one form per category ----

#[derive(Deserialize, Default)]
struct NewQuery {
    category: Option<String>,
}

pub struct ExtraInput {
    pub name: String,
    pub label: String,
    pub kind: &'static str,
    /// `required` or nothing.
    pub attrs: &'static str,
}

#[derive(Template)]
#[template(path = "desk_new.html")]
struct NewPage {
    page: Page,
    category: Option<String>,
    categories: Vec<(&'static str, String)>,
    priorities: Vec<(&'static str, String)>,
    extra: Vec<ExtraInput>,
    form: FormData,
    errors: FormErrors,
    /// Rows of the delegation and destination tables.
    delegation_rows: Vec<usize>,
    destination_rows: Vec<usize>,
}

async fn new_view(state: &AppState, ctx: &Ctx, mut form: FormData, errors: FormErrors) -> Result<NewPage, Error> {
    let scope = ctx.scope(state);
    scope.actor.require(Role::Requester)?;
    let page = Page::new(state, ctx, "desk-new-title", "/desk");
    let category = Category::parse(form.get("category")).ok();
    let extra = match category {
        Some(c) => desk::category_fields(&scope, c)
            .await?
            .into_iter()
            .map(|f| ExtraInput {
                name: format!("extra.{}", f.key),
                label: f.labels.get(ctx.locale.tag()).or_else(|| f.labels.get("en")).cloned().unwrap_or(f.key.clone()),
                kind: match f.kind {
                    desk::FieldKind::Number => "number",
                    desk::FieldKind::Date => "date",
                    desk::FieldKind::Boolean => "checkbox",
                    desk::FieldKind::Text => "text",
                },
                attrs: if f.required { "required" } else { "" },
            })
            .collect(),
        None => Vec::new(),
    };
    if form.get("priority").is_empty() {
        form.set("priority", "normal");
    }
    let rows = |name: &str, min: usize| (0..form.all(name).len().max(min)).collect::<Vec<_>>();
    Ok(NewPage {
        delegation_rows: rows("fields.delegation.name", 3),
        destination_rows: rows("fields.destinations.city", 2),
        category: category.map(|c| c.as_str().to_string()),
        categories: choices(&page, "desk-category-", Category::ALL.iter().map(|c| c.as_str())),
        priorities: choices(&page, "desk-priority-", Priority::ALL.iter().map(|p| p.as_str())),
        extra,
        form,
        errors,
        page,
    })
}

async fn new_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<NewQuery>) -> Response {
    let mut form = FormData::default();
    if let Some(c) = q.category {
        form.set("category", &c);
    }
    match new_view(&state, &ctx, form, FormErrors::default()).await {
        Ok(p) => render(&p),
        Err(e) => error_page(&state, &ctx, e),
    }
}

/// `2026-12-01T10:00` in the reader's time zone, as an instant.
fn local_datetime(raw: &str, tz: chrono_tz::Tz) -> Option<String> {
    let naive = NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M").ok()?;
    Some(naive.and_local_timezone(tz).earliest()?.with_timezone(&Utc).to_rfc3339())
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

/// The typed fields of the posted category, shaped as the API takes them.
fn fields_of(form: &FormData, category: Option<Category>, tz: chrono_tz::Tz) -> Value {
    let list = |name: &str| split_list(form.get(name));
    match category {
        Some(Category::InterpretationTranslation) if form.is("fields.service", "interpretation") => {
            let mut v = json!({
                "service": "interpretation",
                "place": form.opt("fields.place"),
                "remote": form.has("fields.remote"),
                "languages": list("fields.languages"),
                // Not a number: out of range, so the core names the field.
                "hours": form.get("fields.hours").trim().parse::<f64>().unwrap_or(0.0),
            });
            if let Some(at) = local_datetime(form.get("fields.starts_at"), tz) {
                v["starts_at"] = at.into();
            }
            v
        }
        Some(Category::InterpretationTranslation) => json!({
            "service": "translation",
            "source_language": form.get("fields.source_language"),
            "target_languages": list("fields.target_languages"),
            "due_date": form.opt("fields.due_date"),
            "text": form.opt("fields.text"),
        }),
        Some(Category::InternationalExchange) => json!({
            "partner": if form.is("fields.partner", "named") { "named" } else { "sought" },
            "partner_name": form.opt("fields.partner_name"),
            "country": form.get("fields.country"),
            "fields_of_exchange": list("fields.fields_of_exchange"),
            "purpose": form.get("fields.purpose"),
        }),
        Some(Category::OverseasVisit) => {
            let rows = |names: &[&str]| -> Vec<Vec<String>> {
                let n = form.all(names[0]).len();
                (0..n)
                    .map(|i| names.iter().map(|k| form.nth(k, &i).trim().to_string()).collect::<Vec<_>>())
                    .filter(|row| row.iter().any(|c| !c.is_empty()))
                    .collect()
            };
            let delegation: Vec<Value> =
                rows(&["fields.delegation.name", "fields.delegation.title", "fields.delegation.role"])
                    .into_iter()
                    .map(|r| json!({"name": r[0], "title": r[1], "role": r[2]}))
                    .collect();
            let destinations: Vec<Value> = rows(&[
                "fields.destinations.city",
                "fields.destinations.country",
                "fields.destinations.arrive",
                "fields.destinations.depart",
            ])
            .into_iter()
            .map(|r| {
                let mut d = json!({"city": r[0], "country": r[1]});
                for (k, v) in [("arrive", &r[2]), ("depart", &r[3])] {
                    if !v.is_empty() {
                        d[k] = v.as_str().into();
                    }
                }
                d
            })
            .collect();
            json!({
                "delegation": delegation,
                "destinations": destinations,
                "purposes": lines(form.get("fields.purposes")),
                "meetings_wanted": lines(form.get("fields.meetings_wanted")),
            })
        }
        Some(Category::InformationRequest) => json!({
            "question": form.get("fields.question"),
            "countries": list("fields.countries"),
            "answer_needed_by": form.opt("fields.answer_needed_by"),
        }),
        Some(Category::GeneralInquiry) => json!({"question": form.get("fields.question")}),
        None => json!({}),
    }
}

async fn create(State(state): State<AppState>, ctx: Ctx, CsrfForm(form): CsrfForm<FormData>) -> Response {
    let category = Category::parse(form.get("category")).ok();
    let scope = ctx.scope(&state);
    // The extra fields the administrators added: typed as their kind says.
    let mut extra = serde_json::Map::new();
    if let Some(c) = category {
        for f in desk::category_fields(&scope, c).await.unwrap_or_default() {
            let name = format!("extra.{}", f.key);
            let raw = form.get(&name).trim();
            let value = match f.kind {
                desk::FieldKind::Boolean => Value::Bool(!raw.is_empty()),
                _ if raw.is_empty() => continue,
                desk::FieldKind::Number => {
                    raw.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map_or(raw.into(), Value::Number)
                }
                _ => raw.into(),
            };
            extra.insert(f.key, value);
        }
    }
    let input = NewRequest {
        category: form.get("category").into(),
        priority: Some(form.get("priority").into()),
        title: form.get("title").into(),
        description: form.get("description").into(),
        language: None,
        country: None,
        fields: fields_of(&form, category, ctx.tz),
        extra: Value::Object(extra),
    };
    match desk::create(&scope, input).await {
        Ok(r) => see_other(&state, &format!("/desk/requests/{}", r.id), Some("desk-filed")),
        Err(e @ Error::Invalid(_)) => {
            let status = crate::error::status_of(e.code());
            match new_view(&state, &ctx, form, FormErrors::from_error(&e, ctx.tr())).await {
                Ok(p) => (status, render(&p)).into_response(),
                Err(e) => error_page(&state, &ctx, e),
            }
        }
        Err(e) => error_page(&state, &ctx, e),
    }
}

// ---- one request: the thread (requester) or the case (staff) ----

pub struct Step {
    pub label: String,
    /// `done`, `current` or `todo`.
    pub status: &'static str,
}

pub struct MessageRow {
    pub author: String,
    pub kind: String,
    pub internal: bool,
    pub body: String,
    pub at: String,
    pub iso: String,
}

pub struct EventRow {
    pub at: String,
    pub iso: String,
    pub actor: String,
    pub what: String,
    pub reason: String,
    pub internal: bool,
}

/// A form for one transition allowed now.
pub struct ActionForm {
    pub code: &'static str,
    pub label: String,
    /// What else the form asks: `department`, `staff`, `body`, `reason` or nothing.
    pub needs: &'static str,
}

#[derive(Template)]
#[template(path = "desk_request.html")]
struct RequestPage {
    page: Page,
    r: Request,
    staff: bool,
    category: String,
    state: String,
    priority: String,
    org: String,
    unit: String,
    assignee: String,
    steps: Vec<Step>,
    facts: Vec<(String, String)>,
    delegation: Vec<desk::category::DelegationMember>,
    destinations: Vec<desk::category::Destination>,
    messages: Vec<MessageRow>,
    attachments: Vec<Attachment>,
    events: Vec<EventRow>,
    sla: Option<Badge>,
    final_due: String,
    actions: Vec<ActionForm>,
    departments: Vec<(i64, String)>,
    staff_list: Vec<(i64, String)>,
    current_unit: i64,
    current_assignee: i64,
    can_reply: bool,
    can_rate: bool,
    rated_as: Option<String>,
    rating_choices: Vec<(i32, String, bool)>,
    errors: FormErrors,
    draft: FormData,
    alert: Option<String>,
    /// Staff: the term base's concepts found in the subject and the messages.
    term_concepts: Vec<super::terms::ConceptRow>,
}

fn steps(page: &Page, r: &Request) -> Vec<Step> {
    // On hold, the line shows where the request was.
    let state = if r.state == desk::State::OnHold { r.held_from.unwrap_or(desk::State::Registered) } else { r.state };
    let reached = match state {
        desk::State::Withdrawn => 0,
        s => s.step().min(5),
    };
    ["submitted", "registered", "department_assigned", "staff_assigned", "interim_responded", "answered"]
        .iter()
        .enumerate()
        .map(|(i, s)| Step {
            label: page.t(&format!("desk-step-{s}")),
            status: match (i as u8).cmp(&reached) {
                std::cmp::Ordering::Less => "done",
                std::cmp::Ordering::Equal if matches!(state, desk::State::Answered | desk::State::Closed) => "done",
                std::cmp::Ordering::Equal => "current",
                std::cmp::Ordering::Greater => "todo",
            },
        })
        .collect()
}

fn facts(page: &Page, r: &Request) -> Vec<(String, String)> {
    let f = |k: &str| page.t(&format!("desk-field-{}", k.replace('_', "-")));
    let yes_no = |b: bool| page.t(if b { "desk-yes" } else { "desk-no" });
    let date = |d: &Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    let mut out = Vec::new();
    match &r.fields {
        Fields::LanguageService(LanguageService::Translation {
            source_language,
            target_languages,
            due_date,
            text,
            char_count,
            word_count,
        }) => {
            out.push((f("service"), page.t("desk-service-translation")));
            out.push((f("source_language"), source_language.clone()));
            out.push((f("target_languages"), target_languages.join(", ")));
            out.push((f("due_date"), date(due_date)));
            out.push((f("char_count"), char_count.to_string()));
            out.push((f("word_count"), word_count.to_string()));
            if let Some(t) = text {
                out.push((f("text"), t.clone()));
            }
        }
        Fields::LanguageService(LanguageService::Interpretation { starts_at, place, remote, languages, hours }) => {
            out.push((f("service"), page.t("desk-service-interpretation")));
            out.push((f("starts_at"), page.dt(starts_at)));
            out.push((f("place"), place.clone().unwrap_or_else(|| "—".into())));
            out.push((f("remote"), yes_no(*remote)));
            out.push((f("languages"), languages.join(", ")));
            out.push((f("hours"), hours.to_string()));
        }
        Fields::Exchange(e) => {
            out.push((f("partner"), page.t(&format!("desk-partner-{}", e.partner))));
            if let Some(n) = &e.partner_name {
                out.push((f("partner_name"), n.clone()));
            }
            out.push((f("country"), e.country.clone()));
            out.push((f("fields_of_exchange"), e.fields_of_exchange.join(", ")));
            out.push((f("purpose"), e.purpose.clone()));
        }
        Fields::Visit(v) => {
            out.push((f("purposes"), v.purposes.join(" · ")));
            out.push((f("meetings_wanted"), v.meetings_wanted.join(" · ")));
        }
        Fields::Information(i) => {
            out.push((f("question"), i.question.clone()));
            out.push((f("countries"), i.countries.join(", ")));
            out.push((f("answer_needed_by"), date(&i.answer_needed_by)));
        }
        Fields::Inquiry(q) => out.push((f("question"), q.question.clone())),
    }
    for (k, v) in &r.extra {
        let shown = match v {
            Value::String(s) => s.clone(),
            Value::Bool(b) => yes_no(*b),
            other => other.to_string(),
        };
        out.push((k.clone(), shown));
    }
    out
}

fn event_text(page: &Page, e: &desk::Event) -> String {
    let what = label_of(page, "desk-event-", &e.kind);
    match e.to_state.as_deref() {
        Some(to) if e.from_state.as_deref() != Some(to) || e.kind == "created" => {
            format!("{what} → {}", label_of(page, "desk-state-", to))
        }
        _ => what,
    }
}

/// Association units a request can be given to, by name.
async fn units(scope: &glocal_core::Scope<'_>, ctx: &Ctx) -> Result<Vec<(i64, String)>, Error> {
    let mut out = Vec::new();
    for kind in [OrgKind::AssociationDepartment, OrgKind::OverseasOffice] {
        let filter = OrgFilter {
            kind: Some(kind),
            active: Some(true),
            page: PageRequest::new(Some(1), Some(200)),
            ..Default::default()
        };
        out.extend(
            orgs::list(scope, filter)
                .await?
                .items
                .into_iter()
                .map(|o| (o.id.0, o.display_name(ctx.locale).to_string())),
        );
    }
    Ok(out)
}

async fn request_view(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
    draft: FormData,
    alert: Option<String>,
) -> Result<RequestPage, Error> {
    let scope = ctx.scope(state);
    let id = RequestId(id);
    let r = desk::get(&scope, id).await?;
    let messages = desk::messages(&scope, id).await?;
    let attachments = desk::attachments(&scope, id).await?;
    let staff = is_desk_staff(ctx);
    let mut page = Page::new(state, ctx, "desk-request-title", "/desk");
    page.title = match &r.reg_no {
        Some(n) => format!("{n} {}", r.title),
        None => r.title.clone(),
    };
    let names =
        orgs::names_of(&scope, &[Some(r.org_id), r.department_id].into_iter().flatten().collect::<Vec<_>>()).await?;
    let name = |id: Option<OrgId>| {
        id.and_then(|i| names.get(&i)).map(|o| o.display_name(ctx.locale).to_string()).unwrap_or_else(|| "—".into())
    };
    let (events, departments, staff_list) = if staff {
        let events = desk::events(&scope, id).await?;
        let people = glocal_core::accounts::list(
            &scope,
            glocal_core::accounts::UserFilter {
                role: Some(Role::DeskStaff),
                active: Some(true),
                page: PageRequest::new(Some(1), Some(200)),
                ..Default::default()
            },
        )
        .await?;
        (events, units(&scope, ctx).await?, people.items.into_iter().map(|u| (u.id.0, u.name)).collect::<Vec<_>>())
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let assignee = r
        .assignee_id
        .and_then(|a| staff_list.iter().find(|(i, _)| *i == a.0))
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| "—".into());
    let own = ctx.user.as_ref().is_some_and(|u| u.org_id == r.org_id);
    let actions = desk::workflow::allowed_from(r.state)
        .into_iter()
        .filter(|t| staff || (own && t.by_requester()))
        .map(|t| ActionForm {
            code: t.as_str(),
            label: page.t(&format!("desk-action-{}", t.as_str())),
            needs: match t {
                Transition::AssignDepartment | Transition::Transfer => "department",
                Transition::AssignStaff => "staff",
                Transition::InterimResponse | Transition::FinalResponse | Transition::Hold => "body",
                Transition::Register => "",
                _ => "reason",
            },
        })
        .collect();
    let (delegation, destinations) = match &r.fields {
        Fields::Visit(v) => (v.delegation.clone(), v.destinations.clone()),
        _ => (Vec::new(), Vec::new()),
    };
    let term_concepts = if staff {
        let mut text = format!("{}\n{}", r.title, r.description);
        for m in &messages {
            text.push('\n');
            text.push_str(&m.body);
        }
        glocal_core::search::terms::lookup(&scope, &text)
            .await?
            .iter()
            .map(|c| super::terms::concept_row(&page, c))
            .collect()
    } else {
        Vec::new()
    };
    Ok(RequestPage {
        term_concepts,
        category: page.t(&format!("desk-category-{}", r.category.as_str())),
        state: page.t(&format!("desk-state-{}", r.state.as_str())),
        priority: page.t(&format!("desk-priority-{}", r.priority.as_str())),
        org: name(Some(r.org_id)),
        unit: name(r.department_id),
        assignee,
        steps: steps(&page, &r),
        facts: facts(&page, &r),
        delegation,
        destinations,
        messages: messages
            .into_iter()
            .map(|m| MessageRow {
                author: m.author,
                kind: label_of(&page, "desk-message-", &m.kind),
                internal: m.internal,
                body: m.body,
                at: page.dt(&m.created_at),
                iso: m.created_at.to_rfc3339(),
            })
            .collect(),
        attachments,
        events: events
            .iter()
            .map(|e| EventRow {
                at: page.dt(&e.at),
                iso: e.at.to_rfc3339(),
                actor: e.actor.clone(),
                what: event_text(&page, e),
                reason: e.reason.clone().unwrap_or_default(),
                internal: e.internal,
            })
            .collect(),
        sla: sla_badge(&page, &r, Utc::now()),
        final_due: page.odt(&r.clock.final_due_at),
        actions,
        departments,
        staff_list,
        current_unit: r.department_id.map_or(0, |d| d.0),
        current_assignee: r.assignee_id.map_or(0, |a| a.0),
        can_reply: r.state != desk::State::Withdrawn,
        rated_as: r.rating.map(|n| page.t1("desk-rated-as", "score", i64::from(n))),
        rating_choices: (1..=5).map(|n| (n, page.t(&format!("desk-rating-{n}")), r.rating == Some(n))).collect(),
        can_rate: own && matches!(r.state, desk::State::Answered | desk::State::Closed),
        staff,
        errors,
        draft,
        alert,
        r,
        page,
    })
}

async fn request_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    match request_view(&state, &ctx, id, FormErrors::default(), FormData::default(), None).await {
        Ok(p) => render(&p),
        Err(e) => error_page(&state, &ctx, e),
    }
}

/// After a refused form on the request page: the page again, with the field errors (named
/// `<form>-<field>`, as the page's inputs are), or the refusal as an alert; nothing changed.
async fn refused(state: &AppState, ctx: &Ctx, id: i64, form: &str, e: Error, draft: FormData) -> Response {
    let status = crate::error::status_of(e.code());
    let (errors, alert) = match &e {
        Error::Invalid(_) => {
            let mut errors = FormErrors::from_error(&e, ctx.tr());
            errors.0 = errors.0.into_iter().map(|(k, v)| (format!("{form}-{k}"), v)).collect();
            (errors, None)
        }
        Error::Refused(ErrorCode::ConflictStale) => (FormErrors::default(), Some(ctx.tr().t("desk-conflict-stale"))),
        Error::Refused(code) => (FormErrors::default(), Some(ctx.tr().error(*code))),
        _ => return error_page(state, ctx, e),
    };
    match request_view(state, ctx, id, errors, draft, alert).await {
        Ok(p) => (status, render(&p)).into_response(),
        Err(e) => error_page(state, ctx, e),
    }
}

async fn add_message(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<FormData>,
) -> Response {
    let internal = form.is("internal", "1");
    let input = NewMessage { body: form.get("body").into(), internal };
    match desk::add_message(&ctx.scope(&state), RequestId(id), input).await {
        Ok(_) => {
            see_other(&state, &format!("/desk/requests/{id}"), Some(if internal { "desk-noted" } else { "desk-sent" }))
        }
        Err(e) => {
            let name = if internal { "note" } else { "reply" };
            let mut draft = FormData::default();
            draft.set(&format!("{name}-body"), form.get("body"));
            refused(&state, &ctx, id, name, e, draft).await
        }
    }
}

async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(i64, String)>,
    CsrfForm(form): CsrfForm<FormData>,
) -> Response {
    let Ok(transition) = Transition::parse(&action) else {
        return error_page(&state, &ctx, Error::NotFound);
    };
    let num = |k: &str| form.get(k).trim().parse::<i64>().ok();
    let input = ActionInput {
        version: form.get("version").trim().parse().ok(),
        reason: Some(form.get("reason").to_string()).filter(|s| !s.trim().is_empty()),
        department_id: num("department_id"),
        assignee_id: num("assignee_id"),
        body: Some(form.get("body").to_string()).filter(|_| form.0.iter().any(|(k, _)| k == "body")),
    };
    match desk::act(&ctx.scope(&state), RequestId(id), transition, input).await {
        Ok(_) => see_other(&state, &format!("/desk/requests/{id}"), Some("desk-done")),
        Err(e) => {
            let mut draft = FormData::default();
            for k in ["body", "reason", "department_id", "assignee_id"] {
                draft.set(&format!("{action}-{k}"), form.get(k));
            }
            refused(&state, &ctx, id, &action, e, draft).await
        }
    }
}

async fn rate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<FormData>,
) -> Response {
    let score = form.get("score").trim().parse::<i32>().unwrap_or(0);
    let comment = Some(form.get("comment").to_string()).filter(|c| !c.trim().is_empty());
    match desk::rate(&ctx.scope(&state), RequestId(id), score, comment).await {
        Ok(_) => see_other(&state, &format!("/desk/requests/{id}"), Some("desk-rated")),
        Err(e) => {
            let mut draft = FormData::default();
            draft.set("rating-comment", form.get("comment"));
            refused(&state, &ctx, id, "rating", e, draft).await
        }
    }
}

// ---- attachments ----

/// One part of a `multipart/form-data` body.
pub(crate) struct Part {
    pub(crate) name: String,
    pub(crate) filename: Option<String>,
    pub(crate) data: Vec<u8>,
}

/// Splits a `multipart/form-data` body (RFC 7578) into its parts. Browsers send each part
/// with a `Content-Disposition: form-data; name="…"; filename="…"` header.
pub(crate) fn multipart(headers: &HeaderMap, body: &[u8]) -> Option<Vec<Part>> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let boundary = ct.split(';').map(str::trim).find_map(|p| p.strip_prefix("boundary="))?.trim_matches('"');
    let delimiter = format!("--{boundary}").into_bytes();
    let find = |hay: &[u8], needle: &[u8], from: usize| {
        hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|i| i + from)
    };
    let mut parts = Vec::new();
    let mut pos = find(body, &delimiter, 0)? + delimiter.len();
    loop {
        if body.get(pos..pos + 2) == Some(b"--") {
            return Some(parts);
        }
        pos += 2; // CRLF after the delimiter
        let head_end = find(body, b"\r\n\r\n", pos)?;
        let head = String::from_utf8_lossy(&body[pos..head_end]).to_string();
        let next = find(body, &[b"\r\n".as_slice(), &delimiter].concat(), head_end + 4)?;
        let data = body[head_end + 4..next].to_vec();
        let disposition = head.lines().find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?;
        let param = |key: &str| {
            let marker = format!("{key}=\"");
            // `name=` must not match inside `filename=`.
            let i = disposition
                .match_indices(&marker)
                .find(|(i, _)| *i == 0 || matches!(disposition.as_bytes()[i - 1], b' ' | b';'))?
                .0
                + marker.len();
            disposition[i..].split('"').next().map(str::to_string)
        };
        parts.push(Part { name: param("name")?, filename: param("filename"), data });
        pos = next + 2 + delimiter.len();
    }
}

async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(parts) = multipart(&headers, &body) else {
        return error_page(&state, &ctx, Error::Refused(ErrorCode::InvalidBody));
    };
    let text = |n: &str| {
        parts.iter().find(|p| p.name == n).map(|p| String::from_utf8_lossy(&p.data).to_string()).unwrap_or_default()
    };
    if !glocal_core::secrets::constant_time_eq(&text("csrf"), &ctx.csrf_token) {
        return error_page(&state, &ctx, Error::Refused(ErrorCode::CsrfFailed));
    }
    let file = parts.iter().find(|p| p.name == "file");
    let (filename, data) = file.map_or(("", &[][..]), |f| (f.filename.as_deref().unwrap_or(""), f.data.as_slice()));
    let internal = text("internal") == "1";
    match desk::add_attachment(&ctx.scope(&state), RequestId(id), filename, data, internal).await {
        Ok(_) => see_other(&state, &format!("/desk/requests/{id}"), Some("desk-attached")),
        Err(e) => refused(&state, &ctx, id, "upload", e, FormData::default()).await,
    }
}

async fn download(State(state): State<AppState>, ctx: Ctx, Path((id, attachment)): Path<(i64, i64)>) -> Response {
    match desk::attachment(&ctx.scope(&state), RequestId(id), attachment).await {
        Ok((a, bytes)) => crate::api::desk::download(&a, bytes),
        Err(e) => error_page(&state, &ctx, e),
    }
}

// ---- export ----

async fn export(state: AppState, ctx: Ctx, q: ListQuery, format: Format) -> Response {
    let filter = RequestFilter { page: PageRequest::default(), ..q.filter(is_desk_staff(&ctx)) };
    match stats::export(&ctx.scope(&state), filter, format).await {
        Ok(bytes) => {
            let (ct, ext) = match format {
                Format::Csv => ("text/csv; charset=utf-8", "csv"),
                Format::Xlsx => ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
            };
            let mut res = bytes.into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"desk-requests.{ext}\"")) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
            res
        }
        Err(e) => error_page(&state, &ctx, e),
    }
}

async fn export_csv(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Response {
    export(state, ctx, q, Format::Csv).await
}

async fn export_xlsx(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Response {
    export(state, ctx, q, Format::Xlsx).await
}

// ---- the manager's dashboard ----

pub struct StepRow {
    pub label: String,
    pub count: u64,
    pub median: String,
    pub p90: String,
    /// Bar lengths (of 300) for the median and the 90th percentile.
    pub median_w: u32,
    pub p90_w: u32,
    pub y: u32,
}

pub struct ComplianceRow {
    pub label: String,
    pub total: u64,
    pub without_breach: u64,
    pub percent: String,
    pub width: u32,
    pub y: u32,
}

/// One column of the weekly volume chart.
pub struct WeekBar {
    pub label: String,
    pub count: u64,
    pub x: u32,
    pub y: u32,
    pub height: u32,
}

#[derive(Template)]
#[template(path = "desk_dashboard.html")]
struct DashboardPage {
    page: Page,
    s: DeskStats,
    charts: Vec<Chart>,
    weeks: Vec<WeekBar>,
    steps: Vec<StepRow>,
    steps_height: u32,
    compliance: Vec<ComplianceRow>,
    compliance_height: u32,
    rating_average: String,
    ratings: Vec<(String, u64)>,
}

/// A duration in days and hours, or hours and minutes when under a day.
fn span(page: &Page, secs: Option<i64>) -> String {
    match secs {
        None => "—".into(),
        Some(s) if s >= 86_400 => {
            page.tr.t_args("desk-span-days", &[("days", (s / 86_400).into()), ("hours", ((s % 86_400) / 3600).into())])
        }
        Some(s) => {
            page.tr.t_args("desk-span-hours", &[("hours", (s / 3600).into()), ("minutes", ((s % 3600) / 60).into())])
        }
    }
}

async fn dashboard(State(state): State<AppState>, ctx: Ctx) -> Response {
    let scope = ctx.scope(&state);
    let s = match stats::compute(&scope, Utc::now()).await {
        Ok(s) => s,
        Err(e) => return error_page(&state, &ctx, e),
    };
    let ids: Vec<OrgId> = s.by_unit.iter().filter_map(|(u, _)| *u).collect();
    let names = orgs::names_of(&scope, &ids).await.unwrap_or_default();
    let page = Page::new(&state, &ctx, "desk-dashboard-title", "/desk");
    let charts = vec![
        Chart::new(
            "by-category",
            page.t("desk-stats-by-category"),
            s.by_category
                .iter()
                .map(|(c, n)| {
                    (
                        page.t(&format!("desk-category-{}", c.as_str())),
                        *n,
                        Some(format!("/desk?category={}", c.as_str())),
                    )
                })
                .collect(),
        ),
        Chart::new(
            "by-unit",
            page.t("desk-stats-by-unit"),
            s.by_unit
                .iter()
                .map(|(u, n)| {
                    let label = u
                        .and_then(|u| names.get(&u))
                        .map(|o| o.display_name(ctx.locale).to_string())
                        .unwrap_or_else(|| page.t("desk-unit-none"));
                    (label, *n, None)
                })
                .collect(),
        ),
    ];
    let max_week = s.by_week.iter().map(|w| w.1).max().unwrap_or(0).max(1);
    let weeks = s
        .by_week
        .iter()
        .enumerate()
        .map(|(i, (monday, n))| {
            let height = ((*n as f64 / max_week as f64) * 140.0).round() as u32;
            WeekBar {
                label: monday.format("%m-%d").to_string(),
                count: *n,
                x: 10 + i as u32 * 48,
                y: 160 - height,
                height,
            }
        })
        .collect();
    let max_secs = s.step_times.iter().filter_map(|t| t.p90_secs).max().unwrap_or(0).max(1);
    let w = |v: Option<i64>| v.map_or(0, |v| ((v as f64 / max_secs as f64) * 300.0).round().max(2.0) as u32);
    let steps: Vec<StepRow> = s
        .step_times
        .iter()
        .enumerate()
        .map(|(i, t)| StepRow {
            label: page.t(&format!("desk-stats-step-{}", t.step)),
            count: t.count,
            median: span(&page, t.median_secs),
            p90: span(&page, t.p90_secs),
            median_w: w(t.median_secs),
            p90_w: w(t.p90_secs),
            y: i as u32 * 40,
        })
        .collect();
    let compliance: Vec<ComplianceRow> = s
        .compliance
        .iter()
        .enumerate()
        .map(|(i, c)| ComplianceRow {
            label: page.t(&format!("desk-category-{}", c.category.as_str())),
            total: c.total,
            without_breach: c.without_breach,
            percent: format!("{:.0}%", c.percent()),
            width: (c.percent() * 3.0).round() as u32,
            y: i as u32 * 26,
        })
        .collect();
    render(&DashboardPage {
        steps_height: (steps.len() as u32 * 40).max(40),
        compliance_height: (compliance.len() as u32 * 26).max(26),
        ratings: s.ratings.iter().enumerate().map(|(i, n)| (page.t(&format!("desk-rating-{}", i + 1)), *n)).collect(),
        rating_average: s.rating_average.map(|a| format!("{a:.1}")).unwrap_or_else(|| "—".into()),
        charts,
        weeks,
        steps,
        compliance,
        s,
        page,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_multipart_body_is_split_into_its_parts() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a b.txt\"\r\nContent-Type: text/plain\r\n\r\nline1\r\nline2\r\n--XyZ--\r\n";
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("multipart/form-data; boundary=XyZ"));
        let parts = multipart(&h, body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].name.as_str(), parts[0].data.as_slice()), ("csrf", b"tok".as_slice()));
        assert_eq!(parts[1].filename.as_deref(), Some("a b.txt"));
        assert_eq!(parts[1].data, b"line1\r\nline2");
    }

    #[test]
    fn repeated_form_fields_keep_their_order() {
        let f: FormData = serde_html_form::from_str("a=1&b=x&a=2").unwrap();
        assert_eq!(f.all("a"), ["1", "2"]);
        assert_eq!(f.nth("a", &1), "2");
        assert_eq!(f.get("b"), "x");
    }
}
