//! The organisation directory, and its administration.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use glocal_core::Error;
use glocal_core::actor::Role;
use glocal_core::ids::OrgId;
use glocal_core::orgs::{self, OrgChanges, OrgFilter, OrgKind, Organization, Tier};
use glocal_core::paging::PageRequest;
use serde::Deserialize;

use super::{CsrfForm, FormErrors, Page, Pager, error_page, render, see_other};
use crate::AppState;
use crate::ctx::Ctx;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/organizations", get(list).post(create))
        .route("/organizations/new", get(new_form))
        .route("/organizations/{id}", get(show).post(update))
        .route("/organizations/{id}/edit", get(edit_form))
}

/// A row of the directory, with names resolved for the reader.
struct OrgRow {
    id: i64,
    name: String,
    kind: String,
    code: String,
    parent: String,
    country: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "orgs_list.html")]
struct ListPage {
    page: Page,
    rows: Vec<OrgRow>,
    q: String,
    kind: String,
    kinds: Vec<(&'static str, String)>,
    pager: Pager,
    can_edit: bool,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    q: Option<String>,
    kind: Option<String>,
    parent: Option<i64>,
    page: Option<u64>,
}

fn kinds(page: &Page) -> Vec<(&'static str, String)> {
    OrgKind::ALL.iter().map(|k| (k.as_str(), page.kind(k.as_str()))).collect()
}

async fn rows(state: &AppState, ctx: &Ctx, items: Vec<Organization>) -> Result<Vec<OrgRow>, Error> {
    let parents: Vec<OrgId> = items.iter().filter_map(|o| o.parent_id).collect();
    let names = orgs::names_of(&ctx.scope(state), &parents).await?;
    Ok(items
        .into_iter()
        .map(|o| OrgRow {
            id: o.id.0,
            name: o.display_name(ctx.locale).to_string(),
            kind: ctx.tr().t(&format!("org-kind-{}", o.kind.as_str())),
            code: o.code.clone().unwrap_or_default(),
            parent: o
                .parent_id
                .and_then(|p| names.get(&p))
                .map(|p| p.display_name(ctx.locale).to_string())
                .unwrap_or_default(),
            country: o.country.clone().unwrap_or_default(),
            active: o.active,
        })
        .collect())
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Response {
    let kind = q.kind.as_deref().filter(|k| !k.is_empty()).and_then(|k| OrgKind::parse(k).ok());
    let filter = OrgFilter {
        kind,
        parent: q.parent.map(OrgId),
        q: q.q.clone(),
        active: None,
        page: PageRequest::new(q.page, Some(50)),
    };
    let result = orgs::list(&ctx.scope(&state), filter).await;
    let page_of = match result {
        Ok(p) => p,
        Err(e) => return error_page(&state, &ctx, e),
    };
    let query = [
        ("q", q.q.clone().unwrap_or_default()),
        ("kind", q.kind.clone().unwrap_or_default()),
        ("parent", q.parent.map(|p| p.to_string()).unwrap_or_default()),
    ];
    let pager = Pager::new(&page_of, "/organizations", &query);
    let rows = match rows(&state, &ctx, page_of.items).await {
        Ok(r) => r,
        Err(e) => return error_page(&state, &ctx, e),
    };
    let page = Page::new(&state, &ctx, "orgs-title", "/organizations");
    render(&ListPage {
        kinds: kinds(&page),
        page,
        rows,
        q: q.q.unwrap_or_default(),
        kind: q.kind.unwrap_or_default(),
        pager,
        can_edit: ctx.actor.has(Role::Administrator),
    })
}

#[derive(Template)]
#[template(path = "org_detail.html")]
struct DetailPage {
    page: Page,
    org: Organization,
    name: String,
    parent: Option<(i64, String)>,
    children: Vec<OrgRow>,
    names: Vec<(String, String)>,
    can_edit: bool,
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    let scope = ctx.scope(&state);
    let org = match orgs::get(&scope, OrgId(id)).await {
        Ok(o) => o,
        Err(e) => return error_page(&state, &ctx, e),
    };
    let parent = match org.parent_id {
        Some(p) => orgs::get(&scope, p).await.ok().map(|p| (p.id.0, p.display_name(ctx.locale).to_string())),
        None => None,
    };
    let children = orgs::list(
        &scope,
        OrgFilter { parent: Some(org.id), page: PageRequest::new(Some(1), Some(200)), ..Default::default() },
    )
    .await;
    let children = match children {
        Ok(c) => rows(&state, &ctx, c.items).await.unwrap_or_default(),
        Err(e) => return error_page(&state, &ctx, e),
    };
    let mut page = Page::new(&state, &ctx, "orgs-title", "/organizations");
    page.title = org.display_name(ctx.locale).to_string();
    render(&DetailPage {
        name: org.display_name(ctx.locale).to_string(),
        names: org.names.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        page,
        parent,
        children,
        can_edit: ctx.actor.has(Role::Administrator),
        org,
    })
}

#[derive(Template)]
#[template(path = "org_form.html")]
struct FormPage {
    page: Page,
    action: String,
    form: OrgForm,
    errors: FormErrors,
    kinds: Vec<(&'static str, String)>,
    tiers: Vec<(&'static str, String)>,
    time_zones: &'static [&'static str],
}

#[derive(Clone, Default, Deserialize)]
struct OrgForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    tier: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    parent_code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    name_ko: String,
    #[serde(default)]
    name_zh_hans: String,
    #[serde(default)]
    name_zh_hant: String,
    #[serde(default)]
    name_ja: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    address: String,
    /// "on" when the checkbox is ticked.
    active: Option<String>,
    version: Option<i32>,
}

impl OrgForm {
    fn from_org(o: &Organization, parent_code: String) -> OrgForm {
        let name = |tag: &str| o.names.get(tag).cloned().unwrap_or_default();
        OrgForm {
            kind: o.kind.as_str().into(),
            tier: o.tier.map(|t| t.as_str().to_string()).unwrap_or_default(),
            code: o.code.clone().unwrap_or_default(),
            parent_code,
            name: o.name.clone(),
            name_en: o.name_en.clone(),
            name_ko: name("ko"),
            name_zh_hans: name("zh-Hans"),
            name_zh_hant: name("zh-Hant"),
            name_ja: name("ja"),
            country: o.country.clone().unwrap_or_default(),
            city: o.city.clone().unwrap_or_default(),
            time_zone: o.time_zone.clone().unwrap_or_default(),
            email: o.email.clone().unwrap_or_default(),
            phone: o.phone.clone().unwrap_or_default(),
            website: o.website.clone().unwrap_or_default(),
            address: o.address.clone().unwrap_or_default(),
            active: o.active.then(|| "on".into()),
            version: Some(o.version),
        }
    }

    /// The domain's changes; the parent is given by code, as people know it.
    fn into_changes(self) -> (Option<i32>, OrgChanges) {
        let names = [
            ("ko", self.name_ko),
            ("zh-Hans", self.name_zh_hans),
            ("zh-Hant", self.name_zh_hant),
            ("ja", self.name_ja),
        ]
        .into_iter()
        .map(|(tag, v)| (tag.to_string(), v))
        .collect();
        (
            self.version,
            OrgChanges {
                kind: Some(self.kind),
                tier: Some(self.tier),
                code: Some(self.code),
                parent_code: Some(self.parent_code),
                name: Some(self.name),
                name_en: Some(self.name_en),
                names: Some(names),
                country: Some(self.country),
                city: Some(self.city),
                time_zone: Some(self.time_zone),
                email: Some(self.email),
                phone: Some(self.phone),
                website: Some(self.website),
                address: Some(self.address),
                active: Some(self.active.is_some()),
                ..Default::default()
            },
        )
    }
}

fn form_page(state: &AppState, ctx: &Ctx, action: String, form: OrgForm, errors: FormErrors, is_new: bool) -> FormPage {
    let page = Page::new(state, ctx, if is_new { "orgs-new-title" } else { "orgs-edit-title" }, "/organizations");
    FormPage {
        kinds: kinds(&page),
        tiers: Tier::ALL.iter().map(|t| (t.as_str(), page.t(&format!("org-tier-{}", t.as_str())))).collect(),
        page,
        action,
        form,
        errors,
        time_zones: super::account::time_zones(),
    }
}

async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Response {
    if let Err(e) = ctx.actor.require(Role::Administrator) {
        return error_page(&state, &ctx, e);
    }
    let form = OrgForm { active: Some("on".into()), ..Default::default() };
    render(&form_page(&state, &ctx, "/organizations".into(), form, FormErrors::default(), true))
}

async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    if let Err(e) = ctx.actor.require(Role::Administrator) {
        return error_page(&state, &ctx, e);
    }
    let scope = ctx.scope(&state);
    let org = match orgs::get(&scope, OrgId(id)).await {
        Ok(o) => o,
        Err(e) => return error_page(&state, &ctx, e),
    };
    let parent_code = match org.parent_id {
        Some(p) => orgs::get(&scope, p).await.ok().and_then(|p| p.code).unwrap_or_default(),
        None => String::new(),
    };
    let form = OrgForm::from_org(&org, parent_code);
    render(&form_page(&state, &ctx, format!("/organizations/{id}"), form, FormErrors::default(), false))
}

async fn create(State(state): State<AppState>, ctx: Ctx, CsrfForm(form): CsrfForm<OrgForm>) -> Response {
    let (_, changes) = form.clone().into_changes();
    let result = orgs::create(&ctx.scope(&state), changes).await;
    match result {
        Ok(org) => see_other(&state, &format!("/organizations/{}", org.id), Some("saved")),
        Err(e @ (Error::Invalid(_) | Error::Refused(_))) => {
            let status = crate::error::status_of(e.code());
            (
                status,
                render(&form_page(
                    &state,
                    &ctx,
                    "/organizations".into(),
                    form,
                    FormErrors::from_error(&e, ctx.tr()),
                    true,
                )),
            )
                .into_response()
        }
        Err(e) => error_page(&state, &ctx, e),
    }
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<OrgForm>,
) -> Response {
    let (version, changes) = form.clone().into_changes();
    let result = orgs::update(&ctx.scope(&state), OrgId(id), version, changes).await;
    match result {
        Ok(org) => see_other(&state, &format!("/organizations/{}", org.id), Some("saved")),
        Err(e @ (Error::Invalid(_) | Error::Refused(_))) => {
            let status = crate::error::status_of(e.code());
            (
                status,
                render(&form_page(
                    &state,
                    &ctx,
                    format!("/organizations/{id}"),
                    form,
                    FormErrors::from_error(&e, ctx.tr()),
                    false,
                )),
            )
                .into_response()
        }
        Err(e) => error_page(&state, &ctx, e),
    }
}
