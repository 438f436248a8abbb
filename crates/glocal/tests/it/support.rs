//! The test harness: each test gets its own database (SQLite in a temporary folder, or a
//! fresh PostgreSQL database when `GLOCAL_TEST_DATABASE_URL` is set) and drives the real
//! router — in process, or over a real socket for browser tests.

use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use glocal_core::actor::{Actor, Origin};
use glocal_core::{Config, Core};
use serde_json::Value;
use tower::ServiceExt;

pub const DEMO_PASSWORD: &str = glocal_core::demo::DEMO_PASSWORD;

pub struct TestApp {
    pub core: Core,
    pub router: Router,
    pub config: Config,
    _dir: tempfile::TempDir,
    pg_admin: Option<(String, String)>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Which backend the suite runs on: SQLite unless `GLOCAL_TEST_DATABASE_URL` names a
/// PostgreSQL server (any database on it; each test creates its own).
pub fn postgres_url() -> Option<String> {
    std::env::var("GLOCAL_TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres"))
}

impl TestApp {
    /// A fresh application with its reference data and the demo accounts.
    pub async fn new() -> TestApp {
        Self::with(|_| {}).await
    }

    /// A fresh application; `adjust` may change the configuration first.
    ///
    /// Every test's database is a copy of one template, migrated and loaded with the reference
    /// and demo data once per test process: a file copy on SQLite, `CREATE DATABASE … TEMPLATE`
    /// on PostgreSQL.
    pub async fn with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().expect("temporary folder");
        let mut config = Config::default();
        config.storage.data_dir = dir.path().to_path_buf();
        let template = template().await;
        let mut pg_admin = None;
        match &template.pg_name {
            Some(tmpl) => {
                let url = postgres_url().expect("template made on PostgreSQL");
                let name = format!("glocal_test_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
                create_pg_database(&url, &name, Some(tmpl)).await;
                config.database.url = replace_db_name(&url, &name);
                pg_admin = Some((url, name));
            }
            None => {
                std::fs::copy(&template.sqlite_file, dir.path().join("glocal.db")).expect("copy template database");
            }
        }
        adjust(&mut config);
        let core = Core::open(config.clone()).await.expect("core opens");
        let router = glocal_web::router(glocal_web::AppState::new(core.clone()));
        TestApp { core, router, config, _dir: dir, pg_admin }
    }

    /// A second "process" on the same database: another core and router.
    pub async fn sibling(&self) -> (Core, Router) {
        let core = Core::open(self.config.clone()).await.expect("second core opens");
        let router = glocal_web::router(glocal_web::AppState::new(core.clone()));
        (core, router)
    }

    pub fn is_postgres(&self) -> bool {
        self.pg_admin.is_some()
    }

    /// Sends one request through the router.
    pub async fn send(&self, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        send(&self.router, req).await
    }

    /// An API call; `token` as bearer, `body` as JSON.
    pub async fn api(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut b = Request::builder().method(method).uri(path).header(header::ACCEPT_LANGUAGE, "en");
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(v) => b.header(header::CONTENT_TYPE, "application/json").body(Body::from(v.to_string())).unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        let (status, _, bytes) = self.send(req).await;
        let json = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        (status, json)
    }

    /// A bearer token for a demo account.
    pub async fn token(&self, email: &str) -> String {
        let (status, body) = self
            .api(
                Method::POST,
                "/api/v1/tokens",
                None,
                Some(serde_json::json!({"email": email, "password": DEMO_PASSWORD})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "token for {email}: {body}");
        body["token"].as_str().unwrap().to_string()
    }

    /// A user id by email (read as the system).
    pub async fn user_id(&self, email: &str) -> i64 {
        let actor = Actor::System("test");
        let origin = Origin::default();
        let scope = self.core.scope(&actor, &origin);
        let page = glocal_core::accounts::list(
            &scope,
            glocal_core::accounts::UserFilter { q: Some(email.into()), ..Default::default() },
        )
        .await
        .unwrap();
        page.items.iter().find(|u| u.email == email).unwrap_or_else(|| panic!("no user {email}")).id.0
    }

    /// An organisation id by code.
    pub async fn org_id(&self, code: &str) -> i64 {
        let actor = Actor::System("test");
        let origin = Origin::default();
        glocal_core::orgs::get_by_code(&self.core.scope(&actor, &origin), code).await.unwrap().id.0
    }

    /// A browser-like client with a cookie jar, already logged in as `email`.
    pub async fn browser_as(&self, email: &str) -> Browser<'_> {
        let mut b = Browser::new(&self.router);
        b.login(email, DEMO_PASSWORD).await;
        b
    }

    /// Serves the router on a real loopback socket; returns its base URL.
    pub async fn serve(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = self.router.clone().into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    }

    /// Counts rows of a table (for "changes nothing" assertions).
    pub async fn count(&self, table: &str) -> i64 {
        use sea_orm::{ConnectionTrait, Statement};
        let backend = self.core.db.get_database_backend();
        let row = self
            .core
            .db
            .query_one_raw(Statement::from_string(backend, format!("SELECT COUNT(*) AS n FROM {table}")))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((url, name)) = self.pg_admin.take() {
            // Best effort, on its own thread: the test's runtime may be shutting down.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    use sea_orm::{ConnectionTrait, Database};
                    if let Ok(db) = Database::connect(&url).await {
                        let _ = db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                    }
                });
            })
            .join();
        }
    }
}

/// The database every test starts from.
struct Template {
    /// SQLite: a clean copy of the loaded database.
    sqlite_file: std::path::PathBuf,
    /// PostgreSQL: the template database's name.
    pg_name: Option<String>,
    _dir: tempfile::TempDir,
}

