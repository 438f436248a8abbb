//! Logging in and out, the one-time password link, and the language switch.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header::{SET_COOKIE, USER_AGENT};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use glocal_core::accounts::{self, UserChanges};
use glocal_core::validate::Locale;
use glocal_core::{Error, ErrorCode};
use serde::Deserialize;

use super::{CsrfForm, FormErrors, Page, error_page, render, see_other};
use crate::AppState;
use crate::ctx::{self, Ctx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/setup/{token}", get(setup_page).post(setup))
        .route("/language", post(language))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    email: String,
    next: String,
    errors: FormErrors,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only a path on this site may be a redirect target.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

async fn login_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    if ctx.user.is_some() {
        return see_other(&state, &safe_next(q.next.as_deref()), None);
    }
    render(&LoginPage {
        page: Page::new(&state, &ctx, "login-title", "/login"),
        email: String::new(),
        next: safe_next(q.next.as_deref()),
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Response {
    let ua = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    match accounts::auth::login(&state.core, &ctx.origin, &form.email, &form.password, ua).await {
        Ok(session) => {
            let mut res = see_other(&state, &safe_next(form.next.as_deref()), Some("welcome"));
            let max_age = state.core.config.security.session_idle_hours as i64 * 3600;
            res.headers_mut()
                .append(SET_COOKIE, ctx::set_cookie(&state, ctx::SESSION_COOKIE, &session.cookie, Some(max_age)));
            // The user's saved language wins from now on.
            res.headers_mut().append(
                SET_COOKIE,
                ctx::set_cookie(&state, ctx::LANG_COOKIE, session.user.locale.tag(), Some(365 * 86400)),
            );
            res
        }
        Err(e) => {
            let status = crate::error::status_of(e.code());
            let mut errors = FormErrors::default();
            errors.0.insert("_".into(), ctx.tr().error(e.code()));
            let page = LoginPage {
                page: Page::new(&state, &ctx, "login-title", "/login"),
                email: form.email,
                next: safe_next(form.next.as_deref()),
                errors,
            };
            let mut res = (status, render(&page)).into_response();
            if let Error::RateLimited { retry_after_secs } = e {
                res.headers_mut().insert(axum::http::header::RETRY_AFTER, retry_after_secs.into());
            }
            res
        }
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn logout(State(state): State<AppState>, ctx: Ctx, CsrfForm(_): CsrfForm<Empty>) -> Response {
    if let Some(id) = &ctx.session_id {
        if let Err(e) = accounts::auth::logout(&ctx.scope(&state), id).await {
            return error_page(&state, &ctx, e);
        }
    }
    let mut res = see_other(&state, "/login", Some("logged-out"));
    res.headers_mut().append(SET_COOKIE, ctx::set_cookie(&state, ctx::SESSION_COOKIE, "", Some(0)));
    res
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    page: Page,
    token: String,
    email: String,
    errors: FormErrors,
}

async fn setup_page(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> Response {
    match accounts::setup_link_user(&state.core, &token).await {
        Ok(user) => render(&SetupPage {
            page: Page::new(&state, &ctx, "setup-title", "/setup"),
            token,
            email: user.email,
            errors: FormErrors::default(),
        }),
        Err(e) => error_page(&state, &ctx, e),
    }
}

#[derive(Deserialize)]
struct SetupForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

async fn setup(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    CsrfForm(form): CsrfForm<SetupForm>,
) -> Response {
    let user = match accounts::setup_link_user(&state.core, &token).await {
        Ok(u) => u,
        Err(e) => return error_page(&state, &ctx, e),
    };
    let result = if form.password != form.password_again {
        Err(Error::field("password_again", ErrorCode::PasswordMismatch))
    } else {
        accounts::complete_setup(&state.core, &ctx.origin, &token, &form.password).await
    };
    match result {
        Ok(_) => see_other(&state, "/login", Some("password-set")),
        Err(e) => {
            let errors = FormErrors::from_error(&e, ctx.tr());
            let page =
                SetupPage { page: Page::new(&state, &ctx, "setup-title", "/setup"), token, email: user.email, errors };
            (crate::error::status_of(e.code()), render(&page)).into_response()
        }
    }
}

#[derive(Deserialize)]
struct LanguageForm {
    #[serde(default)]
    locale: String,
    back: Option<String>,
}

/// Switches the interface language; for a logged-in user the choice is saved to their profile.
async fn language(State(state): State<AppState>, ctx: Ctx, CsrfForm(form): CsrfForm<LanguageForm>) -> Response {
    let Ok(locale) = Locale::parse(&form.locale) else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            error_page(&state, &ctx, Error::field("locale", ErrorCode::InvalidLocale)),
        )
            .into_response();
    };
    if ctx.user.is_some() {
        let change = UserChanges { locale: Some(locale.tag().into()), ..Default::default() };
        if let Err(e) = accounts::update_own_profile(&ctx.scope(&state), None, change).await {
            return error_page(&state, &ctx, e);
        }
    }
    let mut res = see_other(&state, &safe_next(form.back.as_deref()), None);
    res.headers_mut().append(SET_COOKIE, ctx::set_cookie(&state, ctx::LANG_COOKIE, locale.tag(), Some(365 * 86400)));
    res
}
