//! The exchange registry: cross-script city lookup, relationships and who may change them,
//! dormancy, import and export (CSV and XLSX, read back by openpyxl), partners, and the
//! recommendation's explained, stable scores. Runs on SQLite and PostgreSQL alike.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use glocal_core::actor::{Actor, Origin};
use glocal_core::registry::{partners, transfer};
use serde_json::{Value, json};

use crate::support::TestApp;

const TAICHUNG: i64 = 1668399;
const OSAKA: i64 = 1853909;
const FUKUOKA: i64 = 1863967;

fn enc(s: &str) -> String {
    serde_html_form::to_string([("", s)]).unwrap()[1..].to_string()
}

/// Sends raw bytes (a file) with a bearer token.
async fn upload(app: &TestApp, path: &str, token: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::ACCEPT_LANGUAGE, "en")
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(bytes))
        .unwrap();
    let (status, _, body) = app.send(req).await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

async fn download(app: &TestApp, path: &str, token: &str) -> (StatusCode, String, Vec<u8>) {
    let req = Request::builder()
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = app.send(req).await;
    let ct = headers.get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, ct, body)
}

#[tokio::test]
async fn a_city_is_found_by_any_script_with_its_country_population_and_time_zone() {
    let app = TestApp::new().await;
    let token = app.token("seoul@demo.glocal.example").await;
    let mut ids = Vec::new();
    for q in ["臺中", "台中", "Taichung", "타이중", "타이중시", "ＴＡＩＣＨＵＮＧ"] {
        let (status, body) = app
            .api(Method::GET, &format!("/api/v1/registry/foreign-local-governments?q={}", enc(q)), Some(&token), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{q}: {body}");
        let first = &body["items"][0];
        assert_eq!(first["place_id"], TAICHUNG, "{q}: {body}");
        assert_eq!(first["country"], "TW");
        assert_eq!(first["time_zone"], "Asia/Taipei");
        assert!(first["population"].as_i64().unwrap() > 2_000_000);
        ids.push(first["id"].clone());
    }
    // The demo registered Taichung (Jeonbuk's partner) with the association's Korean spelling.
    assert!(ids.iter().all(|i| *i == ids[0] && i.is_i64()), "{ids:?}");
    let (_, city) = app
        .api(Method::GET, &format!("/api/v1/registry/foreign-local-governments/{}", ids[0]), Some(&token), None)
        .await;
    assert_eq!(city["name_ko"], "타이중시");
    assert!(city["names"].as_array().unwrap().iter().any(|n| n == "臺中市" || n == "台中市" || n == "臺中"), "{city}");

    // A hand-made entry is found by each of its own spellings.
    for q in ["东城区", "東城區", "둥청구", "Dongcheng District"] {
        let (_, body) = app
            .api(Method::GET, &format!("/api/v1/registry/foreign-local-governments?q={}", enc(q)), Some(&token), None)
            .await;
        assert_eq!(body["items"][0]["name"], "Dongcheng District", "{q}: {body}");
        assert_eq!(body["items"][0]["hand_made"], true);
    }
    // Korean cities are members, not foreign local governments; unknown names find nothing.
    let (_, body) = app
        .api(Method::GET, &format!("/api/v1/registry/foreign-local-governments?q={}", enc("부산")), Some(&token), None)
        .await;
    assert_eq!(body["total"], 0, "{body}");
    let (_, body) =
        app.api(Method::GET, "/api/v1/registry/foreign-local-governments?q=Atlantis", Some(&token), None).await;
    assert_eq!(body["total"], 0);
    let (status, body) =
        app.api(Method::GET, "/api/v1/registry/foreign-local-governments?country=Taiwan", Some(&token), None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_country")));
}

#[tokio::test]
async fn a_hand_made_entry_merges_into_the_gazetteer_with_its_relationships() {
    let app = TestApp::new().await;
    let staff = app.token("staff@demo.glocal.example").await;
    let seoul = app.token("seoul@demo.glocal.example").await;
    // A member registers a tie with a place it had to make by hand.
    let (status, small) = app
        .api(
            Method::POST,
            "/api/v1/registry/foreign-local-governments",
            Some(&seoul),
            Some(json!({
                "name": "Hakata ward office", "name_ko": "하카타구청", "names": ["博多区役所"], "country": "JP",
                "time_zone": "Asia/Tokyo"
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{small}");
    let small_id = small["id"].as_i64().unwrap();
    let (status, rel) = app
        .api(
            Method::POST,
            "/api/v1/registry/relationships",
            Some(&seoul),
            Some(json!({
                "city_id": small_id, "kind": "friendship", "signed_on": "2019-04-01", "fields": ["youth"]
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rel}");
    // Only staff merge.
    let (status, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/registry/foreign-local-governments/{small_id}/merge"),
            Some(&seoul),
            Some(json!({"place_id": FUKUOKA})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Fukuoka is registered already (Busan's partner): the entry and its relationship move there.
    let (status, merged) = app
        .api(
            Method::POST,
            &format!("/api/v1/registry/foreign-local-governments/{small_id}/merge"),
            Some(&staff),
            Some(json!({"place_id": FUKUOKA})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{merged}");
    assert_eq!(merged["place_id"], FUKUOKA);
    let (_, rel) =
        app.api(Method::GET, &format!("/api/v1/registry/relationships/{}", rel["id"]), Some(&seoul), None).await;
    assert_eq!(rel["city"]["id"], merged["id"]);
    assert_eq!(rel["city"]["place_id"], FUKUOKA);
    // The hand-made spelling now finds the gazetteer entry; merging twice is refused.
    let (_, found) = app
        .api(
            Method::GET,
            &format!("/api/v1/registry/foreign-local-governments?q={}", enc("博多区役所")),
            Some(&seoul),
            None,
        )
        .await;
    assert_eq!(found["items"][0]["id"], merged["id"], "{found}");
    let (status, body) = app
        .api(
            Method::POST,
            &format!("/api/v1/registry/foreign-local-governments/{small_id}/merge"),
            Some(&staff),
            Some(json!({"place_id": OSAKA})),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("cannot_merge")));

    // A hand-made entry for a place nobody registered becomes that place's entry.
    let (_, other) = app
        .api(
            Method::POST,
            "/api/v1/registry/foreign-local-governments",
            Some(&staff),
            Some(json!({"name": "Naniwa", "country": "JP"})),
        )
        .await;
    let (status, merged) = app
        .api(
            Method::POST,
            &format!("/api/v1/registry/foreign-local-governments/{}/merge", other["id"]),
            Some(&staff),
            Some(json!({"place_id": OSAKA})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (merged["id"].clone(), merged["place_id"].as_i64(), merged["population"].as_i64().unwrap() > 2_000_000),
        (other["id"].clone(), Some(OSAKA), true)
    );
}

#[tokio::test]
async fn members_see_and_edit_only_their_own_relationships() {
    let app = TestApp::new().await;
    let seoul = app.token("seoul@demo.glocal.example").await;
    let busan = app.token("busan@demo.glocal.example").await;
    let staff = app.token("staff@demo.glocal.example").await;
    let seoul_id = app.org_id("1100000000").await;
    let busan_id = app.org_id("2600000000").await;

    // A member's official records a tie for their own organisation (the member is implied).
    let (status, rel) = app
        .api(Method::POST, "/api/v1/registry/relationships", Some(&seoul), Some(json!({
            "place_id": OSAKA, "city_name_ko": "오사카시", "kind": "friendship", "signed_on": "2014-05-20",
            "signed_place": "Osaka City Hall", "signatories": "Mayors of both cities",
            "fields": ["관광", "economy_trade"], "member_contacts": "국제협력과", "partner_contacts": "International Affairs Division",
            "documents": [{"title": "Friendship agreement", "url": "https://example.org/agreement.pdf"}]
        })))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rel}");
    assert_eq!(rel["member"]["id"], seoul_id);
    assert_eq!(rel["city"]["name_ko"], "오사카시");
    assert_eq!(rel["fields"], json!(["economy_trade", "tourism"]));
    assert_eq!(rel["status"], "active");
    let id = rel["id"].as_i64().unwrap();

    // Another member can neither see nor change it, nor record ties for someone else.
    let path = format!("/api/v1/registry/relationships/{id}");
    assert_eq!(app.api(Method::GET, &path, Some(&busan), None).await.0, StatusCode::NOT_FOUND);
    let (status, _) = app.api(Method::PATCH, &path, Some(&busan), Some(json!({"kind": "sister"}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .api(
            Method::POST,
            &format!("{path}/activities"),
            Some(&busan),
            Some(json!({"kind": "visit", "started_on": "2025-01-01", "title": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .api(
            Method::POST,
            "/api/v1/registry/relationships",
            Some(&busan),
            Some(json!({"member_org_id": seoul_id, "place_id": TAICHUNG, "kind": "sister"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, list) = app.api(Method::GET, "/api/v1/registry/relationships?per_page=200", Some(&busan), None).await;
    assert!(list["items"].as_array().unwrap().iter().all(|r| r["member"]["id"] == busan_id), "{list}");
    assert!(list["total"].as_u64().unwrap() >= 3);
    // Exports follow the same rule.
    let (_, _, csv) = download(&app, "/api/v1/registry/relationships/export", &busan).await;
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains("부산광역시") && !csv.contains("서울특별시"), "{csv}");

    // The owner changes it, with the version read; a stale version is refused.
    let (status, updated) = app
        .api(
            Method::PATCH,
            &path,
            Some(&seoul),
            Some(json!({"version": 1, "kind": "sister", "signed_on": "2015-01-10"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!((updated["kind"].as_str(), updated["version"].as_i64()), (Some("sister"), Some(2)));
    assert_eq!(updated["signed_place"], "Osaka City Hall");
    let (status, body) =
        app.api(Method::PATCH, &path, Some(&seoul), Some(json!({"version": 1, "kind": "friendship"}))).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("conflict_stale")));
    let (status, body) = app.api(Method::PATCH, &path, Some(&seoul), Some(json!({"signed_on": "yesterday"}))).await;
    assert_eq!(
        (status, body["code"].as_str(), body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_date"), Some("signed_on"))
    );
    // One relationship per pair.
    let (status, body) = app
        .api(
            Method::POST,
            "/api/v1/registry/relationships",
            Some(&seoul),
            Some(json!({"place_id": OSAKA, "kind": "mou_other"})),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("relationship_exists")));

    // Staff see and change every member's ties.
    let (status, _) =
        app.api(Method::PATCH, &path, Some(&staff), Some(json!({"notes": "Checked by the secretariat"}))).await;
    assert_eq!(status, StatusCode::OK);
    let (_, all) = app
        .api(Method::GET, &format!("/api/v1/registry/relationships?country=JP&per_page=200"), Some(&staff), None)
        .await;
    let members: Vec<i64> =
        all["items"].as_array().unwrap().iter().map(|r| r["member"]["id"].as_i64().unwrap()).collect();
    assert!(members.contains(&seoul_id) && members.contains(&busan_id), "{members:?}");
    // Every change is in the audit log with its diff.
    let actor = Actor::System("test");
    let origin = Origin::default();
    let events = glocal_core::audit::list(
        &app.core.scope(&actor, &origin),
        glocal_core::audit::AuditFilter {
            subject_type: Some("registry_relationship".into()),
            subject_id: Some(id.to_string()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let actions: Vec<&str> = events.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec!["registry_relationship.update", "registry_relationship.update", "registry_relationship.create"]
    );
    assert_eq!(events.items[1].details["kind"], json!(["friendship", "sister"]));
}

#[tokio::test]
async fn dormancy_is_flagged_after_the_configured_years_and_cleared_by_new_activity() {
    let app = TestApp::with(|c| c.registry.dormant_after_years = 5).await;
    let staff = app.token("staff@demo.glocal.example").await;
    let jongno = app.org_id("1111000000").await;
    let (status, rel) = app
        .api(
            Method::POST,
            "/api/v1/registry/relationships",
            Some(&staff),
            Some(json!({
                "member_org_id": jongno, "place_id": TAICHUNG, "kind": "friendship", "signed_on": "2012-03-01"
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rel}");
    assert_eq!(rel["dormant"], true);
    let id = rel["id"].as_i64().unwrap();
    let dormant_ids = |body: Value| -> Vec<i64> {
        body["items"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect()
    };
    let report = format!("/api/v1/registry/relationships?member_id={jongno}&dormant=true");
    // Jongno's demo ties (signed 2011 and 2019, no activity since) are flagged too.
    assert_eq!(dormant_ids(app.api(Method::GET, &report, Some(&staff), None).await.1).len(), 3);
    assert!(dormant_ids(app.api(Method::GET, &report, Some(&staff), None).await.1).contains(&id));
    // The member's page shows the flag.
    let mut browser = app.browser_as("jongno@demo.glocal.example").await;
    let (status, html) = browser.get(&format!("/registry/members/{jongno}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("class=\"tag dormant\"").count(), 3, "dormancy flags on the member page");

    // Activity older than the limit does not clear it; recent activity does.
    let act = format!("/api/v1/registry/relationships/{id}/activities");
    let (status, _) = app
        .api(
            Method::POST,
            &act,
            Some(&staff),
            Some(json!({"kind": "visit", "started_on": "2015-06-01", "title": "Old visit"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        app.api(Method::GET, &format!("/api/v1/registry/relationships/{id}"), Some(&staff), None).await.1["dormant"],
        true
    );
    let today = chrono::Utc::now().date_naive().to_string();
    let (status, a) = app
        .api(Method::POST, &act, Some(&staff), Some(json!({
            "kind": "delegation", "started_on": today, "title": "Mayor's delegation", "participants": "Mayor and 4 officials"
        })))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let (_, rel) = app.api(Method::GET, &format!("/api/v1/registry/relationships/{id}"), Some(&staff), None).await;
    assert_eq!((rel["dormant"].as_bool(), rel["last_activity_on"].as_str()), (Some(false), Some(today.as_str())));
    assert_eq!(rel["activities"].as_array().unwrap().len(), 2);
    assert_eq!(rel["activities"][0]["title"], "Mayor's delegation");
    assert_eq!(dormant_ids(app.api(Method::GET, &report, Some(&staff), None).await.1).len(), 2);
    assert!(!dormant_ids(app.api(Method::GET, &report, Some(&staff), None).await.1).contains(&id));
    browser.get(&format!("/registry/members/{jongno}")).await;
    assert_eq!(browser.last_html.matches("class=\"tag dormant\"").count(), 2);

    // Marked dormant by hand: flagged; new activity wakes it up.
    let (_, rel) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/registry/relationships/{id}"),
            Some(&staff),
            Some(json!({"status": "dormant"})),
        )
        .await;
    assert_eq!((rel["status"].as_str(), rel["dormant"].as_bool()), (Some("dormant"), Some(true)));
    app.api(Method::POST, &act, Some(&staff), Some(json!({"kind": "event", "started_on": today, "title": "Festival"})))
        .await;
    let (_, rel) = app.api(Method::GET, &format!("/api/v1/registry/relationships/{id}"), Some(&staff), None).await;
    assert_eq!((rel["status"].as_str(), rel["dormant"].as_bool()), (Some("active"), Some(false)));
}

const GOOD_AND_BAD: &str = "\u{feff}자치단체코드,자치단체,국가,외국자치단체,구분,체결일,교류분야,상태
,대구광역시,JP,오사카,우호교류,2009.05.13,\"관광, 교육\",활동
,대구광역시,TW,Atlantis,자매결연,2001-01-01,행정,활동
2700000000,,일본,히로시마 시,castle,2010-01-01,행정,활동
,울산광역시,CN,칭다오,자매결연,someday,\"행정, 우주\",
";

#[tokio::test]
async fn an_import_with_bad_rows_changes_nothing_and_names_each_row() {
    let app = TestApp::new().await;
    let staff = app.token("staff@demo.glocal.example").await;
    let tables = ["registry_relationships", "registry_cities", "registry_city_names", "audit_events"];
    let mut before = Vec::new();
    for t in tables {
        before.push(app.count(t).await);
    }
    let (status, body) =
        upload(&app, "/api/v1/registry/relationships/import?format=csv", &staff, GOOD_AND_BAD.as_bytes().to_vec())
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let errors: Vec<(String, String)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap().to_string(), e["code"].as_str().unwrap().to_string()))
        .collect();
    let expected = [
        ("row 3: foreign_city", "unknown_city"),
        ("row 4: kind", "invalid_choice"),
        ("row 5: date", "invalid_date"),
        ("row 5: fields", "invalid_choice"),
    ];
    assert_eq!(errors, expected.map(|(a, b)| (a.to_string(), b.to_string())), "{body}");
    for (t, n) in tables.iter().zip(before) {
        assert_eq!(app.count(t).await, n, "{t} changed");
    }
    // Members may not import for everyone.
    let seoul = app.token("seoul@demo.glocal.example").await;
    let (status, _) =
        upload(&app, "/api/v1/registry/relationships/import", &seoul, GOOD_AND_BAD.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Fixed, the same file imports; cities resolve by their Korean names and keep them.
    let fixed = GOOD_AND_BAD
        .replace("Atlantis", "타이중")
        .replace("castle", "자매결연")
        .replace("someday", "1995-07-01")
        .replace(", 우주", "");
    let (status, report) = upload(&app, "/api/v1/registry/relationships/import", &staff, fixed.into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report, json!({"rows": 4, "created": 4, "updated": 0, "unchanged": 0}));
    let (_, list) = app
        .api(
            Method::GET,
            &format!("/api/v1/registry/relationships?member_id={}", app.org_id("3100000000").await),
            Some(&staff),
            None,
        )
        .await;
    let r = &list["items"][0];
    assert_eq!((r["city"]["name"].as_str(), r["city"]["name_ko"].as_str()), (Some("Qingdao"), Some("칭다오")));
    assert_eq!(
        (r["kind"].as_str(), r["signed_on"].as_str(), r["status"].as_str()),
        (Some("sister"), Some("1995-07-01"), Some("active"))
    );
    // A file without the required columns is refused as a whole.
    let (status, body) =
        upload(&app, "/api/v1/registry/relationships/import", &staff, b"name,city\nx,y\n".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"].as_array().unwrap().iter().any(|e| e["field"] == "header: country"), "{body}");
}

#[tokio::test]
async fn an_export_imports_again_to_the_same_data_in_csv_and_xlsx() {
    let app = TestApp::new().await;
    let staff = app.token("staff@demo.glocal.example").await;
    let (status, ct, csv1) = download(&app, "/api/v1/registry/relationships/export?format=csv", &staff).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("text/csv"));
    let text = String::from_utf8(csv1.clone()).unwrap();
    assert!(text.starts_with("자치단체코드,자치단체,국가,외국자치단체,구분,체결일,교류분야,상태"), "{text}");
    let rows = text.lines().count() - 1;
    assert!(rows >= 10, "{text}");
    let before = app.count("registry_relationships").await;

    for (format, bytes) in [
        ("csv", csv1.clone()),
        ("xlsx", download(&app, "/api/v1/registry/relationships/export?format=xlsx", &staff).await.2),
    ] {
        let (status, report) =
            upload(&app, &format!("/api/v1/registry/relationships/import?format={format}"), &staff, bytes).await;
        assert_eq!(status, StatusCode::OK, "{format}: {report}");
        assert_eq!(report, json!({"rows": rows, "created": 0, "updated": 0, "unchanged": rows}), "{format}");
    }
    assert_eq!(app.count("registry_relationships").await, before);
    let (_, _, csv2) = download(&app, "/api/v1/registry/relationships/export?format=csv", &staff).await;
    assert_eq!(csv1, csv2, "exporting again gives the same file");

    // Into a second database holding none of these ties, the file recreates the same data.
    let other = TestApp::new().await;
    let actor = Actor::System("test");
    let origin = Origin::default();
    use sea_orm::ConnectionTrait;
    for t in ["registry_activities", "registry_relationships"] {
        other.core.db.execute_unprepared(&format!("DELETE FROM {t}")).await.unwrap();
    }
    let report = transfer::import(&other.core.scope(&actor, &origin), transfer::Format::Csv, &csv1).await.unwrap();
    assert_eq!((report.created, report.updated), (rows, 0));
    let again =
        transfer::export(&other.core.scope(&actor, &origin), &Default::default(), transfer::Format::Csv).await.unwrap();
    assert_eq!(String::from_utf8(again).unwrap(), text);
}

#[tokio::test]
async fn the_xlsx_export_opens_in_openpyxl_with_the_right_values() {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import openpyxl"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var("GLOCAL_REQUIRE_BROWSER").is_err(), "openpyxl missing");
        eprintln!("openpyxl test SKIPPED: python3 openpyxl missing");
        return;
    }
    let app = TestApp::new().await;
    let staff = app.token("staff@demo.glocal.example").await;
    let (status, ct, xlsx) = download(&app, "/api/v1/registry/relationships/export?format=xlsx", &staff).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("application/vnd.openxmlformats"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("relationships.xlsx");
    std::fs::write(&path, &xlsx).unwrap();
    let script = "import json, sys, openpyxl\n\
                  wb = openpyxl.load_workbook(sys.argv[1], read_only=True)\n\
                  ws = wb.worksheets[0]\n\
                  print(json.dumps({'title': ws.title, 'rows': [['' if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]}, ensure_ascii=False))\n";
    let out = std::process::Command::new("python3").arg("-c").arg(script).arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let read: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(read["title"], "교류현황");
    // The same cells as the CSV export.
    let (_, _, csv) = download(&app, "/api/v1/registry/relationships/export?format=csv", &staff).await;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(csv.as_slice());
    let expected: Vec<Vec<String>> =
        reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    let got: Vec<Vec<String>> = serde_json::from_value(read["rows"].clone()).unwrap();
    assert_eq!(got, expected);
    let tokyo = got.iter().find(|r| r[3] == "도쿄도").expect("Seoul–Tokyo row");
    assert_eq!(
        tokyo,
        &["1100000000", "서울특별시", "JP", "도쿄도", "자매결연", "1988-09-03", "행정, 문화·예술, 관광", "활동"]
    );
}

#[tokio::test]
async fn partners_list_and_contacts_reads_are_audited() {
    let app = TestApp::new().await;
    let token = app.token("seoul@demo.glocal.example").await;
    let (status, body) =
        app.api(Method::GET, "/api/v1/registry/partners?category=international_organization", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    let acronyms: Vec<&str> = body["items"].as_array().unwrap().iter().filter_map(|p| p["acronym"].as_str()).collect();
    assert!(
        acronyms.contains(&"UCLG") && acronyms.contains(&"UCLG ASPAC") && acronyms.contains(&"CityNet"),
        "{acronyms:?}"
    );
    let (_, body) =
        app.api(Method::GET, &format!("/api/v1/registry/partners?q={}", enc("aspac")), Some(&token), None).await;
    assert_eq!(body["total"], 1);
    let aspac = body["items"][0]["id"].as_i64().unwrap();
    let (status, body) = app.api(Method::GET, "/api/v1/registry/partners?category=castle", Some(&token), None).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("category")));

    // The 2016 election: a president and eight co-presidents, 2016–2018.
    let actor = Actor::System("test");
    let origin = Origin::default();
    let scope = app.core.scope(&actor, &origin);
    let elections = partners::elections(&scope, aspac).await.unwrap();
    let offices: Vec<&str> = elections[0].candidates.iter().map(|o| o.office.as_str()).collect();
    assert_eq!(offices.iter().filter(|o| **o == "President").count(), 1);
    assert_eq!(offices.iter().filter(|o| **o == "Co-President").count(), 8);
    assert!(elections[0].candidates.iter().all(|o| o.term_start == Some(2016) && o.term_end == Some(2018)));

    let before = app.count("audit_events").await;
    let contacts = partners::contacts(&scope, aspac).await.unwrap();
    assert_eq!(contacts[0].post.as_deref(), Some("Secretary General"));
    assert_eq!(app.count("audit_events").await, before + 1);
    let reads = glocal_core::audit::list(
        &scope,
        glocal_core::audit::AuditFilter { action: Some("registry_contact.read".into()), ..Default::default() },
    )
    .await
    .unwrap();
    assert_eq!(reads.items[0].subject_id.as_deref(), Some(aspac.to_string().as_str()));
}

#[tokio::test]
async fn recommendation_scores_are_explained_and_stable() {
    let app = TestApp::new().await;
    let staff = app.token("staff@demo.glocal.example").await;
    let busan = app.org_id("2600000000").await;
    let wishes = json!({"member_org_id": busan, "countries": ["JP", "TW", "CN"], "fields": ["tourism", "economy_trade"], "limit": 50});
    let (status, first) =
        app.api(Method::POST, "/api/v1/registry/recommendations", Some(&staff), Some(wishes.clone())).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (_, second) =
        app.api(Method::POST, "/api/v1/registry/recommendations", Some(&staff), Some(wishes.clone())).await;
    assert_eq!(first, second, "the same question gives the same ranking");
    let items = first["items"].as_array().unwrap();
    assert_eq!(items.len(), 50);
    assert!(first["candidates_considered"].as_u64().unwrap() > 200);
    let mut prev: Option<(f64, i64)> = None;
    for c in items {
        // Each score is the sum of its shown components, each within its maximum.
        let comps = c["components"].as_array().unwrap();
        let keys: Vec<&str> = comps.iter().map(|x| x["key"].as_str().unwrap()).collect();
        assert_eq!(keys, ["size", "fields", "country", "distance", "time_zone", "ties_in_korea", "province_ties"]);
        let sum: f64 = comps.iter().map(|x| x["points"].as_f64().unwrap()).sum();
        let score = c["score"].as_f64().unwrap();
        assert!((sum - score).abs() < 0.05, "{c}");
        assert!(comps.iter().all(|x| x["points"].as_f64().unwrap() <= x["max"].as_f64().unwrap()));
        assert!(["JP", "TW", "CN"].contains(&c["country"].as_str().unwrap()));
        // Ordered by score, ties by GeoNames id.
        let key = (score, c["place_id"].as_i64().unwrap());
        if let Some(p) = prev {
            assert!(p.0 > key.0 || (p.0 == key.0 && p.1 < key.1), "{p:?} before {key:?}");
        }
        prev = Some(key);
    }
    // Busan's own partners are not recommended to it.
    for own in [FUKUOKA, 1673820, 1796236] {
        assert!(items.iter().all(|c| c["place_id"] != own));
    }
    // Ties in Korea are named: Taichung is Jeonbuk's partner.
    let (_, tw) = app
        .api(
            Method::POST,
            "/api/v1/registry/recommendations",
            Some(&staff),
            Some(json!({"member_org_id": busan, "countries": ["TW"], "limit": 200})),
        )
        .await;
    let taichung = tw["items"].as_array().unwrap().iter().find(|c| c["place_id"] == TAICHUNG).expect("Taichung ranked");
    assert_eq!(taichung["ties_in_korea"], json!(["전북특별자치도"]));
    let korea = taichung["components"].as_array().unwrap().iter().find(|x| x["key"] == "ties_in_korea").unwrap();
    assert_eq!((korea["points"].as_f64(), korea["facts"]["count"].as_u64()), (Some(10.0), Some(1)));
    // A member's official asks for their own organisation only.
    let seoul = app.token("seoul@demo.glocal.example").await;
    let (status, _) = app
        .api(Method::POST, "/api/v1/registry/recommendations", Some(&seoul), Some(json!({"member_org_id": busan})))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, mine) =
        app.api(Method::POST, "/api/v1/registry/recommendations", Some(&seoul), Some(json!({"limit": 5}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine["member_id"], app.org_id("1100000000").await);
}

#[tokio::test]
async fn every_registry_page_renders_in_five_languages_and_members_see_only_their_own() {
    let app = TestApp::new().await;
    let seoul = app.org_id("1100000000").await;
    let busan = app.org_id("2600000000").await;
    let mut staff = app.browser_as("staff@demo.glocal.example").await;
    let (_, list) = app
        .api(
            Method::GET,
            &format!("/api/v1/registry/relationships?member_id={seoul}"),
            Some(&app.token("staff@demo.glocal.example").await),
            None,
        )
        .await;
    let rel = list["items"][0]["id"].as_i64().unwrap();
    let city = list["items"][0]["city"]["id"].as_i64().unwrap();
    let (_, partners) = app
        .api(
            Method::GET,
            "/api/v1/registry/partners?q=ASPAC",
            Some(&app.token("staff@demo.glocal.example").await),
            None,
        )
        .await;
    let aspac = partners["items"][0]["id"].as_i64().unwrap();
    let pages = [
        "/registry".to_string(),
        format!("/registry/cities?q={}", enc("臺中")),
        format!("/registry/cities/{city}"),
        format!("/registry/members/{seoul}"),
        format!("/registry/relationships/{rel}"),
        "/registry/partners".to_string(),
        format!("/registry/partners/{aspac}"),
        format!("/registry/seeking?member={busan}"),
    ];
    for lang in ["ko", "en", "ja", "zh-Hans", "zh-Hant"] {
        staff.accept_language = lang.into();
        for p in &pages {
            let (status, html) = staff.get(p).await;
            assert_eq!(status, StatusCode::OK, "{p} in {lang}");
            assert!(!html.contains("registry-"), "{p} in {lang} shows an untranslated key");
        }
    }
    staff.accept_language = "ko".into();
    let (_, html) = staff.get("/registry").await;
    assert!(html.contains("<svg") && html.contains("by-country"), "charts are drawn");
    let (_, html) = staff.get(&format!("/registry/cities?q={}", enc("臺中"))).await;
    assert!(html.contains("타이중시"), "the Korean spelling is shown to a Korean reader");
    let (_, html) = staff.get(&format!("/registry/members/{seoul}")).await;
    assert!(html.contains("도쿄도") && html.contains("<circle"), "the map marks partners");
    let (_, html) = staff.get(&format!("/registry/partners/{aspac}")).await;
    assert_eq!(html.matches("Co-President").count(), 8);
    let (_, html) = staff.get(&format!("/registry/seeking?member={busan}")).await;
    assert!(html.contains("class=\"score\""), "recommendations explain their score");

    // A member's official: their own page, not another member's; activity through the form.
    let mut member = app.browser_as("seoul@demo.glocal.example").await;
    assert_eq!(member.get(&format!("/registry/members/{busan}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(member.get(&format!("/registry/members/{seoul}")).await.0, StatusCode::OK);
    member.get(&format!("/registry/relationships/{rel}")).await;
    let (status, _, body) = member
        .post(
            &format!("/registry/relationships/{rel}/activities"),
            &[("kind", "visit"), ("started_on", "2026-01-10"), ("title", "")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("title-error"), "the missing title is marked");
    let (status, location, _) = member
        .post(
            &format!("/registry/relationships/{rel}/activities"),
            &[("kind", "visit"), ("started_on", "2026-01-10"), ("title", "시장 방문")],
        )
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some(format!("/registry/relationships/{rel}").as_str()))
    );
    let (_, html) = member.get(&format!("/registry/relationships/{rel}")).await;
    assert!(html.contains("시장 방문"));
    let (status, _, _) = member
        .post("/registry/seeking", &[("countries", "JP, VN"), ("fields", "tourism"), ("motive", "청소년 교류")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = member.get("/registry/seeking").await;
    assert!(html.contains("청소년 교류") && html.contains("JP, VN"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_records_activity_and_finds_cities_in_a_real_browser() {
    if !crate::browser::browser_available() {
        return;
    }
    let app = TestApp::new().await;
    let base = app.serve().await;
    tokio::task::spawn_blocking(move || crate::browser::run_script("registry.py", &base)).await.unwrap();
    let seoul = app.org_id("1100000000").await;
    let actor = Actor::System("test");
    let origin = Origin::default();
    let rels = glocal_core::registry::relationships::all(
        &app.core.scope(&actor, &origin),
        &glocal_core::registry::relationships::RelationshipFilter {
            member: Some(glocal_core::ids::OrgId(seoul)),
            country: Some("JP".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(rels[0].last_activity_on.map(|d| d.to_string()).as_deref(), Some("2026-03-02"));
}
