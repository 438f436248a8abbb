//! Health, readiness, metrics, security headers, backup.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::support::TestApp;

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = TestApp::new().await;
    let get = |p: &'static str| app.send(Request::get(p).body(Body::empty()).unwrap());
    assert_eq!(get("/healthz").await.0, StatusCode::OK);
    assert_eq!(get("/readyz").await.0, StatusCode::OK);
    get("/login").await;
    get("/login").await;
    let (status, headers, body) = get("/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"));
    let text = String::from_utf8(body).unwrap();
    assert!(text.contains("glocal_http_requests_total{method=\"GET\",route=\"/login\",status=\"200\"} 2"), "{text}");
    assert!(text.contains("glocal_http_request_duration_seconds_bucket{"), "{text}");
    assert!(text.contains("glocal_db_pool_connections{state=\"idle\"}"), "{text}");

    // The database gone: not ready, but alive.
    app.core.db.clone().close().await.unwrap();
    assert_eq!(get("/readyz").await.0, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(get("/healthz").await.0, StatusCode::OK);
}

#[tokio::test]
async fn pages_carry_security_headers_and_load_nothing_from_elsewhere() {
    let app = TestApp::new().await;
    let (status, headers, body) = app.send(Request::get("/login").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'self'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers.get("x-request-id").is_some());
    let html = String::from_utf8(body).unwrap();
    assert!(!html.contains("http://") && !html.contains("https://"), "no external URL in the page");
    assert!(!html.contains("<script>"), "no inline script");
    for asset in ["/assets/app.css", "/assets/app.js", "/assets/icon.svg"] {
        let (status, headers, _) = app.send(Request::get(asset).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{asset}");
        assert!(headers["cache-control"].to_str().unwrap().contains("immutable"));
    }
}

#[tokio::test]
async fn sqlite_backup_is_a_consistent_readable_copy() {
    let app = TestApp::new().await;
    if app.is_postgres() {
        // PostgreSQL is backed up with pg_dump (README); the command refuses clearly.
        let err =
            glocal_core::db::dialect::sqlite_backup(&app.core.db, std::path::Path::new("/tmp/x.db")).await.unwrap_err();
        assert!(err.to_string().contains("pg_dump"));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("copy.db");
    glocal_core::db::dialect::sqlite_backup(&app.core.db, &dest).await.unwrap();
    let mut config = app.config.clone();
    config.storage.data_dir = dir.path().to_path_buf();
    config.database.url = format!("sqlite://{}", dest.display());
    let copy = glocal_core::Core::open(config).await.unwrap();
    let n = |db: &sea_orm::DatabaseConnection| {
        let db = db.clone();
        async move {
            use sea_orm::{ConnectionTrait, Statement};
            let row = db
                .query_one_raw(Statement::from_string(db.get_database_backend(), "SELECT COUNT(*) AS n FROM users"))
                .await
                .unwrap()
                .unwrap();
            row.try_get::<i64>("", "n").unwrap()
        }
    };
    assert_eq!(n(&copy.db).await, n(&app.core.db).await);
    assert!(
        glocal_core::db::dialect::sqlite_backup(&app.core.db, &dest).await.is_err(),
        "an existing file is never overwritten"
    );
}

#[tokio::test]
async fn several_processes_starting_at_once_on_a_new_postgresql_database_migrate_it_once() {
    let Some(url) = crate::support::postgres_url() else {
        eprintln!("PostgreSQL only: several processes share a database only there");
        return;
    };
    use sea_orm::{ConnectionTrait, Database};
    let name = format!("glocal_test_{}_multi", std::process::id());
    let admin = Database::connect(&url).await.unwrap();
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
    let mut config = glocal_core::Config::default();
    let dir = tempfile::tempdir().unwrap();
    config.storage.data_dir = dir.path().to_path_buf();
    config.database.url = format!("{}/{name}", url.rsplit_once('/').unwrap().0);
    let opens: Vec<_> = (0..4).map(|_| tokio::spawn(glocal_core::Core::open(config.clone()))).collect();
    let mut cores = Vec::new();
    for o in opens {
        cores.push(o.await.unwrap().expect("every process starts"));
    }
    let status = glocal_core::db::migration_status(&cores[0].db).await.unwrap();
    assert!(status.iter().all(|(_, applied)| *applied), "{status:?}");
    let actor = glocal_core::Actor::System("test");
    let origin = glocal_core::Origin::default();
    let total = glocal_core::orgs::list(&cores[3].scope(&actor, &origin), Default::default()).await.unwrap().total;
    assert_eq!(total, 256, "reference data loaded once, not four times");
    for c in cores {
        c.db.close().await.unwrap();
    }
    admin.execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)")).await.unwrap();
}
