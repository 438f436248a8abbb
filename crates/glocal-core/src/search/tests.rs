//! Engine tests over the seed documents (`data/library/`): real Korean, Simplified and
//! Traditional Chinese and English texts, each found from the other scripts.

use std::collections::HashSet;

use chrono::{TimeZone, Utc};

use super::*;

struct Seed {
    id: i64,
    file: &'static str,
    kind: &'static str,
    language: &'static str,
    title: &'static str,
    year: i32,
}

const SEEDS: &[Seed] = &[
    Seed {
        id: 1,
        file: include_str!("../../data/library/000_19a14a0c8a0c9951.txt"),
        kind: "other",
        language: "zh-Hans",
        title: "大韩民国市道知事协议会介绍",
        year: 2021,
    },
    Seed {
        id: 2,
        file: include_str!("../../data/library/001_27d09edacc1af549.txt"),
        kind: "other",
        language: "en",
        title: "Local Government International Affairs",
        year: 2021,
    },
    Seed {
        id: 3,
        file: include_str!("../../data/library/002_e5afcc733ebcf334.txt"),
        kind: "trip_report",
        language: "zh-Hant",
        title: "臺中市政府出席韓國全羅北道「第6屆城市與地方政府聯合會亞太分會2016年全羅北道大會」",
        year: 2016,
    },
    Seed {
        id: 4,
        file: include_str!("../../data/library/003_5396cecf78c5c049.txt"),
        kind: "research_report",
        language: "ko",
        title: "2019년 외교부 주요업무 추진계획",
        year: 2019,
    },
    Seed {
        id: 5,
        file: include_str!("../../data/library/004_410663dfa0c8572d.txt"),
        kind: "research_report",
        language: "en",
        title: "Inter-local Government Collaboration for Public Service Delivery: Service Delivery Alternatives",
        year: 2007,
    },
];

fn doc(s: &Seed, readers: &[&str]) -> IndexDoc {
    IndexDoc {
        id: s.id,
        kind: s.kind.into(),
        language: s.language.into(),
        status: "published".into(),
        title: s.title.into(),
        summary: String::new(),
        body: s.file.into(),
        attachments: String::new(),
        area: None,
        country: Some("KR".into()),
        organization: None,
        year: Some(s.year),
        updated_at: Utc.with_ymd_and_hms(s.year, s.id as u32, 1, 0, 0, 0).unwrap(),
        readers: readers.iter().map(|r| r.to_string()).collect(),
    }
}

fn expander() -> Expander {
    let concepts = terms::starter_concepts().into_iter().map(|c| c.into_iter().map(|(_, t)| t).collect()).collect();
    let places = expand::places_from_geonames(crate::gazetteer::SAMPLE).unwrap();
    Expander::build(concepts, places, 0).unwrap()
}

fn seeded() -> SearchIndex {
    let index = SearchIndex::open_in_ram().unwrap();
    index.apply(SEEDS.iter().map(|s| doc(s, &["all"])).collect(), &[], 5).unwrap();
    index
}

fn req(text: &str) -> SearchRequest {
    SearchRequest { text: text.into(), readers: vec!["all".into()], limit: 10, ..SearchRequest::default() }
}

fn ids(index: &SearchIndex, e: &Expander, text: &str) -> Vec<i64> {
    index.search(&req(text), e).unwrap().hits.into_iter().map(|h| h.id).collect()
}

