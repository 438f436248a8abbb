//! The closed sets of the library: document kinds, statuses, the best-practice areas (with
//! their names in the five interface languages), trip purposes and follow-up statuses.
//!
//! Each value has a stable code (stored, and used by the API) and is also recognised by its
//! name in any of the five languages, so that spreadsheets in Korean or English import alike.

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;

macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $code:literal, [$en:literal, $ko:literal, $ja:literal, $hans:literal, $hant:literal],)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant,)* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $code,)* } }
            /// The name in an interface locale (`en`, `ko`, `ja`, `zh-Hans`, `zh-Hant`).
            pub fn name(self, locale: &str) -> &'static str {
                match self { $($name::$variant => match locale {
                    "ko" => $ko, "ja" => $ja, "zh-Hans" => $hans, "zh-Hant" => $hant, _ => $en,
                },)* }
            }
            /// The code, or the name in any of the five languages (case, width and spaces ignored).
            pub fn parse(s: &str) -> std::result::Result<$name, ErrorCode> {
                let key = |t: &str| crate::text::fold(t).chars().filter(|c| c.is_alphanumeric()).collect::<String>();
                let k = key(s);
                if k.is_empty() { return Err(ErrorCode::InvalidChoice); }
                $(
                    if k == key($code) || k == key($en) || k == key($ko) || k == key($ja) || k == key($hans) || k == key($hant) {
                        return Ok($name::$variant);
                    }
                )*
                Err(ErrorCode::InvalidChoice)
            }
        }
    };
}

named_enum! {
    /// What a document is.
    Kind {
        BestPractice => "best_practice", ["Best practice", "우수사례", "優良事例", "优秀案例", "優秀案例"],
        TripReport => "trip_report", ["Trip report", "국외출장 보고서", "海外出張報告書", "出国报告", "出國報告"],
        ResearchReport => "research_report", ["Research report", "연구보고서", "研究報告書", "研究报告", "研究報告"],
        Declaration => "declaration", ["Declaration or statement", "선언문·성명", "宣言・声明", "宣言·声明", "宣言·聲明"],
        DeskAnswer => "desk_answer", ["Desk answer", "온라인사무국 답변", "オンライン事務局の回答", "在线事务局答复", "線上事務局答覆"],
        Other => "other", ["Other", "기타", "その他", "其他", "其他"],
    }
}

named_enum! {
    /// Who may read a document: drafts their author and the librarians, internal documents
    /// the association's staff and the owning organisation, published ones every signed-in user.
    Status {
        Draft => "draft", ["Draft", "초안", "下書き", "草稿", "草稿"],
        Internal => "internal", ["Internal", "내부", "内部", "内部", "內部"],
        Published => "published", ["Published", "공개", "公開", "已发布", "已發布"],
    }
}

named_enum! {
    /// The areas of the best-practice taxonomy.
    Area {
        GeneralAdministration => "general_administration", ["General administration", "일반행정", "一般行政", "一般行政", "一般行政"],
        Finance => "finance", ["Finance", "재정", "財政", "财政", "財政"],
        CulturalTourism => "cultural_tourism", ["Cultural tourism", "문화관광", "文化観光", "文化旅游", "文化觀光"],
        Transportation => "transportation", ["Transportation", "교통", "交通", "交通", "交通"],
        Environment => "environment", ["Environment", "환경", "環境", "环境", "環境"],
        Welfare => "welfare", ["Welfare", "복지", "福祉", "福利", "福利"],
        Health => "health", ["Health", "보건", "保健", "卫生", "衛生"],
        WomenYouth => "women_youth", ["Women & youth", "여성·청소년", "女性・青少年", "妇女·青少年", "婦女·青少年"],
        MulticulturalSociety => "multicultural_society", ["Multicultural society", "다문화사회", "多文化社会", "多元文化社会", "多元文化社會"],
        EconomyIndustry => "economy_industry", ["Economy & industry", "경제·산업", "経済・産業", "经济·产业", "經濟·產業"],
        EmploymentLabour => "employment_labour", ["Employment & labour", "고용·노동", "雇用・労働", "就业·劳动", "就業·勞動"],
        AgricultureFisheries => "agriculture_fisheries", ["Agriculture & fisheries", "농림수산", "農林水産", "农林水产", "農林水產"],
        ConstructionTechnology => "construction_technology", ["Construction & technology", "건설·기술", "建設・技術", "建设·技术", "建設·技術"],
        FirePrevention => "fire_prevention", ["Fire prevention", "소방방재", "消防防災", "消防防灾", "消防防災"],
        LocalConferences => "local_conferences", ["Local conferences", "지방의회", "地方議会", "地方议会", "地方議會"],
        EnactmentOfRegulations => "enactment_of_regulations", ["Enactment of regulations", "조례제정", "条例制定", "条例制定", "條例制定"],
        DomesticBestPractices => "domestic_best_practices", ["Domestic best practices", "국내우수사례", "国内優良事例", "国内优秀案例", "國內優秀案例"],
    }
}

named_enum! {
    /// Why a trip was made (the categories of the official trip report form).
    Purpose {
        InternationalConference => "international_conference", ["International conference", "국제회의", "国際会議", "国际会议", "國際會議"],
        BusinessNegotiation => "business_negotiation", ["Business negotiation", "업무협의", "業務協議", "业务洽谈", "業務接洽"],
        Performance => "performance", ["Performance", "공연", "公演", "表演", "表演"],
        Competition => "competition", ["Competition", "대회", "コンテスト", "比赛", "比賽"],
        Sports => "sports", ["Sports", "경기", "競技", "竞技", "競技"],
        Exhibition => "exhibition", ["Exhibition", "전시", "展示会", "洽展", "洽展"],
        OverseasInspection => "overseas_inspection", ["Overseas inspection", "해외시찰", "海外視察", "海外检测", "海外檢測"],
        Other => "other", ["Other", "기타", "その他", "其他", "其他"],
    }
}

named_enum! {
    /// Where a follow-up stands.
    FollowUpStatus {
        Open => "open", ["Open", "미착수", "未着手", "未开始", "未開始"],
        InProgress => "in_progress", ["In progress", "진행중", "進行中", "进行中", "進行中"],
        Done => "done", ["Done", "완료", "完了", "已完成", "已完成"],
        Dropped => "dropped", ["Dropped", "취소", "取りやめ", "已取消", "已取消"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_every_language_parse_back() {
        for locale in ["en", "ko", "ja", "zh-Hans", "zh-Hant"] {
            for a in Area::ALL {
                assert_eq!(Area::parse(a.name(locale)), Ok(*a), "{locale} {a:?}");
            }
            for k in Kind::ALL {
                assert_eq!(Kind::parse(k.name(locale)), Ok(*k), "{locale} {k:?}");
            }
        }
        assert_eq!(Area::parse("women_youth"), Ok(Area::WomenYouth));
        assert_eq!(Status::parse("공개"), Ok(Status::Published));
        assert_eq!(Purpose::parse("國際會議"), Ok(Purpose::InternationalConference));
        assert!(Kind::parse("").is_err());
    }
}
