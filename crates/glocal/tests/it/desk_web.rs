//! The desk's pages, driven like a browser: a requester files a request through the form of
//! its category, staff walk it through the six steps with the page's forms, internal notes
//! stay internal, another organisation's requester finds nothing, a stale form is refused
//! with a clear message, the dashboard counts right, the exports carry the rows, and every
//! page speaks all five languages.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use crate::support::{Browser, TestApp};

const REQUESTER: &str = "seoul@demo.glocal.example";
const OTHER_REQUESTER: &str = "busan@demo.glocal.example";
const STAFF: &str = "staff@demo.glocal.example";
const MANAGER: &str = "manager@demo.glocal.example";

/// The application without automatic routing, so that people take every step.
async fn app() -> TestApp {
    TestApp::with(|c| c.desk.auto_route = false).await
}

const TRANSLATION: &[(&str, &str)] = &[
    ("category", "interpretation_translation"),
    ("title", "자매도시 협정서 번역"),
    ("priority", "high"),
    ("description", "협정 체결식 전에 필요합니다"),
    ("fields.service", "translation"),
    ("fields.source_language", "ko"),
    ("fields.target_languages", "ja, en"),
    ("fields.due_date", "2026-12-20"),
    ("fields.text", "서울시 자매도시 협정서 초안입니다"),
];

/// Files the translation request through the form; returns its id.
async fn file_translation(b: &mut Browser<'_>) -> i64 {
    let (status, _) = b.get("/desk/new?category=interpretation_translation").await;
    assert_eq!(status, StatusCode::OK);
    let (status, location, body) = b.post("/desk/requests", TRANSLATION).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let location = location.unwrap();
    location.strip_prefix("/desk/requests/").unwrap().parse().unwrap()
}

/// The version the page's action forms carry.
fn version(html: &str) -> String {
    let marker = "name=\"version\" value=\"";
    let i = html.find(marker).expect("an action form") + marker.len();
    html[i..].split('"').next().unwrap().to_string()
}

/// Posts an action form from the request page, as the page sets it up.
async fn act(b: &mut Browser<'_>, id: i64, action: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let (_, html) = b.get(&format!("/desk/requests/{id}")).await;
    assert!(html.contains(&format!("/actions/{action}\"")), "{action} is offered");
    let v = version(&html);
    let mut all = vec![("version", v.as_str())];
    all.extend_from_slice(fields);
    let (status, location, body) = b.post(&format!("/desk/requests/{id}/actions/{action}"), &all).await;
    if status == StatusCode::SEE_OTHER {
        assert_eq!(location.as_deref(), Some(format!("/desk/requests/{id}").as_str()));
    }
    (status, body)
}

