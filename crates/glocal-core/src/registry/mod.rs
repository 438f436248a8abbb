//! The exchange registry: every member's international ties.
//!
//! - [`cities`]: foreign local governments — gazetteer places the registry knows, with the
//!   association's standard Korean spelling, and entries made by hand for partners too small
//!   for the gazetteer (mergeable into a gazetteer entry later).
//! - [`relationships`]: sister-city, friendship and MOU relationships of a member with a
//!   foreign local government (or with another member), their activity log and dormancy.
//! - [`transfer`]: import and export in the association's spreadsheet columns (CSV, XLSX).
//! - [`partners`]: foreign missions, associations abroad, international organisations, their
//!   contacts, members' memberships, offices held and elections.
//! - [`recommend`]: what members seek, and a transparent ranking of candidate partners.
//! - [`stats`]: counts by country, region, kind, decade and member.
//!
//! Authorisation: the association's staff keep the whole register; a member's officials see
//! and edit their own organisation's relationships only (others' are *not found*).

pub mod cities;
pub mod demo;
pub mod partners;
pub mod recommend;
pub mod relationships;
pub mod stats;
pub mod transfer;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::error::{Error, ErrorCode, Result};
use crate::ids::OrgId;

pub use demo::load_demo;

/// A closed set of values with a stable code, the association's Korean label (used in its
/// spreadsheets) and other spellings accepted on import.
macro_rules! coded_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $code:literal, $ko:literal, [$($alias:literal),*],)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant,)* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $code,)* } }
            /// The Korean label of the association's spreadsheets.
            pub fn label_ko(self) -> &'static str { match self { $($name::$variant => $ko,)* } }
            /// The code, the Korean label or an accepted alias (spaces and `·` ignored).
            pub fn parse(s: &str) -> std::result::Result<$name, ErrorCode> {
                let folded: String = crate::text::fold(s).chars().filter(|c| !c.is_whitespace() && !matches!(c, '·' | '/' | '&' | '-')).collect();
                $(
                    if folded == $code.replace('_', "") || folded == $code
                        || folded == crate::text::fold($ko).chars().filter(|c| !c.is_whitespace() && !matches!(c, '·' | '/' | '&' | '-')).collect::<String>()
                        $(|| folded == $alias)* {
                        return Ok($name::$variant);
                    }
                )*
                Err(ErrorCode::InvalidChoice)
            }
        }
    };
}

coded_enum! {
    /// What kind of tie a relationship is.
    RelationshipKind {
        Sister => "sister", "자매결연", ["자매", "sistercity", "姊妹", "姐妹", "姉妹"],
        Friendship => "friendship", "우호교류", ["우호", "friendshipcity", "友好"],
        MouOther => "mou_other", "MOU·기타", ["mou", "기타", "other", "mouother"],
    }
}

coded_enum! {
    /// The fields of exchange.
    ExchangeField {
        Administration => "administration", "행정", ["administration"],
        EconomyTrade => "economy_trade", "경제·통상", ["경제", "통상", "economy", "trade"],
        CultureArts => "culture_arts", "문화·예술", ["문화", "예술", "culture", "arts"],
        Tourism => "tourism", "관광", [],
        Education => "education", "교육", [],
        Sports => "sports", "체육", ["스포츠"],
        Youth => "youth", "청소년", [],
        HealthWelfare => "health_welfare", "보건·복지", ["보건", "복지", "health", "welfare"],
        Environment => "environment", "환경", [],
        Agriculture => "agriculture", "농업", ["농업농촌"],
        ScienceTechnology => "science_technology", "과학기술", ["과학", "science", "technology"],
        Other => "other", "기타", [],
    }
}

coded_enum! {
    /// Where a relationship stands.
    Status {
        Active => "active", "활동", ["교류중", "active"],
        Dormant => "dormant", "휴면", ["dormant"],
        Ended => "ended", "종료", ["해지", "ended"],
    }
}

coded_enum! {
    /// What happened in a relationship.
    ActivityKind {
        Visit => "visit", "방문", [],
        Delegation => "delegation", "대표단", ["대표단파견"],
        Event => "event", "행사", [],
        Programme => "programme", "프로그램", ["program"],
        Gift => "gift", "기념품", ["선물"],
        JointProject => "joint_project", "공동사업", [],
        Other => "other", "기타", [],
    }
}

/// A registered foreign local government.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CityId(pub i64);

/// An exchange relationship.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RelationshipId(pub i64);

