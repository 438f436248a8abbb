//! Desk extras: canned responses and who may keep them, links that never reveal another
//! organisation's request, @mentions in internal notes only, and the Open311 GeoReport v2
//! interface onto the same requests.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::desk::create;
use crate::support::TestApp;

const REQUESTER: &str = "seoul@demo.glocal.example";
const OTHER_REQUESTER: &str = "busan@demo.glocal.example";
const STAFF: &str = "staff@demo.glocal.example";
const MANAGER: &str = "manager@demo.glocal.example";
const TOKYO: &str = "tokyo@demo.glocal.example";

async fn events(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    let (status, body) = app.api(Method::GET, &format!("/api/v1/desk/requests/{id}/events"), Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().unwrap().clone()
}

#[tokio::test]
async fn canned_responses_are_kept_by_managers_read_by_staff_and_used_in_replies() {
    let app = TestApp::new().await;
    let (manager, staff, requester) = (app.token(MANAGER).await, app.token(STAFF).await, app.token(REQUESTER).await);
    let path = "/api/v1/desk/canned-responses";
    let answer = json!({"title": "Received", "body": "요청을 접수했습니다. 담당자가 곧 연락드리겠습니다.",
        "language": "ko", "category": "general_inquiry"});

    // Staff and requesters may not write; requesters may not even read.
    let before = app.count("desk_canned_responses").await;
    let (status, body) = app.api(Method::POST, path, Some(&staff), Some(answer.clone())).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{body}");
    let (status, _) = app.api(Method::POST, path, Some(&requester), Some(answer.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.api(Method::GET, path, Some(&requester), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.api(Method::GET, path, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("desk_canned_responses").await, before, "refusals change nothing");

    // Bad input names every field.
    let (status, body) = app
        .api(
            Method::POST,
            path,
            Some(&manager),
            Some(json!({"title": " ", "body": "x", "language": "xx-!!", "category": "nope"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["title", "language", "category"]);

    let (status, ko) = app.api(Method::POST, path, Some(&manager), Some(answer)).await;
    assert_eq!(status, StatusCode::CREATED, "{ko}");
    let (status, en) = app
        .api(
            Method::POST,
            path,
            Some(&manager),
            Some(json!({"title": "Received", "body": "We have your request.", "language": "en"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{en}");
    assert_eq!(en["category"], Value::Null);

    // Staff read, filtered by language and category (a response for any category matches).
    let (status, list) = app.api(Method::GET, &format!("{path}?language=ko"), Some(&staff), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().iter().map(|c| c["id"].clone()).collect::<Vec<_>>(), vec![ko["id"].clone()]);
    let (_, list) = app.api(Method::GET, &format!("{path}?category=overseas_visit"), Some(&staff), None).await;
    assert_eq!(list.as_array().unwrap().iter().map(|c| c["id"].clone()).collect::<Vec<_>>(), vec![en["id"].clone()]);

    // Update with the version read; a stale version is refused.
    let id = ko["id"].as_i64().unwrap();
    let change = json!({"title": "Received (ko)", "body": ko["body"], "language": "ko", "category": "general_inquiry", "version": 1});
    let (status, _) = app.api(Method::PUT, &format!("{path}/{id}"), Some(&staff), Some(change.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, updated) = app.api(Method::PUT, &format!("{path}/{id}"), Some(&manager), Some(change.clone())).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!((updated["title"].as_str(), updated["version"].as_i64()), (Some("Received (ko)"), Some(2)));
    let (status, body) = app.api(Method::PUT, &format!("{path}/{id}"), Some(&manager), Some(change)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("conflict_stale")));

    // Staff reply with it: the request's conversation carries its text, the requester sees it.
    let request = create(&app, &requester, "general_inquiry").await;
    let rid = request["id"].as_i64().unwrap();
    let (status, message) = app
        .api(
            Method::POST,
            &format!("/api/v1/desk/requests/{rid}/canned-replies"),
            Some(&staff),
            Some(json!({"canned_response_id": id})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    assert_eq!((message["kind"].as_str(), message["internal"].as_bool()), (Some("reply"), Some(false)));
    let (_, detail) = app.api(Method::GET, &format!("/api/v1/desk/requests/{rid}"), Some(&requester), None).await;
    assert!(detail["messages"].as_array().unwrap().iter().any(|m| m["body"] == ko["body"]), "{detail}");
    let (status, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/desk/requests/{rid}/canned-replies"),
            Some(&requester),
            Some(json!({"canned_response_id": id})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Delete: managers only, then it is gone; each change was audited.
    let (status, _) = app.api(Method::DELETE, &format!("{path}/{id}"), Some(&staff), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.api(Method::DELETE, &format!("{path}/{id}"), Some(&manager), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.api(Method::DELETE, &format!("{path}/{id}"), Some(&manager), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.api(Method::GET, path, Some(&staff), None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let admin = app.token("admin@demo.glocal.example").await;
    let (_, audit) = app
        .api(
            Method::GET,
            &format!("/api/v1/audit-events?subject_type=desk_canned_response&subject_id={id}"),
            Some(&admin),
            None,
        )
        .await;
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    for a in ["desk_canned_response.create", "desk_canned_response.update", "desk_canned_response.delete"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

#[tokio::test]
async fn links_show_only_requests_the_reader_may_see() {
    let app = TestApp::new().await;
    let (staff, seoul, busan) = (app.token(STAFF).await, app.token(REQUESTER).await, app.token(OTHER_REQUESTER).await);
    let s1 = create(&app, &seoul, "general_inquiry").await["id"].as_i64().unwrap();
    let s2 = create(&app, &seoul, "information_request").await["id"].as_i64().unwrap();
    let b1 = create(&app, &busan, "general_inquiry").await["id"].as_i64().unwrap();
    let links = |id: i64| format!("/api/v1/desk/requests/{id}/links");

    // Requesters may not link, not even their own requests.
    let (status, _) =
        app.api(Method::POST, &links(s1), Some(&seoul), Some(json!({"request_id": s2, "kind": "related"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Staff link seoul's two requests, and busan's to seoul's first as a duplicate.
    let (status, l1) =
        app.api(Method::POST, &links(s1), Some(&staff), Some(json!({"request_id": s2, "kind": "parent_child"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{l1}");
    assert_eq!((l1["relation"].as_str(), l1["request_id"].as_i64()), (Some("child"), Some(s2)));
    let (status, l2) =
        app.api(Method::POST, &links(b1), Some(&staff), Some(json!({"request_id": s1, "kind": "duplicate"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{l2}");

    // A pair is linked once, either way; a request is not linked to itself; kinds are checked.
    let (status, body) =
        app.api(Method::POST, &links(s1), Some(&staff), Some(json!({"request_id": b1, "kind": "related"}))).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("link_exists")));
    let (status, _) =
        app.api(Method::POST, &links(s1), Some(&staff), Some(json!({"request_id": s1, "kind": "related"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = app
        .api(Method::POST, &links(s1), Some(&staff), Some(json!({"request_id": s2 + 1000, "kind": "related"})))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) =
        app.api(Method::POST, &links(s2), Some(&staff), Some(json!({"request_id": b1, "kind": "sibling"}))).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("kind")));

    // Staff see both links of s1, from s1's side.
    let (status, all) = app.api(Method::GET, &links(s1), Some(&staff), None).await;
    assert_eq!(status, StatusCode::OK);
    let seen: Vec<(i64, &str)> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["request_id"].as_i64().unwrap(), l["relation"].as_str().unwrap()))
        .collect();
    assert_eq!(seen, vec![(s2, "child"), (b1, "duplicated_by")]);

    // Seoul's requester sees the link to their own request only: nothing of busan's.
    let (status, mine) = app.api(Method::GET, &links(s1), Some(&seoul), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        mine.as_array().unwrap().iter().map(|l| l["request_id"].as_i64().unwrap()).collect::<Vec<_>>(),
        vec![s2]
    );
    assert!(!mine.to_string().contains(&format!("\"request_id\":{b1}")), "{mine}");
    // Busan's requester sees no link from their request to seoul's, and seoul's links are not found.
    let (status, theirs) = app.api(Method::GET, &links(b1), Some(&busan), None).await;
    assert_eq!((status, theirs), (StatusCode::OK, json!([])));
    let (status, body) = app.api(Method::GET, &links(s1), Some(&busan), None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    // Nor do the timeline entries of the link reach a requester.
    assert!(events(&app, &busan, b1).await.iter().all(|e| e["kind"] != "linked"));
    assert!(events(&app, &staff, b1).await.iter().any(|e| e["kind"] == "linked" && e["details"]["request_id"] == s1));

    // Unlink: staff only, by the link's id on either request.
    let link = format!("{}/{}", links(s1), l2["id"]);
    let (status, _) = app.api(Method::DELETE, &link, Some(&seoul), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.api(Method::DELETE, &format!("{}/{}", links(s2), l2["id"]), Some(&staff), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not a link of s2");
    let (status, _) = app.api(Method::DELETE, &link, Some(&staff), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, all) = app.api(Method::GET, &links(s1), Some(&staff), None).await;
    assert_eq!(all.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn internal_notes_mention_colleagues_and_public_replies_mention_nobody() {
    let app = TestApp::new().await;
    let (staff, tokyo, manager, seoul) =
        (app.token(STAFF).await, app.token(TOKYO).await, app.token(MANAGER).await, app.token(REQUESTER).await);
    let id = create(&app, &seoul, "general_inquiry").await["id"].as_i64().unwrap();
    let messages = format!("/api/v1/desk/requests/{id}/messages");
    let post = |token: String, body: Value| {
        let app = &app;
        let messages = messages.clone();
        async move {
            let (status, out) = app.api(Method::POST, &messages, Some(&token), Some(body)).await;
            assert_eq!(status, StatusCode::CREATED, "{out}");
            out
        }
    };

    // A public reply that names @tokyo mentions nobody; nor does a requester's @manager.
    post(staff.clone(), json!({"body": "@tokyo will answer you soon"})).await;
    post(seoul.clone(), json!({"body": "Thanks @manager"})).await;
    assert_eq!(app.count("desk_mentions").await, 0);

    // An internal note mentions known staff (once each), ignores unknown names and emails.
    let note = post(
        staff.clone(),
        json!({"body": "@tokyo can the Tokyo office help? cc @manager, @nobody; mail kim@tokyo.example. @TOKYO", "internal": true}),
    )
    .await;
    assert_eq!(app.count("desk_mentions").await, 2);
    let (status, mine) = app.api(Method::GET, "/api/v1/desk/mentions", Some(&tokyo), None).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    let mine = mine.as_array().unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!((mine[0]["request_id"].as_i64(), &mine[0]["message_id"]), (Some(id), &note["id"]));
    assert!(mine[0]["body"].as_str().unwrap().starts_with("@tokyo can"));

    // Newest first.
    let second = post(manager.clone(), json!({"body": "@tokyo also see the attachment", "internal": true})).await;
    let (_, mine) = app.api(Method::GET, "/api/v1/desk/mentions", Some(&tokyo), None).await;
    let ids: Vec<&Value> = mine.as_array().unwrap().iter().map(|m| &m["message_id"]).collect();
    assert_eq!(ids, vec![&second["id"], &note["id"]]);
    let (_, staff_mentions) = app.api(Method::GET, "/api/v1/desk/mentions", Some(&staff), None).await;
    assert_eq!(staff_mentions, json!([]));

    // The timeline shows "mentioned" to the desk only.
    let desk_view = events(&app, &staff, id).await;
    let mentioned: Vec<&Value> = desk_view.iter().filter(|e| e["kind"] == "mentioned").collect();
    assert_eq!(mentioned.len(), 3);
    assert!(mentioned.iter().all(|e| e["internal"] == true));
    let tokyo_id = app.user_id(TOKYO).await;
    assert_eq!(mentioned.iter().filter(|e| e["details"]["user_id"].as_i64() == Some(tokyo_id)).count(), 2);
    assert!(events(&app, &seoul, id).await.iter().all(|e| e["kind"] != "mentioned"));

    // Requesters have no mentions to list.
    let (status, _) = app.api(Method::GET, "/api/v1/desk/mentions", Some(&seoul), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
