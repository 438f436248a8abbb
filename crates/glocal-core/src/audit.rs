//! The append-only audit log: who changed what and when, and who read which personal record
//! (as Korea's Personal Information Protection Act expects of systems holding personal data).
//!
//! Entries are written in the same transaction as the change they describe, so a change is
//! never without its entry. The table refuses UPDATE and DELETE by trigger.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::actor::{Role, Scope};
use crate::entities::audit_event;
use crate::error::Result;
use crate::paging::{Page, PageRequest};

/// What one entry says happened.
pub struct Entry<'a> {
    /// `<subject>.<verb>`, e.g. `user.update`, `user.read`, `session.login`.
    pub action: &'a str,
    pub subject_type: &'a str,
    pub subject_id: Option<String>,
    /// The organisation the subject belongs to, so a member's administrator can be shown the
    /// entries about their own organisation.
    pub org_id: Option<i64>,
    pub details: Value,
}

/// Appends one entry, on `conn` (pass the transaction of the change it records).
pub async fn record(conn: &impl ConnectionTrait, scope: &Scope<'_>, entry: Entry<'_>) -> Result<()> {
    audit_event::ActiveModel {
        id: NotSet,
        at: Set(crate::db::now()),
        actor_id: Set(scope.actor.user_id().map(|u| u.0)),
        actor_label: Set(scope.actor.label()),
        action: Set(entry.action.to_string()),
        subject_type: Set(entry.subject_type.to_string()),
        subject_id: Set(entry.subject_id),
        org_id: Set(entry.org_id),
        details: Set(entry.details.to_string()),
        ip: Set(scope.origin.ip.clone()),
        request_id: Set(scope.origin.request_id.clone()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Records `action` with the fields that differ between `before` and `after` (the subjects'
/// audit views); records nothing when nothing differs. Returns whether anything did.
pub async fn record_change(
    conn: &impl ConnectionTrait,
    scope: &Scope<'_>,
    action: &str,
    subject: (&str, String),
    org_id: Option<i64>,
    before: &Value,
    after: &Value,
) -> Result<bool> {
    let details = diff(before, after, &[]);
    if details.as_object().is_some_and(|d| d.is_empty()) {
        return Ok(false);
    }
    let entry = Entry { action, subject_type: subject.0, subject_id: Some(subject.1), org_id, details };
    record(conn, scope, entry).await?;
    Ok(true)
}

/// The fields that differ between two JSON objects, as `{field: [before, after]}`. Fields
/// named in `secret` are reported as changed without their values.
pub fn diff(before: &Value, after: &Value, secret: &[&str]) -> Value {
    let empty = Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut out = Map::new();
    for (k, av) in a {
        let bv = b.get(k).unwrap_or(&Value::Null);
        if bv != av {
            let shown = if secret.contains(&k.as_str()) {
                Value::String("(changed)".into())
            } else {
                Value::Array(vec![bv.clone(), av.clone()])
            };
            out.insert(k.clone(), shown);
        }
    }
    Value::Object(out)
}

#[derive(Clone, Debug, Serialize)]
pub struct AuditEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<String>,
    pub org_id: Option<i64>,
    pub details: Value,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    pub actor_id: Option<i64>,
    pub action: Option<String>,
    pub page: PageRequest,
}

/// Newest first. Administrators only.
pub async fn list(scope: &Scope<'_>, filter: AuditFilter) -> Result<Page<AuditEvent>> {
    scope.actor.require(Role::Administrator)?;
    let mut q = audit_event::Entity::find();
    if let Some(t) = &filter.subject_type {
        q = q.filter(audit_event::Column::SubjectType.eq(t.clone()));
    }
    if let Some(id) = &filter.subject_id {
        q = q.filter(audit_event::Column::SubjectId.eq(id.clone()));
    }
    if let Some(a) = filter.actor_id {
        q = q.filter(audit_event::Column::ActorId.eq(a));
    }
    if let Some(a) = &filter.action {
        q = q.filter(audit_event::Column::Action.eq(a.clone()));
    }
    let total = q.clone().count(scope.db()).await?;
    let rows = q
        .order_by_desc(audit_event::Column::Id)
        .offset(filter.page.offset())
        .limit(filter.page.per_page)
        .all(scope.db())
        .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|r| AuditEvent {
                id: r.id,
                at: r.at,
                actor_id: r.actor_id,
                actor_label: r.actor_label,
                action: r.action,
                subject_type: r.subject_type,
                subject_id: r.subject_id,
                org_id: r.org_id,
                details: serde_json::from_str(&r.details).unwrap_or(Value::Null),
                ip: r.ip,
                request_id: r.request_id,
            })
            .collect(),
        total,
        page: filter.page.page,
        per_page: filter.page.per_page,
    })
}

use sea_orm::ActiveModelTrait;