/// Switches the reader's language with the layout's form (a logged-in user's saved language
/// wins over `Accept-Language`).
async fn set_lang(b: &mut Browser<'_>, lang: &str) {
    b.get("/desk").await;
    let (status, _, _) = b.post("/language", &[("locale", lang), ("back", "/desk")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    b.accept_language = lang.into();
}

/// GET with the browser's cookies, keeping the body as bytes (downloads).
async fn download(app: &TestApp, b: &Browser<'_>, path: &str) -> (StatusCode, String, Vec<u8>) {
    let cookies = b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let req = Request::builder().uri(path).header(header::COOKIE, cookies).body(Body::empty()).unwrap();
    let (status, headers, body) = app.send(req).await;
    let ct = headers.get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, ct, body)
}

#[tokio::test]
async fn a_requester_files_a_translation_request_through_the_form_and_sees_it() {
    let app = app().await;
    let mut seoul = app.browser_as(REQUESTER).await;
    let (status, html) = seoul.get("/desk").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("href=\"/desk\" aria-current=\"page\""), "the desk is in the navigation");
    let id = file_translation(&mut seoul).await;
    let (status, html) = seoul.get(&format!("/desk/requests/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("요청이 접수되었습니다."), "the filed notice");
    for text in
        ["자매도시 협정서 번역", "통역·번역", "높음", "ja, en", "2026-12-20", "서울시 자매도시 협정서 초안입니다"]
    {
        assert!(html.contains(text), "the page shows {text}");
    }
    // The six steps, the first one current.
    assert_eq!(html.matches("<li class=\"todo\"").count(), 5);
    assert!(html.contains("<li class=\"current\" aria-current=\"step\">"));
    // Only what the requester may do: withdraw (never register).
    assert!(html.contains("/actions/withdraw\"") && !html.contains("/actions/register\""));
    let (_, list) = seoul.get("/desk").await;
    assert!(list.contains(&format!("href=\"/desk/requests/{id}\"")) && list.contains("자매도시 협정서 번역"));

    // What the form stored is what the API reads.
    let token = app.token(REQUESTER).await;
    let (_, r) = app.api(axum::http::Method::GET, &format!("/api/v1/desk/requests/{id}"), Some(&token), None).await;
    assert_eq!(r["fields"]["target_languages"], serde_json::json!(["ja", "en"]));
    assert_eq!((r["priority"].as_str(), r["state"].as_str()), (Some("high"), Some("submitted")));
    assert!(r["fields"]["char_count"].as_u64().unwrap() > 10);

    // Every other category has its own form, and files through it.
    let forms: &[&[(&str, &str)]] = &[
        &[
            ("category", "international_exchange"),
            ("title", "베트남 교류 도시 찾기"),
            ("fields.partner", "sought"),
            ("fields.country", "VN"),
            ("fields.fields_of_exchange", "culture, youth"),
            ("fields.purpose", "청소년 교류"),
        ],
        &[
            ("category", "overseas_visit"),
            ("title", "오사카 방문"),
            ("fields.delegation.name", "김시장"),
            ("fields.delegation.title", "시장"),
            ("fields.delegation.role", "단장"),
            ("fields.delegation.name", "이국장"),
            ("fields.delegation.title", "국장"),
            ("fields.delegation.role", "단원"),
            ("fields.delegation.name", ""),
            ("fields.delegation.title", ""),
            ("fields.delegation.role", ""),
            ("fields.destinations.city", "Osaka"),
            ("fields.destinations.country", "JP"),
            ("fields.destinations.arrive", "2027-03-02"),
            ("fields.destinations.depart", "2027-03-04"),
            ("fields.purposes", "방재 정책 연수\n자매도시 협의"),
        ],
        &[
            ("category", "information_request"),
            ("title", "프랑스 청소년 교류 재원"),
            ("fields.question", "How do French communes fund youth exchanges?"),
            ("fields.countries", "FR"),
        ],
        &[("category", "general_inquiry"), ("title", "보고서 제출처"), ("fields.question", "어디로 보내나요?")],
    ];
    for form in forms {
        seoul.get(&format!("/desk/new?category={}", form[0].1)).await;
        let (status, location, body) = seoul.post("/desk/requests", form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{}: {body}", form[0].1);
        let (_, html) = seoul.get(&location.unwrap()).await;
        assert!(html.contains(form[1].1));
    }
    let (_, html) = seoul.get("/desk").await;
    assert!(html.contains("이국장") || html.contains("오사카 방문"));
    let (_, html) = seoul.get("/desk?category=overseas_visit").await;
    assert!(html.contains("오사카 방문") && !html.contains("자매도시 협정서 번역"), "the category filter");
}

#[tokio::test]
async fn a_bad_form_changes_nothing_and_names_each_field_in_the_readers_language() {
    let app = app().await;
    let mut seoul = app.browser_as(REQUESTER).await;
    let before = (app.count("desk_requests").await, app.count("audit_events").await);
    seoul.get("/desk/new?category=interpretation_translation").await;
    let bad = [
        ("category", "interpretation_translation"),
        ("title", ""),
        ("fields.service", "translation"),
        ("fields.source_language", "korean!"),
        ("fields.target_languages", ""),
        ("fields.text", "보존되어야 할 본문"),
    ];
    let (status, _, html) = seoul.post("/desk/requests", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["title", "fields.source_language", "fields.target_languages"] {
        assert!(html.contains(&format!("id=\"{field}-error\"")), "{field} is marked");
    }
    assert!(html.contains("필수 항목입니다") || html.contains("입력하세요"), "Korean messages: {html}");
    assert!(html.contains("보존되어야 할 본문"), "what was typed stays in the form");
    assert_eq!((app.count("desk_requests").await, app.count("audit_events").await), before, "nothing was written");
    set_lang(&mut seoul, "en").await;
    seoul.get("/desk/new?category=interpretation_translation").await;
    let (_, _, html) = seoul.post("/desk/requests", &bad).await;
    assert!(html.contains("This field is required."), "English messages");
    let (_, _, html) =
        seoul.post("/desk/requests", &[("category", "overseas_visit"), ("title", "x"), ("fields.purposes", "")]).await;
    assert!(html.contains("id=\"fields.delegation\"") && html.contains("id=\"fields.purposes-error\""), "{html}");
    assert_eq!(app.count("desk_requests").await, before.0, "nothing was written");
}

#[tokio::test]
async fn staff_walk_a_request_through_the_steps_with_the_page_forms() {
    let app = app().await;
    let mut seoul = app.browser_as(REQUESTER).await;
    let id = file_translation(&mut seoul).await;
    let mut staff = app.browser_as(STAFF).await;
    let (status, html) = staff.get("/desk?queue=unassigned").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("href=\"/desk/requests/{id}\"")), "the new request waits unassigned");
    let dept = app.org_id("SEC-INTL").await.to_string();
    let staff_id = app.user_id(STAFF).await.to_string();

    assert_eq!(act(&mut staff, id, "register", &[]).await.0, StatusCode::SEE_OTHER);
    // A missing department is a field error on that form; nothing moves.
    let (status, html) = act(&mut staff, id, "assign_department", &[("department_id", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"assign_department-department_id-error\""));
    let steps: &[(&str, Vec<(&str, &str)>)] = &[
        ("assign_department", vec![("department_id", dept.as_str()), ("reason", "서울 본부")]),
        ("assign_staff", vec![("assignee_id", staff_id.as_str())]),
        ("interim_response", vec![("body", "번역사를 배정했습니다.")]),
    ];
    for (action, fields) in steps {
        let (status, body) = act(&mut staff, id, action, fields).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{action}: {body}");
    }
    // An internal note and a public reply.
    staff.get(&format!("/desk/requests/{id}")).await;
    let (status, _, _) = staff
        .post(&format!("/desk/requests/{id}/messages"), &[("internal", "1"), ("body", "내부 메모: 단가 검토 필요")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) =
        staff.post(&format!("/desk/requests/{id}/messages"), &[("body", "원문 파일도 보내 주세요.")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = staff.get(&format!("/desk/requests/{id}")).await;
    assert!(html.contains("내부 메모: 단가 검토 필요") && html.contains("class=\"message internal\""));
    assert!(html.contains("서울 본부"), "the timeline shows the reason");
    assert!(html.contains("class=\"tag sla-"), "an SLA badge");
    assert!(html.contains("class=\"activity-log timeline\""));

    // The requester sees the reply and the interim response, never the note.
    let (_, html) = seoul.get(&format!("/desk/requests/{id}")).await;
    assert!(html.contains("원문 파일도 보내 주세요.") && html.contains("번역사를 배정했습니다."));
    assert!(!html.contains("단가 검토"), "an internal note never reaches the requester");
    assert!(!html.contains("class=\"activity-log timeline\""), "nor the staff's timeline");
    assert_eq!(html.matches("<li class=\"done\"").count(), 4, "four steps done");
    assert!(html.contains("<li class=\"current\" aria-current=\"step\">"));
    // The requester attaches a file through the multipart form.
    let csrf = seoul.csrf();
    let boundary = "----glocaltest";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"원문.txt\"\r\nContent-Type: text/plain\r\n\r\n협정서 원문 전체입니다\r\n--{boundary}--\r\n"
    );
    let cookies = seoul.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let req = Request::builder()
        .method("POST")
        .uri(format!("/desk/requests/{id}/attachments"))
        .header(header::COOKIE, cookies)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap();
    let (status, _, _) = app.send(req).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = seoul.get(&format!("/desk/requests/{id}")).await;
    assert!(html.contains("원문.txt"));
    let att = html.split(&format!("/desk/requests/{id}/attachments/")).nth(1).unwrap().split('"').next().unwrap();
    let (status, _, bytes) = download(&app, &seoul, &format!("/desk/requests/{id}/attachments/{att}")).await;
    assert_eq!((status, String::from_utf8(bytes).unwrap().as_str()), (StatusCode::OK, "협정서 원문 전체입니다"));

    let (status, _) = act(&mut staff, id, "final_response", &[("body", "번역본을 첨부합니다.")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = seoul.get(&format!("/desk/requests/{id}")).await;
    assert!(html.contains("번역본을 첨부합니다.") && html.contains("/rating\""), "answered: the rating form");
    assert!(html.contains("/actions/close\"") && html.contains("/actions/reopen\""));
    let (status, _, _) =
        seoul.post(&format!("/desk/requests/{id}/rating"), &[("score", "5"), ("comment", "빠르고 정확")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = act(&mut seoul, id, "close", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = seoul.get(&format!("/desk/requests/{id}")).await;
    assert_eq!(html.matches("<li class=\"done\"").count(), 6, "all six steps done");
    assert!(html.contains("5점으로 평가"));
    let (_, bad, _) = (0, seoul.post(&format!("/desk/requests/{id}/rating"), &[("score", "9")]).await, 0);
    assert_eq!(bad.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.2.contains("id=\"rating-score\""), "the score is marked");
}

#[tokio::test]
async fn another_organisation_finds_nothing_and_a_stale_form_is_refused_with_a_clear_message() {
    let app = app().await;
    let mut seoul = app.browser_as(REQUESTER).await;
    let id = file_translation(&mut seoul).await;
    let mut busan = app.browser_as(OTHER_REQUESTER).await;
    let (status, html) = busan.get(&format!("/desk/requests/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!html.contains("자매도시 협정서 번역"));
    let (_, list) = busan.get("/desk").await;
    assert!(!list.contains("자매도시 협정서 번역"));
    let (status, _, body) = download(&app, &busan, "/desk/requests.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!String::from_utf8(body).unwrap().contains("자매도시"), "nor in the export");
    busan.get("/desk").await;
    let (status, _, _) = busan.post(&format!("/desk/requests/{id}/messages"), &[("body", "hello")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Requesters have no dashboard.
    assert_eq!(seoul.get("/desk/dashboard").await.0, StatusCode::FORBIDDEN);

    // Two staff read the page; one registers; the other's form is stale.
    let mut staff = app.browser_as(STAFF).await;
    let mut manager = app.browser_as(MANAGER).await;
    let (_, html) = staff.get(&format!("/desk/requests/{id}")).await;
    let stale = version(&html);
    manager.get(&format!("/desk/requests/{id}")).await;
    assert_eq!(act(&mut manager, id, "register", &[]).await.0, StatusCode::SEE_OTHER);
    let events = app.count("desk_events").await;
    let (status, _, html) = staff
        .post(&format!("/desk/requests/{id}/actions/withdraw"), &[("version", stale.as_str()), ("reason", "중복")])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("다른 사람이 그사이 이 요청을 변경했습니다"), "{html}");
    assert_eq!(app.count("desk_events").await, events, "nothing changed");
    set_lang(&mut staff, "en").await;
    let (status, _, html) =
        staff.post(&format!("/desk/requests/{id}/actions/withdraw"), &[("version", stale.as_str())]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("Someone else changed this request"));
    let (_, html) = staff.get(&format!("/desk/requests/{id}")).await;
    assert!(html.contains("접수") || html.contains("Registered"), "still registered");
}

#[tokio::test]
async fn the_dashboard_draws_the_figures_and_the_exports_carry_the_rows() {
    let app = app().await;
    let mut seoul = app.browser_as(REQUESTER).await;
    let first = file_translation(&mut seoul).await;
    let second = file_translation(&mut seoul).await;
    seoul.get("/desk/new?category=general_inquiry").await;
    seoul
        .post("/desk/requests", &[("category", "general_inquiry"), ("title", "문의 하나"), ("fields.question", "?")])
        .await;
    let mut staff = app.browser_as(STAFF).await;
    act(&mut staff, first, "register", &[]).await;
    let dept = app.org_id("SEC-INTL").await.to_string();
    act(&mut staff, first, "assign_department", &[("department_id", dept.as_str())]).await;
    let _ = second;

    let mut manager = app.browser_as(MANAGER).await;
    manager.accept_language = "ko".into();
    let (status, html) = manager.get("/desk/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.matches("<svg").count() >= 5, "charts are drawn as SVG");
    assert!(html.contains("전체 요청 3건"));
    assert!(
        html.contains("<a href=\"/desk?category=interpretation_translation\">통역·번역</a></th><td>2</td>"),
        "two translation requests"
    );
    assert!(html.contains("<a href=\"/desk?category=general_inquiry\">일반 문의</a></th><td>1</td>"));
    assert!(html.contains("<th scope=\"row\">접수</th><td>1</td>"), "one request registered");
    assert!(html.contains("<th scope=\"row\">미배정</th><td>2</td>"), "two held by no unit yet");
    assert_eq!(staff.get("/desk/dashboard").await.0, StatusCode::FORBIDDEN, "staff without the manager role");

    let (status, ct, body) = download(&app, &manager, "/desk/requests.csv?category=interpretation_translation").await;
    assert_eq!((status, ct.as_str()), (StatusCode::OK, "text/csv; charset=utf-8"));
    let text = String::from_utf8(body).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "id");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2, "the filter holds");
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let row = rows.iter().find(|r| r[col("id")] == first.to_string()).unwrap();
    assert_eq!(&row[col("state")], "department_assigned");
    assert_eq!(&row[col("title")], "자매도시 협정서 번역");
    assert!(row[col("reg_no")].len() == 11);
    assert_eq!(&row[col("organization")], "서울특별시");

    let (status, _, bytes) = download(&app, &manager, "/desk/requests.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range("requests").unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows.len(), 4, "a header and three requests");
    assert_eq!(rows[0][0], "id");
    let xl = rows.iter().find(|r| r[0] == first.to_string()).expect("ids are numbers");
    assert_eq!(
        (xl[2].as_str(), xl[3].as_str(), xl[5].as_str()),
        ("자매도시 협정서 번역", "interpretation_translation", "department_assigned")
    );
    assert!(rows.iter().any(|r| r[2] == "문의 하나" && r[5] == "submitted"));
}

#[tokio::test]
async fn every_desk_page_renders_in_the_five_languages() {
    let app = app().await;
    let mut seoul = app.browser_as(REQUESTER).await;
    let id = file_translation(&mut seoul).await;
    let mut staff = app.browser_as(MANAGER).await;
    act(&mut staff, id, "register", &[]).await;
    let staff_pages = [
        "/desk".to_string(),
        "/desk?queue=breaching_soon".to_string(),
        "/desk?queue=mine&state=registered&category=overseas_visit&q=x".to_string(),
        format!("/desk/requests/{id}"),
        "/desk/dashboard".to_string(),
    ];
    let mut requester_pages = vec!["/desk".to_string(), "/desk/new".to_string(), format!("/desk/requests/{id}")];
    for c in [
        "interpretation_translation",
        "international_exchange",
        "overseas_visit",
        "information_request",
        "general_inquiry",
    ] {
        requester_pages.push(format!("/desk/new?category={c}"));
    }
    let untranslated = |html: &str| {
        let cleaned = ["desk-steps", "desk-list", "desk-actions", "desk-action", "desk-requests"]
            .iter()
            .fold(html.to_string(), |h, allowed| h.replace(allowed, ""));
        cleaned.find("desk-").map(|i| cleaned[i..cleaned.len().min(i + 60)].to_string())
    };
    for lang in ["ko", "en", "ja", "zh-Hans", "zh-Hant"] {
        for (b, pages) in [(&mut staff, &staff_pages[..]), (&mut seoul, &requester_pages[..])] {
            set_lang(b, lang).await;
            for p in pages.iter() {
                let (status, html) = b.get(p).await;
                assert_eq!(status, StatusCode::OK, "{p} in {lang}");
                assert_eq!(untranslated(&html), None, "{p} in {lang} shows an untranslated key");
                assert!(html.contains(&format!("<html lang=\"{lang}\"")));
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_requester_files_and_staff_answer_in_a_real_browser() {
    if !crate::browser::browser_available() {
        return;
    }
    let app = TestApp::new().await;
    let base = app.serve().await;
    tokio::task::spawn_blocking(move || crate::browser::run_script("desk.py", &base)).await.unwrap();
    let token = app.token(REQUESTER).await;
    let (_, list) = app.api(axum::http::Method::GET, "/api/v1/desk/requests", Some(&token), None).await;
    let r = list["items"].as_array().unwrap().iter().find(|r| r["title"] == "브라우저 번역 요청").expect("filed");
    assert_eq!(r["state"], "answered");
}
