//! Making sure someone can log in on a new installation.

use crate::accounts::{self, UserChanges};
use crate::actor::{Actor, Origin, Role, Scope};
use crate::error::Result;

/// On a database without an active administrator, creates one (the configured
/// `setup.admin_email`, in the secretariat) and returns the one-time link that sets their
/// password. Returns `None` when an administrator exists.
pub async fn ensure_admin(core: &crate::Core) -> Result<Option<String>> {
    if accounts::any_active_admin(core).await? {
        return Ok(None);
    }
    let actor = Actor::System("setup");
    let origin = Origin::default();
    let scope = Scope { core, actor: &actor, origin: &origin };
    let email = core.config.setup.admin_email.clone();
    let token = match accounts::find_by_email(&core.db, &email).await? {
        // An inactive or role-less account of that email: give it back its role and a link.
        Some(row) => {
            let user = accounts::update(
                &scope,
                crate::ids::UserId(row.id),
                None,
                UserChanges {
                    roles: Some(vec![Role::Administrator.as_str().into()]),
                    active: Some(true),
                    ..Default::default()
                },
            )
            .await?;
            accounts::issue_setup_link(&scope, user.id).await?
        }
        None => {
            let home = crate::orgs::list(
                &scope,
                crate::orgs::OrgFilter {
                    kind: Some(crate::orgs::OrgKind::AssociationDepartment),
                    ..Default::default()
                },
            )
            .await?
            .items
            .into_iter()
            .find(|o| o.parent_id.is_none())
            .ok_or_else(|| anyhow::anyhow!("no top-level association department to put the administrator in"))?;
            let created = accounts::create(
                &scope,
                UserChanges {
                    org_id: Some(home.id.0),
                    email: Some(email),
                    name: Some("Administrator".into()),
                    roles: Some(vec![Role::Administrator.as_str().into()]),
                    ..Default::default()
                },
            )
            .await?;
            created.setup_token.expect("no password given, so a link is issued")
        }
    };
    Ok(Some(setup_url(core, &token)))
}

/// The address of a one-time password link.
pub fn setup_url(core: &crate::Core, token: &str) -> String {
    format!("{}/setup/{token}", core.config.server.public_url.trim_end_matches('/'))
}
