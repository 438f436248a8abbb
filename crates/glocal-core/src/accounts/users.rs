//! User accounts: who belongs to which organisation, with which roles, languages and
//! countries. A user record is personal data: every read of one is logged.

use chrono::{DateTime, Utc};
use sea_orm::ExprTrait;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::password;
use crate::actor::{Actor, Role, Roles, Scope};
use crate::audit;
use crate::entities::{setup_token, user};
use crate::error::{Error, ErrorCode, FieldError, Result};
use crate::ids::{OrgId, UserId};
use crate::paging::{Page, PageRequest};
use crate::validate::{self, Checks, CountryCode, Email, LanguageCode, Locale, TimeZone};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct User {
    pub id: UserId,
    pub org_id: OrgId,
    pub email: String,
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub roles: Roles,
    pub locale: Locale,
    pub time_zone: String,
    /// Languages the person works in (`ko`, `en`, `ja`, `zh-Hans`, …), for routing.
    pub languages: Vec<String>,
    /// Countries the person covers (ISO 3166-1 alpha-2), for routing.
    pub countries: Vec<String>,
    pub active: bool,
    /// Whether a password is set (a new account may wait for its setup link).
    pub has_password: bool,
    pub last_login_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl User {
    pub(crate) fn from_row(r: user::Model) -> User {
        User {
            id: UserId(r.id),
            org_id: OrgId(r.org_id),
            email: r.email,
            name: r.name,
            title: r.title,
            phone: r.phone,
            roles: Roles::from_bits(r.roles),
            locale: Locale::parse(&r.locale).unwrap_or(Locale::Ko),
            time_zone: r.time_zone,
            languages: serde_json::from_str(&r.languages).unwrap_or_default(),
            countries: serde_json::from_str(&r.countries).unwrap_or_default(),
            active: r.active,
            has_password: r.password_hash.is_some(),
            last_login_at: r.last_login_at,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }

    /// The actor this user is when they act.
    pub fn actor(&self) -> Actor {
        Actor::User(crate::actor::UserActor {
            id: self.id,
            org_id: self.org_id,
            roles: self.roles,
            name: self.name.clone(),
            email: self.email.clone(),
            locale: self.locale,
            time_zone: TimeZone::parse(&self.time_zone).unwrap_or(TimeZone(chrono_tz::Asia::Seoul)),
        })
    }

    fn audit_view(&self) -> serde_json::Value {
        json!({
            "org_id": self.org_id, "email": self.email, "name": self.name, "title": self.title,
            "phone": self.phone, "roles": self.roles, "locale": self.locale,
            "time_zone": self.time_zone, "languages": self.languages, "countries": self.countries,
            "active": self.active,
        })
    }
}

/// Fields to set. On create, `org_id`, `email` and `name` are required; on update an absent
/// field is left as it is.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct UserChanges {
    pub org_id: Option<i64>,
    /// The organisation by its code, as people know it (instead of `org_id`).
    pub org_code: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub roles: Option<Vec<String>>,
    pub locale: Option<String>,
    pub time_zone: Option<String>,
    pub languages: Option<Vec<String>>,
    pub countries: Option<Vec<String>>,
    pub active: Option<bool>,
    /// Only on create; without it the new user gets a one-time setup link.
    pub password: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct UserFilter {
    pub org: Option<OrgId>,
    pub role: Option<Role>,
    /// Matches name, email or title, folded for case and width.
    pub q: Option<String>,
    pub active: Option<bool>,
    pub page: PageRequest,
}

/// Administrators and the association's staff see every user; a requester sees the users of
/// their own organisation only.
pub async fn list(scope: &Scope<'_>, filter: UserFilter) -> Result<Page<User>> {
    let actor = scope.actor.require_login()?;
    let mut q = user::Entity::find();
    if !actor.sees_all_organizations() {
        let own = actor.user().map(|u| u.org_id).ok_or(Error::Forbidden)?;
        if filter.org.is_some_and(|o| o != own) {
            // Another organisation's users do not exist for this reader.
            return Ok(Page { items: vec![], total: 0, page: filter.page.page, per_page: filter.page.per_page });
        }
        q = q.filter(user::Column::OrgId.eq(own.0));
    }
    if let Some(org) = filter.org {
        q = q.filter(user::Column::OrgId.eq(org.0));
    }
    if let Some(role) = filter.role {
        let bit = Roles::from_iter([role]).bits();
        q = q.filter(sea_orm::sea_query::Expr::col(user::Column::Roles).bit_and(bit).ne(0));
    }
    if let Some(a) = filter.active {
        q = q.filter(user::Column::Active.eq(a));
    }
    if let Some(text) = filter.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = format!("%{}%", crate::db::like_escape(&crate::text::search_fold(text)));
        q = q.filter(
            sea_orm::sea_query::Expr::col(user::Column::SearchText)
                .like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')),
        );
    }
    let total = q.clone().count(scope.db()).await?;
    let rows = q
        .order_by_asc(user::Column::Name)
        .order_by_asc(user::Column::Id)
        .offset(filter.page.offset())
        .limit(filter.page.per_page)
        .all(scope.db())
        .await?;
    let items: Vec<User> = rows.into_iter().map(User::from_row).collect();
    if !items.is_empty() {
        audit::record(
            scope.db(),
            scope,
            audit::Entry {
                action: "user.list",
                subject_type: "user",
                subject_id: None,
                org_id: filter.org.map(|o| o.0),
                details: json!({ "ids": items.iter().map(|u| u.id).collect::<Vec<_>>() }),
            },
        )
        .await?;
    }
    Ok(Page { items, total, page: filter.page.page, per_page: filter.page.per_page })
}

/// One user. Someone who may not see them is told they do not exist.
pub async fn get(scope: &Scope<'_>, id: UserId) -> Result<User> {
    let actor = scope.actor.require_login()?;
    let found = find(scope.db(), id).await?.filter(|u| actor.may_see_org(u.org_id) || actor.user_id() == Some(u.id));
    let user = found.ok_or(Error::NotFound)?;
    audit::record(
        scope.db(),
        scope,
        audit::Entry {
            action: "user.read",
            subject_type: "user",
            subject_id: Some(user.id.to_string()),
            org_id: Some(user.org_id.0),
            details: json!({}),
        },
    )
    .await?;
    Ok(user)
}

pub(crate) async fn find(conn: &impl ConnectionTrait, id: UserId) -> Result<Option<User>> {
    Ok(user::Entity::find_by_id(id.0).one(conn).await?.map(User::from_row))
}

pub(crate) async fn find_by_email(conn: &impl ConnectionTrait, email: &str) -> Result<Option<user::Model>> {
    Ok(user::Entity::find().filter(user::Column::Email.eq(email.trim().to_lowercase())).one(conn).await?)
}

/// What creating a user gives back: the user, and a one-time link token when no password
/// was given.
pub struct Created {
    pub user: User,
    pub setup_token: Option<String>,
}

pub async fn create(scope: &Scope<'_>, changes: UserChanges) -> Result<Created> {
    scope.actor.require(Role::Administrator)?;
    let password = changes.password.clone();
    let tx = crate::db::begin_write(scope.writer()).await?;
    let mut candidate = validate(&tx, scope, None, changes).await?;
    let hash = match password.as_deref() {
        Some(p) => {
            password::check_policy(p, &candidate.email).map_err(|c| Error::field("password", c))?;
            let p = p.to_string();
            Some(tokio::task::spawn_blocking(move || password::hash(&p)).await.map_err(anyhow::Error::from)?)
        }
        None => None,
    };
    candidate.has_password = hash.is_some();
    let user = write(&tx, None, candidate, hash).await?;
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "user.create",
            subject_type: "user",
            subject_id: Some(user.id.to_string()),
            org_id: Some(user.org_id.0),
            details: user.audit_view(),
        },
    )
    .await?;
    let setup_token = if user.has_password { None } else { Some(new_setup_token(&tx, scope, user.id).await?) };
    tx.commit().await?;
    Ok(Created { user, setup_token })
}

