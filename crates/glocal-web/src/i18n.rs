//! Translations (Fluent files under `locales/<tag>/*.ftl`, compiled into the binary) and the
//! formatting of dates and times in the reader's locale and time zone.
//!
//! A test fails when any key is missing in any of the five locales.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, Timelike, Utc};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use glocal_core::validate::Locale;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Fluent wraps arguments in invisible isolation marks by default; they would end up in
        // attributes and mail subjects.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static LANG_IDS: LazyLock<[LanguageIdentifier; 5]> =
    LazyLock::new(|| Locale::ALL.map(|l| l.tag().parse().expect("valid language tag")));

fn lang_id(locale: Locale) -> &'static LanguageIdentifier {
    let i = Locale::ALL.iter().position(|l| *l == locale).expect("listed");
    &LANG_IDS[i]
}

/// The translator for one reader: cheap to copy into every page.
#[derive(Clone, Copy, Debug)]
pub struct Tr {
    pub locale: Locale,
}

impl Tr {
    pub fn new(locale: Locale) -> Tr {
        Tr { locale }
    }

    /// The text of `key`. A missing key shows as the key itself (and fails the locale test).
    pub fn t(&self, key: &str) -> String {
        LOCALES.try_lookup(lang_id(self.locale), key).unwrap_or_else(|| key.to_string())
    }

    /// The text of `key` with arguments, e.g. `t_args("users-count", &[("count", 3.into())])`.
    pub fn t_args(&self, key: &str, args: &[(&'static str, Arg)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    Arg::Text(s) => FluentValue::from(s.clone()),
                    Arg::Number(n) => FluentValue::from(*n),
                };
                (Cow::Borrowed(*k), value)
            })
            .collect();
        LOCALES.try_lookup_with_args(lang_id(self.locale), key, &map).unwrap_or_else(|| key.to_string())
    }

    /// `t_args` with one argument, for templates.
    pub fn t1(&self, key: &str, name: &'static str, value: impl Into<Arg>) -> String {
        self.t_args(key, &[(name, value.into())])
    }

    /// The translated message of an error code.
    pub fn error(&self, code: glocal_core::ErrorCode) -> String {
        self.t(&format!("error-{}", code.as_str()))
    }

    /// A date and time in the reader's time zone, written the way the locale writes it.
    pub fn datetime(&self, at: &DateTime<Utc>, tz: chrono_tz::Tz) -> String {
        let t = at.with_timezone(&tz);
        let (y, mo, d, h, mi) = (t.year(), t.month(), t.day(), t.hour(), t.minute());
        match self.locale {
            Locale::Ko => format!("{y}. {mo}. {d}. {h:02}:{mi:02}"),
            Locale::En => format!("{d} {} {y}, {h:02}:{mi:02}", MONTHS_EN[mo as usize - 1]),
            Locale::ZhHans | Locale::ZhHant | Locale::Ja => format!("{y}年{mo}月{d}日 {h:02}:{mi:02}"),
        }
    }

    /// A date alone, in the reader's time zone.
    pub fn date(&self, at: &DateTime<Utc>, tz: chrono_tz::Tz) -> String {
        let t = at.with_timezone(&tz);
        let (y, mo, d) = (t.year(), t.month(), t.day());
        match self.locale {
            Locale::Ko => format!("{y}. {mo}. {d}."),
            Locale::En => format!("{d} {} {y}", MONTHS_EN[mo as usize - 1]),
            Locale::ZhHans | Locale::ZhHant | Locale::Ja => format!("{y}年{mo}月{d}日"),
        }
    }
}

const MONTHS_EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// An argument of a translated message.
#[derive(Clone, Debug)]
pub enum Arg {
    Text(String),
    Number(f64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_string())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}
