//! The audit log: changes and personal-data reads are recorded; entries cannot be altered.

use axum::http::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn changes_and_reads_of_personal_records_are_logged() {
    let app = TestApp::new().await;
    let admin = app.token("admin@demo.glocal.example").await;
    let staff = app.token("staff@demo.glocal.example").await;
    let id = app.user_id("seoul@demo.glocal.example").await;

    let (status, _) =
        app.api(Method::PATCH, &format!("/api/v1/users/{id}"), Some(&admin), Some(json!({"title": "주무관"}))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.api(Method::GET, &format!("/api/v1/users/{id}"), Some(&staff), None).await;
    assert_eq!(status, StatusCode::OK);

    let (status, log) = app
        .api(Method::GET, &format!("/api/v1/audit-events?subject_type=user&subject_id={id}"), Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let items = log["items"].as_array().unwrap();
    let read = items.iter().find(|e| e["action"] == "user.read").expect("the read is logged");
    assert_eq!(read["actor_label"], "staff@demo.glocal.example");
    assert_eq!(read["ip"], "127.0.0.1");
    let update = items.iter().find(|e| e["action"] == "user.update").expect("the change is logged");
    assert_eq!(update["actor_label"], "admin@demo.glocal.example");
    assert_eq!(update["details"]["title"], json!([null, "주무관"]));

    // Logins are logged; passwords never appear.
    let (_, logins) =
        app.api(Method::GET, "/api/v1/audit-events?action=session.login_failed", Some(&admin), None).await;
    assert_eq!(logins["total"], 0);
    app.api(
        Method::POST,
        "/api/v1/tokens",
        None,
        Some(json!({"email": "seoul@demo.glocal.example", "password": "guess-guess-guess"})),
    )
    .await;
    let (_, logins) =
        app.api(Method::GET, "/api/v1/audit-events?action=session.login_failed", Some(&admin), None).await;
    assert_eq!(logins["total"], 1);
    assert!(!logins.to_string().contains("guess-guess-guess"));
}

#[tokio::test]
async fn the_log_refuses_updates_and_deletes_in_the_database_itself() {
    let app = TestApp::new().await;
    let before = app.count("audit_events").await;
    assert!(before > 0);
    let backend = app.core.db.get_database_backend();
    let update =
        app.core.db.execute_raw(Statement::from_string(backend, "UPDATE audit_events SET action = 'forged'")).await;
    assert!(update.is_err(), "UPDATE must fail");
    let delete = app.core.db.execute_raw(Statement::from_string(backend, "DELETE FROM audit_events")).await;
    assert!(delete.is_err(), "DELETE must fail");
    assert_eq!(app.count("audit_events").await, before);
}
