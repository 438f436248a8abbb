//! Pages of the exchange registry: the overview with statistics and the dormancy report, a
//! member's page (relationships, activity, dormant flags, a map of partners), a relationship
//! with its activity log, a foreign city, the partner directory, and partner seeking with
//! explained recommendations. Charts and the map are SVG drawn here; nothing loads from
//! elsewhere.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use glocal_core::Error;
use glocal_core::ids::OrgId;
use glocal_core::paging::PageRequest;
use glocal_core::registry::cities::{self, CityFilter, ForeignCity};
use glocal_core::registry::partners::{self, Category, Contact, Election, Membership, Partner, PartnerFilter};
use glocal_core::registry::recommend::{self, Candidate, Seeking, Wishes};
use glocal_core::registry::relationships::{self, Activity, ActivityChanges, Relationship, RelationshipFilter};
use glocal_core::registry::{ActivityKind, CityId, ExchangeField, RelationshipId, keeps_register, may_act_for, stats};
use glocal_core::validate::Locale;
use serde::Deserialize;

use super::{CsrfForm, FormErrors, Page, error_page, render, see_other, split_list};
use crate::AppState;
use crate::ctx::Ctx;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/registry", get(home))
        .route("/registry/cities", get(city_search))
        .route("/registry/cities/{id}", get(city_page))
        .route("/registry/members/{id}", get(member_page))
        .route("/registry/relationships/{id}", get(relationship_page))
        .route("/registry/relationships/{id}/activities", post(add_activity))
        .route("/registry/partners", get(partner_list))
        .route("/registry/partners/{id}", get(partner_page))
        .route("/registry/seeking", get(seeking_page).post(publish_seeking))
}

/// One bar of a chart.
pub struct Bar {
    pub label: String,
    pub count: u64,
    pub href: Option<String>,
    pub y: u32,
    pub width: u32,
}

/// A horizontal bar chart drawn as SVG.
pub struct Chart {
    pub id: &'static str,
    pub title: String,
    pub bars: Vec<Bar>,
    pub height: u32,
}

impl Chart {
    pub fn new(id: &'static str, title: String, items: Vec<(String, u64, Option<String>)>) -> Chart {
        let max = items.iter().map(|i| i.1).max().unwrap_or(1).max(1);
        let bars: Vec<Bar> = items
            .into_iter()
            .enumerate()
            .map(|(i, (label, count, href))| Bar {
                label,
                count,
                href,
                y: i as u32 * 26,
                width: ((count as f64 / max as f64) * 300.0).round().max(2.0) as u32,
            })
            .collect();
        let height = (bars.len() as u32 * 26).max(26);
        Chart { id, title, bars, height }
    }
}

/// A point of the partner map, in the 720 × 360 plane of an equirectangular projection.
pub struct MapPoint {
    pub x: f64,
    pub y: f64,
    pub label: String,
    pub href: String,
    pub dormant: bool,
}

pub struct WorldMap {
    pub background: Vec<(f64, f64)>,
    pub home: Option<(f64, f64, String)>,
    pub points: Vec<MapPoint>,
}

fn project(lat: f64, lon: f64) -> (f64, f64) {
    (((lon + 180.0) * 2.0 * 10.0).round() / 10.0, ((90.0 - lat) * 2.0 * 10.0).round() / 10.0)
}

/// A relationship as a table row for the reader.
pub struct RelRow {
    pub id: i64,
    pub member_id: i64,
    pub member: String,
    pub partner: String,
    pub partner_href: Option<String>,
    pub country: String,
    pub kind: String,
    pub signed_on: String,
    pub fields: String,
    pub status: String,
    pub last_activity: String,
    pub dormant: bool,
}