impl From<&String> for Arg {
    fn from(s: &String) -> Self {
        Arg::Text(s.clone())
    }
}
impl From<u64> for Arg {
    fn from(n: u64) -> Self {
        Arg::Number(n as f64)
    }
}
impl From<&u64> for Arg {
    fn from(n: &u64) -> Self {
        Arg::Number(*n as f64)
    }
}
impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Arg::Number(n as f64)
    }
}
impl From<usize> for Arg {
    fn from(n: usize) -> Self {
        Arg::Number(n as f64)
    }
}

/// The message keys of each locale, read from the Fluent sources (for the completeness test).
pub fn keys_by_locale() -> Vec<(Locale, std::collections::BTreeSet<String>)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    Locale::ALL
        .iter()
        .map(|l| {
            let mut keys = std::collections::BTreeSet::new();
            let dir = root.join(l.tag());
            for entry in std::fs::read_dir(&dir).expect("locale folder exists") {
                let path = entry.expect("readable").path();
                if path.extension().is_some_and(|e| e == "ftl") {
                    let text = std::fs::read_to_string(&path).expect("readable ftl");
                    for line in text.lines() {
                        if let Some((key, _)) = line.split_once('=') {
                            let key = key.trim_end();
                            if !key.is_empty()
                                && !line.starts_with([' ', '#', '\t', '.', '[', '*', '}'])
                                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                            {
                                keys.insert(key.to_string());
                            }
                        }
                    }
                }
            }
            (*l, keys)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_exists_in_every_locale() {
        let all = keys_by_locale();
        let union: std::collections::BTreeSet<String> = all.iter().flat_map(|(_, k)| k.iter().cloned()).collect();
        let mut missing = Vec::new();
        for (locale, keys) in &all {
            for key in union.difference(keys) {
                missing.push(format!("{}: {key}", locale.tag()));
            }
        }
        assert!(missing.is_empty(), "keys missing in some locales:\n{}", missing.join("\n"));
        assert!(union.len() > 100, "expected the full message catalogue, found {} keys", union.len());
    }

    #[test]
    fn every_error_code_is_translated() {
        for locale in Locale::ALL {
            let tr = Tr::new(locale);
            for code in glocal_core::ErrorCode::ALL {
                let key = format!("error-{}", code.as_str());
                assert_ne!(tr.t(&key), key, "{} lacks {key}", locale.tag());
            }
        }
    }

    #[test]
    fn every_key_used_in_code_and_templates_exists() {
        let (_, keys) = &keys_by_locale()[0];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = Vec::new();
        let mut stack = vec![root.join("templates"), root.join("src")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for pat in [".t(\"", ".t1(\"", ".t_args(\""] {
                    for (i, _) in text.match_indices(pat) {
                        let rest = &text[i + pat.len()..];
                        let key: String = rest.chars().take_while(|c| *c != '"').collect();
                        if !key.is_empty() && !key.contains('{') && !key.ends_with('-') {
                            used.push((path.display().to_string(), key));
                        }
                    }
                }
            }
        }
        let unknown: Vec<_> = used.iter().filter(|(_, k)| !keys.contains(k)).collect();
        assert!(unknown.is_empty(), "keys used but not defined: {unknown:?}");
        assert!(used.len() > 50, "the scan found too few keys ({}); is it still reading the templates?", used.len());
    }

    #[test]
    fn dates_follow_locale_and_zone() {
        let at: DateTime<Utc> = "2026-11-22T14:05:00Z".parse().unwrap();
        let seoul = chrono_tz::Asia::Seoul;
        assert_eq!(Tr::new(Locale::Ko).datetime(&at, seoul), "2026. 11. 22. 23:05");
        assert_eq!(Tr::new(Locale::En).datetime(&at, chrono_tz::Europe::London), "22 Nov 2026, 14:05");
        assert_eq!(Tr::new(Locale::Ja).datetime(&at, chrono_tz::Asia::Tokyo), "2026年11月22日 23:05");
        assert_eq!(Tr::new(Locale::ZhHant).date(&at, chrono_tz::America::New_York), "2026年11月22日");
    }
}
