//! The term base: concepts and their terms in every language — what the library's search
//! widens a query with (姊妹市 = 자매결연 = sister city) and what the desk's translators look
//! up in a request.
//!
//! Every signed-in user reads it; librarians and administrators change it, one concept at a
//! time under a version guard, or a whole TBX file at once ([`import_tbx`], all or nothing).
//! Every write is audited and increments the term base's one version counter ([`version`]),
//! which tells each process that its copies — the search's query expander, the lookup's
//! matcher — are out of date. A starter vocabulary of the field (`data/search_terms.tbx`) is
//! loaded into an empty term base on first start ([`ensure_starter`]).

pub mod lookup;
pub mod tbx;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, LikeExpr, Query};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, ExprTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::actor::{Actor, Origin, Role, Scope};
use crate::audit;
use crate::entities::{term_base, term_concept, term_term};
use crate::error::{Error, ErrorCode, FieldError, Result};
use crate::library::taxonomy::Area;
use crate::paging::{Page, PageRequest};
use crate::validate::{self, Checks, LanguageCode};

pub use lookup::LookupCache;

/// The starter vocabulary: the field's concepts in Korean, English, Simplified and Traditional
/// Chinese and Japanese, as TBX.
pub const STARTER: &str = include_str!("../../../data/search_terms.tbx");

/// The most terms one concept holds.
pub const MAX_TERMS: usize = 100;
/// The most concept entries one TBX import takes.
pub const MAX_IMPORT_ENTRIES: usize = 50_000;
/// The most field errors an import reports (the rest are left out).
const MAX_REPORTED_ERRORS: usize = 200;
/// The longest text a lookup reads, in characters.
pub const MAX_LOOKUP_CHARS: usize = 200_000;

/// A concept's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConceptId(pub i64);

impl std::fmt::Display for ConceptId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// How a term is to be used (TBX's administrative status).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermStatus {
    /// The term to use.
    Preferred,
    /// Acceptable.
    Admitted,
    /// Not to be used (still found, so that old texts are understood).
    Deprecated,
}

impl TermStatus {
    pub const ALL: &'static [TermStatus] = &[TermStatus::Preferred, TermStatus::Admitted, TermStatus::Deprecated];

    pub fn as_str(self) -> &'static str {
        match self {
            TermStatus::Preferred => "preferred",
            TermStatus::Admitted => "admitted",
            TermStatus::Deprecated => "deprecated",
        }
    }

    /// The code, or TBX's value (`preferredTerm-admn-sts`, …; superseded is deprecated).
    pub fn parse(s: &str) -> std::result::Result<TermStatus, ErrorCode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "preferred" | "preferredterm-admn-sts" => Ok(TermStatus::Preferred),
            "admitted" | "admittedterm-admn-sts" => Ok(TermStatus::Admitted),
            "deprecated" | "deprecatedterm-admn-sts" | "supersededterm-admn-sts" => Ok(TermStatus::Deprecated),
            _ => Err(ErrorCode::InvalidChoice),
        }
    }
}

/// One term of a concept.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Term {
    pub id: i64,
    /// BCP 47: `ko`, `en`, `ja`, `zh-Hans`, `zh-Hant`, or another language.
    pub language: String,
    pub text: String,
    pub status: TermStatus,
    pub note: Option<String>,
}