fn rel_row(page: &Page, locale: Locale, home: &str, r: &Relationship) -> RelRow {
    RelRow {
        id: r.id.0,
        member_id: r.member.id.0,
        member: r.member.display_name(locale).to_string(),
        partner: r.partner_name(locale),
        partner_href: match (&r.city, &r.partner_member) {
            (Some(c), _) => c.id.map(|i| format!("/registry/cities/{i}")),
            (None, Some(m)) => Some(format!("/registry/members/{}", m.id)),
            _ => None,
        },
        country: r.country(home),
        kind: page.t(&format!("registry-kind-{}", r.kind.as_str())),
        signed_on: r.signed_on.map(|d| d.to_string()).unwrap_or_default(),
        fields: r
            .fields
            .iter()
            .map(|f| page.t(&format!("registry-field-{}", f.as_str())))
            .collect::<Vec<_>>()
            .join(", "),
        status: page.t(&format!("registry-status-{}", r.status.as_str())),
        last_activity: r.last_activity_on.map(|d| d.to_string()).unwrap_or_default(),
        dormant: r.dormant,
    }
}

// ---- overview and statistics ----

#[derive(Template)]
#[template(path = "registry_home.html")]
struct HomePage {
    page: Page,
    total: u64,
    dormant_count: u64,
    charts: Vec<Chart>,
    dormant: Vec<RelRow>,
    own_member: Option<i64>,
    years: u32,
}

async fn home(State(state): State<AppState>, ctx: Ctx) -> Response {
    let scope = ctx.scope(&state);
    let s = match stats::compute(&scope, &RelationshipFilter::default()).await {
        Ok(s) => s,
        Err(e) => return error_page(&state, &ctx, e),
    };
    let dormant = relationships::dormancy_report(&scope, None).await.unwrap_or_default();
    let page = Page::new(&state, &ctx, "registry-title", "/registry");
    let home = state.core.config.site.country.clone();
    let charts = vec![
        Chart::new(
            "by-country",
            page.t("registry-stats-by-country"),
            s.by_country.iter().take(15).map(|(c, n)| (c.clone(), *n, None)).collect(),
        ),
        Chart::new(
            "by-kind",
            page.t("registry-stats-by-kind"),
            s.by_kind.iter().map(|(k, n)| (page.t(&format!("registry-kind-{}", k.as_str())), *n, None)).collect(),
        ),
        Chart::new(
            "by-decade",
            page.t("registry-stats-by-decade"),
            s.by_decade.iter().map(|(d, n)| (format!("{d}s"), *n, None)).collect(),
        ),
        Chart::new(
            "by-region",
            page.t("registry-stats-by-region"),
            s.by_region
                .iter()
                .take(17)
                .map(|(id, name, n)| (name.clone(), *n, Some(format!("/registry/members/{id}"))))
                .collect(),
        ),
        Chart::new(
            "by-member",
            page.t("registry-stats-by-member"),
            s.by_member
                .iter()
                .take(15)
                .map(|(id, name, n)| (name.clone(), *n, Some(format!("/registry/members/{id}"))))
                .collect(),
        ),
    ];
    let rows = dormant.iter().map(|r| rel_row(&page, ctx.locale, &home, r)).collect();
    render(&HomePage {
        total: s.total,
        dormant_count: s.dormant,
        charts,
        dormant: rows,
        own_member: ctx.user.as_ref().filter(|_| !keeps_register(&ctx.actor)).map(|u| u.org_id.0),
        years: state.core.config.registry.dormant_after_years,
        page,
    })
}

// ---- foreign cities ----

#[derive(Deserialize, Default)]
struct CityQuery {
    q: Option<String>,
    country: Option<String>,
}

pub struct CityRow {
    pub href: Option<String>,
    pub name: String,
    pub other_names: String,
    pub country: String,
    pub region: String,
    pub population: String,
    pub time_zone: String,
    pub registered: bool,
}

fn city_row(locale: Locale, c: &ForeignCity) -> CityRow {
    let shown = c.display_name(locale).to_string();
    let mut others: Vec<&str> = Vec::new();
    for n in &c.names {
        if n != &shown && !others.contains(&n.as_str()) && others.len() < 6 {
            others.push(n);
        }
    }
    CityRow {
        href: c.id.map(|i| format!("/registry/cities/{i}")),
        name: shown,
        other_names: others.join(" · "),
        country: c.country.clone(),
        region: c.region.clone().unwrap_or_default(),
        population: c.population.map(group_digits).unwrap_or_default(),
        time_zone: c.time_zone.clone().unwrap_or_default(),
        registered: c.id.is_some(),
    }
}