static TEMPLATE: tokio::sync::OnceCell<Template> = tokio::sync::OnceCell::const_new();

async fn template() -> &'static Template {
    TEMPLATE
        .get_or_init(|| async {
            // Built on a runtime of its own: the test that triggers it may end before others
            // use the template, taking its runtime (and pool) with it.
            std::thread::spawn(build_template).join().expect("template builds")
        })
        .await
}

fn build_template() -> Template {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().expect("temporary folder");
        let mut config = Config::default();
        config.storage.data_dir = dir.path().to_path_buf();
        let pg_name = match postgres_url() {
            Some(url) => {
                drop_stale_pg_databases(&url).await;
                let name = format!("glocal_tmpl_{}", std::process::id());
                create_pg_database(&url, &name, None).await;
                config.database.url = replace_db_name(&url, &name);
                Some(name)
            }
            None => None,
        };
        let core = Core::open(config.clone()).await.expect("core opens");
        glocal_core::demo::load(&core).await.expect("demo data loads");
        let sqlite_file = dir.path().join("template.db");
        if pg_name.is_none() {
            glocal_core::db::dialect::sqlite_backup(&core.db, &sqlite_file).await.expect("template copy");
        }
        core.db.close().await.expect("template closes");
        Template { sqlite_file, pg_name, _dir: dir }
    })
}

/// Databases left by test processes that no longer run (killed before they could clean up).
async fn drop_stale_pg_databases(admin_url: &str) {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let Ok(db) = Database::connect(admin_url).await else { return };
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT datname FROM pg_database WHERE datname LIKE 'glocal\\_test\\_%' OR datname LIKE 'glocal\\_tmpl\\_%'",
        ))
        .await
        .unwrap_or_default();
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "datname") else { continue };
        let pid: Option<u32> = name.split('_').nth(2).and_then(|p| p.parse().ok());
        if pid.is_some_and(|p| p != std::process::id() && !std::path::Path::new(&format!("/proc/{p}")).exists()) {
            let _ = db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        }
    }
    db.close().await.ok();
}

async fn create_pg_database(admin_url: &str, name: &str, template: Option<&str>) {
    use sea_orm::{ConnectionTrait, Database};
    let db = Database::connect(admin_url).await.expect("PostgreSQL reachable at GLOCAL_TEST_DATABASE_URL");
    let sql = match template {
        Some(t) => format!("CREATE DATABASE {name} TEMPLATE {t}"),
        None => format!("CREATE DATABASE {name}"),
    };
    db.execute_unprepared(&sql).await.expect("create test database");
    db.close().await.ok();
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let base = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

pub async fn send(router: &Router, mut req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    req.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from(([127, 0, 0, 1], 40000))));
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 16 * 1024 * 1024).await.unwrap().to_vec();
    (status, headers, bytes)
}

/// Follows the web pages as a browser would: keeps cookies, reads the CSRF token from the
/// last page, posts forms.
pub struct Browser<'a> {
    router: &'a Router,
    pub cookies: std::collections::BTreeMap<String, String>,
    pub last_html: String,
    pub accept_language: String,
}

impl<'a> Browser<'a> {
    pub fn new(router: &'a Router) -> Self {
        Browser { router, cookies: Default::default(), last_html: String::new(), accept_language: "ko".into() }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    fn keep_cookies(&mut self, headers: &axum::http::HeaderMap) {
        for v in headers.get_all(header::SET_COOKIE) {
            let s = v.to_str().unwrap();
            let (kv, attrs) = s.split_once(';').unwrap_or((s, ""));
            let (k, val) = kv.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), val.to_string());
            }
        }
    }

    /// GET a page; returns the status and the body.
    pub async fn get(&mut self, path: &str) -> (StatusCode, String) {
        let req = Request::builder()
            .uri(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::ACCEPT_LANGUAGE, self.accept_language.clone())
            .body(Body::empty())
            .unwrap();
        let (status, headers, body) = send(self.router, req).await;
        self.keep_cookies(&headers);
        self.last_html = String::from_utf8(body).unwrap();
        (status, self.last_html.clone())
    }

    /// The CSRF token of the last page.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let i = self.last_html.find(marker).expect("the page has a form") + marker.len();
        self.last_html[i..].split('"').next().unwrap().to_string()
    }

    /// POST a form with the last page's CSRF token; returns status, Location header and body.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, Option<String>, String) {
        let mut all: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, v.to_string())).collect();
        if !fields.iter().any(|(k, _)| *k == "csrf") {
            all.push(("csrf", self.csrf()));
        }
        self.post_raw(path, &all).await
    }

    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, String)]) -> (StatusCode, Option<String>, String) {
        let body = serde_html_form::to_string(fields).unwrap();
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::ACCEPT_LANGUAGE, self.accept_language.clone())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        let (status, headers, body) = send(self.router, req).await;
        self.keep_cookies(&headers);
        let location = headers.get(header::LOCATION).map(|v| v.to_str().unwrap().to_string());
        let html = String::from_utf8(body).unwrap();
        if !html.is_empty() {
            self.last_html = html.clone();
        }
        (status, location, html)
    }

    pub async fn login(&mut self, email: &str, password: &str) {
        self.get("/login").await;
        let (status, location, body) = self.post("/login", &[("email", email), ("password", password)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "login as {email} failed: {body}");
        assert_eq!(location.as_deref(), Some("/"));
        assert!(self.cookies.contains_key("glocal_session"));
    }
}
