//! Organisations: the shipped reference data, listing and filtering, administration, import.

use axum::http::{Method, StatusCode};
use glocal_core::actor::{Actor, Origin};
use glocal_core::orgs;
use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn reference_data_holds_every_korean_local_government_and_the_association() {
    let app = TestApp::new().await;
    let token = app.token("staff@demo.glocal.example").await;
    let total = |q: String| {
        let token = token.clone();
        let app = &app;
        async move { app.api(Method::GET, &q, Some(&token), None).await.1["total"].as_u64().unwrap() }
    };
    assert_eq!(total("/api/v1/organizations?kind=member_local_government".into()).await, 243);
    assert_eq!(total("/api/v1/organizations?kind=overseas_office".into()).await, 6);
    let seoul = app.org_id("1100000000").await;
    assert_eq!(total(format!("/api/v1/organizations?parent_id={seoul}&kind=member_local_government")).await, 25);
    let gyeonggi = app.org_id("4100000000").await;
    assert_eq!(total(format!("/api/v1/organizations?parent_id={gyeonggi}")).await, 31);

    let (_, tokyo) = app
        .api(Method::GET, &format!("/api/v1/organizations/{}", app.org_id("OFF-JP").await), Some(&token), None)
        .await;
    assert_eq!(tokyo["country"], "JP");
    assert_eq!(tokyo["time_zone"], "Asia/Tokyo");
    assert_eq!(tokyo["names"]["ja"], "東京事務所");

    // Gunwi-gun moved to Daegu in 2023; Gangwon and Jeonbuk became special self-governing.
    let (_, gunwi) = app.api(Method::GET, "/api/v1/organizations?q=군위군", Some(&token), None).await;
    assert_eq!(gunwi["items"][0]["code"], "2772000000");
    assert_eq!(gunwi["items"][0]["parent_id"], app.org_id("2700000000").await);
}

#[tokio::test]
async fn text_filter_folds_case_width_and_finds_any_script() {
    let app = TestApp::new().await;
    let token = app.token("staff@demo.glocal.example").await;
    for q in ["jongno", "JONGNO", "ＪＯＮＧＮＯ", "종로구", "1111000000"] {
        let (status, body) =
            app.api(Method::GET, &format!("/api/v1/organizations?q={}", urlencode(q)), Some(&token), None).await;
        assert_eq!(status, StatusCode::OK);
        let codes: Vec<&str> = body["items"].as_array().unwrap().iter().filter_map(|o| o["code"].as_str()).collect();
        assert_eq!(codes, vec!["1111000000"], "query {q}");
    }
    // Chinese and Japanese names of provinces are searchable too.
    let (_, body) =
        app.api(Method::GET, &format!("/api/v1/organizations?q={}", urlencode("济州")), Some(&token), None).await;
    assert_eq!(body["items"][0]["code"], "5000000000");
    // LIKE wildcards in the query are matched literally.
    let (_, body) = app.api(Method::GET, "/api/v1/organizations?q=%25", Some(&token), None).await;
    assert_eq!(body["total"], 0);
    // A malformed parameter is refused with its name.
    let (status, body) = app.api(Method::GET, "/api/v1/organizations?page=first", Some(&token), None).await;
    assert_eq!(
        (status, body["code"].as_str(), body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_query"), Some("page"))
    );
}

fn urlencode(s: &str) -> String {
    serde_html_form::to_string([("", s)]).unwrap()[1..].to_string()
}

#[tokio::test]
async fn administrators_create_and_update_organisations() {
    let app = TestApp::new().await;
    let admin = app.token("admin@demo.glocal.example").await;
    let (status, org) = app
        .api(Method::POST, "/api/v1/organizations", Some(&admin), Some(json!({
            "kind": "foreign_local_government", "name": "臺中市政府", "name_en": "Taichung City Government",
            "names": {"ko": "타이중시", "zh-CN": "台中市政府"}, "country": "tw", "city": "Taichung", "time_zone": "Asia/Taipei",
            "code": "TW-TXG"
        })))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{org}");
    assert_eq!(org["country"], "TW");
    assert_eq!(org["names"], json!({"ko": "타이중시", "zh-Hans": "台中市政府"}));
    let id = org["id"].as_i64().unwrap();

    // Found by any of its names.
    for q in ["타이중", "臺中", "台中", "taichung"] {
        let (_, list) =
            app.api(Method::GET, &format!("/api/v1/organizations?q={}", urlencode(q)), Some(&admin), None).await;
        assert_eq!(list["items"][0]["id"], id, "query {q}");
    }

    let (status, body) = app
        .api(
            Method::POST,
            "/api/v1/organizations",
            Some(&admin),
            Some(json!({"kind": "other", "name": "Dup", "code": "TW-TXG"})),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("code_taken")));
    let (status, body) = app
        .api(
            Method::POST,
            "/api/v1/organizations",
            Some(&admin),
            Some(json!({"kind": "member_local_government", "name": "No tier"})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str(), body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("value_required"), Some("tier"))
    );
    let (status, body) = app
        .api(Method::POST, "/api/v1/organizations", Some(&admin), Some(json!({"kind": "castle", "name": "X"})))
        .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_choice")));

    let (status, updated) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/organizations/{id}"),
            Some(&admin),
            Some(json!({"version": 1, "phone": "+886-4-2228-9111"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["name"], "臺中市政府");
    let (status, body) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/organizations/{id}"),
            Some(&admin),
            Some(json!({"version": 1, "phone": "0"})),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("conflict_stale")));
    // An organisation cannot become its own ancestor.
    let child = app
        .api(
            Method::POST,
            "/api/v1/organizations",
            Some(&admin),
            Some(json!({"kind": "other", "name": "Child", "parent_id": id})),
        )
        .await
        .1;
    let (status, body) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/organizations/{id}"),
            Some(&admin),
            Some(json!({"parent_id": child["id"]})),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_parent")));
}