pub fn group_digits(n: i64) -> String {
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[derive(Template)]
#[template(path = "registry_cities.html")]
struct CitySearchPage {
    page: Page,
    q: String,
    country: String,
    rows: Vec<CityRow>,
    total: u64,
}

async fn city_search(State(state): State<AppState>, ctx: Ctx, Query(q): Query<CityQuery>) -> Response {
    let filter = CityFilter { q: q.q.clone(), country: q.country.clone(), page: PageRequest::new(Some(1), Some(100)) };
    let found = match cities::list(&ctx.scope(&state), filter).await {
        Ok(p) => p,
        Err(e) => return error_page(&state, &ctx, e),
    };
    let page = Page::new(&state, &ctx, "registry-cities-title", "/registry");
    render(&CitySearchPage {
        rows: found.items.iter().map(|c| city_row(ctx.locale, c)).collect(),
        total: found.total,
        q: q.q.unwrap_or_default(),
        country: q.country.unwrap_or_default(),
        page,
    })
}

#[derive(Template)]
#[template(path = "registry_city.html")]
struct CityPage {
    page: Page,
    city: ForeignCity,
    row: CityRow,
    rels: Vec<RelRow>,
}

async fn city_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    let scope = ctx.scope(&state);
    let city = match cities::get(&scope, CityId(id)).await {
        Ok(c) => c,
        Err(e) => return error_page(&state, &ctx, e),
    };
    if let Some(target) = city.merged_into {
        return see_other(&state, &format!("/registry/cities/{target}"), None);
    }
    let rels = relationships::all(&scope, &RelationshipFilter { city: Some(CityId(id)), ..Default::default() })
        .await
        .unwrap_or_default();
    let mut page = Page::new(&state, &ctx, "registry-cities-title", "/registry");
    page.title = city.display_name(ctx.locale).to_string();
    let home = state.core.config.site.country.clone();
    render(&CityPage {
        row: city_row(ctx.locale, &city),
        rels: rels.iter().map(|r| rel_row(&page, ctx.locale, &home, r)).collect(),
        city,
        page,
    })
}

// ---- a member's page ----

#[derive(Template)]
#[template(path = "registry_member.html")]
struct MemberPage {
    page: Page,
    member_id: i64,
    name: String,
    rels: Vec<RelRow>,
    dormant: u64,
    activities: Vec<(RelRow, Activity)>,
    map: WorldMap,
    memberships: Vec<Membership>,
    years: u32,
}

async fn member_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    let scope = ctx.scope(&state);
    if !may_act_for(&ctx.actor, OrgId(id)) {
        return error_page(&state, &ctx, if ctx.user.is_none() { Error::Unauthenticated } else { Error::NotFound });
    }
    let org = match glocal_core::orgs::get(&scope, OrgId(id)).await {
        Ok(o) => o,
        Err(e) => return error_page(&state, &ctx, e),
    };
    let rels =
        match relationships::all(&scope, &RelationshipFilter { member: Some(OrgId(id)), ..Default::default() }).await {
            Ok(r) => r,
            Err(e) => return error_page(&state, &ctx, e),
        };
    let mut page = Page::new(&state, &ctx, "registry-title", "/registry");
    page.title = org.display_name(ctx.locale).to_string();
    let home = state.core.config.site.country.clone();
    let mut activities = Vec::new();
    for r in rels.iter().take(30) {
        for a in relationships::activities(&scope, r.id).await.unwrap_or_default().into_iter().take(3) {
            activities.push((rel_row(&page, ctx.locale, &home, r), a));
        }
    }
    activities.sort_by(|a, b| b.1.started_on.cmp(&a.1.started_on).then(b.1.id.cmp(&a.1.id)));
    activities.truncate(10);
    let background = cities::world_points(&scope, 1_000_000)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(la, lo)| project(la, lo))
        .collect();
    let home_place = cities::member_place(&scope, OrgId(id)).await.ok().flatten();
    let points = rels
        .iter()
        .filter_map(|r| {
            let c = r.city.as_ref()?;
            let (x, y) = project(c.latitude?, c.longitude?);
            Some(MapPoint {
                x,
                y,
                label: c.display_name(ctx.locale).to_string(),
                href: c.id.map(|i| format!("/registry/cities/{i}")).unwrap_or_default(),
                dormant: r.dormant,
            })
        })
        .collect();
    let map = WorldMap {
        background,
        home: home_place.map(|p| {
            let (x, y) = project(p.latitude, p.longitude);
            (x, y, org.display_name(ctx.locale).to_string())
        }),
        points,
    };
    let memberships = partners::memberships(&scope, Some(OrgId(id)), None).await.unwrap_or_default();
    render(&MemberPage {
        member_id: id,
        name: org.display_name(ctx.locale).to_string(),
        dormant: rels.iter().filter(|r| r.dormant).count() as u64,
        rels: rels.iter().map(|r| rel_row(&page, ctx.locale, &home, r)).collect(),
        activities,
        map,
        memberships,
        years: state.core.config.registry.dormant_after_years,
        page,
    })
}

