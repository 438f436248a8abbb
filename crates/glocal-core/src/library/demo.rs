//! Demo content: the seed documents in `data/library/` (real Korean, Simplified and
//! Traditional Chinese and English documents), published, with the Traditional Chinese trip
//! report in its structured form and its recommendations as follow-ups. Idempotent.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::trip::{ItineraryInput, Participant, RecommendationInput, TripInput};
use super::{DocumentInput, Kind, Status};
use crate::actor::{Actor, Origin};
use crate::entities::library_document;
use crate::error::Result;

/// The seeds: (file name, content, kind).
pub const SEEDS: &[(&str, &str, Kind)] = &[
    ("000_19a14a0c8a0c9951.txt", include_str!("../../data/library/000_19a14a0c8a0c9951.txt"), Kind::Other),
    ("001_27d09edacc1af549.txt", include_str!("../../data/library/001_27d09edacc1af549.txt"), Kind::Other),
    ("002_e5afcc733ebcf334.txt", include_str!("../../data/library/002_e5afcc733ebcf334.txt"), Kind::TripReport),
    ("003_5396cecf78c5c049.txt", include_str!("../../data/library/003_5396cecf78c5c049.txt"), Kind::ResearchReport),
    ("004_410663dfa0c8572d.txt", include_str!("../../data/library/004_410663dfa0c8572d.txt"), Kind::ResearchReport),
];

/// The text between a heading and the next one of `headings`.
fn section<'a>(text: &'a str, heading: &str, headings: &[&str]) -> &'a str {
    let Some(start) = text.find(heading).map(|i| i + heading.len()) else { return "" };
    let rest = &text[start..];
    let end = headings.iter().filter_map(|h| rest.find(h)).min().unwrap_or(rest.len());
    rest[..end].trim()
}

/// The Taichung delegation's report on the UCLG ASPAC 2016 congress, in its structured form.
fn trip_of(text: &str) -> (String, TripInput) {
    const HEADINGS: &[&str] = &["壹、摘要", "貳、", "參、目的", "肆，過程", "伍、心得", "陸、建議"];
    let summary = section(text, "壹、摘要", HEADINGS);
    let summary = super::extract::html_to_text(summary);
    let recommendations = section(text, "陸、建議", HEADINGS)
        .lines()
        .map(|l| l.trim().trim_start_matches("- ").trim())
        .filter(|l| l.chars().count() > 10)
        .map(|l| RecommendationInput {
            id: None,
            text: l.to_string(),
            owner: Some("臺中市政府秘書處 國際事務科".into()),
            due_on: Some("2016-12-31".into()),
        })
        .collect();
    let p = |unit: &str, title: &str, rank: &str, name: &str| Participant {
        organization: "臺中市政府".into(),
        unit: unit.into(),
        title: title.into(),
        rank: rank.into(),
        name: name.into(),
    };
    let day = |date: &str, place: &str, activity: &str| ItineraryInput {
        date: Some(date.into()),
        place: place.into(),
        activity: activity.into(),
    };
    let congress = "參加「第 6 屆城市與地方政府聯合會 亞太分會 2016 年全羅北道大會」";
    let trip = TripInput {
        purpose_category: Some("international_conference".into()),
        organiser: "秘書處".into(),
        contact: "曹凱雯 04-22289111分機11404".into(),
        participants: vec![
            p("研究發展考核委員會", "主委", "簡任第 13 職等", "柳嘉峰"),
            p("國際事務委員會", "委員", "", "陳牧民"),
            p("秘書處 國際事務科", "約聘人員", "7 等", "曹凱雯"),
        ],
        departed_on: Some("2016-09-04".into()),
        returned_on: Some("2016-09-09".into()),
        destinations: vec!["韓國 全羅北道 群山".into()],
        reported_on: Some("2016-12-09".into()),
        purpose: section(text, "參、目的", HEADINGS).to_string(),
        itinerary: vec![
            day("2016-09-04", "臺北－仁川－群山", "搭機前往韓國仁川 搭車前往群山"),
            day("2016-09-05", "群山", congress),
            day("2016-09-06", "群山", congress),
            day("2016-09-07", "群山", congress),
            day("2016-09-08", "群山", congress),
            day("2016-09-09", "群山－仁川－臺北", "搭機返抵臺北"),
        ],
        process: section(text, "肆，過程", HEADINGS).to_string(),
        findings: section(text, "伍、心得", HEADINGS).to_string(),
        recommendations,
    };
    (summary, trip)
}

/// Loads the seeds as published documents of the association (owned by `owner_org_id`).
pub async fn load(core: &crate::Core, owner_org_id: i64) -> Result<usize> {
    let actor = Actor::System("demo");
    let origin = Origin::default();
    let scope = core.scope(&actor, &origin);
    let mut created = 0;
    for (name, text, kind) in SEEDS {
        let exists = library_document::Entity::find()
            .filter(library_document::Column::Source.eq(*name))
            .one(&core.db)
            .await?
            .is_some();
        if exists {
            continue;
        }
        let language = super::import::detect_language(text);
        let title = super::import::title_from(text, name);
        let (summary, body, trip) = if *kind == Kind::TripReport {
            let (summary, trip) = trip_of(text);
            (summary, String::new(), Some(trip))
        } else {
            let body = super::extract::html_to_text(text);
            (body.chars().take(400).collect::<String>().trim().to_string(), body, None)
        };
        let input = DocumentInput {
            kind: kind.as_str().into(),
            language: language.into(),
            status: Some(Status::Published.as_str().into()),
            title,
            summary,
            body,
            source: Some((*name).to_string()),
            owner_org_id: Some(owner_org_id),
            trip,
            country: (*kind == Kind::TripReport).then(|| "KR".into()),
            year: (*kind == Kind::TripReport).then_some(2016),
            ..Default::default()
        };
        super::create(&scope, input).await?;
        created += 1;
    }
    Ok(created)
}
