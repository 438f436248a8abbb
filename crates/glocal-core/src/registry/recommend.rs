//! Partner seeking and recommendation.
//!
//! A member publishes what it seeks (countries, fields, size, motive); everyone logged in sees
//! the list. For a member and its wishes, [`recommend`] ranks every foreign gazetteer place by
//! a transparent score — each component is returned with its points, its maximum and the
//! facts behind it — and orders ties by GeoNames id, so the ranking is stable. Staff record
//! what came of a recommendation (contacted, declined, signed) so the ranking can be judged.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use chrono::{Offset, TimeZone as _};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::relationships::{self, RelationshipFilter};
use super::{ExchangeField, may_act_for, require_keeper};
use crate::actor::{Actor, Scope};
use crate::audit;
use crate::entities::{organization, place, registry_outcome, registry_seeking};
use crate::error::{Error, ErrorCode, FieldError, Result};
use crate::ids::OrgId;
use crate::validate::{self, Checks, CountryCode};

/// What a member seeks.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Seeking {
    pub id: i64,
    pub member_org_id: OrgId,
    pub member_name: String,
    pub countries: Vec<String>,
    pub fields: Vec<ExchangeField>,
    pub min_population: Option<i64>,
    pub max_population: Option<i64>,
    pub motive: String,
    pub open: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Wishes {
    pub member_org_id: Option<i64>,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub fields: Vec<String>,
    pub min_population: Option<i64>,
    pub max_population: Option<i64>,
    #[serde(default)]
    pub motive: String,
}

/// Checked wishes.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedWishes {
    pub member: OrgId,
    pub countries: Vec<String>,
    pub fields: Vec<ExchangeField>,
    pub min_population: Option<i64>,
    pub max_population: Option<i64>,
    pub motive: String,
}

fn check_wishes(actor: &Actor, w: Wishes) -> Result<CheckedWishes> {
    let mut checks = Checks::new();
    let member = w.member_org_id.or(actor.user().filter(|_| !actor.sees_all_organizations()).map(|u| u.org_id.0));
    let member = match member {
        Some(m) if may_act_for(actor, OrgId(m)) => Some(OrgId(m)),
        Some(_) => return Err(Error::NotFound),
        None => {
            checks.push(FieldError::new("member_org_id", ErrorCode::ValueRequired));
            None
        }
    };
    let mut countries = Vec::new();
    for c in &w.countries {
        if let Some(c) = checks.field("countries", CountryCode::parse(c)) {
            countries.push(c.as_str().to_string());
        }
    }
    countries.sort();
    countries.dedup();
    let fields = checks.field("fields", super::parse_fields(&w.fields)).unwrap_or_default();
    if w.min_population.is_some_and(|p| p < 0) || w.min_population.zip(w.max_population).is_some_and(|(a, b)| b < a) {
        checks.push(FieldError::new("max_population", ErrorCode::ValueOutOfRange));
    }
    let motive = checks.take(validate::optional_text("motive", Some(&w.motive), 2000)).flatten().unwrap_or_default();
    checks.finish()?;
    Ok(CheckedWishes {
        member: member.expect("checked"),
        countries,
        fields,
        min_population: w.min_population,
        max_population: w.max_population,
        motive,
    })
}