// ---- a relationship ----

#[derive(Template)]
#[template(path = "registry_relationship.html")]
struct RelationshipPage {
    page: Page,
    rel: Relationship,
    row: RelRow,
    activities: Vec<Activity>,
    kinds: Vec<(&'static str, String)>,
    form: ActivityForm,
    errors: FormErrors,
}

#[derive(Clone, Default, Deserialize)]
struct ActivityForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    started_on: String,
    #[serde(default)]
    ended_on: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    participants: String,
    #[serde(default)]
    notes: String,
}

async fn relationship_view(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    form: ActivityForm,
    errors: FormErrors,
) -> Result<RelationshipPage, Error> {
    let scope = ctx.scope(state);
    let rel = relationships::get(&scope, RelationshipId(id)).await?;
    let activities = relationships::activities(&scope, RelationshipId(id)).await?;
    let mut page = Page::new(state, ctx, "registry-title", "/registry");
    let home = state.core.config.site.country.clone();
    let row = rel_row(&page, ctx.locale, &home, &rel);
    page.title = format!("{} – {}", row.member, row.partner);
    let kinds =
        ActivityKind::ALL.iter().map(|k| (k.as_str(), page.t(&format!("registry-activity-{}", k.as_str())))).collect();
    Ok(RelationshipPage { page, rel, row, activities, kinds, form, errors })
}

async fn relationship_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    let form = ActivityForm { kind: "visit".into(), ..Default::default() };
    match relationship_view(&state, &ctx, id, form, FormErrors::default()).await {
        Ok(p) => render(&p),
        Err(e) => error_page(&state, &ctx, e),
    }
}

async fn add_activity(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ActivityForm>,
) -> Response {
    let changes = ActivityChanges {
        kind: Some(form.kind.clone()),
        started_on: Some(form.started_on.clone()),
        ended_on: Some(form.ended_on.clone()),
        title: Some(form.title.clone()),
        participants: Some(form.participants.clone()),
        notes: Some(form.notes.clone()),
    };
    match relationships::add_activity(&ctx.scope(&state), RelationshipId(id), changes).await {
        Ok(_) => see_other(&state, &format!("/registry/relationships/{id}"), Some("saved")),
        Err(e @ Error::Invalid(_)) => {
            let status = crate::error::status_of(e.code());
            match relationship_view(&state, &ctx, id, form, FormErrors::from_error(&e, ctx.tr())).await {
                Ok(p) => (status, render(&p)).into_response(),
                Err(e) => error_page(&state, &ctx, e),
            }
        }
        Err(e) => error_page(&state, &ctx, e),
    }
}

// ---- partners ----

#[derive(Deserialize, Default)]
struct PartnerQuery {
    q: Option<String>,
    category: Option<String>,
}

