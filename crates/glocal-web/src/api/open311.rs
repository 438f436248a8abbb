//! Open311 GeoReport v2 (<https://wiki.open311.org/GeoReport_v2/>) onto the desk, so existing
//! Open311 clients can file and follow requests.
//!
//! Services are the desk's five categories; a service request is a desk request, created and
//! read through the same domain functions as the JSON API (so a requester sees only their own
//! organisation's). Every document comes as `.json` or `.xml` with the spec's element names;
//! errors are the spec's `<errors><error><code>…</code><description>…</description></error></errors>`
//! or its JSON array. The caller is the Glocal API token given as `api_key` or as
//! `Authorization: Bearer`. Coordinates and addresses are not kept by the desk: an
//! `address_string` is added to the description, and `lat`/`long` are answered empty.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use glocal_core::desk::{self, Category, RequestFilter, RequestId, State as DeskState};
use glocal_core::paging::PageRequest;
use glocal_core::{Actor, Error, ErrorCode};
use serde_json::{Map, Value, json};
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;
use crate::ctx::Ctx;
use crate::i18n::Tr;

/// Routed from the API router, outside the OpenAPI document (Open311 has its own spec).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route("/open311/v2/{file}", get(top_get).post(create_request))
        .route("/open311/v2/services/{file}", get(service_definition))
        .route("/open311/v2/requests/{file}", get(get_request))
}

// ---- documents: one tree, written as JSON or XML ----

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

