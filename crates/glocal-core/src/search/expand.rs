//! Widening a query across scripts and languages: the term base (姊妹市 = 자매결연 = sister city)
//! and place names (Taichung = 臺中 = 台中 = 타이중).
//!
//! The expander is built once ([`Expander::load`]) and shared; searching is then synchronous.
//! Place names are held compactly: the lookup keys of every gazetteer name ([`name_key`];
//! 337,229 for the full GeoNames file) in one finite-state transducer mapping a key to the
//! place, and per place only its names in Latin, Hangul, Han and kana script.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
use tantivy_fst::Map;

use crate::entities::place;
use crate::error::{Error, Result};
use crate::gazetteer::{Script, name_key};
use crate::text::search_fold;

/// One run of the query the expander knows, and what it adds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expansion {
    /// The run as found in the folded query.
    pub span: String,
    /// The other forms (other languages and scripts), to be OR-ed with the span.
    pub alternatives: Vec<String>,
}

/// The longest run tried, in words (Latin) or characters (CJK).
const MAX_WORDS: usize = 5;
const MAX_CHARS: usize = 12;
/// Names of one place kept for expansion, at most.
const MAX_PLACE_NAMES: usize = 8;

#[derive(Default)]
struct Inner {
    /// Term base: the key of every term → the concept's index.
    term_keys: HashMap<String, usize>,
    /// Every concept's terms, all languages.
    concepts: Vec<Vec<String>>,
    /// Place name key → index into `place_names`.
    places: Option<Map<Vec<u8>>>,
    /// Per place: its names joined with U+001F.
    place_names: Vec<Box<str>>,
    /// The term base's version this expander was built from.
    version: i64,
}

/// Cheap to clone; `Send + Sync`.
#[derive(Clone, Default)]
pub struct Expander {
    inner: Arc<Inner>,
}

/// The key a term is matched by: folded (width, case, Traditional → Simplified), without spaces
/// and punctuation between CJK characters; Latin words stemmed so "sister cities" meets
/// "sister city".
pub fn term_key(term: &str) -> String {
    let mut out = String::new();
    let mut last_latin = false;
    for u in super::analysis::query_units(term) {
        if u.latin {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&u.alternatives[0][0]);
        } else {
            if last_latin {
                out.push(' ');
            }
            out.push_str(&u.word);
        }
        last_latin = u.latin;
    }
    out
}

impl Expander {
    pub fn empty() -> Expander {
        Expander::default()
    }

    /// An expander from concepts (each a list of synonymous terms in any language) and places
    /// (each a list of names of one place, any script; a key shared by several places leads
    /// to the first).
    pub fn build(concepts: Vec<Vec<String>>, places: Vec<Vec<String>>, version: i64) -> Result<Expander> {
        let mut inner = Inner { version, ..Inner::default() };
        for terms in concepts {
            let idx = inner.concepts.len();
            for t in &terms {
                let key = term_key(t);
                if !key.is_empty() {
                    inner.term_keys.entry(key).or_insert(idx);
                }
            }
            inner.concepts.push(terms);
        }
        let mut keys: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        for names in places {
            let idx = inner.place_names.len() as u64;
            for n in &names {
                let key = name_key(n);
                if key.chars().count() >= 2 {
                    keys.entry(key.into_bytes()).or_insert(idx);
                }
            }
            inner.place_names.push(names.join("\u{1f}").into_boxed_str());
        }
        if !keys.is_empty() {
            let map = Map::from_iter(keys).map_err(|e| Error::Internal(anyhow::anyhow!("place name map: {e}")))?;
            inner.places = Some(map);
        }
        Ok(Expander { inner: Arc::new(inner) })
    }

    /// The term base plus the gazetteer's place names (most populous place first for a
    /// shared key).
    pub async fn load(core: &crate::Core) -> Result<Expander> {
        let (concepts, version) = super::terms::all_concepts(&core.db).await?;
        let places = load_places(&core.db).await?;
        Expander::build(concepts, places, version)
    }

    /// The term base version this expander was built from.
    pub fn version(&self) -> i64 {
        self.inner.version
    }

    /// Bytes held for place names (the key map plus the names).
    pub fn place_bytes(&self) -> usize {
        self.inner.places.as_ref().map_or(0, |m| m.as_fst().size())
            + self.inner.place_names.iter().map(|s| s.len() + 16).sum::<usize>()
    }

    fn lookup_term(&self, key: &str) -> Option<&[String]> {
        self.inner.term_keys.get(key).map(|&i| self.inner.concepts[i].as_slice())
    }

