//! The five categories of request and the typed fields of each, checked field by field;
//! plus the fields administrators add to a category without a code change.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::workflow::str_enum;
use crate::error::{ErrorCode, FieldError};
use crate::validate::{Checks, CountryCode, LanguageCode};

str_enum! {
    /// The five areas of the desk.
    Category {
        InterpretationTranslation => "interpretation_translation",
        InternationalExchange => "international_exchange",
        OverseasVisit => "overseas_visit",
        InformationRequest => "information_request",
        GeneralInquiry => "general_inquiry",
    }
}

str_enum! {
    /// How urgent: scales the SLA targets.
    Priority {
        Urgent => "urgent",
        High => "high",
        Normal => "normal",
        Low => "low",
    }
}

/// Interpretation & translation: one of the two services.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "service", rename_all = "snake_case", deny_unknown_fields)]
pub enum LanguageService {
    Translation {
        source_language: String,
        target_languages: Vec<String>,
        /// When the translation is needed; the final-response clock ends here when sooner.
        due_date: Option<NaiveDate>,
        /// Text to translate given inline (documents come as attachments).
        #[serde(default)]
        text: Option<String>,
        /// Computed from the text and the text documents attached; not accepted from clients.
        #[serde(default)]
        char_count: u64,
        #[serde(default)]
        word_count: u64,
    },
    Interpretation {
        starts_at: DateTime<Utc>,
        /// A place, or none when `remote`.
        place: Option<String>,
        #[serde(default)]
        remote: bool,
        languages: Vec<String>,
        hours: f64,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exchange {
    /// `sought` (find us a partner) or `named`.
    pub partner: String,
    pub partner_name: Option<String>,
    pub country: String,
    pub fields_of_exchange: Vec<String>,
    pub purpose: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DelegationMember {
    pub name: String,
    pub title: String,
    pub role: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Destination {
    pub city: String,
    pub country: String,
    pub arrive: NaiveDate,
    pub depart: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Visit {
    pub delegation: Vec<DelegationMember>,
    pub destinations: Vec<Destination>,
    pub purposes: Vec<String>,
    #[serde(default)]
    pub meetings_wanted: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Information {
    pub question: String,
    pub countries: Vec<String>,
    pub answer_needed_by: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inquiry {
    pub question: String,
}

/// The typed fields of a request, one shape per category.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Fields {
    LanguageService(LanguageService),
    Exchange(Exchange),
    Visit(Visit),
    Information(Information),
    Inquiry(Inquiry),
}

impl Fields {
    /// A date by which the requester needs the final answer, if the fields name one.
    pub fn needed_by(&self) -> Option<NaiveDate> {
        match self {
            Fields::LanguageService(LanguageService::Translation { due_date, .. }) => *due_date,
            Fields::Information(i) => i.answer_needed_by,
            _ => None,
        }
    }

    /// The countries the request concerns, for routing.
    pub fn countries(&self) -> Vec<String> {
        match self {
            Fields::Exchange(e) => vec![e.country.clone()],
            Fields::Visit(v) => v.destinations.iter().map(|d| d.country.clone()).collect(),
            Fields::Information(i) => i.countries.clone(),
            _ => vec![],
        }
    }
}

/// Counts the characters (excluding white space) and words of a text, the way translators
/// price work: a CJK character counts as a word of its own.
pub fn count_text(text: &str) -> (u64, u64) {
    let mut chars = 0;
    let mut words = 0;
    let mut in_word = false;
    for c in text.chars() {
        if c.is_whitespace() {
            in_word = false;
            continue;
        }
        chars += 1;
        let cjk = matches!(c as u32, 0x1100..=0x11FF | 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF);
        if cjk {
            // Hangul words are separated by spaces; Han and Kana are not.
            let hangul = matches!(c as u32, 0x1100..=0x11FF | 0xAC00..=0xD7AF);
            if hangul {
                if !in_word {
                    words += 1;
                }
                in_word = true;
            } else {
                words += 1;
                in_word = false;
            }
        } else if c.is_alphanumeric() {
            if !in_word {
                words += 1;
            }
            in_word = true;
        } else {
            in_word = false;
        }
    }
    (chars, words)
}

fn text(checks: &mut Checks, field: &str, value: &str, max: usize) -> String {
    let t = value.trim();
    if t.is_empty() {
        checks.push(FieldError::new(field, ErrorCode::ValueRequired));
    } else if t.chars().count() > max {
        checks.push(FieldError::new(field, ErrorCode::ValueTooLong));
    }
    t.to_string()
}

fn list(checks: &mut Checks, field: &str, values: &[String], max_each: usize) -> Vec<String> {
    if values.is_empty() {
        checks.push(FieldError::new(field, ErrorCode::ValueRequired));
    }
    values.iter().map(|v| text(checks, field, v, max_each)).collect()
}

fn country(checks: &mut Checks, field: &str, value: &str) -> String {
    match CountryCode::parse(value) {
        Ok(c) => c.as_str().to_string(),
        Err(code) => {
            checks.push(FieldError::new(field, code));
            value.to_string()
        }
    }
}

fn language(checks: &mut Checks, field: &str, value: &str) -> String {
    match LanguageCode::parse(value) {
        Ok(c) => c.as_str().to_string(),
        Err(code) => {
            checks.push(FieldError::new(field, code));
            value.to_string()
        }
    }
}

/// Reads and checks the fields of `category` from JSON. Field errors are named
/// `fields.<name>`; everything wrong is reported at once.
pub fn parse_fields(category: Category, raw: &Value, checks: &mut Checks) -> Option<Fields> {
    let decoded = match category {
        Category::InterpretationTranslation => {
            serde_json::from_value::<LanguageService>(raw.clone()).map(Fields::LanguageService)
        }
        Category::InternationalExchange => serde_json::from_value::<Exchange>(raw.clone()).map(Fields::Exchange),
        Category::OverseasVisit => serde_json::from_value::<Visit>(raw.clone()).map(Fields::Visit),
        Category::InformationRequest => serde_json::from_value::<Information>(raw.clone()).map(Fields::Information),
        Category::GeneralInquiry => serde_json::from_value::<Inquiry>(raw.clone()).map(Fields::Inquiry),
    };
    let fields = match decoded {
        Ok(f) => f,
        Err(e) => {
            // serde names the missing or unexpected field in its message; report that one.
            let msg = e.to_string();
            let name = msg.split('`').nth(1).filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
            let code = if msg.starts_with("missing field") {
                ErrorCode::ValueRequired
            } else if msg.starts_with("unknown field") {
                ErrorCode::UnknownField
            } else {
                ErrorCode::InvalidBody
            };
            checks.push(FieldError::new(name.map_or("fields".to_string(), |n| format!("fields.{n}")), code));
            return None;
        }
    };
    Some(match fields {
        Fields::LanguageService(LanguageService::Translation {
            source_language,
            target_languages,
            due_date,
            text: body,
            ..
        }) => {
            let source_language = language(checks, "fields.source_language", &source_language);
            if target_languages.is_empty() {
                checks.push(FieldError::new("fields.target_languages", ErrorCode::ValueRequired));
            }
            let target_languages: Vec<String> =
                target_languages.iter().map(|l| language(checks, "fields.target_languages", l)).collect();
            if target_languages.contains(&source_language) {
                checks.push(FieldError::new("fields.target_languages", ErrorCode::InvalidChoice));
            }
            let body = body.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
            if body.as_ref().is_some_and(|t| t.chars().count() > 200_000) {
                checks.push(FieldError::new("fields.text", ErrorCode::ValueTooLong));
            }
            let (char_count, word_count) = body.as_deref().map(count_text).unwrap_or((0, 0));
            Fields::LanguageService(LanguageService::Translation {
                source_language,
                target_languages,
                due_date,
                text: body,
                char_count,
                word_count,
            })
        }
        Fields::LanguageService(LanguageService::Interpretation { starts_at, place, remote, languages, hours }) => {
            let place = place.map(|p| p.trim().to_string()).filter(|p| !p.is_empty());
            if !remote && place.is_none() {
                checks.push(FieldError::new("fields.place", ErrorCode::ValueRequired));
            }
            if languages.len() < 2 {
                checks.push(FieldError::new("fields.languages", ErrorCode::ValueRequired));
            }
            let languages = languages.iter().map(|l| language(checks, "fields.languages", l)).collect();
            if !(hours > 0.0 && hours <= 24.0) {
                checks.push(FieldError::new("fields.hours", ErrorCode::ValueOutOfRange));
            }
            Fields::LanguageService(LanguageService::Interpretation { starts_at, place, remote, languages, hours })
        }
        Fields::Exchange(e) => {
            let partner_name = e.partner_name.map(|p| p.trim().to_string()).filter(|p| !p.is_empty());
            match e.partner.as_str() {
                "sought" => {}
                "named" if partner_name.is_some() => {}
                "named" => checks.push(FieldError::new("fields.partner_name", ErrorCode::ValueRequired)),
                _ => checks.push(FieldError::new("fields.partner", ErrorCode::InvalidChoice)),
            }
            Fields::Exchange(Exchange {
                partner: e.partner,
                partner_name,
                country: country(checks, "fields.country", &e.country),
                fields_of_exchange: list(checks, "fields.fields_of_exchange", &e.fields_of_exchange, 200),
                purpose: text(checks, "fields.purpose", &e.purpose, 4000),
            })
        }
        Fields::Visit(v) => {
            if v.delegation.is_empty() {
                checks.push(FieldError::new("fields.delegation", ErrorCode::ValueRequired));
            }
            let delegation = v
                .delegation
                .iter()
                .map(|m| DelegationMember {
                    name: text(checks, "fields.delegation.name", &m.name, 200),
                    title: text(checks, "fields.delegation.title", &m.title, 200),
                    role: text(checks, "fields.delegation.role", &m.role, 200),
                })
                .collect();
            if v.destinations.is_empty() {
                checks.push(FieldError::new("fields.destinations", ErrorCode::ValueRequired));
            }
            let destinations = v
                .destinations
                .iter()
                .map(|d| {
                    if d.depart < d.arrive {
                        checks.push(FieldError::new("fields.destinations.depart", ErrorCode::ValueOutOfRange));
                    }
                    Destination {
                        city: text(checks, "fields.destinations.city", &d.city, 200),
                        country: country(checks, "fields.destinations.country", &d.country),
                        arrive: d.arrive,
                        depart: d.depart,
                    }
                })
                .collect();
            Fields::Visit(Visit {
                delegation,
                destinations,
                purposes: list(checks, "fields.purposes", &v.purposes, 1000),
                meetings_wanted: v
                    .meetings_wanted
                    .iter()
                    .map(|m| text(checks, "fields.meetings_wanted", m, 1000))
                    .collect(),
            })
        }
        Fields::Information(i) => {
            if i.countries.is_empty() {
                checks.push(FieldError::new("fields.countries", ErrorCode::ValueRequired));
            }
            Fields::Information(Information {
                question: text(checks, "fields.question", &i.question, 8000),
                countries: i.countries.iter().map(|c| country(checks, "fields.countries", c)).collect(),
                answer_needed_by: i.answer_needed_by,
            })
        }
        Fields::Inquiry(q) => Fields::Inquiry(Inquiry { question: text(checks, "fields.question", &q.question, 8000) }),
    })
}

str_enum! {
    /// The type of an administrator-defined field.
    FieldKind {
        Text => "text",
        Number => "number",
        Date => "date",
        Boolean => "boolean",
    }
}

/// A field an administrator added to a category.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExtraField {
    pub id: i64,
    pub category: Category,
    pub key: String,
    pub kind: FieldKind,
    pub required: bool,
    /// Label by locale tag.
    pub labels: BTreeMap<String, String>,
}

/// Checks `raw` (a JSON object) against the category's extra fields: unknown keys, missing
/// required ones and values of the wrong type are refused as `extra.<key>`.
pub fn parse_extra(defs: &[ExtraField], raw: &Value, checks: &mut Checks) -> BTreeMap<String, Value> {
    let empty = serde_json::Map::new();
    let obj = match raw {
        Value::Null => &empty,
        Value::Object(o) => o,
        _ => {
            checks.push(FieldError::new("extra", ErrorCode::InvalidBody));
            return BTreeMap::new();
        }
    };
    let mut out = BTreeMap::new();
    for key in obj.keys() {
        if !defs.iter().any(|d| &d.key == key) {
            checks.push(FieldError::new(format!("extra.{key}"), ErrorCode::UnknownField));
        }
    }
    for d in defs {
        let field = format!("extra.{}", d.key);
        match obj.get(&d.key) {
            None | Some(Value::Null) => {
                if d.required {
                    checks.push(FieldError::new(field, ErrorCode::ValueRequired));
                }
            }
            Some(Value::String(s)) if s.trim().is_empty() && d.required => {
                checks.push(FieldError::new(field, ErrorCode::ValueRequired));
            }
            Some(v) => {
                let ok = match d.kind {
                    FieldKind::Text => v.as_str().is_some_and(|s| s.chars().count() <= 4000),
                    FieldKind::Number => v.is_number(),
                    FieldKind::Date => v.as_str().is_some_and(|s| s.parse::<NaiveDate>().is_ok()),
                    FieldKind::Boolean => v.is_boolean(),
                };
                if ok {
                    out.insert(d.key.clone(), v.clone());
                } else {
                    checks.push(FieldError::new(field, ErrorCode::InvalidChoice));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn counting_treats_han_and_kana_characters_as_words() {
        assert_eq!(count_text("Hello, world"), (11, 2));
        assert_eq!(count_text("안녕하세요 세계"), (7, 2));
        assert_eq!(count_text("東京都庁"), (4, 4));
    }

    #[test]
    fn every_problem_of_a_visit_is_reported() {
        let mut checks = Checks::new();
        let raw = json!({
            "delegation": [], "purposes": [],
            "destinations": [{"city": "Osaka", "country": "JPN", "arrive": "2026-05-03", "depart": "2026-05-01"}]
        });
        parse_fields(Category::OverseasVisit, &raw, &mut checks);
        let err = checks.finish().unwrap_err();
        let fields: Vec<&str> = err.field_errors().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            ["fields.delegation", "fields.destinations.depart", "fields.destinations.country", "fields.purposes"]
        );
    }

    #[test]
    fn a_missing_field_is_named() {
        let mut checks = Checks::new();
        parse_fields(Category::InformationRequest, &json!({"countries": ["JP"]}), &mut checks);
        let err = checks.finish().unwrap_err();
        assert_eq!(err.field_errors()[0].field, "fields.question");
        assert_eq!(err.field_errors()[0].code, ErrorCode::ValueRequired);
    }
}
