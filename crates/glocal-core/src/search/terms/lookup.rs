//! Finding the term base's terms in a text, for translators: the text is folded and walked as
//! the query expander walks a query ([`super::super::expand`]), so a term matches across
//! width, case, Chinese script (姊妹市 in a Traditional text meets 姐妹市) and English
//! inflection ("sister cities" meets "sister city").
//!
//! The keys of every term are held per process and rebuilt when the term base's version moves
//! on, so a lookup costs one tiny query when nothing changed.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use sea_orm::DatabaseConnection;

use crate::error::Result;
use crate::search::analysis::{cjk_fold, is_stop_word};
use crate::search::expand::{Segment, segments, term_key};
use crate::text::search_fold;

/// The longest run tried, in words (English and other Latin-script text) or characters (CJK),
/// as the query expander does.
const MAX_WORDS: usize = 6;
const MAX_CHARS: usize = 12;

/// The term keys of one version of the term base.
pub struct Matcher {
    version: i64,
    /// A term's key → the concepts having a term with that key.
    keys: HashMap<String, Vec<i64>>,
}

impl Matcher {
    pub(crate) fn build(version: i64, terms: impl IntoIterator<Item = (i64, String)>) -> Matcher {
        let mut keys: HashMap<String, Vec<i64>> = HashMap::new();
        for (concept, text) in terms {
            let key = term_key(&text);
            if key.is_empty() {
                continue;
            }
            let ids = keys.entry(key).or_default();
            if !ids.contains(&concept) {
                ids.push(concept);
            }
        }
        Matcher { version, keys }
    }

    /// The concepts whose terms occur in `text`, in the order they first occur. At each place
    /// the longest known run wins (지방자치단체 is a local government, not local autonomy).
    pub fn find(&self, text: &str) -> Vec<i64> {
        let mut found: Vec<i64> = Vec::new();
        let mut add = |ids: &[i64]| {
            for id in ids {
                if !found.contains(id) {
                    found.push(*id);
                }
            }
        };
        if self.keys.is_empty() {
            return found;
        }
        let segments = segments(&search_fold(text));
        let mut i = 0;
        while i < segments.len() {
            match &segments[i] {
                Segment::Latin(_) => {
                    // The words from here to the next CJK segment, each keyed once.
                    let words: Vec<String> = segments[i..]
                        .iter()
                        .take(MAX_WORDS)
                        .map_while(|s| if let Segment::Latin(w) = s { Some(w.clone()) } else { None })
                        .collect();
                    let first = &words[0];
                    let mut taken = 1;
                    if !is_stop_word(first) {
                        let keys: Vec<String> = words.iter().map(|w| term_key(w)).collect();
                        for n in (1..=words.len()).rev() {
                            if is_stop_word(&words[n - 1]) {
                                continue;
                            }
                            let key = keys[..n].iter().filter(|k| !k.is_empty()).cloned().collect::<Vec<_>>().join(" ");
                            if let Some(ids) = self.keys.get(&key) {
                                add(ids);
                                taken = n;
                                break;
                            }
                        }
                    }
                    i += taken;
                }
                Segment::Cjk(run) => {
                    let chars: Vec<char> = cjk_fold(run).chars().collect();
                    let mut s = 0;
                    while s < chars.len() {
                        let mut taken = 1;
                        for n in (2..=MAX_CHARS.min(chars.len() - s)).rev() {
                            let key: String = chars[s..s + n].iter().collect();
                            if let Some(ids) = self.keys.get(&key) {
                                add(ids);
                                taken = n;
                                break;
                            }
                        }
                        s += taken;
                    }
                    i += 1;
                }
            }
        }
        found
    }
}

/// The process's matcher, rebuilt when the term base's version changes. Cheap to clone.
#[derive(Clone, Default)]
pub struct LookupCache {
    inner: Arc<RwLock<Option<Arc<Matcher>>>>,
}

impl LookupCache {
    /// The matcher of the term base as it is now.
    pub(crate) async fn matcher(&self, db: &DatabaseConnection) -> Result<Arc<Matcher>> {
        // The version first: a change committed while the terms are read leaves a newer
        // version in the table than the one kept, so the next lookup rebuilds again.
        let version = super::version(db).await?;
        if let Some(m) = self.inner.read().expect("term cache lock").as_ref()
            && m.version == version
        {
            return Ok(m.clone());
        }
        let rows = super::term_rows(db).await?;
        let matcher = Arc::new(Matcher::build(version, rows));
        *self.inner.write().expect("term cache lock") = Some(matcher.clone());
        Ok(matcher)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_found_across_scripts_and_inflections_longest_first() {
        let m = Matcher::build(
            1,
            [
                (1, "sister city".to_string()),
                (1, "姐妹市".into()),
                (1, "자매결연".into()),
                (2, "local government".into()),
                (2, "지방자치단체".into()),
                (3, "local autonomy".into()),
                (3, "지방자치".into()),
                (4, "united cities and local governments".into()),
                (5, "mayor".into()),
            ],
        );
        assert_eq!(m.find("臺中市與全羅北道締結姊妹市"), [1]);
        assert_eq!(m.find("서울시는 도쿄도와 자매결연을 맺었다"), [1]);
        assert_eq!(m.find("지방자치단체의 지방자치"), [2, 3]);
        assert_eq!(m.find("Two Sister Cities and their Local Governments"), [1, 2]);
        assert_eq!(m.find("the United Cities and Local Governments congress"), [4]);
        assert_eq!(m.find("The Mayor of Taichung"), [5]);
        assert!(m.find("nothing here").is_empty());
        assert!(Matcher::build(1, []).find("sister city").is_empty());
    }
}