/// A concept: one meaning, named by terms in any number of languages.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Concept {
    pub id: ConceptId,
    /// The area of the library's best-practice taxonomy the concept belongs to.
    pub area: Option<Area>,
    pub definition: Option<String>,
    pub note: Option<String>,
    /// Grouped by language, in the order written.
    pub terms: Vec<Term>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl Concept {
    /// The terms in one language.
    pub fn terms_in<'a>(&'a self, language: &'a str) -> impl Iterator<Item = &'a Term> + 'a {
        self.terms.iter().filter(move |t| t.language == language)
    }

    /// What the audit log compares.
    fn audit_view(&self) -> Value {
        json!({
            "area": self.area.map(|a| a.as_str()),
            "definition": self.definition,
            "note": self.note,
            "terms": self.terms.iter().map(|t| json!([t.language, t.text, t.status.as_str(), t.note])).collect::<Vec<_>>(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Input and its checks.

/// One term as a writer sends it.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TermInput {
    pub language: String,
    pub text: String,
    /// `preferred`, `admitted` (the default) or `deprecated`.
    pub status: Option<String>,
    pub note: Option<String>,
}

/// A concept as a writer sends it: on update, the whole new content.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ConceptInput {
    /// A code of the library's taxonomy (`environment`, …) or its name in a locale.
    pub area: Option<String>,
    pub definition: Option<String>,
    pub note: Option<String>,
    pub terms: Vec<TermInput>,
    /// On update: the version the writer read.
    pub version: Option<i32>,
}

/// A checked concept, ready to write.
#[derive(Clone, Debug, PartialEq)]
struct Draft {
    area: Option<Area>,
    definition: Option<String>,
    note: Option<String>,
    terms: Vec<DraftTerm>,
}

#[derive(Clone, Debug, PartialEq)]
struct DraftTerm {
    language: String,
    text: String,
    /// None: not given (admitted when new; unchanged when merged into an existing term).
    status: Option<TermStatus>,
    note: Option<String>,
}

impl DraftTerm {
    fn status(&self) -> TermStatus {
        self.status.unwrap_or(TermStatus::Admitted)
    }
    /// Two terms of a concept are the same when their language and their text up to case and
    /// width are (臺中 and 台中 are two spellings, both kept).
    fn same(&self, language: &str, text: &str) -> bool {
        self.language == language && crate::text::fold(&self.text) == crate::text::fold(text)
    }
}

impl Draft {
    fn audit_view(&self) -> Value {
        json!({
            "area": self.area.map(|a| a.as_str()),
            "definition": self.definition,
            "note": self.note,
            "terms": self.terms.iter().map(|t| json!([t.language, t.text, t.status().as_str(), t.note])).collect::<Vec<_>>(),
        })
    }

    fn of(c: &Concept) -> Draft {
        Draft {
            area: c.area,
            definition: c.definition.clone(),
            note: c.note.clone(),
            terms: c
                .terms
                .iter()
                .map(|t| DraftTerm {
                    language: t.language.clone(),
                    text: t.text.clone(),
                    status: Some(t.status),
                    note: t.note.clone(),
                })
                .collect(),
        }
    }

    fn search_text(&self) -> String {
        let mut parts: Vec<&str> = self.terms.iter().map(|t| t.text.as_str()).collect();
        parts.extend(self.definition.as_deref());
        parts.extend(self.note.as_deref());
        crate::text::search_text(parts)
    }

    /// Orders the terms by language, keeping the order the languages and the terms of each
    /// came in (a TBX file holds each language's terms together).
    fn group_by_language(&mut self) {
        let mut order: Vec<String> = Vec::new();
        for t in &self.terms {
            if !order.contains(&t.language) {
                order.push(t.language.clone());
            }
        }
        self.terms.sort_by_key(|t| order.iter().position(|l| *l == t.language));
    }
}

/// A language tag as the term base keeps it: BCP 47, tidied, with the Chinese regions as the
/// scripts the platform uses (`zh-CN` → `zh-Hans`, `zh-TW` → `zh-Hant`) and the one-region
/// tags of Korean and Japanese as the language (`ko-KR` → `ko`).
pub fn language_tag(raw: &str) -> std::result::Result<String, ErrorCode> {
    let tag = LanguageCode::parse(raw)?.as_str().to_string();
    Ok(match tag.as_str() {
        "zh-CN" | "zh-SG" | "zh-Hans-CN" | "zh-Hans-SG" => "zh-Hans".into(),
        "zh-TW" | "zh-HK" | "zh-MO" | "zh-Hant-TW" | "zh-Hant-HK" | "zh-Hant-MO" => "zh-Hant".into(),
        "ko-KR" => "ko".into(),
        "ja-JP" => "ja".into(),
        _ => tag,
    })
}

/// Runs of white space (a term broken over lines in a file) become one space.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks a concept; field errors are named `area`, `definition`, `note`, `terms` and
/// `terms[i].language|text|status|note`, each prefixed with `prefix` (an import's entry).
fn check_into(input: &ConceptInput, prefix: &str, checks: &mut Checks) -> Option<Draft> {
    let before = checks.len();
    let field = |name: &str| format!("{prefix}{name}");
    let area = match input.area.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(a) => match Area::parse(a) {
            Ok(a) => Some(a),
            Err(code) => {
                checks.push(FieldError::new(field("area"), code));
                None
            }
        },
    };
    let mut text = |name: &str, raw: Option<&str>, max: usize| -> Option<String> {
        match validate::optional_text("x", raw, max) {
            Ok(v) => v,
            Err(e) => {
                checks.push(FieldError::new(field(name), e.code));
                None
            }
        }
    };
    let definition = text("definition", input.definition.as_deref(), 4000);
    let note = text("note", input.note.as_deref(), 4000);
    if input.terms.is_empty() {
        checks.push(FieldError::new(field("terms"), ErrorCode::ValueRequired));
    } else if input.terms.len() > MAX_TERMS {
        checks.push(FieldError::new(field("terms"), ErrorCode::ValueOutOfRange));
    }
    let mut terms: Vec<DraftTerm> = Vec::new();
    for (i, t) in input.terms.iter().enumerate().take(MAX_TERMS) {
        let f = |name: &str| field(&format!("terms[{i}].{name}"));
        let language = match t.language.trim() {
            "" => {
                checks.push(FieldError::new(f("language"), ErrorCode::ValueRequired));
                None
            }
            l => match language_tag(l) {
                Ok(l) => Some(l),
                Err(code) => {
                    checks.push(FieldError::new(f("language"), code));
                    None
                }
            },
        };
        let text = match validate::required_text("x", &one_line(&t.text), 300) {
            Ok(s) => Some(s),
            Err(e) => {
                checks.push(FieldError::new(f("text"), e.code));
                None
            }
        };
        let status = match t.status.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(s) => match TermStatus::parse(s) {
                Ok(s) => Some(Some(s)),
                Err(code) => {
                    checks.push(FieldError::new(f("status"), code));
                    None
                }
            },
        };
        let note = match validate::optional_text("x", t.note.as_deref(), 2000) {
            Ok(n) => Some(n),
            Err(e) => {
                checks.push(FieldError::new(f("note"), e.code));
                None
            }
        };
        if let (Some(language), Some(text), Some(status), Some(note)) = (language, text, status, note) {
            if terms.iter().any(|d| d.same(&language, &text)) {
                checks.push(FieldError::new(f("text"), ErrorCode::DuplicateTerm));
                continue;
            }
            terms.push(DraftTerm { language, text, status, note });
        }
    }
    if checks.len() > before {
        return None;
    }
    let mut draft = Draft { area, definition, note, terms };
    draft.group_by_language();
    Some(draft)
}

