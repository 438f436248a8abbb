//! The start page after login.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use glocal_core::actor::Role;

use super::{Page, render, see_other};
use crate::AppState;
use crate::ctx::Ctx;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    org_name: String,
    roles: Vec<Role>,
    is_admin: bool,
}

async fn home(State(state): State<AppState>, ctx: Ctx) -> Response {
    let Some(user) = &ctx.user else { return see_other(&state, "/login", None) };
    let scope = ctx.scope(&state);
    let org_name = glocal_core::orgs::get(&scope, user.org_id)
        .await
        .map(|o| o.display_name(ctx.locale).to_string())
        .unwrap_or_default();
    render(&HomePage {
        page: Page::new(&state, &ctx, "home-title", "/"),
        org_name,
        roles: user.roles.iter().collect(),
        is_admin: ctx.actor.has(Role::Administrator),
    })
}
