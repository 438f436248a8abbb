//! Desk extras: canned responses per language, links between requests, and the notes that
//! mention me.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use glocal_core::desk::{Category, RequestId, canned, links, mentions};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::desk::MessageOut;
use super::extract::{ApiJson, ApiQuery};
use super::{ApiResult, Call};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiError, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_canned_responses, create_canned_response))
        .routes(routes!(update_canned_response, delete_canned_response))
        .routes(routes!(reply_with_canned_response))
        .routes(routes!(list_request_links, link_requests))
        .routes(routes!(unlink_requests))
        .routes(routes!(list_mentions))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CannedResponseOut {
    pub id: i64,
    pub title: String,
    pub body: String,
    /// The language it is written in.
    pub language: String,
    /// The category it is meant for; null for any.
    pub category: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<canned::CannedResponse> for CannedResponseOut {
    fn from(c: canned::CannedResponse) -> Self {
        CannedResponseOut {
            id: c.id,
            title: c.title,
            body: c.body,
            language: c.language,
            category: c.category.map(|c| c.as_str().into()),
            created_by: c.created_by.map(|u| u.0),
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CannedResponseIn {
    pub title: String,
    pub body: String,
    /// A language code: `ko`, `en`, `ja`, `zh-Hans`, …
    pub language: String,
    /// One of the five categories, or null for any.
    pub category: Option<String>,
    /// On update: the version you read; a different current version refuses the change.
    pub version: Option<i32>,
}

impl CannedResponseIn {
    fn into_parts(self) -> (Option<i32>, canned::CannedInput) {
        let input = canned::CannedInput {
            title: self.title,
            body: self.body,
            language: self.language,
            category: self.category,
        };
        (self.version, input)
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CannedQuery {
    /// Only responses in this language.
    pub language: Option<String>,
    /// Only responses for this category (and those for any category).
    pub category: Option<String>,
}

/// The canned responses, by language then title (desk staff).
#[utoipa::path(get, path = "/api/v1/desk/canned-responses", operation_id = "listCannedResponses", tag = "desk",
    params(CannedQuery),
    responses((status = 200, body = Vec<CannedResponseOut>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_canned_responses(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<CannedQuery>,
) -> ApiResult<Json<Vec<CannedResponseOut>>> {
    let call = Call::new(&state, &ctx);
    let category = match q.category.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            Category::parse(c)
                .map_err(|code| ApiError::new(glocal_core::Error::field("category", code), ctx.locale))?,
        ),
    };
    let filter = canned::CannedFilter { language: q.language, category };
    let items = canned::list(&call.scope(), filter).await.map_err(call.err())?;
    Ok(Json(items.into_iter().map(Into::into).collect()))
}

/// Adds a canned response (desk managers and administrators).
#[utoipa::path(post, path = "/api/v1/desk/canned-responses", operation_id = "createCannedResponse", tag = "desk",
    request_body = CannedResponseIn,
    responses((status = 201, body = CannedResponseOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_canned_response(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<CannedResponseIn>,
) -> ApiResult<(StatusCode, Json<CannedResponseOut>)> {
    let call = Call::new(&state, &ctx);
    let (_, input) = body.into_parts();
    let c = canned::create(&call.scope(), input).await.map_err(call.err())?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

/// Rewrites a canned response (desk managers and administrators).
#[utoipa::path(put, path = "/api/v1/desk/canned-responses/{id}", operation_id = "updateCannedResponse", tag = "desk",
    params(("id" = i64, Path, description = "Canned response id")), request_body = CannedResponseIn,
    responses((status = 200, body = CannedResponseOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_canned_response(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CannedResponseIn>,
) -> ApiResult<Json<CannedResponseOut>> {
    let call = Call::new(&state, &ctx);
    let (version, input) = body.into_parts();
    let c = canned::update(&call.scope(), id, version, input).await.map_err(call.err())?;
    Ok(Json(c.into()))
}

/// Removes a canned response (desk managers and administrators).
#[utoipa::path(delete, path = "/api/v1/desk/canned-responses/{id}", operation_id = "deleteCannedResponse", tag = "desk",
    params(("id" = i64, Path, description = "Canned response id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_canned_response(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    let call = Call::new(&state, &ctx);
    canned::delete(&call.scope(), id).await.map_err(call.err())?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CannedReplyIn {
    pub canned_response_id: i64,
    /// An internal note instead of a public reply.
    #[serde(default)]
    pub internal: bool,
}

/// Replies to a request with a canned response's text (desk staff), as if typed.
#[utoipa::path(post, path = "/api/v1/desk/requests/{id}/canned-replies", operation_id = "replyWithCannedResponse",
    tag = "desk", params(("id" = i64, Path, description = "Request id")), request_body = CannedReplyIn,
    responses((status = 201, body = MessageOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn reply_with_canned_response(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CannedReplyIn>,
) -> ApiResult<(StatusCode, Json<MessageOut>)> {
    let call = Call::new(&state, &ctx);
    let m = canned::reply_with(&call.scope(), RequestId(id), body.canned_response_id, body.internal)
        .await
        .map_err(call.err())?;
    Ok((StatusCode::CREATED, Json(m.into())))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkOut {
    pub id: i64,
    /// `related`, `duplicate` or `parent_child`.
    pub kind: String,
    /// How the other request stands to this one: `related`, `duplicate_of`, `duplicated_by`,
    /// `parent` or `child`.
    pub relation: String,
    pub request_id: i64,
    pub reg_no: Option<String>,
    pub title: String,
    pub state: String,
    pub created_at: DateTime<Utc>,
}

impl From<links::Link> for LinkOut {
    fn from(l: links::Link) -> Self {
        LinkOut {
            id: l.id,
            kind: l.kind.as_str().into(),
            relation: l.relation.into(),
            request_id: l.other_id.0,
            reg_no: l.other_reg_no,
            title: l.other_title,
            state: l.other_state,
            created_at: l.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkIn {
    /// The other request.
    pub request_id: i64,
    /// `related`, `duplicate` (this request repeats the other) or `parent_child` (this request
    /// is the parent of the other).
    pub kind: String,
}

/// The links of a request; only those to requests the caller may see.
#[utoipa::path(get, path = "/api/v1/desk/requests/{id}/links", operation_id = "listRequestLinks", tag = "desk",
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 200, body = Vec<LinkOut>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_request_links(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<LinkOut>>> {
    let call = Call::new(&state, &ctx);
    let items = links::list(&call.scope(), RequestId(id)).await.map_err(call.err())?;
    Ok(Json(items.into_iter().map(Into::into).collect()))
}

/// Links this request to another (desk staff). A pair is linked once.
#[utoipa::path(post, path = "/api/v1/desk/requests/{id}/links", operation_id = "linkRequests", tag = "desk",
    params(("id" = i64, Path, description = "Request id")), request_body = LinkIn,
    responses((status = 201, body = LinkOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn link_requests(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<LinkIn>,
) -> ApiResult<(StatusCode, Json<LinkOut>)> {
    let call = Call::new(&state, &ctx);
    let l =
        links::link(&call.scope(), RequestId(id), RequestId(body.request_id), &body.kind).await.map_err(call.err())?;
    Ok((StatusCode::CREATED, Json(l.into())))
}

/// Removes a link of this request (desk staff).
#[utoipa::path(delete, path = "/api/v1/desk/requests/{id}/links/{link_id}", operation_id = "unlinkRequests", tag = "desk",
    params(("id" = i64, Path, description = "Request id"), ("link_id" = i64, Path, description = "Link id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn unlink_requests(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, link_id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    let call = Call::new(&state, &ctx);
    links::unlink(&call.scope(), RequestId(id), link_id).await.map_err(call.err())?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MentionOut {
    pub id: i64,
    pub request_id: i64,
    pub reg_no: Option<String>,
    pub title: String,
    pub message_id: i64,
    /// Who wrote the note.
    pub author: String,
    /// The note.
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MentionQuery {
    /// At most this many (default 100, at most 500).
    pub limit: Option<u64>,
}

/// The internal notes that mention me (`@name`), newest first (desk staff).
#[utoipa::path(get, path = "/api/v1/desk/mentions", operation_id = "listMentions", tag = "desk",
    params(MentionQuery),
    responses((status = 200, body = Vec<MentionOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_mentions(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<MentionQuery>,
) -> ApiResult<Json<Vec<MentionOut>>> {
    let call = Call::new(&state, &ctx);
    let items = mentions::mine(&call.scope(), q.limit.unwrap_or(100)).await.map_err(call.err())?;
    Ok(Json(
        items
            .into_iter()
            .map(|m| MentionOut {
                id: m.id,
                request_id: m.request_id.0,
                reg_no: m.reg_no,
                title: m.title,
                message_id: m.message_id,
                author: m.author,
                body: m.body,
                created_at: m.created_at,
            })
            .collect(),
    ))
}