/// A value of a document: text, a number, a flag, nothing, or a list of records under an
/// element name (XML) that is an array in JSON.
enum V {
    S(String),
    N(i64),
    B(bool),
    Null,
    List(&'static str, Vec<Rec>),
}

type Rec = Vec<(&'static str, V)>;

fn s(v: impl Into<String>) -> V {
    V::S(v.into())
}

fn opt(v: Option<String>) -> V {
    v.map_or(V::Null, V::S)
}

fn rec_json(rec: Rec) -> Value {
    let mut m = Map::new();
    for (k, v) in rec {
        m.insert(k.into(), val_json(v));
    }
    Value::Object(m)
}

fn val_json(v: V) -> Value {
    match v {
        V::S(s) => Value::String(s),
        V::N(n) => json!(n),
        V::B(b) => Value::Bool(b),
        V::Null => Value::Null,
        V::List(_, items) => Value::Array(items.into_iter().map(rec_json).collect()),
    }
}

/// Escapes text for an XML element's content, dropping characters XML 1.0 cannot carry.
fn xml_escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

fn rec_xml(out: &mut String, name: &str, rec: Rec) {
    out.push_str(&format!("<{name}>"));
    for (k, v) in rec {
        match v {
            V::Null => out.push_str(&format!("<{k}/>")),
            V::List(item, items) => {
                out.push_str(&format!("<{k}>"));
                for r in items {
                    rec_xml(out, item, r);
                }
                out.push_str(&format!("</{k}>"));
            }
            V::S(s) => {
                out.push_str(&format!("<{k}>"));
                xml_escape(out, &s);
                out.push_str(&format!("</{k}>"));
            }
            V::N(n) => out.push_str(&format!("<{k}>{n}</{k}>")),
            V::B(b) => out.push_str(&format!("<{k}>{b}</{k}>")),
        }
    }
    out.push_str(&format!("</{name}>"));
}

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";

/// A list document: `<root><item>…</item>…</root>` or a JSON array.
fn list_doc(format: Format, status: StatusCode, root: &str, item: &str, items: Vec<Rec>) -> Response {
    match format {
        Format::Json => (status, axum::Json(Value::Array(items.into_iter().map(rec_json).collect()))).into_response(),
        Format::Xml => {
            let mut out = String::from(XML_HEAD);
            out.push_str(&format!("<{root}>"));
            for r in items {
                rec_xml(&mut out, item, r);
            }
            out.push_str(&format!("</{root}>"));
            xml_response(status, out)
        }
    }
}

/// A single-record document: `<root>…</root>` or a JSON object.
fn one_doc(format: Format, root: &str, rec: Rec) -> Response {
    match format {
        Format::Json => axum::Json(rec_json(rec)).into_response(),
        Format::Xml => {
            let mut out = String::from(XML_HEAD);
            rec_xml(&mut out, root, rec);
            xml_response(StatusCode::OK, out)
        }
    }
}

fn xml_response(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml; charset=utf-8"));
    r
}

// ---- errors ----

/// A refusal in the spec's shape: one or more `(code, description)`, the HTTP status being the
/// first code.
struct Refusal {
    format: Format,
    status: StatusCode,
    errors: Vec<String>,
}

impl Refusal {
    fn new(format: Format, status: StatusCode, description: String) -> Refusal {
        Refusal { format, status, errors: vec![description] }
    }

    /// A domain error in Open311's terms: unseen and unknown records are 404, refusals of who
    /// you are 403, input errors 400 naming each field.
    fn from_domain(format: Format, tr: &Tr, e: Error) -> Refusal {
        let status = match &e {
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::Unauthenticated | Error::Forbidden => StatusCode::FORBIDDEN,
            Error::Invalid(_) => StatusCode::BAD_REQUEST,
            Error::Internal(err) => {
                tracing::error!(error = ?err, "internal error");
                StatusCode::INTERNAL_SERVER_ERROR
            }
            other => {
                let s = crate::error::status_of(other.code());
                if s.is_client_error() { StatusCode::BAD_REQUEST } else { s }
            }
        };
        let errors = match e.field_errors() {
            [] => vec![tr.error(e.code())],
            fields => fields.iter().map(|f| format!("{}: {}", open311_field(&f.field), tr.error(f.code))).collect(),
        };
        Refusal { format, status, errors }
    }
}

/// Field names of the desk as an Open311 client sent them.
fn open311_field(field: &str) -> String {
    match field.strip_prefix("fields.") {
        Some(f) => format!("attribute[{f}]"),
        None if field == "title" => "description".into(),
        None => field.into(),
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let code = i64::from(self.status.as_u16());
        let items = self.errors.into_iter().map(|d| vec![("code", V::N(code)), ("description", V::S(d))]).collect();
        list_doc(self.format, self.status, "errors", "error", items)
    }
}

type O311<T> = Result<T, Refusal>;

/// Splits `services.json` into its stem and format; anything but `.json` and `.xml` is 404.
fn split_file(tr: &Tr, file: &str) -> O311<(String, Format)> {
    let (stem, ext) = file.rsplit_once('.').unwrap_or((file, ""));
    let format = match ext.to_ascii_lowercase().as_str() {
        "json" => Format::Json,
        "xml" => Format::Xml,
        _ => return Err(Refusal::new(Format::Json, StatusCode::NOT_FOUND, tr.t("open311-error-format"))),
    };
    Ok((stem.to_string(), format))
}

/// Query or form parameters, in order, repeated keys kept.
fn params(raw: &[u8]) -> Vec<(String, String)> {
    serde_html_form::from_bytes::<Vec<(String, String)>>(raw).unwrap_or_default()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
}

/// The caller: the bearer token's user, else the `api_key` token's; a missing or unknown key is
/// 403 as the spec has it.
async fn caller(state: &AppState, ctx: &Ctx, tr: &Tr, format: Format, api_key: Option<&str>) -> O311<Actor> {
    let refuse = || Refusal::new(format, StatusCode::FORBIDDEN, tr.t("open311-error-api-key"));
    if ctx.via_bearer {
        return match &ctx.actor {
            Actor::Anonymous => Err(refuse()),
            a => Ok(a.clone()),
        };
    }
    let key = api_key.ok_or_else(refuse)?;
    match glocal_core::accounts::auth::user_from_token(&state.core, key).await {
        Ok(Some(u)) => Ok(u.actor()),
        Ok(None) => Err(refuse()),
        Err(e) => Err(Refusal::from_domain(format, tr, e)),
    }
}

// ---- services ----

/// How an attribute's text becomes a desk field.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    /// Comma-separated (or repeated `attribute[code][]`) values.
    List,
    Number,
    Flag,
    /// A JSON array of objects.
    Json,
    Date,
    /// One of the given values.
    Choice(&'static [&'static str]),
}

