//! The library: documents, reading rights, versions, trip reports and follow-ups,
//! attachments and their text, imports — with the seed documents as real content.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use glocal_core::actor::{Actor, Origin};
use serde_json::{Value, json};

use crate::support::TestApp;

const STAFF: &str = "staff@demo.glocal.example";
const LIBRARIAN: &str = "librarian@demo.glocal.example";
const SEOUL: &str = "seoul@demo.glocal.example";
const BUSAN: &str = "busan@demo.glocal.example";

async fn upload(app: &TestApp, token: &str, path: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::ACCEPT_LANGUAGE, "en")
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(body))
        .unwrap();
    let (status, _, bytes) = app.send(req).await;
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn ids_listed(app: &TestApp, token: &str, query: &str) -> Vec<i64> {
    let (status, body) =
        app.api(Method::GET, &format!("/api/v1/library/documents?per_page=200&{query}"), Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn the_seeds_are_demo_content_with_a_structured_trip_report() {
    let app = TestApp::new().await;
    let t = app.token(SEOUL).await;
    let (status, body) = app.api(Method::GET, "/api/v1/library/documents?per_page=50", Some(&t), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["total"], 5, "the five seeds are published: {body}");
    let items = body["items"].as_array().unwrap();
    let langs: std::collections::BTreeSet<&str> = items.iter().map(|d| d["language"].as_str().unwrap()).collect();
    assert_eq!(langs, ["en", "ko", "zh-Hans", "zh-Hant"].into_iter().collect());
    let report = items.iter().find(|d| d["kind"] == "trip_report").expect("the trip report seed");
    assert_eq!(report["language"], "zh-Hant");
    assert!(report["title"].as_str().unwrap().contains("臺中市政府"));
    let (_, detail) =
        app.api(Method::GET, &format!("/api/v1/library/documents/{}", report["id"]), Some(&t), None).await;
    let trip = &detail["document"]["trip"];
    assert_eq!(trip["purpose_category"], "international_conference");
    assert_eq!(trip["returned_on"], "2016-09-09");
    assert_eq!(trip["participants"].as_array().unwrap().len(), 3);
    assert_eq!(trip["itinerary"].as_array().unwrap().len(), 6);
    assert!(trip["findings"].as_str().unwrap().contains("新南向政策"));
    let follow_ups = detail["follow_ups"].as_array().unwrap();
    assert_eq!(follow_ups.len(), 8, "eight recommendations: {follow_ups:?}");
    assert!(follow_ups[0]["recommendation"].as_str().unwrap().contains("UCLG"));
    assert_eq!(follow_ups[0]["status"], "open");
    // Korean filter on the folded title column: Traditional and Simplified meet.
    assert_eq!(ids_listed(&app, &t, "q=台中市政府").await, vec![report["id"].as_i64().unwrap()]);
    // Loading the demo again adds nothing.
    glocal_core::demo::load(&app.core).await.unwrap();
    assert_eq!(app.count("library_documents").await, 5);
}

#[tokio::test]
async fn drafts_and_internal_documents_never_leak() {
    let app = TestApp::new().await;
    let staff = app.token(STAFF).await;
    let librarian = app.token(LIBRARIAN).await;
    let seoul = app.token(SEOUL).await;
    let busan = app.token(BUSAN).await;
    let tokyo = app.token("tokyo@demo.glocal.example").await;

    // A draft of the desk's staff member: they and the librarians see it.
    let (status, d) = app
        .api(
            Method::POST,
            "/api/v1/library/documents",
            Some(&staff),
            Some(json!({"kind": "best_practice", "language": "ko", "title": "다문화가족 통번역 지원 초안",
                        "area": "multicultural_society", "country": "JP", "year": 2024, "body": "초안 본문"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    let draft = d["document"]["id"].as_i64().unwrap();
    assert_eq!(d["document"]["status"], "draft");
    assert_eq!(d["document"]["area"], "multicultural_society");
    // A requester's internal document: their organisation and the association's staff see it.
    let (status, d) = app
        .api(
            Method::POST,
            "/api/v1/library/documents",
            Some(&seoul),
            Some(json!({"kind": "other", "language": "ko", "title": "서울시 내부 자료", "status": "internal"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    let internal = d["document"]["id"].as_i64().unwrap();

    for (who, token, sees_draft, sees_internal) in [
        ("author", &staff, true, true),
        ("librarian", &librarian, true, true),
        ("other staff", &tokyo, false, true),
        ("owning requester", &seoul, false, true),
        ("other requester", &busan, false, false),
    ] {
        let (s, _) = app.api(Method::GET, &format!("/api/v1/library/documents/{draft}"), Some(token), None).await;
        assert_eq!(s == StatusCode::OK, sees_draft, "{who} reading the draft: {s}");
        if !sees_draft {
            assert_eq!(s, StatusCode::NOT_FOUND, "{who}: not found, never forbidden");
        }
        let (s, _) = app.api(Method::GET, &format!("/api/v1/library/documents/{internal}"), Some(token), None).await;
        assert_eq!(s == StatusCode::OK, sees_internal, "{who} reading the internal document: {s}");
        let listed = ids_listed(&app, token, "").await;
        assert_eq!(listed.contains(&draft), sees_draft, "{who} listing the draft");
        assert_eq!(listed.contains(&internal), sees_internal, "{who} listing the internal document");
        assert_eq!(ids_listed(&app, token, "status=draft").await.contains(&draft), sees_draft);
    }
    // Nobody signed in sees nothing.
    let (s, _) = app.api(Method::GET, "/api/v1/library/documents", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Only a librarian publishes; then everyone reads it.
    let (s, body) = app
        .api(
            Method::POST,
            &format!("/api/v1/library/documents/{draft}/publish"),
            Some(&staff),
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (s, body) = app
        .api(
            Method::POST,
            &format!("/api/v1/library/documents/{draft}/publish"),
            Some(&librarian),
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["document"]["status"], "published");
    assert!(body["document"]["published_at"].is_string());
    let (s, _) = app.api(Method::GET, &format!("/api/v1/library/documents/{draft}"), Some(&busan), None).await;
    assert_eq!(s, StatusCode::OK);
    // A requester cannot edit what others wrote, even when they can read it.
    let (s, _) = app
        .api(
            Method::PUT,
            &format!("/api/v1/library/documents/{draft}"),
            Some(&busan),
            Some(json!({"kind": "best_practice", "language": "ko", "title": "바꿈", "version": 2})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn edits_are_version_guarded_and_kept_in_the_history() {
    let app = TestApp::new().await;
    let staff = app.token(STAFF).await;
    let doc = json!({"kind": "best_practice", "language": "en", "title": "Night bus network", "area": "transportation",
                     "country": "KR", "local_government": "Seoul", "year": 2013, "summary": "Owl buses", "body": "v1"});
    let (_, d) = app.api(Method::POST, "/api/v1/library/documents", Some(&staff), Some(doc.clone())).await;
    let id = d["document"]["id"].as_i64().unwrap();
    let mut v2 = doc.clone();
    v2["body"] = json!("v2: nine routes");
    v2["version"] = json!(1);
    let (s, d) = app.api(Method::PUT, &format!("/api/v1/library/documents/{id}"), Some(&staff), Some(v2.clone())).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["document"]["version"], 2);
    // A second writer who read version 1 loses, and nothing changes.
    let mut stale = doc.clone();
    stale["title"] = json!("Overwritten");
    stale["version"] = json!(1);
    let (s, body) = app.api(Method::PUT, &format!("/api/v1/library/documents/{id}"), Some(&staff), Some(stale)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(body["code"], "conflict_stale");
    // Without a version, no update.
    let (s, _) =
        app.api(Method::PUT, &format!("/api/v1/library/documents/{id}"), Some(&staff), Some(doc.clone())).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // Bad fields are named, all at once.
    let mut bad = doc.clone();
    bad["kind"] = json!("poem");
    bad["country"] = json!("Korea");
    bad["version"] = json!(2);
    let (s, body) = app.api(Method::PUT, &format!("/api/v1/library/documents/{id}"), Some(&staff), Some(bad)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["kind", "country"]);

    let (s, versions) =
        app.api(Method::GET, &format!("/api/v1/library/documents/{id}/versions"), Some(&staff), None).await;
    assert_eq!(s, StatusCode::OK);
    let versions = versions.as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["version"], 2);
    assert_eq!(versions[0]["changes"], json!({"body": ["v1", "v2: nine routes"]}));
    assert_eq!(versions[0]["actor"], "이서연 Lee Seoyeon");
    assert_eq!(versions[1]["changes"]["title"], json!([null, "Night bus network"]));
    // Saving the same content again makes no new version.
    let mut same = v2.clone();
    same["version"] = json!(2);
    let (s, d) = app.api(Method::PUT, &format!("/api/v1/library/documents/{id}"), Some(&staff), Some(same)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(d["document"]["version"], 2);
    // Every change is in the log the search indexes follow.
    assert_eq!(app.count(&format!("library_changes WHERE document_id = {id}")).await, 2);
}

#[tokio::test]
async fn translations_are_linked_both_ways() {
    let app = TestApp::new().await;
    let librarian = app.token(LIBRARIAN).await;
    let seoul = app.token(SEOUL).await;
    let (_, body) = app.api(Method::GET, "/api/v1/library/documents?kind=trip_report", Some(&seoul), None).await;
    let original = body["items"][0]["id"].as_i64().unwrap();
    let (s, d) = app
        .api(
            Method::POST,
            "/api/v1/library/documents",
            Some(&librarian),
            Some(json!({"kind": "trip_report", "language": "ko", "status": "published", "translation_of": original,
                        "title": "타이중시 UCLG ASPAC 2016 전라북도 총회 참가 보고서",
                        "trip": {"purpose_category": "국제회의", "returned_on": "2016-09-09", "destinations": ["군산"]}})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let ko = d["document"]["id"].as_i64().unwrap();
    assert_eq!(d["translations"][0]["id"], original);
    assert_eq!(d["translations"][0]["language"], "zh-Hant");
    let (_, o) = app.api(Method::GET, &format!("/api/v1/library/documents/{original}"), Some(&seoul), None).await;
    assert_eq!(o["translations"][0]["id"], ko);
    // A draft translation is not shown to those who may not read it.
    let (_, d) = app
        .api(
            Method::POST,
            "/api/v1/library/documents",
            Some(&librarian),
            Some(json!({"kind": "trip_report", "language": "en", "translation_of": original, "title": "Taichung at UCLG ASPAC 2016 (draft)"})),
        )
        .await;
    let en = d["document"]["id"].as_i64().unwrap();
    let (_, o) = app.api(Method::GET, &format!("/api/v1/library/documents/{original}"), Some(&seoul), None).await;
    let shown: Vec<i64> = o["translations"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect();
    assert_eq!(shown, vec![ko]);
    let (_, o) = app.api(Method::GET, &format!("/api/v1/library/documents/{original}"), Some(&librarian), None).await;
    assert_eq!(o["translations"].as_array().unwrap().len(), 2);
    assert!(o["translations"].as_array().unwrap().iter().any(|t| t["id"] == en));
}

#[tokio::test]
async fn trip_reports_track_their_recommendations_and_fall_overdue() {
    let app = TestApp::new().await;
    let staff = app.token(STAFF).await;
    let librarian = app.token(LIBRARIAN).await;
    let busan = app.token(BUSAN).await;
    let report = json!({
        "kind": "trip_report", "language": "ko", "title": "도쿄도 자매결연 30주년 방문 결과보고",
        "summary": "도쿄도 방문", "country": "JP", "year": 2025,
        "trip": {
            "purpose_category": "business_negotiation", "organiser": "국제교류부", "contact": "이서연 02-123-4567",
            "participants": [{"organization": "시도지사협의회", "unit": "국제교류부", "title": "주무관", "rank": "6급", "name": "이서연"}],
            "departed_on": "2025-03-02", "returned_on": "2025-03-05", "destinations": ["東京都"],
            "purpose": "자매결연 30주년 기념행사 협의",
            "itinerary": [{"date": "2025-03-03", "place": "東京都庁", "activity": "국제부 면담"}],
            "process": "면담 진행", "findings": "청소년 교류 확대 필요",
            "recommendations": [
                {"text": "청소년 교류단 파견 예산 반영", "owner": "국제교류부", "due_on": "2025-06-30"},
                {"text": "공동 홍보 영상 제작", "due_on": "2099-01-01"}
            ]
        }
    });
    let (s, d) = app.api(Method::POST, "/api/v1/library/documents", Some(&staff), Some(report.clone())).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let id = d["document"]["id"].as_i64().unwrap();
    // Returned in March 2025, due 30 days later, still a draft: overdue.
    assert_eq!(d["document"]["report_due_on"], "2025-04-04");
    assert_eq!(d["document"]["overdue"], true);
    let (_, overdue) = app.api(Method::GET, "/api/v1/library/overdue-reports", Some(&staff), None).await;
    assert_eq!(
        overdue["items"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect::<Vec<_>>(),
        vec![id]
    );
    let (_, overdue) = app.api(Method::GET, "/api/v1/library/overdue-reports", Some(&busan), None).await;
    assert_eq!(overdue["total"], 0, "a draft is not listed to those who may not read it");

    let follow_ups = d["follow_ups"].as_array().unwrap().clone();
    assert_eq!(follow_ups.len(), 2);
    assert_eq!(follow_ups[0]["overdue"], true);
    assert_eq!(follow_ups[1]["overdue"], false);
    let (_, list) = app
        .api(Method::GET, &format!("/api/v1/library/follow-ups?overdue=true&document_id={id}"), Some(&staff), None)
        .await;
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["items"][0]["recommendation"], "청소년 교류단 파견 예산 반영");
    assert_eq!(list["items"][0]["document_id"], id);
    // The seed report's recommendations are long past due, and listed as such to everyone.
    let (_, all) = app.api(Method::GET, "/api/v1/library/follow-ups?overdue=true", Some(&busan), None).await;
    assert_eq!(all["total"], 8, "{all}");
    let (_, list) =
        app.api(Method::GET, &format!("/api/v1/library/follow-ups?document_id={id}"), Some(&busan), None).await;
    assert_eq!(list["total"], 0, "a draft's follow-ups are not listed to others");

    // The follow-up moves on, under its own version guard.
    let fid = follow_ups[0]["id"].as_i64().unwrap();
    let (s, f) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/library/follow-ups/{fid}"),
            Some(&staff),
            Some(json!({"version": 1, "status": "in_progress", "note": "예산 요구서 제출"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{f}");
    assert_eq!(f["status"], "in_progress");
    assert_eq!(f["version"], 2);
    let (s, body) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/library/follow-ups/{fid}"),
            Some(&staff),
            Some(json!({"version": 1, "status": "done"})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    let (s, _) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/library/follow-ups/{fid}"),
            Some(&busan),
            Some(json!({"version": 2, "status": "done"})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, body) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/library/follow-ups/{fid}"),
            Some(&staff),
            Some(json!({"version": 2, "status": "finished"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, f) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/library/follow-ups/{fid}"),
            Some(&staff),
            Some(json!({"version": 2, "status": "done"})),
        )
        .await;
    assert_eq!(f["overdue"], false, "done is never overdue");

    // Editing the report keeps the follow-ups named by id (with their status), adds new ones
    // and drops the rest.
    let mut edit = report.clone();
    edit["version"] = json!(1);
    edit["status"] = json!("internal");
    edit["trip"]["recommendations"] = json!([
        {"id": fid, "text": "청소년 교류단 파견 예산 반영 (2026년)", "owner": "국제교류부", "due_on": "2025-06-30"},
        {"text": "도쿄사무소와 정례 화상회의"}
    ]);
    let (s, d) = app.api(Method::PUT, &format!("/api/v1/library/documents/{id}"), Some(&staff), Some(edit)).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let fu = d["follow_ups"].as_array().unwrap();
    assert_eq!(fu.len(), 2);
    assert_eq!(fu[0]["id"], fid);
    assert_eq!(fu[0]["status"], "done");
    assert_eq!(fu[0]["recommendation"], "청소년 교류단 파견 예산 반영 (2026년)");
    assert_eq!(fu[1]["status"], "open");
    // Filed (internal), it is no longer overdue.
    assert_eq!(d["document"]["overdue"], false);
    let (_, overdue) = app.api(Method::GET, "/api/v1/library/overdue-reports", Some(&librarian), None).await;
    assert_eq!(overdue["total"], 0);
    // A bad date is named.
    let mut bad = report.clone();
    bad["trip"]["returned_on"] = json!("2025-02-30");
    let (s, body) = app.api(Method::POST, "/api/v1/library/documents", Some(&staff), Some(bad)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "trip.returned_on");
}

fn docx(paragraphs: &[&str]) -> Vec<u8> {
    use std::io::Write;
    let body: String = paragraphs.iter().map(|p| format!("<w:p><w:r><w:t>{p}</w:t></w:r></w:p>")).collect();
    let xml = format!(
        r#"<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
    w.write_all(xml.as_bytes()).unwrap();
    w.finish().unwrap().into_inner()
}

#[tokio::test]
async fn attachments_are_read_in_the_background_and_a_damaged_one_is_kept_and_flagged() {
    let app = TestApp::new().await;
    let staff = app.token(STAFF).await;
    let seoul = app.token(SEOUL).await;
    let (_, d) = app
        .api(
            Method::POST,
            "/api/v1/library/documents",
            Some(&staff),
            Some(json!({"kind": "research_report", "language": "ko", "title": "지방외교 연구"})),
        )
        .await;
    let id = d["document"]["id"].as_i64().unwrap_or_else(|| panic!("{d}"));
    let path = |name: &str| format!("/api/v1/library/documents/{id}/attachments?filename={name}");
    let (s, a) = upload(&app, &staff, &path("report.docx"), docx(&["지방외교의 현황", "자매결연 도시 1,700곳"])).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["extraction"], "pending");
    let broken = b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%% truncated here".to_vec();
    let (s, b) = upload(&app, &staff, &path("scan.pdf"), broken.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let html = "<html><head><script>x()</script></head><body><h1>臺中市</h1><p>姊妹市&amp;交流</p></body></html>";
    let (s, _) = upload(&app, &staff, &path("page.html"), html.as_bytes().to_vec()).await;
    assert_eq!(s, StatusCode::CREATED);
    // NUL bytes (refused by PostgreSQL text) are dropped, not a reason to fail.
    let (s, _) = upload(&app, &staff, &path("nul.txt"), b"abc\0def".to_vec()).await;
    assert_eq!(s, StatusCode::CREATED);
    // Refused: an executable, an unknown type, an empty file; and others may not attach.
    let (s, _) = upload(&app, &staff, &path("tool.pdf"), b"MZ\x90\x00".to_vec()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = upload(&app, &staff, &path("tool.exe"), b"hello".to_vec()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = upload(&app, &seoul, &path("x.txt"), b"hello".to_vec()).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a draft of someone else");

    assert!(glocal_core::jobs::run_due(&app.core, "test").await.unwrap() >= 4);
    let (_, d) = app.api(Method::GET, &format!("/api/v1/library/documents/{id}"), Some(&staff), None).await;
    let atts = d["attachments"].as_array().unwrap();
    assert_eq!(atts.len(), 4);
    assert_eq!(atts[3]["extraction"], "done", "{atts:?}");
    assert_eq!(atts[3]["text_chars"], 6);
    assert_eq!(atts[0]["extraction"], "done", "{atts:?}");
    assert!(atts[0]["text_chars"].as_u64().unwrap() > 10);
    assert_eq!(atts[1]["filename"], "scan.pdf");
    assert_eq!(atts[1]["extraction"], "failed");
    assert!(atts[1]["extraction_error"].as_str().unwrap().contains("PDF"), "{atts:?}");
    assert_eq!(atts[2]["extraction"], "done");
    let actor = Actor::System("test");
    let origin = Origin::default();
    let _ = app.core.scope(&actor, &origin);
    let text = glocal_core::library::attachments::text_of_document(&app.core.db, id).await.unwrap();
    assert!(text.contains("자매결연 도시 1,700곳"), "{text}");
    assert!(text.contains("姊妹市&交流") && !text.contains("x()"), "{text}");
    // The attachments' text is searched: the DOCX's words find the document, passage marked.
    let (s, found) = app.api(Method::GET, "/api/v1/library/search?q=1%2C700%EA%B3%B3", Some(&staff), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(found["items"][0]["document"]["id"], id, "{found}");
    assert!(found["items"][0]["snippet_html"].as_str().unwrap().contains("<mark>"), "{found}");
    // The damaged file is still there, byte for byte, as a download.
    let req = Request::builder()
        .uri(atts[1]["url"].as_str().unwrap())
        .header(header::AUTHORIZATION, format!("Bearer {staff}"))
        .body(Body::empty())
        .unwrap();
    let (s, headers, bytes) = app.send(req).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(bytes, broken);
    assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let req = Request::builder()
        .uri(atts[1]["url"].as_str().unwrap())
        .header(header::AUTHORIZATION, format!("Bearer {seoul}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(req).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_spreadsheet_imports_whole_or_not_at_all() {
    let app = TestApp::new().await;
    let librarian = app.token(LIBRARIAN).await;
    let before = app.count("library_documents").await;
    let bad = "kind,language,status,title,area,country,year\n\
               best_practice,ja,published,横浜市の多文化共生,multicultural_society,JP,2019\n\
               poem,ko,draft,잘못된 종류,,,\n\
               best_practice,en,draft,,welfare,XX,20x\n";
    let (s, body) = upload(&app, &librarian, "/api/v1/library/import?format=csv", bad.as_bytes().to_vec()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["line 3: kind", "line 4: year"], "{body}");
    assert_eq!(app.count("library_documents").await, before, "nothing written");
    let good = "종류,언어,상태,제목,분야,국가,자치단체,연도\n\
                우수사례,ja,공개,横浜市の多文化共生,다문화사회,JP,横浜市,2019\n\
                best_practice,zh-Hant,internal,臺北市公共自行車,transportation,TW,臺北市,2015\n";
    let (s, body) = upload(&app, &librarian, "/api/v1/library/import?format=csv", good.as_bytes().to_vec()).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let ids = body["created"].as_array().unwrap();
    assert_eq!(ids.len(), 2);
    let (_, d) = app.api(Method::GET, &format!("/api/v1/library/documents/{}", ids[0]), Some(&librarian), None).await;
    assert_eq!(d["document"]["area"], "multicultural_society");
    assert_eq!(d["document"]["status"], "published");
    assert_eq!(d["document"]["local_government"], "横浜市");
    // A requester may not publish through an import either.
    let seoul = app.token(SEOUL).await;
    let (s, body) = upload(&app, &seoul, "/api/v1/library/import?format=csv", good.as_bytes().to_vec()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["field"], "line 2: status");
    assert_eq!(app.count("library_documents").await, before + 2);
}

#[tokio::test]
async fn a_folder_of_files_imports_and_keeps_what_it_cannot_read() {
    let app = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../glocal-core/data/library");
    for f in ["000_19a14a0c8a0c9951.txt", "004_410663dfa0c8572d.txt"] {
        std::fs::copy(seeds.join(f), dir.path().join(f)).unwrap();
    }
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(
        dir.path().join("sub/yokohama.html"),
        "<html><body><h1>横浜市の姉妹都市</h1><p>交流の歴史</p></body></html>",
    )
    .unwrap();
    std::fs::write(dir.path().join("sub/plan.docx"), docx(&["2026년 국제교류 추진계획", "자매결연 확대"])).unwrap();
    std::fs::write(dir.path().join("broken.hwpx"), b"PK\x03\x04 not really").unwrap();
    std::fs::write(dir.path().join("image.png"), b"\x89PNG\r\n\x1a\n").unwrap();
    std::fs::write(dir.path().join("setup.txt"), b"MZ\x90\x00 an executable").unwrap();
    // Same first line as another file: still its own document.
    std::fs::write(dir.path().join("sub/copy.html"), "<h1>横浜市の姉妹都市</h1><p>別の内容</p>").unwrap();
    let actor = Actor::System("test");
    let origin = Origin::default();
    let scope = app.core.scope(&actor, &origin);
    let owner = app.org_id("SEC").await;
    let opts = glocal_core::library::import::FolderOptions {
        kind: glocal_core::library::Kind::Other,
        status: glocal_core::library::Status::Internal,
        owner_org_id: owner,
    };
    let mut seen = Vec::new();
    let report = glocal_core::library::import::import_folder(&scope, dir.path(), &opts, |n| seen.push(n.to_string()))
        .await
        .unwrap();
    assert_eq!(seen.len(), 8, "progress after every file");
    // The two seeds are already demo content (same title and language).
    assert_eq!(report.existing.len(), 2, "{report:?}");
    assert_eq!(report.created.len(), 4, "{report:?}");
    assert_eq!(report.skipped.len(), 2, "{report:?}");
    assert!(report.skipped.iter().any(|(n, why)| n == "setup.txt" && why == "attachment_type"));
    assert_eq!(report.flagged, vec!["broken.hwpx".to_string()]);
    let staff = app.token(STAFF).await;
    let (_, list) =
        app.api(Method::GET, "/api/v1/library/documents?status=internal&per_page=50", Some(&staff), None).await;
    let titles: Vec<(&str, &str)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["title"].as_str().unwrap(), d["language"].as_str().unwrap()))
        .collect();
    assert!(titles.contains(&("横浜市の姉妹都市", "ja")), "{titles:?}");
    assert!(titles.contains(&("2026년 국제교류 추진계획", "ko")), "{titles:?}");
    assert!(titles.contains(&("broken", "en")), "{titles:?}");
    let broken = report.created.iter().find(|(n, _)| n == "broken.hwpx").unwrap().1;
    let (_, d) = app.api(Method::GET, &format!("/api/v1/library/documents/{broken}"), Some(&staff), None).await;
    assert_eq!(d["attachments"][0]["extraction"], "failed");
    // A second run finds everything in place.
    let again = glocal_core::library::import::import_folder(&scope, dir.path(), &opts, |_| {}).await.unwrap();
    assert_eq!(again.created.len(), 0, "{again:?}");
}

#[tokio::test]
async fn the_pages_browse_read_create_edit_and_track_follow_ups() {
    let app = TestApp::new().await;
    let mut b = app.browser_as(STAFF).await;
    let (s, html) = b.get("/library").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("href=\"/library\""), "the nav entry");
    assert!(html.contains("臺中市政府公務出國或赴大陸地區報告提要"));
    assert!(html.contains("자료실"), "Korean interface");
    let (_, html) = b.get("/library?kind=trip_report").await;
    let id: i64 = html
        .split("href=\"/library/")
        .filter_map(|part| part.split('"').next().and_then(|n| n.parse().ok()))
        .next()
        .expect("a document link");
    let (s, html) = b.get(&format!("/library/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("柳嘉峰") && html.contains("群山－仁川－臺北"), "participants and itinerary");
    assert!(html.contains("건의사항") && html.contains("CityNet"), "recommendations as follow-ups");

    // A best practice through the form, in every language of the interface.
    b.get("/library/new").await;
    let (s, location, body) = b
        .post(
            "/library",
            &[
                ("kind", "best_practice"),
                ("language", "ja"),
                ("status", "draft"),
                ("title", "横浜市の多文化共生まちづくり"),
                ("summary", "外国人住民の相談窓口"),
                ("area", "multicultural_society"),
                ("country", "JP"),
                ("local_government", "横浜市"),
                ("year", "2020"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    let doc = location.unwrap();
    let (_, html) = b.get(&doc).await;
    assert!(html.contains("横浜市の多文化共生まちづくり") && html.contains("다문화사회"));
    // A bad field comes back on the form, named.
    b.get("/library/new").await;
    let (s, _, html) = b.post("/library", &[("kind", "best_practice"), ("language", "ko"), ("title", "")]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("field-error"), "{html}");
    // Edit: the form carries the version.
    let (_, html) = b.get(&format!("{doc}/edit")).await;
    assert!(html.contains("name=\"version\" value=\"1\""));
    let (s, _, _) = b
        .post(
            &doc,
            &[
                ("version", "1"),
                ("kind", "best_practice"),
                ("language", "ja"),
                ("status", "internal"),
                ("title", "横浜市の多文化共生"),
                ("area", "multicultural_society"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = b.get(&doc).await;
    assert!(html.contains("v2"), "the version history");

    // A trip report through the form, its recommendations become follow-ups.
    b.get("/library/new?kind=trip_report").await;
    let (s, location, body) = b
        .post(
            "/library",
            &[
                ("kind", "trip_report"),
                ("language", "ko"),
                ("title", "상하이시 국제교류 협의 출장"),
                ("purpose_category", "business_negotiation"),
                ("participants", "시도지사협의회 | 국제교류부 | 주무관 | 6급 | 이서연"),
                ("departed_on", "2024-05-01"),
                ("returned_on", "2024-05-03"),
                ("destinations", "上海市"),
                ("itinerary", "2024-05-02 | 上海市人民政府 | 외사판공실 면담"),
                ("recommendations", "청소년 교류 재개\n경제사절단 파견 검토"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    let report = location.unwrap();
    let (_, html) = b.get(&report).await;
    assert!(html.contains("외사판공실 면담") && html.contains("경제사절단 파견 검토"));
    assert!(html.contains("기한 경과"), "returned in 2024, still a draft");
    let (s, html) = b.get("/library/follow-ups").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("상하이시 국제교류 협의 출장"), "listed among the overdue reports");
    let fid = {
        let marker = "action=\"/library/follow-ups/";
        let ours = html.find("청소년 교류 재개").expect("our recommendation listed");
        let i = ours + html[ours..].find(marker).unwrap() + marker.len();
        html[i..].split('"').next().unwrap().to_string()
    };
    let (s, location, _) =
        b.post(&format!("/library/follow-ups/{fid}"), &[("version", "1"), ("status", "done"), ("note", "완료")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(location.unwrap().starts_with("/library/"));
    // The seed report's follow-ups belong to the exchange department: not this staff member's.
    let seed_fid = {
        let marker = "action=\"/library/follow-ups/";
        let i = html.find(marker).unwrap() + marker.len();
        html[i..].split('"').next().unwrap().to_string()
    };
    b.get("/library/follow-ups").await;
    let (s, _, _) = b.post(&format!("/library/follow-ups/{seed_fid}"), &[("version", "1"), ("status", "done")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // A requester of another organisation never sees the draft's page.
    let mut other = app.browser_as(BUSAN).await;
    let (s, _) = other.get(&report).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    for lang in ["en", "ja", "zh-Hans", "zh-Hant"] {
        other.accept_language = lang.into();
        let (s, html) = other.get("/library").await;
        assert_eq!(s, StatusCode::OK, "{lang}");
        assert!(!html.contains("library-"), "every key translated in {lang}");
    }
}

#[tokio::test]
async fn the_change_log_feeds_an_index_in_order_and_waits_at_a_young_gap() {
    use glocal_core::library::changes;
    let app = TestApp::new().await;
    let grace = chrono::Duration::seconds(5);
    // From nothing: the five seeds, with their reader tokens and flattened trip report.
    let first = changes::next_batch(&app.core, 0, 1000, grace).await.unwrap().expect("the demo's changes");
    assert_eq!(first.upserts.len(), 5);
    assert!(first.deletes.is_empty());
    let report = first.upserts.iter().find(|e| e.kind == "trip_report").unwrap();
    assert_eq!(report.readers, vec!["all".to_string()]);
    assert!(report.body.contains("柳嘉峰") && report.body.contains("CityNet"), "participants and recommendations");
    assert_eq!(report.year, Some(2016));
    assert!(changes::next_batch(&app.core, first.up_to, 1000, grace).await.unwrap().is_none());

    // A draft: only its author and the librarians may find it.
    let staff = app.token(STAFF).await;
    let (_, d) = app
        .api(
            Method::POST,
            "/api/v1/library/documents",
            Some(&staff),
            Some(json!({"kind": "other", "language": "ko", "title": "초안"})),
        )
        .await;
    let id = d["document"]["id"].as_i64().unwrap();
    let batch = changes::next_batch(&app.core, first.up_to, 1000, grace).await.unwrap().unwrap();
    assert_eq!(batch.upserts.len(), 1);
    let author = app.user_id(STAFF).await;
    assert_eq!(batch.upserts[0].readers, vec!["librarians".to_string(), format!("user:{author}")]);
    let applied = batch.up_to;

    // A gap (a number taken by a transaction not yet committed): a young one is waited for,
    // an old one passed.
    use sea_orm::{ConnectionTrait, Statement};
    let backend = app.core.db.get_database_backend();
    let insert = |seq: i64, at: chrono::DateTime<chrono::Utc>| {
        Statement::from_sql_and_values(
            backend,
            match backend {
                sea_orm::DatabaseBackend::Postgres => {
                    "INSERT INTO library_changes (seq, document_id, at) VALUES ($1, $2, $3)"
                }
                _ => "INSERT INTO library_changes (seq, document_id, at) VALUES (?, ?, ?)",
            },
            [seq.into(), id.into(), at.into()],
        )
    };
    app.core.db.execute_raw(insert(applied + 2, glocal_core::db::now())).await.unwrap();
    assert!(changes::next_batch(&app.core, applied, 1000, grace).await.unwrap().is_none(), "waits at the gap");
    let later = glocal_core::db::now() - chrono::Duration::seconds(60);
    app.core.db.execute_raw(insert(applied + 4, later)).await.unwrap();
    assert!(
        changes::next_batch(&app.core, applied, 1000, grace).await.unwrap().is_none(),
        "still behind the young gap"
    );
    let passed = changes::next_batch(&app.core, applied, 1000, chrono::Duration::zero()).await.unwrap().unwrap();
    assert_eq!(passed.up_to, applied + 4, "an old gap is passed");

    // A rebuild sees the same documents as the incremental batches did.
    let mut all = Vec::new();
    let current = changes::rebuild(&app.core, 2, |page| {
        all.extend(page);
        async { Ok(()) }
    })
    .await
    .unwrap();
    assert_eq!(current, applied + 4);
    let mut incremental = first.upserts.clone();
    incremental.extend(batch.upserts.clone());
    incremental.sort_by_key(|e| e.id);
    all.sort_by_key(|e| e.id);
    assert_eq!(all, incremental);
}
