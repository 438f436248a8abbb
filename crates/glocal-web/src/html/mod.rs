//! Server-rendered pages. Every page works without JavaScript; forms post back and redirect.
//! Pages call the same domain functions as the API.

mod account;
mod audit;
mod auth;
mod desk;
mod home;
mod library;
mod library_search;
mod orgs;
mod registry;
mod terms;
mod users;

pub(crate) use desk::multipart;

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use glocal_core::actor::Role;
use glocal_core::validate::Locale;
use glocal_core::{Error, ErrorCode};
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::ctx::{self, Ctx};
use crate::i18n::Tr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(auth::routes())
        .merge(home::routes())
        .merge(account::routes())
        .merge(orgs::routes())
        .merge(registry::routes())
        .merge(desk::routes())
        .merge(library::routes())
        .merge(library_search::routes())
        .merge(terms::routes())
        .merge(users::routes())
        .merge(audit::routes())
}

/// One entry of the main navigation.
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// The logged-in user as the layout shows them.
pub struct UserBrief {
    pub id: i64,
    pub name: String,
    pub email: String,
}

/// What every page's layout needs: the translator, the user, the CSRF token, the navigation.
pub struct Page {
    pub tr: Tr,
    pub lang: &'static str,
    pub title: String,
    pub site_name: String,
    pub user: Option<UserBrief>,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    pub flash: Option<String>,
    pub asset_v: &'static str,
    pub locales: Vec<(&'static str, &'static str, bool)>,
    pub path: String,
    pub tz: chrono_tz::Tz,
}

impl Page {
    pub fn new(state: &AppState, ctx: &Ctx, title_key: &str, path: &str) -> Page {
        let tr = ctx.tr();
        let mut nav = Vec::new();
        if ctx.user.is_some() {
            let a = &ctx.actor;
            nav.push(NavItem { href: "/", label: tr.t("nav-home"), current: path == "/" });
            nav.push(NavItem {
                href: "/organizations",
                label: tr.t("nav-organizations"),
                current: path.starts_with("/organizations"),
            });
            nav.push(NavItem { href: "/users", label: tr.t("nav-users"), current: path.starts_with("/users") });
            nav.push(NavItem {
                href: "/registry",
                label: tr.t("registry-nav"),
                current: path.starts_with("/registry"),
            });
            nav.push(NavItem { href: "/library", label: tr.t("library-nav"), current: path.starts_with("/library") });
            if desk::is_desk_staff(ctx) || a.has(Role::Requester) {
                nav.push(NavItem { href: "/desk", label: tr.t("desk-nav"), current: path.starts_with("/desk") });
            }
            if a.has(Role::Administrator) {
                nav.push(NavItem {
                    href: "/admin/audit",
                    label: tr.t("nav-audit"),
                    current: path.starts_with("/admin/audit"),
                });
            }
            nav.push(NavItem { href: "/account", label: tr.t("nav-account"), current: path.starts_with("/account") });
        }
        Page {
            tr,
            lang: ctx.locale.tag(),
            title: tr.t(title_key),
            site_name: state.core.config.site.name.clone(),
            user: ctx.user.as_ref().map(|u| UserBrief { id: u.id.0, name: u.name.clone(), email: u.email.clone() }),
            csrf: ctx.csrf_token.clone(),
            nav,
            flash: ctx.flash.as_ref().map(|k| tr.t(&format!("flash-{k}"))),
            asset_v: crate::assets::VERSION.as_str(),
            locales: Locale::ALL.iter().map(|l| (l.tag(), l.native_name(), *l == ctx.locale)).collect(),
            path: path.to_string(),
            tz: ctx.tz,
        }
    }

    pub fn t(&self, key: &str) -> String {
        self.tr.t(key)
    }
    pub fn t1(&self, key: &str, name: &'static str, value: impl Into<crate::i18n::Arg>) -> String {
        self.tr.t1(key, name, value)
    }
    pub fn dt(&self, at: &DateTime<Utc>) -> String {
        self.tr.datetime(at, self.tz)
    }
    pub fn odt(&self, at: &Option<DateTime<Utc>>) -> String {
        at.as_ref().map_or_else(|| "—".to_string(), |a| self.dt(a))
    }
    pub fn iso(&self, at: &DateTime<Utc>) -> String {
        at.to_rfc3339()
    }
    pub fn role(&self, r: &Role) -> String {
        self.tr.t(&format!("role-{}", r.as_str()))
    }
    pub fn kind(&self, k: &str) -> String {
        self.tr.t(&format!("org-kind-{k}"))
    }
    pub fn tier(&self, t: &str) -> String {
        self.tr.t(&format!("org-tier-{t}"))
    }
    pub fn pager_text(&self, page: &u64, pages: &u64, total: &u64) -> String {
        self.tr
            .t_args("pager-status", &[("page", (*page).into()), ("pages", (*pages).into()), ("total", (*total).into())])
    }
}

