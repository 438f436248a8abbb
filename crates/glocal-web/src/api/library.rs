//! The library: documents of every kind, their versions, attachments, the trip reports'
//! follow-ups and overdue reports, and spreadsheet import.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use glocal_core::library::{
    self, Area, DocumentFilter, DocumentId, DocumentInput, FollowUpStatus, Kind, Status, attachments, trip,
};
use glocal_core::paging::PageRequest;
use glocal_core::{Error, ErrorCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::extract::{ApiJson, ApiQuery};
use super::{ApiResult, Call};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiError, ErrorBody};

const UPLOAD_LIMIT: usize = 256 * 1024 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_documents, create_document))
        .routes(routes!(get_document, update_document))
        .routes(routes!(publish_document))
        .routes(routes!(list_document_versions))
        .routes(routes!(get_document_attachment))
        .routes(routes!(list_follow_ups))
        .routes(routes!(update_follow_up))
        .routes(routes!(list_overdue_reports))
        .routes(routes!(search_documents))
        .routes(routes!(similar_documents))
        .routes(routes!(create_document_from_request))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(add_document_attachment))
                .routes(routes!(import_documents))
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
}

fn parse_opt<T>(
    ctx: &Ctx,
    field: &'static str,
    raw: Option<&str>,
    parse: impl Fn(&str) -> Result<T, ErrorCode>,
) -> ApiResult<Option<T>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse(s).map(Some).map_err(|c| ApiError::new(Error::field(field, c), ctx.locale)),
    }
}

/// A document to create, or (with `version`) the whole new content of one to update.
///
/// `trip` (trip reports) is `{"purpose_category", "organiser", "contact", "participants":
/// [{"organization","unit","title","rank","name"}], "departed_on", "returned_on",
/// "destinations": [], "reported_on", "purpose", "itinerary": [{"date","place","activity"}],
/// "process", "findings", "recommendations": [{"id"?, "text", "owner"?, "due_on"?}]}`, dates as
/// `YYYY-MM-DD`; a recommendation without `id` becomes a new follow-up, one left out is removed.
#[derive(Deserialize, ToSchema)]
pub struct DocumentIn {
    /// best_practice | trip_report | research_report | declaration | desk_answer | other
    pub kind: String,
    /// ko, en, ja, zh-Hans, zh-Hant, …
    pub language: String,
    /// draft (default) | internal | published (librarians)
    pub status: Option<String>,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub body: String,
    pub source: Option<String>,
    /// Best practices: an area of the taxonomy (`welfare`, `cultural_tourism`, …).
    pub area: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub local_government: Option<String>,
    pub year: Option<i32>,
    /// On create: the id of the document this one translates.
    pub translation_of: Option<i64>,
    pub owner_org_id: Option<i64>,
    #[schema(value_type = Option<Object>)]
    pub trip: Option<serde_json::Value>,
    /// On update: the version read (required).
    pub version: Option<i32>,
}

