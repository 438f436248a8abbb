//! Foreign local governments. A city the registry knows is a row of `registry_cities`: either a
//! gazetteer place (its names in every script come from the gazetteer) or an entry made by
//! hand for a partner too small for the gazetteer, which can later be merged into a gazetteer
//! entry. Each has the association's standard Korean spelling (외래어 표기법) as its own field.
//!
//! Lookup works in any script: a term is folded to a gazetteer key ([`gazetteer::name_key`])
//! and matched against the gazetteer's names and the registry's own spellings, so 臺中, 台中,
//! Taichung and 타이중 find the same city.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{CityId, require_keeper};
use crate::actor::Scope;
use crate::audit;
use crate::entities::{place, place_name, registry_city, registry_city_name, registry_relationship};
use crate::error::{Error, ErrorCode, FieldError, Result};
use crate::gazetteer::{self, Script, name_key};
use crate::paging::{Page, PageRequest};
use crate::validate::{self, Checks, CountryCode, Locale, TimeZone};

/// A foreign local government: registered (`id` set) or a gazetteer place the registry has not
/// needed yet (`id` empty, `place_id` set).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ForeignCity {
    pub id: Option<CityId>,
    /// The GeoNames id, for a gazetteer place.
    pub place_id: Option<i64>,
    pub name: String,
    /// The association's standard Korean spelling.
    pub name_ko: Option<String>,
    /// Every name known, in every script.
    pub names: Vec<String>,
    pub country: String,
    /// The first-level division (GeoNames admin1 code for gazetteer places).
    pub region: Option<String>,
    pub population: Option<i64>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub time_zone: Option<String>,
    /// Made by hand (not from the gazetteer).
    pub hand_made: bool,
    /// Set when this entry was merged into another; its relationships moved there.
    pub merged_into: Option<CityId>,
    pub version: i32,
}

impl ForeignCity {
    /// The name to show a reader: the standard Korean spelling for Korean, a name in the
    /// reader's script where the gazetteer has one, else the main name.
    pub fn display_name(&self, locale: Locale) -> &str {
        let script = match locale {
            Locale::Ko => {
                if let Some(k) = &self.name_ko {
                    return k;
                }
                Script::Hangul
            }
            Locale::Ja => Script::Kana,
            Locale::ZhHans | Locale::ZhHant => Script::Han,
            Locale::En => return &self.name,
        };
        let found = self.names.iter().find(|n| Script::of(n) == Some(script));
        let found = found.or_else(|| {
            (locale == Locale::Ja).then(|| self.names.iter().find(|n| Script::of(n) == Some(Script::Han))).flatten()
        });
        found.map(String::as_str).unwrap_or(&self.name)
    }

    /// The name written in export files: the Korean spelling when there is one.
    pub fn file_name(&self) -> &str {
        self.name_ko.as_deref().unwrap_or(&self.name)
    }

    fn from_place(p: &place::Model) -> ForeignCity {
        ForeignCity {
            id: None,
            place_id: Some(p.id),
            name: p.name.clone(),
            name_ko: None,
            names: serde_json::from_str(&p.names).unwrap_or_default(),
            country: p.country.clone(),
            region: p.admin1.clone(),
            population: Some(p.population),
            latitude: Some(p.latitude),
            longitude: Some(p.longitude),
            time_zone: p.time_zone.clone(),
            hand_made: false,
            merged_into: None,
            version: 0,
        }
    }

