//! The change log the search index of every process follows.
//!
//! Every document change writes a `library_changes` row in its own transaction. An index
//! remembers the last sequence number it applied and asks for the next batch: the entries
//! after it, in order, turned into what the index needs (the documents as they now are, or
//! their deletion). Sequence numbers can have gaps: on PostgreSQL a transaction takes its
//! number when it inserts but becomes visible when it commits, so a later number may be seen
//! first. A batch therefore stops at a gap, unless the gap is older than `gap_grace` (the
//! transaction that held the number rolled back, or was never going to commit).

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{Document, readers_of, trip};
use crate::entities::{library_change, library_document};
use crate::error::Result;
use crate::search::IndexDoc;

/// What an index applies next, in one commit.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Batch {
    pub upserts: Vec<IndexDoc>,
    pub deletes: Vec<i64>,
    /// The sequence number to record as applied with this batch.
    pub up_to: i64,
}

/// The index entry of one document row.
pub async fn entry_of(conn: &impl ConnectionTrait, row: library_document::Model, due_days: u32) -> Result<IndexDoc> {
    let follow_ups = trip::follow_ups_of(conn, &row).await?;
    let attachments = super::attachments::text_of_document(conn, row.id).await?;
    let doc = Document::from_row(row, due_days)?;
    Ok(IndexDoc {
        id: doc.id.0,
        kind: doc.kind.as_str().into(),
        language: doc.language.clone(),
        status: doc.status.as_str().into(),
        title: doc.title.clone(),
        summary: doc.summary.clone(),
        body: doc.full_text(&follow_ups),
        attachments,
        area: doc.area.map(|a| a.as_str().to_string()),
        country: doc.country.clone(),
        organization: doc.local_government.clone(),
        year: doc.year.or_else(|| doc.trip.as_ref().and_then(|t| t.returned_on).map(|d| chrono::Datelike::year(&d))),
        updated_at: doc.updated_at,
        readers: readers_of(doc.status, doc.owner_org_id, doc.author_id),
    })
}

/// The next batch after `applied` (at most `max` log entries), or `None` when there is
/// nothing new that may be applied yet.
pub async fn next_batch(
    core: &crate::Core,
    applied: i64,
    max: u64,
    gap_grace: chrono::Duration,
) -> Result<Option<Batch>> {
    let rows = library_change::Entity::find()
        .filter(library_change::Column::Seq.gt(applied))
        .order_by_asc(library_change::Column::Seq)
        .limit(max)
        .all(&core.db)
        .await?;
    let now = crate::db::now();
    let mut up_to = applied;
    let mut ids = Vec::new();
    for r in rows {
        if r.seq != up_to + 1 && r.at > now - gap_grace {
            // A younger gap: the missing number's transaction may still commit.
            break;
        }
        up_to = r.seq;
        ids.push(r.document_id);
    }
    if up_to == applied {
        return Ok(None);
    }
    ids.sort_unstable();
    ids.dedup();
    let due = core.config.library.report_due_days;
    let mut batch = Batch { up_to, ..Default::default() };
    let docs =
        library_document::Entity::find().filter(library_document::Column::Id.is_in(ids.clone())).all(&core.db).await?;
    for id in ids {
        match docs.iter().find(|d| d.id == id) {
            Some(row) => batch.upserts.push(entry_of(&core.db, row.clone(), due).await?),
            None => batch.deletes.push(id),
        }
    }
    Ok(Some(batch))
}

/// Every document as an index entry, `page_size` at a time, for a rebuild; `each` gets
/// each page. Returns the sequence number the rebuilt index is current to (read first, so
/// changes made during the rebuild are applied again afterwards: applying is idempotent).
pub async fn rebuild<F, Fut>(core: &crate::Core, page_size: u64, mut each: F) -> Result<i64>
where
    F: FnMut(Vec<IndexDoc>) -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    let current = log_end(&core.db).await?;
    let due = core.config.library.report_due_days;
    let mut after = 0_i64;
    loop {
        let rows = library_document::Entity::find()
            .filter(library_document::Column::Id.gt(after))
            .order_by_asc(library_document::Column::Id)
            .limit(page_size)
            .all(&core.db)
            .await?;
        let Some(last) = rows.last().map(|r| r.id) else { break };
        after = last;
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows {
            entries.push(entry_of(&core.db, row, due).await?);
        }
        each(entries).await?;
    }
    Ok(current)
}

/// The last sequence number of the change log (0 when empty).
pub async fn log_end(db: &impl ConnectionTrait) -> Result<i64> {
    let seq: Option<i64> = library_change::Entity::find()
        .select_only()
        .column_as(library_change::Column::Seq.max(), "seq")
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    Ok(seq.unwrap_or(0))
}
