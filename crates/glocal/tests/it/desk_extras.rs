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

/// An Open311 call: form-encoded body for POST, `Accept-Language: en`; the body as text.
async fn open311(
    app: &TestApp,
    method: Method,
    path: &str,
    bearer: Option<&str>,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    use axum::body::Body;
    use axum::http::{Request, header};
    let encoded: String = form.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&");
    let mut b = Request::builder().method(method.clone()).header(header::ACCEPT_LANGUAGE, "en");
    if let Some(t) = bearer {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = if method == Method::POST {
        b.uri(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from(encoded)).unwrap()
    } else {
        let uri = if encoded.is_empty() { path.to_string() } else { format!("{path}?{encoded}") };
        b.uri(uri).body(Body::empty()).unwrap()
    };
    let (status, _, bytes) = app.send(req).await;
    (status, String::from_utf8(bytes).unwrap())
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A minimal XML check: well-formed (every element closed in order, one root, entities known)
/// and the element path of every text leaf, e.g. `services/service/service_code`.
fn xml_paths(xml: &str) -> Vec<(String, String)> {
    let body = xml.strip_prefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>").expect("XML declaration");
    let mut stack: Vec<String> = Vec::new();
    let mut leaves = Vec::new();
    let mut rest = body;
    let mut text = String::new();
    let mut roots = 0;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('<') {
            let end = after.find('>').expect("tag closed");
            let tag = &after[..end];
            rest = &after[end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.last().map(String::as_str), Some(name), "closing tag in order");
                leaves.push((stack.join("/"), std::mem::take(&mut text)));
                stack.pop();
            } else if let Some(name) = tag.strip_suffix('/') {
                assert!(!stack.is_empty());
                leaves.push((format!("{}/{name}", stack.join("/")), String::new()));
            } else {
                assert!(tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "element name {tag}");
                if stack.is_empty() {
                    roots += 1;
                }
                stack.push(tag.to_string());
                text.clear();
            }
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let raw = &rest[..end];
            rest = &rest[end..];
            assert!(!stack.is_empty(), "text outside the root");
            let mut t = raw.to_string();
            for (e, c) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&apos;", "'"), ("&amp;", "&")] {
                t = t.replace(e, c);
            }
            assert!(
                !raw.replace("&amp;", "")
                    .replace("&lt;", "")
                    .replace("&gt;", "")
                    .replace("&quot;", "")
                    .replace("&apos;", "")
                    .contains('&'),
                "unknown entity in {raw}"
            );
            text.push_str(&t);
        }
    }
    assert!(stack.is_empty(), "every element closed");
    assert_eq!(roots, 1, "one root element");
    leaves
}