    pub(crate) fn from_row(r: registry_city::Model, place: Option<&place::Model>) -> ForeignCity {
        let mut names: Vec<String> =
            place.map(|p| serde_json::from_str(&p.names).unwrap_or_default()).unwrap_or_default();
        let own: Vec<String> = serde_json::from_str(&r.names).unwrap_or_default();
        for n in std::iter::once(&r.name).chain(r.name_ko.iter()).chain(own.iter()) {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
        ForeignCity {
            id: Some(CityId(r.id)),
            place_id: r.place_id,
            name: r.name,
            name_ko: r.name_ko,
            names,
            country: r.country,
            region: r.region,
            population: r.population,
            latitude: r.latitude,
            longitude: r.longitude,
            time_zone: r.time_zone,
            hand_made: r.place_id.is_none(),
            merged_into: r.merged_into.map(CityId),
            version: r.version,
        }
    }

    fn audit_view(&self) -> serde_json::Value {
        json!({
            "place_id": self.place_id, "name": self.name, "name_ko": self.name_ko, "country": self.country,
            "region": self.region, "population": self.population, "latitude": self.latitude,
            "longitude": self.longitude, "time_zone": self.time_zone, "merged_into": self.merged_into,
        })
    }
}

#[derive(Clone, Debug, Default)]
pub struct CityFilter {
    /// A name in any script. Without it, only registered cities are listed.
    pub q: Option<String>,
    pub country: Option<String>,
    pub page: PageRequest,
}

/// Loads registered rows with their gazetteer places.
pub(crate) async fn load_rows(
    conn: &impl ConnectionTrait,
    rows: Vec<registry_city::Model>,
) -> Result<Vec<ForeignCity>> {
    let place_ids: Vec<i64> = rows.iter().filter_map(|r| r.place_id).collect();
    let places: BTreeMap<i64, place::Model> = if place_ids.is_empty() {
        BTreeMap::new()
    } else {
        let mut out = BTreeMap::new();
        for chunk in place_ids.chunks(500) {
            for p in place::Entity::find().filter(place::Column::Id.is_in(chunk.to_vec())).all(conn).await? {
                out.insert(p.id, p);
            }
        }
        out
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            let p = r.place_id.and_then(|id| places.get(&id));
            ForeignCity::from_row(r, p)
        })
        .collect())
}

/// Registered cities by id (merged ones included), for showing relationships.
pub(crate) async fn by_ids(conn: &impl ConnectionTrait, ids: &[i64]) -> Result<BTreeMap<CityId, ForeignCity>> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(500) {
        rows.extend(
            registry_city::Entity::find().filter(registry_city::Column::Id.is_in(chunk.to_vec())).all(conn).await?,
        );
    }
    Ok(load_rows(conn, rows).await?.into_iter().map(|c| (c.id.expect("registered"), c)).collect())
}

/// Every city whose name in any script matches `term`: registered ones first (by country and
/// name), then gazetteer places outside the members' country, most populous first.
pub(crate) async fn search(
    conn: &impl ConnectionTrait,
    term: &str,
    country: Option<&str>,
    home_country: &str,
    limit: u64,
) -> Result<Vec<ForeignCity>> {
    let key = name_key(term);
    if key.is_empty() {
        return Ok(Vec::new());
    }
    let city_ids: Vec<i64> = registry_city_name::Entity::find()
        .select_only()
        .column(registry_city_name::Column::CityId)
        .filter(registry_city_name::Column::Key.eq(key.clone()))
        .distinct()
        .into_tuple()
        .all(conn)
        .await?;
    let place_ids: Vec<i64> = place_name::Entity::find()
        .select_only()
        .column(place_name::Column::PlaceId)
        .filter(place_name::Column::Key.eq(key))
        .distinct()
        .into_tuple()
        .all(conn)
        .await?;
    let mut cond = sea_orm::Condition::any();
    if !city_ids.is_empty() {
        cond = cond.add(registry_city::Column::Id.is_in(city_ids));
    }
    if !place_ids.is_empty() {
        cond = cond.add(registry_city::Column::PlaceId.is_in(place_ids.clone()));
    }
    let mut registered = if city_ids_or_places(&cond) {
        let mut q = registry_city::Entity::find().filter(cond).filter(registry_city::Column::MergedInto.is_null());
        if let Some(c) = country {
            q = q.filter(registry_city::Column::Country.eq(c));
        }
        load_rows(
            conn,
            q.order_by_asc(registry_city::Column::Country).order_by_asc(registry_city::Column::Id).all(conn).await?,
        )
        .await?
    } else {
        Vec::new()
    };
    let known: BTreeSet<i64> = registered.iter().filter_map(|c| c.place_id).collect();
    if !place_ids.is_empty() {
        let mut q = place::Entity::find()
            .filter(place::Column::Id.is_in(place_ids))
            .filter(place::Column::Country.ne(home_country));
        if let Some(c) = country {
            q = q.filter(place::Column::Country.eq(c));
        }
        let places =
            q.order_by_desc(place::Column::Population).order_by_asc(place::Column::Id).limit(limit).all(conn).await?;
        registered.extend(places.iter().filter(|p| !known.contains(&p.id)).map(ForeignCity::from_place));
    }
    registered.truncate(limit as usize);
    Ok(registered)
}

