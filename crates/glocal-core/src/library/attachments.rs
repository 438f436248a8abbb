//! Files attached to library documents. The bytes are stored (once per content) before
//! anything is read from them; text extraction runs afterwards as a background job, and a
//! file that cannot be read stays attached, flagged with the reason.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use serde_json::json;

use super::extract::{self, FileType, Outcome};
use super::{DocumentId, load_for_change, log_change};
use crate::actor::Scope;
use crate::audit;
use crate::entities::library_attachment;
use crate::error::{Error, ErrorCode, Result};
use crate::jobs::{self, Job};

/// How far extraction got: `pending`, `done`, `failed` (damaged or not what its name says)
/// or `unsupported` (a type kept but not read).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Attachment {
    pub id: i64,
    pub document_id: DocumentId,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub extraction: String,
    pub extraction_error: Option<String>,
    /// Characters of text extracted.
    pub text_chars: usize,
    pub created_at: DateTime<Utc>,
}

impl Attachment {
    fn from_row(r: &library_attachment::Model) -> Attachment {
        Attachment {
            id: r.id,
            document_id: DocumentId(r.document_id),
            filename: r.filename.clone(),
            content_type: r.content_type.clone(),
            size: r.size,
            sha256: r.sha256.clone(),
            extraction: r.extraction.clone(),
            extraction_error: r.extraction_error.clone(),
            text_chars: r.text.as_deref().map_or(0, |t| t.chars().count()),
            created_at: r.created_at,
        }
    }
}

pub(super) async fn of_document(conn: &impl ConnectionTrait, document_id: i64) -> Result<Vec<Attachment>> {
    let rows = library_attachment::Entity::find()
        .filter(library_attachment::Column::DocumentId.eq(document_id))
        .order_by_asc(library_attachment::Column::Id)
        .all(conn)
        .await?;
    Ok(rows.iter().map(Attachment::from_row).collect())
}

/// The text extracted from a document's attachments, joined (what the index reads).
pub async fn text_of_document(conn: &impl ConnectionTrait, document_id: i64) -> Result<String> {
    let rows = library_attachment::Entity::find()
        .filter(library_attachment::Column::DocumentId.eq(document_id))
        .order_by_asc(library_attachment::Column::Id)
        .all(conn)
        .await?;
    Ok(rows.into_iter().filter_map(|r| r.text).collect::<Vec<_>>().join("\n\n"))
}

/// Attaches a file to a document the actor may edit. The file is refused only when its name
/// is not of a type the library takes, it is empty or too large, or it is an executable;
/// whether it can be read is found out afterwards.
pub async fn add(scope: &Scope<'_>, id: DocumentId, filename: &str, bytes: &[u8]) -> Result<Attachment> {
    scope.actor.require_login()?;
    let limit = u64::from(scope.config().library.max_attachment_mb) * 1024 * 1024;
    let filename = crate::desk::files::safe_filename(filename)?;
    // The visibility and permission checks come before anything about the file is said.
    let tx = crate::db::begin_write(scope.writer()).await?;
    load_for_change(&tx, scope, id, None).await?;
    if bytes.len() as u64 > limit {
        return Err(Error::Refused(ErrorCode::AttachmentTooLarge));
    }
    if bytes.is_empty() {
        return Err(Error::field("file", ErrorCode::ValueRequired));
    }
    let file_type = FileType::of(&filename).ok_or_else(|| Error::field("file", ErrorCode::AttachmentType))?;
    if bytes.starts_with(b"MZ") || bytes.starts_with(b"\x7fELF") || bytes.starts_with(b"#!") {
        return Err(Error::field("file", ErrorCode::AttachmentType));
    }
    let blob = scope.core.blobs.put(&tx, bytes).await?;
    let row = library_attachment::ActiveModel {
        id: NotSet,
        document_id: Set(id.0),
        sha256: Set(blob.sha256),
        filename: Set(filename.clone()),
        content_type: Set(file_type.content_type().into()),
        size: Set(bytes.len() as i64),
        extraction: Set("pending".into()),
        extraction_error: Set(None),
        text: Set(None),
        uploaded_by: Set(scope.actor.user_id().map(|u| u.0)),
        created_at: Set(crate::db::now()),
    }
    .insert(&tx)
    .await?;
    jobs::enqueue(&tx, &Job::LibraryExtract { attachment_id: row.id }, crate::db::now(), None).await?;
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "library_attachment.add",
            subject_type: "library_document",
            subject_id: Some(id.to_string()),
            org_id: None,
            details: json!({"attachment_id": row.id, "filename": filename, "size": bytes.len()}),
        },
    )
    .await?;
    log_change(&tx, id.0).await?;
    tx.commit().await?;
    Ok(Attachment::from_row(&row))
}

/// A stored attachment and its bytes, for download.
pub async fn download(scope: &Scope<'_>, id: DocumentId, attachment_id: i64) -> Result<(Attachment, Vec<u8>)> {
    super::get(scope, id).await?;
    let row = library_attachment::Entity::find_by_id(attachment_id)
        .filter(library_attachment::Column::DocumentId.eq(id.0))
        .one(scope.db())
        .await?
        .ok_or(Error::NotFound)?;
    let bytes = scope.core.blobs.get(&row.sha256).await?;
    Ok((Attachment::from_row(&row), bytes))
}

/// How long reading one attachment may take.
const EXTRACTION_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

/// Reads an attachment's text and records the outcome (the background job's work; safe to
/// run twice). A file that cannot be read is flagged, never removed.
pub async fn extract_now(core: &crate::Core, attachment_id: i64) -> anyhow::Result<()> {
    let Some(row) = library_attachment::Entity::find_by_id(attachment_id).one(&core.db).await? else {
        return Ok(());
    };
    let outcome = match core.blobs.get(&row.sha256).await {
        Ok(bytes) => match FileType::of(&row.filename) {
            Some(t) => {
                let work = tokio::task::spawn_blocking(move || {
                    std::panic::catch_unwind(|| extract::extract(t, &bytes))
                        .unwrap_or_else(|_| Outcome::Failed("the reader gave up on this file".into()))
                });
                // A pathological file must not hold the job runner: past the limit it is
                // flagged (the blocking thread finishes on its own).
                match tokio::time::timeout(EXTRACTION_LIMIT, work).await {
                    Ok(done) => done.map_err(anyhow::Error::from)?,
                    Err(_) => Outcome::Failed("reading the file took too long".into()),
                }
            }
            None => Outcome::Unsupported,
        },
        Err(e) => Outcome::Failed(format!("stored file unreadable: {e}")),
    };
    let (status, error, text) = match outcome {
        Outcome::Text(t) => ("done", None, Some(t)),
        Outcome::Unsupported => ("unsupported", None, None),
        Outcome::Failed(e) => ("failed", Some(e.chars().take(1000).collect::<String>()), None),
    };
    let tx = crate::db::begin_write(&core.writer).await?;
    let mut a: library_attachment::ActiveModel = row.clone().into();
    a.extraction = Set(status.into());
    a.extraction_error = Set(error);
    a.text = Set(text);
    a.update(&tx).await?;
    log_change(&tx, row.document_id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    tx.commit().await?;
    Ok(())
}
