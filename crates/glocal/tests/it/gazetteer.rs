//! The world gazetteer: one city under every script's spelling, idempotent imports.

use glocal_core::actor::{Actor, Origin};
use glocal_core::gazetteer::{self, Script};

use crate::support::TestApp;

#[tokio::test]
async fn a_city_is_found_by_its_name_in_any_script() {
    let app = TestApp::new().await; // the demo data loads the shipped sample
    let actor = Actor::System("test");
    let origin = Origin::default();
    let scope = app.core.scope(&actor, &origin);
    for term in ["Taichung", "臺中", "台中", "台中市", "타이중", "타이중 시", "TAICHUNG", "Taizhong Shi"]
    {
        let found = gazetteer::lookup(&scope, term, 5).await.unwrap();
        assert_eq!(found.first().map(|p| p.id), Some(1668399), "{term}");
    }
    let seoul = gazetteer::lookup(&scope, "서울특별시", 5).await.unwrap();
    assert_eq!(seoul[0].name, "Seoul");
    assert_eq!(seoul[0].time_zone.as_deref(), Some("Asia/Seoul"));
    assert_eq!(seoul[0].name_in(Script::Kana), Some("ソウル"));
    let tokyo = gazetteer::lookup(&scope, "東京都", 5).await.unwrap();
    assert_eq!(tokyo[0].country, "JP");
    // Variants give every script at once, for search expansion.
    let variants = gazetteer::name_variants(&scope, "臺中").await.unwrap();
    for v in ["Taichung", "台中", "타이중 시"] {
        assert!(variants.iter().any(|x| x == v), "{v} missing from {variants:?}");
    }
    assert!(gazetteer::lookup(&scope, "Atlantis", 5).await.unwrap().is_empty());
    assert!(gazetteer::lookup(&scope, "  ", 5).await.unwrap().is_empty());
}

#[tokio::test]
async fn imports_are_idempotent_and_a_bad_file_changes_nothing() {
    let app = TestApp::new().await;
    let actor = Actor::System("test");
    let origin = Origin::default();
    let scope = app.core.scope(&actor, &origin);
    let places = app.count("places").await;
    let names = app.count("place_names").await;
    assert!(places > 600 && names > places, "{places} places, {names} names");

    let again = gazetteer::import_geonames(&scope, gazetteer::SAMPLE, &mut |_, _| {}).await.unwrap();
    assert_eq!((again.created, again.updated, again.unchanged as i64), (0, 0, places));
    assert_eq!(app.count("place_names").await, names);

    // One city renamed and given a new name: updated in place, its keys replaced.
    let mut doc: serde_json::Value = serde_json::from_str(gazetteer::SAMPLE).unwrap();
    doc["1668399"]["alternatenames"].as_array_mut().unwrap().push("대만 타이중".into());
    let report = gazetteer::import_geonames(&scope, &doc.to_string(), &mut |_, _| {}).await.unwrap();
    assert_eq!((report.created, report.updated), (0, 1));
    assert_eq!(gazetteer::lookup(&scope, "대만 타이중", 1).await.unwrap()[0].id, 1668399);

    let before = app.count("audit_events").await;
    let err = gazetteer::import_geonames(&scope, r#"{"1": {"geonameid": "x"}}"#, &mut |_, _| {}).await.unwrap_err();
    assert_eq!(err.code(), glocal_core::ErrorCode::InvalidBody);
    assert!(gazetteer::import_geonames(&scope, "not json", &mut |_, _| {}).await.is_err());
    assert_eq!(app.count("places").await, places);
    assert_eq!(app.count("audit_events").await, before);
}
