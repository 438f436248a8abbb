//! The library's search: the process's index, kept current from the change log, and the
//! searches users make of it.
//!
//! Each process holds one index ([`Searcher`], in `Core`), opened on first use in the folder of
//! `library.index_dir`, or in memory when another process holds that folder. One task per
//! process, the follower, writes it: it applies the `library_changes` log in order
//! ([`changes::next_batch`]), woken by a search that finds the index behind the database and
//! otherwise once a second, and reloads the query expander when the term base changes. A
//! search first waits (briefly) for the follower to reach the change log's end, so an edit is
//! found right after it was saved, whichever process saved it.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Serialize;
use tokio::sync::{Notify, OnceCell, watch};

use super::changes;
use super::{Document, DocumentId, may_read_row, reader_tokens};
use crate::actor::Scope;
use crate::entities::library_document;
use crate::error::{Error, ErrorCode, Result};
use crate::paging::{Page, PageRequest};
use crate::search::{Expander, Filters, SearchIndex, SearchRequest, Sort};

/// Log entries applied per index commit.
const BATCH: u64 = 500;
/// How long a gap in the change log is waited for before it is passed (see [`changes`]).
const GAP_GRACE: chrono::Duration = chrono::Duration::seconds(10);
/// How often the follower looks for changes when nothing wakes it.
const FOLLOW_EVERY: Duration = Duration::from_secs(1);
/// How long a search waits for the index to reach the change log's end.
const FRESHNESS_WAIT: Duration = Duration::from_secs(3);
/// The longest query taken, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// The deepest result reachable by paging.
pub const MAX_OFFSET: u64 = 10_000;

/// The process's search index and its follower. Cheap to clone.
#[derive(Clone, Default)]
pub struct Searcher {
    inner: Arc<Inner>,
}

struct Inner {
    index: OnceCell<SearchIndex>,
    expander: RwLock<Expander>,
    /// The change log sequence the index has applied, for searches waiting on it.
    applied: watch::Sender<i64>,
    /// Wakes the follower.
    wake: Notify,
    /// Held while the index is written: by the follower's catch-up or by a rebuild.
    writing: tokio::sync::Mutex<()>,
}

impl Default for Inner {
    fn default() -> Self {
        Inner {
            index: OnceCell::new(),
            expander: RwLock::new(Expander::empty()),
            applied: watch::Sender::new(0),
            wake: Notify::new(),
            writing: tokio::sync::Mutex::new(()),
        }
    }
}

impl Searcher {
    /// The index, opened (and its follower started) on first use; in memory when the
    /// folder's index is held by another process.
    pub async fn index(&self, core: &crate::Core) -> Result<&SearchIndex> {
        self.open(core, true).await
    }

    /// The index in its folder, or an error when it cannot be opened there (another process
    /// holds it): for the rebuild command, which must write the index servers will use.
    pub async fn index_in_folder(&self, core: &crate::Core) -> Result<&SearchIndex> {
        self.open(core, false).await
    }

    async fn open(&self, core: &crate::Core, or_in_memory: bool) -> Result<&SearchIndex> {
        self.inner
            .index
            .get_or_try_init(|| async {
                let dir = core.config.library.index_path(&core.config.storage.data_dir);
                let index = match SearchIndex::open(&dir) {
                    Ok(index) => index,
                    Err(e) if or_in_memory => {
                        // Most often another process on the same data folder holds it.
                        tracing::warn!(dir = %dir.display(), error = %e, "search index not opened: this process keeps its own in memory");
                        SearchIndex::open_in_ram()?
                    }
                    Err(e) => {
                        return Err(Error::Internal(anyhow::anyhow!(
                            "the search index in {} cannot be opened ({e}); is a server running on this data folder?",
                            dir.display()
                        )));
                    }
                };
                *self.inner.expander.write().expect("expander lock") = Expander::load(core).await?;
                self.inner.applied.send_replace(index.applied_seq());
                tokio::spawn(follow(core.clone(), index.clone()));
                Ok(index)
            })
            .await
    }

