//! The audit log, for administrators.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use glocal_core::audit::{self, AuditEvent, AuditFilter};
use glocal_core::paging::PageRequest;
use serde::Deserialize;

use super::{Page, Pager, error_page, render};
use crate::AppState;
use crate::ctx::Ctx;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/audit", get(list))
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    page: Page,
    events: Vec<AuditEvent>,
    subject_type: String,
    subject_id: String,
    action: String,
    pager: Pager,
}

#[derive(Deserialize, Default)]
struct AuditQuery {
    subject_type: Option<String>,
    subject_id: Option<String>,
    action: Option<String>,
    page: Option<u64>,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|x| x.trim().to_string()).filter(|x| !x.is_empty())
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<AuditQuery>) -> Response {
    let filter = AuditFilter {
        subject_type: non_empty(&q.subject_type),
        subject_id: non_empty(&q.subject_id),
        actor_id: None,
        action: non_empty(&q.action),
        page: PageRequest::new(q.page, Some(100)),
    };
    let page_of = match audit::list(&ctx.scope(&state), filter).await {
        Ok(p) => p,
        Err(e) => return error_page(&state, &ctx, e),
    };
    let query = [
        ("subject_type", q.subject_type.clone().unwrap_or_default()),
        ("subject_id", q.subject_id.clone().unwrap_or_default()),
        ("action", q.action.clone().unwrap_or_default()),
    ];
    let pager = Pager::new(&page_of, "/admin/audit", &query);
    render(&AuditPage {
        page: Page::new(&state, &ctx, "audit-title", "/admin/audit"),
        events: page_of.items,
        subject_type: q.subject_type.unwrap_or_default(),
        subject_id: q.subject_id.unwrap_or_default(),
        action: q.action.unwrap_or_default(),
        pager,
    })
}
