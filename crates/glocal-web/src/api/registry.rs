//! The exchange registry: foreign local governments, relationships and their activity,
//! import and export, partners, recommendation. Wire types live here, beside their handlers.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use glocal_core::Error;
use glocal_core::ids::OrgId;
use glocal_core::paging::PageRequest;
use glocal_core::registry::cities::{self, CityChanges, CityFilter, ForeignCity};
use glocal_core::registry::partners::{self, Category, Partner, PartnerFilter};
use glocal_core::registry::recommend::{self, Wishes};
use glocal_core::registry::relationships::{
    self, Activity, ActivityChanges, Document, MemberBrief, Relationship, RelationshipChanges, RelationshipFilter,
};
use glocal_core::registry::transfer::{self, Format};
use glocal_core::registry::{CityId, ExchangeField, RelationshipId, RelationshipKind, Status, stats};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::extract::{ApiJson, ApiQuery};
use super::{ApiResult, Call};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiError, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_foreign_local_governments, create_foreign_local_government))
        .routes(routes!(get_foreign_local_government))
        .routes(routes!(merge_foreign_local_government))
        .routes(routes!(list_relationships, create_relationship))
        .routes(routes!(get_relationship, update_relationship))
        .routes(routes!(add_relationship_activity))
        .routes(routes!(import_relationships))
        .routes(routes!(export_relationships))
        .routes(routes!(registry_statistics))
        .routes(routes!(list_partners))
        .routes(routes!(recommend_partners))
}

// ---- wire types ----

#[derive(Debug, Serialize, ToSchema)]
pub struct ForeignCityOut {
    /// The registry id; empty for a gazetteer place the registry has not needed yet.
    pub id: Option<i64>,
    /// The GeoNames id, for a gazetteer place.
    pub place_id: Option<i64>,
    pub name: String,
    /// The association's standard Korean spelling.
    pub name_ko: Option<String>,
    /// Every name known, in every script.
    pub names: Vec<String>,
    pub country: String,
    pub region: Option<String>,
    pub population: Option<i64>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub time_zone: Option<String>,
    pub hand_made: bool,
    pub merged_into: Option<i64>,
}