/// Administrators change any user; `expected_version` guards against lost updates.
pub async fn update(
    scope: &Scope<'_>,
    id: UserId,
    expected_version: Option<i32>,
    changes: UserChanges,
) -> Result<User> {
    scope.actor.require(Role::Administrator)?;
    if changes.password.is_some() {
        return Err(Error::field("password", ErrorCode::InvalidBody));
    }
    let tx = crate::db::begin_write(scope.writer()).await?;
    let before = find(&tx, id).await?.ok_or(Error::NotFound)?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(Error::Refused(ErrorCode::ConflictStale));
    }
    let after = validate(&tx, scope, Some(&before), changes).await?;
    if before.roles.contains(Role::Administrator) && (!after.roles.contains(Role::Administrator) || !after.active) {
        if scope.actor.user_id() == Some(id) && !after.active {
            return Err(Error::Refused(ErrorCode::CannotDeactivateSelf));
        }
        if count_active_admins(&tx).await? <= 1 {
            return Err(Error::Refused(ErrorCode::LastAdministrator));
        }
    }
    let after = write(&tx, Some(&before), after, None).await?;
    let subject = ("user", id.to_string());
    audit::record_change(
        &tx,
        scope,
        "user.update",
        subject,
        Some(after.org_id.0),
        &before.audit_view(),
        &after.audit_view(),
    )
    .await?;
    if !after.active {
        end_sessions(&tx, id).await?;
    }
    tx.commit().await?;
    Ok(after)
}