struct Attribute {
    code: &'static str,
    kind: Kind,
    required: bool,
    /// Filled from the request's `description` when not given.
    from_description: bool,
}

const fn attr(code: &'static str, kind: Kind, required: bool) -> Attribute {
    Attribute { code, kind, required, from_description: false }
}

const fn described(code: &'static str) -> Attribute {
    Attribute { code, kind: Kind::Text, required: true, from_description: true }
}

use Kind::*;

const LANGUAGE_SERVICE: &[Attribute] = &[
    attr("service", Choice(&["translation", "interpretation"]), true),
    attr("source_language", Text, false),
    attr("target_languages", List, false),
    attr("due_date", Date, false),
    attr("text", Text, false),
    attr("starts_at", Date, false),
    attr("place", Text, false),
    attr("remote", Flag, false),
    attr("languages", List, false),
    attr("hours", Number, false),
];
const EXCHANGE: &[Attribute] = &[
    attr("partner", Choice(&["sought", "named"]), true),
    attr("partner_name", Text, false),
    attr("country", Text, true),
    attr("fields_of_exchange", List, true),
    described("purpose"),
];
const VISIT: &[Attribute] = &[
    attr("delegation", Json, true),
    attr("destinations", Json, true),
    attr("purposes", List, true),
    attr("meetings_wanted", List, false),
];
const INFORMATION: &[Attribute] =
    &[described("question"), attr("countries", List, true), attr("answer_needed_by", Date, false)];
const INQUIRY: &[Attribute] = &[described("question")];

/// The attributes of each service: the category's own fields.
fn attributes(category: Category) -> &'static [Attribute] {
    match category {
        Category::InterpretationTranslation => LANGUAGE_SERVICE,
        Category::InternationalExchange => EXCHANGE,
        Category::OverseasVisit => VISIT,
        Category::InformationRequest => INFORMATION,
        Category::GeneralInquiry => INQUIRY,
    }
}

fn service_rec(tr: &Tr, c: Category) -> Rec {
    vec![
        ("service_code", s(c.as_str())),
        ("service_name", s(tr.t(&format!("open311-service-{}", c.as_str())))),
        ("description", s(tr.t(&format!("open311-service-{}-description", c.as_str())))),
        ("metadata", V::B(true)),
        ("type", s("realtime")),
        ("keywords", s(c.as_str().replace('_', ","))),
        ("group", s("desk")),
    ]
}

/// `GET services.{fmt}` (the services) and `GET requests.{fmt}` (the service requests).
async fn top_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> O311<Response> {
    let tr = Tr::new(ctx.locale);
    let (stem, format) = split_file(&tr, &file)?;
    match stem.as_str() {
        "services" => {
            let items = Category::ALL.iter().map(|c| service_rec(&tr, *c)).collect();
            Ok(list_doc(format, StatusCode::OK, "services", "service", items))
        }
        "requests" => list_requests(&state, &ctx, &tr, format, &params(query.unwrap_or_default().as_bytes())).await,
        _ => Err(Refusal::from_domain(format, &tr, Error::NotFound)),
    }
}