    fn expander(&self) -> Expander {
        self.inner.expander.read().expect("expander lock").clone()
    }

    /// Waits until the index has applied `seq` (or [`FRESHNESS_WAIT`] passed).
    async fn wait_for(&self, seq: i64) {
        let mut rx = self.inner.applied.subscribe();
        if *rx.borrow() >= seq {
            return;
        }
        self.inner.wake.notify_one();
        let _ = tokio::time::timeout(FRESHNESS_WAIT, rx.wait_for(|applied| *applied >= seq)).await;
    }
}

/// The follower: applies the change log to the index, for the life of the process.
async fn follow(core: crate::Core, index: SearchIndex) {
    loop {
        let caught_up = {
            let _writing = core.search.inner.writing.lock().await;
            catch_up_locked(&core, index.clone()).await
        };
        if let Err(e) = caught_up {
            tracing::error!(error = %e, "search index follower");
        }
        let searcher = &core.search.inner;
        tokio::select! {
            _ = searcher.wake.notified() => {}
            _ = tokio::time::sleep(FOLLOW_EVERY) => {}
        }
    }
}

/// Applies every change-log entry the index has not, batch by batch, and reloads the
/// expander when the term base has changed. Only the follower and [`rebuild`] call it, holding
/// `writing`.
async fn catch_up_locked(core: &crate::Core, index: SearchIndex) -> Result<()> {
    let searcher = &core.search;
    let version = crate::search::terms::version(&core.db).await?;
    if version != searcher.expander().version() {
        let expander = Expander::load(core).await?;
        *searcher.inner.expander.write().expect("expander lock") = expander;
        tracing::info!(version, "term base reloaded");
    }
    while let Some(batch) = changes::next_batch(core, index.applied_seq(), BATCH, GAP_GRACE).await? {
        let up_to = batch.up_to;
        let index = index.clone();
        tokio::task::spawn_blocking(move || index.apply(batch.upserts, &batch.deletes, up_to))
            .await
            .map_err(|e| Error::Internal(e.into()))??;
        searcher.inner.applied.send_replace(up_to);
    }
    Ok(())
}

/// A search as a user asks it.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub text: String,
    pub filters: Filters,
    pub sort: Sort,
    pub page: PageRequest,
}

/// One result: the document and the passages that matched.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Found {
    pub document: Document,
    pub score: f32,
    /// The title, HTML-escaped, matches in `<mark>`.
    pub title_html: String,
    /// A matching passage, HTML-escaped, matches in `<mark>`.
    pub snippet_html: String,
}

/// What a search found: a page of results, the facets of every match, and what the query
/// was widened with or might have meant.
#[derive(Clone, Debug, Serialize)]
pub struct Results {
    pub page: Page<Found>,
    pub facets: crate::search::Facets,
    pub suggestion: Option<String>,
    pub expanded: Vec<String>,
}

/// Searches the documents the actor may read.
pub async fn search(scope: &Scope<'_>, query: Query) -> Result<Results> {
    scope.actor.require_login()?;
    let text = query.text.trim().to_string();
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(Error::field("q", ErrorCode::ValueTooLong));
    }
    if query.page.offset() > MAX_OFFSET {
        return Err(Error::field("page", ErrorCode::ValueOutOfRange));
    }
    let core = scope.core;
    let index = core.search.index(core).await?.clone();
    core.search.wait_for(changes::log_end(&core.db).await?).await;
    let request = SearchRequest {
        text,
        readers: reader_tokens(scope.actor),
        filters: query.filters,
        sort: query.sort,
        offset: query.page.offset() as usize,
        limit: query.page.per_page as usize,
    };
    let expander = core.search.expander();
    let results = tokio::task::spawn_blocking(move || index.search(&request, &expander))
        .await
        .map_err(|e| Error::Internal(e.into()))??;
    let ids: Vec<i64> = results.hits.iter().map(|h| h.id).collect();
    let documents = readable_documents(scope, &ids).await?;
    let items = results
        .hits
        .into_iter()
        .filter_map(|h| {
            let document = documents.iter().find(|d| d.id.0 == h.id)?.clone();
            Some(Found { document, score: h.score, title_html: h.title_html, snippet_html: h.snippet_html })
        })
        .collect();
    Ok(Results {
        page: Page { items, total: results.total as u64, page: query.page.page, per_page: query.page.per_page },
        facets: results.facets,
        suggestion: results.suggestion,
        expanded: results.expanded,
    })
}

