//! Demo content of the registry: real-looking relationships of several members, an activity
//! log with a dormant tie, partners, and the UCLG ASPAC 2016 election recorded in the seeds.

use chrono::NaiveDate;
use sea_orm::{EntityTrait, PaginatorTrait};

use super::cities::{self, CityChanges};
use super::partners::{self, ContactChanges, OfficeChanges, PartnerChanges};
use super::relationships::{self, ActivityChanges, RelationshipChanges};
use crate::actor::Scope;
use crate::entities::registry_relationship;
use crate::error::Result;

/// (member code, GeoNames id, Korean spelling, kind, signed, fields, status)
const TIES: &[(&str, i64, &str, &str, &str, &[&str], &str)] = &[
    ("1100000000", 1850147, "도쿄도", "sister", "1988-09-03", &["administration", "culture_arts", "tourism"], "active"),
    (
        "1100000000",
        1816670,
        "베이징시",
        "sister",
        "1993-10-23",
        &["economy_trade", "culture_arts", "education"],
        "active",
    ),
    ("1100000000", 1668341, "타이베이시", "sister", "1968-03-23", &["administration"], "ended"),
    ("1100000000", 5368361, "로스앤젤레스시", "friendship", "2006-05-16", &["economy_trade", "culture_arts"], "active"),
    ("2600000000", 1673820, "가오슝시", "sister", "1966-06-24", &["administration", "sports"], "active"),
    ("2600000000", 1863967, "후쿠오카시", "friendship", "2007-10-23", &["economy_trade", "tourism", "youth"], "active"),
    ("2600000000", 1796236, "상하이시", "friendship", "1993-08-24", &["economy_trade", "tourism"], "active"),
    ("5000000000", 1809078, "하이커우시", "friendship", "1995-10-26", &["tourism", "agriculture"], "active"),
    ("5200000000", 1668399, "타이중시", "mou_other", "2016-09-07", &["administration", "culture_arts"], "active"),
    (
        "4100000000",
        1581130,
        "하노이시",
        "friendship",
        "2002-06-21",
        &["economy_trade", "education", "agriculture"],
        "active",
    ),
];

/// (member code, GeoNames id, kind, started, title, participants)
const ACTIVITY: &[(&str, i64, &str, &str, &str, &str)] = &[
    ("1100000000", 1850147, "visit", "2024-05-20", "도쿄도 대표단 서울 방문", "도쿄도 국제교류과 5명"),
    (
        "1100000000",
        1816670,
        "event",
        "2025-10-23",
        "자매결연 32주년 기념 문화 교류 행사",
        "서울시 문화본부, 베이징시 외사판공실",
    ),
    ("2600000000", 1863967, "programme", "2025-08-04", "부산–후쿠오카 청소년 교류 캠프", "양 도시 청소년 40명"),
    ("2600000000", 1673820, "delegation", "2019-11-12", "가오슝 시의회 대표단 방문", "가오슝 시의원 6명"),
    ("2600000000", 1796236, "joint_project", "2025-03-10", "관광 공동 마케팅", "양 도시 관광공사"),
    ("4100000000", 1581130, "gift", "2024-12-02", "기념품 교환", "경기도 국제협력국장"),
];

