//! The library's term base pages: the concepts with their terms by language (searchable in any
//! language), a concept's page (its edit form for librarians), TBX import and export.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use glocal_core::library::Area;
use glocal_core::paging::PageRequest;
use glocal_core::search::terms::{
    self, Concept, ConceptFilter, ConceptId, ConceptInput, ImportMode, TermInput, TermStatus,
};
use glocal_core::{Error, ErrorCode};
use serde::Deserialize;

use super::desk::FormData;
use super::{CsrfForm, FormErrors, Page, Pager, error_page, render, see_other};
use crate::AppState;
use crate::ctx::Ctx;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/library/terms", get(list).post(create))
        .route("/library/terms/new", get(new_form))
        .route("/library/terms/export", get(export))
        .route("/library/terms/import", post(import).layer(DefaultBodyLimit::max(crate::api::terms::IMPORT_LIMIT)))
        .route("/library/terms/{id}", get(show).post(update))
        .route("/library/terms/{id}/delete", post(delete))
}

/// The interface languages, each a column of the list.
const LANGUAGES: [&str; 5] = ["ko", "en", "zh-Hans", "zh-Hant", "ja"];
/// Empty term rows a form offers beyond the concept's terms.
const BLANK_ROWS: usize = 3;

/// A term as a page shows it.
pub struct TermCell {
    pub text: String,
    pub language: String,
    /// `preferred`, `admitted` or `deprecated`.
    pub status: &'static str,
    pub status_label: String,
    pub note: String,
}

