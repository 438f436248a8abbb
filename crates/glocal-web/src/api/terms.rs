//! The library's term base: concepts with their terms in every language, TBX import and
//! export, and the lookup of the concepts a text uses.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, Utc};
use glocal_core::library::Area;
use glocal_core::paging::PageRequest;
use glocal_core::search::terms::{self, ConceptFilter, ConceptId, ConceptInput, ImportMode, TermInput};
use glocal_core::{Error, ErrorCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::extract::{ApiJson, ApiQuery};
use super::{ApiResult, Call};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiError, ErrorBody};

/// The largest TBX file taken.
pub(crate) const IMPORT_LIMIT: usize = 64 * 1024 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_terms, create_term))
        .routes(routes!(export_terms))
        .routes(routes!(lookup_terms))
        .routes(routes!(get_term, update_term, delete_term))
        .merge(OpenApiRouter::new().routes(routes!(import_terms)).layer(DefaultBodyLimit::max(IMPORT_LIMIT)))
}

#[derive(Deserialize, ToSchema)]
pub struct TermIn {
    /// BCP 47: ko, en, ja, zh-Hans, zh-Hant or another language (zh-TW is kept as zh-Hant).
    pub language: String,
    pub text: String,
    /// preferred | admitted (default) | deprecated
    pub status: Option<String>,
    pub note: Option<String>,
}

/// A concept to create, or (with `version`) the whole new content of one to update.
#[derive(Deserialize, ToSchema)]
pub struct ConceptIn {
    /// An area of the library's taxonomy (`environment`, `cultural_tourism`, …).
    pub area: Option<String>,
    pub definition: Option<String>,
    pub note: Option<String>,
    /// At least one; no two alike in one language.
    #[serde(default)]
    pub terms: Vec<TermIn>,
    /// On update: the version read (required).
    pub version: Option<i32>,
}