fn city_ids_or_places(cond: &sea_orm::Condition) -> bool {
    !cond.is_empty()
}

/// Foreign local governments. With a name, any script: registered cities and gazetteer places;
/// without, the registered ones. Open to every logged-in user.
pub async fn list(scope: &Scope<'_>, filter: CityFilter) -> Result<Page<ForeignCity>> {
    scope.actor.require_login()?;
    let country = match filter.country.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => Some(CountryCode::parse(c).map_err(|code| Error::field("country", code))?.as_str().to_string()),
        None => None,
    };
    let home = scope.config().site.country.clone();
    let items = match filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        Some(q) => search(scope.db(), q, country.as_deref(), &home, 500).await?,
        None => {
            let mut q = registry_city::Entity::find().filter(registry_city::Column::MergedInto.is_null());
            if let Some(c) = &country {
                q = q.filter(registry_city::Column::Country.eq(c.clone()));
            }
            let rows = q
                .order_by_asc(registry_city::Column::Country)
                .order_by_asc(registry_city::Column::Id)
                .all(scope.db())
                .await?;
            load_rows(scope.db(), rows).await?
        }
    };
    let total = items.len() as u64;
    let items = items.into_iter().skip(filter.page.offset() as usize).take(filter.page.per_page as usize).collect();
    Ok(Page { items, total, page: filter.page.page, per_page: filter.page.per_page })
}

pub async fn get(scope: &Scope<'_>, id: CityId) -> Result<ForeignCity> {
    scope.actor.require_login()?;
    find(scope.db(), id).await?.ok_or(Error::NotFound)
}

pub(crate) async fn find(conn: &impl ConnectionTrait, id: CityId) -> Result<Option<ForeignCity>> {
    let Some(row) = registry_city::Entity::find_by_id(id.0).one(conn).await? else { return Ok(None) };
    Ok(load_rows(conn, vec![row]).await?.pop())
}

/// A gazetteer place as a foreign local government (registered or not).
pub async fn get_place(scope: &Scope<'_>, place_id: i64) -> Result<ForeignCity> {
    scope.actor.require_login()?;
    if let Some(row) =
        registry_city::Entity::find().filter(registry_city::Column::PlaceId.eq(place_id)).one(scope.db()).await?
    {
        return Ok(load_rows(scope.db(), vec![row]).await?.pop().expect("one row"));
    }
    let p = place::Entity::find_by_id(place_id).one(scope.db()).await?.ok_or(Error::NotFound)?;
    Ok(ForeignCity::from_place(&p))
}

/// Fields of a city made by hand, or the Korean spelling of any city. On update, an absent
/// field stays; an empty string clears an optional one.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct CityChanges {
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

