//! Logging in: passwords checked against throttling, browser sessions, and API tokens.
//!
//! Sessions and tokens live in the database so that every server process sees the same ones.
//! Only hashes of their secrets are stored.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use serde_json::json;

use super::password;
use super::users::{User, find, find_by_email};
use crate::actor::{Actor, Origin, Scope};
use crate::audit;
use crate::entities::{api_token, login_throttle, session, user};
use crate::error::{Error, ErrorCode, Result};
use crate::ids::{TokenId, UserId};
use crate::secrets::{random_token, sha256_hex};
use crate::validate;

/// A session's last-seen time is written at most this often, so that reading pages does not
/// turn every request into a database write.
const TOUCH_EVERY: Duration = Duration::minutes(5);
pub const TOKEN_PREFIX: &str = "glc_";

/// A session just opened: the cookie value (shown once) and its CSRF token.
pub struct NewSession {
    pub cookie: String,
    pub csrf_token: String,
    pub user: User,
}

/// Checks an email and password. Too many failures for the account or from the address lock
/// both out for a while; a failure says nothing about whether the account exists.
pub async fn authenticate(core: &crate::Core, origin: &Origin, email: &str, pass: &str) -> Result<User> {
    let now = crate::db::now();
    let email_key = format!("email:{}", email.trim().to_lowercase());
    let ip_key = origin.ip.as_ref().map(|ip| format!("ip:{ip}"));
    for key in std::iter::once(&email_key).chain(ip_key.as_ref()) {
        if let Some(row) = login_throttle::Entity::find_by_id(key.clone()).one(&core.db).await? {
            if let Some(until) = row.locked_until.filter(|u| *u > now) {
                return Err(Error::RateLimited { retry_after_secs: (until - now).num_seconds().max(1) as u64 });
            }
        }
    }
    let row = find_by_email(&core.db, email).await?;
    let stored =
        row.as_ref().and_then(|r| r.password_hash.clone()).unwrap_or_else(|| password::decoy_hash().to_string());
    let candidate = pass.to_string();
    let ok = tokio::task::spawn_blocking(move || password::verify(&candidate, &stored))
        .await
        .map_err(anyhow::Error::from)?;
    let system = Actor::System("login");
    let scope = Scope { core, actor: &system, origin };
    match row {
        Some(r) if ok && r.password_hash.is_some() => {
            if !r.active {
                return Err(Error::Refused(ErrorCode::AccountInactive));
            }
            login_throttle::Entity::delete_by_id(email_key).exec(&core.db).await?;
            Ok(User::from_row(r))
        }
        other => {
            let tx = crate::db::begin_write(&core.writer).await?;
            let cfg = &core.config.security;
            let window = Duration::minutes(cfg.login_lockout_minutes as i64);
            let limits = [(email_key.clone(), cfg.login_max_failures as i32)]
                .into_iter()
                .chain(ip_key.map(|k| (k, cfg.login_max_failures as i32 * 4)));
            for (key, max) in limits {
                note_failure(&tx, &key, max, window, now).await?;
            }
            audit::record(
                &tx,
                &scope,
                audit::Entry {
                    action: "session.login_failed",
                    subject_type: "user",
                    subject_id: other.as_ref().map(|r| r.id.to_string()),
                    org_id: other.as_ref().map(|r| r.org_id),
                    details: json!({ "email": email.trim().to_lowercase() }),
                },
            )
            .await?;
            tx.commit().await?;
            Err(Error::Refused(ErrorCode::InvalidCredentials))
        }
    }
}

async fn note_failure(
    conn: &impl ConnectionTrait,
    key: &str,
    max: i32,
    window: Duration,
    now: DateTime<Utc>,
) -> Result<()> {
    let existing = login_throttle::Entity::find_by_id(key.to_string()).one(conn).await?;
    let (failures, started) = match &existing {
        Some(r) if now - r.window_started_at < window => (r.failures + 1, r.window_started_at),
        _ => (1, now),
    };
    let locked_until = (failures >= max).then(|| now + window);
    let model = login_throttle::ActiveModel {
        key: Set(key.to_string()),
        failures: Set(failures),
        window_started_at: Set(started),
        locked_until: Set(locked_until),
    };
    if existing.is_some() {
        model.update(conn).await?;
    } else {
        model.insert(conn).await?;
    }
    Ok(())
}

