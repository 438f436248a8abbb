//! The desk: requests, their six steps, conversation, attachments, ratings and timeline.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use glocal_core::desk::{self, Category, Queue, RequestFilter, RequestId, Transition};
use glocal_core::ids::OrgId;
use glocal_core::paging::PageRequest;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::extract::{ApiJson, ApiQuery};
use super::{ApiResult, Call};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiError, ErrorBody};

/// Largest upload the HTTP layer lets through; the configured limit is checked by the domain.
const UPLOAD_LIMIT: usize = 256 * 1024 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_requests, create_request))
        .routes(routes!(get_request))
        .routes(routes!(list_request_events))
        .routes(routes!(add_message))
        .routes(routes!(rate_request))
        .routes(routes!(get_attachment))
        .routes(routes!(list_category_fields, add_category_field))
        .routes(routes!(list_holidays, import_holidays))
        .routes(routes!(list_routing_rules, create_routing_rule))
        .routes(routes!(delete_routing_rule))
        .routes(routes!(add_leave))
        .routes(routes!(register_request))
        .routes(routes!(assign_department))
        .routes(routes!(assign_staff))
        .routes(routes!(send_interim_response))
        .routes(routes!(send_final_response))
        .routes(routes!(close_request))
        .routes(routes!(reopen_request))
        .routes(routes!(withdraw_request))
        .routes(routes!(transfer_request))
        .routes(routes!(hold_request))
        .routes(routes!(resume_request))
        .merge(OpenApiRouter::new().routes(routes!(add_attachment)).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)))
}

/// A new request. `fields` has the category's own shape:
///
/// - `interpretation_translation`: `{"service": "translation", "source_language", "target_languages": [],
///   "due_date"?, "text"?}` or `{"service": "interpretation", "starts_at", "place"?, "remote"?,
///   "languages": [], "hours"}`
/// - `international_exchange`: `{"partner": "sought"|"named", "partner_name"?, "country",
///   "fields_of_exchange": [], "purpose"}`
/// - `overseas_visit`: `{"delegation": [{"name","title","role"}], "destinations": [{"city","country",
///   "arrive","depart"}], "purposes": [], "meetings_wanted": []}`
/// - `information_request`: `{"question", "countries": [], "answer_needed_by"?}`
/// - `general_inquiry`: `{"question"}`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestIn {
    /// `interpretation_translation`, `international_exchange`, `overseas_visit`,
    /// `information_request` or `general_inquiry`.
    pub category: String,
    /// `urgent`, `high`, `normal` (default) or `low`.
    pub priority: Option<String>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The language of the answer (default: the requester's).
    pub language: Option<String>,
    /// The country concerned (default: the first the fields name).
    pub country: Option<String>,
    #[schema(value_type = Object)]
    #[serde(default)]
    pub fields: serde_json::Value,
    /// Values of the fields administrators added to the category.
    #[schema(value_type = Object)]
    #[serde(default)]
    pub extra: serde_json::Value,
}

