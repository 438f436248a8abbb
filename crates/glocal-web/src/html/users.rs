//! Users: the list (a requester sees their own organisation's), a user's page, and the
//! administrators' forms.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use glocal_core::Error;
use glocal_core::accounts::{self, User, UserChanges, UserFilter};
use glocal_core::actor::Role;
use glocal_core::ids::{OrgId, UserId};
use glocal_core::orgs;
use glocal_core::paging::PageRequest;
use glocal_core::validate::Locale;
use serde::Deserialize;

use super::{CsrfForm, FormErrors, Page, Pager, error_page, render, see_other, split_list};
use crate::AppState;
use crate::ctx::Ctx;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list).post(create))
        .route("/users/new", get(new_form))
        .route("/users/{id}", get(show).post(update))
        .route("/users/{id}/edit", get(edit_form))
        .route("/users/{id}/setup-link", post(setup_link))
}

struct UserRow {
    id: i64,
    name: String,
    email: String,
    org: String,
    roles: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "users_list.html")]
struct ListPage {
    page: Page,
    rows: Vec<UserRow>,
    q: String,
    role: String,
    roles: Vec<(&'static str, String)>,
    pager: Pager,
    can_edit: bool,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    q: Option<String>,
    role: Option<String>,
    org: Option<i64>,
    page: Option<u64>,
}

fn role_names(page: &Page) -> Vec<(&'static str, String)> {
    Role::ALL.iter().map(|r| (r.as_str(), page.role(r))).collect()
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Response {
    let role = q.role.as_deref().filter(|r| !r.is_empty()).and_then(|r| Role::parse(r).ok());
    let scope = ctx.scope(&state);
    let filter = UserFilter {
        org: q.org.map(OrgId),
        role,
        q: q.q.clone(),
        active: None,
        page: PageRequest::new(q.page, Some(50)),
    };
    let page_of = match accounts::list(&scope, filter).await {
        Ok(p) => p,
        Err(e) => return error_page(&state, &ctx, e),
    };
    let query = [
        ("q", q.q.clone().unwrap_or_default()),
        ("role", q.role.clone().unwrap_or_default()),
        ("org", q.org.map(|o| o.to_string()).unwrap_or_default()),
    ];
    let pager = Pager::new(&page_of, "/users", &query);
    let org_ids: Vec<OrgId> = page_of.items.iter().map(|u| u.org_id).collect();
    let names = orgs::names_of(&scope, &org_ids).await.unwrap_or_default();
    let page = Page::new(&state, &ctx, "users-title", "/users");
    let rows = page_of
        .items
        .into_iter()
        .map(|u| UserRow {
            id: u.id.0,
            org: names.get(&u.org_id).map(|o| o.display_name(ctx.locale).to_string()).unwrap_or_default(),
            roles: u.roles.iter().map(|r| page.role(&r)).collect::<Vec<_>>().join(", "),
            name: u.name,
            email: u.email,
            active: u.active,
        })
        .collect();
    render(&ListPage {
        roles: role_names(&page),
        page,
        rows,
        q: q.q.unwrap_or_default(),
        role: q.role.unwrap_or_default(),
        pager,
        can_edit: ctx.actor.has(Role::Administrator),
    })
}

#[derive(Template)]
#[template(path = "user_detail.html")]
struct DetailPage {
    page: Page,
    user: User,
    org_name: String,
    can_edit: bool,
    setup_url: Option<String>,
}

async fn detail(state: &AppState, ctx: &Ctx, id: i64, setup_url: Option<String>) -> Result<DetailPage, Error> {
    let scope = ctx.scope(state);
    let user = accounts::get(&scope, UserId(id)).await?;
    let org_name =
        orgs::get(&scope, user.org_id).await.map(|o| o.display_name(ctx.locale).to_string()).unwrap_or_default();
    let mut page = Page::new(state, ctx, "users-title", "/users");
    page.title = user.name.clone();
    Ok(DetailPage { page, org_name, can_edit: ctx.actor.has(Role::Administrator), setup_url, user })
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    match detail(&state, &ctx, id, None).await {
        Ok(p) => render(&p),
        Err(e) => error_page(&state, &ctx, e),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn setup_link(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    let token = match accounts::issue_setup_link(&ctx.scope(&state), UserId(id)).await {
        Ok(t) => t,
        Err(e) => return error_page(&state, &ctx, e),
    };
    let url = glocal_core::bootstrap::setup_url(&state.core, &token);
    match detail(&state, &ctx, id, Some(url)).await {
        Ok(p) => (StatusCode::CREATED, render(&p)).into_response(),
        Err(e) => error_page(&state, &ctx, e),
    }
}

#[derive(Template)]
#[template(path = "user_form.html")]
struct FormPage {
    page: Page,
    action: String,
    form: UserForm,
    errors: FormErrors,
    roles: Vec<(&'static str, String, bool)>,
    locales: Vec<(&'static str, &'static str)>,
    time_zones: &'static [&'static str],
    is_new: bool,
}

#[derive(Clone, Default, Deserialize)]
struct UserForm {
    #[serde(default)]
    org_code: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    languages: String,
    #[serde(default)]
    countries: String,
    active: Option<String>,
    version: Option<i32>,
}

impl UserForm {
    fn into_changes(self) -> (Option<i32>, UserChanges) {
        (
            self.version,
            UserChanges {
                org_id: None,
                org_code: Some(self.org_code),
                email: Some(self.email),
                name: Some(self.name),
                title: Some(self.title),
                phone: Some(self.phone),
                roles: Some(self.roles),
                locale: Some(self.locale),
                time_zone: Some(self.time_zone),
                languages: Some(split_list(&self.languages)),
                countries: Some(split_list(&self.countries)),
                active: Some(self.active.is_some()),
                password: None,
            },
        )
    }
}

fn form_page(
    state: &AppState,
    ctx: &Ctx,
    action: String,
    form: UserForm,
    errors: FormErrors,
    is_new: bool,
) -> FormPage {
    let page = Page::new(state, ctx, if is_new { "users-new-title" } else { "users-edit-title" }, "/users");
    FormPage {
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), page.role(r), form.roles.iter().any(|x| x == r.as_str())))
            .collect(),
        locales: Locale::ALL.iter().map(|l| (l.tag(), l.native_name())).collect(),
        page,
        action,
        form,
        errors,
        time_zones: super::account::time_zones(),
        is_new,
    }
}

async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Response {
    if let Err(e) = ctx.actor.require(Role::Administrator) {
        return error_page(&state, &ctx, e);
    }
    let form = UserForm {
        roles: vec![Role::Requester.as_str().into()],
        locale: state.core.config.site.default_locale.clone(),
        time_zone: state.core.config.site.time_zone.clone(),
        active: Some("on".into()),
        ..Default::default()
    };
    render(&form_page(&state, &ctx, "/users".into(), form, FormErrors::default(), true))
}

async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    if let Err(e) = ctx.actor.require(Role::Administrator) {
        return error_page(&state, &ctx, e);
    }
    let scope = ctx.scope(&state);
    let user = match accounts::get(&scope, UserId(id)).await {
        Ok(u) => u,
        Err(e) => return error_page(&state, &ctx, e),
    };
    let org_code = orgs::get(&scope, user.org_id).await.ok().and_then(|o| o.code).unwrap_or_default();
    let form = UserForm {
        org_code,
        email: user.email.clone(),
        name: user.name.clone(),
        title: user.title.clone().unwrap_or_default(),
        phone: user.phone.clone().unwrap_or_default(),
        roles: user.roles.iter().map(|r| r.as_str().to_string()).collect(),
        locale: user.locale.tag().into(),
        time_zone: user.time_zone.clone(),
        languages: user.languages.join(", "),
        countries: user.countries.join(", "),
        active: user.active.then(|| "on".into()),
        version: Some(user.version),
    };
    render(&form_page(&state, &ctx, format!("/users/{id}"), form, FormErrors::default(), false))
}