/// A user changes their own profile: name, title, phone, language, time zone, languages and
/// countries. Organisation, email, roles and status stay with the administrators.
pub async fn update_own_profile(
    scope: &Scope<'_>,
    expected_version: Option<i32>,
    changes: UserChanges,
) -> Result<User> {
    let me = scope.actor.user().ok_or(Error::Unauthenticated)?.id;
    let own = UserChanges {
        name: changes.name,
        title: changes.title,
        phone: changes.phone,
        locale: changes.locale,
        time_zone: changes.time_zone,
        languages: changes.languages,
        countries: changes.countries,
        ..Default::default()
    };
    let tx = crate::db::begin_write(scope.writer()).await?;
    let before = find(&tx, me).await?.ok_or(Error::Unauthenticated)?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(Error::Refused(ErrorCode::ConflictStale));
    }
    let after = validate(&tx, scope, Some(&before), own).await?;
    let after = write(&tx, Some(&before), after, None).await?;
    let (subject, org) = (("user", me.to_string()), Some(after.org_id.0));
    audit::record_change(&tx, scope, "user.update_profile", subject, org, &before.audit_view(), &after.audit_view())
        .await?;
    tx.commit().await?;
    Ok(after)
}

/// A user changes their own password, proving they know the current one. Their other
/// sessions end.
pub async fn change_own_password(
    scope: &Scope<'_>,
    current: &str,
    new: &str,
    keep_session: Option<&str>,
) -> Result<()> {
    let me = scope.actor.user().ok_or(Error::Unauthenticated)?.id;
    let row = user::Entity::find_by_id(me.0).one(scope.db()).await?.ok_or(Error::Unauthenticated)?;
    let stored = row.password_hash.clone().unwrap_or_else(|| password::decoy_hash().to_string());
    let current = current.to_string();
    let ok =
        tokio::task::spawn_blocking(move || password::verify(&current, &stored)).await.map_err(anyhow::Error::from)?;
    if !ok || row.password_hash.is_none() {
        return Err(Error::field("current_password", ErrorCode::WrongPassword));
    }
    password::check_policy(new, &row.email).map_err(|c| Error::field("new_password", c))?;
    store_password(scope, me, new, keep_session).await
}

/// An administrator (or the command line) sets a password directly.
pub async fn set_password(scope: &Scope<'_>, id: UserId, new: &str) -> Result<()> {
    scope.actor.require(Role::Administrator)?;
    let user = find(scope.db(), id).await?.ok_or(Error::NotFound)?;
    password::check_policy(new, &user.email).map_err(|c| Error::field("password", c))?;
    store_password(scope, id, new, None).await
}

