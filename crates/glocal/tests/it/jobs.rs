//! Background jobs and stored files: durable, shared by processes, retried, deduplicated.

use glocal_core::jobs::{self, Job};
use sea_orm::{ConnectionTrait, Statement};

use crate::support::TestApp;

#[tokio::test]
async fn a_job_enqueued_in_a_rolled_back_transaction_never_runs() {
    let app = TestApp::new().await;
    let tx = glocal_core::db::begin_write(&app.core.writer).await.unwrap();
    jobs::enqueue(&tx, &Job::SweepSessions, glocal_core::db::now(), None).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(app.count("jobs").await, 0);
}

#[tokio::test]
async fn recurring_jobs_are_deduplicated_run_and_rescheduled() {
    let app = TestApp::new().await;
    jobs::schedule_recurring(&app.core).await.unwrap();
    jobs::schedule_recurring(&app.core).await.unwrap();
    let (second, _) = app.sibling().await;
    jobs::schedule_recurring(&second).await.unwrap();
    assert_eq!(
        app.count("jobs WHERE kind = 'sweep_sessions'").await,
        1,
        "one pending sweep, however many processes start"
    );

    // An expired session is swept by the job, which schedules the next sweep an hour later.
    let backend = app.core.db.get_database_backend();
    let _browser = app.browser_as("seoul@demo.glocal.example").await;
    app.core
        .db
        .execute_raw(Statement::from_string(backend, "UPDATE sessions SET expires_at = created_at"))
        .await
        .unwrap();
    assert!(jobs::run_due(&app.core, "test").await.unwrap() >= 1);
    assert_eq!(app.count("sessions").await, 0);
    let sweeps = |status: &str| format!("jobs WHERE kind = 'sweep_sessions' AND status = '{status}'");
    assert_eq!((app.count(&sweeps("done")).await, app.count(&sweeps("pending")).await), (1, 1));
    assert_eq!(jobs::run_due(&app.core, "test").await.unwrap(), 0, "the next sweep is not due yet");
}

#[tokio::test]
async fn a_job_claimed_by_a_process_that_died_is_taken_up_again() {
    let app = TestApp::new().await;
    jobs::enqueue(&app.core.db, &Job::SweepSessions, glocal_core::db::now(), None).await.unwrap();
    let backend = app.core.db.get_database_backend();
    // Another runner claimed it and died: its lease is set, attempts counted, never finished.
    let past = (glocal_core::db::now() - chrono::Duration::seconds(1)).to_rfc3339();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => format!(
            "UPDATE jobs SET status = 'running', locked_by = 'dead', attempts = 1, locked_until = '{past}'::timestamptz"
        ),
        _ => format!("UPDATE jobs SET status = 'running', locked_by = 'dead', attempts = 1, locked_until = '{past}'"),
    };
    app.core.db.execute_raw(Statement::from_string(backend, sql)).await.unwrap();
    assert!(jobs::run_due(&app.core, "alive").await.unwrap() >= 1);
    assert_eq!(jobs::counts(&app.core).await.unwrap().get("done"), Some(&1));
}

#[tokio::test]
async fn stored_files_are_kept_once_and_checked_on_reading() {
    let app = TestApp::new().await;
    let text = "臺中市政府公務出國報告".repeat(100);
    let a = app.core.blobs.put(&app.core.db, text.as_bytes()).await.unwrap();
    let b = app.core.blobs.put(&app.core.db, text.as_bytes()).await.unwrap();
    assert_eq!(a, b);
    assert_eq!(a.size, text.len() as u64);
    assert_eq!(app.count("blobs").await, 1);
    assert_eq!(app.core.blobs.get(&a.sha256).await.unwrap(), text.as_bytes());
    assert!(matches!(app.core.blobs.get(&"0".repeat(64)).await, Err(glocal_core::Error::NotFound)));
    assert!(matches!(app.core.blobs.get("../../etc/passwd").await, Err(glocal_core::Error::NotFound)));

    // Damage on disk is detected, not served.
    let path = app.config.storage.data_dir.join("blobs").join(&a.sha256[..2]).join(&a.sha256[2..4]).join(&a.sha256);
    std::fs::write(&path, b"tampered").unwrap();
    assert!(matches!(app.core.blobs.get(&a.sha256).await, Err(glocal_core::Error::Internal(_))));
}