fn check(input: &ConceptInput) -> Result<Draft> {
    let mut checks = Checks::new();
    let draft = check_into(input, "", &mut checks);
    checks.finish()?;
    Ok(draft.expect("checked"))
}

// ---------------------------------------------------------------------------------------------
// Who may do what.

/// Librarians and administrators keep the term base (and the system, loading the starter).
fn require_writer(actor: &Actor) -> Result<()> {
    actor.require_login()?;
    if actor.has(Role::Librarian) || actor.has(Role::Administrator) { Ok(()) } else { Err(Error::Forbidden) }
}

/// Whether the actor may change the term base (for pages deciding what to offer).
pub fn may_edit(actor: &Actor) -> bool {
    require_writer(actor).is_ok()
}

// ---------------------------------------------------------------------------------------------
// Reading.

/// The concepts of `rows`, with their terms.
async fn with_terms(conn: &impl ConnectionTrait, rows: Vec<term_concept::Model>) -> Result<Vec<Concept>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut terms: HashMap<i64, Vec<Term>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let found = term_term::Entity::find()
            .filter(term_term::Column::ConceptId.is_in(chunk.iter().copied()))
            .order_by_asc(term_term::Column::ConceptId)
            .order_by_asc(term_term::Column::Position)
            .order_by_asc(term_term::Column::Id)
            .all(conn)
            .await?;
        for t in found {
            let status = TermStatus::parse(&t.status).map_err(|_| anyhow::anyhow!("bad term status {}", t.status))?;
            terms.entry(t.concept_id).or_default().push(Term {
                id: t.id,
                language: t.language,
                text: t.text,
                status,
                note: t.note,
            });
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| Concept {
            id: ConceptId(r.id),
            area: r.area.as_deref().and_then(|a| Area::parse(a).ok()),
            definition: r.definition,
            note: r.note,
            terms: terms.remove(&r.id).unwrap_or_default(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        })
        .collect())
}

async fn find(conn: &impl ConnectionTrait, id: ConceptId) -> Result<Option<Concept>> {
    let Some(row) = term_concept::Entity::find_by_id(id.0).one(conn).await? else { return Ok(None) };
    Ok(with_terms(conn, vec![row]).await?.pop())
}

/// One concept with its terms.
pub async fn get(scope: &Scope<'_>, id: ConceptId) -> Result<Concept> {
    scope.actor.require_login()?;
    find(scope.db(), id).await?.ok_or(Error::NotFound)
}

#[derive(Clone, Debug, Default)]
pub struct ConceptFilter {
    /// Matches any term, the definition or the note, folded for case, width and Chinese script.
    pub q: Option<String>,
    /// Concepts with a term in this language.
    pub language: Option<String>,
    pub area: Option<Area>,
    pub page: PageRequest,
}

