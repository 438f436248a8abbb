//! Searching the library through the API: the seeds found across scripts, reading rights in
//! search, edits found right after saving, facets and filters, rebuild = incremental, and a
//! second process's index following the same database.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestApp, send};

const STAFF: &str = "staff@demo.glocal.example";
const LIBRARIAN: &str = "librarian@demo.glocal.example";
const SEOUL: &str = "seoul@demo.glocal.example";
const BUSAN: &str = "busan@demo.glocal.example";

async fn search(app: &TestApp, token: &str, query: &str) -> Value {
    let (status, body) = app.api(Method::GET, &format!("/api/v1/library/search?{query}"), Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    body
}

fn ids(body: &Value) -> Vec<i64> {
    body["items"].as_array().unwrap().iter().map(|h| h["document"]["id"].as_i64().unwrap()).collect()
}

fn q(text: &str) -> String {
    format!("q={}", urlencoding(text))
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The seed of each language: (language or kind marker, id).
async fn seed_ids(app: &TestApp, token: &str) -> std::collections::HashMap<&'static str, i64> {
    let (_, body) = app.api(Method::GET, "/api/v1/library/documents?per_page=50", Some(token), None).await;
    let mut out = std::collections::HashMap::new();
    for d in body["items"].as_array().unwrap() {
        let source = d["source"].as_str().unwrap_or_default();
        let key = ["governors", "bureau", "taichung", "ministry", "collaboration"]
            [source[..3].parse::<usize>().expect("a seed's source is its file name")];
        out.insert(key, d["id"].as_i64().unwrap());
    }
    assert_eq!(out.len(), 5);
    out
}

async fn create(app: &TestApp, token: &str, doc: Value) -> Value {
    let (status, body) = app.api(Method::POST, "/api/v1/library/documents", Some(token), Some(doc)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["document"].clone()
}

#[tokio::test]
async fn every_seed_is_found_from_the_other_scripts_through_the_api() {
    let app = TestApp::new().await;
    let t = app.token(SEOUL).await;
    let seeds = seed_ids(&app, &t).await;
    let cases = [
        ("지방분권", "governors"),
        ("decentralization", "governors"),
        ("地方分權", "governors"),
        ("통역", "bureau"),
        ("國際交流", "bureau"),
        ("자매결연", "taichung"),
        ("姐妹城市", "taichung"),
        ("姉妹都市", "taichung"),
        ("台中市", "taichung"),
        ("타이중", "taichung"),
        ("sister city", "taichung"),
        ("公共外交", "ministry"),
        ("public diplomacy", "ministry"),
        ("지방정부", "collaboration"),
        ("地方政府", "collaboration"),
    ];
    let mut failures = Vec::new();
    for (text, seed) in cases {
        let body = search(&app, &t, &q(text)).await;
        let found = ids(&body);
        if !found.contains(&seeds[seed]) {
            failures.push(format!("{text} should find {seed} ({}), found {found:?}", seeds[seed]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // 자매결연 finds the Traditional Chinese trip report first, marks 姊妹市 in its passage
    // and says what the query was widened with.
    let body = search(&app, &t, &q("자매결연")).await;
    assert_eq!(ids(&body)[0], seeds["taichung"], "{body}");
    let hit = &body["items"][0];
    assert_eq!(hit["document"]["language"], "zh-Hant");
    assert!(hit["snippet_html"].as_str().unwrap().contains("<mark>姊妹市</mark>"), "{hit}");
    assert!(body["expanded"].as_array().unwrap().iter().any(|e| e == "姐妹城市"), "{}", body["expanded"]);
}

#[tokio::test]
async fn simplified_and_traditional_find_each_other() {
    let app = TestApp::new().await;
    let t = app.token(SEOUL).await;
    let seeds = seed_ids(&app, &t).await;
    // Simplified 台中市政府 finds the Traditional 臺中市政府; Traditional 地方分權 finds the
    // Simplified 地方分权.
    assert_eq!(ids(&search(&app, &t, &q("台中市政府")).await)[0], seeds["taichung"]);
    assert_eq!(ids(&search(&app, &t, &q("臺中市政府")).await)[0], seeds["taichung"]);
    assert_eq!(ids(&search(&app, &t, &q("地方分權")).await)[0], seeds["governors"]);
    assert_eq!(ids(&search(&app, &t, &q("地方分权")).await)[0], seeds["governors"]);
}

#[tokio::test]
async fn search_finds_only_what_the_reader_may_read_and_follows_every_change() {
    let app = TestApp::new().await;
    let staff = app.token(STAFF).await;
    let librarian = app.token(LIBRARIAN).await;
    let seoul = app.token(SEOUL).await;
    let busan = app.token(BUSAN).await;
    let word = "zeolitegarden";

    // Seoul's draft: found by Seoul and the librarians only.
    let doc = create(
        &app,
        &seoul,
        json!({"kind": "best_practice", "language": "en", "title": format!("Rooftop {word} pilot"),
               "body": "A pilot of rooftop gardens on public buildings.", "area": "environment",
               "country": "KR", "year": 2024}),
    )
    .await;
    let id = doc["id"].as_i64().unwrap();
    assert_eq!(doc["status"], "draft");
    // Found at once: the search waits for the index to reach the change log's end.
    assert_eq!(ids(&search(&app, &seoul, &q(word)).await), vec![id]);
    assert_eq!(ids(&search(&app, &librarian, &q(word)).await), vec![id]);
    assert!(ids(&search(&app, &staff, &q(word)).await).is_empty(), "a draft is not the staff's to find");
    assert!(ids(&search(&app, &busan, &q(word)).await).is_empty());
    // Facets count only what the reader may see.
    assert!(search(&app, &busan, &q(word)).await["facets"]["status"].as_array().unwrap().is_empty());

    // Internal: the staff and Seoul's organisation, not Busan.
    let content = |status: &str, version: &Value, title: &str, body: &str| {
        json!({"kind": "best_practice", "language": "en", "status": status, "version": version, "title": title,
               "body": body, "area": "environment", "country": "KR", "year": 2024})
    };
    let (status, body) = app
        .api(
            Method::PUT,
            &format!("/api/v1/library/documents/{id}"),
            Some(&librarian),
            Some(content("internal", &doc["version"], &format!("Rooftop {word} pilot"), "Gardens.")),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&search(&app, &staff, &q(word)).await), vec![id]);
    assert_eq!(ids(&search(&app, &seoul, &q(word)).await), vec![id]);
    assert!(ids(&search(&app, &busan, &q(word)).await).is_empty(), "internal to Seoul and the staff");

    // Published: everyone.
    let version = body["document"]["version"].clone();
    let (status, body) = app
        .api(
            Method::POST,
            &format!("/api/v1/library/documents/{id}/publish"),
            Some(&librarian),
            Some(json!({"version": version})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&search(&app, &busan, &q(word)).await), vec![id]);

    // An edit is found right after it is saved, and the old words no longer find it.
    let version = body["document"]["version"].clone();
    let (status, body) = app
        .api(
            Method::PUT,
            &format!("/api/v1/library/documents/{id}"),
            Some(&librarian),
            Some(content("published", &version, "Rooftop moss meadows", "Moss meadows cool public roofs.")),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&search(&app, &busan, &q("moss meadows")).await), vec![id]);
    assert!(ids(&search(&app, &busan, &q(word)).await).is_empty());

    // Signed out: no search at all.
    let (status, body) = app.api(Method::GET, "/api/v1/library/search?q=moss", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn facets_filters_sort_paging_and_bad_input() {
    let app = TestApp::new().await;
    let t = app.token(SEOUL).await;
    let seeds = seed_ids(&app, &t).await;

    // Without words: every readable document, newest first, with facets over all of them.
    let all = search(&app, &t, "").await;
    assert_eq!(all["total"], 5, "{all}");
    let languages: Vec<(String, u64)> = all["facets"]["language"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["value"].as_str().unwrap().to_string(), f["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(languages[0], ("en".to_string(), 2), "{languages:?}");
    assert_eq!(languages.len(), 4);
    assert!(all["facets"]["kind"].as_array().unwrap().iter().any(|f| f["value"] == "trip_report" && f["count"] == 1));

    // A filter narrows; facets follow.
    let zh = search(&app, &t, "language=zh-Hant").await;
    assert_eq!(ids(&zh), vec![seeds["taichung"]]);
    let trip = search(&app, &t, &format!("{}&kind=trip_report", q("UCLG"))).await;
    assert_eq!(ids(&trip), vec![seeds["taichung"]]);

    // Paging: two pages of two and one.
    let p1 = search(&app, &t, "per_page=2&page=1").await;
    let p3 = search(&app, &t, "per_page=2&page=3").await;
    assert_eq!(ids(&p1).len(), 2);
    assert_eq!(ids(&p3).len(), 1);
    assert_eq!(p3["total"], 5);
    assert!(!ids(&p1).contains(&ids(&p3)[0]));

    // A Latin typo gets a suggestion.
    let typo = search(&app, &t, &q("colaboration")).await;
    assert_eq!(typo["suggestion"], "collaboration", "{typo}");

    // Bad input: a stable code naming the parameter.
    for (query, field, code) in [
        ("sort=sideways", "sort", "invalid_choice"),
        ("kind=novel", "kind", "invalid_choice"),
        ("status=secret", "status", "invalid_choice"),
        ("country=Korea", "country", "invalid_country"),
        ("per_page=1000", "per_page", "value_out_of_range"),
        ("page=100000", "page", "value_out_of_range"),
    ] {
        let (status, body) = app.api(Method::GET, &format!("/api/v1/library/search?{query}"), Some(&t), None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["code"], code, "{query}: {body}");
        assert_eq!(body["field"], field, "{query}: {body}");
    }
    let long = "가".repeat(501);
    let (status, body) = app.api(Method::GET, &format!("/api/v1/library/search?{}", q(&long)), Some(&t), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "value_too_long", "{body}");
    assert_eq!(body["field"], "q", "{body}");
}

#[tokio::test]
async fn more_like_this_finds_related_documents_the_reader_may_read() {
    let app = TestApp::new().await;
    let seoul = app.token(SEOUL).await;
    let busan = app.token(BUSAN).await;
    let body =
        "Sister city exchange between Jeonbuk and Taichung: youth delegations, trade missions and a joint festival.";
    let public = create(
        &app,
        &app.token(LIBRARIAN).await,
        json!({"kind": "other", "language": "en", "status": "published", "title": "Jeonbuk and Taichung", "body": body}),
    )
    .await;
    let draft = create(
        &app,
        &seoul,
        json!({"kind": "other", "language": "en", "title": "Jeonbuk and Taichung (draft)", "body": body}),
    )
    .await;
    let (status, similar) =
        app.api(Method::GET, &format!("/api/v1/library/documents/{}/similar", public["id"]), Some(&busan), None).await;
    assert_eq!(status, StatusCode::OK, "{similar}");
    let found: Vec<i64> = similar.as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect();
    assert!(!found.contains(&public["id"].as_i64().unwrap()), "not itself: {found:?}");
    assert!(!found.contains(&draft["id"].as_i64().unwrap()), "not Seoul's draft: {found:?}");
    // As its author, Seoul is shown the draft twin first.
    let (_, similar) =
        app.api(Method::GET, &format!("/api/v1/library/documents/{}/similar", public["id"]), Some(&seoul), None).await;
    assert_eq!(similar[0]["id"], draft["id"], "{similar}");
    // Busan may not read the draft, so may not ask what it is like.
    let (status, _) =
        app.api(Method::GET, &format!("/api/v1/library/documents/{}/similar", draft["id"]), Some(&busan), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_rebuild_finds_what_incremental_updates_found() {
    let app = TestApp::new().await;
    let librarian = app.token(LIBRARIAN).await;
    let seoul = app.token(SEOUL).await;
    for i in 0..30 {
        create(
            &app,
            &librarian,
            json!({"kind": "best_practice", "language": if i % 2 == 0 { "ko" } else { "zh-Hans" }, "status": "published",
                   "title": format!("{} {i}", if i % 2 == 0 { "자매결연 교류 사례" } else { "姐妹城市交流案例" }),
                   "body": "청소년 교류와 경제 협력. 青少年交流与经济合作。", "area": "economy_industry", "year": 2000 + i}),
        )
        .await;
    }
    let queries = ["자매결연", "姊妹市", "교류", "经济合作", "sister city", "", "타이중"];
    let mut before = Vec::new();
    for text in queries {
        let body = search(&app, &seoul, &format!("{}&per_page=100", q(text))).await;
        before.push((ids(&body), body["total"].clone(), body["facets"].clone()));
    }
    let mut seen = Vec::new();
    let n =
        glocal_core::library::search::rebuild(&app.core, &mut |done, total| seen.push((done, total))).await.unwrap();
    assert_eq!(n, 35);
    assert_eq!(seen.last(), Some(&(35, 35)), "progress reaches the end: {seen:?}");
    for (text, want) in queries.iter().zip(&before) {
        let body = search(&app, &seoul, &format!("{}&per_page=100", q(text))).await;
        let got = (ids(&body), body["total"].clone(), body["facets"].clone());
        assert_eq!(&got, want, "{text}");
    }
    assert!(before[0].0.len() > 15, "자매결연 finds the Korean and the Chinese cases: {:?}", before[0].0);
}

#[tokio::test]
async fn a_second_process_index_follows_the_same_database() {
    let app = TestApp::new().await;
    let (_core, router) = app.sibling().await;
    let librarian = app.token(LIBRARIAN).await;
    // Warm the second process's index first, so it must follow the change log afterwards.
    let (status, _, _) = send(&router, bearer_get("/api/v1/library/search?q=x", &librarian)).await;
    assert_eq!(status, StatusCode::OK);
    let doc = create(
        &app,
        &librarian,
        json!({"kind": "other", "language": "ja", "status": "published", "title": "姉妹都市交流の記録", "body": "大邱との交流"}),
    )
    .await;
    // The second process finds it, by the Korean word for sister city.
    let (status, _, bytes) =
        send(&router, bearer_get(&format!("/api/v1/library/search?{}", q("자매결연")), &librarian)).await;
    assert_eq!(status, StatusCode::OK);
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(ids(&body).contains(&doc["id"].as_i64().unwrap()), "{body}");
}

fn bearer_get(path: &str, token: &str) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::builder()
        .uri(path)
        .header(axum::http::header::AUTHORIZATION, format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap()
}

#[tokio::test]
async fn the_search_page_speaks_the_readers_language_and_explains_bad_input() {
    let app = TestApp::new().await;
    let mut b = app.browser_as(SEOUL).await;
    let path = format!("/library/search?{}", q("자매결연"));
    b.get("/").await;
    for (tag, heading) in [
        ("ko", "자료실 검색"),
        ("en", "Search the library"),
        ("ja", "ライブラリ検索"),
        ("zh-Hans", "检索资料库"),
        ("zh-Hant", "檢索資料庫"),
    ] {
        let (status, _, _) = b.post("/language", &[("locale", tag), ("back", "/")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, html) = b.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{tag}");
        assert!(html.contains(heading), "{tag}: heading");
        assert!(html.contains("<mark>姊妹市</mark>"), "{tag}: the Chinese report's passage is marked");
        assert!(html.contains(r#"lang="zh-Hant""#), "{tag}");
    }
    // A facet link narrows, and marks itself chosen.
    let (_, html) = b.get(&format!("{path}&language=en")).await;
    assert!(html.contains(r#"aria-current="true""#));
    assert!(!html.contains("<mark>姊妹市</mark>"), "the Chinese report is filtered out");
    // A query too long: the field's error in the reader's language (Traditional Chinese now),
    // the page still answers.
    let (status, html) = b.get(&format!("/library/search?{}", q(&"가".repeat(501)))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"id="q-error""#), "the error is tied to the field");
    assert!(html.contains(r#"aria-invalid="true""#));
    // The document page lists similar documents.
    let seeds = seed_ids(&app, &app.token(SEOUL).await).await;
    let (_, html) = b.get(&format!("/library/{}", seeds["taichung"])).await;
    assert!(html.contains(r#"class="similar""#), "more like this on the document page");
}

#[tokio::test]
async fn an_answered_request_is_kept_in_the_library_and_found_once_published() {
    use crate::desk::{act_ok, create as create_request};
    let app = TestApp::new().await;
    let seoul = app.token(SEOUL).await;
    let staff = app.token(STAFF).await;
    let librarian = app.token(LIBRARIAN).await;
    let busan = app.token(BUSAN).await;
    let r = create_request(&app, &seoul, "information_request").await;
    let id = r["id"].as_i64().unwrap();
    let path = format!("/api/v1/desk/requests/{id}/library-document");
    act_ok(&app, &staff, id, "register", json!({"version": r["version"]})).await;
    act_ok(&app, &staff, id, "assign-department", json!({"department_id": app.org_id("SEC-INTL").await})).await;
    act_ok(&app, &staff, id, "assign-staff", json!({"assignee_id": app.user_id(STAFF).await})).await;

    // Not answered yet: refused, nothing made.
    let (status, body) = app.api(Method::POST, &path, Some(&staff), None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("not_answered")), "{body}");
    let before = app.count("library_documents").await;

    let answer = "French communes fund youth exchanges through their jumelage committees and the OFAJ.";
    act_ok(&app, &staff, id, "final-response", json!({"body": answer})).await;
    // A requester may not; the staff may, once.
    let (status, _) = app.api(Method::POST, &path, Some(&seoul), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, made) = app.api(Method::POST, &path, Some(&staff), None).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let doc = &made["document"];
    assert_eq!((doc["kind"].as_str(), doc["status"].as_str()), (Some("desk_answer"), Some("draft")));
    assert_eq!(doc["title"], r["title"]);
    let text = doc["body"].as_str().unwrap();
    assert!(text.contains("How do French communes fund youth exchanges?") && text.contains(answer), "{text}");
    let (status, again) = app.api(Method::POST, &path, Some(&staff), None).await;
    assert_eq!((status, &again["document"]["id"]), (StatusCode::OK, &doc["id"]));
    assert_eq!(app.count("library_documents").await, before + 1);

    // A draft until a librarian publishes it; then every member finds it.
    assert!(ids(&search(&app, &busan, &q("jumelage")).await).is_empty());
    let (status, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/library/documents/{}/publish", doc["id"]),
            Some(&librarian),
            Some(json!({"version": doc["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let found = search(&app, &busan, &format!("{}&kind=desk_answer", q("jumelage committees"))).await;
    assert_eq!(ids(&found), vec![doc["id"].as_i64().unwrap()]);

    // On the request's page the staff have the button; it opens the document's form.
    let mut b = app.browser_as(STAFF).await;
    let (_, html) = b.get(&format!("/desk/requests/{id}")).await;
    assert!(html.contains(&format!(r#"action="/desk/requests/{id}/to-library""#)), "the button is shown");
    let (status, location, _) = b.post(&format!("/desk/requests/{id}/to-library"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some(format!("/library/{}/edit", doc["id"]).as_str()));
    let mut requester = app.browser_as(SEOUL).await;
    let (_, html) = requester.get(&format!("/desk/requests/{id}")).await;
    assert!(!html.contains("to-library"), "not for the requester");
}
