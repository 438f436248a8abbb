//! The account page: one's own profile, password and API tokens.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use glocal_core::accounts::{self, UserChanges, auth::ApiToken};
use glocal_core::ids::TokenId;
use glocal_core::{Error, ErrorCode};
use serde::Deserialize;

use super::{CsrfForm, FormErrors, Page, error_page, render, see_other, split_list};
use crate::AppState;
use crate::ctx::Ctx;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(show).post(save_profile))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    page: Page,
    form: ProfileForm,
    version: i32,
    tokens: Vec<ApiToken>,
    new_token: Option<String>,
    profile_errors: FormErrors,
    password_errors: FormErrors,
    token_errors: FormErrors,
    time_zones: &'static [&'static str],
}

#[derive(Clone, Default, Deserialize)]
struct ProfileForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    languages: String,
    #[serde(default)]
    countries: String,
    version: Option<i32>,
}

/// Every IANA zone name, for the time-zone field's suggestions.
pub fn time_zones() -> &'static [&'static str] {
    static ZONES: std::sync::LazyLock<Vec<&'static str>> =
        std::sync::LazyLock::new(|| chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect());
    &ZONES
}

async fn page(state: &AppState, ctx: &Ctx, form: Option<ProfileForm>) -> Result<AccountPage, Error> {
    let user = ctx.user.as_ref().ok_or(Error::Unauthenticated)?;
    let tokens = accounts::auth::list_tokens(&ctx.scope(state)).await?;
    let form = form.unwrap_or_else(|| ProfileForm {
        name: user.name.clone(),
        title: user.title.clone().unwrap_or_default(),
        phone: user.phone.clone().unwrap_or_default(),
        locale: user.locale.tag().into(),
        time_zone: user.time_zone.clone(),
        languages: user.languages.join(", "),
        countries: user.countries.join(", "),
        version: Some(user.version),
    });
    Ok(AccountPage {
        page: Page::new(state, ctx, "account-title", "/account"),
        form,
        version: user.version,
        tokens,
        new_token: None,
        profile_errors: FormErrors::default(),
        password_errors: FormErrors::default(),
        token_errors: FormErrors::default(),
        time_zones: time_zones(),
    })
}

async fn show(State(state): State<AppState>, ctx: Ctx) -> Response {
    match page(&state, &ctx, None).await {
        Ok(p) => render(&p),
        Err(e) => error_page(&state, &ctx, e),
    }
}

async fn save_profile(State(state): State<AppState>, ctx: Ctx, CsrfForm(form): CsrfForm<ProfileForm>) -> Response {
    let changes = UserChanges {
        name: Some(form.name.clone()),
        title: Some(form.title.clone()),
        phone: Some(form.phone.clone()),
        locale: Some(form.locale.clone()),
        time_zone: Some(form.time_zone.clone()),
        languages: Some(split_list(&form.languages)),
        countries: Some(split_list(&form.countries)),
        ..Default::default()
    };
    match accounts::update_own_profile(&ctx.scope(&state), form.version, changes).await {
        Ok(u) => {
            let mut res = see_other(&state, "/account", Some("saved"));
            res.headers_mut().append(
                axum::http::header::SET_COOKIE,
                crate::ctx::set_cookie(&state, crate::ctx::LANG_COOKIE, u.locale.tag(), Some(365 * 86400)),
            );
            res
        }
        Err(e) => form_error(&state, &ctx, e, Some(form), |p, errs| p.profile_errors = errs).await,
    }
}

async fn form_error(
    state: &AppState,
    ctx: &Ctx,
    e: Error,
    form: Option<ProfileForm>,
    place: impl FnOnce(&mut AccountPage, FormErrors),
) -> Response {
    if !matches!(e, Error::Invalid(_) | Error::Refused(_)) {
        return error_page(state, ctx, e);
    }
    let status = crate::error::status_of(e.code());
    match page(state, ctx, form).await {
        Ok(mut p) => {
            place(&mut p, FormErrors::from_error(&e, ctx.tr()));
            (status, render(&p)).into_response()
        }
        Err(e) => error_page(state, ctx, e),
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_again: String,
}

async fn change_password(State(state): State<AppState>, ctx: Ctx, CsrfForm(form): CsrfForm<PasswordForm>) -> Response {
    let result = if form.new_password != form.new_password_again {
        Err(Error::field("new_password_again", ErrorCode::PasswordMismatch))
    } else {
        accounts::change_own_password(
            &ctx.scope(&state),
            &form.current_password,
            &form.new_password,
            ctx.session_id.as_deref(),
        )
        .await
    };
    match result {
        Ok(()) => see_other(&state, "/account", Some("password-changed")),
        Err(e) => form_error(&state, &ctx, e, None, |p, errs| p.password_errors = errs).await,
    }
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
    valid_days: Option<String>,
}

async fn create_token(State(state): State<AppState>, ctx: Ctx, CsrfForm(form): CsrfForm<TokenForm>) -> Response {
    let days = match form.valid_days.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(d) => d.parse::<u32>().map(Some).map_err(|_| Error::field("valid_days", ErrorCode::ValueOutOfRange)),
    };
    let result = match days {
        Ok(days) => accounts::auth::create_token(&ctx.scope(&state), &form.name, days).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(created) => match page(&state, &ctx, None).await {
            // The secret is shown on this response only; it is never stored in the clear.
            Ok(mut p) => {
                p.new_token = Some(created.secret);
                (StatusCode::CREATED, render(&p)).into_response()
            }
            Err(e) => error_page(&state, &ctx, e),
        },
        Err(e) => form_error(&state, &ctx, e, None, |p, errs| p.token_errors = errs).await,
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn revoke_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    match accounts::auth::revoke_token(&ctx.scope(&state), TokenId(id)).await {
        Ok(_) => see_other(&state, "/account", Some("token-revoked")),
        Err(e) => error_page(&state, &ctx, e),
    }
}