/// `GET services/{code}.{fmt}`: the service definition.
async fn service_definition(ctx: Ctx, Path(file): Path<String>) -> O311<Response> {
    let tr = Tr::new(ctx.locale);
    let (code, format) = split_file(&tr, &file)?;
    let category = Category::parse(&code)
        .map_err(|_| Refusal::new(format, StatusCode::NOT_FOUND, tr.t("open311-error-service-code")))?;
    let attributes = attributes(category)
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let (datatype, hint, values): (&str, Option<String>, Vec<Rec>) = match a.kind {
                Kind::Text => (if a.from_description { "text" } else { "string" }, None, vec![]),
                Kind::List => ("string", Some(tr.t("open311-hint-list")), vec![]),
                Kind::Number => ("number", None, vec![]),
                Kind::Flag => ("singlevaluelist", None, bool_values()),
                Kind::Json => ("text", Some(tr.t("open311-hint-json")), vec![]),
                Kind::Date => ("datetime", Some(tr.t("open311-hint-date")), vec![]),
                Kind::Choice(choices) => {
                    ("singlevaluelist", None, choices.iter().map(|c| vec![("key", s(*c)), ("name", s(*c))]).collect())
                }
            };
            let mut r: Rec = vec![
                ("variable", V::B(true)),
                ("code", s(a.code)),
                ("datatype", s(datatype)),
                // Filled from the description, so a client need not send it.
                ("required", V::B(a.required && !a.from_description)),
                ("datatype_description", opt(hint)),
                ("order", V::N(i as i64 + 1)),
                ("description", s(a.code)),
            ];
            if !values.is_empty() {
                r.push(("values", V::List("value", values)));
            }
            r
        })
        .collect();
    Ok(one_doc(
        format,
        "service_definition",
        vec![("service_code", s(category.as_str())), ("attributes", V::List("attribute", attributes))],
    ))
}

fn bool_values() -> Vec<Rec> {
    vec![vec![("key", s("true")), ("name", s("true"))], vec![("key", s("false")), ("name", s("false"))]]
}

// ---- requests ----

/// The values given for `attribute[code]` (and `attribute[code][]`), in order.
fn attribute_values<'a>(params: &'a [(String, String)], code: &str) -> Vec<&'a str> {
    let (one, many) = (format!("attribute[{code}]"), format!("attribute[{code}][]"));
    params.iter().filter(|(k, _)| *k == one || *k == many).map(|(_, v)| v.trim()).filter(|v| !v.is_empty()).collect()
}

/// The desk fields of a category from Open311 attributes; a malformed value is a 400 naming it.
fn fields_from(category: Category, params: &[(String, String)], description: &str) -> Result<Value, Error> {
    let mut fields = Map::new();
    for a in attributes(category) {
        let values = attribute_values(params, a.code);
        let value = match (a.kind, values.as_slice()) {
            (_, []) if a.from_description => Some(Value::String(description.into())),
            (Kind::List, []) => Some(Value::Array(vec![])),
            (_, []) => None,
            (Kind::List, vs) => Some(Value::Array(
                vs.iter()
                    .flat_map(|v| v.split(','))
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(Value::from)
                    .collect(),
            )),
            (Kind::Number, [v, ..]) => Some(json!(
                v.parse::<f64>().map_err(|_| Error::field(format!("fields.{}", a.code), ErrorCode::InvalidBody))?
            )),
            (Kind::Flag, [v, ..]) => Some(Value::Bool(matches!(*v, "true" | "1" | "yes" | "on"))),
            (Kind::Json, [v, ..]) => Some(
                serde_json::from_str(v)
                    .map_err(|_| Error::field(format!("fields.{}", a.code), ErrorCode::InvalidBody))?,
            ),
            (_, [v, ..]) => Some(Value::String((*v).to_string())),
        };
        if let Some(v) = value {
            fields.insert(a.code.into(), v);
        }
    }
    Ok(Value::Object(fields))
}

/// The other parameters of the spec that the desk does not keep as such.
const STANDARD_PARAMS: &[&str] = &[
    "api_key",
    "jurisdiction_id",
    "service_code",
    "description",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "media_url",
];