/// Loads the demo content once (skipped if any relationship exists).
pub async fn load_demo(scope: &Scope<'_>) -> Result<()> {
    if registry_relationship::Entity::find().count(scope.db()).await? > 0 {
        return Ok(());
    }
    for (code, place, ko, kind, signed, fields, status) in TIES {
        let Ok(member) = crate::orgs::get_by_code(scope, code).await else { continue };
        if crate::gazetteer::get(scope, *place).await.is_err() {
            continue;
        }
        relationships::create(
            scope,
            RelationshipChanges {
                member_org_id: Some(member.id.0),
                place_id: Some(*place),
                city_name_ko: Some((*ko).into()),
                kind: Some((*kind).into()),
                signed_on: Some((*signed).into()),
                fields: Some(fields.iter().map(|f| (*f).into()).collect()),
                status: Some((*status).into()),
                ended_on: (*status == "ended").then(|| "1993-08-24".into()),
                ..Default::default()
            },
        )
        .await?;
    }
    // A partner too small for the gazetteer, made by hand.
    let jongno = crate::orgs::get_by_code(scope, "1111000000").await?;
    let dongcheng = cities::create(
        scope,
        CityChanges {
            name: Some("Dongcheng District".into()),
            name_ko: Some("둥청구".into()),
            names: Some(vec!["东城区".into(), "東城區".into()]),
            country: Some("CN".into()),
            region: Some("Beijing".into()),
            population: Some(708_829),
            latitude: Some(39.928),
            longitude: Some(116.416),
            time_zone: Some("Asia/Shanghai".into()),
        },
    )
    .await?;
    relationships::create(
        scope,
        RelationshipChanges {
            member_org_id: Some(jongno.id.0),
            city_id: dongcheng.id.map(|c| c.0),
            kind: Some("friendship".into()),
            signed_on: Some("2011-04-20".into()),
            fields: Some(vec!["culture_arts".into(), "tourism".into()]),
            ..Default::default()
        },
    )
    .await?;
    // A domestic tie between two members.
    let busan_jung = crate::orgs::get_by_code(scope, "2611000000").await?;
    relationships::create(
        scope,
        RelationshipChanges {
            member_org_id: Some(jongno.id.0),
            partner_org_id: Some(busan_jung.id.0),
            kind: Some("mou_other".into()),
            signed_on: Some("2019-06-01".into()),
            fields: Some(vec!["culture_arts".into()]),
            ..Default::default()
        },
    )
    .await?;
    let all = relationships::all(scope, &Default::default()).await?;
    for (code, place, kind, started, title, participants) in ACTIVITY {
        let Some(r) = all.iter().find(|r| {
            r.member.code.as_deref() == Some(code) && r.city.as_ref().and_then(|c| c.place_id) == Some(*place)
        }) else {
            continue;
        };
        relationships::add_activity(
            scope,
            r.id,
            ActivityChanges {
                kind: Some((*kind).into()),
                started_on: Some((*started).into()),
                title: Some((*title).into()),
                participants: Some((*participants).into()),
                ..Default::default()
            },
        )
        .await?;
    }
    load_partners(scope).await
}