async fn create(State(state): State<AppState>, ctx: Ctx, CsrfForm(form): CsrfForm<UserForm>) -> Response {
    let (_, changes) = form.clone().into_changes();
    let result = accounts::create(&ctx.scope(&state), changes).await;
    match result {
        Ok(created) => {
            let url = created.setup_token.map(|t| glocal_core::bootstrap::setup_url(&state.core, &t));
            match detail(&state, &ctx, created.user.id.0, url).await {
                Ok(p) => (StatusCode::CREATED, render(&p)).into_response(),
                Err(e) => error_page(&state, &ctx, e),
            }
        }
        Err(e @ (Error::Invalid(_) | Error::Refused(_))) => {
            let status = crate::error::status_of(e.code());
            (
                status,
                render(&form_page(&state, &ctx, "/users".into(), form, FormErrors::from_error(&e, ctx.tr()), true)),
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
    CsrfForm(form): CsrfForm<UserForm>,
) -> Response {
    let (version, changes) = form.clone().into_changes();
    let result = accounts::update(&ctx.scope(&state), UserId(id), version, changes).await;
    match result {
        Ok(u) => see_other(&state, &format!("/users/{}", u.id), Some("saved")),
        Err(e @ (Error::Invalid(_) | Error::Refused(_))) => {
            let status = crate::error::status_of(e.code());
            (
                status,
                render(&form_page(
                    &state,
                    &ctx,
                    format!("/users/{id}"),
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