#[test]
fn every_seed_is_found_from_the_other_scripts() {
    let index = seeded();
    let e = expander();
    // (query, the seed it must find, what the query relies on)
    let cases: &[(&str, i64)] = &[
        // 1: the Governors Association, in Simplified Chinese.
        ("地方分權", 1),         // Traditional → Simplified
        ("地方分権", 1),         // Japanese shinjitai
        ("지방분권", 1),         // Korean, via the term base
        ("decentralization", 1), // English, via the term base
        ("市道知事協議會", 1),
        // 2: the online bureau, in English.
        ("통역", 2),     // interpretation
        ("國際交流", 2), // international exchange (Traditional)
        ("国際交流", 2), // Japanese
        ("online bureau", 2),
        // 3: the Taichung trip report, in Traditional Chinese.
        ("자매결연", 3), // 姊妹市
        ("姐妹城市", 3), // Simplified, other word
        ("姉妹都市", 3), // Japanese
        ("台中市", 3),   // Simplified 台 for 臺
        ("타이중", 3),   // place name in Hangul
        ("전라북도", 3), // province in Hangul
        ("sister city", 3),
        // 4: the foreign ministry's plan, in Korean.
        ("public diplomacy", 4),
        ("公共外交", 4),
        ("外交部", 4),
        // 5: the collaboration report, in English.
        ("地方政府", 5),
        ("지방정부", 5),
        ("collaboration", 5),
    ];
    let mut failures = Vec::new();
    for (q, want) in cases {
        let got = ids(&index, &e, q);
        if !got.contains(want) {
            failures.push(format!("{q:?} should find {want}, found {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn traditional_and_simplified_fold_both_ways() {
    let index = seeded();
    let e = Expander::empty();
    // The Traditional document found by Simplified words, the Simplified one by Traditional.
    assert_eq!(ids(&index, &e, "台中市政府")[0], 3);
    assert_eq!(ids(&index, &e, "国际事务委员会")[0], 3);
    assert_eq!(ids(&index, &e, "大韓民國市道知事協議會")[0], 1);
    assert!(ids(&index, &e, "濟州特別自治道").contains(&1));
}

#[test]
fn cjk_words_match_as_phrases_not_single_syllables() {
    let index = seeded();
    let e = Expander::empty();
    // 외교 (diplomacy) is in the Korean plan only; its syllables alone are everywhere in it
    // but 교외 (suburb: the same syllables reversed) is not a match.
    assert_eq!(ids(&index, &e, "외교"), vec![4]);
    assert!(ids(&index, &e, "교외").is_empty());
    // A Korean word with a particle finds the bare word.
    assert!(ids(&index, &e, "비핵화를").contains(&4));
    assert!(ids(&index, &e, "외교부의").contains(&4));
}

#[test]
fn korean_finds_the_traditional_trip_report_by_sister_city() {
    let index = seeded();
    let results = index.search(&req("자매결연"), &expander()).unwrap();
    assert_eq!(results.hits.first().map(|h| h.id), Some(3));
    assert!(results.expanded.iter().any(|x| x == "姐妹城市"), "{:?}", results.expanded);
    assert!(results.hits[0].snippet_html.contains("<mark>姊妹市</mark>"), "{}", results.hits[0].snippet_html);
}

#[test]
fn reader_tokens_are_enforced_and_facets_count_visible_matches_only() {
    let index = SearchIndex::open_in_ram().unwrap();
    index
        .apply(
            vec![
                doc(&SEEDS[2], &["org:7"]),
                doc(&SEEDS[0], &["staff", "librarians"]),
                doc(&SEEDS[1], &["all"]),
                doc(&SEEDS[4], &["user:9"]),
            ],
            &[],
            1,
        )
        .unwrap();
    let e = expander();
    let with = |readers: &[&str], text: &str| {
        let mut r = req(text);
        r.readers = readers.iter().map(|s| s.to_string()).collect();
        index.search(&r, &e).unwrap()
    };
    let all: HashSet<i64> = with(&["all"], "").hits.iter().map(|h| h.id).collect();
    assert_eq!(all, HashSet::from([2]));
    let staff = with(&["all", "staff"], "");
    assert_eq!(staff.total, 2);
    assert_eq!(staff.facets.language, vec![("en".to_string(), 1), ("zh-Hans".to_string(), 1)]);
    assert_eq!(with(&["all", "org:7"], "자매결연").hits.first().map(|h| h.id), Some(3));
    assert!(with(&["all", "org:8"], "자매결연").hits.iter().all(|h| h.id != 3));
    assert_eq!(with(&["user:9"], "collaboration").total, 1);
    assert_eq!(with(&[], "").total, 0, "no reader tokens, no hits");
}

#[test]
fn filters_facets_sorting_and_paging() {
    let index = seeded();
    let e = Expander::empty();
    let everything = index.search(&req(""), &e).unwrap();
    assert_eq!(everything.total, 5);
    assert_eq!(everything.facets.kind[0], ("other".to_string(), 2));
    assert_eq!(everything.facets.year.iter().map(|(_, n)| n).sum::<usize>(), 5);
    assert!(everything.facets.country.contains(&("KR".to_string(), 5)));

    let mut r = req("");
    r.filters.language = Some("en".into());
    let en = index.search(&r, &e).unwrap();
    assert_eq!(en.total, 2);
    r.filters.year = Some(2007);
    assert_eq!(index.search(&r, &e).unwrap().hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![5]);

    let mut r = req("");
    r.sort = Sort::Newest;
    let newest: Vec<i64> = index.search(&r, &e).unwrap().hits.iter().map(|h| h.id).collect();
    assert_eq!(&newest[..3], &[2, 1, 4][..], "2021-02, 2021-01, 2019 first: {newest:?}");
    assert_eq!(newest.last(), Some(&5));
    r.offset = 3;
    r.limit = 1;
    let page = index.search(&r, &e).unwrap();
    assert_eq!(page.total, 5);
    assert_eq!(page.hits.len(), 1);
    assert_eq!(page.hits[0].id, 3);
}

#[test]
fn title_boost_snippets_and_escaping() {
    let index = seeded();
    let e = Expander::empty();
    let r = index.search(&req("Service Delivery"), &e).unwrap();
    assert_eq!(r.hits[0].id, 5);
    assert!(r.hits[0].title_html.contains("<mark>Service</mark> <mark>Delivery</mark>"), "{}", r.hits[0].title_html);
    assert!(r.hits[0].snippet_html.contains("<mark>"), "{}", r.hits[0].snippet_html);
    // The seed's own markup is escaped, never passed through.
    let r = index.search(&req("出國類別"), &e).unwrap();
    assert_eq!(r.hits[0].id, 3);
    assert!(!r.hits[0].snippet_html.contains("<input"), "{}", r.hits[0].snippet_html);
    assert!(r.hits[0].snippet_html.contains("&lt;input"), "{}", r.hits[0].snippet_html);
}

#[test]
fn latin_typos_get_a_suggestion() {
    let index = seeded();
    let r = index.search(&req("goverment colaboration"), &Expander::empty()).unwrap();
    assert_eq!(r.suggestion.as_deref(), Some("government collaboration"));
    let r = index.search(&req("government"), &Expander::empty()).unwrap();
    assert_eq!(r.suggestion, None);
}

#[test]
fn more_like_this_respects_readers() {
    let index = SearchIndex::open_in_ram().unwrap();
    let mut docs: Vec<IndexDoc> = SEEDS.iter().map(|s| doc(s, &["all"])).collect();
    docs[1].readers = vec!["staff".into()];
    index.apply(docs, &[], 1).unwrap();
    let like: Vec<i64> = index.more_like_this(5, &["all".into()], 5).unwrap().iter().map(|h| h.id).collect();
    assert!(!like.contains(&5), "not itself");
    assert!(!like.contains(&2), "not what the reader may not see");
    let like: Vec<i64> =
        index.more_like_this(5, &["all".into(), "staff".into()], 5).unwrap().iter().map(|h| h.id).collect();
    assert_eq!(like.first(), Some(&2), "the other English local-government text is the closest: {like:?}");
}

#[test]
fn rebuild_gives_the_same_results_as_incremental_applies() {
    let e = expander();
    let queries = ["자매결연", "地方分权", "local government", "외교", "Taichung", ""];
    // Incremental: one at a time, one changed and one deleted on the way.
    let inc = SearchIndex::open_in_ram().unwrap();
    for (i, s) in SEEDS.iter().enumerate() {
        let mut d = doc(s, &["all"]);
        if s.id == 2 {
            d.title = "draft title".into();
        }
        inc.apply(vec![d], &[], i as i64 + 1).unwrap();
    }
    inc.apply(vec![doc(&SEEDS[1], &["all"])], &[4], 6).unwrap();
    inc.apply(vec![doc(&SEEDS[3], &["all"])], &[], 7).unwrap();
    assert_eq!(inc.applied_seq(), 7);
    // Rebuilt: cleared, then everything at once.
    let rebuilt = SearchIndex::open_in_ram().unwrap();
    rebuilt.apply(vec![doc(&SEEDS[0], &["all"])], &[], 3).unwrap();
    rebuilt.clear().unwrap();
    assert_eq!(rebuilt.applied_seq(), 0);
    rebuilt.apply(SEEDS.iter().map(|s| doc(s, &["all"])).collect(), &[], 7).unwrap();
    assert_eq!(inc.len(), 5);
    assert_eq!(rebuilt.len(), 5);
    for q in queries {
        let a = inc.search(&req(q), &e).unwrap();
        let b = rebuilt.search(&req(q), &e).unwrap();
        let ids = |r: &SearchResults| r.hits.iter().map(|h| h.id).collect::<Vec<_>>();
        assert_eq!(ids(&a), ids(&b), "query {q:?}");
        assert_eq!(a.total, b.total);
        assert_eq!(a.facets, b.facets);
    }
}

#[test]
fn applied_sequence_survives_reopening() {
    let dir = tempfile_dir();
    {
        let index = SearchIndex::open(&dir).unwrap();
        assert_eq!(index.applied_seq(), 0);
        index.apply(vec![doc(&SEEDS[1], &["all"])], &[], 42).unwrap();
    }
    let index = SearchIndex::open(&dir).unwrap();
    assert_eq!(index.applied_seq(), 42);
    assert_eq!(ids(&index, &Expander::empty(), "online bureau"), vec![2]);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("glocal-search-test-{}-{}", std::process::id(), rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