/// `POST requests.{fmt}`: files a desk request in the caller's organisation.
async fn create_request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(file): Path<String>,
    body: Bytes,
) -> O311<Response> {
    let tr = Tr::new(ctx.locale);
    let (stem, format) = split_file(&tr, &file)?;
    if stem != "requests" {
        return Err(Refusal::from_domain(format, &tr, Error::NotFound));
    }
    let params = params(&body);
    let actor = caller(&state, &ctx, &tr, format, param(&params, "api_key")).await?;
    let category = match param(&params, "service_code") {
        None => return Err(Refusal::from_domain(format, &tr, Error::field("service_code", ErrorCode::ValueRequired))),
        Some(code) => Category::parse(code)
            .map_err(|_| Refusal::new(format, StatusCode::BAD_REQUEST, tr.t("open311-error-service-code")))?,
    };
    let mut description = param(&params, "description").unwrap_or_default().to_string();
    if let Some(address) = param(&params, "address_string") {
        description = format!("{description}\n\n{address}").trim().to_string();
    }
    // Open311 has no title: the description's first line stands for one.
    let title: String = description.lines().next().unwrap_or_default().chars().take(120).collect();
    let fields = fields_from(category, &params, &description).map_err(|e| Refusal::from_domain(format, &tr, e))?;
    // Attributes that are not the category's own are the fields administrators added.
    let own: Vec<&str> = attributes(category).iter().map(|a| a.code).collect();
    let mut extra = Map::new();
    for (k, v) in &params {
        if let Some(code) = k.strip_prefix("attribute[").and_then(|k| k.strip_suffix(']'))
            && !own.contains(&code)
            && !STANDARD_PARAMS.contains(&code)
        {
            extra.insert(code.to_string(), Value::String(v.clone()));
        }
    }
    let input = desk::NewRequest {
        category: category.as_str().into(),
        title,
        description,
        fields,
        extra: Value::Object(extra),
        ..Default::default()
    };
    let scope = state.core.scope(&actor, &ctx.origin);
    let r = desk::create(&scope, input).await.map_err(|e| Refusal::from_domain(format, &tr, e))?;
    let rec = vec![
        ("service_request_id", s(service_request_id(&r))),
        ("service_notice", s(tr.t("open311-notice"))),
        ("account_id", V::Null),
    ];
    Ok(list_doc(format, StatusCode::CREATED, "service_requests", "request", vec![rec]))
}

/// The registration number once issued, else the request's id.
fn service_request_id(r: &desk::Request) -> String {
    r.reg_no.clone().unwrap_or_else(|| r.id.to_string())
}

fn is_closed(state: DeskState) -> bool {
    matches!(state, DeskState::Answered | DeskState::Closed | DeskState::Withdrawn)
}

fn request_rec(tr: &Tr, r: desk::Request) -> Rec {
    let expected = r.clock.final_due_at.or(r.clock.due_at).filter(|_| !is_closed(r.state));
    let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    vec![
        ("service_request_id", s(service_request_id(&r))),
        ("status", s(if is_closed(r.state) { "closed" } else { "open" })),
        ("status_notes", s(tr.t(&format!("open311-state-{}", r.state.as_str())))),
        ("service_name", s(tr.t(&format!("open311-service-{}", r.category.as_str())))),
        ("service_code", s(r.category.as_str())),
        ("description", s(r.description)),
        ("agency_responsible", V::Null),
        ("service_notice", V::Null),
        ("requested_datetime", s(stamp(r.created_at))),
        ("updated_datetime", s(stamp(r.updated_at))),
        ("expected_datetime", opt(expected.map(stamp))),
        ("address", V::Null),
        ("address_id", V::Null),
        ("zipcode", V::Null),
        ("lat", V::Null),
        ("long", V::Null),
        ("media_url", V::Null),
    ]
}

/// Finds a request by its registration number (`2026-000123`) or id, among those the actor
/// may see.
async fn find(scope: &glocal_core::Scope<'_>, key: &str) -> Result<desk::Request, Error> {
    if let Ok(id) = key.parse::<i64>() {
        return desk::get(scope, RequestId(id)).await;
    }
    let filter =
        RequestFilter { q: Some(key.into()), page: PageRequest::new(Some(1), Some(200)), ..Default::default() };
    let page = desk::list(scope, filter).await?;
    page.items.into_iter().find(|r| r.reg_no.as_deref() == Some(key)).ok_or(Error::NotFound)
}