/// The concepts, in the order they were added.
pub async fn list(scope: &Scope<'_>, filter: ConceptFilter) -> Result<Page<Concept>> {
    use term_concept::Column as C;
    scope.actor.require_login()?;
    let mut q = term_concept::Entity::find();
    if let Some(text) = filter.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if text.chars().count() > 300 {
            return Err(Error::field("q", ErrorCode::ValueTooLong));
        }
        let pattern = format!("%{}%", crate::db::like_escape(&crate::text::search_fold(&one_line(text))));
        q = q.filter(Expr::col(C::SearchText).like(LikeExpr::new(pattern).escape('\\')));
    }
    if let Some(l) = filter.language.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        let language = language_tag(l).map_err(|code| Error::field("language", code))?;
        q = q.filter(
            C::Id.in_subquery(
                Query::select()
                    .column(term_term::Column::ConceptId)
                    .from(term_term::Entity)
                    .and_where(term_term::Column::Language.eq(language))
                    .to_owned(),
            ),
        );
    }
    if let Some(a) = filter.area {
        q = q.filter(C::Area.eq(a.as_str()));
    }
    let total = q.clone().count(scope.db()).await?;
    let rows = q.order_by_asc(C::Id).offset(filter.page.offset()).limit(filter.page.per_page).all(scope.db()).await?;
    Ok(Page {
        items: with_terms(scope.db(), rows).await?,
        total,
        page: filter.page.page,
        per_page: filter.page.per_page,
    })
}

/// Every concept, in the order they were added.
async fn all(conn: &impl ConnectionTrait) -> Result<Vec<Concept>> {
    let rows = term_concept::Entity::find().order_by_asc(term_concept::Column::Id).all(conn).await?;
    with_terms(conn, rows).await
}

/// The concepts whose terms occur in `text` (its subject, its messages), in the order they
/// first occur: the vocabulary a translator of that text should use.
pub async fn lookup(scope: &Scope<'_>, text: &str) -> Result<Vec<Concept>> {
    scope.actor.require_login()?;
    let text: String = text.chars().take(MAX_LOOKUP_CHARS).collect();
    let matcher = scope.core.terms.matcher(scope.db()).await?;
    let ids = tokio::task::spawn_blocking(move || matcher.find(&text)).await.map_err(anyhow::Error::from)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = term_concept::Entity::find()
        .filter(term_concept::Column::Id.is_in(ids.iter().copied()))
        .all(scope.db())
        .await?;
    let mut concepts = with_terms(scope.db(), rows).await?;
    concepts.sort_by_key(|c| ids.iter().position(|i| *i == c.id.0));
    Ok(concepts)
}

/// Every term as (concept id, text), by concept and position: what the expander and the
/// translators' matcher are built from.
pub(crate) async fn term_rows(db: &DatabaseConnection) -> Result<Vec<(i64, String)>> {
    Ok(term_term::Entity::find()
        .select_only()
        .column(term_term::Column::ConceptId)
        .column(term_term::Column::Text)
        .order_by_asc(term_term::Column::ConceptId)
        .order_by_asc(term_term::Column::Position)
        .into_tuple()
        .all(db)
        .await?)
}

/// Every concept's terms (any language) and the term base's version, for the query expander.
pub async fn all_concepts(db: &DatabaseConnection) -> Result<(Vec<Vec<String>>, i64)> {
    // The version first: a change committed meanwhile then shows as a newer version than the
    // one returned, and the expander is loaded again.
    let version = version(db).await?;
    let rows = term_rows(db).await?;
    let mut concepts: Vec<Vec<String>> = Vec::new();
    let mut last = None;
    for (concept, text) in rows {
        if last != Some(concept) {
            concepts.push(Vec::new());
            last = Some(concept);
        }
        concepts.last_mut().expect("pushed").push(text);
    }
    Ok((concepts, version))
}

/// The term base's version: changes whenever a concept is created, changed, deleted or
/// imported, so each process's expander and lookup know to reload.
pub async fn version(db: &DatabaseConnection) -> Result<i64> {
    let v: Option<i64> =
        term_base::Entity::find_by_id(1).select_only().column(term_base::Column::Version).into_tuple().one(db).await?;
    Ok(v.unwrap_or(0))
}

// ---------------------------------------------------------------------------------------------
// Writing.

/// Counts a change of the term base (inside the caller's transaction).
async fn bump_version(conn: &impl ConnectionTrait) -> Result<i64> {
    let now = crate::db::now();
    term_base::Entity::insert(term_base::ActiveModel {
        id: Set(1),
        version: Set(0),
        seeded_at: Set(None),
        updated_at: Set(now),
    })
    .on_conflict_do_nothing()
    .exec(conn)
    .await?;
    let rows = term_base::Entity::update_many()
        .col_expr(term_base::Column::Version, Expr::col(term_base::Column::Version).add(1))
        .col_expr(term_base::Column::UpdatedAt, Expr::value(now))
        .filter(term_base::Column::Id.eq(1))
        .exec_with_returning(conn)
        .await?;
    Ok(rows.first().map_or(0, |r| r.version))
}