impl From<ForeignCity> for ForeignCityOut {
    fn from(c: ForeignCity) -> Self {
        ForeignCityOut {
            id: c.id.map(|i| i.0),
            place_id: c.place_id,
            name: c.name,
            name_ko: c.name_ko,
            names: c.names,
            country: c.country,
            region: c.region,
            population: c.population,
            latitude: c.latitude,
            longitude: c.longitude,
            time_zone: c.time_zone,
            hand_made: c.hand_made,
            merged_into: c.merged_into.map(|i| i.0),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ForeignCityList {
    pub items: Vec<ForeignCityOut>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForeignCityQuery {
    /// A name in any script (臺中, 台中, Taichung, 타이중). Without it, registered cities only.
    pub q: Option<String>,
    /// ISO 3166-1 code.
    pub country: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForeignCityIn {
    pub name: Option<String>,
    pub name_ko: Option<String>,
    pub names: Option<Vec<String>>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub population: Option<i64>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub time_zone: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeIn {
    /// The gazetteer place (GeoNames id) the hand-made entry is merged into.
    pub place_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberOut {
    pub id: i64,
    pub code: Option<String>,
    pub name: String,
    pub name_en: String,
}

impl From<MemberBrief> for MemberOut {
    fn from(m: MemberBrief) -> Self {
        MemberOut { id: m.id.0, code: m.code, name: m.name, name_en: m.name_en }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DocumentOut {
    pub title: String,
    pub url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RelationshipOut {
    pub id: i64,
    pub member: MemberOut,
    /// The foreign local government, for an international tie.
    pub city: Option<ForeignCityOut>,
    /// The other member, for a domestic tie.
    pub partner_member: Option<MemberOut>,
    /// `sister`, `friendship` or `mou_other`.
    pub kind: String,
    pub signed_on: Option<NaiveDate>,
    pub signed_place: Option<String>,
    pub signatories: Option<String>,
    /// Codes: administration, economy_trade, culture_arts, tourism, education, sports, youth,
    /// health_welfare, environment, agriculture, science_technology, other.
    pub fields: Vec<String>,
    /// `active`, `dormant` or `ended`.
    pub status: String,
    pub status_since: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub member_contacts: Option<String>,
    pub partner_contacts: Option<String>,
    pub documents: Vec<DocumentOut>,
    pub notes: Option<String>,
    pub last_activity_on: Option<NaiveDate>,
    /// Flagged dormant: marked so, or active with no activity for the configured years.
    pub dormant: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// On a single relationship: its activity log, newest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activities: Option<Vec<ActivityOut>>,
}

impl From<Relationship> for RelationshipOut {
    fn from(r: Relationship) -> Self {
        RelationshipOut {
            id: r.id.0,
            member: r.member.into(),
            city: r.city.map(Into::into),
            partner_member: r.partner_member.map(Into::into),
            kind: r.kind.as_str().into(),
            signed_on: r.signed_on,
            signed_place: r.signed_place,
            signatories: r.signatories,
            fields: r.fields.iter().map(|f| f.as_str().to_string()).collect(),
            status: r.status.as_str().into(),
            status_since: r.status_since,
            ended_on: r.ended_on,
            member_contacts: r.member_contacts,
            partner_contacts: r.partner_contacts,
            documents: r.documents.into_iter().map(|d| DocumentOut { title: d.title, url: d.url }).collect(),
            notes: r.notes,
            last_activity_on: r.last_activity_on,
            dormant: r.dormant,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
            activities: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RelationshipList {
    pub items: Vec<RelationshipOut>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RelationshipQuery {
    /// Relationships of this member (either side of a domestic tie).
    pub member_id: Option<i64>,
    /// With this registered foreign local government.
    pub city_id: Option<i64>,
    /// Partner's country (ISO 3166-1).
    pub country: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    /// A field of exchange.
    pub field: Option<String>,
    /// First year of a decade, e.g. 1990.
    pub decade: Option<i32>,
    /// Only those flagged dormant (true) or not (false).
    pub dormant: Option<bool>,
    /// Any name of either side, any script.
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

impl RelationshipQuery {
    fn into_filter(self) -> Result<RelationshipFilter, Error> {
        let bad = |f: &'static str| move |c| Error::field(f, c);
        Ok(RelationshipFilter {
            member: self.member_id.map(OrgId),
            city: self.city_id.map(CityId),
            country: self.country.map(|c| c.trim().to_ascii_uppercase()).filter(|c| !c.is_empty()),
            kind: self
                .kind
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(RelationshipKind::parse)
                .transpose()
                .map_err(bad("kind"))?,
            status: self
                .status
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(Status::parse)
                .transpose()
                .map_err(bad("status"))?,
            field: self
                .field
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(ExchangeField::parse)
                .transpose()
                .map_err(bad("field"))?,
            decade: self.decade,
            dormant: self.dormant,
            q: self.q,
            page: PageRequest::new(self.page, self.per_page),
        })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationshipIn {
    /// On update: the version you read; refused with `conflict_stale` if it changed since.
    pub version: Option<i32>,
    /// On create: the member (a member's official may leave it out: their own).
    pub member_org_id: Option<i64>,
    /// On create: a registered foreign local government …
    pub city_id: Option<i64>,
    /// … or a gazetteer place (GeoNames id), registered with the relationship …
    pub place_id: Option<i64>,
    /// … with this standard Korean spelling …
    pub city_name_ko: Option<String>,
    /// … or another member, for a domestic tie.
    pub partner_org_id: Option<i64>,
    pub kind: Option<String>,
    /// `YYYY-MM-DD`; an empty string clears it.
    pub signed_on: Option<String>,
    pub signed_place: Option<String>,
    pub signatories: Option<String>,
    pub fields: Option<Vec<String>>,
    pub status: Option<String>,
    pub status_since: Option<String>,
    pub ended_on: Option<String>,
    pub member_contacts: Option<String>,
    pub partner_contacts: Option<String>,
    pub documents: Option<Vec<DocumentOut>>,
    pub notes: Option<String>,
}

impl RelationshipIn {
    fn into_changes(self) -> (Option<i32>, RelationshipChanges) {
        (
            self.version,
            RelationshipChanges {
                member_org_id: self.member_org_id,
                city_id: self.city_id,
                place_id: self.place_id,
                city_name_ko: self.city_name_ko,
                partner_org_id: self.partner_org_id,
                kind: self.kind,
                signed_on: self.signed_on,
                signed_place: self.signed_place,
                signatories: self.signatories,
                fields: self.fields,
                status: self.status,
                status_since: self.status_since,
                ended_on: self.ended_on,
                member_contacts: self.member_contacts,
                partner_contacts: self.partner_contacts,
                documents: self
                    .documents
                    .map(|d| d.into_iter().map(|d| Document { title: d.title, url: d.url }).collect()),
                notes: self.notes,
            },
        )
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityOut {
    pub id: i64,
    pub relationship_id: i64,
    /// `visit`, `delegation`, `event`, `programme`, `gift`, `joint_project` or `other`.
    pub kind: String,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub title: String,
    pub participants: Option<String>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<Activity> for ActivityOut {
    fn from(a: Activity) -> Self {
        ActivityOut {
            id: a.id,
            relationship_id: a.relationship_id.0,
            kind: a.kind.as_str().into(),
            started_on: a.started_on,
            ended_on: a.ended_on,
            title: a.title,
            participants: a.participants,
            notes: a.notes,
            created_at: a.created_at,
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityIn {
    pub kind: Option<String>,
    /// `YYYY-MM-DD`.
    pub started_on: Option<String>,
    pub ended_on: Option<String>,
    pub title: Option<String>,
    pub participants: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `csv` (default) or `xlsx`.
    pub format: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `csv` (default) or `xlsx`.
    pub format: Option<String>,
    /// Only this member's relationships.
    pub member_id: Option<i64>,
    pub country: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReportOut {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountOut {
    pub key: String,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatisticsOut {
    pub total: u64,
    pub dormant: u64,
    pub by_country: Vec<CountOut>,
    pub by_region: Vec<CountOut>,
    pub by_kind: Vec<CountOut>,
    pub by_decade: Vec<CountOut>,
    pub by_status: Vec<CountOut>,
    pub by_member: Vec<CountOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerOut {
    pub id: i64,
    /// `foreign_mission`, `association_abroad` or `international_organization`.
    pub category: String,
    pub name: String,
    pub name_en: String,
    pub names: BTreeMap<String, String>,
    pub acronym: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub website: Option<String>,
}

impl From<Partner> for PartnerOut {
    fn from(p: Partner) -> Self {
        PartnerOut {
            id: p.id,
            category: p.category.as_str().into(),
            name: p.name,
            name_en: p.name_en,
            names: p.names,
            acronym: p.acronym,
            country: p.country,
            city: p.city,
            website: p.website,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerList {
    pub items: Vec<PartnerOut>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PartnerQuery {
    /// `foreign_mission`, `association_abroad` or `international_organization`.
    pub category: Option<String>,
    /// Any name or the acronym, any script.
    pub q: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendIn {
    /// The member to recommend for (a member's official may leave it out: their own).
    pub member_org_id: Option<i64>,
    /// Wished countries (ISO 3166-1); empty: anywhere.
    #[serde(default)]
    pub countries: Vec<String>,
    /// Wished fields of exchange; empty: the fields of the member's existing ties.
    #[serde(default)]
    pub fields: Vec<String>,
    pub min_population: Option<i64>,
    pub max_population: Option<i64>,
    /// How many to return (default 20, at most 200).
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreComponentOut {
    /// `size`, `fields`, `country`, `distance`, `time_zone`, `ties_in_korea`, `province_ties`.
    pub key: String,
    pub points: f64,
    pub max: f64,
    /// The facts behind the points.
    #[schema(value_type = Object)]
    pub facts: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateOut {
    pub place_id: i64,
    pub name: String,
    pub country: String,
    pub population: i64,
    pub time_zone: Option<String>,
    /// The sum of the components.
    pub score: f64,
    pub components: Vec<ScoreComponentOut>,
    /// Members already tied to this city.
    pub ties_in_korea: Vec<String>,
    /// The last outcome staff recorded (`contacted`, `declined`, `signed`).
    pub outcome: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecommendationOut {
    pub member_id: i64,
    /// The gazetteer place standing for the member (GeoNames id).
    pub member_place_id: Option<i64>,
    pub candidates_considered: usize,
    pub items: Vec<CandidateOut>,
}

// ---- handlers ----

/// Foreign local governments: with `q`, by a name in any script (registered cities and
/// gazetteer places); without, the registered ones.
#[utoipa::path(get, path = "/api/v1/registry/foreign-local-governments", operation_id = "listForeignLocalGovernments",
    tag = "registry", params(ForeignCityQuery),
    responses((status = 200, body = ForeignCityList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_foreign_local_governments(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<ForeignCityQuery>,
) -> ApiResult<Json<ForeignCityList>> {
    let call = Call::new(&state, &ctx);
    let filter = CityFilter { q: q.q, country: q.country, page: PageRequest::new(q.page, q.per_page) };
    let page = cities::list(&call.scope(), filter).await.map_err(call.err())?;
    Ok(Json(ForeignCityList {
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// One registered foreign local government.
#[utoipa::path(get, path = "/api/v1/registry/foreign-local-governments/{id}", operation_id = "getForeignLocalGovernment",
    tag = "registry", params(("id" = i64, Path, description = "Registry id")),
    responses((status = 200, body = ForeignCityOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_foreign_local_government(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<ForeignCityOut>> {
    let call = Call::new(&state, &ctx);
    let c = cities::get(&call.scope(), CityId(id)).await.map_err(call.err())?;
    Ok(Json(c.into()))
}

/// Makes an entry by hand for a partner too small for the gazetteer.
#[utoipa::path(post, path = "/api/v1/registry/foreign-local-governments", operation_id = "createForeignLocalGovernment",
    tag = "registry", request_body = ForeignCityIn,
    responses((status = 201, body = ForeignCityOut), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_foreign_local_government(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<ForeignCityIn>,
) -> ApiResult<(StatusCode, Json<ForeignCityOut>)> {
    let call = Call::new(&state, &ctx);
    let changes = CityChanges {
        name: b.name,
        name_ko: b.name_ko,
        names: b.names,
        country: b.country,
        region: b.region,
        population: b.population,
        latitude: b.latitude,
        longitude: b.longitude,
        time_zone: b.time_zone,
    };
    let c = cities::create(&call.scope(), changes).await.map_err(call.err())?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

/// Merges a hand-made entry into a gazetteer place (staff); its relationships follow.
#[utoipa::path(post, path = "/api/v1/registry/foreign-local-governments/{id}/merge", operation_id = "mergeForeignLocalGovernment",
    tag = "registry", params(("id" = i64, Path, description = "Registry id of the hand-made entry")), request_body = MergeIn,
    responses((status = 200, body = ForeignCityOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn merge_foreign_local_government(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<MergeIn>,
) -> ApiResult<Json<ForeignCityOut>> {
    let call = Call::new(&state, &ctx);
    let c = cities::merge(&call.scope(), CityId(id), b.place_id).await.map_err(call.err())?;
    Ok(Json(c.into()))
}

/// Exchange relationships the caller may see (a member's official: their own).
#[utoipa::path(get, path = "/api/v1/registry/relationships", operation_id = "listRelationships", tag = "registry",
    params(RelationshipQuery),
    responses((status = 200, body = RelationshipList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn list_relationships(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<RelationshipQuery>,
) -> ApiResult<Json<RelationshipList>> {
    let call = Call::new(&state, &ctx);
    let filter = q.into_filter().map_err(call.err())?;
    let page = relationships::list(&call.scope(), filter).await.map_err(call.err())?;
    Ok(Json(RelationshipList {
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// Records a relationship: staff for any member, a member's official for their own.
#[utoipa::path(post, path = "/api/v1/registry/relationships", operation_id = "createRelationship", tag = "registry",
    request_body = RelationshipIn,
    responses((status = 201, body = RelationshipOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_relationship(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<RelationshipIn>,
) -> ApiResult<(StatusCode, Json<RelationshipOut>)> {
    let call = Call::new(&state, &ctx);
    let (_, changes) = b.into_changes();
    let r = relationships::create(&call.scope(), changes).await.map_err(call.err())?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// One relationship with its activity log.
#[utoipa::path(get, path = "/api/v1/registry/relationships/{id}", operation_id = "getRelationship", tag = "registry",
    params(("id" = i64, Path, description = "Relationship id")),
    responses((status = 200, body = RelationshipOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_relationship(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> ApiResult<Json<RelationshipOut>> {
    let call = Call::new(&state, &ctx);
    let scope = call.scope();
    let r = relationships::get(&scope, RelationshipId(id)).await.map_err(call.err())?;
    let acts = relationships::activities(&scope, RelationshipId(id)).await.map_err(call.err())?;
    let mut out: RelationshipOut = r.into();
    out.activities = Some(acts.into_iter().map(Into::into).collect());
    Ok(Json(out))
}

/// Changes a relationship (members: their own only). Give `version` to refuse the change if
/// it changed since you read it.
#[utoipa::path(patch, path = "/api/v1/registry/relationships/{id}", operation_id = "updateRelationship", tag = "registry",
    params(("id" = i64, Path, description = "Relationship id")), request_body = RelationshipIn,
    responses((status = 200, body = RelationshipOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_relationship(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<RelationshipIn>,
) -> ApiResult<Json<RelationshipOut>> {
    let call = Call::new(&state, &ctx);
    let (version, changes) = b.into_changes();
    let r = relationships::update(&call.scope(), RelationshipId(id), version, changes).await.map_err(call.err())?;
    Ok(Json(r.into()))
}

/// Adds to a relationship's activity log; clears a dormancy flag.
#[utoipa::path(post, path = "/api/v1/registry/relationships/{id}/activities", operation_id = "addRelationshipActivity",
    tag = "registry", params(("id" = i64, Path, description = "Relationship id")), request_body = ActivityIn,
    responses((status = 201, body = ActivityOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn add_relationship_activity(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ActivityIn>,
) -> ApiResult<(StatusCode, Json<ActivityOut>)> {
    let call = Call::new(&state, &ctx);
    let changes = ActivityChanges {
        kind: b.kind,
        started_on: b.started_on,
        ended_on: b.ended_on,
        title: b.title,
        participants: b.participants,
        notes: b.notes,
    };
    let a = relationships::add_activity(&call.scope(), RelationshipId(id), changes).await.map_err(call.err())?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

fn format_of(s: Option<&str>) -> Result<Format, Error> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Format::Csv),
        Some(f) => Format::parse(f).map_err(|c| Error::field("format", c)),
    }
}

/// Imports relationships from a CSV or XLSX file (staff) in the association's columns. Every
/// row is checked first: any bad row and nothing changes; the answer names each bad row
/// (`errors[].field` is `row <n>: <column>`).
#[utoipa::path(post, path = "/api/v1/registry/relationships/import", operation_id = "importRelationships", tag = "registry",
    params(FormatQuery),
    request_body(content = String, content_type = "application/octet-stream", description = "The CSV or XLSX file"),
    responses((status = 200, body = ImportReportOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "Bad rows, all named; nothing changed", body = ErrorBody)))]
async fn import_relationships(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<FormatQuery>,
    body: Bytes,
) -> ApiResult<Json<ImportReportOut>> {
    let call = Call::new(&state, &ctx);
    let format = format_of(q.format.as_deref()).map_err(call.err())?;
    let r = transfer::import(&call.scope(), format, &body).await.map_err(call.err())?;
    Ok(Json(ImportReportOut { rows: r.rows, created: r.created, updated: r.updated, unchanged: r.unchanged }))
}

/// The relationships the caller may see as a CSV or XLSX file in the association's columns;
/// it imports again to the same data.
#[utoipa::path(get, path = "/api/v1/registry/relationships/export", operation_id = "exportRelationships", tag = "registry",
    params(ExportQuery),
    responses((status = 200, description = "The file", content_type = "application/octet-stream", body = String),
        (status = 401, body = ErrorBody)))]
async fn export_relationships(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let call = Call::new(&state, &ctx);
    let format = format_of(q.format.as_deref()).map_err(call.err())?;
    let filter = RelationshipFilter {
        member: q.member_id.map(OrgId),
        country: q.country.map(|c| c.trim().to_ascii_uppercase()).filter(|c| !c.is_empty()),
        ..Default::default()
    };
    let bytes = transfer::export(&call.scope(), &filter, format).await.map_err(call.err())?;
    Ok(file_response(format, bytes))
}

pub(crate) fn file_response(format: Format, bytes: Vec<u8>) -> Response {
    let name = format!("relationships.{}", format.extension());
    (
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

/// Counts of the relationships the caller may see, by country, region, kind, decade, status
/// and member.
#[utoipa::path(get, path = "/api/v1/registry/statistics", operation_id = "getRegistryStatistics", tag = "registry",
    responses((status = 200, body = StatisticsOut), (status = 401, body = ErrorBody)))]
async fn registry_statistics(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Json<StatisticsOut>> {
    let call = Call::new(&state, &ctx);
    let s = stats::compute(&call.scope(), &RelationshipFilter::default()).await.map_err(call.err())?;
    let c = |key: String, label: String, count: u64| CountOut { key, label, count };
    Ok(Json(StatisticsOut {
        total: s.total,
        dormant: s.dormant,
        by_country: s.by_country.into_iter().map(|(k, n)| c(k.clone(), k, n)).collect(),
        by_region: s.by_region.into_iter().map(|(id, name, n)| c(id.to_string(), name, n)).collect(),
        by_kind: s.by_kind.into_iter().map(|(k, n)| c(k.as_str().into(), k.label_ko().into(), n)).collect(),
        by_decade: s.by_decade.into_iter().map(|(d, n)| c(d.to_string(), format!("{d}s"), n)).collect(),
        by_status: s.by_status.into_iter().map(|(k, n)| c(k.as_str().into(), k.label_ko().into(), n)).collect(),
        by_member: s.by_member.into_iter().map(|(id, name, n)| c(id.to_string(), name, n)).collect(),
    }))
}

/// The partner directory: foreign missions, associations abroad, international organisations.
#[utoipa::path(get, path = "/api/v1/registry/partners", operation_id = "listPartners", tag = "registry",
    params(PartnerQuery),
    responses((status = 200, body = PartnerList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_partners(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<PartnerQuery>,
) -> ApiResult<Json<PartnerList>> {
    let call = Call::new(&state, &ctx);
    let category = match q.category.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(Category::parse(c).map_err(|code| ApiError::new(Error::field("category", code), ctx.locale))?),
        None => None,
    };
    let filter = PartnerFilter { category, q: q.q, page: PageRequest::new(q.page, q.per_page) };
    let page = partners::list(&call.scope(), filter).await.map_err(call.err())?;
    Ok(Json(PartnerList {
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// Ranks foreign local governments for a member and its wishes by a transparent score: every
/// component with its points, maximum and facts. Ties are ordered by GeoNames id, so the
/// ranking is stable.
#[utoipa::path(post, path = "/api/v1/registry/recommendations", operation_id = "recommendPartners", tag = "registry",
    request_body = RecommendIn,
    responses((status = 200, body = RecommendationOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn recommend_partners(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiJson(b): ApiJson<RecommendIn>,
) -> ApiResult<Json<RecommendationOut>> {
    let call = Call::new(&state, &ctx);
    let wishes = Wishes {
        member_org_id: b.member_org_id,
        countries: b.countries,
        fields: b.fields,
        min_population: b.min_population,
        max_population: b.max_population,
        motive: String::new(),
    };
    let r =
        recommend::recommend(&call.scope(), wishes, b.limit.unwrap_or(20).clamp(1, 200)).await.map_err(call.err())?;
    Ok(Json(RecommendationOut {
        member_id: r.member.0,
        member_place_id: r.member_place.map(|p| p.0),
        candidates_considered: r.candidates_considered,
        items: r
            .items
            .into_iter()
            .map(|c| CandidateOut {
                place_id: c.place_id,
                name: c.name,
                country: c.country,
                population: c.population,
                time_zone: c.time_zone,
                score: c.score,
                components: c
                    .components
                    .into_iter()
                    .map(|x| ScoreComponentOut { key: x.key.into(), points: x.points, max: x.max, facts: x.facts })
                    .collect(),
                ties_in_korea: c.ties_in_korea,
                outcome: c.outcome,
            })
            .collect(),
    }))
}
