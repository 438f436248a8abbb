//! The web pages: login with CSRF protection, the five languages, administration forms,
//! one-time links, sessions shared between processes.

use axum::http::StatusCode;

use crate::support::{Browser, DEMO_PASSWORD, TestApp};

#[tokio::test]
async fn the_login_page_speaks_five_languages() {
    let app = TestApp::new().await;
    let cases = [
        ("ko-KR,ko;q=0.9", "ko", "로그인"),
        ("en-GB,en;q=0.8", "en", "Log in"),
        ("zh-CN,zh;q=0.9", "zh-Hans", "登录"),
        ("zh-TW,zh;q=0.9", "zh-Hant", "登入"),
        ("ja,en;q=0.5", "ja", "ログイン"),
        ("de-DE", "ko", "로그인"),
    ];
    for (accept, lang, title) in cases {
        let mut b = Browser::new(&app.router);
        b.accept_language = accept.into();
        let (status, html) = b.get("/login").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&format!("<html lang=\"{lang}\"")), "{accept}");
        assert!(html.contains(&format!("<h1>{title}</h1>")), "{accept}: {title}");
    }
}

#[tokio::test]
async fn forms_without_the_right_csrf_token_are_refused() {
    let app = TestApp::new().await;
    let mut b = Browser::new(&app.router);
    b.get("/login").await;
    let fields = [("email", "admin@demo.glocal.example".to_string()), ("password", DEMO_PASSWORD.to_string())];
    let (status, _, html) = b.post_raw("/login", &fields).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("csrf_failed"));
    let mut forged = fields.to_vec();
    forged.push(("csrf", "x".repeat(32)));
    let (status, _, _) = b.post_raw("/login", &forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!b.cookies.contains_key("glocal_session"));

    // Logged in, the token is the session's: a form from before login no longer works.
    let stale = b.csrf();
    b.login("admin@demo.glocal.example", DEMO_PASSWORD).await;
    b.get("/account").await;
    let (status, _, _) = b.post_raw("/account/tokens", &[("name", "x".into()), ("csrf", stale)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn wrong_password_shows_a_translated_error_and_open_redirects_are_refused() {
    let app = TestApp::new().await;
    let mut b = Browser::new(&app.router);
    b.accept_language = "zh-TW".into();
    b.get("/login").await;
    let (status, _, html) =
        b.post("/login", &[("email", "seoul@demo.glocal.example"), ("password", "wrong-wrong")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains("電子郵件地址或密碼不正確。"), "{html}");

    let (_, _, _) = b
        .post(
            "/login",
            &[("email", "seoul@demo.glocal.example"), ("password", DEMO_PASSWORD), ("next", "//evil.example/")],
        )
        .await;
    let mut b2 = Browser::new(&app.router);
    b2.get("/login?next=//evil.example/").await;
    let (status, location, _) = b2
        .post(
            "/login",
            &[("email", "busan@demo.glocal.example"), ("password", DEMO_PASSWORD), ("next", "//evil.example/")],
        )
        .await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/")));
}

#[tokio::test]
async fn the_chosen_language_is_saved_to_the_profile() {
    let app = TestApp::new().await;
    let mut b = app.browser_as("seoul@demo.glocal.example").await;
    let (_, html) = b.get("/").await;
    assert!(html.contains("<html lang=\"ko\""));
    for (tag, word) in
        [("en", "Organisations"), ("zh-Hans", "机构"), ("zh-Hant", "機構"), ("ja", "機関"), ("ko", "기관")]
    {
        let (status, location, _) = b.post("/language", &[("locale", tag), ("back", "/organizations")]).await;
        assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/organizations")));
        let (_, html) = b.get("/organizations").await;
        assert!(html.contains(&format!("<html lang=\"{tag}\"")), "{tag}");
        assert!(html.contains(&format!("<h1>{word}</h1>")), "{tag}");
    }
    b.post("/language", &[("locale", "ja"), ("back", "/")]).await;
    // A fresh login elsewhere, whatever the browser says, gets the saved language.
    let mut other = Browser::new(&app.router);
    other.accept_language = "en".into();
    other.login("seoul@demo.glocal.example", DEMO_PASSWORD).await;
    let (_, html) = other.get("/").await;
    assert!(html.contains("<html lang=\"ja\""));
    // An unknown language is refused.
    let (status, _, _) = b.post("/language", &[("locale", "xx"), ("back", "/")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn an_administrator_creates_an_account_and_the_person_sets_a_password() {
    let app = TestApp::new().await;
    // The administrator's saved language (Korean) wins over the browser's.
    let mut admin = app.browser_as("admin@demo.glocal.example").await;
    admin.accept_language = "en".into();
    admin.get("/users/new").await;
    // Invalid first: every problem is shown at once, nothing is created.
    let before = app.count("users").await;
    let (status, _, html) = admin
        .post(
            "/users",
            &[
                ("name", ""),
                ("email", "nope"),
                ("org_code", "NOPE"),
                ("roles", "requester"),
                ("locale", "ko"),
                ("time_zone", "Asia/Seoul"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in ["이 코드의 기관이 없습니다.", "필수 항목입니다.", "올바른 이메일 주소가 아닙니다."]
    {
        assert!(html.contains(message), "{message} missing");
    }
    assert!(html.contains("<a href=\"#org_code\">"), "the summary links to the field");
    assert!(html.contains("aria-invalid=\"true\""));
    assert_eq!(app.count("users").await, before);

    let (status, _, html) = admin
        .post(
            "/users",
            &[
                ("name", "박대전"),
                ("email", "park@daejeon.go.kr"),
                ("org_code", "3000000000"),
                ("roles", "requester"),
                ("roles", "desk_staff"),
                ("locale", "ko"),
                ("time_zone", "Asia/Seoul"),
                ("languages", "ko, en"),
                ("countries", "us"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{html}");
    let marker = "id=\"setup-url\">";
    let start = html.find(marker).expect("the one-time link is shown") + marker.len();
    let url = &html[start..start + html[start..].find('<').unwrap()];
    let path = &url[url.find("/setup/").unwrap()..];

    let mut person = Browser::new(&app.router);
    let (status, html) = person.get(path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("park@daejeon.go.kr"));
    let (status, _, _) =
        person.post(path, &[("password", "대전 유성 2026!"), ("password_again", "different 2026!")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, location, _) =
        person.post(path, &[("password", "대전 유성 2026!"), ("password_again", "대전 유성 2026!")]).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/login")));
    let (status, _) = person.get(path).await;
    assert_eq!(status, StatusCode::GONE, "a link works once");
    person.login("park@daejeon.go.kr", "대전 유성 2026!").await;
}

#[tokio::test]
async fn account_page_changes_password_and_shows_a_new_token_once() {
    let app = TestApp::new().await;
    let mut b = app.browser_as("librarian@demo.glocal.example").await;
    b.accept_language = "en".into();
    b.get("/account").await;
    let (status, _, html) = b.post("/account/tokens", &[("name", "reports script"), ("valid_days", "30")]).await;
    assert_eq!(status, StatusCode::CREATED);
    let marker = "id=\"new-token\">";
    let start = html.find(marker).unwrap() + marker.len();
    let token = html[start..start + html[start..].find('<').unwrap()].to_string();
    assert_eq!(app.api(axum::http::Method::GET, "/api/v1/me", Some(&token), None).await.0, StatusCode::OK);
    let (_, html) = b.get("/account").await;
    assert!(!html.contains(&token), "the secret is shown only once");

    let (status, _, _) = b
        .post(
            "/account/password",
            &[
                ("current_password", "wrong"),
                ("new_password", "new pass phrase 1"),
                ("new_password_again", "new pass phrase 1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, _) = b
        .post(
            "/account/password",
            &[
                ("current_password", DEMO_PASSWORD),
                ("new_password", "new pass phrase 1"),
                ("new_password_again", "new pass phrase 1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // This session stays; the password is the new one.
    assert_eq!(b.get("/account").await.0, StatusCode::OK);
    let mut other = Browser::new(&app.router);
    other.login("librarian@demo.glocal.example", "new pass phrase 1").await;
}

#[tokio::test]
async fn sessions_are_shared_by_every_process_and_end_at_logout() {
    let app = TestApp::new().await;
    let (_, second) = app.sibling().await;
    let mut b = app.browser_as("manager@demo.glocal.example").await;
    let cookies = b.cookies.clone();
    let mut on_second = Browser::new(&second);
    on_second.cookies = cookies;
    let (status, html) = on_second.get("/account").await;
    assert_eq!(status, StatusCode::OK, "a session opened on one process works on another");
    assert!(html.contains("한지수 Han Jisu"));

    b.get("/").await;
    let (status, location, _) = b.post("/logout", &[]).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/login")));
    let (status, _) = on_second.get("/account").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "logged out everywhere");
}

#[tokio::test]
async fn administration_pages_edit_organisations() {
    let app = TestApp::new().await;
    let mut admin = app.browser_as("admin@demo.glocal.example").await;
    let id = app.org_id("OFF-FR").await;
    let (status, html) = admin.get(&format!("/organizations/{id}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("value=\"Europe/Paris\""));
    let (status, location, _) = admin
        .post(
            &format!("/organizations/{id}"),
            &[
                ("kind", "overseas_office"),
                ("name", "파리사무소"),
                ("name_en", "Paris Office"),
                ("code", "OFF-FR"),
                ("parent_code", "SEC"),
                ("country", "FR"),
                ("city", "Paris"),
                ("time_zone", "Europe/Paris"),
                ("phone", "+33 1 00 00 00 00"),
                ("active", "on"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!((status, location), (StatusCode::SEE_OTHER, Some(format!("/organizations/{id}"))));
    let (_, html) = admin.get(&format!("/organizations/{id}")).await;
    assert!(html.contains("+33 1 00 00 00 00"));
    // The same form again carries the old version: refused, with the reason.
    let (status, _, html) = admin
        .post(
            &format!("/organizations/{id}"),
            &[("kind", "overseas_office"), ("name", "X"), ("version", "1"), ("active", "on")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("다른 사람이"), "the conflict is explained in Korean");
}

#[tokio::test]
async fn unknown_pages_and_not_logged_in() {
    let app = TestApp::new().await;
    let mut b = Browser::new(&app.router);
    b.accept_language = "ja".into();
    let (status, html) = b.get("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("見つかりません"));
    let (status, _) = b.get("/users").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "to the login page");
    let (status, body) = app.api(axum::http::Method::GET, "/api/v1/nothing", None, None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
}
