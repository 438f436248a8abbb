//! Accounts through the API: tokens, login throttling, user administration, bad input.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::{DEMO_PASSWORD, TestApp};

#[tokio::test]
async fn token_login_and_current_user() {
    let app = TestApp::new().await;
    let (status, body) = app
        .api(
            Method::POST,
            "/api/v1/tokens",
            None,
            Some(json!({"email": "Seoul@Demo.Glocal.Example", "password": DEMO_PASSWORD, "name": "script"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token = body["token"].as_str().unwrap();
    assert!(token.starts_with("glc_"));
    assert_eq!(body["name"], "script");

    let (status, me) = app.api(Method::GET, "/api/v1/me", Some(token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["email"], "seoul@demo.glocal.example");
    assert_eq!(me["roles"], json!(["requester"]));
    assert_eq!(me["org_id"], app.org_id("1100000000").await);
    assert!(me.get("password_hash").is_none());

    // No token, a made-up token: 401 with the stable code.
    let (status, body) = app.api(Method::GET, "/api/v1/me", None, None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));
    let (status, _) = app.api(Method::GET, "/api/v1/me", Some("glc_madeup"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn wrong_password_is_refused_alike_for_unknown_accounts() {
    let app = TestApp::new().await;
    let (s1, b1) = app
        .api(
            Method::POST,
            "/api/v1/tokens",
            None,
            Some(json!({"email": "seoul@demo.glocal.example", "password": "wrong-password"})),
        )
        .await;
    let (s2, b2) = app
        .api(
            Method::POST,
            "/api/v1/tokens",
            None,
            Some(json!({"email": "nobody@demo.glocal.example", "password": "wrong-password"})),
        )
        .await;
    assert_eq!((s1, s2), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    assert_eq!(b1, b2, "a failure must not tell whether the account exists");
    assert_eq!(b1["code"], "invalid_credentials");
    assert_eq!(b1["message"], "The email address or password is wrong.");
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_every_process() {
    let app = TestApp::new().await;
    let attempt = |pw: &'static str| {
        app.api(
            Method::POST,
            "/api/v1/tokens",
            None,
            Some(json!({"email": "busan@demo.glocal.example", "password": pw})),
        )
    };
    for _ in 0..5 {
        assert_eq!(attempt("not-the-password").await.0, StatusCode::UNAUTHORIZED);
    }
    // Locked now, even with the right password, and on another process too.
    let (status, body) = attempt(DEMO_PASSWORD).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")));
    let (_, other) = app.sibling().await;
    let req = axum::http::Request::post("/api/v1/tokens")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            json!({"email": "busan@demo.glocal.example", "password": DEMO_PASSWORD}).to_string(),
        ))
        .unwrap();
    let (status, headers, _) = crate::support::send(&other, req).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(headers.get("retry-after").is_some());
    // Other accounts are not affected.
    app.token("jongno@demo.glocal.example").await;
}

#[tokio::test]
async fn tokens_are_listed_and_revoked_by_their_owner_only() {
    let app = TestApp::new().await;
    let token = app.token("staff@demo.glocal.example").await;
    let other = app.token("seoul@demo.glocal.example").await;
    let (_, list) = app.api(Method::GET, "/api/v1/tokens", Some(&token), None).await;
    let id = list[0]["id"].as_i64().unwrap();
    assert!(list[0].get("token").is_none(), "the secret is never listed");

    let (status, _) = app.api(Method::DELETE, &format!("/api/v1/tokens/{id}"), Some(&other), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "someone else's token does not exist for them");
    let (status, _) = app.api(Method::GET, "/api/v1/me", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);

    let (status, body) = app.api(Method::DELETE, &format!("/api/v1/tokens/{id}"), Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["revoked_at"].is_string());
    let (status, _) = app.api(Method::GET, "/api/v1/me", Some(&token), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn administrators_create_users_who_set_their_password_by_link() {
    let app = TestApp::new().await;
    let admin = app.token("admin@demo.glocal.example").await;
    let org = app.org_id("4111000000").await; // Suwon-si
    let (status, body) = app
        .api(
            Method::POST,
            "/api/v1/users",
            Some(&admin),
            Some(json!({
                "org_id": org, "email": "lee@suwon.go.kr", "name": "이수원", "roles": ["requester"],
                "languages": ["ko", "EN"], "countries": ["jp"], "locale": "ko", "time_zone": "Asia/Seoul"
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["languages"], json!(["ko", "en"]));
    assert_eq!(body["countries"], json!(["JP"]));
    assert_eq!(body["has_password"], false);
    let url = body["setup_url"].as_str().unwrap();
    let token = url.rsplit('/').next().unwrap();

    // The link sets the password once.
    let user = glocal_core::accounts::complete_setup(&app.core, &Default::default(), token, "수원 시청 2026 국제교류")
        .await
        .unwrap();
    assert!(user.has_password);
    assert!(
        glocal_core::accounts::complete_setup(&app.core, &Default::default(), token, "another password 1")
            .await
            .is_err()
    );
    let (status, _) = app
        .api(
            Method::POST,
            "/api/v1/tokens",
            None,
            Some(json!({"email": "lee@suwon.go.kr", "password": "수원 시청 2026 국제교류"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn bad_input_gets_a_clear_code_and_changes_nothing() {
    let app = TestApp::new().await;
    let admin = app.token("admin@demo.glocal.example").await;
    let org = app.org_id("SEC-INTL").await;
    let users_before = app.count("users").await;
    let audit_before = app.count("audit_events").await;
    let cases = [
        (
            json!({"org_id": org, "email": "a@b.kr", "name": "   "}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "value_required",
            "name",
        ),
        (
            json!({"org_id": org, "email": "a@b.kr", "name": "가".repeat(121)}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "value_too_long",
            "name",
        ),
        (
            json!({"org_id": org, "email": "not-an-email", "name": "X"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_email",
            "email",
        ),
        (
            json!({"org_id": 999_999, "email": "a@b.kr", "name": "X"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_organization",
            "org_id",
        ),
        (json!({"org_id": "one", "email": "a@b.kr", "name": "X"}), StatusCode::BAD_REQUEST, "invalid_body", "org_id"),
        (
            json!({"org_id": org, "email": "a@b.kr", "name": "X", "roles": ["king"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_role",
            "roles",
        ),
        (
            json!({"org_id": org, "email": "a@b.kr", "name": "X", "time_zone": "Asia/Atlantis"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_time_zone",
            "time_zone",
        ),
        (
            json!({"org_id": org, "email": "a@b.kr", "name": "X", "password": "short"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "password_too_short",
            "password",
        ),
        (
            json!({"org_id": org, "email": "staff@demo.glocal.example", "name": "X"}),
            StatusCode::CONFLICT,
            "email_taken",
            "email",
        ),
        (
            json!({"org_id": org, "email": "a@b.kr", "name": "X", "surprise": 1}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
            "body",
        ),
    ];
    for (body, status, code, field) in cases {
        let (s, b) = app.api(Method::POST, "/api/v1/users", Some(&admin), Some(body.clone())).await;
        assert_eq!((s, b["code"].as_str()), (status, Some(code)), "{body} → {b}");
        if field != "body" {
            assert_eq!(b["field"], field, "{body} → {b}");
        }
        assert!(!b["message"].as_str().unwrap().is_empty());
    }
    // Several problems at once are all named.
    let (s, b) = app.api(Method::POST, "/api/v1/users", Some(&admin), Some(json!({"email": "bad", "name": ""}))).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")));
    assert!(b["errors"].as_array().unwrap().len() >= 3, "{b}");
    // Not JSON at all.
    let req = axum::http::Request::post("/api/v1/users")
        .header("authorization", format!("Bearer {admin}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from("{not json"))
        .unwrap();
    let (status, _, body) = app.send(req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&body).unwrap()["code"], "invalid_body");

    assert_eq!(app.count("users").await, users_before, "a refused request created a user");
    assert_eq!(app.count("audit_events").await, audit_before, "a refused request was recorded as a change");
}

#[tokio::test]
async fn errors_speak_the_callers_language() {
    let app = TestApp::new().await;
    let req = axum::http::Request::get("/api/v1/me")
        .header("accept-language", "ja-JP,ja;q=0.9")
        .body(axum::body::Body::empty())
        .unwrap();
    let (_, _, body) = app.send(req).await;
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["code"], "unauthenticated");
    assert_eq!(v["message"], "まずログインしてください。");
}

#[tokio::test]
async fn stale_updates_are_refused_and_the_winner_kept() {
    let app = TestApp::new().await;
    let admin = app.token("admin@demo.glocal.example").await;
    let id = app.user_id("staff@demo.glocal.example").await;
    let (_, user) = app.api(Method::GET, &format!("/api/v1/users/{id}"), Some(&admin), None).await;
    let version = user["version"].as_i64().unwrap();

    // Two administrators edit from the same version at once: exactly one wins.
    let path = format!("/api/v1/users/{id}");
    let a = app.api(Method::PATCH, &path, Some(&admin), Some(json!({"version": version, "title": "Team lead"})));
    let b = app.api(Method::PATCH, &path, Some(&admin), Some(json!({"version": version, "title": "Translator"})));
    let ((sa, ba), (sb, bb)) = tokio::join!(a, b);
    let mut statuses = [sa, sb];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{ba} / {bb}");
    let loser = if sa == StatusCode::CONFLICT { &ba } else { &bb };
    assert_eq!(loser["code"], "conflict_stale");
    let winner_title = if sa == StatusCode::OK { "Team lead" } else { "Translator" };
    let (_, now) = app.api(Method::GET, &format!("/api/v1/users/{id}"), Some(&admin), None).await;
    assert_eq!(now["title"], winner_title);
    assert_eq!(now["version"].as_i64().unwrap(), version + 1);
}

#[tokio::test]
async fn the_last_administrator_cannot_be_removed() {
    let app = TestApp::new().await;
    let admin = app.token("admin@demo.glocal.example").await;
    let id = app.user_id("admin@demo.glocal.example").await;
    let (status, body) = app
        .api(Method::PATCH, &format!("/api/v1/users/{id}"), Some(&admin), Some(json!({"roles": ["desk_staff"]})))
        .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("last_administrator")));
    let (status, body) =
        app.api(Method::PATCH, &format!("/api/v1/users/{id}"), Some(&admin), Some(json!({"active": false}))).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("cannot_deactivate_self")));
}

#[tokio::test]
async fn deactivated_users_lose_their_sessions_and_tokens() {
    let app = TestApp::new().await;
    let admin = app.token("admin@demo.glocal.example").await;
    let token = app.token("busan@demo.glocal.example").await;
    let mut browser = app.browser_as("busan@demo.glocal.example").await;
    let id = app.user_id("busan@demo.glocal.example").await;
    let (status, _) =
        app.api(Method::PATCH, &format!("/api/v1/users/{id}"), Some(&admin), Some(json!({"active": false}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.api(Method::GET, "/api/v1/me", Some(&token), None).await.0, StatusCode::UNAUTHORIZED);
    let (status, _) = browser.get("/account").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the session must be gone");
    let (status, body) = app
        .api(
            Method::POST,
            "/api/v1/tokens",
            None,
            Some(json!({"email": "busan@demo.glocal.example", "password": DEMO_PASSWORD})),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("account_inactive")));
}

#[tokio::test]
async fn users_update_their_own_profile_but_not_their_roles() {
    let app = TestApp::new().await;
    let token = app.token("jongno@demo.glocal.example").await;
    let (status, me) = app
        .api(Method::PATCH, "/api/v1/me", Some(&token), Some(json!({"name": "임소희", "locale": "zh-TW", "time_zone": "Asia/Taipei", "roles": ["administrator"], "org_id": 1})))
        .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["locale"], "zh-Hant");
    assert_eq!(me["time_zone"], "Asia/Taipei");
    assert_eq!(me["roles"], json!(["requester"]), "roles are the administrators'");
    assert_eq!(me["org_id"], app.org_id("1111000000").await);
}
