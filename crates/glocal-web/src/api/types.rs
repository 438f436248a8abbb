//! The wire format of the API: what goes in and out as JSON. Domain types are converted here,
//! so the domain can change without changing what clients see.

use chrono::{DateTime, Utc};
use glocal_core::accounts::User;
use glocal_core::accounts::auth::ApiToken;
use glocal_core::audit::AuditEvent;
use glocal_core::orgs::Organization;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    pub email: String,
    pub password: String,
    /// A label to tell tokens apart; defaults to "API".
    pub name: Option<String>,
    /// Days until the token expires; without it, the token lasts until revoked.
    pub valid_days: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    /// The bearer token. Shown this once; send it as `Authorization: Bearer <token>`.
    pub token: String,
    #[serde(flatten)]
    pub info: TokenInfo,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiToken> for TokenInfo {
    fn from(t: ApiToken) -> Self {
        TokenInfo {
            id: t.id.0,
            name: t.name,
            prefix: t.prefix,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    pub id: i64,
    pub org_id: i64,
    pub email: String,
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    /// Any of `requester`, `desk_staff`, `desk_manager`, `programme_manager`, `librarian`,
    /// `policy_officer`, `administrator`.
    pub roles: Vec<String>,
    /// `ko`, `en`, `zh-Hans`, `zh-Hant` or `ja`.
    pub locale: String,
    pub time_zone: String,
    pub languages: Vec<String>,
    pub countries: Vec<String>,
    pub active: bool,
    pub has_password: bool,
    pub last_login_at: Option<DateTime<Utc>>,
    /// Send it back with an update to refuse the update if someone changed the user meanwhile.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<User> for UserOut {
    fn from(u: User) -> Self {
        UserOut {
            id: u.id.0,
            org_id: u.org_id.0,
            email: u.email,
            name: u.name,
            title: u.title,
            phone: u.phone,
            roles: u.roles.iter().map(|r| r.as_str().to_string()).collect(),
            locale: u.locale.tag().to_string(),
            time_zone: u.time_zone,
            languages: u.languages,
            countries: u.countries,
            active: u.active,
            has_password: u.has_password,
            last_login_at: u.last_login_at,
            version: u.version,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserOut>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedUser {
    #[serde(flatten)]
    pub user: UserOut,
    /// When no password was given: the one-time link that lets the user set one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setup_url: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserIn {
    /// On update: the version you read; the update is refused with `conflict_stale` if the
    /// user changed since.
    pub version: Option<i32>,
    pub org_id: Option<i64>,
    /// The organisation by its code, instead of `org_id` (e.g. `1100000000`, `SEC-INTL`).
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
    /// On create only; without it the response carries a one-time setup link.
    pub password: Option<String>,
}

impl UserIn {
    pub fn into_changes(self) -> (Option<i32>, glocal_core::accounts::UserChanges) {
        (
            self.version,
            glocal_core::accounts::UserChanges {
                org_id: self.org_id,
                org_code: self.org_code,
                email: self.email,
                name: self.name,
                title: self.title,
                phone: self.phone,
                roles: self.roles,
                locale: self.locale,
                time_zone: self.time_zone,
                languages: self.languages,
                countries: self.countries,
                active: self.active,
                password: self.password,
            },
        )
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Only users of this organisation.
    pub org_id: Option<i64>,
    /// Only users holding this role.
    pub role: Option<String>,
    /// Text in the name, email or title.
    pub q: Option<String>,
    pub active: Option<bool>,
    /// 1-based page number.
    pub page: Option<u64>,
    /// Results per page, at most 200.
    pub per_page: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationOut {
    pub id: i64,
    /// `member_local_government`, `association_department`, `overseas_office`,
    /// `foreign_local_government`, `foreign_mission`, `international_organization` or `other`.
    pub kind: String,
    /// `metropolitan` or `basic`, for member local governments.
    pub tier: Option<String>,
    pub code: Option<String>,
    pub parent_id: Option<i64>,
    pub name: String,
    pub name_en: String,
    /// Names in other scripts, by locale tag.
    pub names: BTreeMap<String, String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub time_zone: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Organization> for OrganizationOut {
    fn from(o: Organization) -> Self {
        OrganizationOut {
            id: o.id.0,
            kind: o.kind.as_str().to_string(),
            tier: o.tier.map(|t| t.as_str().to_string()),
            code: o.code,
            parent_id: o.parent_id.map(|p| p.0),
            name: o.name,
            name_en: o.name_en,
            names: o.names,
            country: o.country,
            city: o.city,
            time_zone: o.time_zone,
            email: o.email,
            phone: o.phone,
            website: o.website,
            address: o.address,
            active: o.active,
            version: o.version,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationList {
    pub items: Vec<OrganizationOut>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationIn {
    /// On update: the version you read.
    pub version: Option<i32>,
    pub kind: Option<String>,
    pub tier: Option<String>,
    pub code: Option<String>,
    pub parent_id: Option<i64>,
    /// The parent by its code, instead of `parent_id`; an empty string removes the parent.
    pub parent_code: Option<String>,
    /// Set to remove the parent.
    #[serde(default)]
    pub clear_parent: bool,
    pub name: Option<String>,
    pub name_en: Option<String>,
    pub names: Option<BTreeMap<String, String>>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub time_zone: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    pub active: Option<bool>,
}

impl OrganizationIn {
    pub fn into_changes(self) -> (Option<i32>, glocal_core::orgs::OrgChanges) {
        (
            self.version,
            glocal_core::orgs::OrgChanges {
                kind: self.kind,
                tier: self.tier,
                code: self.code,
                parent_id: self.parent_id,
                parent_code: self.parent_code,
                clear_parent: self.clear_parent,
                name: self.name,
                name_en: self.name_en,
                names: self.names,
                country: self.country,
                city: self.city,
                time_zone: self.time_zone,
                email: self.email,
                phone: self.phone,
                website: self.website,
                address: self.address,
                active: self.active,
            },
        )
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganizationQuery {
    /// Only organisations of this kind.
    pub kind: Option<String>,
    /// Only children of this organisation.
    pub parent_id: Option<i64>,
    /// Text in any name, the code or the city (any script).
    pub q: Option<String>,
    pub active: Option<bool>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventOut {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<String>,
    pub org_id: Option<i64>,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

impl From<AuditEvent> for AuditEventOut {
    fn from(e: AuditEvent) -> Self {
        AuditEventOut {
            id: e.id,
            at: e.at,
            actor_id: e.actor_id,
            actor_label: e.actor_label,
            action: e.action,
            subject_type: e.subject_type,
            subject_id: e.subject_id,
            org_id: e.org_id,
            details: e.details,
            ip: e.ip,
            request_id: e.request_id,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventList {
    pub items: Vec<AuditEventOut>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    pub actor_id: Option<i64>,
    pub action: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}