/// Writes a draft's terms for a concept: a term already there (same language, same text up to
/// case and width) keeps its id, the others are added, the rest removed.
async fn write_terms(conn: &impl ConnectionTrait, concept: i64, terms: &[DraftTerm]) -> Result<()> {
    let existing = term_term::Entity::find().filter(term_term::Column::ConceptId.eq(concept)).all(conn).await?;
    let mut kept: Vec<i64> = Vec::new();
    let mut new_rows = Vec::new();
    for (position, t) in terms.iter().enumerate() {
        let row = term_term::Model {
            id: 0,
            concept_id: concept,
            position: position as i32,
            language: t.language.clone(),
            text: t.text.clone(),
            folded: crate::text::search_fold(&t.text),
            status: t.status().as_str().into(),
            note: t.note.clone(),
        };
        match existing.iter().find(|e| !kept.contains(&e.id) && t.same(&e.language, &e.text)) {
            Some(e) => {
                kept.push(e.id);
                let row = term_term::Model { id: e.id, ..row };
                if row != *e {
                    row.into_active_model().reset_all().update(conn).await?;
                }
            }
            None => new_rows.push(row),
        }
    }
    let gone: Vec<i64> = existing.iter().map(|e| e.id).filter(|id| !kept.contains(id)).collect();
    if !gone.is_empty() {
        term_term::Entity::delete_many().filter(term_term::Column::Id.is_in(gone)).exec(conn).await?;
    }
    let size = |t: &term_term::Model| t.text.len() * 2 + t.language.len() + t.note.as_ref().map_or(0, String::len) + 24;
    for chunk in crate::db::bulk_chunks(&new_rows, size) {
        let rows = chunk.iter().map(|t| {
            let mut active = t.clone().into_active_model().reset_all();
            active.id = NotSet;
            active
        });
        term_term::Entity::insert_many(rows).exec(conn).await?;
    }
    Ok(())
}

/// Inserts a concept (inside the caller's transaction).
async fn insert(conn: &impl ConnectionTrait, draft: &Draft, now: DateTime<Utc>) -> Result<ConceptId> {
    let row = term_concept::ActiveModel {
        id: NotSet,
        area: Set(draft.area.map(|a| a.as_str().to_string())),
        definition: Set(draft.definition.clone()),
        note: Set(draft.note.clone()),
        search_text: Set(draft.search_text()),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(conn)
    .await?;
    write_terms(conn, row.id, &draft.terms).await?;
    Ok(ConceptId(row.id))
}

/// Replaces a concept's content if it still has `version` (inside the caller's transaction).
async fn write_guarded(
    conn: &impl ConnectionTrait,
    id: ConceptId,
    version: i32,
    draft: &Draft,
    now: DateTime<Utc>,
) -> Result<()> {
    use term_concept::Column as C;
    let result = term_concept::Entity::update_many()
        .col_expr(C::Area, Expr::value(draft.area.map(|a| a.as_str().to_string())))
        .col_expr(C::Definition, Expr::value(draft.definition.clone()))
        .col_expr(C::Note, Expr::value(draft.note.clone()))
        .col_expr(C::SearchText, Expr::value(draft.search_text()))
        .col_expr(C::UpdatedAt, Expr::value(now))
        .col_expr(C::Version, Expr::value(version + 1))
        .filter(C::Id.eq(id.0))
        .filter(C::Version.eq(version))
        .exec(conn)
        .await?;
    if result.rows_affected == 0 {
        return Err(Error::Refused(ErrorCode::ConflictStale));
    }
    write_terms(conn, id.0, &draft.terms).await
}

/// Creates a concept (librarians, administrators).
pub async fn create(scope: &Scope<'_>, input: ConceptInput) -> Result<Concept> {
    require_writer(scope.actor)?;
    let draft = check(&input)?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let id = insert(&tx, &draft, crate::db::now()).await?;
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "term_concept.create",
            subject_type: "term_concept",
            subject_id: Some(id.to_string()),
            org_id: None,
            details: draft.audit_view(),
        },
    )
    .await?;
    bump_version(&tx).await?;
    let concept = find(&tx, id).await?.ok_or_else(|| anyhow::anyhow!("concept {id} vanished"))?;
    tx.commit().await?;
    Ok(concept)
}

/// Replaces a concept's content (every field of `input`), guarded by `input.version`.
pub async fn update(scope: &Scope<'_>, id: ConceptId, input: ConceptInput) -> Result<Concept> {
    require_writer(scope.actor)?;
    let version = input.version.ok_or_else(|| Error::field("version", ErrorCode::ValueRequired))?;
    let draft = check(&input)?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let before = find(&tx, id).await?.ok_or(Error::NotFound)?;
    if before.version != version {
        return Err(Error::Refused(ErrorCode::ConflictStale));
    }
    let before_view = before.audit_view();
    if draft.audit_view() == before_view {
        // Nothing changed: no new version.
        tx.commit().await?;
        return Ok(before);
    }
    write_guarded(&tx, id, version, &draft, crate::db::now()).await?;
    audit::record_change(
        &tx,
        scope,
        "term_concept.update",
        ("term_concept", id.to_string()),
        None,
        &before_view,
        &draft.audit_view(),
    )
    .await?;
    bump_version(&tx).await?;
    let concept = find(&tx, id).await?.ok_or_else(|| anyhow::anyhow!("concept {id} vanished"))?;
    tx.commit().await?;
    Ok(concept)
}

