//! Background work as a closed set of [`Job`]s, persisted in the `jobs` table and run by one
//! runner per process.
//!
//! A job is enqueued in the same transaction as the change that calls for it, so an
//! acknowledged change never loses its follow-up work, even if the process dies. Runners of
//! several processes share the table: a job is claimed by a conditional update that sets a
//! lease, and a job whose lease ran out (its process died) is taken up again. Handlers must
//! therefore be safe to run twice.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::ExprTrait;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

use crate::entities::job;
use crate::error::Result;

/// Every kind of background work. Add a variant and its arm in [`execute`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Removes expired sessions and stale login-throttle rows; reschedules itself hourly.
    SweepSessions,
    /// Records SLA warnings and breaches of the desk's requests and closes unconfirmed
    /// answered ones; reschedules itself every minute.
    DeskSweep,
    /// Sends one notification by SMTP (rendered when the change that called for it was
    /// written); retried with back-off while the SMTP server is away.
    SendMail(crate::mail::Outgoing),
    /// Reads the text of a library attachment; a file that cannot be read is flagged.
    LibraryExtract { attachment_id: i64 },
}

impl Job {
    /// The job's kind, as stored (for listing and dedupe keys).
    pub fn kind(&self) -> &'static str {
        match self {
            Job::SweepSessions => "sweep_sessions",
            Job::DeskSweep => "desk_sweep",
            Job::SendMail(_) => "send_mail",
            Job::LibraryExtract { .. } => "library_extract",
        }
    }

    /// How often a failing job is tried before it is marked failed.
    fn max_attempts(&self) -> i32 {
        match self {
            Job::SweepSessions => 3,
            Job::DeskSweep => 3,
            // Back-off doubles from 30 s: ten tries span about four hours.
            Job::SendMail(_) => 10,
            Job::LibraryExtract { .. } => 3,
        }
    }
}