async fn load_partners(scope: &Scope<'_>) -> Result<()> {
    let partner =
        |category: &str, name: &str, name_en: &str, acronym: Option<&str>, country: Option<&str>, city: &str| {
            PartnerChanges {
                category: Some(category.into()),
                name: Some(name.into()),
                name_en: Some(name_en.into()),
                acronym: acronym.map(str::to_string),
                country: country.map(str::to_string),
                city: Some(city.into()),
                ..Default::default()
            }
        };
    let uclg = partners::create(
        scope,
        partner(
            "international_organization",
            "세계지방정부연합",
            "United Cities and Local Governments",
            Some("UCLG"),
            Some("ES"),
            "Barcelona",
        ),
    )
    .await?;
    let aspac = partners::create(
        scope,
        partner(
            "international_organization",
            "세계지방정부연합 아시아태평양지부",
            "United Cities and Local Governments Asia-Pacific",
            Some("UCLG ASPAC"),
            Some("ID"),
            "Jakarta",
        ),
    )
    .await?;
    let citynet = partners::create(
        scope,
        partner("international_organization", "시티넷", "CityNet", Some("CityNet"), Some("KR"), "Seoul"),
    )
    .await?;
    partners::create(
        scope,
        partner(
            "association_abroad",
            "일본 자치체국제화협회",
            "Council of Local Authorities for International Relations",
            Some("CLAIR"),
            Some("JP"),
            "Tokyo",
        ),
    )
    .await?;
    let embassy = partners::create(
        scope,
        partner("foreign_mission", "주한 일본대사관", "Embassy of Japan in Korea", None, Some("JP"), "Seoul"),
    )
    .await?;
    partners::add_contact(
        scope,
        embassy.id,
        ContactChanges {
            name: Some("佐藤 花子 Sato Hanako".into()),
            post: Some("First Secretary, Political Section".into()),
            languages: Some(vec!["ja".into(), "ko".into(), "en".into()]),
            email: Some("sato.hanako@example.jp".into()),
            ..Default::default()
        },
    )
    .await?;
    partners::add_contact(
        scope,
        aspac.id,
        ContactChanges {
            name: Some("Dr. Bernadia Irawati Tjandradewi".into()),
            post: Some("Secretary General".into()),
            languages: Some(vec!["id".into(), "en".into()]),
            ..Default::default()
        },
    )
    .await?;
    for code in ["1100000000", "2600000000", "5000000000", "5200000000"] {
        if let Ok(m) = crate::orgs::get_by_code(scope, code).await {
            partners::add_membership(scope, m.id, aspac.id, Some(2004), None).await?;
        }
    }
    if let Ok(seoul) = crate::orgs::get_by_code(scope, "1100000000").await {
        partners::add_membership(scope, seoul.id, uclg.id, Some(2004), None).await?;
        partners::add_membership(scope, seoul.id, citynet.id, Some(1987), None).await?;
    }
    // The UCLG ASPAC Congress 2016 in Jeollabuk-do: a president and eight co-presidents.
    let held = NaiveDate::from_ymd_opt(2016, 9, 8).expect("valid");
    let election = partners::add_election(
        scope,
        aspac.id,
        held,
        "6th UCLG ASPAC Congress 2016 — election of the president and co-presidents",
        Some("Jeollabuk-do (Gunsan), Korea"),
    )
    .await?;
    let jeju = crate::orgs::get_by_code(scope, "5000000000").await.ok().map(|o| o.id.0);
    let mut results: Vec<(&str, &str, &str, Option<i64>)> = vec![(
        "President",
        "Mr. Won Hee-Ryong",
        "Governor, Jeju Special Self-Governing Province (East and Northeast Asia)",
        jeju,
    )];
    results.extend(
        [
            ("Mr. Troy Pickard", "President, Australian Local Government Association (ALGA); Mayor of Joondalup (Pacific)"),
            ("Mr. Dora Mani Paudel", "President, Municipal Association of Nepal (MuAN); former Mayor of Hetauda (South and Southwest Asia)"),
            ("Mr. Emil Elestianto Dardak", "Vice-chair, APKASI; Regent of Trenggalek, Indonesia (Southeast Asia)"),
            ("Dr. Ranjit S Chavan", "President, All India Institute of Local Self-Government (associations and international members)"),
            ("Ms. Illiza Sa'aduddin Djamal", "Chair, Standing Committee on Women in Local Government; Mayor of Banda Aceh"),
            ("Mr. Basuki Tjahaja Purnama", "Governor of Jakarta (host of the Secretariat)"),
            ("Mr. Syed Muhammad Asghar Shah Gillani", "Local Council Association of Punjab, Pakistan (past president)"),
            ("Mr. Chen Haosu 陳昊蘇", "Former President, Chinese People's Association for Friendship with Foreign Countries (founding president)"),
        ]
        .into_iter()
        .map(|(who, aff)| ("Co-President", who, aff, None)),
    );
    for (office, holder, affiliation, member) in results {
        partners::add_office(
            scope,
            aspac.id,
            OfficeChanges {
                election_id: Some(election),
                office: office.into(),
                holder: holder.into(),
                affiliation: Some(affiliation.into()),
                member_org_id: member,
                term_start: Some(2016),
                term_end: Some(2018),
                elected: true,
            },
        )
        .await?;
    }
    Ok(())
}
