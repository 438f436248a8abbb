//! The JSON API under `/api/v1/`, described by an OpenAPI 3.1 document at
//! `/api/v1/openapi.json` and browsable at `/api/docs`. Authentication is by bearer token
//! only (`createToken`), so no API call can be forged from another site with a cookie.

mod accounts;
mod audit;
pub(crate) mod desk;
mod desk_extras;
pub mod extract;
mod library;
mod open311;
mod orgs;
mod registry;
pub(crate) mod terms;
pub mod types;

use glocal_core::{Actor, Error, Scope};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::ApiError;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Glocal API",
        description = "The international-affairs platform of an association of local governments. \
                       Authenticate with `createToken`, then send `Authorization: Bearer <token>`. \
                       Errors are `{\"code\", \"message\"}` with stable codes.",
        version = "1"
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    components(schemas(crate::error::ErrorBody, crate::error::FieldErrorBody)),
    tags(
        (name = "auth", description = "Tokens and the current user"),
        (name = "organizations", description = "Members, the association's units, partners"),
        (name = "users", description = "Accounts (administrators)"),
        (name = "audit", description = "The audit log (administrators)"),
        (name = "desk", description = "The desk: requests through the six steps, conversation, files, ratings"),
        (name = "library", description = "The library: documents, versions, attachments, trip reports' follow-ups"),
        (name = "registry", description = "The exchange registry: foreign local governments, relationships, partners"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every API route, with its OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(accounts::routes())
        .merge(orgs::routes())
        .merge(audit::routes())
        .merge(desk::routes())
        .merge(desk_extras::routes())
        .merge(open311::routes())
        .merge(registry::routes())
        .merge(library::routes())
        .merge(terms::routes())
}

/// The OpenAPI document as served, for the test that keeps `docs/openapi.json` in step.
pub fn openapi() -> utoipa::openapi::OpenApi {
    router().split_for_parts().1
}

/// The document at `/api/v1/openapi.json` and Swagger UI (served from the binary) at
/// `/api/docs`.
pub fn docs(openapi: utoipa::openapi::OpenApi) -> axum::Router<AppState> {
    let ui = SwaggerUi::new("/api/docs")
        .url("/api/v1/openapi.json", openapi)
        .config(utoipa_swagger_ui::Config::default().validator_url("none").persist_authorization(true));
    axum::Router::from(ui)
}

/// The actor of an API call: the bearer token's user, or nobody. A session cookie does not
/// authenticate API calls.
fn api_actor(ctx: &Ctx) -> Actor {
    if ctx.via_bearer { ctx.actor.clone() } else { Actor::Anonymous }
}

/// Runs `f` with the API caller's scope and turns domain errors into API errors.
pub(crate) struct Call<'a> {
    pub state: &'a AppState,
    pub ctx: &'a Ctx,
    pub actor: Actor,
}

impl<'a> Call<'a> {
    pub fn new(state: &'a AppState, ctx: &'a Ctx) -> Self {
        Call { state, ctx, actor: api_actor(ctx) }
    }
    pub fn scope(&self) -> Scope<'_> {
        self.state.core.scope(&self.actor, &self.ctx.origin)
    }
    pub fn err(&self) -> impl Fn(Error) -> ApiError + '_ {
        |e| ApiError::new(e, self.ctx.locale)
    }
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;
