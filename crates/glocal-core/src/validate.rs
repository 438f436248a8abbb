//! Parsed values at the edges. A value of one of these types has been checked once, where it
//! entered, and is valid everywhere after that.

use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, FieldError};

/// The five interface languages, Korean first (the default of the first configuration).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    #[serde(rename = "ko")]
    Ko,
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-Hans")]
    ZhHans,
    #[serde(rename = "zh-Hant")]
    ZhHant,
    #[serde(rename = "ja")]
    Ja,
}

impl Locale {
    pub const ALL: [Locale; 5] = [Locale::Ko, Locale::En, Locale::ZhHans, Locale::ZhHant, Locale::Ja];

    /// The BCP 47 tag, as stored and as used in `lang` attributes.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Ko => "ko",
            Locale::En => "en",
            Locale::ZhHans => "zh-Hans",
            Locale::ZhHant => "zh-Hant",
            Locale::Ja => "ja",
        }
    }

    /// The language's own name for itself, for the language switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::Ko => "한국어",
            Locale::En => "English",
            Locale::ZhHans => "简体中文",
            Locale::ZhHant => "繁體中文",
            Locale::Ja => "日本語",
        }
    }

    /// Parses a tag as users and browsers write it: `ko`, `ko-KR`, `zh-CN`, `zh-TW`, `zh-Hant`,
    /// `zh-HK`, `ja-JP`, `en-GB`, case-insensitively.
    pub fn parse(tag: &str) -> Result<Locale, ErrorCode> {
        let t = tag.trim().to_ascii_lowercase().replace('_', "-");
        let mut parts = t.split('-');
        let lang = parts.next().unwrap_or_default();
        let rest: Vec<&str> = parts.collect();
        match lang {
            "ko" => Ok(Locale::Ko),
            "en" => Ok(Locale::En),
            "ja" => Ok(Locale::Ja),
            "zh" => {
                let traditional = rest.iter().any(|p| matches!(*p, "hant" | "tw" | "hk" | "mo"));
                Ok(if traditional { Locale::ZhHant } else { Locale::ZhHans })
            }
            _ => Err(ErrorCode::InvalidLocale),
        }
    }

    /// Picks the best supported locale from an `Accept-Language` header, honouring q-values.
    pub fn negotiate(accept_language: &str) -> Option<Locale> {
        let mut ranked: Vec<(f32, usize, Locale)> = accept_language
            .split(',')
            .enumerate()
            .filter_map(|(i, item)| {
                let mut fields = item.split(';');
                let tag = fields.next()?.trim();
                let q =
                    fields.find_map(|f| f.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
                let locale = Locale::parse(tag).ok()?;
                (q > 0.0).then_some((q, i, locale))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.first().map(|r| r.2)
    }
}

impl std::fmt::Display for Locale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.tag())
    }
}

/// An IANA time zone such as `Asia/Seoul`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeZone(pub chrono_tz::Tz);

impl TimeZone {
    pub fn parse(name: &str) -> Result<TimeZone, ErrorCode> {
        name.trim().parse::<chrono_tz::Tz>().map(TimeZone).map_err(|_| ErrorCode::InvalidTimeZone)
    }
    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

/// A mail address, lower-cased. The check is the practical one (one `@`, a dotted or
/// `localhost` domain, no spaces), not RFC 5322's full grammar.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, ErrorCode> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(ErrorCode::ValueRequired);
        }
        if s.chars().count() > 254 {
            return Err(ErrorCode::ValueTooLong);
        }
        let (local, domain) = s.split_once('@').ok_or(ErrorCode::InvalidEmail)?;
        let ok = !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && !s.chars().any(|c| c.is_whitespace() || c.is_control() || "<>(),;:\\\"[]".contains(c))
            && (domain.contains('.') || domain == "localhost")
            && !domain.starts_with('.')
            && !domain.ends_with('.');
        if ok { Ok(Email(s)) } else { Err(ErrorCode::InvalidEmail) }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An ISO 3166-1 alpha-2 country code, upper-cased.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CountryCode(String);

