//! Who is acting, and the roles that decide what they may do.
//!
//! Every domain function takes a [`Scope`]: the core plus the acting [`Actor`] and where the
//! action came from. Authorisation is decided from it inside the domain, so a new handler
//! cannot forget it.

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, Result};
use crate::ids::{OrgId, UserId};
use crate::validate::{Locale, TimeZone};

macro_rules! roles {
    ($($variant:ident = $bit:literal => $name:literal,)*) => {
        /// A role a user holds. Stored as one bit of [`Roles`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Role { $($variant,)* }

        impl Role {
            pub const ALL: &'static [Role] = &[$(Role::$variant,)*];
            fn bit(self) -> i64 { match self { $(Role::$variant => $bit,)* } }
            pub fn as_str(self) -> &'static str { match self { $(Role::$variant => $name,)* } }
            pub fn parse(s: &str) -> Result<Role, ErrorCode> {
                match s.trim() { $($name => Ok(Role::$variant),)* _ => Err(ErrorCode::InvalidRole) }
            }
        }
    };
}

roles! {
    Requester = 1 => "requester",
    DeskStaff = 2 => "desk_staff",
    DeskManager = 4 => "desk_manager",
    ProgrammeManager = 8 => "programme_manager",
    Librarian = 16 => "librarian",
    PolicyOfficer = 32 => "policy_officer",
    Administrator = 64 => "administrator",
}

/// A set of roles, stored as a bit mask in one integer column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Roles(i64);

impl Roles {
    pub fn from_bits(bits: i64) -> Roles {
        let known = Role::ALL.iter().fold(0, |acc, r| acc | r.bit());
        Roles(bits & known)
    }
    pub fn bits(self) -> i64 {
        self.0
    }
    pub fn contains(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }
    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.iter().copied().filter(move |r| self.contains(*r))
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// Anyone with a role other than requester works for the association.
    pub fn is_staff(self) -> bool {
        self.iter().any(|r| r != Role::Requester)
    }
}

impl FromIterator<Role> for Roles {
    fn from_iter<I: IntoIterator<Item = Role>>(iter: I) -> Self {
        Roles(iter.into_iter().fold(0, |acc, r| acc | r.bit()))
    }
}

impl Serialize for Roles {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// A logged-in person, as loaded for one request.
#[derive(Clone, Debug)]
pub struct UserActor {
    pub id: UserId,
    pub org_id: OrgId,
    pub roles: Roles,
    pub name: String,
    pub email: String,
    pub locale: Locale,
    pub time_zone: TimeZone,
}

#[derive(Clone, Debug)]
pub enum Actor {
    /// Nobody is logged in: public pages only.
    Anonymous,
    /// A person, through a session or an API token.
    User(UserActor),
    /// The system itself: a command-line action, start-up, a background job. The label says
    /// which, for the audit log.
    System(&'static str),
}

impl Actor {
    pub fn user(&self) -> Option<&UserActor> {
        match self {
            Actor::User(u) => Some(u),
            _ => None,
        }
    }

    pub fn user_id(&self) -> Option<UserId> {
        self.user().map(|u| u.id)
    }

    pub fn has(&self, role: Role) -> bool {
        match self {
            Actor::User(u) => u.roles.contains(role),
            Actor::System(_) => true,
            Actor::Anonymous => false,
        }
    }

    /// Succeeds when the actor holds `role`; otherwise `Unauthenticated` for nobody and
    /// `Forbidden` for a user without it.
    pub fn require(&self, role: Role) -> Result<()> {
        match self {
            Actor::Anonymous => Err(Error::Unauthenticated),
            _ if self.has(role) => Ok(()),
            _ => Err(Error::Forbidden),
        }
    }

    /// Succeeds for any logged-in user or the system.
    pub fn require_login(&self) -> Result<&Actor> {
        match self {
            Actor::Anonymous => Err(Error::Unauthenticated),
            _ => Ok(self),
        }
    }

    /// The association's own staff see across member organisations; a requester sees only
    /// their own organisation.
    pub fn sees_all_organizations(&self) -> bool {
        match self {
            Actor::User(u) => u.roles.is_staff(),
            Actor::System(_) => true,
            Actor::Anonymous => false,
        }
    }

    /// Whether the actor may see records that belong to `org`.
    pub fn may_see_org(&self, org: OrgId) -> bool {
        self.sees_all_organizations() || self.user().is_some_and(|u| u.org_id == org)
    }

    /// How the actor appears in the audit log.
    pub fn label(&self) -> String {
        match self {
            Actor::Anonymous => "anonymous".into(),
            Actor::User(u) => u.email.clone(),
            Actor::System(what) => format!("system:{what}"),
        }
    }
}

/// Where an action came from, recorded in the audit log.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

/// The acting user with the core they act on: the first argument of every domain function.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub core: &'a crate::Core,
    pub actor: &'a Actor,
    pub origin: &'a Origin,
}

impl<'a> Scope<'a> {
    pub fn db(&self) -> &'a sea_orm::DatabaseConnection {
        &self.core.db
    }
    /// The connection write transactions begin on (see [`crate::Core::writer`]).
    pub fn writer(&self) -> &'a sea_orm::DatabaseConnection {
        &self.core.writer
    }
    pub fn config(&self) -> &'a crate::config::Config {
        &self.core.config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_bits() {
        let roles: Roles = [Role::DeskStaff, Role::Administrator].into_iter().collect();
        assert_eq!(Roles::from_bits(roles.bits()), roles);
        assert!(roles.contains(Role::Administrator));
        assert!(!roles.contains(Role::Requester));
        assert!(roles.is_staff());
        let requester: Roles = [Role::Requester].into_iter().collect();
        assert!(!requester.is_staff());
        assert_eq!(Roles::from_bits(1 << 40), Roles::default());
    }
}
