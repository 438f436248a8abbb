//! Organisations.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use glocal_core::ids::OrgId;
use glocal_core::orgs::{self, OrgFilter, OrgKind};
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
        .routes(routes!(list_organizations, create_organization))
        .routes(routes!(get_organization, update_organization))
}

/// The directory of organisations, filtered by kind, parent and text in any script.
#[utoipa::path(get, path = "/api/v1/organizations", operation_id = "listOrganizations", tag = "organizations",
    params(OrganizationQuery),
    responses((status = 200, body = OrganizationList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_organizations(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<OrganizationQuery>,
) -> ApiResult<Json<OrganizationList>> {
    let call = Call::new(&state, &ctx);
    let kind = match q.kind.as_deref() {
        Some(k) => {
            Some(OrgKind::parse(k).map_err(|c| ApiError::new(glocal_core::Error::field("kind", c), ctx.locale))?)
        }
        None => None,
    };
    let filter = OrgFilter {
        kind,
        parent: q.parent_id.map(OrgId),
        q: q.q,
        active: q.active,
        page: PageRequest::new(q.page, q.per_page),
    };
    let page = orgs::list(&call.scope(), filter).await.map_err(call.err())?;
    Ok(Json(OrganizationList {
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// One organisation.
#[utoipa::path(get, path = "/api/v1/organizations/{id}", operation_id = "getOrganization", tag = "organizations",
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 200, body = OrganizationOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_organization(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<OrganizationOut>> {
    let call = Call::new(&state, &ctx);
    let o = orgs::get(&call.scope(), OrgId(id)).await.map_err(call.err())?;
    Ok(Json(o.into()))
}

/// Creates an organisation (administrators).
#[utoipa::path(post, path = "/api/v1/organizations", operation_id = "createOrganization", tag = "organizations",
    request_body = OrganizationIn,
    responses((status = 201, body = OrganizationOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "Code taken", body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_organization(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<OrganizationIn>,
) -> ApiResult<(StatusCode, Json<OrganizationOut>)> {
    let call = Call::new(&state, &ctx);
    let (_, changes) = body.into_changes();
    let o = orgs::create(&call.scope(), changes).await.map_err(call.err())?;
    Ok((StatusCode::CREATED, Json(o.into())))
}

/// Changes an organisation (administrators). Give `version` to refuse the change if the
/// organisation changed since you read it.
#[utoipa::path(patch, path = "/api/v1/organizations/{id}", operation_id = "updateOrganization", tag = "organizations",
    params(("id" = i64, Path, description = "Organisation id")),
    request_body = OrganizationIn,
    responses((status = 200, body = OrganizationOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_organization(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<OrganizationIn>,
) -> ApiResult<Json<OrganizationOut>> {
    let call = Call::new(&state, &ctx);
    let (version, changes) = body.into_changes();
    let o = orgs::update(&call.scope(), OrgId(id), version, changes).await.map_err(call.err())?;
    Ok(Json(o.into()))
}
