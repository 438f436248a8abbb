//! The request context: who is acting (from a session cookie or a bearer token), in which
//! language, from where. Resolved once per request by [`resolve`] and read by handlers with
//! the [`Ctx`] extractor.

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use glocal_core::accounts::{self, User};
use glocal_core::validate::Locale;
use glocal_core::{Actor, Origin};

use crate::AppState;
use crate::i18n::Tr;

pub const SESSION_COOKIE: &str = "glocal_session";
pub const LANG_COOKIE: &str = "glocal_lang";
/// Ties the forms of a visitor who is not logged in (login, setup) to their browser.
pub const PRE_SESSION_COOKIE: &str = "glocal_pre";
pub const FLASH_COOKIE: &str = "glocal_flash";

#[derive(Clone)]
pub struct Ctx {
    pub actor: Actor,
    pub user: Option<User>,
    pub locale: Locale,
    pub origin: Origin,
    /// The session's id (hash), when logged in through a cookie.
    pub session_id: Option<String>,
    /// The token every form must carry back.
    pub csrf_token: String,
    /// How the actor authenticated.
    pub via_bearer: bool,
    /// A one-shot notice set by the previous response (an i18n key).
    pub flash: Option<String>,
    pub tz: chrono_tz::Tz,
}

impl Ctx {
    pub fn tr(&self) -> Tr {
        Tr::new(self.locale)
    }
    pub fn scope<'a>(&'a self, state: &'a AppState) -> glocal_core::Scope<'a> {
        state.core.scope(&self.actor, &self.origin)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Ctx>().cloned().expect("the ctx layer runs before every handler"))
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value with the attributes every cookie of ours carries.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: Option<i64>) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age_secs {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if state.core.config.secure_cookies() {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie values are URL-safe")
}

fn client_ip(state: &AppState, req: &Request) -> Option<String> {
    if state.core.config.server.trust_proxy {
        if let Some(fwd) = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
            if let Some(first) = fwd.split(',').next().map(str::trim).filter(|s| !s.is_empty()) {
                return Some(first.to_string());
            }
        }
    }
    req.extensions().get::<ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string())
}

/// Middleware: resolves the [`Ctx`] of the request and sets the cookies it needs.
pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers().clone();
    let origin = Origin {
        ip: client_ip(&state, &req),
        request_id: headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(|s| s.chars().take(64).collect()),
    };
    let mut user = None;
    let mut session = None;
    let mut via_bearer = false;
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
    let mut lookup_failed = false;
    if let Some(token) = bearer {
        via_bearer = true;
        match accounts::auth::user_from_token(&state.core, token.trim()).await {
            Ok(u) => user = u,
            Err(e) => {
                tracing::error!(error = %e, "token lookup failed");
                lookup_failed = true;
            }
        }
    } else if let Some(c) = cookie(&headers, SESSION_COOKIE) {
        match accounts::auth::session_from_cookie(&state.core, c).await {
            Ok(Some(s)) => {
                user = Some(s.user.clone());
                session = Some(s);
            }
            Ok(None) => {}
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                lookup_failed = true;
            }
        }
    }
    if lookup_failed {
        return crate::error::unavailable(&state, &headers);
    }
    let site_locale = Locale::parse(&state.core.config.site.default_locale).unwrap_or(Locale::Ko);
    let locale = user
        .as_ref()
        .map(|u| u.locale)
        .or_else(|| cookie(&headers, LANG_COOKIE).and_then(|l| Locale::parse(l).ok()))
        .or_else(|| headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Locale::negotiate))
        .unwrap_or(site_locale);
    let tz = user
        .as_ref()
        .and_then(|u| u.time_zone.parse().ok())
        .or_else(|| state.core.config.site.time_zone.parse().ok())
        .unwrap_or(chrono_tz::Asia::Seoul);
    let mut new_pre_session = None;
    let csrf_token = match &session {
        Some(s) => s.csrf_token.clone(),
        None => match cookie(&headers, PRE_SESSION_COOKIE).filter(|v| v.len() >= 32) {
            Some(v) => v.to_string(),
            None => {
                let v = glocal_core::secrets::random_token(24);
                new_pre_session = Some(v.clone());
                v
            }
        },
    };
    let flash = cookie(&headers, FLASH_COOKIE)
        .filter(|f| f.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(str::to_string);
    let actor = user.as_ref().map_or(Actor::Anonymous, User::actor);
    let ctx = Ctx {
        actor,
        user,
        locale,
        origin,
        session_id: session.map(|s| s.id),
        csrf_token,
        via_bearer,
        flash: flash.clone(),
        tz,
    };
    req.extensions_mut().insert(ctx);
    let mut response = next.run(req).await;
    if let Some(v) = new_pre_session {
        if !via_bearer {
            response.headers_mut().append(SET_COOKIE, set_cookie(&state, PRE_SESSION_COOKIE, &v, None));
        }
    }
    // A flash is shown once: clear it unless this response sets a new one.
    if flash.is_some()
        && !response.headers().get_all(SET_COOKIE).iter().any(|v| v.as_bytes().starts_with(FLASH_COOKIE.as_bytes()))
    {
        response.headers_mut().append(SET_COOKIE, set_cookie(&state, FLASH_COOKIE, "", Some(0)));
    }
    response
}
