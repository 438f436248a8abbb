//! @mentions: in an internal note, `@tokyo` names the desk staff member whose email's local
//! part is `tokyo`. Each mention is recorded (the colleague's list of mentions) with an
//! internal "mentioned" entry on the request's timeline. Unknown names are ignored, and public
//! replies mention nobody: what a requester can read never notifies or names staff.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use serde_json::json;

use super::{RequestId, record_event};
use crate::actor::{Role, Roles, Scope};
use crate::entities::{desk_mention, desk_message, desk_request, user};
use crate::error::{Error, Result};
use crate::ids::UserId;

/// The names `@name` in a text: the local part of an email (letters, digits, `.`, `_`, `-`,
/// `+`), lower-cased, without trailing dots, each once. An `@` inside a word (an email
/// address) mentions nobody.
pub fn names_in(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c != '@' || (i > 0 && (chars[i - 1].is_alphanumeric() || "._-+".contains(chars[i - 1]))) {
            continue;
        }
        let name: String = chars[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || "._-+".contains(**c))
            .collect::<String>()
            .trim_end_matches('.')
            .to_ascii_lowercase();
        if !name.is_empty() && name.len() <= 64 {
            out.insert(name);
        }
    }
    out
}

fn is_desk_staff(roles: Roles) -> bool {
    roles.contains(Role::DeskStaff) || roles.contains(Role::DeskManager) || roles.contains(Role::Administrator)
}

/// Records the mentions of an internal note `message_id`, inside the caller's transaction.
/// Returns the ids of the staff members mentioned.
pub(crate) async fn record_note_mentions(
    conn: &impl ConnectionTrait,
    scope: &Scope<'_>,
    request: RequestId,
    message_id: i64,
    body: &str,
) -> Result<Vec<UserId>> {
    let mut mentioned = Vec::new();
    for name in names_in(body) {
        let pattern = format!("{}@%", crate::db::like_escape(&name));
        let candidates = user::Entity::find()
            .filter(Expr::col(user::Column::Email).like(LikeExpr::new(pattern).escape('\\')))
            .filter(user::Column::Active.eq(true))
            .all(conn)
            .await?;
        let found = candidates.into_iter().filter(|u| {
            u.email.split('@').next().is_some_and(|local| local.eq_ignore_ascii_case(&name))
                && is_desk_staff(Roles::from_bits(u.roles))
        });
        for u in found {
            if mentioned.contains(&UserId(u.id)) {
                continue;
            }
            desk_mention::ActiveModel {
                id: NotSet,
                request_id: Set(request.0),
                message_id: Set(message_id),
                user_id: Set(u.id),
                author_id: Set(scope.actor.user_id().map(|a| a.0)),
                created_at: Set(crate::db::now()),
            }
            .insert(conn)
            .await?;
            let details = json!({"user_id": u.id, "name": u.name, "message_id": message_id});
            record_event(conn, scope, request, "mentioned", None, None, None, true, details).await?;
            mentioned.push(UserId(u.id));
        }
    }
    Ok(mentioned)
}

/// A note that mentions the reader.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mention {
    pub id: i64,
    pub request_id: RequestId,
    pub reg_no: Option<String>,
    pub title: String,
    pub message_id: i64,
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// The notes that mention the actor, newest first (desk staff).
pub async fn mine(scope: &Scope<'_>, limit: u64) -> Result<Vec<Mention>> {
    let me = scope.actor.user().ok_or(Error::Unauthenticated)?;
    if !super::is_desk_staff(scope.actor) {
        return Err(Error::Forbidden);
    }
    let rows = desk_mention::Entity::find()
        .filter(desk_mention::Column::UserId.eq(me.id.0))
        .order_by_desc(desk_mention::Column::Id)
        .limit(limit.clamp(1, 500))
        .all(scope.db())
        .await?;
    let request_ids: Vec<i64> = rows.iter().map(|r| r.request_id).collect();
    let message_ids: Vec<i64> = rows.iter().map(|r| r.message_id).collect();
    let requests =
        desk_request::Entity::find().filter(desk_request::Column::Id.is_in(request_ids)).all(scope.db()).await?;
    let messages =
        desk_message::Entity::find().filter(desk_message::Column::Id.is_in(message_ids)).all(scope.db()).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let request = requests.iter().find(|q| q.id == r.request_id)?;
            let message = messages.iter().find(|m| m.id == r.message_id)?;
            Some(Mention {
                id: r.id,
                request_id: RequestId(r.request_id),
                reg_no: request.reg_no.clone(),
                title: request.title.clone(),
                message_id: r.message_id,
                author: message.author_label.clone(),
                body: message.body.clone(),
                created_at: r.created_at,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::names_in;

    #[test]
    fn names_are_local_parts_and_emails_mention_nobody() {
        let names: Vec<String> =
            names_in("@tokyo please check, cc @Staff. Mail kim@seoul.example, not @ alone; @tokyo again")
                .into_iter()
                .collect();
        assert_eq!(names, vec!["staff".to_string(), "tokyo".to_string()]);
    }
}