    fn lookup_place(&self, raw: &str) -> Option<Vec<&str>> {
        let key = name_key(raw);
        if key.chars().count() < 2 {
            return None;
        }
        let idx = self.inner.places.as_ref()?.get(key.as_bytes())?;
        Some(self.inner.place_names[idx as usize].split('\u{1f}').collect())
    }

    /// The known runs of `text`, longest first from left to right, each with its alternatives.
    pub fn expand(&self, text: &str) -> Vec<Expansion> {
        if self.inner.concepts.is_empty() && self.inner.places.is_none() {
            return Vec::new();
        }
        let folded = search_fold(text);
        let segments = segments(&folded);
        let mut out = Vec::new();
        let mut i = 0;
        while i < segments.len() {
            match &segments[i] {
                Segment::Latin(_) => {
                    let mut n = MAX_WORDS.min(segments.len() - i);
                    let mut found = false;
                    while n >= 1 {
                        let words: Option<Vec<&str>> = segments[i..i + n]
                            .iter()
                            .map(|s| if let Segment::Latin(w) = s { Some(w.as_str()) } else { None })
                            .collect();
                        if let Some(words) = words
                            && !super::analysis::is_stop_word(words[0])
                            && !super::analysis::is_stop_word(words[words.len() - 1])
                            && let Some(e) = self.expansion_of(&words.join(" "), true)
                        {
                            out.push(e);
                            i += n;
                            found = true;
                            break;
                        }
                        n -= 1;
                    }
                    if !found {
                        i += 1;
                    }
                }
                Segment::Cjk(run) => {
                    let chars: Vec<char> = run.chars().collect();
                    // Korean words are spaced: a place name must be the whole word (less a
                    // particle), never a piece of a longer one (기후변화 is not Gifu, 기후).
                    let hangul = chars.iter().any(|c| matches!(*c as u32, 0xAC00..=0xD7A3));
                    let stripped = super::analysis::strip_korean_particle(run).unwrap_or(run);
                    let mut s = 0;
                    while s < chars.len() {
                        let mut n = MAX_CHARS.min(chars.len() - s);
                        let mut found = false;
                        while n >= 2 {
                            let raw: String = chars[s..s + n].iter().collect();
                            let places = !hangul || raw == *run || raw == stripped;
                            if let Some(e) = self.expansion_of(&raw, places) {
                                out.push(e);
                                s += n;
                                found = true;
                                break;
                            }
                            n -= 1;
                        }
                        if !found {
                            s += 1;
                        }
                    }
                    i += 1;
                }
            }
        }
        out
    }

    fn expansion_of(&self, raw: &str, places: bool) -> Option<Expansion> {
        let key = term_key(raw);
        let mut alternatives: Vec<String> = Vec::new();
        let mut push = |t: &str| {
            if term_key(t) != key && !alternatives.iter().any(|a| term_key(a) == term_key(t)) {
                alternatives.push(t.to_string());
            }
        };
        if let Some(terms) = self.lookup_term(&key) {
            terms.iter().for_each(|t| push(t));
        }
        if places && let Some(names) = self.lookup_place(raw) {
            // A CJK name written with its administrative suffix apart (타이중 시) is searched
            // without it, so that it also finds the suffix written together (타이중시).
            names.into_iter().map(drop_spaced_suffix).for_each(|n| push(&n));
        }
        (!alternatives.is_empty()).then(|| Expansion { span: raw.to_string(), alternatives })
    }
}

/// "타이중 시" → "타이중"; other names unchanged.
fn drop_spaced_suffix(name: &str) -> String {
    match name.rsplit_once(' ') {
        Some((head, tail)) if tail.chars().count() == 1 && tail.chars().all(is_cjk) && !head.trim().is_empty() => {
            head.trim().to_string()
        }
        _ => name.to_string(),
    }
}

/// A word of Latin script, or a run of CJK characters, of a folded text.
pub(crate) enum Segment {
    Latin(String),
    Cjk(String),
}

/// The words and CJK runs of a folded text (what the expander and the term lookup walk).
pub(crate) fn segments(folded: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut cur_cjk = false;
    let flush = |cur: &mut String, cjk: bool, out: &mut Vec<Segment>| {
        if !cur.is_empty() {
            out.push(if cjk { Segment::Cjk(std::mem::take(cur)) } else { Segment::Latin(std::mem::take(cur)) });
        }
    };
    for c in folded.chars() {
        if !(c.is_alphanumeric() || c == '-' || c == '\'') {
            flush(&mut cur, cur_cjk, &mut out);
            continue;
        }
        let cjk = is_cjk(c);
        if cjk != cur_cjk {
            flush(&mut cur, cur_cjk, &mut out);
        }
        cur_cjk = cjk;
        cur.push(c);
    }
    flush(&mut cur, cur_cjk, &mut out);
    out
}