/// Deletes a concept and its terms; with `version`, only if it is still the one read.
pub async fn delete(scope: &Scope<'_>, id: ConceptId, version: Option<i32>) -> Result<()> {
    require_writer(scope.actor)?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let before = find(&tx, id).await?.ok_or(Error::NotFound)?;
    if version.is_some_and(|v| v != before.version) {
        return Err(Error::Refused(ErrorCode::ConflictStale));
    }
    term_term::Entity::delete_many().filter(term_term::Column::ConceptId.eq(id.0)).exec(&tx).await?;
    let result = term_concept::Entity::delete_many()
        .filter(term_concept::Column::Id.eq(id.0))
        .filter(term_concept::Column::Version.eq(before.version))
        .exec(&tx)
        .await?;
    if result.rows_affected == 0 {
        return Err(Error::Refused(ErrorCode::ConflictStale));
    }
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "term_concept.delete",
            subject_type: "term_concept",
            subject_id: Some(id.to_string()),
            org_id: None,
            details: before.audit_view(),
        },
    )
    .await?;
    bump_version(&tx).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// TBX import and export.

/// What an import does with the concepts already in the term base.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// An entry sharing a term (same language, same folded text) with a concept of the term
    /// base is merged into it — the one sharing most terms; the others are created.
    #[default]
    Merge,
    /// The file replaces the whole term base.
    Replace,
}

impl ImportMode {
    pub fn parse(s: &str) -> std::result::Result<ImportMode, ErrorCode> {
        match s.trim() {
            "" | "merge" => Ok(ImportMode::Merge),
            "replace" => Ok(ImportMode::Replace),
            _ => Err(ErrorCode::InvalidChoice),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ImportMode::Merge => "merge",
            ImportMode::Replace => "replace",
        }
    }
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub created: Vec<ConceptId>,
    /// Concepts an entry was merged into, and that changed.
    pub updated: Vec<ConceptId>,
    /// Concepts entries were merged into that already said everything the entries say.
    pub unchanged: usize,
    /// Concepts removed before the file was read in (replace mode).
    pub removed: usize,
}

/// The input of a TBX entry.
fn entry_input(e: &tbx::Entry) -> ConceptInput {
    ConceptInput {
        area: e.subject_field.clone(),
        definition: e.definition.clone(),
        note: e.note.clone(),
        terms: e
            .terms
            .iter()
            .map(|t| TermInput {
                language: t.language.clone(),
                text: t.text.clone(),
                status: t.status.clone(),
                note: t.note.clone(),
            })
            .collect(),
        version: None,
    }
}

/// Reads and checks every entry of a TBX file. A malformed file is `invalid_file` at
/// `line N`; an invalid entry is named `entry N (line L): field` (N counts entries from 1).
fn read_tbx(bytes: &[u8]) -> Result<Vec<Draft>> {
    let text = std::str::from_utf8(bytes).map_err(|_| Error::field("file", ErrorCode::InvalidFile))?;
    if text.trim().is_empty() {
        return Err(Error::field("file", ErrorCode::ValueRequired));
    }
    let entries = tbx::parse(text).map_err(|e| {
        let field = if e.line == 0 { "file".to_string() } else { format!("line {}", e.line) };
        tracing::debug!(line = e.line, message = %e.message, "TBX refused");
        Error::field(field, ErrorCode::InvalidFile)
    })?;
    if entries.is_empty() {
        return Err(Error::field("file", ErrorCode::ValueRequired));
    }
    if entries.len() > MAX_IMPORT_ENTRIES {
        return Err(Error::field("file", ErrorCode::ValueOutOfRange));
    }
    let mut checks = Checks::new();
    let mut drafts = Vec::with_capacity(entries.len());
    let mut failed = 0;
    for (i, e) in entries.iter().enumerate() {
        let prefix = format!("entry {} (line {}): ", i + 1, e.line);
        match check_into(&entry_input(e), &prefix, &mut checks) {
            Some(d) => drafts.push(d),
            None => {
                failed += 1;
                if failed >= MAX_REPORTED_ERRORS {
                    break;
                }
            }
        }
    }
    checks.finish()?;
    Ok(drafts)
}