/// Field errors of a form, translated, by field name.
#[derive(Default)]
pub struct FormErrors(pub BTreeMap<String, String>);

impl FormErrors {
    pub fn from_error(e: &Error, tr: Tr) -> FormErrors {
        let mut map = BTreeMap::new();
        for f in e.field_errors() {
            map.entry(f.field.clone()).or_insert_with(|| tr.error(f.code));
        }
        if map.is_empty() {
            map.insert("_".into(), tr.error(e.code()));
        }
        FormErrors(map)
    }
    pub fn get(&self, field: &str) -> Option<&String> {
        self.0.get(field)
    }
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
    /// `aria-invalid` value of a field.
    pub fn invalid(&self, field: &str) -> &'static str {
        if self.0.contains_key(field) { "true" } else { "false" }
    }
}

pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// Redirect after a successful form (303, so the browser follows with GET), with a notice for
/// the next page.
pub fn see_other(state: &AppState, to: &str, flash: Option<&str>) -> Response {
    let mut res =
        (StatusCode::SEE_OTHER, [(LOCATION, HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/")))])
            .into_response();
    if let Some(f) = flash {
        res.headers_mut().append(SET_COOKIE, ctx::set_cookie(state, ctx::FLASH_COOKIE, f, Some(60)));
    }
    res
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Page,
    message: String,
    code: String,
}

/// An error as a page, in the reader's language. Not logged in: to the login page instead.
pub fn error_page(state: &AppState, ctx: &Ctx, e: Error) -> Response {
    if matches!(e, Error::Unauthenticated) {
        return see_other(state, "/login", None);
    }
    if let Error::Internal(inner) = &e {
        tracing::error!(error = ?inner, "internal error");
    }
    let code = e.code();
    let status = crate::error::status_of(code);
    let mut page = Page::new(state, ctx, "error-title", "");
    page.title = ctx.tr().t(&format!("error-title-{}", status.as_u16()));
    let body = render(&ErrorPage { page, message: ctx.tr().error(code), code: code.as_str().into() });
    (status, body).into_response()
}

/// The answer for an address that leads nowhere: JSON under `/api/`, a page elsewhere.
pub async fn not_found(
    axum::extract::State(state): axum::extract::State<AppState>,
    ctx: Ctx,
    uri: axum::http::Uri,
) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::error::ApiError::code(ErrorCode::NotFound, ctx.locale).into_response();
    }
    error_page(&state, &ctx, Error::NotFound)
}

/// A form body whose `csrf` field matches the visitor's token. Anything else is refused before
/// the handler runs.
pub struct CsrfForm<T>(pub T);

#[derive(serde::Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let ctx = req.extensions().get::<Ctx>().cloned().expect("ctx layer");
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| error_page(state, &ctx, Error::Refused(ErrorCode::PayloadTooLarge)))?;
        let token: CsrfOnly = serde_html_form::from_bytes(&bytes).unwrap_or(CsrfOnly { csrf: String::new() });
        if !glocal_core::secrets::constant_time_eq(&token.csrf, &ctx.csrf_token) {
            return Err(error_page(state, &ctx, Error::Refused(ErrorCode::CsrfFailed)));
        }
        serde_html_form::from_bytes::<T>(&bytes)
            .map(CsrfForm)
            .map_err(|_| error_page(state, &ctx, Error::Refused(ErrorCode::InvalidBody)))
    }
}

/// Checkbox and multi-select values arrive as repeated fields; text fields as one string.
pub fn split_list(s: &str) -> Vec<String> {
    s.split([',', ' ', '\n', ';']).map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
}

/// Page numbers for a list, with the query string of its filters.
pub struct Pager {
    pub page: u64,
    pub pages: u64,
    pub total: u64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub fn new<T>(p: &glocal_core::paging::Page<T>, base: &str, query: &[(&str, String)]) -> Pager {
        let pages = p.pages();
        let link = |n: u64| {
            let mut q: Vec<(&str, String)> = query.iter().filter(|(_, v)| !v.is_empty()).cloned().collect();
            q.push(("page", n.to_string()));
            let qs = serde_html_form::to_string(&q).unwrap_or_default();
            format!("{base}?{qs}")
        };
        Pager {
            page: p.page,
            pages,
            total: p.total,
            prev: (p.page > 1).then(|| link(p.page - 1)),
            next: (p.page < pages).then(|| link(p.page + 1)),
        }
    }
}