/// A concept as a row: its terms in each interface language, then the others.
pub struct ConceptRow {
    pub id: i64,
    pub area: String,
    pub definition: String,
    /// Per interface language (the order of `LANGUAGES`): its terms.
    pub by_language: Vec<(&'static str, Vec<TermCell>)>,
    /// Terms in other languages.
    pub others: Vec<TermCell>,
}

fn cell(page: &Page, t: &terms::Term) -> TermCell {
    TermCell {
        text: t.text.clone(),
        language: t.language.clone(),
        status: t.status.as_str(),
        status_label: page.t(&format!("terms-status-{}", t.status.as_str())),
        note: t.note.clone().unwrap_or_default(),
    }
}

pub fn concept_row(page: &Page, c: &Concept) -> ConceptRow {
    ConceptRow {
        id: c.id.0,
        area: c.area.map(|a| a.name(page.lang).to_string()).unwrap_or_default(),
        definition: c.definition.clone().unwrap_or_default(),
        by_language: LANGUAGES.iter().map(|l| (*l, c.terms_in(l).map(|t| cell(page, t)).collect())).collect(),
        others: c.terms.iter().filter(|t| !LANGUAGES.contains(&t.language.as_str())).map(|t| cell(page, t)).collect(),
    }
}

fn language_names(page: &Page) -> Vec<(&'static str, String)> {
    LANGUAGES.iter().map(|l| (*l, page.t(&format!("terms-language-{l}")))).collect()
}

#[derive(Template)]
#[template(path = "terms_list.html")]
struct ListPage {
    page: Page,
    rows: Vec<ConceptRow>,
    q: ListQuery,
    languages: Vec<(&'static str, String)>,
    can_edit: bool,
    pager: Pager,
    import_errors: FormErrors,
    import_report: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    language: String,
    page: Option<u64>,
}

async fn list_page(
    state: &AppState,
    ctx: &Ctx,
    q: ListQuery,
    import_errors: FormErrors,
    import_report: Option<String>,
) -> Result<ListPage, Error> {
    let filter = ConceptFilter {
        q: Some(q.q.clone()),
        language: Some(q.language.clone()).filter(|l| !l.is_empty()),
        area: None,
        page: PageRequest::new(q.page, Some(50)),
    };
    let result = terms::list(&ctx.scope(state), filter).await?;
    let pager = Pager::new(&result, "/library/terms", &[("q", q.q.clone()), ("language", q.language.clone())]);
    let page = Page::new(state, ctx, "terms-title", "/library/terms");
    Ok(ListPage {
        rows: result.items.iter().map(|c| concept_row(&page, c)).collect(),
        languages: language_names(&page),
        can_edit: terms::may_edit(&ctx.actor),
        q,
        pager,
        import_errors,
        import_report,
        page,
    })
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Response {
    match list_page(&state, &ctx, q, FormErrors::default(), None).await {
        Ok(p) => render(&p),
        Err(e) => error_page(&state, &ctx, e),
    }
}

// ---------------------------------------------------------------------------------------------
// A concept: its page, and the form that creates or changes it.

/// One row of the form's table of terms.
pub struct TermRow {
    pub language: String,
    pub text: String,
    pub status: String,
    pub note: String,
}

/// What the form holds, as typed.
#[derive(Default)]
struct ConceptForm {
    area: String,
    definition: String,
    note: String,
    rows: Vec<TermRow>,
    version: Option<i32>,
}

impl ConceptForm {
    fn of(c: &Concept) -> ConceptForm {
        let mut rows: Vec<TermRow> = c
            .terms
            .iter()
            .map(|t| TermRow {
                language: t.language.clone(),
                text: t.text.clone(),
                status: t.status.as_str().into(),
                note: t.note.clone().unwrap_or_default(),
            })
            .collect();
        rows.extend(blank_rows(BLANK_ROWS, None));
        ConceptForm {
            area: c.area.map(|a| a.as_str().to_string()).unwrap_or_default(),
            definition: c.definition.clone().unwrap_or_default(),
            note: c.note.clone().unwrap_or_default(),
            rows,
            version: Some(c.version),
        }
    }

    fn new() -> ConceptForm {
        let mut rows: Vec<TermRow> = LANGUAGES.iter().flat_map(|l| blank_rows(1, Some(l))).collect();
        rows.extend(blank_rows(BLANK_ROWS, None));
        ConceptForm { rows, ..Default::default() }
    }

    /// The form as posted: rows `t<i>-language|text|status|note`, as many as were sent.
    fn posted(form: &FormData) -> ConceptForm {
        let mut rows = Vec::new();
        for i in 0..terms::MAX_TERMS + BLANK_ROWS + LANGUAGES.len() {
            let f = |n: &str| form.get(&format!("t{i}-{n}")).to_string();
            if !form.0.iter().any(|(k, _)| k.starts_with(&format!("t{i}-"))) {
                break;
            }
            rows.push(TermRow { language: f("language"), text: f("text"), status: f("status"), note: f("note") });
        }
        ConceptForm {
            area: form.get("area").into(),
            definition: form.get("definition").into(),
            note: form.get("note").into(),
            rows,
            version: form.get("version").trim().parse().ok(),
        }
    }

    /// The domain's input (rows without text are left out), and for each of its terms the
    /// form row it came from.
    fn input(&self) -> (ConceptInput, Vec<usize>) {
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let mut from = Vec::new();
        let mut terms = Vec::new();
        for (i, r) in self.rows.iter().enumerate() {
            if r.text.trim().is_empty() {
                continue;
            }
            from.push(i);
            terms.push(TermInput {
                language: r.language.clone(),
                text: r.text.clone(),
                status: opt(&r.status),
                note: opt(&r.note),
            });
        }
        let input = ConceptInput {
            area: opt(&self.area),
            definition: opt(&self.definition),
            note: opt(&self.note),
            terms,
            version: self.version,
        };
        (input, from)
    }
}

fn blank_rows(n: usize, language: Option<&str>) -> impl Iterator<Item = TermRow> + '_ {
    (0..n).map(move |_| TermRow {
        language: language.unwrap_or_default().to_string(),
        text: String::new(),
        status: String::new(),
        note: String::new(),
    })
}

/// The domain's field errors named as the form's inputs: `terms[2].text` is the text of the
/// form row the third term came from (`t5-text`), `terms` the first row.
fn form_errors(e: &Error, ctx: &Ctx, from: &[usize]) -> FormErrors {
    let mut errors = FormErrors::from_error(e, ctx.tr());
    errors.0 = errors
        .0
        .into_iter()
        .map(|(field, message)| {
            let renamed = match field.strip_prefix("terms[").and_then(|r| r.split_once("].")) {
                Some((i, name)) => {
                    let row = i.parse::<usize>().ok().and_then(|i| from.get(i).copied()).unwrap_or(0);
                    format!("t{row}-{name}")
                }
                None if field == "terms" => "t0-text".to_string(),
                None => field,
            };
            (renamed, message)
        })
        .collect();
    errors
}

#[derive(Template)]
#[template(path = "terms_concept.html")]
struct ConceptPage {
    page: Page,
    /// None: a new concept.
    concept: Option<ConceptRow>,
    id: Option<i64>,
    form: ConceptForm,
    errors: FormErrors,
    can_edit: bool,
    areas: Vec<(&'static str, String)>,
    statuses: Vec<(&'static str, String)>,
    languages: Vec<(&'static str, String)>,
}

fn concept_page(
    state: &AppState,
    ctx: &Ctx,
    concept: Option<&Concept>,
    form: ConceptForm,
    errors: FormErrors,
) -> ConceptPage {
    let (key, path) = match concept {
        Some(c) => ("terms-concept-title", format!("/library/terms/{}", c.id)),
        None => ("terms-new-title", "/library/terms/new".to_string()),
    };
    let mut page = Page::new(state, ctx, key, &path);
    let row = concept.map(|c| concept_row(&page, c));
    if let Some(c) = concept {
        let first = c.terms_in(page.lang).next().or(c.terms.first());
        if let Some(t) = first {
            page.title = t.text.clone();
        }
    }
    ConceptPage {
        areas: Area::ALL.iter().map(|a| (a.as_str(), a.name(page.lang).to_string())).collect(),
        statuses: TermStatus::ALL
            .iter()
            .map(|s| (s.as_str(), page.t(&format!("terms-status-{}", s.as_str()))))
            .collect(),
        languages: language_names(&page),
        can_edit: terms::may_edit(&ctx.actor),
        id: concept.map(|c| c.id.0),
        concept: row,
        form,
        errors,
        page,
    }
}

async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Response {
    if ctx.user.is_none() {
        return see_other(&state, "/login", None);
    }
    if !terms::may_edit(&ctx.actor) {
        return error_page(&state, &ctx, Error::Forbidden);
    }
    render(&concept_page(&state, &ctx, None, ConceptForm::new(), FormErrors::default()))
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    match terms::get(&ctx.scope(&state), ConceptId(id)).await {
        Ok(c) => render(&concept_page(&state, &ctx, Some(&c), ConceptForm::of(&c), FormErrors::default())),
        Err(e) => error_page(&state, &ctx, e),
    }
}

/// A refused form: the page again with what was typed and each field's error; nothing changed.
fn refused(
    state: &AppState,
    ctx: &Ctx,
    concept: Option<&Concept>,
    form: ConceptForm,
    e: Error,
    from: &[usize],
) -> Response {
    let status = crate::error::status_of(e.code());
    let errors = form_errors(&e, ctx, from);
    (status, render(&concept_page(state, ctx, concept, form, errors))).into_response()
}

async fn create(State(state): State<AppState>, ctx: Ctx, CsrfForm(data): CsrfForm<FormData>) -> Response {
    let form = ConceptForm::posted(&data);
    let (input, from) = form.input();
    match terms::create(&ctx.scope(&state), input).await {
        Ok(c) => see_other(&state, &format!("/library/terms/{}", c.id), Some("terms-saved")),
        Err(e @ Error::Invalid(_)) => refused(&state, &ctx, None, form, e, &from),
        Err(e) => error_page(&state, &ctx, e),
    }
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(data): CsrfForm<FormData>,
) -> Response {
    let scope = ctx.scope(&state);
    let form = ConceptForm::posted(&data);
    let (input, from) = form.input();
    match terms::update(&scope, ConceptId(id), input).await {
        Ok(_) => see_other(&state, &format!("/library/terms/{id}"), Some("terms-saved")),
        Err(e) if matches!(e, Error::Invalid(_)) || e.code() == ErrorCode::ConflictStale => {
            match terms::get(&scope, ConceptId(id)).await {
                Ok(c) => refused(&state, &ctx, Some(&c), form, e, &from),
                Err(e) => error_page(&state, &ctx, e),
            }
        }
        Err(e) => error_page(&state, &ctx, e),
    }
}

async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(data): CsrfForm<FormData>,
) -> Response {
    let version = data.get("version").trim().parse().ok();
    match terms::delete(&ctx.scope(&state), ConceptId(id), version).await {
        Ok(()) => see_other(&state, "/library/terms", Some("terms-deleted")),
        Err(e) => error_page(&state, &ctx, e),
    }
}

// ---------------------------------------------------------------------------------------------
// TBX.

async fn export(State(state): State<AppState>, ctx: Ctx) -> Response {
    match terms::export_tbx(&ctx.scope(&state)).await {
        Ok(xml) => crate::api::desk::download_named(
            crate::api::terms::EXPORT_FILENAME,
            "application/x-tbx+xml",
            xml.into_bytes(),
        ),
        Err(e) => error_page(&state, &ctx, e),
    }
}

async fn import(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap, body: Bytes) -> Response {
    let Some(parts) = super::multipart(&headers, &body) else {
        return error_page(&state, &ctx, Error::Refused(ErrorCode::InvalidBody));
    };
    let text = |n: &str| {
        parts.iter().find(|p| p.name == n).map(|p| String::from_utf8_lossy(&p.data).to_string()).unwrap_or_default()
    };
    if !glocal_core::secrets::constant_time_eq(&text("csrf"), &ctx.csrf_token) {
        return error_page(&state, &ctx, Error::Refused(ErrorCode::CsrfFailed));
    }
    let file = parts.iter().find(|p| p.name == "file").map(|p| p.data.as_slice()).unwrap_or_default();
    let result = match ImportMode::parse(&text("mode")) {
        Ok(mode) => terms::import_tbx(&ctx.scope(&state), file, mode).await,
        Err(code) => Err(Error::field("mode", code)),
    };
    let (status, errors, report) = match result {
        Ok(r) => {
            let tr = ctx.tr();
            let report = tr.t_args(
                "terms-import-done",
                &[
                    ("created", r.created.len().into()),
                    ("updated", r.updated.len().into()),
                    ("unchanged", r.unchanged.into()),
                    ("removed", r.removed.into()),
                ],
            );
            (StatusCode::OK, FormErrors::default(), Some(report))
        }
        Err(e @ Error::Invalid(_)) => {
            // Name each problem where it is (the line, the entry and field) with its reason.
            let tr = ctx.tr();
            let mut errors = FormErrors::default();
            for f in e.field_errors() {
                errors.0.insert(f.field.clone(), format!("{}: {}", f.field, tr.error(f.code)));
            }
            (crate::error::status_of(e.code()), errors, None)
        }
        Err(e) => return error_page(&state, &ctx, e),
    };
    match list_page(&state, &ctx, ListQuery::default(), errors, report).await {
        Ok(p) => (status, render(&p)).into_response(),
        Err(e) => error_page(&state, &ctx, e),
    }
}