impl DocumentIn {
    fn into_domain(self, ctx: &Ctx) -> ApiResult<DocumentInput> {
        let trip =
            match self.trip {
                None | Some(serde_json::Value::Null) => None,
                Some(v) => Some(serde_json::from_value::<trip::TripInput>(v).map_err(|e| {
                    ApiError::new(Error::field(format!("trip: {e}"), ErrorCode::InvalidBody), ctx.locale)
                })?),
            };
        Ok(DocumentInput {
            kind: self.kind,
            language: self.language,
            status: self.status,
            title: self.title,
            summary: self.summary,
            body: self.body,
            source: self.source,
            area: self.area,
            country: self.country,
            local_government: self.local_government,
            year: self.year,
            translation_of: self.translation_of,
            owner_org_id: self.owner_org_id,
            trip,
            version: self.version,
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct DocumentOut {
    pub id: i64,
    pub kind: String,
    pub language: String,
    pub status: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub source: Option<String>,
    pub area: Option<String>,
    pub country: Option<String>,
    pub local_government: Option<String>,
    pub year: Option<i32>,
    /// The structured form of a trip report (see `DocumentIn`), without the recommendations,
    /// which are `follow_ups`.
    #[schema(value_type = Option<Object>)]
    pub trip: Option<serde_json::Value>,
    /// Trip reports: the return date plus the configured number of days.
    pub report_due_on: Option<NaiveDate>,
    /// A trip report still a draft after it was due.
    pub overdue: bool,
    pub owner_org_id: i64,
    pub author_id: Option<i64>,
    pub translation_group: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub version: i32,
}

impl From<library::Document> for DocumentOut {
    fn from(d: library::Document) -> Self {
        DocumentOut {
            id: d.id.0,
            kind: d.kind.as_str().into(),
            language: d.language,
            status: d.status.as_str().into(),
            title: d.title,
            summary: d.summary,
            body: d.body,
            source: d.source,
            area: d.area.map(|a| a.as_str().into()),
            country: d.country,
            local_government: d.local_government,
            year: d.year,
            trip: d.trip.map(|t| serde_json::to_value(t).unwrap_or_default()),
            report_due_on: d.report_due_on,
            overdue: d.overdue,
            owner_org_id: d.owner_org_id.0,
            author_id: d.author_id.map(|a| a.0),
            translation_group: d.translation_group,
            created_at: d.created_at,
            updated_at: d.updated_at,
            published_at: d.published_at,
            version: d.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TranslationOut {
    pub id: i64,
    pub language: String,
    pub title: String,
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct DocumentAttachmentOut {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// pending | done | failed | unsupported
    pub extraction: String,
    pub extraction_error: Option<String>,
    pub text_chars: usize,
    pub created_at: DateTime<Utc>,
    pub url: String,
}

impl From<attachments::Attachment> for DocumentAttachmentOut {
    fn from(a: attachments::Attachment) -> Self {
        DocumentAttachmentOut {
            url: format!("/api/v1/library/documents/{}/attachments/{}", a.document_id, a.id),
            id: a.id,
            filename: a.filename,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
            extraction: a.extraction,
            extraction_error: a.extraction_error,
            text_chars: a.text_chars,
            created_at: a.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FollowUpOut {
    pub id: i64,
    pub document_id: i64,
    pub document_title: String,
    pub position: i32,
    pub recommendation: String,
    pub owner: Option<String>,
    pub due_on: Option<NaiveDate>,
    /// open | in_progress | done | dropped
    pub status: String,
    pub note: Option<String>,
    pub overdue: bool,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<library::FollowUp> for FollowUpOut {
    fn from(f: library::FollowUp) -> Self {
        FollowUpOut {
            id: f.id,
            document_id: f.document_id.0,
            document_title: f.document_title,
            position: f.position,
            recommendation: f.recommendation,
            owner: f.owner,
            due_on: f.due_on,
            status: f.status.as_str().into(),
            note: f.note,
            overdue: f.overdue,
            updated_at: f.updated_at,
            version: f.version,
        }
    }
}

/// A document with its translations (those the caller may read), attachments and follow-ups.
#[derive(Serialize, ToSchema)]
pub struct DocumentDetail {
    pub document: DocumentOut,
    pub translations: Vec<TranslationOut>,
    pub attachments: Vec<DocumentAttachmentOut>,
    pub follow_ups: Vec<FollowUpOut>,
}

impl From<library::DocumentView> for DocumentDetail {
    fn from(v: library::DocumentView) -> Self {
        DocumentDetail {
            document: v.document.into(),
            translations: v
                .translations
                .into_iter()
                .map(|t| TranslationOut {
                    id: t.id.0,
                    language: t.language,
                    title: t.title,
                    status: t.status.as_str().into(),
                })
                .collect(),
            attachments: v.attachments.into_iter().map(Into::into).collect(),
            follow_ups: v.follow_ups.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DocumentList {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub items: Vec<DocumentOut>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    /// Words of the title, local government or source.
    pub q: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub language: Option<String>,
    pub area: Option<String>,
    pub country: Option<String>,
    pub year: Option<i32>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

fn list_out(page: glocal_core::paging::Page<library::Document>) -> DocumentList {
    DocumentList {
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        items: page.items.into_iter().map(Into::into).collect(),
    }
}

/// Documents the caller may read (drafts: their own, or all for librarians; internal: the
/// association's staff and the owning organisation), most recently changed first.
#[utoipa::path(get, path = "/api/v1/library/documents", operation_id = "listDocuments", tag = "library",
    params(DocumentQuery),
    responses((status = 200, body = DocumentList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_documents(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<DocumentQuery>,
) -> ApiResult<Json<DocumentList>> {
    let call = Call::new(&state, &ctx);
    let filter = DocumentFilter {
        kind: parse_opt(&ctx, "kind", q.kind.as_deref(), Kind::parse)?,
        status: parse_opt(&ctx, "status", q.status.as_deref(), Status::parse)?,
        language: q.language,
        area: parse_opt(&ctx, "area", q.area.as_deref(), Area::parse)?,
        country: q.country,
        year: q.year,
        q: q.q,
        overdue: false,
        page: PageRequest::new(q.page, q.per_page),
    };
    let page = library::list(&call.scope(), filter).await.map_err(call.err())?;
    Ok(Json(list_out(page)))
}

/// Creates a document owned by the caller's organisation. It starts as a draft unless
/// `status` says otherwise; publishing takes a librarian.
#[utoipa::path(post, path = "/api/v1/library/documents", operation_id = "createDocument", tag = "library",
    request_body = DocumentIn,
    responses((status = 201, body = DocumentDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_document(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<DocumentIn>,
) -> ApiResult<(StatusCode, Json<DocumentDetail>)> {
    let call = Call::new(&state, &ctx);
    let input = body.into_domain(&ctx)?;
    let v = library::create(&call.scope(), input).await.map_err(call.err())?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

/// One document. A document the caller may not read is not found.
#[utoipa::path(get, path = "/api/v1/library/documents/{id}", operation_id = "getDocument", tag = "library",
    params(("id" = i64, Path, description = "Document id")),
    responses((status = 200, body = DocumentDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_document(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<DocumentDetail>> {
    let call = Call::new(&state, &ctx);
    let v = library::get(&call.scope(), DocumentId(id)).await.map_err(call.err())?;
    Ok(Json(v.into()))
}

/// Replaces a document's content (its author, librarians, administrators). `version` must be
/// the one read: if someone changed it since, `conflict_stale` and nothing changes.
#[utoipa::path(put, path = "/api/v1/library/documents/{id}", operation_id = "updateDocument", tag = "library",
    params(("id" = i64, Path, description = "Document id")), request_body = DocumentIn,
    responses((status = 200, body = DocumentDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_document(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DocumentIn>,
) -> ApiResult<Json<DocumentDetail>> {
    let call = Call::new(&state, &ctx);
    let input = body.into_domain(&ctx)?;
    let v = library::update(&call.scope(), DocumentId(id), input).await.map_err(call.err())?;
    Ok(Json(v.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct VersionIn {
    pub version: i32,
}

/// Publishes a document to every signed-in user (librarians).
#[utoipa::path(post, path = "/api/v1/library/documents/{id}/publish", operation_id = "publishDocument",
    tag = "library", params(("id" = i64, Path, description = "Document id")), request_body = VersionIn,
    responses((status = 200, body = DocumentDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn publish_document(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<VersionIn>,
) -> ApiResult<Json<DocumentDetail>> {
    let call = Call::new(&state, &ctx);
    let v = library::set_status(&call.scope(), DocumentId(id), Status::Published, body.version)
        .await
        .map_err(call.err())?;
    Ok(Json(v.into()))
}

#[derive(Serialize, ToSchema)]
pub struct VersionOut {
    pub version: i32,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor: String,
    /// `{field: [before, after]}`.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
}

/// The version history, newest first: who changed which fields, from what to what.
#[utoipa::path(get, path = "/api/v1/library/documents/{id}/versions", operation_id = "listDocumentVersions",
    tag = "library", params(("id" = i64, Path, description = "Document id")),
    responses((status = 200, body = Vec<VersionOut>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_document_versions(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<VersionOut>>> {
    let call = Call::new(&state, &ctx);
    let versions = library::versions(&call.scope(), DocumentId(id)).await.map_err(call.err())?;
    Ok(Json(
        versions
            .into_iter()
            .map(|v| VersionOut {
                version: v.version,
                at: v.at,
                actor_id: v.actor_id.map(|a| a.0),
                actor: v.actor,
                changes: v.changes,
            })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name; its extension decides the type (pdf, docx, hwpx, hwp, html, txt, md).
    pub filename: String,
}

/// Attaches a file (send its bytes as the body). It is stored at once and its text read in
/// the background; a file that cannot be read is kept, with `extraction` = `failed`.
#[utoipa::path(post, path = "/api/v1/library/documents/{id}/attachments", operation_id = "addDocumentAttachment",
    tag = "library", params(("id" = i64, Path, description = "Document id"), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = DocumentAttachmentOut), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn add_document_attachment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<DocumentAttachmentOut>)> {
    let call = Call::new(&state, &ctx);
    let a = attachments::add(&call.scope(), DocumentId(id), &q.filename, &body).await.map_err(call.err())?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

/// Downloads an attachment, always as a download.
#[utoipa::path(get, path = "/api/v1/library/documents/{id}/attachments/{attachment_id}",
    operation_id = "getDocumentAttachment", tag = "library",
    params(("id" = i64, Path, description = "Document id"), ("attachment_id" = i64, Path, description = "Attachment id")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_document_attachment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, attachment_id)): Path<(i64, i64)>,
) -> ApiResult<Response> {
    let call = Call::new(&state, &ctx);
    let (a, bytes) = attachments::download(&call.scope(), DocumentId(id), attachment_id).await.map_err(call.err())?;
    Ok(super::desk::download_named(&a.filename, &a.content_type, bytes))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FollowUpQuery {
    /// open | in_progress | done | dropped
    pub status: Option<String>,
    pub document_id: Option<i64>,
    /// Only open or in-progress follow-ups past their due date.
    pub overdue: Option<bool>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct FollowUpList {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub items: Vec<FollowUpOut>,
}

/// The recommendations of the trip reports the caller may read, tracked as follow-ups, soonest
/// due first.
#[utoipa::path(get, path = "/api/v1/library/follow-ups", operation_id = "listFollowUps", tag = "library",
    params(FollowUpQuery),
    responses((status = 200, body = FollowUpList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_follow_ups(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<FollowUpQuery>,
) -> ApiResult<Json<FollowUpList>> {
    let call = Call::new(&state, &ctx);
    let filter = trip::FollowUpFilter {
        status: parse_opt(&ctx, "status", q.status.as_deref(), FollowUpStatus::parse)?,
        document_id: q.document_id.map(DocumentId),
        overdue: q.overdue.unwrap_or(false),
        page: PageRequest::new(q.page, q.per_page),
    };
    let page = trip::list_follow_ups(&call.scope(), filter).await.map_err(call.err())?;
    Ok(Json(FollowUpList {
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct FollowUpIn {
    /// The version read.
    pub version: i32,
    pub status: Option<String>,
    pub owner: Option<String>,
    /// `YYYY-MM-DD`; empty clears it.
    pub due_on: Option<String>,
    pub note: Option<String>,
}

/// Changes a follow-up's status, owner, due date or note (the report's editors and the staff
/// of its owning organisation), guarded by `version`.
#[utoipa::path(patch, path = "/api/v1/library/follow-ups/{id}", operation_id = "updateFollowUp", tag = "library",
    params(("id" = i64, Path, description = "Follow-up id")), request_body = FollowUpIn,
    responses((status = 200, body = FollowUpOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_follow_up(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<FollowUpIn>,
) -> ApiResult<Json<FollowUpOut>> {
    let call = Call::new(&state, &ctx);
    let changes = trip::FollowUpChanges {
        version: body.version,
        status: body.status,
        owner: body.owner,
        due_on: body.due_on,
        note: body.note,
    };
    let f = trip::update_follow_up(&call.scope(), id, changes).await.map_err(call.err())?;
    Ok(Json(f.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// Trip reports still drafts more than `library.report_due_days` after the trip's return,
/// longest overdue first.
#[utoipa::path(get, path = "/api/v1/library/overdue-reports", operation_id = "listOverdueReports", tag = "library",
    params(PageQuery),
    responses((status = 200, body = DocumentList), (status = 401, body = ErrorBody)))]
async fn list_overdue_reports(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<DocumentList>> {
    let call = Call::new(&state, &ctx);
    let filter = DocumentFilter { overdue: true, page: PageRequest::new(q.page, q.per_page), ..Default::default() };
    let page = library::list(&call.scope(), filter).await.map_err(call.err())?;
    Ok(Json(list_out(page)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// csv | xlsx
    pub format: String,
    /// The owning organisation (librarians); default the caller's.
    pub owner_org_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportOut {
    pub created: Vec<i64>,
}

/// Imports documents from a spreadsheet (CSV or XLSX), one per row, with the columns `kind,
/// language, status, title, summary, body, area, country, local_government, year, source`
/// (or their Korean headers). Every row is checked first: one bad row and nothing is written;
/// the error names each bad row (`line N: column`).
#[utoipa::path(post, path = "/api/v1/library/import", operation_id = "importDocuments", tag = "library",
    params(ImportQuery), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = ImportOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn import_documents(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<ImportOut>)> {
    let call = Call::new(&state, &ctx);
    let format = glocal_core::registry::transfer::Format::parse(&q.format)
        .map_err(|c| ApiError::new(Error::field("format", c), ctx.locale))?;
    let report =
        library::import::import_metadata(&call.scope(), format, &body, q.owner_org_id).await.map_err(call.err())?;
    Ok((StatusCode::CREATED, Json(ImportOut { created: report.created.into_iter().map(|d| d.0).collect() })))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// What to look for, in any language and script: 자매결연 also finds 姊妹市 and "sister
    /// city", 台中 also finds 臺中 and Taichung. Empty: every document the filters let through,
    /// newest first.
    pub q: Option<String>,
    /// A facet value to narrow to: best_practice | trip_report | research_report | declaration
    /// | desk_answer | other
    pub kind: Option<String>,
    /// An area of the taxonomy (`welfare`, `cultural_tourism`, …).
    pub area: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// ko, en, ja, zh-Hans, zh-Hant, …
    pub language: Option<String>,
    pub year: Option<i32>,
    /// draft | internal | published
    pub status: Option<String>,
    /// relevance (default) | newest
    pub sort: Option<String>,
    pub page: Option<u64>,
    /// At most 100.
    pub per_page: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchHitOut {
    pub document: DocumentOut,
    pub score: f32,
    /// The title, HTML-escaped, with the matched words in `<mark>`.
    pub title_html: String,
    /// A passage of the summary, body or attachments, HTML-escaped, matches in `<mark>`.
    pub snippet_html: String,
}

#[derive(Serialize, ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// Per facet, its values over every match the caller may read, most frequent first.
#[derive(Serialize, ToSchema)]
pub struct SearchFacetsOut {
    pub kind: Vec<FacetCount>,
    pub area: Vec<FacetCount>,
    pub country: Vec<FacetCount>,
    pub language: Vec<FacetCount>,
    pub year: Vec<FacetCount>,
    pub status: Vec<FacetCount>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchOut {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub items: Vec<SearchHitOut>,
    pub facets: SearchFacetsOut,
    /// "Did you mean": the query with Latin-script typos corrected.
    pub suggestion: Option<String>,
    /// What the query was widened with: other scripts, the term base, place names.
    pub expanded: Vec<String>,
}

fn facet_counts<T: ToString>(values: Vec<(T, usize)>) -> Vec<FacetCount> {
    values.into_iter().map(|(v, n)| FacetCount { value: v.to_string(), count: n as u64 }).collect()
}

/// Parses a search's query string into the domain's query; an unknown facet value is a field
/// error naming the parameter.
pub fn search_query(ctx: &Ctx, q: SearchQuery) -> ApiResult<library::search::Query> {
    use glocal_core::search::{Filters, Sort};
    use glocal_core::validate::{CountryCode, LanguageCode};
    let sort = match q.sort.as_deref().map(str::trim).unwrap_or("") {
        "" | "relevance" => Sort::Relevance,
        "newest" => Sort::Newest,
        _ => return Err(ApiError::new(Error::field("sort", ErrorCode::InvalidChoice), ctx.locale)),
    };
    if q.per_page.is_some_and(|n| n == 0 || n > 100) {
        return Err(ApiError::new(Error::field("per_page", ErrorCode::ValueOutOfRange), ctx.locale));
    }
    let filters = Filters {
        kind: parse_opt(ctx, "kind", q.kind.as_deref(), Kind::parse)?.map(|k| k.as_str().to_string()),
        area: parse_opt(ctx, "area", q.area.as_deref(), Area::parse)?.map(|a| a.as_str().to_string()),
        country: parse_opt(ctx, "country", q.country.as_deref(), CountryCode::parse)?.map(|c| c.as_str().to_string()),
        language: parse_opt(ctx, "language", q.language.as_deref(), LanguageCode::parse)?
            .map(|l| l.as_str().to_string()),
        year: q.year,
        status: parse_opt(ctx, "status", q.status.as_deref(), Status::parse)?.map(|s| s.as_str().to_string()),
    };
    Ok(library::search::Query {
        text: q.q.unwrap_or_default(),
        filters,
        sort,
        page: PageRequest::new(q.page, Some(q.per_page.unwrap_or(20))),
    })
}

/// Searches the documents the caller may read, in every language and script at once: the
/// query is widened with the other Chinese script, the term base and place names. Drafts and
/// internal documents are found only by those allowed to read them. A document saved a
/// moment ago is found (the search waits for the index to catch up, briefly).
#[utoipa::path(get, path = "/api/v1/library/search", operation_id = "searchDocuments", tag = "library",
    params(SearchQuery),
    responses((status = 200, body = SearchOut), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn search_documents(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<SearchOut>> {
    let call = Call::new(&state, &ctx);
    let query = search_query(&ctx, q)?;
    let r = library::search::search(&call.scope(), query).await.map_err(call.err())?;
    Ok(Json(SearchOut {
        total: r.page.total,
        page: r.page.page,
        per_page: r.page.per_page,
        items: r
            .page
            .items
            .into_iter()
            .map(|f| SearchHitOut {
                document: f.document.into(),
                score: f.score,
                title_html: f.title_html,
                snippet_html: f.snippet_html,
            })
            .collect(),
        facets: SearchFacetsOut {
            kind: facet_counts(r.facets.kind),
            area: facet_counts(r.facets.area),
            country: facet_counts(r.facets.country),
            language: facet_counts(r.facets.language),
            year: facet_counts(r.facets.year),
            status: facet_counts(r.facets.status),
        },
        suggestion: r.suggestion,
        expanded: r.expanded,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarQuery {
    /// At most 50; default 5.
    pub limit: Option<usize>,
}

/// Documents like this one ("more like this"), among those the caller may read.
#[utoipa::path(get, path = "/api/v1/library/documents/{id}/similar", operation_id = "similarDocuments",
    tag = "library", params(("id" = i64, Path, description = "Document id"), SimilarQuery),
    responses((status = 200, body = Vec<DocumentOut>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn similar_documents(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<SimilarQuery>,
) -> ApiResult<Json<Vec<DocumentOut>>> {
    let call = Call::new(&state, &ctx);
    let docs =
        library::search::similar(&call.scope(), DocumentId(id), q.limit.unwrap_or(5)).await.map_err(call.err())?;
    Ok(Json(docs.into_iter().map(Into::into).collect()))
}

/// Keeps an answered desk request in the library: its question and final response become a
/// draft `desk_answer` document (desk staff), which a librarian reviews and publishes. Asked
/// again, answers the document already made with 200.
#[utoipa::path(post, path = "/api/v1/desk/requests/{id}/library-document", operation_id = "createDocumentFromRequest",
    tag = "library", params(("id" = i64, Path, description = "Request id")),
    responses((status = 201, body = DocumentDetail), (status = 200, body = DocumentDetail), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn create_document_from_request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<(StatusCode, Json<DocumentDetail>)> {
    let call = Call::new(&state, &ctx);
    let (v, created) = library::desk_answer::from_request(&call.scope(), glocal_core::desk::RequestId(id))
        .await
        .map_err(call.err())?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(v.into())))
}