fn is_cjk(c: char) -> bool {
    crate::text::is_han(c) || matches!(c as u32, 0x3040..=0x30FF | 0xAC00..=0xD7A3 | 0x1100..=0x11FF | 0x3130..=0x318F)
}

/// Per place of the gazetteer, most populous first: its name, then its names in Hangul, Han
/// and kana, then other Latin and CJK spellings (at most [`MAX_PLACE_NAMES`]).
async fn load_places(db: &sea_orm::DatabaseConnection) -> Result<Vec<Vec<String>>> {
    let rows: Vec<(String, String)> = place::Entity::find()
        .select_only()
        .column(place::Column::Name)
        .column(place::Column::Names)
        .order_by_desc(place::Column::Population)
        .order_by_asc(place::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(name, names)| place_names(name, serde_json::from_str(&names).unwrap_or_default()))
        .collect())
}

/// The names of one place worth adding to a query: its name, its first names in Hangul, Han
/// and kana, then other CJK spellings (at most [`MAX_PLACE_NAMES`]).
fn place_names(name: String, names: Vec<String>) -> Vec<String> {
    let mut keep = vec![name];
    for script in [Script::Hangul, Script::Han, Script::Kana] {
        if let Some(n) = names.iter().find(|n| Script::of(n) == Some(script)) {
            keep.push(n.clone());
        }
    }
    for n in names {
        if keep.len() >= MAX_PLACE_NAMES {
            break;
        }
        if matches!(Script::of(&n), Some(Script::Hangul | Script::Han | Script::Kana)) && !keep.contains(&n) {
            keep.push(n);
        }
    }
    keep
}

/// The places of a GeoNames cities file as `gazetteer::import_geonames` reads it (an object
/// of records, or an array), most populous first: for tests and benchmarks without a database.
pub fn places_from_geonames(json: &str) -> Result<Vec<Vec<String>>> {
    #[derive(serde::Deserialize)]
    struct Record {
        name: String,
        population: i64,
        #[serde(default)]
        alternatenames: Vec<String>,
    }
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| Error::Internal(e.into()))?;
    let records: Vec<Record> = match value {
        serde_json::Value::Object(map) => map.into_iter().filter_map(|(_, v)| serde_json::from_value(v).ok()).collect(),
        v => serde_json::from_value(v).map_err(|e| Error::Internal(e.into()))?,
    };
    let mut records = records;
    records.sort_by(|a, b| b.population.cmp(&a.population).then_with(|| a.name.cmp(&b.name)));
    Ok(records.into_iter().map(|r| place_names(r.name, r.alternatenames)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn terms_and_places_expand_across_scripts() {
        let e = Expander::build(
            vec![s(&["sister city", "자매결연", "姊妹市", "姐妹城市", "姉妹都市"])],
            vec![s(&["Taichung", "타이중", "臺中", "タイチュン"])],
            1,
        )
        .unwrap();
        let x = e.expand("Sister Cities of Taichung");
        assert_eq!(x.len(), 2, "{x:?}");
        assert_eq!(x[0].span, "sister cities");
        assert!(x[0].alternatives.contains(&"자매결연".to_string()));
        assert_eq!(x[1].span, "taichung");
        assert!(x[1].alternatives.contains(&"臺中".to_string()));
        let x = e.expand("台中市的姐妹城市");
        let spans: Vec<&str> = x.iter().map(|e| e.span.as_str()).collect();
        assert_eq!(spans, ["台中市", "姐妹城市"]);
        assert!(x[0].alternatives.contains(&"Taichung".to_string()));
        assert!(x[1].alternatives.contains(&"자매결연".to_string()));
        assert!(e.expand("자매결연").iter().any(|x| x.alternatives.contains(&"sister city".to_string())));
        assert!(e.expand("mayor").is_empty());
        // A place name inside a longer Korean word is not the place.
        let gifu =
            Expander::build(vec![], vec![s(&["Gifu", "기후", "岐阜"]), s(&["Taichung", "타이중 시"])], 1).unwrap();
        assert!(gifu.expand("기후변화").is_empty());
        assert_eq!(gifu.expand("기후의")[0].span, "기후");
        assert!(gifu.expand("Taichung")[0].alternatives.contains(&"타이중".to_string()));
        assert!(Expander::empty().expand("Taichung").is_empty());
    }
}
