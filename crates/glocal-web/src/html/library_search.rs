//! The library's search page: one box for every language and script, facets to narrow by,
//! highlighted passages, what the query was widened with, and "did you mean".

use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use glocal_core::library::search::{self as lsearch, Found};
use glocal_core::library::{Area, Kind, Status};
use glocal_core::paging::PageRequest;
use glocal_core::search::{Filters, Sort};
use serde::Deserialize;

use super::{CsrfForm, FormErrors, Page, Pager, error_page, render, see_other};
use crate::AppState;
use crate::ctx::Ctx;

pub fn routes() -> Router<AppState> {
    Router::new().route("/library/search", get(search)).route("/desk/requests/{id}/to-library", post(desk_answer))
}

/// The languages documents are written in, by their own names.
pub const LANGUAGES: &[(&str, &str)] =
    &[("ko", "한국어"), ("en", "English"), ("ja", "日本語"), ("zh-Hans", "简体中文"), ("zh-Hant", "繁體中文")];

const PER_PAGE: u64 = 20;

#[derive(Deserialize, Default, Clone)]
struct SearchForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    sort: String,
    page: Option<u64>,
}

impl SearchForm {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("q", self.q.clone()),
            ("kind", self.kind.clone()),
            ("area", self.area.clone()),
            ("country", self.country.clone()),
            ("language", self.language.clone()),
            ("year", self.year.clone()),
            ("status", self.status.clone()),
            ("sort", self.sort.clone()),
        ]
    }

    /// The link to this search with `field` set to `value` (empty: removed), from page 1.
    fn with(&self, field: &str, value: &str) -> String {
        let pairs: Vec<(&str, String)> = self
            .pairs()
            .into_iter()
            .map(|(k, v)| if k == field { (k, value.to_string()) } else { (k, v) })
            .filter(|(_, v)| !v.is_empty())
            .collect();
        format!("/library/search?{}", serde_html_form::to_string(&pairs).unwrap_or_default())
    }

    /// Unknown facet values are ignored (a link edited by hand narrows nothing).
    fn filters(&self) -> Filters {
        let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Filters {
            kind: Kind::parse(&self.kind).ok().map(|k| k.as_str().to_string()),
            area: Area::parse(&self.area).ok().map(|a| a.as_str().to_string()),
            country: some(&self.country).map(|c| c.to_ascii_uppercase()),
            language: some(&self.language),
            year: self.year.trim().parse().ok(),
            status: Status::parse(&self.status).ok().map(|s| s.as_str().to_string()),
        }
    }
}

/// One value of a facet: its name in the reader's language, its count, and the link that
/// narrows to it (or, when chosen, removes it).
struct FacetValue {
    label: String,
    count: usize,
    href: String,
    active: bool,
}

struct FacetGroup {
    field: &'static str,
    label: String,
    values: Vec<FacetValue>,
}

struct HitRow {
    id: i64,
    title_html: String,
    snippet_html: String,
    language: String,
    kind: String,
    meta: String,
}

#[derive(Template)]
#[template(path = "library_search.html")]
struct SearchPage {
    page: Page,
    form: SearchForm,
    errors: FormErrors,
    searched: bool,
    total: u64,
    hits: Vec<HitRow>,
    facets: Vec<FacetGroup>,
    /// The link of the "did you mean" search and its words.
    suggestion: Option<(String, String)>,
    expanded: Vec<String>,
    sort_newest: bool,
    pager: Pager,
}

fn language_name(code: &str) -> String {
    LANGUAGES.iter().find(|(c, _)| *c == code).map(|(_, n)| n.to_string()).unwrap_or_else(|| code.to_string())
}

fn hit_row(ctx: &Ctx, f: Found) -> HitRow {
    let l = ctx.locale.tag();
    let d = &f.document;
    let mut meta = vec![d.kind.name(l).to_string(), language_name(&d.language)];
    if let Some(a) = d.area {
        meta.push(a.name(l).to_string());
    }
    if let Some(c) = &d.country {
        meta.push(c.clone());
    }
    if let Some(y) = d.year {
        meta.push(y.to_string());
    }
    if d.status != Status::Published {
        meta.push(d.status.name(l).to_string());
    }
    HitRow {
        id: d.id.0,
        title_html: f.title_html,
        snippet_html: f.snippet_html,
        language: d.language.clone(),
        kind: d.kind.as_str().to_string(),
        meta: meta.join(" · "),
    }
}

