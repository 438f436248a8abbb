//! The term base: the starter set, librarians' edits (audited, version-guarded, refused for
//! others and for bad input), TBX import and export (round trip, all or nothing), the lookup
//! translators use, a new concept widening the library's search, the desk's terms panel and
//! the pages in five languages.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use glocal_core::actor::{Actor, Origin};
use glocal_core::search::terms;
use serde_json::{Value, json};

use crate::support::{Browser, TestApp};

const LIBRARIAN: &str = "librarian@demo.glocal.example";
const ADMIN: &str = "admin@demo.glocal.example";
const STAFF: &str = "staff@demo.glocal.example";
const REQUESTER: &str = "seoul@demo.glocal.example";

/// Sends `body` as it is, with a content type, and reads the answer as JSON when it is.
async fn send_raw(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, String, Value) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::ACCEPT_LANGUAGE, "en")
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap();
    let (status, headers, bytes) = app.send(req).await;
    let ct = headers.get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, ct, serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into())))
}

async fn import(app: &TestApp, token: &str, mode: &str, tbx: &str) -> (StatusCode, Value) {
    let (s, _, v) = send_raw(
        app,
        Method::POST,
        &format!("/api/v1/library/terms/import?mode={mode}"),
        token,
        "application/x-tbx+xml",
        tbx.as_bytes().to_vec(),
    )
    .await;
    (s, v)
}

async fn export(app: &TestApp, token: &str) -> String {
    let req = Request::builder()
        .uri("/api/v1/library/terms/export")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, headers, bytes) = app.send(req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/x-tbx+xml");
    assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains("glocal-terms.tbx"));
    String::from_utf8(bytes).unwrap()
}

/// Every concept as content only (no ids, no times), in order.
async fn contents(app: &TestApp, token: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for page in 1.. {
        let (s, body) =
            app.api(Method::GET, &format!("/api/v1/library/terms?per_page=200&page={page}"), Some(token), None).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let items = body["items"].as_array().unwrap();
        for c in items {
            let terms: Vec<Value> = c["terms"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| json!([t["language"], t["text"], t["status"], t["note"]]))
                .collect();
            out.push(json!({"area": c["area"], "definition": c["definition"], "note": c["note"], "terms": terms}));
        }
        if items.len() < 200 {
            break;
        }
    }
    out
}

async fn version(app: &TestApp) -> i64 {
    terms::version(&app.core.db).await.unwrap()
}

/// A row count of the term base and its version, for "nothing changed".
async fn state(app: &TestApp) -> (i64, i64, i64, i64) {
    (
        app.count("term_concepts").await,
        app.count("term_terms").await,
        app.count("audit_events").await,
        version(app).await,
    )
}

#[tokio::test]
async fn the_starter_set_is_loaded_once_and_everyone_signed_in_reads_it() {
    let app = TestApp::new().await;
    let concepts = app.count("term_concepts").await;
    assert!(concepts >= 90, "{concepts}");
    assert!(version(&app).await > 0);
    // Another process starting on the same database loads nothing again.
    let (sibling, _) = app.sibling().await;
    assert_eq!(app.count("term_concepts").await, concepts);
    drop(sibling);

    let requester = app.token(REQUESTER).await;
    let (s, body) =
        app.api(Method::GET, "/api/v1/library/terms?q=%E5%A7%8A%E5%A6%B9%E5%B8%82", Some(&requester), None).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    // 姊妹市 (Traditional) finds the sister-city concept, Simplified and Korean terms included.
    let sister = &body["items"][0];
    let texts: Vec<&str> = sister["terms"].as_array().unwrap().iter().map(|t| t["text"].as_str().unwrap()).collect();
    assert!(texts.contains(&"sister city") && texts.contains(&"자매결연") && texts.contains(&"姐妹城市"), "{texts:?}");
    assert_eq!(sister["terms"][0]["status"], "preferred");
    let (_, one) =
        app.api(Method::GET, &format!("/api/v1/library/terms/{}", sister["id"]), Some(&requester), None).await;
    assert_eq!(one["id"], sister["id"]);
    // By language and area.
    let (_, body) =
        app.api(Method::GET, "/api/v1/library/terms?language=zh-TW&q=trade+mission", Some(&requester), None).await;
    assert_eq!(body["total"], 1, "{body}");
    let (_, body) = app.api(Method::GET, "/api/v1/library/terms?area=environment", Some(&requester), None).await;
    assert!(body["total"].as_u64().unwrap() >= 2, "{body}");
    // Nobody signed in reads nothing.
    let (s, _) = app.api(Method::GET, "/api/v1/library/terms", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, body) = app.api(Method::GET, "/api/v1/library/terms?language=korean!", Some(&requester), None).await;
    assert_eq!((s, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("language")));
}

