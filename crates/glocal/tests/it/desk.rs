//! The desk: the six steps of every category, transfer, hold and resume, reopening and
//! withdrawal, refused transitions, requester isolation on every endpoint, concurrent actions,
//! attachments and the fields administrators add.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

use crate::support::TestApp;

const REQUESTER: &str = "seoul@demo.glocal.example";
const OTHER_REQUESTER: &str = "busan@demo.glocal.example";
const STAFF: &str = "staff@demo.glocal.example";
const MANAGER: &str = "manager@demo.glocal.example";

pub(crate) fn fields_of(category: &str) -> Value {
    match category {
        "interpretation_translation" => json!({
            "service": "translation", "source_language": "ko", "target_languages": ["ja"],
            "due_date": "2026-12-20", "text": "서울시 자매도시 협정서 초안입니다"
        }),
        "international_exchange" => json!({
            "partner": "sought", "country": "VN", "fields_of_exchange": ["culture", "youth"],
            "purpose": "A sister-city partner in central Vietnam"
        }),
        "overseas_visit" => json!({
            "delegation": [{"name": "Kim", "title": "Mayor", "role": "head"}, {"name": "Lee", "title": "Director", "role": "member"}],
            "destinations": [{"city": "Osaka", "country": "JP", "arrive": "2027-03-02", "depart": "2027-03-04"}],
            "purposes": ["Study of disaster preparedness"], "meetings_wanted": ["Osaka Prefecture crisis management office"]
        }),
        "information_request" => json!({
            "question": "How do French communes fund youth exchanges?", "countries": ["FR"], "answer_needed_by": "2027-01-15"
        }),
        _ => json!({"question": "Where do we send our exchange report?"}),
    }
}