async fn search(State(state): State<AppState>, ctx: Ctx, Query(form): Query<SearchForm>) -> Response {
    let mut page = Page::new(&state, &ctx, "search-title", "/library");
    let l = ctx.locale.tag();
    let sort = if form.sort == "newest" { Sort::Newest } else { Sort::Relevance };
    let query = lsearch::Query {
        text: form.q.clone(),
        filters: form.filters(),
        sort,
        page: PageRequest::new(form.page, Some(PER_PAGE)),
    };
    let searched = !form.q.trim().is_empty() || form.pairs().iter().skip(1).any(|(k, v)| *k != "sort" && !v.is_empty());
    let empty: glocal_core::paging::Page<()> =
        glocal_core::paging::Page { items: Vec::new(), total: 0, page: 1, per_page: PER_PAGE };
    let (results, errors) = match lsearch::search(&ctx.scope(&state), query).await {
        Ok(r) => (Some(r), FormErrors::default()),
        Err(e) if !e.field_errors().is_empty() => (None, FormErrors::from_error(&e, ctx.tr())),
        Err(e) => return error_page(&state, &ctx, e),
    };
    let Some(r) = results else {
        let pager = Pager::new(&empty, "/library/search", &[]);
        return render(&SearchPage {
            page,
            form,
            errors,
            searched: false,
            total: 0,
            hits: Vec::new(),
            facets: Vec::new(),
            suggestion: None,
            expanded: Vec::new(),
            sort_newest: sort == Sort::Newest,
            pager,
        });
    };
    if !form.q.trim().is_empty() {
        page.title = format!("{} · {}", form.q.trim(), page.title);
    }
    let group = |field: &'static str, key: &str, values: Vec<(String, usize)>, name: &dyn Fn(&str) -> String| {
        let chosen = form.pairs().into_iter().find(|(k, _)| *k == field).map(|(_, v)| v).unwrap_or_default();
        FacetGroup {
            field,
            label: page.t(key),
            values: values
                .into_iter()
                .map(|(value, count)| {
                    let active = chosen.eq_ignore_ascii_case(&value);
                    FacetValue {
                        label: name(&value),
                        count,
                        href: form.with(field, if active { "" } else { &value }),
                        active,
                    }
                })
                .collect(),
        }
    };
    let f = r.facets;
    let facets: Vec<FacetGroup> = vec![
        group("kind", "library-field-kind", f.kind, &|v| {
            Kind::parse(v).map(|k| k.name(l).to_string()).unwrap_or(v.into())
        }),
        group("language", "library-field-language", f.language, &language_name),
        group("area", "library-field-area", f.area, &|v| {
            Area::parse(v).map(|a| a.name(l).to_string()).unwrap_or(v.into())
        }),
        group("country", "library-field-country", f.country, &|v| v.to_string()),
        group("year", "library-field-year", f.year.into_iter().map(|(y, n)| (y.to_string(), n)).collect(), &|v| {
            v.to_string()
        }),
        group("status", "library-field-status", f.status, &|v| {
            Status::parse(v).map(|s| s.name(l).to_string()).unwrap_or(v.into())
        }),
    ]
    .into_iter()
    .filter(|g| !g.values.is_empty())
    .collect();
    let pager = Pager::new(&r.page, "/library/search", &form.pairs());
    let suggestion = r.suggestion.map(|s| (form.with("q", &s), s));
    render(&SearchPage {
        total: r.page.total,
        hits: r.page.items.into_iter().map(|f| hit_row(&ctx, f)).collect(),
        facets,
        suggestion,
        expanded: r.expanded,
        sort_newest: sort == Sort::Newest,
        searched,
        errors,
        pager,
        form,
        page,
    })
}

/// Keeps an answered request's question and final response in the library as a draft desk
/// answer, then opens it for editing.
async fn desk_answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<std::collections::HashMap<String, String>>,
) -> Response {
    let request = glocal_core::desk::RequestId(id);
    match glocal_core::library::desk_answer::from_request(&ctx.scope(&state), request).await {
        Ok((v, _)) => see_other(&state, &format!("/library/{}/edit", v.document.id), None),
        Err(e) => error_page(&state, &ctx, e),
    }
}