#[tokio::test]
async fn csv_import_is_idempotent_and_a_bad_row_changes_nothing() {
    let app = TestApp::new().await;
    let actor = Actor::System("test");
    let origin = Origin::default();
    let scope = app.core.scope(&actor, &origin);

    // The shipped data again: nothing to do.
    let again = glocal_core::refdata::KR_LOCAL_GOVERNMENTS;
    let report = orgs::import(&scope, orgs::parse_csv(again).unwrap()).await.unwrap();
    assert_eq!((report.created, report.updated, report.unchanged), (0, 0, 243));

    let header =
        "code,kind,tier,parent_code,name,name_en,name_ko,name_zh_hans,name_zh_hant,name_ja,country,city,time_zone\n";
    let good = format!(
        "{header}JP-13,foreign_local_government,,,東京都,Tokyo Metropolitan Government,도쿄도,东京都,東京都,東京都,JP,Tokyo,Asia/Tokyo\n"
    );
    let report = orgs::import(&scope, orgs::parse_csv(&good).unwrap()).await.unwrap();
    assert_eq!(report.created, 1);
    let report = orgs::import(&scope, orgs::parse_csv(&good).unwrap()).await.unwrap();
    assert_eq!((report.created, report.unchanged), (0, 1));

    let before = app.count("organizations").await;
    let audit_before = app.count("audit_events").await;
    let bad = format!(
        "{header}JP-27,foreign_local_government,,,大阪府,Osaka,,,,,JP,Osaka,Asia/Tokyo\nJP-14,foreign_local_government,,,神奈川県,Kanagawa,,,,,JPN,Yokohama,Asia/Tokyo\n"
    );
    let err = orgs::import(&scope, orgs::parse_csv(&bad).unwrap()).await.unwrap_err();
    assert_eq!(err.field_errors()[0].field, "line 3: country");
    assert_eq!(err.code(), glocal_core::ErrorCode::InvalidCountry);
    assert_eq!(app.count("organizations").await, before, "the good row before the bad one must not stay");
    assert_eq!(app.count("audit_events").await, audit_before);
}