#[derive(Template)]
#[template(path = "registry_partners.html")]
struct PartnerListPage {
    page: Page,
    q: String,
    category: String,
    categories: Vec<(&'static str, String)>,
    rows: Vec<(Partner, String, String)>,
}

async fn partner_list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<PartnerQuery>) -> Response {
    let category = q.category.as_deref().filter(|c| !c.is_empty()).and_then(|c| Category::parse(c).ok());
    let filter = PartnerFilter { category, q: q.q.clone(), page: PageRequest::new(Some(1), Some(200)) };
    let found = match partners::list(&ctx.scope(&state), filter).await {
        Ok(p) => p,
        Err(e) => return error_page(&state, &ctx, e),
    };
    let page = Page::new(&state, &ctx, "registry-partners-title", "/registry");
    let rows = found
        .items
        .into_iter()
        .map(|p| {
            let name = p.display_name(ctx.locale).to_string();
            let cat = page.t(&format!("registry-category-{}", p.category.as_str()));
            (p, name, cat)
        })
        .collect();
    render(&PartnerListPage {
        categories: Category::ALL
            .iter()
            .map(|c| (c.as_str(), page.t(&format!("registry-category-{}", c.as_str()))))
            .collect(),
        rows,
        q: q.q.unwrap_or_default(),
        category: q.category.unwrap_or_default(),
        page,
    })
}

#[derive(Template)]
#[template(path = "registry_partner.html")]
struct PartnerPage {
    page: Page,
    partner: Partner,
    name: String,
    category: String,
    contacts: Vec<Contact>,
    memberships: Vec<Membership>,
    elections: Vec<Election>,
}

async fn partner_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Response {
    let scope = ctx.scope(&state);
    let partner = match partners::get(&scope, id).await {
        Ok(p) => p,
        Err(e) => return error_page(&state, &ctx, e),
    };
    let contacts = match partners::contacts(&scope, id).await {
        Ok(c) => c,
        Err(e) => return error_page(&state, &ctx, e),
    };
    let memberships = partners::memberships(&scope, None, Some(id)).await.unwrap_or_default();
    let elections = partners::elections(&scope, id).await.unwrap_or_default();
    let mut page = Page::new(&state, &ctx, "registry-partners-title", "/registry");
    page.title = partner.display_name(ctx.locale).to_string();
    render(&PartnerPage {
        name: partner.display_name(ctx.locale).to_string(),
        category: page.t(&format!("registry-category-{}", partner.category.as_str())),
        partner,
        contacts,
        memberships,
        elections,
        page,
    })
}

// ---- partner seeking and recommendation ----

#[derive(Deserialize, Default)]
struct SeekQuery {
    member: Option<i64>,
}

#[derive(Clone, Default, Deserialize)]
struct SeekForm {
    #[serde(default)]
    member_org_id: String,
    #[serde(default)]
    countries: String,
    #[serde(default)]
    fields: Vec<String>,
    #[serde(default)]
    min_population: String,
    #[serde(default)]
    max_population: String,
    #[serde(default)]
    motive: String,
}

/// A component of a candidate's score, worded for the reader.
pub struct ScoreLine {
    pub label: String,
    pub points: f64,
    pub max: f64,
    pub facts: String,
}

pub struct CandidateRow {
    pub rank: usize,
    pub name: String,
    pub country: String,
    pub population: String,
    pub score: f64,
    pub lines: Vec<ScoreLine>,
    pub ties: String,
    pub outcome: String,
}

#[derive(Template)]
#[template(path = "registry_seeking.html")]
struct SeekingPage {
    page: Page,
    seekings: Vec<(Seeking, String)>,
    fields: Vec<(&'static str, String)>,
    form: SeekForm,
    errors: FormErrors,
    member: Option<(i64, String)>,
    candidates: Vec<CandidateRow>,
    considered: u64,
}

fn facts_text(page: &Page, c: &glocal_core::registry::recommend::Component) -> String {
    let f = &c.facts;
    match c.key {
        "size" => format!(
            "{} / {}",
            f["population"].as_i64().map(group_digits).unwrap_or_default(),
            f["member_population"].as_i64().map(group_digits).unwrap_or_else(|| "—".into())
        ),
        "fields" => f["shared"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str())
                    .map(|x| page.t(&format!("registry-field-{x}")))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default(),
        "distance" => f["km"].as_f64().map(|k| format!("{} km", group_digits(k as i64))).unwrap_or_default(),
        "time_zone" => f["candidate"].as_str().unwrap_or_default().to_string(),
        "ties_in_korea" => f["members"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(", "))
            .unwrap_or_default(),
        "country" => f["country"].as_str().unwrap_or_default().to_string(),
        _ => String::new(),
    }
}

fn candidate_rows(page: &Page, items: Vec<Candidate>) -> Vec<CandidateRow> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, c)| CandidateRow {
            rank: i + 1,
            name: c.name.clone(),
            country: c.country.clone(),
            population: group_digits(c.population),
            score: c.score,
            lines: c
                .components
                .iter()
                .map(|x| ScoreLine {
                    label: page.t(&format!("registry-score-{}", x.key)),
                    points: x.points,
                    max: x.max,
                    facts: facts_text(page, x),
                })
                .collect(),
            ties: c.ties_in_korea.join(", "),
            outcome: c.outcome.map(|o| page.t(&format!("registry-outcome-{o}"))).unwrap_or_default(),
        })
        .collect()
}