/// Enqueues `job` to run at `run_at` (now, if in the past), on `conn` — pass the transaction
/// of the change that calls for it. With a `dedupe_key`, nothing is added while a pending job
/// with that key exists.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    job: &Job,
    run_at: DateTime<Utc>,
    dedupe_key: Option<&str>,
) -> Result<()> {
    if let Some(key) = dedupe_key {
        let exists = job::Entity::find()
            .filter(job::Column::DedupeKey.eq(key))
            .filter(job::Column::Status.eq("pending"))
            .one(conn)
            .await?
            .is_some();
        if exists {
            return Ok(());
        }
    }
    let model = job::ActiveModel {
        id: NotSet,
        kind: Set(job.kind().to_string()),
        payload: Set(serde_json::to_string(job).map_err(anyhow::Error::from)?),
        status: Set("pending".into()),
        dedupe_key: Set(dedupe_key.map(str::to_string)),
        run_at: Set(run_at),
        attempts: Set(0),
        max_attempts: Set(job.max_attempts()),
        locked_until: Set(None),
        locked_by: Set(None),
        last_error: Set(None),
        created_at: Set(crate::db::now()),
        finished_at: Set(None),
    };
    match model.insert(conn).await {
        Ok(_) => Ok(()),
        // Another process enqueued the same deduplicated job a moment ago.
        Err(e) if dedupe_key.is_some() && crate::db::is_unique_violation(&e) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// How long a claimed job may run before another runner may take it over.
const LEASE: chrono::Duration = chrono::Duration::minutes(5);

/// Claims and runs due jobs until none is left; returns how many ran.
pub async fn run_due(core: &crate::Core, worker: &str) -> Result<usize> {
    let mut ran = 0;
    while let Some((row, job)) = claim(core, worker).await? {
        let outcome = execute(core, &job).await;
        finish(core, &row, outcome).await?;
        ran += 1;
    }
    Ok(ran)
}

async fn claim(core: &crate::Core, worker: &str) -> Result<Option<(job::Model, Job)>> {
    let now = crate::db::now();
    // Due pending jobs, and running jobs whose runner let the lease run out (it died).
    let due = job::Column::Status.eq("pending").and(job::Column::RunAt.lte(now));
    let abandoned = job::Column::Status.eq("running").and(job::Column::LockedUntil.lt(now));
    let candidates = job::Entity::find()
        .filter(due.or(abandoned))
        .order_by_asc(job::Column::RunAt)
        .order_by_asc(job::Column::Id)
        .limit(8)
        .all(&core.db)
        .await?;
    for c in candidates {
        // Conditional on the attempt count read: of two runners racing for it, one wins.
        let taken = job::Entity::update_many()
            .col_expr(job::Column::Status, "running".into())
            .col_expr(job::Column::LockedUntil, (now + LEASE).into())
            .col_expr(job::Column::LockedBy, worker.into())
            .col_expr(job::Column::Attempts, (c.attempts + 1).into())
            .filter(job::Column::Id.eq(c.id))
            .filter(job::Column::Attempts.eq(c.attempts))
            .filter(job::Column::Status.eq(c.status.clone()))
            .exec(&core.db)
            .await?;
        if taken.rows_affected == 1 {
            match serde_json::from_str::<Job>(&c.payload) {
                Ok(job) => return Ok(Some((job::Model { attempts: c.attempts + 1, ..c }, job))),
                Err(e) => {
                    // A payload this version cannot read (written by a newer one?): keep it,
                    // marked failed, for a person to look at.
                    finish(core, &c, Err(anyhow::anyhow!("unreadable payload: {e}"))).await?;
                }
            }
        }
    }
    Ok(None)
}

async fn finish(core: &crate::Core, row: &job::Model, outcome: anyhow::Result<()>) -> Result<()> {
    let now = crate::db::now();
    let mut update = job::Entity::update_many().filter(job::Column::Id.eq(row.id));
    match outcome {
        Ok(()) => {
            update = update
                .col_expr(job::Column::Status, "done".into())
                .col_expr(job::Column::FinishedAt, now.into())
                .col_expr(job::Column::LockedUntil, Option::<DateTime<Utc>>::None.into());
        }
        Err(e) => {
            tracing::warn!(job = row.id, kind = %row.kind, attempt = row.attempts, error = %e, "job failed");
            let give_up = row.attempts >= row.max_attempts;
            // Exponential back-off: 30 s, 1 min, 2 min, … capped at an hour.
            let delay = chrono::Duration::seconds(std::cmp::min(30_i64 << (row.attempts.clamp(1, 8) - 1), 3600));
            update = update
                .col_expr(job::Column::Status, if give_up { "failed" } else { "pending" }.into())
                .col_expr(job::Column::LastError, format!("{e:#}").chars().take(2000).collect::<String>().into())
                .col_expr(job::Column::RunAt, (now + delay).into())
                .col_expr(job::Column::LockedUntil, Option::<DateTime<Utc>>::None.into());
            if give_up {
                update = update.col_expr(job::Column::FinishedAt, now.into());
            }
        }
    }
    update.exec(&core.db).await?;
    Ok(())
}

/// Runs one job. Every variant's work is one call into its module.
async fn execute(core: &crate::Core, job: &Job) -> anyhow::Result<()> {
    match job {
        Job::SweepSessions => {
            let removed = crate::accounts::auth::sweep(core).await?;
            tracing::debug!(removed, "sessions swept");
            enqueue(
                &core.db,
                &Job::SweepSessions,
                crate::db::now() + chrono::Duration::hours(1),
                Some("sweep_sessions"),
            )
            .await?;
            Ok(())
        }
        Job::DeskSweep => {
            let report = crate::desk::sla::sweep(core, crate::db::now()).await?;
            tracing::debug!(?report, "desk swept");
            let next = crate::db::now() + chrono::Duration::minutes(1);
            enqueue(&core.db, &Job::DeskSweep, next, Some("desk_sweep")).await?;
            Ok(())
        }
        Job::SendMail(mail) => crate::mail::send(&core.config, mail).await,
        Job::LibraryExtract { attachment_id } => crate::library::attachments::extract_now(core, *attachment_id).await,
    }
}

/// Jobs every installation runs on a schedule; enqueued at start-up if none is pending.
pub async fn schedule_recurring(core: &crate::Core) -> Result<()> {
    enqueue(&core.db, &Job::SweepSessions, crate::db::now(), Some("sweep_sessions")).await?;
    enqueue(&core.db, &Job::DeskSweep, crate::db::now(), Some("desk_sweep")).await
}

/// The runner of this process: polls for due jobs every `poll`, and stops when `stop` fires.
pub async fn run(core: crate::Core, poll: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
    let worker = format!("{}-{}", hostname(), std::process::id());
    if let Err(e) = schedule_recurring(&core).await {
        tracing::error!(error = %e, "scheduling recurring jobs failed");
    }
    loop {
        if let Err(e) = run_due(&core, &worker).await {
            tracing::error!(error = %e, "job runner: database error");
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = stop.changed() => break,
        }
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_else(|_| "glocal".into())
}

/// Counts of jobs by status, for tests and the operations page.
pub async fn counts(core: &crate::Core) -> Result<std::collections::BTreeMap<String, u64>> {
    let rows = job::Entity::find().all(&core.db).await?;
    let mut out = std::collections::BTreeMap::new();
    for r in rows {
        *out.entry(r.status).or_insert(0) += 1;
    }
    Ok(out)
}
