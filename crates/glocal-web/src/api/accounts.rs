//! Tokens, the current user, and user administration.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use glocal_core::accounts::{self, UserFilter};
use glocal_core::actor::Role;
use glocal_core::ids::{OrgId, TokenId, UserId};
use glocal_core::paging::PageRequest;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::extract::{ApiJson, ApiQuery};
use super::types::*;
use super::{ApiResult, Call};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiError, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_token, list_tokens))
        .routes(routes!(revoke_token))
        .routes(routes!(get_current_user, update_current_user))
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
}

/// Exchanges an email and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/tokens", operation_id = "createToken", tag = "auth", security(()),
    request_body = CreateTokenRequest,
    responses(
        (status = 201, description = "Token created", body = CreatedToken),
        (status = 401, description = "Wrong email or password", body = ErrorBody),
        (status = 403, description = "Account deactivated", body = ErrorBody),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = ErrorBody),
    ))]
async fn create_token(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<CreateTokenRequest>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    let err = |e| ApiError::new(e, ctx.locale);
    let user =
        accounts::auth::authenticate(&state.core, &ctx.origin, &body.email, &body.password).await.map_err(err)?;
    let actor = user.actor();
    let scope = state.core.scope(&actor, &ctx.origin);
    let name = body.name.unwrap_or_else(|| "API".into());
    let created = accounts::auth::create_token(&scope, &name, body.valid_days).await.map_err(err)?;
    Ok((StatusCode::CREATED, Json(CreatedToken { token: created.secret, info: created.token.into() })))
}

/// The caller's tokens, newest first (the secrets are never shown again).
#[utoipa::path(get, path = "/api/v1/tokens", operation_id = "listTokens", tag = "auth",
    responses((status = 200, body = Vec<TokenInfo>), (status = 401, body = ErrorBody)))]
async fn list_tokens(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<TokenInfo>>> {
    let call = Call::new(&state, &ctx);
    let tokens = accounts::auth::list_tokens(&call.scope()).await.map_err(call.err())?;
    Ok(Json(tokens.into_iter().map(Into::into).collect()))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", operation_id = "revokeToken", tag = "auth",
    params(("id" = i64, Path, description = "Token id")),
    responses((status = 200, body = TokenInfo), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn revoke_token(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<TokenInfo>> {
    let call = Call::new(&state, &ctx);
    let t = accounts::auth::revoke_token(&call.scope(), TokenId(id)).await.map_err(call.err())?;
    Ok(Json(t.into()))
}

/// The user the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", operation_id = "getCurrentUser", tag = "auth",
    responses((status = 200, body = UserOut), (status = 401, body = ErrorBody)))]
async fn get_current_user(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Json<UserOut>> {
    let call = Call::new(&state, &ctx);
    match (&call.actor, &ctx.user) {
        (glocal_core::Actor::User(_), Some(u)) => Ok(Json(u.clone().into())),
        _ => Err(ApiError::code(glocal_core::ErrorCode::Unauthenticated, ctx.locale)),
    }
}

/// Changes the caller's own profile: name, title, phone, locale, time zone, languages,
/// countries. Other fields are the administrators'.
#[utoipa::path(patch, path = "/api/v1/me", operation_id = "updateCurrentUser", tag = "auth",
    request_body = UserIn,
    responses((status = 200, body = UserOut), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_current_user(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<UserIn>,
) -> ApiResult<Json<UserOut>> {
    let call = Call::new(&state, &ctx);
    let (version, changes) = body.into_changes();
    let u = accounts::update_own_profile(&call.scope(), version, changes).await.map_err(call.err())?;
    Ok(Json(u.into()))
}

/// Users the caller may see: all of them for the association's staff, their own
/// organisation's for a requester. Reading is recorded in the audit log.
#[utoipa::path(get, path = "/api/v1/users", operation_id = "listUsers", tag = "users",
    params(UserQuery),
    responses((status = 200, body = UserList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_users(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<UserQuery>,
) -> ApiResult<Json<UserList>> {
    let call = Call::new(&state, &ctx);
    let role = match q.role.as_deref() {
        Some(r) => Some(Role::parse(r).map_err(|c| ApiError::new(glocal_core::Error::field("role", c), ctx.locale))?),
        None => None,
    };
    let filter = UserFilter {
        org: q.org_id.map(OrgId),
        role,
        q: q.q,
        active: q.active,
        page: PageRequest::new(q.page, q.per_page),
    };
    let page = accounts::list(&call.scope(), filter).await.map_err(call.err())?;
    Ok(Json(UserList {
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// Creates a user (administrators). Without a password, the answer carries a one-time link for
/// the user to set one.
#[utoipa::path(post, path = "/api/v1/users", operation_id = "createUser", tag = "users",
    request_body = UserIn,
    responses((status = 201, body = CreatedUser), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "Email taken", body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_user(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<UserIn>,
) -> ApiResult<(StatusCode, Json<CreatedUser>)> {
    let call = Call::new(&state, &ctx);
    let (_, changes) = body.into_changes();
    let created = accounts::create(&call.scope(), changes).await.map_err(call.err())?;
    let setup_url = created.setup_token.map(|t| glocal_core::bootstrap::setup_url(&state.core, &t));
    Ok((StatusCode::CREATED, Json(CreatedUser { user: created.user.into(), setup_url })))
}

/// One user. A user the caller may not see does not exist for them (404).
#[utoipa::path(get, path = "/api/v1/users/{id}", operation_id = "getUser", tag = "users",
    params(("id" = i64, Path, description = "User id")),
    responses((status = 200, body = UserOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_user(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<UserOut>> {
    let call = Call::new(&state, &ctx);
    let u = accounts::get(&call.scope(), UserId(id)).await.map_err(call.err())?;
    Ok(Json(u.into()))
}

/// Changes a user (administrators). Give `version` to refuse the change if the user changed
/// since you read it.
#[utoipa::path(patch, path = "/api/v1/users/{id}", operation_id = "updateUser", tag = "users",
    params(("id" = i64, Path, description = "User id")),
    request_body = UserIn,
    responses((status = 200, body = UserOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<UserIn>,
) -> ApiResult<Json<UserOut>> {
    let call = Call::new(&state, &ctx);
    let (version, changes) = body.into_changes();
    let u = accounts::update(&call.scope(), UserId(id), version, changes).await.map_err(call.err())?;
    Ok(Json(u.into()))
}