#[tokio::test]
async fn librarians_create_update_and_delete_concepts_each_change_audited_and_counted() {
    let app = TestApp::new().await;
    let librarian = app.token(LIBRARIAN).await;
    let v0 = version(&app).await;
    let concept = json!({
        "area": "economy_industry",
        "definition": "A fair where local firms meet foreign buyers.",
        "terms": [
            {"language": "ko", "text": "수출상담회", "status": "preferred"},
            {"language": "en", "text": "export consultation fair", "status": "preferred"},
            {"language": "en", "text": "buyers' meeting"},
            {"language": "zh-CN", "text": "出口洽谈会"},
            {"language": "fr", "text": "salon d'affaires à l'export", "note": "rare"}
        ]
    });
    let (s, c) = app.api(Method::POST, "/api/v1/library/terms", Some(&librarian), Some(concept.clone())).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["version"], 1);
    let langs: Vec<&str> = c["terms"].as_array().unwrap().iter().map(|t| t["language"].as_str().unwrap()).collect();
    assert_eq!(langs, ["ko", "en", "en", "zh-Hans", "fr"], "zh-CN is kept as zh-Hans, terms grouped by language");
    assert_eq!(c["terms"][2]["status"], "admitted");
    let v1 = version(&app).await;
    assert!(v1 > v0);

    let mut changed = concept.clone();
    changed["version"] = json!(1);
    changed["terms"][2] = json!({"language": "en", "text": "buyers' meeting", "status": "deprecated"});
    let (s, c2) =
        app.api(Method::PUT, &format!("/api/v1/library/terms/{id}"), Some(&librarian), Some(changed.clone())).await;
    assert_eq!(s, StatusCode::OK, "{c2}");
    assert_eq!(c2["version"], 2);
    assert_eq!(c2["terms"][2]["status"], "deprecated");
    assert_eq!(c2["terms"][2]["id"], c["terms"][2]["id"], "an unchanged term keeps its id");
    let v2 = version(&app).await;
    assert!(v2 > v1);
    // The same content again: no new version of the concept.
    changed["version"] = json!(2);
    let (_, same) = app.api(Method::PUT, &format!("/api/v1/library/terms/{id}"), Some(&librarian), Some(changed)).await;
    assert_eq!(same["version"], 2);

    // A second writer who read version 1 loses, and nothing changes.
    let mut stale = concept.clone();
    stale["version"] = json!(1);
    stale["definition"] = json!("Overwritten");
    let before = state(&app).await;
    let (s, body) = app.api(Method::PUT, &format!("/api/v1/library/terms/{id}"), Some(&librarian), Some(stale)).await;
    assert_eq!((s, body["code"].as_str()), (StatusCode::CONFLICT, Some("conflict_stale")));
    let (s, body) =
        app.api(Method::DELETE, &format!("/api/v1/library/terms/{id}?version=1"), Some(&librarian), None).await;
    assert_eq!((s, body["code"].as_str()), (StatusCode::CONFLICT, Some("conflict_stale")));
    assert_eq!(state(&app).await, before);

    // An administrator may too; then the concept is deleted.
    let admin = app.token(ADMIN).await;
    let (s, _) = app.api(Method::DELETE, &format!("/api/v1/library/terms/{id}?version=2"), Some(&admin), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.api(Method::GET, &format!("/api/v1/library/terms/{id}"), Some(&librarian), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(version(&app).await > v2);
    assert_eq!(app.count(&format!("term_terms WHERE concept_id = {id}")).await, 0);

    let (_, log) = app
        .api(
            Method::GET,
            &format!("/api/v1/audit-events?subject_type=term_concept&subject_id={id}"),
            Some(&admin),
            None,
        )
        .await;
    let actions: Vec<&str> = log["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["term_concept.delete", "term_concept.update", "term_concept.create"], "{log}");
    let update = &log["items"][1];
    assert_eq!(update["actor_label"], LIBRARIAN);
    assert!(update["details"]["terms"].is_array(), "the update's diff names the terms: {update}");
}

#[tokio::test]
async fn others_are_refused_with_a_code_and_bad_input_changes_nothing() {
    let app = TestApp::new().await;
    let staff = app.token(STAFF).await;
    let requester = app.token(REQUESTER).await;
    let librarian = app.token(LIBRARIAN).await;
    let before = state(&app).await;
    let good = json!({"terms": [{"language": "ko", "text": "시범사업"}, {"language": "en", "text": "pilot project"}]});
    for token in [&staff, &requester] {
        let (s, body) = app.api(Method::POST, "/api/v1/library/terms", Some(token), Some(good.clone())).await;
        assert_eq!((s, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
        let (s, body) = import(&app, token, "merge", terms::STARTER).await;
        assert_eq!((s, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
        let (s, _) = app.api(Method::DELETE, "/api/v1/library/terms/1", Some(token), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    let (s, _) = app.api(Method::POST, "/api/v1/library/terms", None, Some(good)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Every bad field at once, named.
    let bad = json!({"area": "poetry", "terms": [
        {"language": "korean!", "text": "시범사업"},
        {"language": "en", "text": "  "},
        {"language": "en", "text": "pilot project", "status": "favourite"},
        {"language": "ja", "text": "x".repeat(301)},
        {"language": "en", "text": "Pilot Project"}
    ]});
    let (s, body) = app.api(Method::POST, "/api/v1/library/terms", Some(&librarian), Some(bad)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let errors: Vec<(&str, &str)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        [
            ("area", "invalid_choice"),
            ("terms[0].language", "invalid_language"),
            ("terms[1].text", "value_required"),
            ("terms[2].status", "invalid_choice"),
            ("terms[3].text", "value_too_long"),
        ]
    );
    let dup =
        json!({"terms": [{"language": "en", "text": "pilot project"}, {"language": "en", "text": "Pilot  Project"}]});
    let (s, body) = app.api(Method::POST, "/api/v1/library/terms", Some(&librarian), Some(dup)).await;
    assert_eq!(
        (s, body["code"].as_str(), body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("duplicate_term"), Some("terms[1].text"))
    );
    assert_eq!(body["message"], "이 언어에 같은 용어가 이미 있습니다.", "in the librarian's language");
    let (s, body) = app.api(Method::POST, "/api/v1/library/terms", Some(&librarian), Some(json!({"terms": []}))).await;
    assert_eq!((s, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("terms")));
    let (s, body) = app
        .api(
            Method::PUT,
            "/api/v1/library/terms/1",
            Some(&librarian),
            Some(json!({"terms": [{"language": "en", "text": "x"}]})),
        )
        .await;
    assert_eq!((s, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("version")));
    let (s, body) = import(&app, &librarian, "overwrite", terms::STARTER).await;
    assert_eq!((s, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("mode")));
    assert_eq!(state(&app).await, before);
}

#[tokio::test]
async fn tbx_export_imports_into_an_empty_base_as_the_same_concepts() {
    let app = TestApp::new().await;
    let librarian = app.token(LIBRARIAN).await;
    // Something the starter does not have: notes, a deprecated term, another language,
    // characters XML escapes.
    let extra = json!({"definition": "Tom & Jerry <cartoon>", "note": "from \"the\" desk", "terms": [
        {"language": "en", "text": "R&D cluster", "status": "preferred", "note": "<b>not bold</b>"},
        {"language": "ko", "text": "연구개발특구", "status": "deprecated"},
        {"language": "de", "text": "Forschungscluster"}
    ]});
    let (s, _) = app.api(Method::POST, "/api/v1/library/terms", Some(&librarian), Some(extra)).await;
    assert_eq!(s, StatusCode::CREATED);
    let original = contents(&app, &librarian).await;
    let tbx = export(&app, &librarian).await;
    assert!(tbx.contains("<conceptEntry id=\"c1\">") && tbx.contains("R&amp;D cluster"), "{}", &tbx[..400]);
    assert!(tbx.contains("<termNote type=\"administrativeStatus\">deprecatedTerm-admn-sts</termNote>"));

    // Another installation, emptied, then the file.
    let other = TestApp::new().await;
    let other_librarian = other.token(LIBRARIAN).await;
    let (s, report) = import(&other, &other_librarian, "replace", &tbx).await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(report["created"].as_array().unwrap().len(), original.len());
    assert_eq!(report["removed"].as_u64().unwrap() as usize, original.len() - 1);
    assert_eq!(contents(&other, &other_librarian).await, original);

    // Merging the file back into the base it came from finds everything there already.
    let concept_versions = app.count("term_concepts WHERE version > 1").await;
    let imports = app.count("audit_events WHERE action = 'term_base.import'").await;
    let v = version(&app).await;
    let (s, report) = import(&app, &librarian, "merge", &tbx).await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(report["created"], json!([]));
    assert_eq!(report["updated"], json!([]));
    assert_eq!(report["unchanged"].as_u64().unwrap() as usize, original.len());
    assert_eq!(contents(&app, &librarian).await, original);
    assert_eq!(app.count("term_concepts WHERE version > 1").await, concept_versions);
    assert!(version(&app).await > v, "an import counts as a change of the term base");
    assert_eq!(app.count("audit_events WHERE action = 'term_base.import'").await, imports + 1);

    // A TBX v2 file from another tool, sent as a form upload: merged into the concept sharing
    // a term, the rest created.
    let v2 = r#"<?xml version="1.0"?>
<martif type="TBX-Basic" xml:lang="en"><text><body>
  <termEntry id="x1"><langSet xml:lang="en"><tig><term>Sister City</term></tig></langSet>
    <langSet xml:lang="vi"><tig><term>thành phố kết nghĩa</term></tig></langSet></termEntry>
  <termEntry id="x2"><langSet xml:lang="en"><tig><term>twinning fair</term></tig></langSet></termEntry>
</body></text></martif>"#;
    let boundary = "XyZ";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"partner.tbx\"\r\nContent-Type: application/xml\r\n\r\n{v2}\r\n--{boundary}--\r\n"
    );
    let (s, _, report) = send_raw(
        &app,
        Method::POST,
        "/api/v1/library/terms/import",
        &librarian,
        &format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(report["created"].as_array().unwrap().len(), 1);
    let sister = report["updated"][0].as_i64().unwrap();
    let (_, c) = app.api(Method::GET, &format!("/api/v1/library/terms/{sister}"), Some(&librarian), None).await;
    let terms: Vec<&str> = c["terms"].as_array().unwrap().iter().map(|t| t["text"].as_str().unwrap()).collect();
    assert!(terms.contains(&"자매결연") && terms.contains(&"thành phố kết nghĩa"), "{terms:?}");
    assert_eq!(terms.iter().filter(|t| t.eq_ignore_ascii_case("sister city")).count(), 1, "{terms:?}");
    let en = c["terms"].as_array().unwrap().iter().find(|t| t["text"] == "sister city").unwrap();
    assert_eq!(en["status"], "preferred", "a status the file does not give is kept");
}

#[tokio::test]
async fn a_malformed_file_or_one_bad_entry_changes_nothing_and_says_where() {
    let app = TestApp::new().await;
    let librarian = app.token(LIBRARIAN).await;
    let before = state(&app).await;
    let malformed =
        "<tbx><text><body>\n<conceptEntry id=\"a\">\n<langSec xml:lang=\"ko\"><termSec><term>정책</termSec>\n";
    let (s, body) = import(&app, &librarian, "replace", malformed).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!((body["code"].as_str(), body["field"].as_str()), (Some("invalid_file"), Some("line 3")));
    let (s, body) = import(&app, &librarian, "merge", "<html><body>not a term base</body></html>").await;
    assert_eq!((s, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_file")));
    let (s, body) = import(&app, &librarian, "merge", "<tbx><text><body/></text></tbx>").await;
    assert_eq!((s, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("value_required")));

    let one_bad = r#"<tbx type="TBX-Basic"><text><body>
<conceptEntry id="ok1"><langSec xml:lang="en"><termSec><term>good one</term></termSec></langSec></conceptEntry>
<conceptEntry id="bad">
  <langSec xml:lang="korean!"><termSec><term>나쁜 예</term></termSec></langSec>
  <langSec xml:lang="en"><termSec><term>bad one</term><termNote type="administrativeStatus">bestTerm</termNote></termSec></langSec>
</conceptEntry>
<conceptEntry id="ok2"><descrip type="subjectField">space travel</descrip><langSec xml:lang="en"><termSec><term>third</term></termSec></langSec></conceptEntry>
</body></text></tbx>"#;
    for mode in ["merge", "replace"] {
        let (s, body) = import(&app, &librarian, mode, one_bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let errors: Vec<(&str, &str)> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
            .collect();
        assert_eq!(
            errors,
            [
                ("entry 2 (line 3): terms[0].language", "invalid_language"),
                ("entry 2 (line 3): terms[1].status", "invalid_choice"),
                ("entry 3 (line 7): area", "invalid_choice"),
            ]
        );
    }
    assert_eq!(state(&app).await, before);
}

#[tokio::test]
async fn a_new_concept_widens_the_library_search_within_seconds() {
    use glocal_core::library::search::{Query, search};
    let app = TestApp::new().await;
    let librarian = app.token(LIBRARIAN).await;
    let doc = json!({"kind": "best_practice", "language": "en", "status": "published", "area": "welfare",
                     "title": "Neighbourhood care in Lyon", "body": "The city runs zorblatics for older residents living alone."});
    let (s, d) = app.api(Method::POST, "/api/v1/library/documents", Some(&librarian), Some(doc)).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let id = d["document"]["id"].as_i64().unwrap();
    let actor = Actor::System("test");
    let origin = Origin::default();
    let scope = app.core.scope(&actor, &origin);
    let find = |text: &'static str| {
        let scope = scope;
        async move {
            let r = search(&scope, Query { text: text.into(), ..Default::default() }).await.unwrap();
            r.page.items.iter().any(|f| f.document.id.0 == id)
        }
    };
    assert!(find("zorblatics").await, "the English word finds the document");
    assert!(!find("뽀로롱돌봄").await, "the Korean word knows nothing of it yet");

    let concept =
        json!({"terms": [{"language": "ko", "text": "뽀로롱돌봄"}, {"language": "en", "text": "zorblatics"}]});
    let (s, _) = app.api(Method::POST, "/api/v1/library/terms", Some(&librarian), Some(concept)).await;
    assert_eq!(s, StatusCode::CREATED);
    let start = Instant::now();
    while !find("뽀로롱돌봄").await {
        assert!(start.elapsed() < Duration::from_secs(5), "the expander did not reload within 5 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn translators_look_up_the_concepts_of_a_text_and_see_them_beside_a_request() {
    let app = TestApp::with(|c| c.desk.auto_route = false).await;
    let staff = app.token(STAFF).await;
    let (s, found) = app
        .api(
            Method::POST,
            "/api/v1/library/terms/lookup",
            Some(&staff),
            Some(json!({"text": "臺中市與全羅北道締結姊妹市，市長率代表團訪問。"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{found}");
    let firsts: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c["terms"].as_array().unwrap().iter().find(|t| t["language"] == "en").unwrap()["text"].as_str().unwrap()
        })
        .collect();
    assert!(
        firsts.contains(&"sister city") && firsts.contains(&"mayor") && firsts.contains(&"delegation"),
        "{firsts:?}"
    );
    let (s, _) = app.api(Method::POST, "/api/v1/library/terms/lookup", None, Some(json!({"text": "x"}))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // A request whose subject names an MOU and whose message a trade mission.
    let requester = app.token(REQUESTER).await;
    let (s, r) = app
        .api(
            Method::POST,
            "/api/v1/desk/requests",
            Some(&requester),
            Some(json!({"category": "general_inquiry", "title": "호치민시와 업무협약 체결 절차",
                        "fields": {"question": "어떤 서류가 필요합니까?"}})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let id = r["id"].as_i64().unwrap();
    let (s, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/desk/requests/{id}/messages"),
            Some(&requester),
            Some(json!({"body": "다음 달 통상사절단도 함께 갑니다."})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let mut b = app.browser_as(STAFF).await;
    let (s, html) = b.get(&format!("/desk/requests/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    let panel = &html[html.find("terms-panel").expect("the panel")..];
    let panel = &panel[..panel.find("</section>").unwrap()];
    assert!(panel.contains("memorandum of understanding") && panel.contains("覚書"), "{panel}");
    assert!(panel.contains("trade mission") && panel.contains("貿易代表團"), "{panel}");
    assert!(panel.contains("/library/terms/"), "{panel}");
    // The requester's page has no panel.
    let mut r = app.browser_as(REQUESTER).await;
    let (_, html) = r.get(&format!("/desk/requests/{id}")).await;
    assert!(!html.contains("terms-panel"));
}

/// Switches a logged-in browser's language (the saved language wins over `Accept-Language`).
async fn set_lang(b: &mut Browser<'_>, lang: &str) {
    b.get("/library/terms").await;
    let (s, _, _) = b.post("/language", &[("locale", lang), ("back", "/library/terms")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    b.accept_language = lang.into();
}

#[tokio::test]
async fn the_pages_list_edit_import_and_speak_five_languages() {
    let app = TestApp::new().await;
    let mut b = app.browser_as(LIBRARIAN).await;
    for (lang, title) in
        [("en", "Term base"), ("ja", "用語集"), ("zh-Hans", "术语库"), ("zh-Hant", "術語庫"), ("ko", "용어집")]
    {
        set_lang(&mut b, lang).await;
        for path in ["/library/terms", "/library/terms/new", "/library/terms/1", "/library/terms?q=mayor&language=en"] {
            let (s, html) = b.get(path).await;
            assert_eq!(s, StatusCode::OK, "{lang} {path}");
            assert!(html.contains(&format!("<html lang=\"{lang}\"")), "{lang} {path}");
            assert!(!html.contains("terms-"), "every key translated in {lang} at {path}");
        }
        let (_, html) = b.get("/library/terms").await;
        assert!(html.contains(&format!("<h1>{title}</h1>")), "{lang}");
        let (_, html) = b.get("/library").await;
        assert!(html.contains("href=\"/library/terms\""), "the library links to the term base");
    }
    let (_, html) = b.get("/library/terms?q=%EC%8B%9C%EC%9E%A5").await; // 시장
    assert!(html.contains("<strong>mayor</strong>") && html.contains("lang=\"zh-Hant\""), "{html}");

    // A bad form is shown again with each field's error in the reader's language.
    set_lang(&mut b, "ja").await;
    b.get("/library/terms/new").await;
    let before = app.count("term_concepts").await;
    let (s, _, html) = b
        .post(
            "/library/terms",
            &[("t0-language", "korean!"), ("t0-text", "정책실험"), ("t1-language", "en"), ("t1-text", "")],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let message =
        glocal_web::i18n::Tr::new(glocal_core::validate::Locale::Ja).error(glocal_core::ErrorCode::InvalidLanguage);
    assert!(
        html.contains(&message) && html.contains("id=\"t0-language\"") && html.contains("value=\"정책실험\""),
        "{html}"
    );
    assert_eq!(app.count("term_concepts").await, before);
    // A good one is saved, and its page is the edit form.
    let (s, location, _) = b
        .post(
            "/library/terms",
            &[
                ("t0-language", "ko"),
                ("t0-text", "정책실험"),
                ("t0-status", "preferred"),
                ("t1-language", "en"),
                ("t1-text", "policy experiment"),
                ("area", "general_administration"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let location = location.unwrap();
    let (_, html) = b.get(&location).await;
    assert!(html.contains("value=\"policy experiment\"") && html.contains("概念を保存しました。"), "{html}");
    // A stale form is refused with the conflict message; a fresh one deletes.
    let marker = "name=\"version\" value=\"";
    let version = html[html.find(marker).unwrap() + marker.len()..].split('"').next().unwrap().to_string();
    let (s, _, _) = b.post(&location, &[("version", "7"), ("t0-language", "ko"), ("t0-text", "정책실험2")]).await;
    assert_eq!(s, StatusCode::CONFLICT);
    b.get(&location).await;
    let (s, to, _) = b.post(&format!("{location}/delete"), &[("version", version.as_str())]).await;
    assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some("/library/terms")));
    assert_eq!(app.count("term_concepts").await, before);

    // The import form: a bad file is named line by line, a good one reported.
    b.get("/library/terms").await;
    let csrf = b.csrf();
    let upload = |file: &str| {
        let boundary = "b0undary";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\nmerge\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.tbx\"\r\nContent-Type: application/xml\r\n\r\n{file}\r\n--{boundary}--\r\n"
        );
        let cookies = b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        Request::builder()
            .method(Method::POST)
            .uri("/library/terms/import")
            .header(header::COOKIE, cookies)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap()
    };
    let (s, _, html) = app.send(upload("<tbx><text><body><conceptEntry>\n<oops></conceptEntry>")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("line 2") && html.contains("何も取り込みませんでした"), "{html}");
    let good = "<tbx><text><body><conceptEntry><langSec xml:lang=\"en\"><termSec><term>cross-border region</term></termSec></langSec><langSec xml:lang=\"ko\"><termSec><term>접경지역</term></termSec></langSec></conceptEntry></body></text></tbx>";
    let (s, _, html) = app.send(upload(good)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(String::from_utf8(html).unwrap().contains("新規 1 件"));
    assert_eq!(app.count("term_concepts").await, before + 1);

    // Others read the pages but are offered no form.
    let mut staff = app.browser_as(STAFF).await;
    let (s, html) = staff.get("/library/terms/1").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains("name=\"t0-text\""));
    let (s, _) = staff.get("/library/terms/new").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, body) = staff.post("/library/terms", &[("t0-language", "en"), ("t0-text", "x")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
}