/// `GET requests/{id}.{fmt}`: one service request, as a list of one (as the spec has it).
async fn get_request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> O311<Response> {
    let tr = Tr::new(ctx.locale);
    let (key, format) = split_file(&tr, &file)?;
    let params = params(query.unwrap_or_default().as_bytes());
    let actor = caller(&state, &ctx, &tr, format, param(&params, "api_key")).await?;
    let scope = state.core.scope(&actor, &ctx.origin);
    let r = find(&scope, &key).await.map_err(|e| Refusal::from_domain(format, &tr, e))?;
    Ok(list_doc(format, StatusCode::OK, "service_requests", "request", vec![request_rec(&tr, r)]))
}

/// The most a list returns, as the spec suggests.
const MAX_RESULTS: usize = 1000;

/// `GET requests.{fmt}`: the caller's visible requests, newest first, filtered by ids, service,
/// dates (`start_date` ≤ requested < `end_date`) and status.
async fn list_requests(
    state: &AppState,
    ctx: &Ctx,
    tr: &Tr,
    format: Format,
    params: &[(String, String)],
) -> O311<Response> {
    let actor = caller(state, ctx, tr, format, param(params, "api_key")).await?;
    let scope = state.core.scope(&actor, &ctx.origin);
    let bad = |e: Error| Refusal::from_domain(format, tr, e);
    let date = |name: &str| -> O311<Option<DateTime<Utc>>> {
        match param(params, name) {
            None => Ok(None),
            Some(v) => DateTime::parse_from_rfc3339(v)
                .map(|d| Some(d.with_timezone(&Utc)))
                .map_err(|_| Refusal::new(format, StatusCode::BAD_REQUEST, tr.t("open311-error-date"))),
        }
    };
    let (start, end) = (date("start_date")?, date("end_date")?);
    let status = match param(params, "status") {
        None => None,
        Some(v) => {
            let wanted: Vec<&str> = v.split(',').map(str::trim).collect();
            if wanted.iter().any(|w| !matches!(*w, "open" | "closed")) {
                return Err(bad(Error::field("status", ErrorCode::InvalidChoice)));
            }
            Some(wanted.iter().map(|w| *w == "closed").collect::<Vec<bool>>())
        }
    };
    if let Some(ids) = param(params, "service_request_id") {
        // Ids given: those the caller may see, in the order asked; other filters do not apply.
        let mut items = Vec::new();
        for key in ids.split(',').map(str::trim).filter(|k| !k.is_empty()).take(MAX_RESULTS) {
            match find(&scope, key).await {
                Ok(r) => items.push(request_rec(tr, r)),
                Err(Error::NotFound) => {}
                Err(e) => return Err(bad(e)),
            }
        }
        return Ok(list_doc(format, StatusCode::OK, "service_requests", "request", items));
    }
    let category = match param(params, "service_code") {
        None => None,
        Some(c) => Some(
            Category::parse(c)
                .map_err(|_| Refusal::new(format, StatusCode::BAD_REQUEST, tr.t("open311-error-service-code")))?,
        ),
    };
    // The spec's default window: the last 90 days.
    let start = start.or_else(|| if end.is_none() { Some(Utc::now() - chrono::Duration::days(90)) } else { None });
    let mut found: Vec<desk::Request> = Vec::new();
    let mut page = 1;
    loop {
        let filter = RequestFilter { category, page: PageRequest::new(Some(page), Some(200)), ..Default::default() };
        let batch = desk::list(&scope, filter).await.map_err(bad)?;
        let last = batch.items.len() < batch.per_page as usize || page >= batch.pages();
        found.extend(batch.items.into_iter().filter(|r| {
            start.is_none_or(|s| r.created_at >= s)
                && end.is_none_or(|e| r.created_at < e)
                && status.as_ref().is_none_or(|st| st.contains(&is_closed(r.state)))
        }));
        if last || found.len() >= MAX_RESULTS || page >= 100 {
            break;
        }
        page += 1;
    }
    found.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.0.cmp(&a.id.0)));
    found.truncate(MAX_RESULTS);
    let items = found.into_iter().map(|r| request_rec(tr, r)).collect();
    Ok(list_doc(format, StatusCode::OK, "service_requests", "request", items))
}