/// Publishes what a member seeks. A member's official for their own organisation; staff for any.
pub async fn publish(scope: &Scope<'_>, wishes: Wishes) -> Result<Seeking> {
    scope.actor.require_login()?;
    let w = check_wishes(scope.actor, wishes)?;
    let now = crate::db::now();
    let tx = crate::db::begin_write(scope.writer()).await?;
    let row = registry_seeking::ActiveModel {
        id: NotSet,
        member_org_id: Set(w.member.0),
        countries: Set(serde_json::to_string(&w.countries).expect("json")),
        fields: Set(serde_json::to_string(&w.fields.iter().map(|f| f.as_str()).collect::<Vec<_>>()).expect("json")),
        min_population: Set(w.min_population),
        max_population: Set(w.max_population),
        motive: Set(w.motive),
        open: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "registry_seeking.create",
            subject_type: "registry_seeking",
            subject_id: Some(row.id.to_string()),
            org_id: Some(w.member.0),
            details: json!({"countries": row.countries, "fields": row.fields}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(seekings_from(scope, vec![row]).await?.pop().expect("one"))
}

async fn seekings_from(scope: &Scope<'_>, rows: Vec<registry_seeking::Model>) -> Result<Vec<Seeking>> {
    let ids: Vec<OrgId> = rows.iter().map(|r| OrgId(r.member_org_id)).collect();
    let names = crate::orgs::names_of(scope, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let fields: Vec<String> = serde_json::from_str(&r.fields).unwrap_or_default();
            Seeking {
                id: r.id,
                member_org_id: OrgId(r.member_org_id),
                member_name: names.get(&OrgId(r.member_org_id)).map(|o| o.name.clone()).unwrap_or_default(),
                countries: serde_json::from_str(&r.countries).unwrap_or_default(),
                fields: super::parse_fields(&fields).unwrap_or_default(),
                min_population: r.min_population,
                max_population: r.max_population,
                motive: r.motive,
                open: r.open,
                created_at: r.created_at,
            }
        })
        .collect())
}

/// What members seek, newest first: open to everyone logged in, so members and staff can
/// answer.
pub async fn seekings(scope: &Scope<'_>, open_only: bool) -> Result<Vec<Seeking>> {
    scope.actor.require_login()?;
    let mut q = registry_seeking::Entity::find();
    if open_only {
        q = q.filter(registry_seeking::Column::Open.eq(true));
    }
    let rows = q.order_by_desc(registry_seeking::Column::Id).all(scope.db()).await?;
    seekings_from(scope, rows).await
}

pub async fn seeking(scope: &Scope<'_>, id: i64) -> Result<Seeking> {
    scope.actor.require_login()?;
    let row = registry_seeking::Entity::find_by_id(id).one(scope.db()).await?.ok_or(Error::NotFound)?;
    Ok(seekings_from(scope, vec![row]).await?.pop().expect("one"))
}

/// One part of a candidate's score.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Component {
    /// `size`, `fields`, `country`, `distance`, `time_zone`, `ties_in_korea`, `province_ties`.
    pub key: &'static str,
    pub points: f64,
    pub max: f64,
    /// The facts behind the points (numbers and names; the page words them).
    pub facts: serde_json::Value,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    pub place_id: i64,
    pub name: String,
    pub country: String,
    pub population: i64,
    pub time_zone: Option<String>,
    /// The sum of the components, rounded to two decimals.
    pub score: f64,
    pub components: Vec<Component>,
    /// Members already tied to this city.
    pub ties_in_korea: Vec<String>,
    /// The last outcome staff recorded for this member and city.
    pub outcome: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Recommendation {
    pub member: OrgId,
    /// The gazetteer place that stands for the member (its size and position).
    pub member_place: Option<(i64, String, i64)>,
    pub candidates_considered: usize,
    pub items: Vec<Candidate>,
}

/// A foreign place with what scoring needs.
#[derive(Clone, Debug)]
struct Cand {
    id: i64,
    name: String,
    country: String,
    population: i64,
    lat: f64,
    lon: f64,
    tz: Option<String>,
}

/// Derived from the `places` table; rebuilt whenever its size or newest change differs.
type Key = (String, u64, Option<chrono::DateTime<chrono::Utc>>);
static CANDIDATES: Mutex<Option<(Key, Arc<Vec<Cand>>)>> = Mutex::new(None);

