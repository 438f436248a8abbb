//! Canned responses: reusable answers the desk keeps per language (and optionally per
//! category). Desk staff read them and reply with one; desk managers and administrators keep
//! them.

use chrono::{DateTime, Utc};
use sea_orm::ExprTrait;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};
use serde::Serialize;
use serde_json::{Value, json};

use super::{Category, Message, NewMessage, RequestId};
use crate::actor::{Role, Scope};
use crate::audit;
use crate::entities::desk_canned_response;
use crate::error::{Error, ErrorCode, Result};
use crate::ids::UserId;
use crate::validate::{self, Checks, LanguageCode};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CannedResponse {
    pub id: i64,
    pub title: String,
    pub body: String,
    /// The language the answer is written in (`ko`, `en`, `zh-Hans`, …).
    pub language: String,
    /// The category it is meant for; none for any.
    pub category: Option<Category>,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl CannedResponse {
    fn from_row(r: desk_canned_response::Model) -> CannedResponse {
        CannedResponse {
            id: r.id,
            title: r.title,
            body: r.body,
            language: r.language,
            category: r.category.as_deref().and_then(|c| Category::parse(c).ok()),
            created_by: r.created_by.map(UserId),
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }

    fn audit_view(&self) -> Value {
        json!({"title": self.title, "body": self.body, "language": self.language, "category": self.category})
    }
}

/// What a canned response is written from, for creating and for updating.
#[derive(Clone, Debug, Default)]
pub struct CannedInput {
    pub title: String,
    pub body: String,
    pub language: String,
    pub category: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct CannedFilter {
    pub language: Option<String>,
    /// Matches responses of this category and those for any category.
    pub category: Option<Category>,
}

fn require_reader(scope: &Scope<'_>) -> Result<()> {
    scope.actor.require_login()?;
    if super::is_desk_staff(scope.actor) { Ok(()) } else { Err(Error::Forbidden) }
}

fn require_editor(scope: &Scope<'_>) -> Result<()> {
    scope.actor.require_login()?;
    if scope.actor.has(Role::DeskManager) || scope.actor.has(Role::Administrator) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

struct Checked {
    title: String,
    body: String,
    language: String,
    category: Option<Category>,
}

fn check(input: &CannedInput) -> Result<Checked> {
    let mut checks = Checks::new();
    let title = checks.take(validate::required_text("title", &input.title, 200));
    let body = checks.take(validate::required_text("body", &input.body, 20_000));
    let language = checks.field("language", LanguageCode::parse(&input.language)).map(|l| l.as_str().to_string());
    let category = match input.category.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(c) => checks.field("category", Category::parse(c)).map(Some),
    };
    checks.finish()?;
    Ok(Checked {
        title: title.expect("checked"),
        body: body.expect("checked"),
        language: language.expect("checked"),
        category: category.expect("checked"),
    })
}

/// The canned responses, by language then title (desk staff).
pub async fn list(scope: &Scope<'_>, filter: CannedFilter) -> Result<Vec<CannedResponse>> {
    require_reader(scope)?;
    let mut q = desk_canned_response::Entity::find();
    if let Some(l) = filter.language.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        let l = LanguageCode::parse(l).map_err(|c| Error::field("language", c))?;
        q = q.filter(desk_canned_response::Column::Language.eq(l.as_str()));
    }
    if let Some(c) = filter.category {
        q = q.filter(
            desk_canned_response::Column::Category.eq(c.as_str()).or(desk_canned_response::Column::Category.is_null()),
        );
    }
    let rows = q
        .order_by_asc(desk_canned_response::Column::Language)
        .order_by_asc(desk_canned_response::Column::Title)
        .order_by_asc(desk_canned_response::Column::Id)
        .all(scope.db())
        .await?;
    Ok(rows.into_iter().map(CannedResponse::from_row).collect())
}

/// One canned response (desk staff).
pub async fn get(scope: &Scope<'_>, id: i64) -> Result<CannedResponse> {
    require_reader(scope)?;
    let row = desk_canned_response::Entity::find_by_id(id).one(scope.db()).await?.ok_or(Error::NotFound)?;
    Ok(CannedResponse::from_row(row))
}

/// Adds a canned response (desk managers and administrators).
pub async fn create(scope: &Scope<'_>, input: CannedInput) -> Result<CannedResponse> {
    require_editor(scope)?;
    let c = check(&input)?;
    let now = crate::db::now();
    let tx = crate::db::begin_write(scope.writer()).await?;
    let row = desk_canned_response::ActiveModel {
        id: NotSet,
        title: Set(c.title),
        body: Set(c.body),
        language: Set(c.language),
        category: Set(c.category.map(|c| c.as_str().to_string())),
        created_by: Set(scope.actor.user_id().map(|u| u.0)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&tx)
    .await?;
    let out = CannedResponse::from_row(row);
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "desk_canned_response.create",
            subject_type: "desk_canned_response",
            subject_id: Some(out.id.to_string()),
            org_id: None,
            details: out.audit_view(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

/// Rewrites a canned response (desk managers and administrators). With `expected_version`,
/// refuses with `conflict_stale` if someone changed it since.
pub async fn update(
    scope: &Scope<'_>,
    id: i64,
    expected_version: Option<i32>,
    input: CannedInput,
) -> Result<CannedResponse> {
    require_editor(scope)?;
    let c = check(&input)?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let before = desk_canned_response::Entity::find_by_id(id).one(&tx).await?.ok_or(Error::NotFound)?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(Error::Refused(ErrorCode::ConflictStale));
    }
    let mut after = before.clone();
    after.title = c.title;
    after.body = c.body;
    after.language = c.language;
    after.category = c.category.map(|c| c.as_str().to_string());
    after.updated_at = crate::db::now();
    after.version = before.version + 1;
    let result = desk_canned_response::Entity::update_many()
        .set(after.clone().into_active_model().reset_all())
        .filter(desk_canned_response::Column::Id.eq(id))
        .filter(desk_canned_response::Column::Version.eq(before.version))
        .exec(&tx)
        .await?;
    if result.rows_affected == 0 {
        return Err(Error::Refused(ErrorCode::ConflictStale));
    }
    let (b, a) = (CannedResponse::from_row(before), CannedResponse::from_row(after));
    audit::record_change(
        &tx,
        scope,
        "desk_canned_response.update",
        ("desk_canned_response", id.to_string()),
        None,
        &b.audit_view(),
        &a.audit_view(),
    )
    .await?;
    tx.commit().await?;
    Ok(a)
}

/// Removes a canned response (desk managers and administrators). Replies already sent with it
/// keep their text.
pub async fn delete(scope: &Scope<'_>, id: i64) -> Result<()> {
    require_editor(scope)?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let row = desk_canned_response::Entity::find_by_id(id).one(&tx).await?.ok_or(Error::NotFound)?;
    desk_canned_response::Entity::delete_by_id(id).exec(&tx).await?;
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "desk_canned_response.delete",
            subject_type: "desk_canned_response",
            subject_id: Some(id.to_string()),
            org_id: None,
            details: CannedResponse::from_row(row).audit_view(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Replies to a request with a canned response (desk staff): its body becomes a public reply,
/// or an internal note when `internal`, exactly as if typed.
pub async fn reply_with(scope: &Scope<'_>, request: RequestId, canned_id: i64, internal: bool) -> Result<Message> {
    // Visibility of the request first, so nothing is told about one the actor may not see.
    super::get(scope, request).await?;
    let canned = get(scope, canned_id).await?;
    super::add_message(scope, request, NewMessage { body: canned.body, internal }).await
}