/// Logs in with a password and opens a browser session.
pub async fn login(
    core: &crate::Core,
    origin: &Origin,
    email: &str,
    pass: &str,
    user_agent: Option<&str>,
) -> Result<NewSession> {
    let user = authenticate(core, origin, email, pass).await?;
    open_session(core, origin, &user, user_agent).await
}

pub async fn open_session(
    core: &crate::Core,
    origin: &Origin,
    user: &User,
    user_agent: Option<&str>,
) -> Result<NewSession> {
    let cookie = random_token(32);
    let csrf_token = random_token(24);
    let now = crate::db::now();
    let tx = crate::db::begin_write(&core.writer).await?;
    session::ActiveModel {
        id: Set(sha256_hex(&cookie)),
        user_id: Set(user.id.0),
        csrf_token: Set(csrf_token.clone()),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + Duration::hours(core.config.security.session_idle_hours as i64)),
        ip: Set(origin.ip.clone()),
        user_agent: Set(user_agent.map(|u| u.chars().take(300).collect())),
    }
    .insert(&tx)
    .await?;
    user::Entity::update_many()
        .col_expr(user::Column::LastLoginAt, now.into())
        .filter(user::Column::Id.eq(user.id.0))
        .exec(&tx)
        .await?;
    let actor = user.actor();
    audit::record(
        &tx,
        &Scope { core, actor: &actor, origin },
        audit::Entry {
            action: "session.login",
            subject_type: "user",
            subject_id: Some(user.id.to_string()),
            org_id: Some(user.org_id.0),
            details: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(NewSession { cookie, csrf_token, user: user.clone() })
}

/// A session found from its cookie.
pub struct SessionInfo {
    /// The stored id (hash of the cookie).
    pub id: String,
    pub csrf_token: String,
    pub user: User,
}

/// The live session a cookie belongs to, if any; extends its idle timeout now and then.
pub async fn session_from_cookie(core: &crate::Core, cookie: &str) -> Result<Option<SessionInfo>> {
    let id = sha256_hex(cookie);
    let now = crate::db::now();
    let Some(s) = session::Entity::find_by_id(id.clone()).one(&core.db).await? else { return Ok(None) };
    if s.expires_at <= now {
        session::Entity::delete_by_id(id).exec(&core.db).await?;
        return Ok(None);
    }
    let Some(user) = find(&core.db, UserId(s.user_id)).await?.filter(|u| u.active) else { return Ok(None) };
    if now - s.last_seen_at > TOUCH_EVERY {
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, now.into())
            .col_expr(
                session::Column::ExpiresAt,
                (now + Duration::hours(core.config.security.session_idle_hours as i64)).into(),
            )
            .filter(session::Column::Id.eq(id.clone()))
            .exec(&core.db)
            .await?;
    }
    Ok(Some(SessionInfo { id, csrf_token: s.csrf_token, user }))
}