async fn store_password(scope: &Scope<'_>, id: UserId, new: &str, keep_session: Option<&str>) -> Result<()> {
    let new = new.to_string();
    let hash = tokio::task::spawn_blocking(move || password::hash(&new)).await.map_err(anyhow::Error::from)?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let row = user::Entity::find_by_id(id.0).one(&tx).await?.ok_or(Error::NotFound)?;
    let org_id = row.org_id;
    let version = row.version;
    let mut active: user::ActiveModel = row.into();
    active.password_hash = Set(Some(hash));
    active.version = Set(version + 1);
    active.updated_at = Set(crate::db::now());
    active.update(&tx).await?;
    let mut q =
        crate::entities::session::Entity::delete_many().filter(crate::entities::session::Column::UserId.eq(id.0));
    if let Some(keep) = keep_session {
        q = q.filter(crate::entities::session::Column::Id.ne(keep));
    }
    q.exec(&tx).await?;
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "user.password_set",
            subject_type: "user",
            subject_id: Some(id.to_string()),
            org_id: Some(org_id),
            details: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Issues a one-time link for `id` to set a password (a new account, or a forgotten password),
/// replacing any earlier unused link.
pub async fn issue_setup_link(scope: &Scope<'_>, id: UserId) -> Result<String> {
    scope.actor.require(Role::Administrator)?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    find(&tx, id).await?.ok_or(Error::NotFound)?;
    let token = new_setup_token(&tx, scope, id).await?;
    tx.commit().await?;
    Ok(token)
}

async fn new_setup_token(conn: &impl ConnectionTrait, scope: &Scope<'_>, id: UserId) -> Result<String> {
    setup_token::Entity::delete_many()
        .filter(setup_token::Column::UserId.eq(id.0))
        .filter(setup_token::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    let token = crate::secrets::random_token(24);
    let now = crate::db::now();
    setup_token::ActiveModel {
        id: NotSet,
        user_id: Set(id.0),
        token_hash: Set(crate::secrets::sha256_hex(&token)),
        created_at: Set(now),
        expires_at: Set(now + chrono::Duration::hours(scope.config().security.setup_link_hours as i64)),
        used_at: Set(None),
    }
    .insert(conn)
    .await?;
    audit::record(
        conn,
        scope,
        audit::Entry {
            action: "user.setup_link",
            subject_type: "user",
            subject_id: Some(id.to_string()),
            org_id: None,
            details: json!({}),
        },
    )
    .await?;
    Ok(token)
}

/// The user a valid, unused setup link belongs to.
pub async fn setup_link_user(core: &crate::Core, token: &str) -> Result<User> {
    let row = setup_token::Entity::find()
        .filter(setup_token::Column::TokenHash.eq(crate::secrets::sha256_hex(token)))
        .one(&core.db)
        .await?
        .filter(|t| t.used_at.is_none() && t.expires_at > crate::db::now())
        .ok_or(Error::Refused(ErrorCode::LinkInvalid))?;
    let user = find(&core.db, UserId(row.user_id))
        .await?
        .filter(|u| u.active)
        .ok_or(Error::Refused(ErrorCode::LinkInvalid))?;
    Ok(user)
}

/// Sets the password through a one-time link and uses the link up.
pub async fn complete_setup(core: &crate::Core, origin: &crate::actor::Origin, token: &str, new: &str) -> Result<User> {
    let user = setup_link_user(core, token).await?;
    password::check_policy(new, &user.email).map_err(|c| Error::field("password", c))?;
    let tx = crate::db::begin_write(&core.writer).await?;
    let used = setup_token::Entity::update_many()
        .col_expr(setup_token::Column::UsedAt, crate::db::now().into())
        .filter(setup_token::Column::TokenHash.eq(crate::secrets::sha256_hex(token)))
        .filter(setup_token::Column::UsedAt.is_null())
        .exec(&tx)
        .await?;
    if used.rows_affected != 1 {
        return Err(Error::Refused(ErrorCode::LinkInvalid));
    }
    tx.commit().await?;
    let actor = user.actor();
    let scope = Scope { core, actor: &actor, origin };
    store_password(&scope, user.id, new, None).await?;
    find(&core.db, user.id).await?.ok_or(Error::NotFound)
}

async fn count_active_admins(conn: &impl ConnectionTrait) -> Result<u64> {
    let bit = Roles::from_iter([Role::Administrator]).bits();
    Ok(user::Entity::find()
        .filter(sea_orm::sea_query::Expr::col(user::Column::Roles).bit_and(bit).ne(0))
        .filter(user::Column::Active.eq(true))
        .count(conn)
        .await?)
}

/// Whether any active administrator exists (start-up creates the first one if not).
pub async fn any_active_admin(core: &crate::Core) -> Result<bool> {
    Ok(count_active_admins(&core.db).await? > 0)
}

async fn end_sessions(conn: &impl ConnectionTrait, id: UserId) -> Result<()> {
    crate::entities::session::Entity::delete_many()
        .filter(crate::entities::session::Column::UserId.eq(id.0))
        .exec(conn)
        .await?;
    Ok(())
}

/// What the user would be after `changes`; nothing is written.
async fn validate(
    conn: &impl ConnectionTrait,
    scope: &Scope<'_>,
    before: Option<&User>,
    changes: UserChanges,
) -> Result<User> {
    let mut checks = Checks::new();
    let org_id = match (changes.org_id, changes.org_code.as_deref().map(str::trim)) {
        (Some(id), _) => match crate::orgs::find(conn, OrgId(id)).await? {
            Some(org) => Some(org.id),
            None => {
                checks.push(FieldError::new("org_id", ErrorCode::UnknownOrganization));
                None
            }
        },
        (None, Some("")) => {
            checks.push(FieldError::new("org_code", ErrorCode::ValueRequired));
            None
        }
        (None, Some(code)) => match crate::orgs::find_by_code(conn, code).await? {
            Some(org) => Some(org.id),
            None => {
                checks.push(FieldError::new("org_code", ErrorCode::UnknownOrganization));
                None
            }
        },
        (None, None) => match before {
            Some(b) => Some(b.org_id),
            None => {
                checks.push(FieldError::new("org_id", ErrorCode::ValueRequired));
                None
            }
        },
    };
    let email = match changes.email.as_deref() {
        Some(e) => checks.field("email", Email::parse(e)).map(|e| e.as_str().to_string()),
        None => before.map(|b| b.email.clone()).or_else(|| {
            checks.push(FieldError::new("email", ErrorCode::ValueRequired));
            None
        }),
    };
    if let Some(e) = &email {
        if before.is_none_or(|b| &b.email != e) && find_by_email(conn, e).await?.is_some() {
            checks.push(FieldError::new("email", ErrorCode::EmailTaken));
        }
    }
    let name = match changes.name.as_deref() {
        Some(n) => checks.take(validate::required_text("name", n, 120)),
        None => before.map(|b| b.name.clone()).or_else(|| {
            checks.push(FieldError::new("name", ErrorCode::ValueRequired));
            None
        }),
    };
    let title = match changes.title.as_deref() {
        Some(t) => checks.take(validate::optional_text("title", Some(t), 120)).flatten(),
        None => before.and_then(|b| b.title.clone()),
    };
    let phone = match changes.phone.as_deref() {
        Some(t) => checks.take(validate::optional_text("phone", Some(t), 60)).flatten(),
        None => before.and_then(|b| b.phone.clone()),
    };
    let roles = match &changes.roles {
        Some(list) => {
            let mut parsed = Vec::new();
            for r in list {
                if let Some(role) = checks.field("roles", Role::parse(r)) {
                    parsed.push(role);
                }
            }
            Roles::from_iter(parsed)
        }
        None => before.map_or(Roles::from_iter([Role::Requester]), |b| b.roles),
    };
    let default_locale = Locale::parse(&scope.config().site.default_locale).unwrap_or(Locale::Ko);
    let locale = match changes.locale.as_deref() {
        Some(l) => checks.field("locale", Locale::parse(l)),
        None => Some(before.map_or(default_locale, |b| b.locale)),
    };
    let time_zone = match changes.time_zone.as_deref() {
        Some(t) => checks.field("time_zone", TimeZone::parse(t)).map(|t| t.name().to_string()),
        None => Some(before.map_or_else(|| scope.config().site.time_zone.clone(), |b| b.time_zone.clone())),
    };
    let languages = match &changes.languages {
        Some(list) => {
            let mut out: Vec<String> = Vec::new();
            for l in list.iter().filter(|l| !l.trim().is_empty()) {
                if let Some(code) = checks.field("languages", LanguageCode::parse(l)) {
                    if !out.contains(&code.as_str().to_string()) {
                        out.push(code.as_str().to_string());
                    }
                }
            }
            out
        }
        None => before.map(|b| b.languages.clone()).unwrap_or_default(),
    };
    let countries = match &changes.countries {
        Some(list) => {
            let mut out: Vec<String> = Vec::new();
            for c in list.iter().filter(|c| !c.trim().is_empty()) {
                if let Some(code) = checks.field("countries", CountryCode::parse(c)) {
                    if !out.contains(&code.as_str().to_string()) {
                        out.push(code.as_str().to_string());
                    }
                }
            }
            out
        }
        None => before.map(|b| b.countries.clone()).unwrap_or_default(),
    };
    if languages.len() > 20 {
        checks.push(FieldError::new("languages", ErrorCode::ValueTooLong));
    }
    if countries.len() > 250 {
        checks.push(FieldError::new("countries", ErrorCode::ValueTooLong));
    }
    checks.finish()?;
    let now = crate::db::now();
    Ok(User {
        id: before.map_or(UserId(0), |b| b.id),
        org_id: org_id.expect("checked"),
        email: email.expect("checked"),
        name: name.expect("checked"),
        title,
        phone,
        roles,
        locale: locale.expect("checked"),
        time_zone: time_zone.expect("checked"),
        languages,
        countries,
        active: changes.active.unwrap_or(before.is_none_or(|b| b.active)),
        has_password: before.is_some_and(|b| b.has_password),
        last_login_at: before.and_then(|b| b.last_login_at),
        version: before.map_or(1, |b| b.version + 1),
        created_at: before.map_or(now, |b| b.created_at),
        updated_at: now,
    })
}

/// Inserts, or updates `before` if nobody changed it meanwhile. `password_hash` is set only
/// on insert; passwords change through [`store_password`].
async fn write(
    conn: &impl ConnectionTrait,
    before: Option<&User>,
    u: User,
    password_hash: Option<String>,
) -> Result<User> {
    let mut search: Vec<&str> = vec![&u.name, &u.email];
    search.extend(u.title.as_deref());
    let model = user::ActiveModel {
        id: before.map_or(NotSet, |b| Set(b.id.0)),
        org_id: Set(u.org_id.0),
        email: Set(u.email.clone()),
        name: Set(u.name.clone()),
        title: Set(u.title.clone()),
        phone: Set(u.phone.clone()),
        password_hash: if before.is_some() { NotSet } else { Set(password_hash) },
        roles: Set(u.roles.bits()),
        locale: Set(u.locale.tag().to_string()),
        time_zone: Set(u.time_zone.clone()),
        languages: Set(serde_json::to_string(&u.languages).expect("serialises")),
        countries: Set(serde_json::to_string(&u.countries).expect("serialises")),
        active: Set(u.active),
        last_login_at: if before.is_some() { NotSet } else { Set(None) },
        search_text: Set(crate::text::search_text(search)),
        version: Set(u.version),
        created_at: Set(u.created_at),
        updated_at: Set(u.updated_at),
    };
    let result = match before {
        Some(b) => user::Entity::update_many()
            .set(model)
            .filter(user::Column::Id.eq(b.id.0))
            .filter(user::Column::Version.eq(b.version))
            .exec(conn)
            .await
            .map(|r| (r.rows_affected, b.id)),
        None => model.insert(conn).await.map(|row| (1, UserId(row.id))),
    };
    match result {
        Ok((0, _)) => Err(Error::Refused(ErrorCode::ConflictStale)),
        Ok((_, id)) => find(conn, id).await?.ok_or(Error::NotFound),
        Err(e) if crate::db::is_unique_violation(&e) => Err(Error::field("email", ErrorCode::EmailTaken)),
        Err(e) => Err(e.into()),
    }
}