impl CountryCode {
    pub fn parse(raw: &str) -> Result<CountryCode, ErrorCode> {
        let s = raw.trim().to_ascii_uppercase();
        if s.len() == 2 && s.chars().all(|c| c.is_ascii_uppercase()) {
            Ok(CountryCode(s))
        } else {
            Err(ErrorCode::InvalidCountry)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A language a person works in: an ISO 639-1 code, optionally with a script or region
/// (`ko`, `en`, `zh-Hans`, `zh-Hant`, `ja`, `fr`, `pt-BR`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LanguageCode(String);

impl LanguageCode {
    pub fn parse(raw: &str) -> Result<LanguageCode, ErrorCode> {
        let s = raw.trim();
        let mut parts = s.split('-');
        let lang = parts.next().unwrap_or_default();
        if !(2..=3).contains(&lang.len()) || !lang.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(ErrorCode::InvalidLanguage);
        }
        let mut out = lang.to_ascii_lowercase();
        for p in parts {
            let tidy = match p.len() {
                4 if p.chars().all(|c| c.is_ascii_alphabetic()) => {
                    let mut c = p.to_ascii_lowercase();
                    c[..1].make_ascii_uppercase();
                    c
                }
                2 if p.chars().all(|c| c.is_ascii_alphabetic()) => p.to_ascii_uppercase(),
                _ => return Err(ErrorCode::InvalidLanguage),
            };
            out.push('-');
            out.push_str(&tidy);
        }
        Ok(LanguageCode(out))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Trims `raw` and checks it is present and at most `max` characters long.
pub fn required_text(field: &'static str, raw: &str, max: usize) -> Result<String, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::new(field, ErrorCode::ValueRequired));
    }
    if s.chars().count() > max {
        return Err(FieldError::new(field, ErrorCode::ValueTooLong));
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        return Err(FieldError::new(field, ErrorCode::InvalidCharacters));
    }
    Ok(s.to_string())
}

/// Like [`required_text`], but an empty value is `None`.
pub fn optional_text(field: &'static str, raw: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => required_text(field, s, max).map(Some),
    }
}

/// Collects field errors so a form can show all of them at once.
#[derive(Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn new() -> Self {
        Checks(Vec::new())
    }
    /// Keeps the value if it parsed, remembers the error if not.
    pub fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }
    /// Like [`Checks::take`] for parsers that return a bare code.
    pub fn field<T>(&mut self, field: &'static str, r: Result<T, ErrorCode>) -> Option<T> {
        self.take(r.map_err(|code| FieldError::new(field, code)))
    }
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    /// The number of field errors so far.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Ends the checks: an error listing every failed field, or success.
    pub fn finish(self) -> Result<(), crate::Error> {
        if self.0.is_empty() { Ok(()) } else { Err(crate::Error::Invalid(self.0)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_from_browser_tags() {
        assert_eq!(Locale::parse("zh-TW"), Ok(Locale::ZhHant));
        assert_eq!(Locale::parse("zh-hk"), Ok(Locale::ZhHant));
        assert_eq!(Locale::parse("zh-CN"), Ok(Locale::ZhHans));
        assert_eq!(Locale::parse("zh"), Ok(Locale::ZhHans));
        assert_eq!(Locale::parse("ja-JP"), Ok(Locale::Ja));
        assert_eq!(Locale::parse("fr"), Err(ErrorCode::InvalidLocale));
        assert_eq!(Locale::negotiate("fr-FR,fr;q=0.9,ja;q=0.8,en;q=0.7"), Some(Locale::Ja));
        assert_eq!(Locale::negotiate("en;q=0.5, zh-TW"), Some(Locale::ZhHant));
        assert_eq!(Locale::negotiate("de, ko;q=0"), None);
    }

    #[test]
    fn emails() {
        assert_eq!(Email::parse(" Kim@Seoul.go.KR ").unwrap().as_str(), "kim@seoul.go.kr");
        assert_eq!(Email::parse("nobody"), Err(ErrorCode::InvalidEmail));
        assert_eq!(Email::parse("a b@c.d"), Err(ErrorCode::InvalidEmail));
        assert_eq!(Email::parse(""), Err(ErrorCode::ValueRequired));
    }

    #[test]
    fn languages_and_countries() {
        assert_eq!(LanguageCode::parse("zh-hant").unwrap().as_str(), "zh-Hant");
        assert_eq!(LanguageCode::parse("PT-br").unwrap().as_str(), "pt-BR");
        assert!(LanguageCode::parse("korean!").is_err());
        assert_eq!(CountryCode::parse("jp").unwrap().as_str(), "JP");
        assert!(CountryCode::parse("JPN").is_err());
    }
}
