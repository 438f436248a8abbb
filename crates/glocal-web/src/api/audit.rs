//! The audit log.

use axum::Json;
use axum::extract::State;
use glocal_core::audit::{self, AuditFilter};
use glocal_core::paging::PageRequest;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::extract::ApiQuery;
use super::types::*;
use super::{ApiResult, Call};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::ErrorBody;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit_events))
}

/// The audit log, newest first (administrators).
#[utoipa::path(get, path = "/api/v1/audit-events", operation_id = "listAuditEvents", tag = "audit",
    params(AuditQuery),
    responses((status = 200, body = AuditEventList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_audit_events(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditEventList>> {
    let call = Call::new(&state, &ctx);
    let filter = AuditFilter {
        subject_type: q.subject_type,
        subject_id: q.subject_id,
        actor_id: q.actor_id,
        action: q.action,
        page: PageRequest::new(q.page, q.per_page),
    };
    let page = audit::list(&call.scope(), filter).await.map_err(call.err())?;
    Ok(Json(AuditEventList {
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}
