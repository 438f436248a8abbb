//! Tenant isolation: a requester sees and changes only their own organisation's data.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn a_requester_sees_only_their_own_organisations_users() {
    let app = TestApp::new().await;
    let seoul = app.token("seoul@demo.glocal.example").await;
    let busan_user = app.user_id("busan@demo.glocal.example").await;
    let seoul_user = app.user_id("seoul@demo.glocal.example").await;

    // Another organisation's user does not exist for them.
    let (status, body) = app.api(Method::GET, &format!("/api/v1/users/{busan_user}"), Some(&seoul), None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    // Their own colleague does.
    let (status, _) = app.api(Method::GET, &format!("/api/v1/users/{seoul_user}"), Some(&seoul), None).await;
    assert_eq!(status, StatusCode::OK);

    // The list holds only their organisation, whatever filter they ask for.
    let seoul_org = app.org_id("1100000000").await;
    let (_, list) = app.api(Method::GET, "/api/v1/users?per_page=200", Some(&seoul), None).await;
    let orgs: std::collections::BTreeSet<i64> =
        list["items"].as_array().unwrap().iter().map(|u| u["org_id"].as_i64().unwrap()).collect();
    assert_eq!(orgs.into_iter().collect::<Vec<_>>(), vec![seoul_org]);
    let busan_org = app.org_id("2600000000").await;
    let (_, list) = app.api(Method::GET, &format!("/api/v1/users?org_id={busan_org}"), Some(&seoul), None).await;
    assert_eq!(list["total"], 0);
    assert_eq!(list["items"], json!([]));

    // Staff of the association see everyone.
    let staff = app.token("staff@demo.glocal.example").await;
    let (status, _) = app.api(Method::GET, &format!("/api/v1/users/{busan_user}"), Some(&staff), None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_requester_changes_nothing_outside_their_own_profile() {
    let app = TestApp::new().await;
    let seoul = app.token("seoul@demo.glocal.example").await;
    let busan_user = app.user_id("busan@demo.glocal.example").await;
    let seoul_colleague = app.user_id("seoul@demo.glocal.example").await;
    let busan_org = app.org_id("2600000000").await;
    let audit_before = app.count("audit_events").await;

    let attempts = [
        (Method::PATCH, format!("/api/v1/users/{busan_user}"), json!({"name": "hacked"})),
        (Method::PATCH, format!("/api/v1/users/{seoul_colleague}"), json!({"roles": ["administrator"]})),
        (Method::POST, "/api/v1/users".to_string(), json!({"org_id": busan_org, "email": "x@y.kr", "name": "X"})),
        (Method::PATCH, format!("/api/v1/organizations/{busan_org}"), json!({"name": "hacked"})),
        (Method::POST, "/api/v1/organizations".to_string(), json!({"kind": "other", "name": "X"})),
    ];
    for (method, path, body) in attempts {
        let (status, b) = app.api(method.clone(), &path, Some(&seoul), Some(body)).await;
        assert_eq!((status, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{method} {path}");
    }
    let (status, _) = app.api(Method::GET, "/api/v1/audit-events", Some(&seoul), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Nothing changed, and nothing was recorded as changed (reading one's own user list is).
    let admin = app.token("admin@demo.glocal.example").await;
    let (_, busan) = app.api(Method::GET, &format!("/api/v1/users/{busan_user}"), Some(&admin), None).await;
    assert_ne!(busan["name"], "hacked");
    let changes = app.count("audit_events").await - audit_before;
    assert!(changes <= 2, "refused requests left {changes} audit entries");
}

#[tokio::test]
async fn a_session_cookie_does_not_authenticate_the_api() {
    let app = TestApp::new().await;
    let browser = app.browser_as("admin@demo.glocal.example").await;
    let cookie = format!("glocal_session={}", browser.cookies["glocal_session"]);
    let req =
        axum::http::Request::get("/api/v1/users").header("cookie", cookie).body(axum::body::Body::empty()).unwrap();
    let (status, _, _) = app.send(req).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the API takes bearer tokens only, so no site can forge calls");
}

#[tokio::test]
async fn web_pages_hide_other_organisations_users_too() {
    let app = TestApp::new().await;
    let busan_user = app.user_id("busan@demo.glocal.example").await;
    let mut seoul = app.browser_as("seoul@demo.glocal.example").await;
    let (status, _) = seoul.get(&format!("/users/{busan_user}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, html) = seoul.get("/users").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("seoul@demo.glocal.example"));
    assert!(!html.contains("busan@demo.glocal.example"));
    let (status, _) = seoul.get("/users/new").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = seoul.get("/admin/audit").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
