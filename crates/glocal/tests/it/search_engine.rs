//! The search engine over a real database: the expander loads the term base and the
//! gazetteer's place names, and a query in one script finds a seed document in another.

use chrono::Utc;
use glocal_core::search::{Expander, IndexDoc, SearchIndex, SearchRequest};

use crate::support::TestApp;

fn trip_report() -> IndexDoc {
    IndexDoc {
        id: 3,
        kind: "trip_report".into(),
        language: "zh-Hant".into(),
        status: "published".into(),
        title: "臺中市政府出席韓國全羅北道「第6屆城市與地方政府聯合會亞太分會2016年全羅北道大會」".into(),
        summary: String::new(),
        body: include_str!("../../../glocal-core/data/library/002_e5afcc733ebcf334.txt").into(),
        attachments: String::new(),
        area: None,
        country: Some("KR".into()),
        organization: Some("臺中市政府".into()),
        year: Some(2016),
        updated_at: Utc::now(),
        readers: vec!["all".into()],
    }
}

#[tokio::test]
async fn the_expander_loads_places_and_terms_from_the_database() {
    let app = TestApp::new().await; // the demo data loads the shipped gazetteer sample
    let expander = Expander::load(&app.core).await.unwrap();
    assert!(expander.place_bytes() > 0);
    let x = expander.expand("타이중 자매결연");
    assert_eq!(x.len(), 2, "{x:?}");
    assert!(x[0].alternatives.iter().any(|a| a == "Taichung" || a == "台中"), "{x:?}");
    assert!(x[1].alternatives.iter().any(|a| a == "姐妹城市"), "{x:?}");

    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    index.apply(vec![trip_report()], &[], 1).unwrap();
    for q in ["타이중", "Taichung", "台中", "자매결연", "姉妹都市", "全罗北道"] {
        let req = SearchRequest { text: q.into(), readers: vec!["all".into()], limit: 5, ..Default::default() };
        let found = index.search(&req, &expander).unwrap();
        assert_eq!(found.hits.first().map(|h| h.id), Some(3), "{q}");
    }
    drop(index);
    assert_eq!(SearchIndex::open(dir.path()).unwrap().applied_seq(), 1);
}