/// Ends a session (logout).
pub async fn logout(scope: &Scope<'_>, session_id: &str) -> Result<()> {
    let tx = crate::db::begin_write(scope.writer()).await?;
    session::Entity::delete_by_id(session_id.to_string()).exec(&tx).await?;
    if let Some(u) = scope.actor.user() {
        audit::record(
            &tx,
            scope,
            audit::Entry {
                action: "session.logout",
                subject_type: "user",
                subject_id: Some(u.id.to_string()),
                org_id: Some(u.org_id.0),
                details: json!({}),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Removes expired sessions and stale throttle rows; run now and then by the server.
pub async fn sweep(core: &crate::Core) -> Result<u64> {
    let now = crate::db::now();
    let a = session::Entity::delete_many().filter(session::Column::ExpiresAt.lte(now)).exec(&core.db).await?;
    let b = login_throttle::Entity::delete_many()
        .filter(login_throttle::Column::WindowStartedAt.lt(now - Duration::days(1)))
        .exec(&core.db)
        .await?;
    Ok(a.rows_affected + b.rows_affected)
}

#[derive(Clone, Debug, Serialize)]
pub struct ApiToken {
    pub id: TokenId,
    pub name: String,
    /// The first characters, to tell tokens apart.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    fn from_row(r: api_token::Model) -> ApiToken {
        ApiToken {
            id: TokenId(r.id),
            name: r.name,
            prefix: r.prefix,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
        }
    }
}

/// A token just created: the secret is shown this once and never again.
pub struct NewToken {
    pub token: ApiToken,
    pub secret: String,
}

/// Creates an API token for the acting user.
pub async fn create_token(scope: &Scope<'_>, name: &str, valid_days: Option<u32>) -> Result<NewToken> {
    let me = scope.actor.user().ok_or(Error::Unauthenticated)?;
    let name = validate::required_text("name", name, 100).map_err(|e| Error::Invalid(vec![e]))?;
    if valid_days.is_some_and(|d| d == 0 || d > 3650) {
        return Err(Error::field("valid_days", ErrorCode::ValueOutOfRange));
    }
    let secret = format!("{TOKEN_PREFIX}{}", random_token(32));
    let now = crate::db::now();
    let tx = crate::db::begin_write(scope.writer()).await?;
    let row = api_token::ActiveModel {
        id: NotSet,
        user_id: Set(me.id.0),
        name: Set(name),
        token_hash: Set(sha256_hex(&secret)),
        prefix: Set(secret.chars().take(TOKEN_PREFIX.len() + 6).collect()),
        created_at: Set(now),
        last_used_at: Set(None),
        expires_at: Set(valid_days.map(|d| now + Duration::days(d as i64))),
        revoked_at: Set(None),
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "token.create",
            subject_type: "api_token",
            subject_id: Some(row.id.to_string()),
            org_id: Some(me.org_id.0),
            details: json!({ "name": row.name }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(NewToken { token: ApiToken::from_row(row), secret })
}

/// The acting user's tokens, newest first.
pub async fn list_tokens(scope: &Scope<'_>) -> Result<Vec<ApiToken>> {
    let me = scope.actor.user().ok_or(Error::Unauthenticated)?;
    let rows = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(me.id.0))
        .order_by_desc(api_token::Column::Id)
        .all(scope.db())
        .await?;
    Ok(rows.into_iter().map(ApiToken::from_row).collect())
}

/// Revokes one of the acting user's own tokens. Another user's token does not exist for them.
pub async fn revoke_token(scope: &Scope<'_>, id: TokenId) -> Result<ApiToken> {
    let me = scope.actor.user().ok_or(Error::Unauthenticated)?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let row =
        api_token::Entity::find_by_id(id.0).one(&tx).await?.filter(|t| t.user_id == me.id.0).ok_or(Error::NotFound)?;
    if row.revoked_at.is_some() {
        return Ok(ApiToken::from_row(row));
    }
    let mut active: api_token::ActiveModel = row.into();
    active.revoked_at = Set(Some(crate::db::now()));
    let row = active.update(&tx).await?;
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "token.revoke",
            subject_type: "api_token",
            subject_id: Some(id.to_string()),
            org_id: Some(me.org_id.0),
            details: json!({ "name": row.name }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ApiToken::from_row(row))
}

/// The user a bearer token belongs to, if the token is live.
pub async fn user_from_token(core: &crate::Core, secret: &str) -> Result<Option<User>> {
    if !secret.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let now = crate::db::now();
    let Some(t) =
        api_token::Entity::find().filter(api_token::Column::TokenHash.eq(sha256_hex(secret))).one(&core.db).await?
    else {
        return Ok(None);
    };
    if t.revoked_at.is_some() || t.expires_at.is_some_and(|e| e <= now) {
        return Ok(None);
    }
    if t.last_used_at.is_none_or(|l| now - l > TOUCH_EVERY) {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, now.into())
            .filter(api_token::Column::Id.eq(t.id))
            .exec(&core.db)
            .await?;
    }
    Ok(find(&core.db, UserId(t.user_id)).await?.filter(|u| u.active))
}