/// Documents like document `id`, among those the actor may read.
pub async fn similar(scope: &Scope<'_>, id: DocumentId, limit: usize) -> Result<Vec<Document>> {
    scope.actor.require_login()?;
    let row = library_document::Entity::find_by_id(id.0).one(scope.db()).await?.ok_or(Error::NotFound)?;
    if !may_read_row(scope.actor, &row) {
        return Err(Error::NotFound);
    }
    let core = scope.core;
    let index = core.search.index(core).await?.clone();
    core.search.wait_for(changes::log_end(&core.db).await?).await;
    let readers = reader_tokens(scope.actor);
    let limit = limit.clamp(1, 50);
    let hits = tokio::task::spawn_blocking(move || index.more_like_this(id.0, &readers, limit))
        .await
        .map_err(|e| Error::Internal(e.into()))??;
    let ids: Vec<i64> = hits.iter().map(|h| h.id).collect();
    let documents = readable_documents(scope, &ids).await?;
    Ok(ids.iter().filter_map(|i| documents.iter().find(|d| d.id.0 == *i).cloned()).collect())
}

/// The documents of `ids` as they are now, those the actor may still read (the index may be
/// a moment behind a change of status).
async fn readable_documents(scope: &Scope<'_>, ids: &[i64]) -> Result<Vec<Document>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let due = scope.config().library.report_due_days;
    library_document::Entity::find()
        .filter(library_document::Column::Id.is_in(ids.iter().copied()))
        .all(scope.db())
        .await?
        .into_iter()
        .filter(|r| may_read_row(scope.actor, r))
        .map(|r| Document::from_row(r, due))
        .collect()
}

/// Progress of a rebuild: documents indexed so far, of how many.
pub type Progress<'a> = &'a mut (dyn FnMut(u64, u64) + Send);

/// Rebuilds the index from the database: clears it, indexes every document, then applies the
/// changes made meanwhile. Returns the number of documents indexed.
pub async fn rebuild(core: &crate::Core, progress: Progress<'_>) -> Result<u64> {
    let index = core.search.index(core).await?.clone();
    let _writing = core.search.inner.writing.lock().await;
    index.clear()?;
    core.search.inner.applied.send_replace(0);
    let total = library_document::Entity::find().count(&core.db).await?;
    let mut done = 0_u64;
    let current = changes::rebuild(core, BATCH, |entries| {
        done += entries.len() as u64;
        progress(done, total);
        let index = index.clone();
        async move {
            // Sequence 0 until the end: a crash midway leaves an index that is rebuilt again.
            tokio::task::spawn_blocking(move || index.apply(entries, &[], 0))
                .await
                .map_err(|e| Error::Internal(e.into()))?
        }
    })
    .await?;
    index.apply(Vec::new(), &[], current)?;
    core.search.inner.applied.send_replace(current);
    catch_up_locked(core, index).await?;
    Ok(done)
}

/// The number of documents the index holds and the change-log sequence it has applied.
pub async fn status(core: &crate::Core) -> Result<(u64, i64, i64)> {
    let index = core.search.index(core).await?;
    Ok((index.len(), index.applied_seq(), changes::log_end(&core.db).await?))
}
