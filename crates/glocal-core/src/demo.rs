//! Demo accounts for every role and a little sample content, so that a newcomer can click
//! through at once (`glocal demo`, or `glocal serve --demo`). Idempotent.

use crate::accounts::{self, UserChanges};
use crate::actor::{Actor, Origin, Scope};
use crate::error::Result;

/// The password of every demo account. Documented in the README; never use demo data in
/// production.
pub const DEMO_PASSWORD: &str = "glocal-demo";

/// (email, name, organisation code, roles, languages, countries, locale, time zone)
pub const DEMO_USERS: &[(&str, &str, &str, &[&str], &[&str], &[&str], &str, &str)] = &[
    ("admin@demo.glocal.example", "관리자 Admin", "SEC", &["administrator"], &["ko", "en"], &[], "ko", "Asia/Seoul"),
    (
        "manager@demo.glocal.example",
        "한지수 Han Jisu",
        "SEC-INTL",
        &["desk_manager", "desk_staff"],
        &["ko", "en"],
        &[],
        "ko",
        "Asia/Seoul",
    ),
    (
        "staff@demo.glocal.example",
        "이서연 Lee Seoyeon",
        "SEC-INTL",
        &["desk_staff"],
        &["ko", "en", "zh-Hans"],
        &["CN", "TW"],
        "ko",
        "Asia/Seoul",
    ),
    (
        "tokyo@demo.glocal.example",
        "박민준 Park Minjun",
        "OFF-JP",
        &["desk_staff"],
        &["ko", "ja"],
        &["JP"],
        "ja",
        "Asia/Tokyo",
    ),
    (
        "beijing@demo.glocal.example",
        "최유나 Choi Yuna",
        "OFF-CN",
        &["desk_staff"],
        &["ko", "zh-Hans", "zh-Hant"],
        &["CN"],
        "zh-Hans",
        "Asia/Shanghai",
    ),
    (
        "newyork@demo.glocal.example",
        "정다은 Jung Daeun",
        "OFF-US",
        &["desk_staff"],
        &["ko", "en"],
        &["US", "CA"],
        "en",
        "America/New_York",
    ),
    (
        "librarian@demo.glocal.example",
        "오하늘 Oh Haneul",
        "SEC-EXCH",
        &["librarian"],
        &["ko", "en", "zh-Hant"],
        &[],
        "ko",
        "Asia/Seoul",
    ),
    (
        "programme@demo.glocal.example",
        "윤도현 Yoon Dohyun",
        "SEC-EDU",
        &["programme_manager"],
        &["ko", "en"],
        &[],
        "ko",
        "Asia/Seoul",
    ),
    (
        "policy@demo.glocal.example",
        "강예린 Kang Yerin",
        "SEC-DECENT",
        &["policy_officer"],
        &["ko"],
        &[],
        "ko",
        "Asia/Seoul",
    ),
    (
        "seoul@demo.glocal.example",
        "김민수 Kim Minsu",
        "1100000000",
        &["requester"],
        &["ko", "en"],
        &[],
        "ko",
        "Asia/Seoul",
    ),
    ("busan@demo.glocal.example", "조현우 Cho Hyunwoo", "2600000000", &["requester"], &["ko"], &[], "ko", "Asia/Seoul"),
    ("jongno@demo.glocal.example", "임소희 Lim Sohee", "1111000000", &["requester"], &["ko"], &[], "ko", "Asia/Seoul"),
];

/// Loads the demo accounts (skipping any that exist) and each module's sample content.
/// Returns how many accounts were created.
pub async fn load(core: &crate::Core) -> Result<usize> {
    let actor = Actor::System("demo");
    let origin = Origin::default();
    let scope = Scope { core, actor: &actor, origin: &origin };
    let mut created = 0;
    for (email, name, org_code, roles, languages, countries, locale, tz) in DEMO_USERS {
        if accounts::find_by_email(&core.db, email).await?.is_some() {
            continue;
        }
        let org = crate::orgs::get_by_code(&scope, org_code).await?;
        accounts::create(
            &scope,
            UserChanges {
                org_id: Some(org.id.0),
                email: Some((*email).into()),
                name: Some((*name).into()),
                roles: Some(roles.iter().map(|r| (*r).into()).collect()),
                languages: Some(languages.iter().map(|r| (*r).into()).collect()),
                countries: Some(countries.iter().map(|r| (*r).into()).collect()),
                locale: Some((*locale).into()),
                time_zone: Some((*tz).into()),
                password: Some(DEMO_PASSWORD.into()),
                ..Default::default()
            },
        )
        .await?;
        created += 1;
    }
    // The gazetteer sample, so that places resolve across scripts in a fresh demo.
    if crate::gazetteer::count(&scope).await? == 0 {
        crate::gazetteer::import_geonames(&scope, crate::gazetteer::SAMPLE, &mut |_, _| {}).await?;
    }
    crate::registry::load_demo(&scope).await?;
    // The seed documents of the library, as the exchange department's.
    let exch = crate::orgs::get_by_code(&scope, "SEC-EXCH").await?;
    crate::library::demo::load(core, exch.id.0).await?;
    Ok(created)
}