/// Makes an entry by hand, for a partner the gazetteer does not hold. Any logged-in user may,
/// since a member registering a tie with a small town needs it.
pub async fn create(scope: &Scope<'_>, changes: CityChanges) -> Result<ForeignCity> {
    scope.actor.require_login()?;
    let mut checks = Checks::new();
    let name = checks.take(validate::required_text("name", changes.name.as_deref().unwrap_or(""), 200));
    let name_ko = checks.take(validate::optional_text("name_ko", changes.name_ko.as_deref(), 200)).flatten();
    let country = match changes.country.as_deref() {
        Some(c) => checks.field("country", CountryCode::parse(c)).map(|c| c.as_str().to_string()),
        None => {
            checks.push(FieldError::new("country", ErrorCode::ValueRequired));
            None
        }
    };
    let region = checks.take(validate::optional_text("region", changes.region.as_deref(), 120)).flatten();
    let time_zone = match changes.time_zone.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => checks.field("time_zone", TimeZone::parse(t)).map(|t| t.name().to_string()),
        None => None,
    };
    let mut names = Vec::new();
    for n in changes.names.unwrap_or_default() {
        if let Some(Some(n)) = checks.take(validate::optional_text("names", Some(&n), 200)) {
            names.push(n);
        }
    }
    if changes.population.is_some_and(|p| p < 0) {
        checks.push(FieldError::new("population", ErrorCode::ValueOutOfRange));
    }
    if changes.latitude.is_some_and(|l| !(-90.0..=90.0).contains(&l)) {
        checks.push(FieldError::new("latitude", ErrorCode::ValueOutOfRange));
    }
    if changes.longitude.is_some_and(|l| !(-180.0..=180.0).contains(&l)) {
        checks.push(FieldError::new("longitude", ErrorCode::ValueOutOfRange));
    }
    checks.finish()?;
    let (name, country) = (name.expect("checked"), country.expect("checked"));
    let tx = crate::db::begin_write(scope.writer()).await?;
    let now = crate::db::now();
    let all_names: Vec<&str> =
        std::iter::once(name.as_str()).chain(name_ko.as_deref()).chain(names.iter().map(String::as_str)).collect();
    let row = registry_city::ActiveModel {
        id: NotSet,
        place_id: Set(None),
        name: Set(name.clone()),
        name_ko: Set(name_ko.clone()),
        names: Set(serde_json::to_string(&names).expect("names serialise")),
        country: Set(country),
        region: Set(region),
        population: Set(changes.population),
        latitude: Set(changes.latitude),
        longitude: Set(changes.longitude),
        time_zone: Set(time_zone),
        merged_into: Set(None),
        search_text: Set(crate::text::search_text(all_names.iter().copied())),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&tx)
    .await?;
    write_keys(&tx, row.id, &all_names).await?;
    let city = ForeignCity::from_row(row, None);
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "registry_city.create",
            subject_type: "registry_city",
            subject_id: city.id.map(|i| i.to_string()),
            org_id: None,
            details: city.audit_view(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(city)
}