async fn candidates(scope: &Scope<'_>) -> Result<Arc<Vec<Cand>>> {
    let count = place::Entity::find().count(scope.db()).await?;
    let newest: Option<chrono::DateTime<chrono::Utc>> = place::Entity::find()
        .select_only()
        .column(place::Column::UpdatedAt)
        .order_by_desc(place::Column::UpdatedAt)
        .limit(1)
        .into_tuple()
        .one(scope.db())
        .await?;
    let key: Key = (scope.config().database_url(), count, newest);
    if let Some((k, c)) = CANDIDATES.lock().expect("lock").as_ref() {
        if *k == key {
            return Ok(c.clone());
        }
    }
    type Row = (i64, String, String, i64, f64, f64, Option<String>);
    let rows: Vec<Row> = place::Entity::find()
        .select_only()
        .columns([
            place::Column::Id,
            place::Column::Name,
            place::Column::Country,
            place::Column::Population,
            place::Column::Latitude,
            place::Column::Longitude,
            place::Column::TimeZone,
        ])
        .into_tuple()
        .all(scope.db())
        .await?;
    let list: Arc<Vec<Cand>> = Arc::new(
        rows.into_iter()
            .map(|(id, name, country, population, lat, lon, tz)| Cand { id, name, country, population, lat, lon, tz })
            .collect(),
    );
    *CANDIDATES.lock().expect("lock") = Some((key, list.clone()));
    Ok(list)
}

fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (a.0.to_radians(), a.1.to_radians(), b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

fn utc_offset_hours(tz: &str, cache: &mut HashMap<String, Option<f64>>) -> Option<f64> {
    *cache.entry(tz.to_string()).or_insert_with(|| {
        let tz: chrono_tz::Tz = tz.parse().ok()?;
        let now = chrono::Utc::now().naive_utc();
        Some(tz.offset_from_utc_datetime(&now).fix().local_minus_utc() as f64 / 3600.0)
    })
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

async fn member_place(scope: &Scope<'_>, member: &organization::Model) -> Result<Option<place::Model>> {
    match super::cities::member_place(scope, OrgId(member.id)).await? {
        Some(p) => Ok(place::Entity::find_by_id(p.id).one(scope.db()).await?),
        None => Ok(None),
    }
}

/// Ranks every foreign place for a member and its wishes; returns the best `limit`.
pub async fn recommend(scope: &Scope<'_>, wishes: Wishes, limit: usize) -> Result<Recommendation> {
    scope.actor.require_login()?;
    let w = check_wishes(scope.actor, wishes)?;
    let member = organization::Entity::find_by_id(w.member.0).one(scope.db()).await?.ok_or(Error::NotFound)?;
    let home = scope.config().site.country.clone();
    let mplace = member_place(scope, &member).await?;
    let province =
        if member.tier.as_deref() == Some("basic") { member.parent_id.unwrap_or(member.id) } else { member.id };

    // Existing ties, as the system sees them: who in Korea is tied to which place.
    let system = Actor::System("registry.recommend");
    let sys_scope = Scope { core: scope.core, actor: &system, origin: scope.origin };
    let all = relationships::all(&sys_scope, &RelationshipFilter::default()).await?;
    let mut ties: HashMap<i64, Vec<String>> = HashMap::new();
    let mut place_fields: HashMap<i64, BTreeSet<ExchangeField>> = HashMap::new();
    let mut own: BTreeSet<i64> = BTreeSet::new();
    let mut province_places: BTreeSet<i64> = BTreeSet::new();
    let mut province_countries: BTreeSet<String> = BTreeSet::new();
    let mut member_fields: BTreeSet<ExchangeField> = BTreeSet::new();
    for r in &all {
        let Some(pid) = r.city.as_ref().and_then(|c| c.place_id) else { continue };
        if r.member.id.0 == member.id {
            own.insert(pid);
            member_fields.extend(r.fields.iter().copied());
            continue;
        }
        ties.entry(pid).or_default().push(r.member.name.clone());
        place_fields.entry(pid).or_default().extend(r.fields.iter().copied());
        if r.member.province_id.0 == province {
            province_places.insert(pid);
            if let Some(c) = &r.city {
                province_countries.insert(c.country.clone());
            }
        }
    }
    let wanted_fields: BTreeSet<ExchangeField> =
        if w.fields.is_empty() { member_fields } else { w.fields.iter().copied().collect() };

    let outcomes: HashMap<i64, String> = registry_outcome::Entity::find()
        .filter(registry_outcome::Column::MemberOrgId.eq(member.id))
        .order_by_asc(registry_outcome::Column::Id)
        .all(scope.db())
        .await?
        .into_iter()
        .map(|o| (o.place_id, o.outcome))
        .collect();

    let cands = candidates(scope).await?;
    let mut tz_cache = HashMap::new();
    let member_tz =
        mplace.as_ref().and_then(|p| p.time_zone.clone()).unwrap_or_else(|| scope.config().site.time_zone.clone());
    let member_offset = utc_offset_hours(&member_tz, &mut tz_cache);
    let mut scored: Vec<(f64, &Cand, [f64; 7])> = Vec::with_capacity(cands.len());
    let mut considered = 0;
    for c in cands.iter() {
        if c.country == home || own.contains(&c.id) {
            continue;
        }
        if !w.countries.is_empty() && !w.countries.contains(&c.country) {
            continue;
        }
        if w.min_population.is_some_and(|m| c.population < m) || w.max_population.is_some_and(|m| c.population > m) {
            continue;
        }
        considered += 1;
        let size = match &mplace {
            Some(p) if p.population > 0 && c.population > 0 => {
                25.0 * (p.population.min(c.population) as f64 / p.population.max(c.population) as f64)
            }
            _ => 0.0,
        };
        let shared = place_fields.get(&c.id).map_or(0, |f| f.intersection(&wanted_fields).count());
        let fields = if wanted_fields.is_empty() { 0.0 } else { 20.0 * shared as f64 / wanted_fields.len() as f64 };
        let country = if province_countries.contains(&c.country) { 5.0 } else { 0.0 };
        let distance = match &mplace {
            Some(p) => 15.0 * (1.0 - distance_km((p.latitude, p.longitude), (c.lat, c.lon)).min(12000.0) / 12000.0),
            None => 0.0,
        };
        let tz = match (member_offset, c.tz.as_deref().and_then(|t| utc_offset_hours(t, &mut tz_cache))) {
            (Some(a), Some(b)) => 10.0 * (1.0 - (a - b).abs().min(12.0) / 12.0),
            _ => 0.0,
        };
        let n_ties = ties.get(&c.id).map_or(0, Vec::len);
        let korea = match n_ties {
            0 => 0.0,
            1 => 10.0,
            2 => 7.0,
            _ => 4.0,
        };
        let prov = if province_places.contains(&c.id) { 15.0 } else { 0.0 };
        let parts = [size, fields, country, distance, tz, korea, prov];
        let total: f64 = parts.iter().sum();
        scored.push((round2(total), c, parts));
    }
    scored.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal).then(a.1.id.cmp(&b.1.id)));
    scored.truncate(limit);
    let mplace_pop = mplace.as_ref().map(|p| p.population);
    let mplace_pos = mplace.as_ref().map(|p| (p.latitude, p.longitude));
    let items = scored
        .into_iter()
        .map(|(score, c, parts)| {
            let shared: Vec<&str> = place_fields
                .get(&c.id)
                .map(|f| f.intersection(&wanted_fields).map(|x| x.as_str()).collect())
                .unwrap_or_default();
            let tie_names = ties.get(&c.id).cloned().unwrap_or_default();
            let km = mplace_pos.map(|p| distance_km(p, (c.lat, c.lon)).round());
            let components = vec![
                Component { key: "size", points: round2(parts[0]), max: 25.0, facts: json!({"member_population": mplace_pop, "population": c.population}) },
                Component { key: "fields", points: round2(parts[1]), max: 20.0, facts: json!({"shared": shared, "wanted": wanted_fields.iter().map(|f| f.as_str()).collect::<Vec<_>>()}) },
                Component { key: "country", points: round2(parts[2]), max: 5.0, facts: json!({"country": c.country, "province_has_ties_there": parts[2] > 0.0}) },
                Component { key: "distance", points: round2(parts[3]), max: 15.0, facts: json!({"km": km}) },
                Component { key: "time_zone", points: round2(parts[4]), max: 10.0, facts: json!({"member": member_tz, "candidate": c.tz}) },
                Component { key: "ties_in_korea", points: round2(parts[5]), max: 10.0, facts: json!({"count": tie_names.len(), "members": tie_names}) },
                Component { key: "province_ties", points: round2(parts[6]), max: 15.0, facts: json!({"province_tied": parts[6] > 0.0}) },
            ];
            Candidate {
                place_id: c.id,
                name: c.name.clone(),
                country: c.country.clone(),
                population: c.population,
                time_zone: c.tz.clone(),
                score,
                components,
                ties_in_korea: tie_names,
                outcome: outcomes.get(&c.id).cloned(),
            }
        })
        .collect();
    Ok(Recommendation {
        member: w.member,
        member_place: mplace.map(|p| (p.id, p.name, p.population)),
        candidates_considered: considered,
        items,
    })
}