impl From<ConceptIn> for ConceptInput {
    fn from(c: ConceptIn) -> Self {
        ConceptInput {
            area: c.area,
            definition: c.definition,
            note: c.note,
            terms: c
                .terms
                .into_iter()
                .map(|t| TermInput { language: t.language, text: t.text, status: t.status, note: t.note })
                .collect(),
            version: c.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TermOut {
    pub id: i64,
    pub language: String,
    pub text: String,
    /// preferred | admitted | deprecated
    pub status: String,
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ConceptOut {
    pub id: i64,
    pub area: Option<String>,
    pub definition: Option<String>,
    pub note: Option<String>,
    /// Grouped by language.
    pub terms: Vec<TermOut>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<terms::Concept> for ConceptOut {
    fn from(c: terms::Concept) -> Self {
        ConceptOut {
            id: c.id.0,
            area: c.area.map(|a| a.as_str().into()),
            definition: c.definition,
            note: c.note,
            terms: c
                .terms
                .into_iter()
                .map(|t| TermOut {
                    id: t.id,
                    language: t.language,
                    text: t.text,
                    status: t.status.as_str().into(),
                    note: t.note,
                })
                .collect(),
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ConceptList {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub items: Vec<ConceptOut>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TermQuery {
    /// Text of any term, the definition or the note, in any language (case, width and Chinese
    /// script ignored).
    pub q: Option<String>,
    /// Concepts with a term in this language.
    pub language: Option<String>,
    /// An area of the library's taxonomy.
    pub area: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// The term base's concepts, in the order they were added (every signed-in user).
#[utoipa::path(get, path = "/api/v1/library/terms", operation_id = "listTerms", tag = "library",
    params(TermQuery),
    responses((status = 200, body = ConceptList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn list_terms(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<TermQuery>,
) -> ApiResult<Json<ConceptList>> {
    let call = Call::new(&state, &ctx);
    let area = match q.area.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => None,
        Some(a) => Some(Area::parse(a).map_err(|c| ApiError::new(Error::field("area", c), ctx.locale))?),
    };
    let filter = ConceptFilter { q: q.q, language: q.language, area, page: PageRequest::new(q.page, q.per_page) };
    let page = terms::list(&call.scope(), filter).await.map_err(call.err())?;
    Ok(Json(ConceptList {
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// Creates a concept (librarians and administrators).
#[utoipa::path(post, path = "/api/v1/library/terms", operation_id = "createTerm", tag = "library",
    request_body = ConceptIn,
    responses((status = 201, body = ConceptOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_term(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<ConceptIn>,
) -> ApiResult<(StatusCode, Json<ConceptOut>)> {
    let call = Call::new(&state, &ctx);
    let c = terms::create(&call.scope(), body.into()).await.map_err(call.err())?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

/// One concept with its terms.
#[utoipa::path(get, path = "/api/v1/library/terms/{id}", operation_id = "getTerm", tag = "library",
    params(("id" = i64, Path, description = "Concept id")),
    responses((status = 200, body = ConceptOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_term(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<ConceptOut>> {
    let call = Call::new(&state, &ctx);
    let c = terms::get(&call.scope(), ConceptId(id)).await.map_err(call.err())?;
    Ok(Json(c.into()))
}

/// Replaces a concept's content (librarians and administrators). `version` must be the one
/// read: if someone changed the concept since, `conflict_stale` and nothing changes.
#[utoipa::path(put, path = "/api/v1/library/terms/{id}", operation_id = "updateTerm", tag = "library",
    params(("id" = i64, Path, description = "Concept id")), request_body = ConceptIn,
    responses((status = 200, body = ConceptOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_term(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ConceptIn>,
) -> ApiResult<Json<ConceptOut>> {
    let call = Call::new(&state, &ctx);
    let c = terms::update(&call.scope(), ConceptId(id), body.into()).await.map_err(call.err())?;
    Ok(Json(c.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// The version read: if the concept changed since, `conflict_stale` and nothing changes.
    pub version: Option<i32>,
}

/// Deletes a concept and its terms (librarians and administrators).
#[utoipa::path(delete, path = "/api/v1/library/terms/{id}", operation_id = "deleteTerm", tag = "library",
    params(("id" = i64, Path, description = "Concept id"), DeleteQuery),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_term(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> ApiResult<StatusCode> {
    let call = Call::new(&state, &ctx);
    terms::delete(&call.scope(), ConceptId(id), q.version).await.map_err(call.err())?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// merge (default): an entry sharing a term (same language, same text up to case, width
    /// and Chinese script) with a concept is merged into the one sharing most, the others are
    /// created; replace: the file replaces the whole term base.
    pub mode: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TermImportOut {
    /// The concepts created.
    pub created: Vec<i64>,
    /// The concepts entries were merged into, and that changed.
    pub updated: Vec<i64>,
    /// Concepts entries were merged into that already said everything the entries say.
    pub unchanged: usize,
    /// Concepts removed first (replace).
    pub removed: usize,
}

/// The file of an upload: the body itself, or the part named `file` of a
/// `multipart/form-data` body.
pub(crate) fn uploaded_file(headers: &HeaderMap, body: &[u8]) -> Result<Vec<u8>, Error> {
    let multipart =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("multipart/"));
    if !multipart {
        return Ok(body.to_vec());
    }
    let parts = crate::html::multipart(headers, body).ok_or_else(|| Error::field("body", ErrorCode::InvalidBody))?;
    parts
        .into_iter()
        .find(|p| p.name == "file")
        .map(|p| p.data)
        .ok_or_else(|| Error::field("file", ErrorCode::ValueRequired))
}

/// Imports a TBX file (librarians and administrators): TBX-Basic, TBX v3 core or TBX v2
/// (`martif`), as the body or as the `file` part of a `multipart/form-data` body. Every entry
/// is checked first: a malformed file (`invalid_file`, `field` = `line N`) or one invalid entry
/// (`field` = `entry N (line L): terms[i].language`, …) and nothing is written.
#[utoipa::path(post, path = "/api/v1/library/terms/import", operation_id = "importTerms", tag = "library",
    params(ImportQuery),
    request_body(content((Vec<u8> = "application/x-tbx+xml"), (Vec<u8> = "application/xml"), (Vec<u8> = "multipart/form-data"))),
    responses((status = 200, body = TermImportOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_terms(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<TermImportOut>> {
    let call = Call::new(&state, &ctx);
    let mode = ImportMode::parse(q.mode.as_deref().unwrap_or_default())
        .map_err(|c| ApiError::new(Error::field("mode", c), ctx.locale))?;
    let file = uploaded_file(&headers, &body).map_err(call.err())?;
    let report = terms::import_tbx(&call.scope(), &file, mode).await.map_err(call.err())?;
    Ok(Json(TermImportOut {
        created: report.created.into_iter().map(|c| c.0).collect(),
        updated: report.updated.into_iter().map(|c| c.0).collect(),
        unchanged: report.unchanged,
        removed: report.removed,
    }))
}

/// The TBX file's name for a download.
pub(crate) const EXPORT_FILENAME: &str = "glocal-terms.tbx";

/// The whole term base as a TBX-Basic file (every signed-in user); importing it into an empty
/// term base gives the same concepts.
#[utoipa::path(get, path = "/api/v1/library/terms/export", operation_id = "exportTerms", tag = "library",
    responses((status = 200, description = "The term base as TBX", content_type = "application/x-tbx+xml"),
        (status = 401, body = ErrorBody)))]
async fn export_terms(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Response> {
    let call = Call::new(&state, &ctx);
    let xml = terms::export_tbx(&call.scope()).await.map_err(call.err())?;
    Ok(super::desk::download_named(EXPORT_FILENAME, "application/x-tbx+xml", xml.into_bytes()))
}

#[derive(Deserialize, ToSchema)]
pub struct LookupIn {
    /// The text to look in (a request's subject and messages, a document to translate).
    pub text: String,
}

/// The concepts whose terms occur in a text, in the order they first occur (every signed-in
/// user): the vocabulary its translator should use. Terms match across case, width, Chinese
/// script (姊妹市 meets 姐妹市) and English inflection.
#[utoipa::path(post, path = "/api/v1/library/terms/lookup", operation_id = "lookupTerms", tag = "library",
    request_body = LookupIn,
    responses((status = 200, body = Vec<ConceptOut>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn lookup_terms(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<LookupIn>,
) -> ApiResult<Json<Vec<ConceptOut>>> {
    let call = Call::new(&state, &ctx);
    let found = terms::lookup(&call.scope(), &body.text).await.map_err(call.err())?;
    Ok(Json(found.into_iter().map(Into::into).collect()))
}