/// An action on a request. Send `version` to refuse the action if the request changed since
/// you read it; what else matters depends on the action.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionIn {
    pub version: Option<i32>,
    pub reason: Option<String>,
    pub department_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub body: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClockOut {
    /// The step being timed: `register`, `assign_department`, `assign_staff`, `interim`, `final`.
    pub stage: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    /// When 80 % of the step's business time is used.
    pub warn_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub final_due_at: Option<DateTime<Utc>>,
    /// Business seconds the step is given.
    pub budget_secs: Option<i64>,
    /// While on hold, the clocks are paused with this many business seconds left.
    pub paused_remaining_secs: Option<i64>,
    pub paused_final_remaining_secs: Option<i64>,
    pub warned: bool,
    pub breached: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestOut {
    pub id: i64,
    pub reg_no: Option<String>,
    pub org_id: i64,
    pub requester_id: i64,
    pub category: String,
    pub priority: String,
    pub title: String,
    pub description: String,
    #[schema(value_type = Object)]
    pub fields: serde_json::Value,
    #[schema(value_type = Object)]
    pub extra: BTreeMap<String, serde_json::Value>,
    pub language: String,
    pub country: Option<String>,
    /// `submitted`, `registered`, `department_assigned`, `staff_assigned`, `interim_responded`,
    /// `answered`, `closed`, `on_hold` or `withdrawn`.
    pub state: String,
    /// Of the six steps, the one reached (0 before registration or off the line).
    pub step: u8,
    pub held_from: Option<String>,
    pub department_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub rating: Option<i32>,
    pub rating_comment: Option<String>,
    pub clock: ClockOut,
    /// The actions allowed from the current state.
    pub actions: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub registered_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Send it back with an action to refuse the action if someone acted meanwhile.
    pub version: i32,
}

impl From<desk::Request> for RequestOut {
    fn from(r: desk::Request) -> Self {
        RequestOut {
            id: r.id.0,
            reg_no: r.reg_no,
            org_id: r.org_id.0,
            requester_id: r.requester_id.0,
            category: r.category.as_str().into(),
            priority: r.priority.as_str().into(),
            title: r.title,
            description: r.description,
            fields: serde_json::to_value(&r.fields).unwrap_or_default(),
            extra: r.extra,
            language: r.language,
            country: r.country,
            state: r.state.as_str().into(),
            step: r.state.step(),
            held_from: r.held_from.map(|s| s.as_str().into()),
            department_id: r.department_id.map(|d| d.0),
            assignee_id: r.assignee_id.map(|a| a.0),
            rating: r.rating,
            rating_comment: r.rating_comment,
            clock: ClockOut {
                stage: r.clock.stage,
                started_at: r.clock.started_at,
                warn_at: r.clock.warn_at,
                due_at: r.clock.due_at,
                final_due_at: r.clock.final_due_at,
                budget_secs: r.clock.budget_secs,
                paused_remaining_secs: r.clock.remaining_secs,
                paused_final_remaining_secs: r.clock.final_remaining_secs,
                warned: r.clock.warned,
                breached: r.clock.breached,
            },
            actions: desk::workflow::allowed_from(r.state).iter().map(|t| t.as_str().to_string()).collect(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            registered_at: r.registered_at,
            answered_at: r.answered_at,
            closed_at: r.closed_at,
            version: r.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    pub id: i64,
    pub author_id: Option<i64>,
    pub author: String,
    /// `reply`, `note` (internal), `question`, `interim_response`, `final_response`.
    pub kind: String,
    pub internal: bool,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<desk::Message> for MessageOut {
    fn from(m: desk::Message) -> Self {
        MessageOut {
            id: m.id,
            author_id: m.author_id.map(|a| a.0),
            author: m.author,
            kind: m.kind,
            internal: m.internal,
            body: m.body,
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub internal: bool,
    pub created_at: DateTime<Utc>,
    /// Where to download it.
    pub url: String,
}

impl From<desk::Attachment> for AttachmentOut {
    fn from(a: desk::Attachment) -> Self {
        AttachmentOut {
            url: format!("/api/v1/desk/requests/{}/attachments/{}", a.request_id, a.id),
            id: a.id,
            filename: a.filename,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
            internal: a.internal,
            created_at: a.created_at,
        }
    }
}

/// A request with its conversation and files.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestDetail {
    #[serde(flatten)]
    pub request: RequestOut,
    pub messages: Vec<MessageOut>,
    pub attachments: Vec<AttachmentOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestList {
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub items: Vec<RequestOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventOut {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor: String,
    /// `created`, a transition (`register`, `hold`, …), `reply`, `note`, `attachment`,
    /// `rating`, `sla_warning`, `sla_breach`.
    pub kind: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub reason: Option<String>,
    pub internal: bool,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestQuery {
    /// `all` (default), `mine`, `my_department`, `unassigned`, `breaching_soon`, `on_hold`.
    pub queue: Option<String>,
    pub state: Option<String>,
    pub category: Option<String>,
    pub org_id: Option<i64>,
    pub department_id: Option<i64>,
    /// Text in the title, or a registration number.
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name; its extension must match its content.
    pub filename: String,
    /// Staff only: a file seen only by the desk.
    pub internal: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageIn {
    pub body: String,
    /// Staff only: an internal note, never shown to the requester.
    #[serde(default)]
    pub internal: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingIn {
    /// 1 (poor) to 5 (excellent).
    pub score: i32,
    pub comment: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CategoryFieldOut {
    pub id: i64,
    pub category: String,
    pub key: String,
    pub kind: String,
    pub required: bool,
    pub labels: BTreeMap<String, String>,
}

impl From<desk::ExtraField> for CategoryFieldOut {
    fn from(f: desk::ExtraField) -> Self {
        CategoryFieldOut {
            id: f.id,
            category: f.category.as_str().into(),
            key: f.key,
            kind: f.kind.as_str().into(),
            required: f.required,
            labels: f.labels,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryFieldIn {
    /// Lower-case letters, digits and `_`.
    pub key: String,
    /// `text`, `number`, `date` or `boolean`.
    pub kind: String,
    #[serde(default)]
    pub required: bool,
    /// Label by locale tag.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

fn parse_opt<T>(
    ctx: &Ctx,
    field: &'static str,
    raw: Option<&str>,
    parse: impl Fn(&str) -> Result<T, glocal_core::ErrorCode>,
) -> ApiResult<Option<T>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse(s).map(Some).map_err(|c| ApiError::new(glocal_core::Error::field(field, c), ctx.locale)),
    }
}

/// Requests the caller may see: a requester sees their organisation's, the desk sees all.
/// Open requests come first by due time.
#[utoipa::path(get, path = "/api/v1/desk/requests", operation_id = "listRequests", tag = "desk",
    params(RequestQuery),
    responses((status = 200, body = RequestList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_requests(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<RequestQuery>,
) -> ApiResult<Json<RequestList>> {
    let call = Call::new(&state, &ctx);
    let filter = RequestFilter {
        queue: parse_opt(&ctx, "queue", q.queue.as_deref(), Queue::parse)?.unwrap_or_default(),
        state: parse_opt(&ctx, "state", q.state.as_deref(), desk::State::parse)?,
        category: parse_opt(&ctx, "category", q.category.as_deref(), Category::parse)?,
        org: q.org_id.map(OrgId),
        department: q.department_id.map(OrgId),
        q: q.q,
        page: PageRequest::new(q.page, q.per_page),
    };
    let page = desk::list(&call.scope(), filter).await.map_err(call.err())?;
    Ok(Json(RequestList {
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// Opens a request in the caller's organisation (requesters). It starts `submitted`.
#[utoipa::path(post, path = "/api/v1/desk/requests", operation_id = "createRequest", tag = "desk",
    request_body = RequestIn,
    responses((status = 201, body = RequestOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_request(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<RequestIn>,
) -> ApiResult<(StatusCode, Json<RequestOut>)> {
    let call = Call::new(&state, &ctx);
    let input = desk::NewRequest {
        category: body.category,
        priority: body.priority,
        title: body.title,
        description: body.description,
        language: body.language,
        country: body.country,
        fields: body.fields,
        extra: body.extra,
    };
    let r = desk::create(&call.scope(), input).await.map_err(call.err())?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// One request with its conversation and files (internal notes for the desk only).
#[utoipa::path(get, path = "/api/v1/desk/requests/{id}", operation_id = "getRequest", tag = "desk",
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 200, body = RequestDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_request(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Json<RequestDetail>> {
    let call = Call::new(&state, &ctx);
    let scope = call.scope();
    let id = RequestId(id);
    let r = desk::get(&scope, id).await.map_err(call.err())?;
    let messages = desk::messages(&scope, id).await.map_err(call.err())?;
    let attachments = desk::attachments(&scope, id).await.map_err(call.err())?;
    Ok(Json(RequestDetail {
        request: r.into(),
        messages: messages.into_iter().map(Into::into).collect(),
        attachments: attachments.into_iter().map(Into::into).collect(),
    }))
}

/// The timeline: every step with its time, actor and reason, messages, files, ratings and
/// SLA warnings.
#[utoipa::path(get, path = "/api/v1/desk/requests/{id}/events", operation_id = "listRequestEvents", tag = "desk",
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 200, body = Vec<EventOut>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_request_events(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<EventOut>>> {
    let call = Call::new(&state, &ctx);
    let events = desk::events(&call.scope(), RequestId(id)).await.map_err(call.err())?;
    Ok(Json(
        events
            .into_iter()
            .map(|e| EventOut {
                id: e.id,
                at: e.at,
                actor_id: e.actor_id.map(|a| a.0),
                actor: e.actor,
                kind: e.kind,
                from_state: e.from_state,
                to_state: e.to_state,
                reason: e.reason,
                internal: e.internal,
                details: e.details,
            })
            .collect(),
    ))
}

/// Adds a public reply or (the desk only) an internal note. A requester's reply resumes a
/// request on hold.
#[utoipa::path(post, path = "/api/v1/desk/requests/{id}/messages", operation_id = "addMessage", tag = "desk",
    params(("id" = i64, Path, description = "Request id")), request_body = MessageIn,
    responses((status = 201, body = MessageOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_message(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<MessageIn>,
) -> ApiResult<(StatusCode, Json<MessageOut>)> {
    let call = Call::new(&state, &ctx);
    let input = desk::NewMessage { body: body.body, internal: body.internal };
    let m = desk::add_message(&call.scope(), RequestId(id), input).await.map_err(call.err())?;
    Ok((StatusCode::CREATED, Json(m.into())))
}

/// Attaches a file: send its bytes as the body and its name as `filename`. PDF, images, text,
/// CSV, Office and Hangul documents are accepted, recognised by their content.
#[utoipa::path(post, path = "/api/v1/desk/requests/{id}/attachments", operation_id = "addAttachment", tag = "desk",
    params(("id" = i64, Path, description = "Request id"), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = AttachmentOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_attachment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<AttachmentOut>)> {
    let call = Call::new(&state, &ctx);
    let a = desk::add_attachment(&call.scope(), RequestId(id), &q.filename, &body, q.internal.unwrap_or(false))
        .await
        .map_err(call.err())?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

/// Downloads an attachment, always as a download (never shown inline).
#[utoipa::path(get, path = "/api/v1/desk/requests/{id}/attachments/{attachment_id}", operation_id = "getAttachment",
    tag = "desk",
    params(("id" = i64, Path, description = "Request id"), ("attachment_id" = i64, Path, description = "Attachment id")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_attachment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, attachment_id)): Path<(i64, i64)>,
) -> ApiResult<Response> {
    let call = Call::new(&state, &ctx);
    let (a, bytes) = desk::attachment(&call.scope(), RequestId(id), attachment_id).await.map_err(call.err())?;
    Ok(download(&a, bytes))
}

/// A file as a download: its stored type, `attachment` disposition with the name encoded per
/// RFC 6266, no sniffing, no caching by shared caches.
pub(crate) fn download(a: &desk::Attachment, bytes: Vec<u8>) -> Response {
    download_named(&a.filename, &a.content_type, bytes)
}

/// [`download`] of any stored file.
pub(crate) fn download_named(filename: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let ascii: String =
        filename.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' }).collect();
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res
}

/// The requester rates the final response, 1 to 5 with a comment.
#[utoipa::path(post, path = "/api/v1/desk/requests/{id}/rating", operation_id = "rateRequest", tag = "desk",
    params(("id" = i64, Path, description = "Request id")), request_body = RatingIn,
    responses((status = 200, body = RequestOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn rate_request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RatingIn>,
) -> ApiResult<Json<RequestOut>> {
    let call = Call::new(&state, &ctx);
    let r = desk::rate(&call.scope(), RequestId(id), body.score, body.comment).await.map_err(call.err())?;
    Ok(Json(r.into()))
}

/// The fields administrators added to a category.
#[utoipa::path(get, path = "/api/v1/desk/categories/{category}/fields", operation_id = "listCategoryFields", tag = "desk",
    params(("category" = String, Path, description = "Category")),
    responses((status = 200, body = Vec<CategoryFieldOut>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_category_fields(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(category): Path<String>,
) -> ApiResult<Json<Vec<CategoryFieldOut>>> {
    let call = Call::new(&state, &ctx);
    let cat = Category::parse(&category).map_err(|_| ApiError::new(glocal_core::Error::NotFound, ctx.locale))?;
    let fields = desk::category_fields(&call.scope(), cat).await.map_err(call.err())?;
    Ok(Json(fields.into_iter().map(Into::into).collect()))
}

/// Adds a field to a category without a code change (administrators).
#[utoipa::path(post, path = "/api/v1/desk/categories/{category}/fields", operation_id = "addCategoryField", tag = "desk",
    params(("category" = String, Path, description = "Category")), request_body = CategoryFieldIn,
    responses((status = 201, body = CategoryFieldOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_category_field(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(category): Path<String>,
    ApiJson(body): ApiJson<CategoryFieldIn>,
) -> ApiResult<(StatusCode, Json<CategoryFieldOut>)> {
    let call = Call::new(&state, &ctx);
    let cat = Category::parse(&category).map_err(|_| ApiError::new(glocal_core::Error::NotFound, ctx.locale))?;
    let input = desk::NewExtraField { key: body.key, kind: body.kind, required: body.required, labels: body.labels };
    let f = desk::add_category_field(&call.scope(), cat, input).await.map_err(call.err())?;
    Ok((StatusCode::CREATED, Json(f.into())))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HolidayOut {
    pub day: chrono::NaiveDate,
    pub name: String,
    /// Shipped with Glocal (Korea's public holidays 2025–2030), not imported.
    pub builtin: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedHolidays {
    /// Days added (days already in the calendar are kept).
    pub added: usize,
}

/// The holidays of a calendar: a country (`KR`) or an association unit (`OFF-JP`).
#[utoipa::path(get, path = "/api/v1/desk/calendars/{calendar}/holidays", operation_id = "listHolidays", tag = "desk",
    params(("calendar" = String, Path, description = "Country code or unit code")),
    responses((status = 200, body = Vec<HolidayOut>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_holidays(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(calendar): Path<String>,
) -> ApiResult<Json<Vec<HolidayOut>>> {
    let call = Call::new(&state, &ctx);
    let days = desk::holidays(&call.scope(), &calendar).await.map_err(call.err())?;
    Ok(Json(days.into_iter().map(|h| HolidayOut { day: h.day, name: h.name, builtin: h.builtin }).collect()))
}

/// Imports the all-day events of an iCalendar file (the body, `text/calendar`) as holidays
/// (desk managers, administrators).
#[utoipa::path(post, path = "/api/v1/desk/calendars/{calendar}/holidays", operation_id = "importHolidays", tag = "desk",
    params(("calendar" = String, Path, description = "Country code or unit code")),
    request_body(content = String, content_type = "text/calendar"),
    responses((status = 200, body = ImportedHolidays), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_holidays(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(calendar): Path<String>,
    body: Bytes,
) -> ApiResult<Json<ImportedHolidays>> {
    let call = Call::new(&state, &ctx);
    let text = String::from_utf8_lossy(&body);
    let added = desk::import_holidays(&call.scope(), &calendar, &text).await.map_err(call.err())?;
    Ok(Json(ImportedHolidays { added }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoutingRuleOut {
    pub id: i64,
    pub position: i32,
    pub category: Option<String>,
    pub country: Option<String>,
    pub language: Option<String>,
    /// The department or overseas office requests go to.
    pub target_id: i64,
    /// When the target is closed, send to an open unit with the skill instead.
    pub follow_the_sun: bool,
    pub active: bool,
}

impl From<desk::routing::Rule> for RoutingRuleOut {
    fn from(r: desk::routing::Rule) -> Self {
        RoutingRuleOut {
            id: r.id,
            position: r.position,
            category: r.category.map(|c| c.as_str().to_string()),
            country: r.country,
            language: r.language,
            target_id: r.target_id.0,
            follow_the_sun: r.follow_the_sun,
            active: r.active,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingRuleIn {
    /// Order in which rules are tried (default: last).
    pub position: Option<i32>,
    /// Conditions; an absent one matches anything.
    pub category: Option<String>,
    pub country: Option<String>,
    pub language: Option<String>,
    pub target_id: i64,
    #[serde(default)]
    pub follow_the_sun: bool,
}

/// The routing rules in the order they are tried (desk staff).
#[utoipa::path(get, path = "/api/v1/desk/routing-rules", operation_id = "listRoutingRules", tag = "desk",
    responses((status = 200, body = Vec<RoutingRuleOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_routing_rules(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<RoutingRuleOut>>> {
    let call = Call::new(&state, &ctx);
    let rules = desk::routing::rules(&call.scope()).await.map_err(call.err())?;
    Ok(Json(rules.into_iter().map(Into::into).collect()))
}

/// Adds a routing rule: category, country and language → department or office
/// (administrators).
#[utoipa::path(post, path = "/api/v1/desk/routing-rules", operation_id = "createRoutingRule", tag = "desk",
    request_body = RoutingRuleIn,
    responses((status = 201, body = RoutingRuleOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create_routing_rule(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(body): ApiJson<RoutingRuleIn>,
) -> ApiResult<(StatusCode, Json<RoutingRuleOut>)> {
    let call = Call::new(&state, &ctx);
    let input = desk::routing::NewRule {
        position: body.position,
        category: body.category,
        country: body.country,
        language: body.language,
        target_id: body.target_id,
        follow_the_sun: body.follow_the_sun,
    };
    let rule = desk::routing::create_rule(&call.scope(), input).await.map_err(call.err())?;
    Ok((StatusCode::CREATED, Json(rule.into())))
}

/// Removes a routing rule (administrators).
#[utoipa::path(delete, path = "/api/v1/desk/routing-rules/{id}", operation_id = "deleteRoutingRule", tag = "desk",
    params(("id" = i64, Path, description = "Rule id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_routing_rule(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    let call = Call::new(&state, &ctx);
    desk::routing::delete_rule(&call.scope(), id).await.map_err(call.err())?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaveIn {
    pub first_day: chrono::NaiveDate,
    pub last_day: chrono::NaiveDate,
}

/// Records a staff member's leave, so that auto-assignment passes them by (desk managers).
#[utoipa::path(post, path = "/api/v1/desk/staff/{user_id}/leave", operation_id = "addLeave", tag = "desk",
    params(("user_id" = i64, Path, description = "Staff member")), request_body = LeaveIn,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn add_leave(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(user_id): Path<i64>,
    ApiJson(body): ApiJson<LeaveIn>,
) -> ApiResult<StatusCode> {
    let call = Call::new(&state, &ctx);
    desk::routing::add_leave(&call.scope(), glocal_core::ids::UserId(user_id), body.first_day, body.last_day)
        .await
        .map_err(call.err())?;
    Ok(StatusCode::NO_CONTENT)
}

async fn act(state: &AppState, ctx: &Ctx, id: i64, t: Transition, body: ActionIn) -> ApiResult<Json<RequestOut>> {
    let call = Call::new(state, ctx);
    let input = desk::ActionInput {
        version: body.version,
        reason: body.reason,
        department_id: body.department_id,
        assignee_id: body.assignee_id,
        body: body.body,
    };
    let r = desk::act(&call.scope(), RequestId(id), t, input).await.map_err(call.err())?;
    Ok(Json(r.into()))
}

/// Registers a submitted request: issues its registration number (`2026-000123`).
#[utoipa::path(post, path = "/api/v1/desk/requests/{id}/register", operation_id = "registerRequest", tag = "desk",
    params(("id" = i64, Path, description = "Request id")), request_body = ActionIn,
    responses((status = 200, body = RequestOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Not allowed from the current state, or the request changed meanwhile", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn register_request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ActionIn>,
) -> ApiResult<Json<RequestOut>> {
    act(&state, &ctx, id, Transition::Register, body).await
}

/// Gives a registered request to a department or overseas office (`department_id`).
#[utoipa::path(post, path = "/api/v1/desk/requests/{id}/assign-department", operation_id = "assignDepartment", tag = "desk",
    params(("id" = i64, Path, description = "Request id")), request_body = ActionIn,
    responses((status = 200, body = RequestOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Not allowed from the current state, or the request changed meanwhile", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn assign_department(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ActionIn>,
) -> ApiResult<Json<RequestOut>> {
    act(&state, &ctx, id, Transition::AssignDepartment, body).await
}

/// Gives the request to a staff member (`assignee_id`); managers may reassign.
#[utoipa::path(post, path = "/api/v1/desk/requests/{id}/assign-staff", operation_id = "assignStaff", tag = "desk",
    params(("id" = i64, Path, description = "Request id")), request_body = ActionIn,
    responses((status = 200, body = RequestOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Not allowed from the current state, or the request changed meanwhile", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn assign_staff(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ActionIn>,
) -> ApiResult<Json<RequestOut>> {
    act(&state, &ctx, id, Transition::AssignStaff, body).await
}

/// Sends an interim response (`body`) when the request cannot be completed at once; may be sent again.
#[utoipa::path(post, path = "/api/v1/desk/requests/{id}/interim-response", operation_id = "sendInterimResponse", tag = "desk",
    params(("id" = i64, Path, description = "Request id")), request_body = ActionIn,
    responses((status = 200, body = RequestOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Not allowed from the current state, or the request changed meanwhile", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn send_interim_response(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ActionIn>,
) -> ApiResult<Json<RequestOut>> {
    act(&state, &ctx, id, Transition::InterimResponse, body).await
}

/// Sends the final response (`body`).
#[utoipa::path(post, path = "/api/v1/desk/requests/{id}/final-response", operation_id = "sendFinalResponse", tag = "desk",
    params(("id" = i64, Path, description = "Request id")), request_body = ActionIn,
    responses((status = 200, body = RequestOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Not allowed from the current state, or the request changed meanwhile", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn send_final_response(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ActionIn>,
) -> ApiResult<Json<RequestOut>> {
    act(&state, &ctx, id, Transition::FinalResponse, body).await
}

/// Closes an answered request (the requester confirms the answer).
#[utoipa::path(post, path = "/api/v1/desk/requests/{id}/close", operation_id = "closeRequest", tag = "desk",
    params(("id" = i64, Path, description = "Request id")), request_body = ActionIn,
    responses((status = 200, body = RequestOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Not allowed from the current state, or the request changed meanwhile", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn close_request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ActionIn>,
) -> ApiResult<Json<RequestOut>> {
    act(&state, &ctx, id, Transition::Close, body).await
}

/// Reopens an answered or closed request within the reopening window.
#[utoipa::path(post, path = "/api/v1/desk/requests/{id}/reopen", operation_id = "reopenRequest", tag = "desk",
    params(("id" = i64, Path, description = "Request id")), request_body = ActionIn,
    responses((status = 200, body = RequestOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Not allowed from the current state, or the request changed meanwhile", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn reopen_request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ActionIn>,
) -> ApiResult<Json<RequestOut>> {
    act(&state, &ctx, id, Transition::Reopen, body).await
}

/// Withdraws an open request (the requester).
#[utoipa::path(post, path = "/api/v1/desk/requests/{id}/withdraw", operation_id = "withdrawRequest", tag = "desk",
    params(("id" = i64, Path, description = "Request id")), request_body = ActionIn,
    responses((status = 200, body = RequestOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Not allowed from the current state, or the request changed meanwhile", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn withdraw_request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ActionIn>,
) -> ApiResult<Json<RequestOut>> {
    act(&state, &ctx, id, Transition::Withdraw, body).await
}

/// Transfers the request to another department or office (`department_id`); it waits for a new assignee there.
#[utoipa::path(post, path = "/api/v1/desk/requests/{id}/transfer", operation_id = "transferRequest", tag = "desk",
    params(("id" = i64, Path, description = "Request id")), request_body = ActionIn,
    responses((status = 200, body = RequestOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Not allowed from the current state, or the request changed meanwhile", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn transfer_request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ActionIn>,
) -> ApiResult<Json<RequestOut>> {
    act(&state, &ctx, id, Transition::Transfer, body).await
}

/// Puts the request on hold, asking the requester a question (`body` or `reason`); its clocks pause.
#[utoipa::path(post, path = "/api/v1/desk/requests/{id}/hold", operation_id = "holdRequest", tag = "desk",
    params(("id" = i64, Path, description = "Request id")), request_body = ActionIn,
    responses((status = 200, body = RequestOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Not allowed from the current state, or the request changed meanwhile", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn hold_request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ActionIn>,
) -> ApiResult<Json<RequestOut>> {
    act(&state, &ctx, id, Transition::Hold, body).await
}

/// Resumes a request on hold; its clocks run again.
#[utoipa::path(post, path = "/api/v1/desk/requests/{id}/resume", operation_id = "resumeRequest", tag = "desk",
    params(("id" = i64, Path, description = "Request id")), request_body = ActionIn,
    responses((status = 200, body = RequestOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Not allowed from the current state, or the request changed meanwhile", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn resume_request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ActionIn>,
) -> ApiResult<Json<RequestOut>> {
    act(&state, &ctx, id, Transition::Resume, body).await
}