/// Sets the association's standard Korean spelling of a city (staff).
pub async fn set_korean_name(scope: &Scope<'_>, id: CityId, name_ko: &str) -> Result<ForeignCity> {
    require_keeper(scope.actor)?;
    let name_ko = validate::optional_text("name_ko", Some(name_ko), 200).map_err(|e| Error::Invalid(vec![e]))?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let before = find(&tx, id).await?.ok_or(Error::NotFound)?;
    let row = registry_city::Entity::find_by_id(id.0).one(&tx).await?.ok_or(Error::NotFound)?;
    let own: Vec<String> = serde_json::from_str(&row.names).unwrap_or_default();
    let mut active: registry_city::ActiveModel = row.clone().into();
    active.name_ko = Set(name_ko.clone());
    active.version = Set(row.version + 1);
    active.updated_at = Set(crate::db::now());
    active.update(&tx).await?;
    let all: Vec<&str> =
        std::iter::once(row.name.as_str()).chain(name_ko.as_deref()).chain(own.iter().map(String::as_str)).collect();
    registry_city_name::Entity::delete_many().filter(registry_city_name::Column::CityId.eq(id.0)).exec(&tx).await?;
    write_keys(&tx, id.0, &all).await?;
    let after = find(&tx, id).await?.ok_or(Error::NotFound)?;
    audit::record_change(
        &tx,
        scope,
        "registry_city.update",
        ("registry_city", id.to_string()),
        None,
        &before.audit_view(),
        &after.audit_view(),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

async fn write_keys(conn: &impl ConnectionTrait, city_id: i64, names: &[&str]) -> Result<()> {
    let keys: BTreeSet<String> = names.iter().map(|n| name_key(n)).filter(|k| !k.is_empty()).collect();
    if keys.is_empty() {
        return Ok(());
    }
    registry_city_name::Entity::insert_many(keys.into_iter().map(|key| registry_city_name::ActiveModel {
        id: NotSet,
        city_id: Set(city_id),
        key: Set(key),
    }))
    .exec(conn)
    .await?;
    Ok(())
}

/// The registered city for a gazetteer place, registered now if it is not yet. A Korean
/// spelling given is kept as the standard one if the city has none.
pub(crate) async fn register_place(
    conn: &impl ConnectionTrait,
    place_id: i64,
    name_ko: Option<&str>,
) -> Result<CityId> {
    if let Some(row) =
        registry_city::Entity::find().filter(registry_city::Column::PlaceId.eq(place_id)).one(conn).await?
    {
        return Ok(CityId(row.merged_into.unwrap_or(row.id)));
    }
    let p =
        place::Entity::find_by_id(place_id).one(conn).await?.ok_or(Error::field("place_id", ErrorCode::UnknownCity))?;
    let now = crate::db::now();
    let name_ko = name_ko.map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
    let row = registry_city::ActiveModel {
        id: NotSet,
        place_id: Set(Some(p.id)),
        name: Set(p.name.clone()),
        name_ko: Set(name_ko.clone()),
        names: Set("[]".into()),
        country: Set(p.country.clone()),
        region: Set(p.admin1.clone()),
        population: Set(Some(p.population)),
        latitude: Set(Some(p.latitude)),
        longitude: Set(Some(p.longitude)),
        time_zone: Set(p.time_zone.clone()),
        merged_into: Set(None),
        search_text: Set(crate::text::search_text([p.name.as_str()].into_iter().chain(name_ko.as_deref()))),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?;
    let names: Vec<&str> = std::iter::once(p.name.as_str()).chain(name_ko.as_deref()).collect();
    write_keys(conn, row.id, &names).await?;
    Ok(CityId(row.id))
}

/// What a name in a file or form resolves to.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Resolved {
    City(CityId),
    Place(i64),
}

/// Resolves a city name (any script) within a country: a registered city first, else the most
/// populous gazetteer place of that name. Two registered cities of one name in one country
/// are ambiguous.
pub(crate) async fn resolve(
    conn: &impl ConnectionTrait,
    name: &str,
    country: &str,
    home_country: &str,
) -> std::result::Result<Resolved, ErrorCode> {
    let found = search(conn, name, Some(country), home_country, 20).await.map_err(|_| ErrorCode::Internal)?;
    let registered: Vec<&ForeignCity> = found.iter().filter(|c| c.id.is_some()).collect();
    match registered.as_slice() {
        [one] => return Ok(Resolved::City(one.id.expect("registered"))),
        [_, _, ..] => return Err(ErrorCode::AmbiguousName),
        [] => {}
    }
    match found.first() {
        Some(c) => Ok(Resolved::Place(c.place_id.expect("a place"))),
        None => Err(ErrorCode::UnknownCity),
    }
}

/// Merges a city made by hand into a gazetteer place (staff). If the place is registered
/// already, the hand-made entry's relationships and spellings move to it and the entry is
/// marked merged; otherwise the entry becomes the place's entry. Nothing else changes.
pub async fn merge(scope: &Scope<'_>, id: CityId, place_id: i64) -> Result<ForeignCity> {
    require_keeper(scope.actor)?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let source = registry_city::Entity::find_by_id(id.0).one(&tx).await?.ok_or(Error::NotFound)?;
    if source.place_id.is_some() || source.merged_into.is_some() {
        return Err(Error::Refused(ErrorCode::CannotMerge));
    }
    let p =
        place::Entity::find_by_id(place_id).one(&tx).await?.ok_or(Error::field("place_id", ErrorCode::UnknownCity))?;
    let before = ForeignCity::from_row(source.clone(), None);
    let now = crate::db::now();
    let target = registry_city::Entity::find().filter(registry_city::Column::PlaceId.eq(place_id)).one(&tx).await?;
    let result_id = match target {
        Some(t) => {
            registry_relationship::Entity::update_many()
                .col_expr(registry_relationship::Column::CityId, sea_orm::sea_query::Expr::value(t.id))
                .filter(registry_relationship::Column::CityId.eq(source.id))
                .exec(&tx)
                .await?;
            registry_city_name::Entity::update_many()
                .col_expr(registry_city_name::Column::CityId, sea_orm::sea_query::Expr::value(t.id))
                .filter(registry_city_name::Column::CityId.eq(source.id))
                .exec(&tx)
                .await?;
            if t.name_ko.is_none() && source.name_ko.is_some() {
                let mut a: registry_city::ActiveModel = t.clone().into();
                a.name_ko = Set(source.name_ko.clone());
                a.version = Set(t.version + 1);
                a.updated_at = Set(now);
                a.update(&tx).await?;
            }
            let mut a: registry_city::ActiveModel = source.clone().into();
            a.merged_into = Set(Some(t.id));
            a.version = Set(source.version + 1);
            a.updated_at = Set(now);
            a.update(&tx).await?;
            t.id
        }
        None => {
            let mut a: registry_city::ActiveModel = source.clone().into();
            a.place_id = Set(Some(p.id));
            a.country = Set(p.country.clone());
            a.region = Set(p.admin1.clone());
            a.population = Set(Some(p.population));
            a.latitude = Set(Some(p.latitude));
            a.longitude = Set(Some(p.longitude));
            a.time_zone = Set(p.time_zone.clone());
            a.version = Set(source.version + 1);
            a.updated_at = Set(now);
            a.update(&tx).await?;
            source.id
        }
    };
    let after = find(&tx, CityId(result_id)).await?.ok_or(Error::NotFound)?;
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "registry_city.merge",
            subject_type: "registry_city",
            subject_id: Some(id.to_string()),
            org_id: None,
            details: json!({"from": before.audit_view(), "into": result_id, "place_id": place_id}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Names every script of a place has, for explaining lookups in tests and pages.
pub async fn names_of_place(scope: &Scope<'_>, place_id: i64) -> Result<Vec<String>> {
    Ok(gazetteer::get(scope, place_id).await?.names)
}

/// Positions (latitude, longitude) of the gazetteer's larger places, to draw the outline of
/// the world behind a map of partners without map tiles.
pub async fn world_points(scope: &Scope<'_>, min_population: i64) -> Result<Vec<(f64, f64)>> {
    scope.actor.require_login()?;
    Ok(place::Entity::find()
        .select_only()
        .column(place::Column::Latitude)
        .column(place::Column::Longitude)
        .filter(place::Column::Population.gte(min_population))
        .order_by_asc(place::Column::Id)
        .into_tuple()
        .all(scope.db())
        .await?)
}

/// The gazetteer place standing for a member local government: its own name, else (for a
/// district or county) the name's last word, else its province's.
pub async fn member_place(scope: &Scope<'_>, member: crate::ids::OrgId) -> Result<Option<gazetteer::Place>> {
    let home = scope.config().site.country.clone();
    let Some(org) = crate::entities::organization::Entity::find_by_id(member.0).one(scope.db()).await? else {
        return Ok(None);
    };
    let mut names = vec![org.name.clone()];
    if let Some(last) = org.name.split_whitespace().last() {
        names.push(last.to_string());
    }
    if let Some(p) = org.parent_id {
        if let Some(parent) = crate::entities::organization::Entity::find_by_id(p).one(scope.db()).await? {
            names.push(parent.name);
        }
    }
    for n in names {
        let found = gazetteer::lookup_on(scope.db(), &n, 5).await?;
        if let Some(p) = found.into_iter().find(|p| p.country == home) {
            return Ok(Some(p));
        }
    }
    Ok(None)
}