pub(crate) async fn create(app: &TestApp, token: &str, category: &str) -> Value {
    let (status, body) = app
        .api(
            Method::POST,
            "/api/v1/desk/requests",
            Some(token),
            Some(
                json!({"category": category, "title": format!("A {category} request"), "fields": fields_of(category)}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

pub(crate) async fn act(app: &TestApp, token: &str, id: i64, action: &str, body: Value) -> (StatusCode, Value) {
    app.api(Method::POST, &format!("/api/v1/desk/requests/{id}/{action}"), Some(token), Some(body)).await
}

pub(crate) async fn act_ok(app: &TestApp, token: &str, id: i64, action: &str, body: Value) -> Value {
    let (status, out) = act(app, token, id, action, body).await;
    assert_eq!(status, StatusCode::OK, "{action}: {out}");
    out
}

async fn events(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    let (status, body) = app.api(Method::GET, &format!("/api/v1/desk/requests/{id}/events"), Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().unwrap().clone()
}

#[tokio::test]
async fn every_category_walks_the_six_steps() {
    let app = TestApp::new().await;
    let requester = app.token(REQUESTER).await;
    let staff = app.token(STAFF).await;
    let dept = app.org_id("SEC-INTL").await;
    let staff_id = app.user_id(STAFF).await;
    let mut numbers = Vec::new();
    for category in [
        "interpretation_translation",
        "international_exchange",
        "overseas_visit",
        "information_request",
        "general_inquiry",
    ] {
        let r = create(&app, &requester, category).await;
        let id = r["id"].as_i64().unwrap();
        assert_eq!((r["state"].as_str(), r["step"].as_u64()), (Some("submitted"), Some(0)));
        assert_eq!(r["actions"], json!(["register", "withdraw"]));

        let r = act_ok(&app, &staff, id, "register", json!({"version": 1})).await;
        let reg_no = r["reg_no"].as_str().unwrap().to_string();
        assert!(
            reg_no.len() == 11 && reg_no.as_bytes()[4] == b'-' && reg_no[5..].chars().all(|c| c.is_ascii_digit()),
            "{reg_no}"
        );
        numbers.push(reg_no);
        let r =
            act_ok(&app, &staff, id, "assign-department", json!({"department_id": dept, "reason": "Seoul desk"})).await;
        assert_eq!((r["state"].as_str(), r["department_id"].as_i64()), (Some("department_assigned"), Some(dept)));
        let r = act_ok(&app, &staff, id, "assign-staff", json!({"assignee_id": staff_id})).await;
        assert_eq!((r["state"].as_str(), r["step"].as_u64()), (Some("staff_assigned"), Some(3)));
        act_ok(&app, &staff, id, "interim-response", json!({"body": "We are on it."})).await;
        let r = act_ok(&app, &staff, id, "interim-response", json!({"body": "Still on it."})).await;
        assert_eq!(r["state"], "interim_responded");
        let r = act_ok(&app, &staff, id, "final-response", json!({"body": "Here is the answer."})).await;
        assert_eq!((r["state"].as_str(), r["step"].as_u64()), (Some("answered"), Some(5)));
        assert!(r["answered_at"].is_string());
        let r = act_ok(&app, &requester, id, "close", json!({"reason": "Thank you"})).await;
        assert_eq!((r["state"].as_str(), r["step"].as_u64()), (Some("closed"), Some(6)));
        let (status, r) = app
            .api(
                Method::POST,
                &format!("/api/v1/desk/requests/{id}/rating"),
                Some(&requester),
                Some(json!({"score": 5, "comment": "Fast"})),
            )
            .await;
        assert_eq!((status, r["rating"].as_i64()), (StatusCode::OK, Some(5)), "{r}");

        // The timeline has every step with its actor, from and to.
        let timeline = events(&app, &requester, id).await;
        let steps: Vec<(&str, &str)> = timeline
            .iter()
            .filter(|e| e["to_state"].is_string())
            .map(|e| (e["kind"].as_str().unwrap(), e["to_state"].as_str().unwrap()))
            .collect();
        assert_eq!(
            steps,
            [
                ("created", "submitted"),
                ("register", "registered"),
                ("assign_department", "department_assigned"),
                ("assign_staff", "staff_assigned"),
                ("interim_response", "interim_responded"),
                ("interim_response", "interim_responded"),
                ("final_response", "answered"),
                ("close", "closed"),
            ],
            "{category}"
        );
        let assign = timeline.iter().find(|e| e["kind"] == "assign_department").unwrap();
        assert_eq!(assign["reason"], "Seoul desk");
        assert_eq!(assign["actor_id"], app.user_id(STAFF).await);
        assert!(timeline.iter().any(|e| e["kind"] == "rating" && e["details"]["score"] == 5));

        // The requester reads the responses in the thread.
        let (_, detail) = app.api(Method::GET, &format!("/api/v1/desk/requests/{id}"), Some(&requester), None).await;
        let kinds: Vec<&str> =
            detail["messages"].as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["interim_response", "interim_response", "final_response"]);
    }
    // Registration numbers follow each other within the year.
    let seq: Vec<u32> = numbers.iter().map(|n| n[5..].parse().unwrap()).collect();
    assert_eq!(seq, [1, 2, 3, 4, 5]);
    // Every step is in the audit log too.
    assert!(app.count("audit_events WHERE action = 'desk_request.register'").await >= 5);
}

#[tokio::test]
async fn transfer_hold_resume_reopen_and_withdrawal() {
    let app = TestApp::new().await;
    let requester = app.token(REQUESTER).await;
    let staff = app.token(STAFF).await;
    let tokyo = app.token("tokyo@demo.glocal.example").await;
    let id = create(&app, &requester, "overseas_visit").await["id"].as_i64().unwrap();
    act_ok(&app, &staff, id, "register", json!({})).await;
    act_ok(&app, &staff, id, "assign-department", json!({"department_id": app.org_id("SEC-INTL").await})).await;
    act_ok(&app, &staff, id, "assign-staff", json!({"assignee_id": app.user_id(STAFF).await})).await;

    // A visit to Japan goes to the Tokyo office: back to department_assigned, nobody assigned.
    let off_jp = app.org_id("OFF-JP").await;
    let r = act_ok(&app, &staff, id, "transfer", json!({"department_id": off_jp, "reason": "Japan"})).await;
    assert_eq!((r["state"].as_str(), r["department_id"].as_i64()), (Some("department_assigned"), Some(off_jp)));
    assert!(r["assignee_id"].is_null());
    // Transferring to where it already is, or to a member government, is refused.
    let (status, body) = act(&app, &staff, id, "transfer", json!({"department_id": off_jp})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_choice")));
    let (status, body) =
        act(&app, &staff, id, "transfer", json!({"department_id": app.org_id("1100000000").await})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_department")));
    act_ok(&app, &tokyo, id, "assign-staff", json!({"assignee_id": app.user_id("tokyo@demo.glocal.example").await}))
        .await;

    // Hold with a question; the requester's reply resumes it where it was.
    let r = act_ok(&app, &tokyo, id, "hold", json!({"body": "Which dates suit the mayor?"})).await;
    assert_eq!((r["state"].as_str(), r["held_from"].as_str()), (Some("on_hold"), Some("staff_assigned")));
    let (status, body) = act(&app, &tokyo, id, "final-response", json!({"body": "x"})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("transition_not_allowed")));
    let (status, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/desk/requests/{id}/messages"),
            Some(&requester),
            Some(json!({"body": "3-4 March"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, r) = app.api(Method::GET, &format!("/api/v1/desk/requests/{id}"), Some(&tokyo), None).await;
    assert_eq!((r["state"].as_str(), r["held_from"].as_str()), (Some("staff_assigned"), None));
    let kinds: Vec<&str> = r["messages"].as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["question", "reply"]);
    // Staff can also hold and resume explicitly.
    act_ok(&app, &tokyo, id, "hold", json!({"reason": "Waiting for the programme"})).await;
    let r = act_ok(&app, &tokyo, id, "resume", json!({})).await;
    assert_eq!(r["state"], "staff_assigned");

    // Answer, then the requester reopens within the window.
    act_ok(&app, &tokyo, id, "final-response", json!({"body": "Meetings confirmed."})).await;
    let r = act_ok(&app, &requester, id, "reopen", json!({"reason": "One meeting is missing"})).await;
    assert_eq!((r["state"].as_str(), r["answered_at"].as_str()), (Some("staff_assigned"), None));
    assert_eq!(r["assignee_id"], app.user_id("tokyo@demo.glocal.example").await);

    // A withdrawn request stays withdrawn.
    let other = create(&app, &requester, "general_inquiry").await["id"].as_i64().unwrap();
    act_ok(&app, &staff, other, "register", json!({})).await;
    let r = act_ok(&app, &requester, other, "withdraw", json!({"reason": "Found it"})).await;
    assert_eq!(r["state"], "withdrawn");
    assert_eq!(r["actions"], json!([]));
    for action in ["register", "reopen", "resume", "withdraw", "close"] {
        let (status, body) = act(&app, &staff, other, action, json!({})).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("transition_not_allowed")), "{action}");
    }
}

#[tokio::test]
async fn reopening_is_refused_after_the_window() {
    let app = TestApp::with(|c| c.desk.reopen_days = 0).await;
    let requester = app.token(REQUESTER).await;
    let staff = app.token(STAFF).await;
    let id = create(&app, &requester, "general_inquiry").await["id"].as_i64().unwrap();
    act_ok(&app, &staff, id, "register", json!({})).await;
    act_ok(&app, &staff, id, "assign-department", json!({"department_id": app.org_id("SEC-INTL").await})).await;
    act_ok(&app, &staff, id, "assign-staff", json!({"assignee_id": app.user_id(STAFF).await})).await;
    act_ok(&app, &staff, id, "final-response", json!({"body": "Answer"})).await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let (status, body) = act(&app, &requester, id, "reopen", json!({})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("reopen_window_passed")));
}

#[tokio::test]
async fn forbidden_transitions_change_nothing() {
    let app = TestApp::new().await;
    let requester = app.token(REQUESTER).await;
    let staff = app.token(STAFF).await;
    let id = create(&app, &requester, "general_inquiry").await["id"].as_i64().unwrap();
    let (staff_id, librarian_id) = (app.user_id(STAFF).await, app.user_id("librarian@demo.glocal.example").await);
    let (dept, off_jp) = (app.org_id("SEC-INTL").await, app.org_id("OFF-JP").await);
    let events_before = app.count("desk_events").await;
    let audit_before = app.count("audit_events").await;
    for (action, body) in [
        ("final-response", json!({"body": "Too early"})),
        ("assign-staff", json!({"assignee_id": staff_id})),
        ("close", json!({})),
        ("reopen", json!({})),
        ("resume", json!({})),
        ("hold", json!({"reason": "?"})),
        ("transfer", json!({"department_id": off_jp})),
    ] {
        let (status, out) = act(&app, &staff, id, action, body).await;
        assert_eq!((status, out["code"].as_str()), (StatusCode::CONFLICT, Some("transition_not_allowed")), "{action}");
    }
    // The requester may not do the desk's work.
    let (status, out) = act(&app, &requester, id, "register", json!({})).await;
    assert_eq!((status, out["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    // A response needs its text; an assignment needs desk staff.
    act_ok(&app, &staff, id, "register", json!({})).await;
    act_ok(&app, &staff, id, "assign-department", json!({"department_id": dept})).await;
    let (status, out) = act(&app, &staff, id, "assign-staff", json!({"assignee_id": librarian_id})).await;
    assert_eq!((status, out["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_staff")));
    let (_, r) = app.api(Method::GET, &format!("/api/v1/desk/requests/{id}"), Some(&staff), None).await;
    assert_eq!((r["state"].as_str(), r["version"].as_i64()), (Some("department_assigned"), Some(3)));
    // Exactly the two successful steps left a trace.
    assert_eq!(app.count("desk_events").await, events_before + 2);
    assert_eq!(app.count("audit_events").await, audit_before + 2);
    // A stale version is refused.
    let (status, out) = act(&app, &staff, id, "hold", json!({"version": 2, "reason": "?"})).await;
    assert_eq!((status, out["code"].as_str()), (StatusCode::CONFLICT, Some("conflict_stale")));
}

#[tokio::test]
async fn requesters_see_only_their_organisation_and_never_internal_notes() {
    let app = TestApp::new().await;
    let requester = app.token(REQUESTER).await;
    let other = app.token(OTHER_REQUESTER).await;
    let staff = app.token(STAFF).await;
    let id = create(&app, &requester, "information_request").await["id"].as_i64().unwrap();
    act_ok(&app, &staff, id, "register", json!({})).await;
    let (status, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/desk/requests/{id}/messages"),
            Some(&staff),
            Some(json!({"body": "INTERNAL: ask the Paris office", "internal": true})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, att) = upload(&app, &staff, id, "memo.txt", "INTERNAL memo".as_bytes(), true).await;
    assert_eq!(status, StatusCode::CREATED, "{att}");
    let internal_att = att["id"].as_i64().unwrap();
    let (_, public_att) = upload(&app, &requester, id, "letter.txt", "Dear colleagues".as_bytes(), false).await;
    let public_att = public_att["id"].as_i64().unwrap();

    // Another organisation's requester: every request endpoint answers not found.
    let base = format!("/api/v1/desk/requests/{id}");
    for path in [base.clone(), format!("{base}/events"), format!("{base}/attachments/{public_att}")] {
        let (status, body) = app.api(Method::GET, &path, Some(&other), None).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "GET {path}");
    }
    for action in [
        "register",
        "assign-department",
        "assign-staff",
        "interim-response",
        "final-response",
        "close",
        "reopen",
        "withdraw",
        "transfer",
        "hold",
        "resume",
    ] {
        let (status, body) = act(&app, &other, id, action, json!({})).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{action}");
    }
    for (path, body) in
        [(format!("{base}/messages"), json!({"body": "hello"})), (format!("{base}/rating"), json!({"score": 1}))]
    {
        let (status, out) = app.api(Method::POST, &path, Some(&other), Some(body)).await;
        assert_eq!((status, out["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "POST {path}");
    }
    let (status, _) = upload(&app, &other, id, "x.txt", b"hello", false).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.api(Method::GET, "/api/v1/desk/requests", Some(&other), None).await;
    assert_eq!(list["total"], 0);
    // Filtering by another organisation does not widen what a requester sees.
    let seoul = app.org_id("1100000000").await;
    let (_, list) = app.api(Method::GET, &format!("/api/v1/desk/requests?org_id={seoul}"), Some(&other), None).await;
    assert_eq!(list["total"], 0);
    // Without a token: unauthenticated.
    let (status, _) = app.api(Method::GET, &base, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The requester's own view has no internal note, file or event.
    let (_, mine) = app.api(Method::GET, &base, Some(&requester), None).await;
    assert!(!mine.to_string().contains("INTERNAL"), "{mine}");
    assert_eq!(mine["attachments"].as_array().unwrap().len(), 1);
    let timeline = events(&app, &requester, id).await;
    assert!(timeline.iter().all(|e| e["internal"] == false));
    let (status, _) = app.api(Method::GET, &format!("{base}/attachments/{internal_att}"), Some(&requester), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A requester cannot write an internal note.
    let (status, _) = app
        .api(Method::POST, &format!("{base}/messages"), Some(&requester), Some(json!({"body": "x", "internal": true})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The desk sees everything.
    let (_, theirs) = app.api(Method::GET, &base, Some(&staff), None).await;
    assert!(theirs.to_string().contains("INTERNAL: ask the Paris office"));
    assert_eq!(theirs["attachments"].as_array().unwrap().len(), 2);
    let (_, list) = app.api(Method::GET, "/api/v1/desk/requests", Some(&requester), None).await;
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn concurrent_actions_have_exactly_one_winner() {
    let app = TestApp::new().await;
    let requester = app.token(REQUESTER).await;
    let staff = app.token(STAFF).await;
    let manager = app.token(MANAGER).await;
    let (_, second) = app.sibling().await;
    let id = create(&app, &requester, "general_inquiry").await["id"].as_i64().unwrap();
    act_ok(&app, &staff, id, "register", json!({})).await;
    act_ok(&app, &staff, id, "assign-department", json!({"department_id": app.org_id("SEC-INTL").await})).await;

    // Two people assign different staff at the same time, from the version both read.
    let call = |router: axum::Router, token: String, assignee: i64| async move {
        let req = Request::builder()
            .method(Method::POST)
            .uri(format!("/api/v1/desk/requests/{id}/assign-staff"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"version": 3, "assignee_id": assignee}).to_string()))
            .unwrap();
        let (status, _, body) = crate::support::send(&router, req).await;
        (status, serde_json::from_slice::<Value>(&body).unwrap())
    };
    let (a, b) = tokio::join!(
        call(app.router.clone(), staff.clone(), app.user_id(STAFF).await),
        call(second.clone(), manager.clone(), app.user_id(MANAGER).await)
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{a:?} {b:?}");
    let loser = if a.0 == StatusCode::CONFLICT { &a.1 } else { &b.1 };
    assert_eq!(loser["code"], "conflict_stale");
    let winner = if a.0 == StatusCode::OK { &a.1 } else { &b.1 };
    let (_, now) = app.api(Method::GET, &format!("/api/v1/desk/requests/{id}"), Some(&staff), None).await;
    assert_eq!(now["assignee_id"], winner["assignee_id"], "the winner's change is the one kept");
    assert_eq!(now["version"], 4);
    assert_eq!(app.count(&format!("desk_events WHERE request_id = {id} AND kind = 'assign_staff'")).await, 1);

    // Many registrations at once from two processes: every number issued once, none skipped.
    let mut ids = Vec::new();
    for _ in 0..12 {
        ids.push(create(&app, &requester, "general_inquiry").await["id"].as_i64().unwrap());
    }
    let register = |router: axum::Router, token: String, rid: i64| async move {
        let req = Request::builder()
            .method(Method::POST)
            .uri(format!("/api/v1/desk/requests/{rid}/register"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap();
        let (status, _, body) = crate::support::send(&router, req).await;
        (status, serde_json::from_slice::<Value>(&body).unwrap())
    };
    let mut tasks = Vec::new();
    for (i, rid) in ids.iter().enumerate() {
        // Each request is registered twice at once, through both processes.
        for router in [app.router.clone(), second.clone()] {
            let t = if i % 2 == 0 { staff.clone() } else { manager.clone() };
            tasks.push(tokio::spawn(register(router, t, *rid)));
        }
    }
    let mut numbers = Vec::new();
    let mut refused = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::OK => numbers.push(body["reg_no"].as_str().unwrap().to_string()),
            StatusCode::CONFLICT => refused += 1,
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((numbers.len(), refused), (12, 12));
    let mut seq: Vec<u32> = numbers.iter().map(|n| n[5..].parse().unwrap()).collect();
    seq.sort();
    assert_eq!(seq, (2..=13).collect::<Vec<u32>>());
}

async fn upload(app: &TestApp, token: &str, id: i64, name: &str, bytes: &[u8], internal: bool) -> (StatusCode, Value) {
    let name_q = serde_html_form::to_string([("filename", name)]).unwrap();
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/desk/requests/{id}/attachments?{name_q}&internal={internal}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(bytes.to_vec()))
        .unwrap();
    let (status, _, body) = app.send(req).await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn attachments_are_checked_stored_once_and_served_as_downloads() {
    let app = TestApp::with(|c| c.desk.max_attachment_mb = 1).await;
    let requester = app.token(REQUESTER).await;
    let r = create(&app, &requester, "interpretation_translation").await;
    let id = r["id"].as_i64().unwrap();
    assert_eq!((r["fields"]["char_count"].as_u64(), r["fields"]["word_count"].as_u64()), (Some(15), Some(4)));

    let (status, a) =
        upload(&app, &requester, id, "초안 \"draft\".txt", "협정서 본문 Agreement text".as_bytes(), false).await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    assert_eq!(a["filename"], "초안 draft.txt");
    assert_eq!(a["content_type"], "text/plain; charset=utf-8");
    // The document's words join the count.
    let (_, r) = app.api(Method::GET, &format!("/api/v1/desk/requests/{id}"), Some(&requester), None).await;
    assert_eq!((r["fields"]["char_count"].as_u64(), r["fields"]["word_count"].as_u64()), (Some(15 + 18), Some(4 + 4)));

    // The same bytes again are stored once.
    let (_, b) = upload(&app, &requester, id, "copy.txt", "협정서 본문 Agreement text".as_bytes(), false).await;
    assert_eq!(a["sha256"], b["sha256"]);
    assert_eq!(app.count(&format!("blobs WHERE sha256 = '{}'", a["sha256"].as_str().unwrap())).await, 1);

    // Refused: an executable named .pdf, HTML, too large, empty.
    for (name, bytes, code, status) in [
        ("report.pdf", b"MZ\x90\x00binary".to_vec(), "attachment_type", StatusCode::UNPROCESSABLE_ENTITY),
        ("page.html", b"<script>alert(1)</script>".to_vec(), "attachment_type", StatusCode::UNPROCESSABLE_ENTITY),
        (
            "big.pdf",
            [b"%PDF-1.7".to_vec(), vec![b'x'; 1024 * 1024]].concat(),
            "attachment_too_large",
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        ("empty.txt", vec![], "value_required", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let (s, body) = upload(&app, &requester, id, name, &bytes, false).await;
        assert_eq!((s, body["code"].as_str()), (status, Some(code)), "{name}");
    }

    // Downloaded as an attachment with a safe name, never sniffed.
    let req = Request::builder()
        .uri(a["url"].as_str().unwrap())
        .header(header::AUTHORIZATION, format!("Bearer {requester}"))
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = app.send(req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "협정서 본문 Agreement text".as_bytes());
    let disposition = headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition
            .starts_with("attachment; filename=\"__ draft.txt\"; filename*=UTF-8''%EC%B4%88%EC%95%88%20draft.txt"),
        "{disposition}"
    );
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
}

#[tokio::test]
async fn each_category_checks_its_own_fields_and_the_fields_administrators_add() {
    let app = TestApp::new().await;
    let requester = app.token(REQUESTER).await;
    let admin = app.token("admin@demo.glocal.example").await;
    let post = |body: Value| {
        let app = &app;
        let requester = requester.clone();
        async move { app.api(Method::POST, "/api/v1/desk/requests", Some(&requester), Some(body)).await }
    };
    let (status, body) = post(json!({"category": "interpretation_translation", "title": "T", "fields": {
        "service": "interpretation", "starts_at": "2027-01-10T01:00:00Z", "languages": ["ko"], "hours": 30
    }}))
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["fields.place", "fields.languages", "fields.hours"]);
    let (status, body) =
        post(json!({"category": "international_exchange", "title": "T", "fields": {"partner": "named", "country": "VN", "fields_of_exchange": ["x"], "purpose": "y"}})).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("fields.partner_name")));
    let (status, body) = post(json!({"category": "castles", "title": "T"})).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("category")));
    let (status, body) =
        post(json!({"category": "general_inquiry", "title": "T", "fields": {"question": "q", "colour": "red"}})).await;
    assert_eq!(
        (status, body["code"].as_str(), body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_field"), Some("fields.colour"))
    );

    // An administrator adds a required field to exchanges, without a code change.
    let (status, f) = app
        .api(
            Method::POST,
            "/api/v1/desk/categories/international_exchange/fields",
            Some(&admin),
            Some(json!({"key": "budget_krw", "kind": "number", "required": true, "labels": {"ko": "예산(원)", "en": "Budget (KRW)"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{f}");
    let (status, _) = app
        .api(
            Method::POST,
            "/api/v1/desk/categories/international_exchange/fields",
            Some(&requester),
            Some(json!({"key": "x", "kind": "text"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, list) =
        app.api(Method::GET, "/api/v1/desk/categories/international_exchange/fields", Some(&requester), None).await;
    assert_eq!(list[0]["labels"]["ko"], "예산(원)");

    let base =
        json!({"category": "international_exchange", "title": "T", "fields": fields_of("international_exchange")});
    let (status, body) = post(base.clone()).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("extra.budget_krw")));
    let mut wrong = base.clone();
    wrong["extra"] = json!({"budget_krw": "lots"});
    let (_, body) = post(wrong).await;
    assert_eq!(body["code"], "invalid_choice");
    let mut unknown = base.clone();
    unknown["extra"] = json!({"budget_krw": 1, "mood": "good"});
    let (_, body) = post(unknown).await;
    assert_eq!((body["field"].as_str(), body["code"].as_str()), (Some("extra.mood"), Some("unknown_field")));
    let mut good = base;
    good["extra"] = json!({"budget_krw": 30000000});
    let (status, r) = post(good).await;
    assert_eq!((status, r["extra"]["budget_krw"].as_i64()), (StatusCode::CREATED, Some(30000000)));
    // The country concerned comes from the fields when not given.
    assert_eq!(r["country"], "VN");
}

mod sla {
    use chrono::{DateTime, Duration, NaiveDate, Utc};
    use glocal_core::desk::calendar::{Calendar, builtin_holidays};
    use sea_orm::{ConnectionTrait, Statement};

    use super::*;

    fn t(v: &Value) -> DateTime<Utc> {
        serde_json::from_value(v.clone()).unwrap_or_else(|_| panic!("not a time: {v}"))
    }

    async fn set_time(app: &TestApp, id: i64, column: &str, at: DateTime<Utc>) {
        let backend = app.core.db.get_database_backend();
        let sql = match backend {
            sea_orm::DbBackend::Postgres => format!("UPDATE desk_requests SET {column} = $1 WHERE id = $2"),
            _ => format!("UPDATE desk_requests SET {column} = ? WHERE id = ?"),
        };
        app.core.db.execute_raw(Statement::from_sql_and_values(backend, sql, [at.into(), id.into()])).await.unwrap();
    }

    #[tokio::test]
    async fn clocks_run_in_the_holders_business_time_and_pause_on_hold() {
        let app = TestApp::new().await;
        let requester = app.token(REQUESTER).await;
        let staff = app.token(STAFF).await;
        let seoul = Calendar::office(chrono_tz::Asia::Seoul, builtin_holidays("KR"));
        let new_york = Calendar::office(chrono_tz::America::New_York, []);

        let r = create(&app, &requester, "general_inquiry").await;
        let id = r["id"].as_i64().unwrap();
        assert_eq!(r["clock"]["stage"], "register");
        assert_eq!(t(&r["clock"]["due_at"]), seoul.add(t(&r["created_at"]), 2 * 3600));
        assert_eq!(t(&r["clock"]["warn_at"]), seoul.add(t(&r["created_at"]), 2 * 3600 * 4 / 5));

        // Registration starts the final clock: 16 business hours for a general inquiry.
        let r = act_ok(&app, &staff, id, "register", json!({})).await;
        let registered = t(&r["registered_at"]);
        assert_eq!(r["clock"]["stage"], "assign_department");
        assert_eq!(t(&r["clock"]["final_due_at"]), seoul.add(registered, 16 * 3600));
        let r =
            act_ok(&app, &staff, id, "assign-department", json!({"department_id": app.org_id("SEC-INTL").await})).await;
        assert_eq!(r["clock"]["stage"], "assign_staff");
        let final_in_seoul = t(&r["clock"]["final_due_at"]);

        // Transferred to New York: what was left of the final clock in Seoul's hours now runs
        // in New York's.
        let r = act_ok(&app, &staff, id, "transfer", json!({"department_id": app.org_id("OFF-US").await})).await;
        let at = t(&r["updated_at"]);
        let left = seoul.between(at, final_in_seoul);
        assert!(left > 0);
        assert_eq!(t(&r["clock"]["final_due_at"]), new_york.add(at, left));
        let ny_staff = app.token("newyork@demo.glocal.example").await;
        let r = act_ok(
            &app,
            &ny_staff,
            id,
            "assign-staff",
            json!({"assignee_id": app.user_id("newyork@demo.glocal.example").await}),
        )
        .await;
        let due = t(&r["clock"]["due_at"]);

        // On hold the clocks stop with what they had left; on resuming they go on from there.
        let r = act_ok(&app, &ny_staff, id, "hold", json!({"body": "Which agency?"})).await;
        let held = t(&r["updated_at"]);
        assert!(r["clock"]["due_at"].is_null());
        let remaining = r["clock"]["paused_remaining_secs"].as_i64().unwrap();
        assert_eq!(remaining, new_york.between(held, due).max(0));
        let (_, list) = app.api(Method::GET, "/api/v1/desk/requests?queue=on_hold", Some(&staff), None).await;
        assert_eq!(list["items"][0]["id"], id);
        let r = act_ok(&app, &requester, id, "resume", json!({})).await;
        assert_eq!(t(&r["clock"]["due_at"]), new_york.add(t(&r["updated_at"]), remaining));
        assert!(r["clock"]["paused_remaining_secs"].is_null());
    }

    #[tokio::test]
    async fn a_due_date_sooner_than_the_target_ends_the_final_clock() {
        let app = TestApp::new().await;
        let requester = app.token(REQUESTER).await;
        let staff = app.token(STAFF).await;
        let seoul = Calendar::office(chrono_tz::Asia::Seoul, builtin_holidays("KR"));
        let needed: NaiveDate = (Utc::now() + Duration::days(2)).with_timezone(&chrono_tz::Asia::Seoul).date_naive();
        let mut fields = fields_of("interpretation_translation");
        fields["due_date"] = json!(needed.to_string());
        let (_, r) = app
            .api(
                Method::POST,
                "/api/v1/desk/requests",
                Some(&requester),
                Some(json!({"category": "interpretation_translation", "title": "Urgent", "fields": fields})),
            )
            .await;
        let id = r["id"].as_i64().unwrap();
        let r = act_ok(&app, &staff, id, "register", json!({})).await;
        let registered = t(&r["registered_at"]);
        let expected = seoul.add(registered, 40 * 3600).min(seoul.end_of(needed).max(registered));
        assert_eq!(t(&r["clock"]["final_due_at"]), expected);
    }

    #[tokio::test]
    async fn the_sweep_records_warnings_and_breaches_once_and_closes_unconfirmed_answers() {
        let app = TestApp::new().await;
        let requester = app.token(REQUESTER).await;
        let staff = app.token(STAFF).await;
        let id = create(&app, &requester, "information_request").await["id"].as_i64().unwrap();
        let now = glocal_core::db::now();
        set_time(&app, id, "warn_at", now - Duration::minutes(10)).await;
        let report = glocal_core::desk::sla::sweep(&app.core, now).await.unwrap();
        assert_eq!((report.warned.as_slice(), report.breached.as_slice()), (&[id][..], &[][..]));
        let (_, list) = app.api(Method::GET, "/api/v1/desk/requests?queue=breaching_soon", Some(&staff), None).await;
        assert_eq!((list["total"].as_u64(), list["items"][0]["clock"]["warned"].as_bool()), (Some(1), Some(true)));
        set_time(&app, id, "due_at", now - Duration::minutes(1)).await;
        let report = glocal_core::desk::sla::sweep(&app.core, now).await.unwrap();
        assert_eq!((report.warned.len(), report.breached.as_slice()), (0, &[id][..]));
        // Running again finds nothing new.
        assert_eq!(glocal_core::desk::sla::sweep(&app.core, now).await.unwrap(), Default::default());
        let staff_view = events(&app, &staff, id).await;
        let kinds: Vec<&str> = staff_view.iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["created", "sla_warning", "sla_breach"]);
        // They are the desk's business: the requester's timeline does not show them.
        assert_eq!(events(&app, &requester, id).await.len(), 1);
        // Registration starts a new clock, unflagged.
        let r = act_ok(&app, &staff, id, "register", json!({})).await;
        assert_eq!((r["clock"]["warned"].as_bool(), r["clock"]["breached"].as_bool()), (Some(false), Some(false)));

        // An answer the requester never confirms is closed after the configured days.
        act_ok(&app, &staff, id, "assign-department", json!({"department_id": app.org_id("SEC-INTL").await})).await;
        act_ok(&app, &staff, id, "assign-staff", json!({"assignee_id": app.user_id(STAFF).await})).await;
        act_ok(&app, &staff, id, "final-response", json!({"body": "Answer"})).await;
        assert!(glocal_core::desk::sla::sweep(&app.core, glocal_core::db::now()).await.unwrap().closed.is_empty());
        set_time(&app, id, "answered_at", now - Duration::days(8)).await;
        let report = glocal_core::desk::sla::sweep(&app.core, glocal_core::db::now()).await.unwrap();
        assert_eq!(report.closed, [id]);
        let last = events(&app, &requester, id).await.pop().unwrap();
        assert_eq!((last["kind"].as_str(), last["reason"].as_str()), (Some("close"), Some("auto_close")));
    }

    #[tokio::test]
    async fn holidays_are_built_in_for_korea_and_imported_from_icalendar() {
        let app = TestApp::new().await;
        let staff = app.token(STAFF).await;
        let manager = app.token(MANAGER).await;
        let (_, kr) = app.api(Method::GET, "/api/v1/desk/calendars/KR/holidays", Some(&staff), None).await;
        let days: Vec<&str> = kr.as_array().unwrap().iter().map(|h| h["day"].as_str().unwrap()).collect();
        for d in ["2026-09-24", "2026-09-25", "2026-09-26", "2027-02-09", "2030-02-05", "2026-05-25"] {
            assert!(days.contains(&d), "{d} missing");
        }
        let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261126\r\nSUMMARY:Thanksgiving Day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let import = |token: String| {
            let app = &app;
            async move {
                let req = Request::builder()
                    .method(Method::POST)
                    .uri("/api/v1/desk/calendars/OFF-US/holidays")
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .header(header::CONTENT_TYPE, "text/calendar")
                    .body(Body::from(ics))
                    .unwrap();
                let (status, _, body) = app.send(req).await;
                (status, serde_json::from_slice::<Value>(&body).unwrap())
            }
        };
        assert_eq!(import(staff.clone()).await.0, StatusCode::FORBIDDEN);
        assert_eq!(import(manager.clone()).await, (StatusCode::OK, json!({"added": 1})));
        assert_eq!(import(manager.clone()).await, (StatusCode::OK, json!({"added": 0})));
        let (_, us) = app.api(Method::GET, "/api/v1/desk/calendars/OFF-US/holidays", Some(&staff), None).await;
        assert_eq!(us, json!([{"day": "2026-11-26", "name": "Thanksgiving Day", "builtin": false}]));
        // The New York office's calendar now skips it.
        let cal = glocal_core::desk::sla::calendar_of(&app.core.db, &app.config, Some(app.org_id("OFF-US").await))
            .await
            .unwrap();
        assert!(!cal.is_working_day("2026-11-26".parse().unwrap()));
        assert!(cal.is_working_day("2026-11-25".parse().unwrap()));
    }

    #[tokio::test]
    async fn the_dashboard_times_steps_in_business_time() {
        use glocal_core::{Actor, Origin};
        let app = TestApp::new().await;
        let requester = app.token(REQUESTER).await;
        let staff = app.token(STAFF).await;
        let id = create(&app, &requester, "general_inquiry").await["id"].as_i64().unwrap();
        act_ok(&app, &staff, id, "register", json!({})).await;
        // Filed on Friday 4 December 2026 at 17:00 in Seoul, registered on Monday at 10:00:
        // one working hour on Friday and one on Monday, the weekend not counted.
        let filed: DateTime<Utc> = "2026-12-04T08:00:00Z".parse().unwrap();
        let registered: DateTime<Utc> = "2026-12-07T01:00:00Z".parse().unwrap();
        set_time(&app, id, "created_at", filed).await;
        let backend = app.core.db.get_database_backend();
        let sql = match backend {
            sea_orm::DbBackend::Postgres => {
                "UPDATE desk_events SET at = $1 WHERE request_id = $2 AND kind = 'register'"
            }
            _ => "UPDATE desk_events SET at = ? WHERE request_id = ? AND kind = 'register'",
        };
        let done =
            app.core.db.execute_raw(Statement::from_sql_and_values(backend, sql, [registered.into(), id.into()])).await;
        assert_eq!(done.unwrap().rows_affected(), 1);
        let (actor, origin) = (Actor::System("test"), Origin::default());
        let stats = glocal_core::desk::stats::compute(&app.core.scope(&actor, &origin), registered).await.unwrap();
        let step = stats.step_times.iter().find(|s| s.step == "registered").unwrap();
        assert_eq!((step.count, step.median_secs, step.p90_secs), (1, Some(2 * 3600), Some(2 * 3600)));
    }
}

mod routing {
    use chrono::{DateTime, Utc};
    use glocal_core::actor::{Actor, Origin};
    use glocal_core::desk::RequestId;

    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    async fn rule(app: &TestApp, admin: &str, body: Value) -> Value {
        let (status, r) = app.api(Method::POST, "/api/v1/desk/routing-rules", Some(admin), Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{r}");
        r
    }

    async fn filed(app: &TestApp, token: &str, category: &str, language: &str) -> i64 {
        let (status, r) = app
            .api(
                Method::POST,
                "/api/v1/desk/requests",
                Some(token),
                Some(json!({"category": category, "title": "Routed", "language": language, "fields": fields_of(category)})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{r}");
        assert_eq!(r["state"], "submitted", "automatic routing is off in these tests");
        r["id"].as_i64().unwrap()
    }

    async fn route(app: &TestApp, id: i64, when: DateTime<Utc>) -> Value {
        let actor = Actor::System("test");
        let origin = Origin::default();
        glocal_core::desk::routing::route(&app.core.scope(&actor, &origin), RequestId(id), when).await.unwrap();
        let staff = app.token(STAFF).await;
        app.api(Method::GET, &format!("/api/v1/desk/requests/{id}"), Some(&staff), None).await.1
    }

    #[tokio::test]
    async fn a_request_filed_at_23_00_in_seoul_goes_to_an_office_that_is_open() {
        let app = TestApp::with(|c| c.desk.auto_route = false).await;
        let admin = app.token("admin@demo.glocal.example").await;
        let requester = app.token(REQUESTER).await;
        let seoul_desk = app.org_id("SEC-INTL").await;
        rule(&app, &admin, json!({"category": "general_inquiry", "target_id": seoul_desk, "follow_the_sun": true}))
            .await;
        let tokyo = app.org_id("OFF-JP").await;
        rule(&app, &admin, json!({"category": "overseas_visit", "country": "JP", "target_id": tokyo})).await;

        // Monday 23:00 in Seoul is Monday 09:00 in New York: the New York office takes it.
        let id = filed(&app, &requester, "general_inquiry", "en").await;
        let r = route(&app, id, at("2026-11-23T23:00:00+09:00")).await;
        assert_eq!(r["state"], "staff_assigned");
        assert_eq!(r["department_id"], app.org_id("OFF-US").await);
        assert_eq!(r["assignee_id"], app.user_id("newyork@demo.glocal.example").await);
        let (_, timeline) =
            app.api(Method::GET, &format!("/api/v1/desk/requests/{id}/events"), Some(&requester), None).await;
        let steps: Vec<(&str, &str, &str)> = timeline
            .as_array()
            .unwrap()
            .iter()
            .skip(1)
            .map(|e| (e["kind"].as_str().unwrap(), e["actor"].as_str().unwrap(), e["reason"].as_str().unwrap()))
            .collect();
        assert_eq!(steps[0], ("register", "system:desk-routing", "auto"));
        assert!(steps[1].2.starts_with("follow_the_sun #"), "{steps:?}");
        assert_eq!(steps[2].0, "assign_staff");

        // The same request at 10:00 in Seoul stays with the Seoul desk.
        let id = filed(&app, &requester, "general_inquiry", "en").await;
        let r = route(&app, id, at("2026-11-23T10:00:00+09:00")).await;
        assert_eq!(r["department_id"], seoul_desk);

        // A visit to Japan goes to the Tokyo office by its rule.
        let id = filed(&app, &requester, "overseas_visit", "ko").await;
        let r = route(&app, id, at("2026-11-24T11:00:00+09:00")).await;
        assert_eq!(r["department_id"], tokyo);
        assert_eq!(r["assignee_id"], app.user_id("tokyo@demo.glocal.example").await);

        // No rule for exchanges: nothing happens automatically.
        let id = filed(&app, &requester, "international_exchange", "ko").await;
        assert_eq!(route(&app, id, at("2026-11-24T11:00:00+09:00")).await["state"], "submitted");
    }

    #[tokio::test]
    async fn auto_assignment_honours_skills_load_and_leave() {
        let app = TestApp::with(|c| c.desk.auto_route = false).await;
        let admin = app.token("admin@demo.glocal.example").await;
        let manager = app.token(MANAGER).await;
        let requester = app.token(REQUESTER).await;
        let seoul_desk = app.org_id("SEC-INTL").await;
        rule(&app, &admin, json!({"target_id": seoul_desk})).await;
        let (staff_id, manager_id) = (app.user_id(STAFF).await, app.user_id(MANAGER).await);
        let monday = at("2026-11-23T10:00:00+09:00");

        // Only one person at the Seoul desk reads Chinese.
        let id = filed(&app, &requester, "general_inquiry", "zh-Hans").await;
        assert_eq!(route(&app, id, monday).await["assignee_id"], staff_id);
        // English: both can; the one with less open work gets it (the manager, with none).
        let id = filed(&app, &requester, "general_inquiry", "en").await;
        assert_eq!(route(&app, id, monday).await["assignee_id"], manager_id);
        // Now both hold one: the longest-standing account (the manager's) takes the next, and
        // the one after goes to the colleague with less open work.
        assert!(manager_id < staff_id);
        let id = filed(&app, &requester, "general_inquiry", "en").await;
        assert_eq!(route(&app, id, monday).await["assignee_id"], manager_id);
        let id = filed(&app, &requester, "general_inquiry", "en").await;
        assert_eq!(route(&app, id, monday).await["assignee_id"], staff_id);
        // The manager's leave today: they are passed by whatever the load.
        let (status, _) = app
            .api(
                Method::POST,
                &format!("/api/v1/desk/staff/{manager_id}/leave"),
                Some(&manager),
                Some(json!({"first_day": "2026-11-23", "last_day": "2026-11-27"})),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        for _ in 0..2 {
            let id = filed(&app, &requester, "general_inquiry", "en").await;
            assert_eq!(route(&app, id, monday).await["assignee_id"], staff_id);
        }
        // Nobody on duty on a Sunday: the unit gets it, nobody is assigned yet.
        let id = filed(&app, &requester, "general_inquiry", "en").await;
        let r = route(&app, id, at("2026-11-22T10:00:00+09:00")).await;
        assert_eq!((r["state"].as_str(), r["assignee_id"].is_null()), (Some("department_assigned"), true));
    }

    #[tokio::test]
    async fn with_automatic_routing_a_new_request_arrives_assigned() {
        let app = TestApp::new().await;
        let admin = app.token("admin@demo.glocal.example").await;
        let requester = app.token(REQUESTER).await;
        let tokyo = app.org_id("OFF-JP").await;
        rule(&app, &admin, json!({"category": "overseas_visit", "country": "JP", "target_id": tokyo})).await;
        let r = create(&app, &requester, "overseas_visit").await;
        assert_eq!((r["department_id"].as_i64(), r["reg_no"].is_string()), (Some(tokyo), true));
        assert!(matches!(r["state"].as_str(), Some("department_assigned" | "staff_assigned")), "{r}");
        // Only administrators write rules.
        let (status, _) = app
            .api(Method::POST, "/api/v1/desk/routing-rules", Some(&requester), Some(json!({"target_id": tokyo})))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, body) = app
            .api(
                Method::POST,
                "/api/v1/desk/routing-rules",
                Some(&admin),
                Some(json!({"target_id": app.org_id("1100000000").await})),
            )
            .await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("target_id")));
    }
}