async fn seeking_view(
    state: &AppState,
    ctx: &Ctx,
    member: Option<i64>,
    form: SeekForm,
    errors: FormErrors,
) -> Result<SeekingPage, Error> {
    let scope = ctx.scope(state);
    let list = recommend::seekings(&scope, true).await?;
    let page = Page::new(state, ctx, "registry-seeking-title", "/registry");
    let member = member.or_else(|| ctx.user.as_ref().filter(|_| !keeps_register(&ctx.actor)).map(|u| u.org_id.0));
    let (member, candidates, considered) = match member {
        Some(m) if may_act_for(&ctx.actor, OrgId(m)) => {
            let name = glocal_core::orgs::get(&scope, OrgId(m)).await?.display_name(ctx.locale).to_string();
            let latest = list.iter().find(|s| s.member_org_id.0 == m);
            let wishes = Wishes {
                member_org_id: Some(m),
                countries: latest.map(|s| s.countries.clone()).unwrap_or_default(),
                fields: latest.map(|s| s.fields.iter().map(|f| f.as_str().to_string()).collect()).unwrap_or_default(),
                min_population: latest.and_then(|s| s.min_population),
                max_population: latest.and_then(|s| s.max_population),
                motive: String::new(),
            };
            let r = recommend::recommend(&scope, wishes, 10).await?;
            (Some((m, name)), candidate_rows(&page, r.items), r.candidates_considered as u64)
        }
        _ => (None, Vec::new(), 0),
    };
    let seekings = list
        .into_iter()
        .map(|s| {
            let fields = s
                .fields
                .iter()
                .map(|f| page.t(&format!("registry-field-{}", f.as_str())))
                .collect::<Vec<_>>()
                .join(", ");
            (s, fields)
        })
        .collect();
    Ok(SeekingPage {
        fields: ExchangeField::ALL
            .iter()
            .map(|f| (f.as_str(), page.t(&format!("registry-field-{}", f.as_str()))))
            .collect(),
        page,
        seekings,
        form,
        errors,
        member,
        candidates,
        considered,
    })
}

async fn seeking_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<SeekQuery>) -> Response {
    match seeking_view(&state, &ctx, q.member, SeekForm::default(), FormErrors::default()).await {
        Ok(p) => render(&p),
        Err(e) => error_page(&state, &ctx, e),
    }
}

async fn publish_seeking(State(state): State<AppState>, ctx: Ctx, CsrfForm(form): CsrfForm<SeekForm>) -> Response {
    let num = |s: &str| s.trim().replace(',', "").parse::<i64>().ok();
    let wishes = Wishes {
        member_org_id: form.member_org_id.trim().parse().ok(),
        countries: split_list(&form.countries),
        fields: form.fields.clone(),
        min_population: num(&form.min_population),
        max_population: num(&form.max_population),
        motive: form.motive.clone(),
    };
    match recommend::publish(&ctx.scope(&state), wishes).await {
        Ok(s) => see_other(&state, &format!("/registry/seeking?member={}", s.member_org_id), Some("saved")),
        Err(e @ Error::Invalid(_)) => {
            let status = crate::error::status_of(e.code());
            match seeking_view(&state, &ctx, None, form, FormErrors::from_error(&e, ctx.tr())).await {
                Ok(p) => (status, render(&p)).into_response(),
                Err(e) => error_page(&state, &ctx, e),
            }
        }
        Err(e) => error_page(&state, &ctx, e),
    }
}
