//! Links between requests: two requests about the same thing (`related`), one repeating
//! another (`duplicate`), or one split into parts (`parent_child`).
//!
//! The desk's staff link and unlink. Anyone who may see a request may list its links, but
//! only to requests they may see too: a requester never learns of another organisation's
//! request through a link.

use chrono::{DateTime, Utc};
use sea_orm::ExprTrait;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::workflow::str_enum;
use super::{RequestId, record_event};
use crate::actor::Scope;
use crate::audit;
use crate::entities::{desk_request, desk_request_link};
use crate::error::{Error, ErrorCode, Result};
use crate::ids::OrgId;

str_enum! {
    /// What a link says of its two requests: `duplicate` (the first repeats the second) or
    /// `parent_child` (the first is the parent of the second), or just `related`.
    LinkKind {
        Related => "related",
        Duplicate => "duplicate",
        ParentChild => "parent_child",
    }
}

/// A link as seen from one of its requests.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Link {
    pub id: i64,
    pub kind: LinkKind,
    /// How the other request stands to this one: `related`, `duplicate_of`, `duplicated_by`,
    /// `parent` or `child`.
    pub relation: &'static str,
    pub other_id: RequestId,
    pub other_reg_no: Option<String>,
    pub other_title: String,
    pub other_state: String,
    pub created_at: DateTime<Utc>,
}

fn relation(kind: LinkKind, outgoing: bool) -> &'static str {
    match (kind, outgoing) {
        (LinkKind::Related, _) => "related",
        (LinkKind::Duplicate, true) => "duplicate_of",
        (LinkKind::Duplicate, false) => "duplicated_by",
        (LinkKind::ParentChild, true) => "child",
        (LinkKind::ParentChild, false) => "parent",
    }
}

fn require_staff(scope: &Scope<'_>) -> Result<()> {
    scope.actor.require_login()?;
    if super::is_desk_staff(scope.actor) { Ok(()) } else { Err(Error::Forbidden) }
}

/// Links request `from` to `to` (desk staff). A pair is linked once, whichever way.
pub async fn link(scope: &Scope<'_>, from: RequestId, to: RequestId, kind: &str) -> Result<Link> {
    require_staff(scope)?;
    let kind = LinkKind::parse(kind).map_err(|c| Error::field("kind", c))?;
    if from == to {
        return Err(Error::field("request_id", ErrorCode::InvalidChoice));
    }
    let tx = crate::db::begin_write(scope.writer()).await?;
    let a = super::load_for_change(&tx, scope, from, None).await?;
    let b = super::load_for_change(&tx, scope, to, None).await?;
    let existing = desk_request_link::Entity::find()
        .filter(
            (desk_request_link::Column::FromRequestId.eq(from.0).and(desk_request_link::Column::ToRequestId.eq(to.0)))
                .or(desk_request_link::Column::FromRequestId
                    .eq(to.0)
                    .and(desk_request_link::Column::ToRequestId.eq(from.0))),
        )
        .one(&tx)
        .await?;
    if existing.is_some() {
        return Err(Error::Refused(ErrorCode::LinkExists));
    }
    let row = desk_request_link::ActiveModel {
        id: NotSet,
        from_request_id: Set(from.0),
        to_request_id: Set(to.0),
        kind: Set(kind.as_str().into()),
        created_by: Set(scope.actor.user_id().map(|u| u.0)),
        created_at: Set(crate::db::now()),
    }
    .insert(&tx)
    .await
    .map_err(|e| if crate::db::is_unique_violation(&e) { Error::Refused(ErrorCode::LinkExists) } else { e.into() })?;
    // Timeline entries are internal: the other request may be another organisation's.
    for (here, there, outgoing) in [(from, to, true), (to, from, false)] {
        let details =
            json!({"link_id": row.id, "kind": kind, "relation": relation(kind, outgoing), "request_id": there});
        record_event(&tx, scope, here, "linked", None, None, None, true, details).await?;
    }
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "desk_request.link",
            subject_type: "desk_request",
            subject_id: Some(from.to_string()),
            org_id: Some(a.org_id),
            details: json!({"link_id": row.id, "kind": kind, "to_request_id": to, "to_org_id": b.org_id}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Link {
        id: row.id,
        kind,
        relation: relation(kind, true),
        other_id: to,
        other_reg_no: b.reg_no,
        other_title: b.title,
        other_state: b.state,
        created_at: row.created_at,
    })
}

/// Removes link `link_id` of request `id` (desk staff).
pub async fn unlink(scope: &Scope<'_>, id: RequestId, link_id: i64) -> Result<()> {
    require_staff(scope)?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let request = super::load_for_change(&tx, scope, id, None).await?;
    let row = desk_request_link::Entity::find_by_id(link_id)
        .filter(desk_request_link::Column::FromRequestId.eq(id.0).or(desk_request_link::Column::ToRequestId.eq(id.0)))
        .one(&tx)
        .await?
        .ok_or(Error::NotFound)?;
    desk_request_link::Entity::delete_by_id(row.id).exec(&tx).await?;
    let kind = LinkKind::parse(&row.kind).unwrap_or(LinkKind::Related);
    for (here, there) in [(row.from_request_id, row.to_request_id), (row.to_request_id, row.from_request_id)] {
        let details = json!({"link_id": row.id, "kind": kind, "request_id": there});
        record_event(&tx, scope, RequestId(here), "unlinked", None, None, None, true, details).await?;
    }
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "desk_request.unlink",
            subject_type: "desk_request",
            subject_id: Some(row.from_request_id.to_string()),
            org_id: Some(request.org_id),
            details: json!({"link_id": row.id, "kind": kind, "from_request_id": row.from_request_id, "to_request_id": row.to_request_id}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The links of a request, oldest first, leaving out those to requests the actor may not see.
pub async fn list(scope: &Scope<'_>, id: RequestId) -> Result<Vec<Link>> {
    super::get(scope, id).await?;
    let rows = desk_request_link::Entity::find()
        .filter(desk_request_link::Column::FromRequestId.eq(id.0).or(desk_request_link::Column::ToRequestId.eq(id.0)))
        .order_by_asc(desk_request_link::Column::Id)
        .all(scope.db())
        .await?;
    let others: Vec<i64> =
        rows.iter().map(|r| if r.from_request_id == id.0 { r.to_request_id } else { r.from_request_id }).collect();
    let requests = desk_request::Entity::find().filter(desk_request::Column::Id.is_in(others)).all(scope.db()).await?;
    let mut out = Vec::new();
    for r in rows {
        let outgoing = r.from_request_id == id.0;
        let other_id = if outgoing { r.to_request_id } else { r.from_request_id };
        let Some(other) = requests.iter().find(|o| o.id == other_id) else { continue };
        if !super::may_see(scope.actor, OrgId(other.org_id)) {
            continue;
        }
        let kind = LinkKind::parse(&r.kind).unwrap_or(LinkKind::Related);
        out.push(Link {
            id: r.id,
            kind,
            relation: relation(kind, outgoing),
            other_id: RequestId(other.id),
            other_reg_no: other.reg_no.clone(),
            other_title: other.title.clone(),
            other_state: other.state.clone(),
            created_at: r.created_at,
        });
    }
    Ok(out)
}