impl std::fmt::Display for CityId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}
impl std::fmt::Display for RelationshipId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Whether the actor keeps the whole register (the association's staff, the system).
pub fn keeps_register(actor: &Actor) -> bool {
    actor.sees_all_organizations()
}

/// Staff only: for actions on the register as a whole.
pub(crate) fn require_keeper(actor: &Actor) -> Result<()> {
    actor.require_login()?;
    if keeps_register(actor) { Ok(()) } else { Err(Error::Forbidden) }
}

/// Whether the actor may see and change the ties of `member`.
pub fn may_act_for(actor: &Actor, member: OrgId) -> bool {
    actor.may_see_org(member)
}

/// A date as `YYYY-MM-DD` (also `YYYY.MM.DD`, `YYYY/MM/DD`, `YYYYMMDD`, or a year alone,
/// read as 1 January).
pub fn parse_date(s: &str) -> std::result::Result<NaiveDate, ErrorCode> {
    let s = s.trim().trim_end_matches('.');
    let normalised: String = s.chars().map(|c| if matches!(c, '.' | '/') { '-' } else { c }).collect();
    let normalised = normalised.replace(' ', "");
    if let Ok(d) = NaiveDate::parse_from_str(&normalised, "%Y-%m-%d") {
        return Ok(d);
    }
    if let Ok(d) = NaiveDate::parse_from_str(&normalised, "%Y%m%d") {
        return Ok(d);
    }
    if normalised.len() == 4 {
        if let Ok(y) = normalised.parse::<i32>() {
            if let Some(d) = NaiveDate::from_ymd_opt(y, 1, 1) {
                return Ok(d);
            }
        }
    }
    Err(ErrorCode::InvalidDate)
}

/// Fields of exchange from a list of codes or labels; duplicates removed, in taxonomy order.
pub fn parse_fields<S: AsRef<str>>(items: &[S]) -> std::result::Result<Vec<ExchangeField>, ErrorCode> {
    let mut out = Vec::new();
    for s in items {
        let s = s.as_ref().trim();
        if s.is_empty() {
            continue;
        }
        out.push(ExchangeField::parse(s)?);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Splits a spreadsheet cell of several values (`행정, 문화·예술; 관광`).
pub fn split_cell(s: &str) -> Vec<String> {
    s.split([',', ';', '\n', '、', '，']).map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
}

pub(crate) fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_labels_and_aliases_parse() {
        assert_eq!(RelationshipKind::parse("자매결연"), Ok(RelationshipKind::Sister));
        assert_eq!(RelationshipKind::parse("sister"), Ok(RelationshipKind::Sister));
        assert_eq!(RelationshipKind::parse(" 우호 "), Ok(RelationshipKind::Friendship));
        assert_eq!(RelationshipKind::parse("MOU·기타"), Ok(RelationshipKind::MouOther));
        assert_eq!(RelationshipKind::parse("mou_other"), Ok(RelationshipKind::MouOther));
        assert_eq!(ExchangeField::parse("문화·예술"), Ok(ExchangeField::CultureArts));
        assert_eq!(ExchangeField::parse("문화예술"), Ok(ExchangeField::CultureArts));
        assert_eq!(ExchangeField::parse("science_technology"), Ok(ExchangeField::ScienceTechnology));
        assert_eq!(Status::parse("휴면"), Ok(Status::Dormant));
        assert!(Status::parse("sleeping").is_err());
        for k in RelationshipKind::ALL {
            assert_eq!(RelationshipKind::parse(k.label_ko()), Ok(*k));
            assert_eq!(RelationshipKind::parse(k.as_str()), Ok(*k));
        }
        for f in ExchangeField::ALL {
            assert_eq!(ExchangeField::parse(f.label_ko()), Ok(*f));
            assert_eq!(ExchangeField::parse(f.as_str()), Ok(*f));
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.label_ko()), Ok(*s));
        }
    }

    #[test]
    fn dates_in_the_usual_spellings() {
        let d = NaiveDate::from_ymd_opt(1998, 10, 5).unwrap();
        for s in ["1998-10-05", "1998.10.05", "1998. 10. 5.", "1998/10/5", "19981005"] {
            assert_eq!(parse_date(s), Ok(d), "{s}");
        }
        assert_eq!(parse_date("2001"), Ok(NaiveDate::from_ymd_opt(2001, 1, 1).unwrap()));
        assert!(parse_date("yesterday").is_err());
        assert!(parse_date("2001-02-30").is_err());
    }
}