/// Folds `incoming` into `into`: a term already there takes the incoming status and note
/// when given, a new term is added; the area, definition and note are replaced when given.
fn merge(into: &mut Draft, incoming: &Draft) {
    if incoming.area.is_some() {
        into.area = incoming.area;
    }
    if incoming.definition.is_some() {
        into.definition = incoming.definition.clone();
    }
    if incoming.note.is_some() {
        into.note = incoming.note.clone();
    }
    for t in &incoming.terms {
        match into.terms.iter_mut().find(|e| e.same(&t.language, &t.text)) {
            Some(e) => {
                if t.status.is_some() {
                    e.status = t.status;
                }
                if t.note.is_some() {
                    e.note = t.note.clone();
                }
            }
            None => into.terms.push(t.clone()),
        }
    }
    into.group_by_language();
}

/// Imports a TBX file (librarians, administrators): every entry is checked first, and a
/// malformed file or one invalid entry changes nothing.
pub async fn import_tbx(scope: &Scope<'_>, bytes: &[u8], mode: ImportMode) -> Result<ImportReport> {
    require_writer(scope.actor)?;
    let drafts = read_tbx(bytes)?;
    import_drafts(scope, drafts, mode).await
}

async fn import_drafts(scope: &Scope<'_>, drafts: Vec<Draft>, mode: ImportMode) -> Result<ImportReport> {
    let tx = crate::db::begin_write(scope.writer()).await?;
    let now = crate::db::now();
    let mut report = ImportReport::default();
    // The concepts there before the import, and who has which term; only they are merged into.
    let mut existing: Vec<(Concept, Draft, bool)> = Vec::new();
    match mode {
        ImportMode::Replace => {
            report.removed = term_concept::Entity::find().count(&tx).await? as usize;
            term_term::Entity::delete_many().exec(&tx).await?;
            term_concept::Entity::delete_many().exec(&tx).await?;
        }
        ImportMode::Merge => {
            existing = all(&tx)
                .await?
                .into_iter()
                .map(|c| {
                    let d = Draft::of(&c);
                    (c, d, false)
                })
                .collect();
        }
    }
    let mut holders: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (i, (c, _, _)) in existing.iter().enumerate() {
        for t in &c.terms {
            let list = holders.entry((t.language.clone(), crate::text::search_fold(&t.text))).or_default();
            if !list.contains(&i) {
                list.push(i);
            }
        }
    }
    // Merged in memory first, so that everything is checked before anything is written.
    let mut new = Vec::new();
    for draft in drafts {
        let mut shared: HashMap<usize, usize> = HashMap::new();
        for t in &draft.terms {
            if let Some(list) = holders.get(&(t.language.clone(), crate::text::search_fold(&t.text))) {
                for i in list {
                    *shared.entry(*i).or_default() += 1;
                }
            }
        }
        let best = shared.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(i, _)| i);
        match best {
            Some(i) => {
                let (_, into, touched) = &mut existing[i];
                merge(into, &draft);
                *touched = true;
            }
            None => new.push(draft),
        }
    }
    if let Some((c, _, _)) = existing.iter().find(|(_, d, touched)| *touched && d.terms.len() > MAX_TERMS) {
        return Err(Error::field(format!("concept {}: terms", c.id), ErrorCode::ValueOutOfRange));
    }
    for draft in &new {
        report.created.push(insert(&tx, draft, now).await?);
    }
    for (concept, draft, touched) in &existing {
        if !touched {
            continue;
        }
        if draft.audit_view() == concept.audit_view() {
            report.unchanged += 1;
        } else {
            write_guarded(&tx, concept.id, concept.version, draft, now).await?;
            report.updated.push(concept.id);
        }
    }
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "term_base.import",
            subject_type: "term_base",
            subject_id: None,
            org_id: None,
            details: json!({
                "mode": mode.as_str(),
                "created": report.created.len(),
                "updated": report.updated,
                "unchanged": report.unchanged,
                "removed": report.removed,
            }),
        },
    )
    .await?;
    bump_version(&tx).await?;
    tx.commit().await?;
    Ok(report)
}

/// The whole term base as a TBX-Basic file (any signed-in user). Importing it into an empty
/// term base gives the same concepts.
pub async fn export_tbx(scope: &Scope<'_>) -> Result<String> {
    scope.actor.require_login()?;
    let concepts = all(scope.db()).await?;
    Ok(tbx::write(&concepts, &scope.config().site.name))
}

// ---------------------------------------------------------------------------------------------
// The starter set.

/// The starter concepts: per concept, (language, term) pairs (for tests and benchmarks without
/// a database).
pub fn starter_concepts() -> Vec<Vec<(String, String)>> {
    tbx::parse(STARTER)
        .expect("the starter term base is valid TBX")
        .into_iter()
        .map(|e| e.terms.into_iter().map(|t| (t.language, t.text)).collect())
        .collect()
}