#[tokio::test]
async fn open311_lists_services_in_json_and_xml() {
    let app = TestApp::new().await;
    let (status, body) = open311(&app, Method::GET, "/open311/v2/services.json", None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let services: Value = serde_json::from_str(&body).unwrap();
    let codes: Vec<&str> = services.as_array().unwrap().iter().map(|s| s["service_code"].as_str().unwrap()).collect();
    assert_eq!(
        codes,
        [
            "interpretation_translation",
            "international_exchange",
            "overseas_visit",
            "information_request",
            "general_inquiry"
        ]
    );
    assert!(services.as_array().unwrap().iter().all(|s| s["type"] == "realtime" && s["metadata"] == true));
    assert_eq!(services[4]["service_name"], "General inquiry");

    // The caller's language names the services.
    use axum::http::{Request, header};
    let req = Request::builder()
        .uri("/open311/v2/services.json")
        .header(header::ACCEPT_LANGUAGE, "ko")
        .body(axum::body::Body::empty())
        .unwrap();
    let (_, _, bytes) = app.send(req).await;
    let ko: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(ko[4]["service_name"], "일반 문의");

    let (status, xml) = open311(&app, Method::GET, "/open311/v2/services.xml", None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let leaves = xml_paths(&xml);
    let codes: Vec<&str> =
        leaves.iter().filter(|(p, _)| p == "services/service/service_code").map(|(_, t)| t.as_str()).collect();
    assert_eq!(codes.len(), 5);
    assert!(leaves.iter().any(|(p, t)| p == "services/service/type" && t == "realtime"));

    // A service definition: the category's fields as attributes.
    let (status, body) = open311(&app, Method::GET, "/open311/v2/services/information_request.json", None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let def: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(def["service_code"], "information_request");
    let attrs: Vec<&str> = def["attributes"].as_array().unwrap().iter().map(|a| a["code"].as_str().unwrap()).collect();
    assert_eq!(attrs, ["question", "countries", "answer_needed_by"]);
    let (_, xml) = open311(&app, Method::GET, "/open311/v2/services/international_exchange.xml", None, &[]).await;
    let leaves = xml_paths(&xml);
    assert!(
        leaves.iter().any(|(p, t)| p == "service_definition/attributes/attribute/values/value/key" && t == "sought")
    );
    let (status, xml) = open311(&app, Method::GET, "/open311/v2/services/potholes.xml", None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(xml_paths(&xml).iter().any(|(p, t)| p == "errors/error/code" && t == "404"));
}

#[tokio::test]
async fn open311_files_and_follows_desk_requests() {
    let app = TestApp::new().await;
    let (seoul, busan, staff) = (app.token(REQUESTER).await, app.token(OTHER_REQUESTER).await, app.token(STAFF).await);
    let before = app.count("desk_requests").await;

    // Bad input, each in the spec's error format.
    let (status, body) = open311(
        &app,
        Method::POST,
        "/open311/v2/requests.json",
        None,
        &[("service_code", "general_inquiry"), ("description", "x")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let errors: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(errors[0]["code"], 403);
    assert!(errors[0]["description"].as_str().unwrap().contains("api_key"));
    let (status, _) = open311(
        &app,
        Method::POST,
        "/open311/v2/requests.json",
        None,
        &[("api_key", "glc_not_a_token"), ("service_code", "general_inquiry")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, xml) = open311(
        &app,
        Method::POST,
        "/open311/v2/requests.xml",
        None,
        &[("api_key", &seoul), ("service_code", "potholes"), ("description", "x")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let leaves = xml_paths(&xml);
    assert!(leaves.iter().any(|(p, t)| p == "errors/error/code" && t == "400"));
    assert!(leaves.iter().any(|(p, t)| p == "errors/error/description" && t.contains("service_code")));
    let (status, body) = open311(
        &app,
        Method::POST,
        "/open311/v2/requests.json",
        None,
        &[
            ("api_key", &seoul),
            ("service_code", "information_request"),
            ("description", "How do French communes fund youth exchanges?"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("attribute[countries]"), "{body}");
    assert_eq!(app.count("desk_requests").await, before, "refusals change nothing");

    // File one with the api_key, one with the bearer header.
    let (status, body) = open311(
        &app,
        Method::POST,
        "/open311/v2/requests.json",
        None,
        &[
            ("api_key", &seoul),
            ("service_code", "information_request"),
            ("description", "How do French communes fund youth exchanges? <R&D>"),
            ("attribute[countries]", "FR, BE"),
            ("attribute[answer_needed_by]", "2027-01-15"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let created: Value = serde_json::from_str(&body).unwrap();
    let id = created[0]["service_request_id"].as_str().unwrap().to_string();
    assert!(created[0]["service_notice"].as_str().is_some_and(|n| !n.is_empty()));
    let (status, xml) = open311(
        &app,
        Method::POST,
        "/open311/v2/requests.xml",
        Some(&seoul),
        &[("service_code", "general_inquiry"), ("description", "Where do we send our report?")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{xml}");
    assert!(xml_paths(&xml).iter().any(|(p, _)| p == "service_requests/request/service_request_id"));

    // It is the same desk request, with the attributes as its fields.
    let (status, desk) = app.api(Method::GET, &format!("/api/v1/desk/requests/{id}"), Some(&staff), None).await;
    assert_eq!(status, StatusCode::OK, "{desk}");
    assert_eq!((desk["category"].as_str(), desk["state"].as_str()), (Some("information_request"), Some("submitted")));
    assert_eq!(desk["fields"]["countries"], json!(["FR", "BE"]));
    assert_eq!(desk["org_id"].as_i64(), Some(app.org_id("1100000000").await));

    // Found by id, in JSON and in XML (escaped), and in the list.
    let (status, body) =
        open311(&app, Method::GET, &format!("/open311/v2/requests/{id}.json"), Some(&seoul), &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let one: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((one[0]["service_request_id"].as_str(), one[0]["status"].as_str()), (Some(id.as_str()), Some("open")));
    assert_eq!(one[0]["service_code"], "information_request");
    assert!(one[0]["requested_datetime"].as_str().unwrap().ends_with('Z'));
    let (_, xml) =
        open311(&app, Method::GET, &format!("/open311/v2/requests/{id}.xml"), None, &[("api_key", &seoul)]).await;
    assert!(xml.contains("&lt;R&amp;D&gt;"), "{xml}");
    assert!(xml_paths(&xml).iter().any(|(p, t)| p == "service_requests/request/description" && t.ends_with("<R&D>")));
    let (_, body) = open311(&app, Method::GET, "/open311/v2/requests.json", Some(&seoul), &[]).await;
    let list: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let (_, body) = open311(
        &app,
        Method::GET,
        "/open311/v2/requests.json",
        Some(&seoul),
        &[("service_code", "information_request"), ("status", "open")],
    )
    .await;
    let list: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        list.as_array().unwrap().iter().map(|r| r["service_request_id"].as_str().unwrap()).collect::<Vec<_>>(),
        [id.as_str()]
    );
    let (_, body) =
        open311(&app, Method::GET, "/open311/v2/requests.json", Some(&seoul), &[("status", "closed")]).await;
    assert_eq!(body, "[]");
    let (_, body) =
        open311(&app, Method::GET, "/open311/v2/requests.json", Some(&seoul), &[("end_date", "2000-01-01T00:00:00Z")])
            .await;
    assert_eq!(body, "[]");
    let (status, _) =
        open311(&app, Method::GET, "/open311/v2/requests.json", Some(&seoul), &[("start_date", "yesterday")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Registered, it answers by its registration number too, and the staff's steps show.
    let registered = crate::desk::act_ok(&app, &staff, id.parse().unwrap(), "register", json!({})).await;
    let reg_no = registered["reg_no"].as_str().unwrap();
    let (status, body) =
        open311(&app, Method::GET, &format!("/open311/v2/requests/{reg_no}.json"), Some(&seoul), &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains(reg_no));

    // Another organisation's requester: the spec's 404, and nothing in their list.
    let (status, body) =
        open311(&app, Method::GET, &format!("/open311/v2/requests/{id}.json"), Some(&busan), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()[0]["code"], 404);
    let (status, xml) =
        open311(&app, Method::GET, &format!("/open311/v2/requests/{reg_no}.xml"), Some(&busan), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(xml_paths(&xml).iter().any(|(p, t)| p == "errors/error/code" && t == "404"));
    let (_, body) =
        open311(&app, Method::GET, "/open311/v2/requests.json", Some(&busan), &[("service_request_id", &id)]).await;
    assert_eq!(body, "[]");
    let (_, body) = open311(&app, Method::GET, "/open311/v2/requests.json", Some(&busan), &[]).await;
    assert_eq!(body, "[]");
    let (status, _) = open311(&app, Method::GET, "/open311/v2/requests.json", None, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = open311(&app, Method::GET, "/open311/v2/requests.csv", Some(&seoul), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