/// What came of a recommendation.
pub const OUTCOMES: &[&str] = &["contacted", "declined", "signed"];

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    pub id: i64,
    pub member_org_id: OrgId,
    pub place_id: i64,
    pub outcome: String,
    pub note: Option<String>,
    pub score: Option<f64>,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

/// Records an outcome for a member and a recommended place (staff).
pub async fn record_outcome(
    scope: &Scope<'_>,
    member: OrgId,
    place_id: i64,
    outcome: &str,
    note: Option<&str>,
    score: Option<f64>,
) -> Result<Outcome> {
    require_keeper(scope.actor)?;
    if !OUTCOMES.contains(&outcome.trim()) {
        return Err(Error::field("outcome", ErrorCode::InvalidChoice));
    }
    let note = validate::optional_text("note", note, 2000).map_err(|e| Error::Invalid(vec![e]))?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    place::Entity::find_by_id(place_id).one(&tx).await?.ok_or(Error::field("place_id", ErrorCode::UnknownCity))?;
    organization::Entity::find_by_id(member.0)
        .one(&tx)
        .await?
        .ok_or(Error::field("member_org_id", ErrorCode::UnknownOrganization))?;
    let row = registry_outcome::ActiveModel {
        id: NotSet,
        member_org_id: Set(member.0),
        place_id: Set(place_id),
        outcome: Set(outcome.trim().to_string()),
        note: Set(note),
        score: Set(score),
        recorded_by: Set(scope.actor.user_id().map(|u| u.0)),
        recorded_at: Set(crate::db::now()),
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "registry_outcome.create",
            subject_type: "registry_outcome",
            subject_id: Some(row.id.to_string()),
            org_id: Some(member.0),
            details: json!({"place_id": place_id, "outcome": row.outcome, "score": score}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome {
        id: row.id,
        member_org_id: member,
        place_id,
        outcome: row.outcome,
        note: row.note,
        score: row.score,
        recorded_at: row.recorded_at,
    })
}

/// Outcomes recorded for a member, oldest first.
pub async fn outcomes(scope: &Scope<'_>, member: OrgId) -> Result<Vec<Outcome>> {
    scope.actor.require_login()?;
    if !may_act_for(scope.actor, member) {
        return Err(Error::NotFound);
    }
    let rows = registry_outcome::Entity::find()
        .filter(registry_outcome::Column::MemberOrgId.eq(member.0))
        .order_by_asc(registry_outcome::Column::Id)
        .all(scope.db())
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| Outcome {
            id: r.id,
            member_org_id: OrgId(r.member_org_id),
            place_id: r.place_id,
            outcome: r.outcome,
            note: r.note,
            score: r.score,
            recorded_at: r.recorded_at,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_on_the_sphere() {
        let seoul = (37.566, 126.978);
        let tokyo = (35.690, 139.692);
        let d = distance_km(seoul, tokyo);
        assert!((1140.0..1170.0).contains(&d), "{d}");
        assert_eq!(distance_km(seoul, seoul), 0.0);
    }
}