/// On first start, loads the starter set into an empty term base (under the start-up lock,
/// with reference data). Returns the number of concepts loaded, or `None` when the term base
/// was loaded before — also if it has since been emptied on purpose.
pub async fn ensure_starter(core: &crate::Core) -> Result<Option<usize>> {
    let row = term_base::Entity::find_by_id(1).one(&core.db).await?;
    if row.as_ref().is_some_and(|r| r.seeded_at.is_some()) {
        return Ok(None);
    }
    let actor = Actor::System("reference-data");
    let origin = Origin::default();
    let scope = Scope { core, actor: &actor, origin: &origin };
    let empty = term_concept::Entity::find().count(&core.db).await? == 0;
    let loaded = if empty {
        let drafts = read_tbx(STARTER.as_bytes())?;
        let n = drafts.len();
        import_drafts(&scope, drafts, ImportMode::Merge).await?;
        Some(n)
    } else {
        None
    };
    let tx = crate::db::begin_write(&core.writer).await?;
    bump_version(&tx).await?;
    term_base::Entity::update_many()
        .col_expr(term_base::Column::SeededAt, Expr::value(Some(crate::db::now())))
        .filter(term_base::Column::Id.eq(1))
        .exec(&tx)
        .await?;
    tx.commit().await?;
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(language: &str, text: &str) -> TermInput {
        TermInput { language: language.into(), text: text.into(), ..Default::default() }
    }

    #[test]
    fn the_starter_set_is_valid_and_covers_the_field() {
        let drafts = read_tbx(STARTER.as_bytes()).unwrap();
        assert!(drafts.len() >= 90, "{}", drafts.len());
        for d in &drafts {
            for lang in ["ko", "en", "zh-Hans", "zh-Hant", "ja"] {
                assert!(d.terms.iter().any(|t| t.language == lang), "{lang} missing in {:?}", d.terms[0].text);
            }
        }
        let has = |text: &str| drafts.iter().any(|d| d.terms.iter().any(|t| t.text == text));
        for t in ["sister city", "trade mission", "지방분권", "姊妹市", "友好都市", "업무협약", "대표단"]
        {
            assert!(has(t), "{t}");
        }
        assert_eq!(starter_concepts().len(), drafts.len());
    }

    #[test]
    fn a_concept_is_checked_field_by_field() {
        let bad = ConceptInput {
            area: Some("poetry".into()),
            terms: vec![
                term("korean!", "자매결연"),
                term("en", " "),
                term("en", "Sister  City"),
                term("EN", "sister city"),
            ],
            ..Default::default()
        };
        let e = check(&bad).unwrap_err();
        let fields: Vec<(&str, ErrorCode)> = e.field_errors().iter().map(|f| (f.field.as_str(), f.code)).collect();
        assert_eq!(
            fields,
            [
                ("area", ErrorCode::InvalidChoice),
                ("terms[0].language", ErrorCode::InvalidLanguage),
                ("terms[1].text", ErrorCode::ValueRequired),
                ("terms[3].text", ErrorCode::DuplicateTerm),
            ]
        );
        assert_eq!(check(&ConceptInput::default()).unwrap_err().field_errors()[0].field, "terms");
        // Languages are tidied, terms grouped by language, spaces collapsed.
        let ok = ConceptInput {
            terms: vec![
                term("zh-TW", "臺中"),
                term("en", "Taichung"),
                term("zh-hant", "台中"),
                term("en", "Tai  chung"),
            ],
            ..Default::default()
        };
        let d = check(&ok).unwrap();
        let got: Vec<(&str, &str)> = d.terms.iter().map(|t| (t.language.as_str(), t.text.as_str())).collect();
        assert_eq!(got, [("zh-Hant", "臺中"), ("zh-Hant", "台中"), ("en", "Taichung"), ("en", "Tai chung")]);
        assert_eq!(language_tag("ko-KR").unwrap(), "ko");
        assert_eq!(language_tag("pt-br").unwrap(), "pt-BR");
    }

    #[test]
    fn merging_keeps_what_was_there_and_adds_the_rest() {
        let mut into = check(&ConceptInput {
            terms: vec![
                TermInput { status: Some("preferred".into()), ..term("en", "sister city") },
                term("ko", "자매결연"),
            ],
            ..Default::default()
        })
        .unwrap();
        let incoming = check(&ConceptInput {
            area: Some("환경".into()),
            terms: vec![term("en", "Sister City"), term("ja", "姉妹都市"), term("en", "twin city")],
            ..Default::default()
        })
        .unwrap();
        merge(&mut into, &incoming);
        let got: Vec<(&str, &str, TermStatus)> =
            into.terms.iter().map(|t| (t.language.as_str(), t.text.as_str(), t.status())).collect();
        assert_eq!(
            got,
            [
                ("en", "sister city", TermStatus::Preferred),
                ("en", "twin city", TermStatus::Admitted),
                ("ko", "자매결연", TermStatus::Admitted),
                ("ja", "姉妹都市", TermStatus::Admitted),
            ]
        );
        assert_eq!(into.area, Some(Area::Environment));
    }
}
