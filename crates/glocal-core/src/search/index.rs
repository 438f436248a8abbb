//! The search index (tantivy): schema, applying changes, searching with BM25 over title
//! (boosted), summary, body and attachments, facets, snippets, "more like this" and
//! suggestions.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, MoreLikeThisQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexSettings, IndexWriter, Order, ReloadPolicy, Score, SegmentReader,
};
use tantivy::{TantivyDocument, Term};

use super::analysis::{self, Analyzer, GlocalTokenizer, QueryUnit};
use super::directory::IndexDirectory;
use super::expand::Expander;
use super::{Facets, Filters, Hit, IndexDoc, SearchRequest, SearchResults, Sort};
use crate::error::{Error, Result};

fn ix(e: impl std::fmt::Display) -> Error {
    Error::Internal(anyhow::anyhow!("search index: {e}"))
}

/// Weights of the text fields in a match.
const FIELD_BOOSTS: &[(&str, f32)] =
    &[("title", 3.0), ("summary", 1.5), ("organization", 1.5), ("body", 1.0), ("attachments", 0.7)];
/// Weight of a Korean word without its particle, and of an expansion, against the words typed.
const STRIPPED_BOOST: f32 = 0.9;
const EXPANSION_BOOST: f32 = 0.6;
/// Characters of a snippet.
const SNIPPET_CHARS: usize = 180;
/// Writer memory (tantivy's minimum is 15 MB).
const WRITER_MEMORY: usize = 20_000_000;

struct Fields {
    id: Field,
    kind: Field,
    language: Field,
    status: Field,
    area: Field,
    country: Field,
    year: Field,
    updated: Field,
    readers: Field,
    title: Field,
    summary: Field,
    body: Field,
    attachments: Field,
    organization: Field,
    words: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analysis::TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let words = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analysis::WORDS_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        id: b.add_i64_field("id", INDEXED | STORED | FAST),
        kind: b.add_text_field("kind", STRING | FAST | STORED),
        language: b.add_text_field("language", STRING | FAST | STORED),
        status: b.add_text_field("status", STRING | FAST | STORED),
        area: b.add_text_field("area", STRING | FAST | STORED),
        country: b.add_text_field("country", STRING | FAST | STORED),
        year: b.add_i64_field("year", INDEXED | FAST | STORED),
        updated: b.add_i64_field("updated", FAST | STORED),
        readers: b.add_text_field("readers", STRING),
        title: b.add_text_field("title", text.clone()),
        summary: b.add_text_field("summary", text.clone()),
        body: b.add_text_field("body", text.clone()),
        attachments: b.add_text_field("attachments", text.clone()),
        organization: b.add_text_field("organization", text),
        words: b.add_text_field("words", words),
    };
    (b.build(), fields)
}

struct Inner {
    index: Index,
    reader: IndexReader,
    /// Always `Some` but while [`SearchIndex::finish_merges`] swaps it.
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
    applied_seq: AtomicI64,
}

/// The search index. `Clone + Send + Sync`; one per process (it holds the index's writer).
#[derive(Clone)]
pub struct SearchIndex {
    inner: Arc<Inner>,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it when absent. An index of another schema (an older
    /// release) is discarded and created anew: its applied sequence is then 0, so the caller
    /// rebuilds it.
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        std::fs::create_dir_all(dir).map_err(ix)?;
        let (schema, fields) = schema();
        let index = match Index::open_or_create(IndexDirectory::open(dir).map_err(ix)?, schema.clone()) {
            Ok(index) => index,
            Err(tantivy::TantivyError::SchemaError(_)) => {
                tracing::warn!(dir = %dir.display(), "search index of another schema: rebuilding");
                std::fs::remove_dir_all(dir).map_err(ix)?;
                std::fs::create_dir_all(dir).map_err(ix)?;
                Index::create(IndexDirectory::open(dir).map_err(ix)?, schema, IndexSettings::default()).map_err(ix)?
            }
            Err(e) => return Err(ix(e)),
        };
        SearchIndex::from_index(index, fields)
    }

    /// An index in memory, for tests and benchmarks.
    pub fn open_in_ram() -> Result<SearchIndex> {
        let (schema, fields) = schema();
        SearchIndex::from_index(Index::create_in_ram(schema), fields)
    }

    fn from_index(index: Index, fields: Fields) -> Result<SearchIndex> {
        index.tokenizers().register(analysis::TOKENIZER, TextAnalyzer::from(GlocalTokenizer::default()));
        index.tokenizers().register(analysis::WORDS_TOKENIZER, TextAnalyzer::from(GlocalTokenizer::words()));
        let writer = new_writer(&index)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(ix)?;
        let seq = index.load_metas().map_err(ix)?.payload.and_then(|p| p.parse().ok()).unwrap_or(0);
        Ok(SearchIndex {
            inner: Arc::new(Inner {
                index,
                reader,
                writer: Mutex::new(Some(writer)),
                fields,
                applied_seq: AtomicI64::new(seq),
            }),
        })
    }

    /// Replaces the documents `upserts` (by id), removes `deletes`, and records `applied_seq`,
    /// in one commit.
    pub fn apply(&self, upserts: Vec<IndexDoc>, deletes: &[i64], applied_seq: i64) -> Result<()> {
        let f = &self.inner.fields;
        let mut slot = self.inner.writer.lock().map_err(|_| ix("writer poisoned"))?;
        let writer = slot.as_mut().ok_or_else(|| ix("no writer"))?;
        for id in deletes {
            writer.delete_term(Term::from_field_i64(f.id, *id));
        }
        // A delete is looked up in every segment when the indexer writes its segment: ask
        // only for ids the index may hold (committed, or added earlier in this batch).
        let searcher = self.inner.reader.searcher();
        let mut added = HashSet::new();
        for d in upserts {
            let id = Term::from_field_i64(f.id, d.id);
            if added.contains(&d.id) || searcher.doc_freq(&id).map_err(ix)? > 0 {
                writer.delete_term(id);
            }
            added.insert(d.id);
            writer.add_document(self.document(d)).map_err(ix)?;
        }
        self.commit(writer, applied_seq)
    }

    /// Waits for the merges of segments that commits started, so that the index is as compact
    /// as it will get: after a bulk load. The writer is let go and taken again meanwhile.
    pub fn finish_merges(&self) -> Result<()> {
        let mut slot = self.inner.writer.lock().map_err(|_| ix("writer poisoned"))?;
        let writer = slot.take().ok_or_else(|| ix("no writer"))?;
        writer.wait_merging_threads().map_err(ix)?;
        *slot = Some(new_writer(&self.inner.index)?);
        self.inner.reader.reload().map_err(ix)?;
        Ok(())
    }

    fn commit(&self, writer: &mut IndexWriter, applied_seq: i64) -> Result<()> {
        let mut prepared = writer.prepare_commit().map_err(ix)?;
        prepared.set_payload(&applied_seq.to_string());
        prepared.commit().map_err(ix)?;
        self.inner.applied_seq.store(applied_seq, Ordering::SeqCst);
        self.inner.reader.reload().map_err(ix)?;
        Ok(())
    }

    /// The sequence recorded by the last [`apply`](Self::apply): 0 for a new index.
    pub fn applied_seq(&self) -> i64 {
        self.inner.applied_seq.load(Ordering::SeqCst)
    }

    /// Removes every document (the applied sequence becomes 0).
    pub fn clear(&self) -> Result<()> {
        let mut slot = self.inner.writer.lock().map_err(|_| ix("writer poisoned"))?;
        let writer = slot.as_mut().ok_or_else(|| ix("no writer"))?;
        writer.delete_all_documents().map_err(ix)?;
        self.commit(writer, 0)
    }

    /// The number of documents in the index.
    pub fn len(&self) -> u64 {
        self.inner.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn document(&self, d: IndexDoc) -> TantivyDocument {
        let f = &self.inner.fields;
        let mut doc = TantivyDocument::default();
        doc.add_i64(f.id, d.id);
        doc.add_text(f.kind, &d.kind);
        doc.add_text(f.language, &d.language);
        doc.add_text(f.status, &d.status);
        if let Some(a) = &d.area {
            doc.add_text(f.area, a);
        }
        if let Some(c) = &d.country {
            doc.add_text(f.country, c);
        }
        if let Some(y) = d.year {
            doc.add_i64(f.year, y as i64);
        }
        doc.add_i64(f.updated, d.updated_at.timestamp_micros());
        for r in &d.readers {
            doc.add_text(f.readers, r);
        }
        doc.add_text(f.title, &d.title);
        doc.add_text(f.summary, &d.summary);
        doc.add_text(f.body, &d.body);
        doc.add_text(f.attachments, &d.attachments);
        if let Some(o) = &d.organization {
            doc.add_text(f.organization, o);
        }
        for t in [&d.title, &d.summary, &d.body, &d.attachments] {
            doc.add_text(f.words, t);
        }
        doc
    }

    fn text_fields(&self) -> Vec<(Field, f32)> {
        let schema = self.inner.index.schema();
        FIELD_BOOSTS.iter().map(|(n, b)| (schema.get_field(n).expect("field"), *b)).collect()
    }

    /// A query matching one sequence of terms (a phrase when several) in any text field.
    fn sequence_query(&self, terms: &[String]) -> Box<dyn Query> {
        let clauses = self
            .text_fields()
            .into_iter()
            .map(|(field, boost)| {
                let q: Box<dyn Query> = if terms.len() == 1 {
                    Box::new(TermQuery::new(Term::from_field_text(field, &terms[0]), IndexRecordOption::WithFreqs))
                } else {
                    Box::new(PhraseQuery::new(terms.iter().map(|t| Term::from_field_text(field, t)).collect()))
                };
                (Occur::Should, Box::new(BoostQuery::new(q, boost)) as Box<dyn Query>)
            })
            .collect();
        Box::new(BooleanQuery::new(clauses))
    }

    /// A query matching one unit: any of its alternatives.
    fn unit_query(&self, unit: &QueryUnit) -> Box<dyn Query> {
        let clauses = unit
            .alternatives
            .iter()
            .enumerate()
            .map(|(i, alt)| {
                let q = self.sequence_query(alt);
                let q: Box<dyn Query> = if i == 0 { q } else { Box::new(BoostQuery::new(q, STRIPPED_BOOST)) };
                (Occur::Should, q)
            })
            .collect();
        Box::new(BooleanQuery::new(clauses))
    }

    /// A query matching every unit of `units` (a phrase of words).
    fn all_units_query(&self, units: &[QueryUnit]) -> Box<dyn Query> {
        if units.len() == 1 {
            return self.unit_query(&units[0]);
        }
        Box::new(BooleanQuery::new(units.iter().map(|u| (Occur::Must, self.unit_query(u))).collect()))
    }

    fn reader_filter(&self, readers: &[String]) -> Box<dyn Query> {
        let f = self.inner.fields.readers;
        Box::new(BooleanQuery::new(
            readers
                .iter()
                .map(|r| {
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(Term::from_field_text(f, r), IndexRecordOption::Basic))
                            as Box<dyn Query>,
                    )
                })
                .collect(),
        ))
    }

    fn filter_clauses(&self, filters: &Filters) -> Vec<(Occur, Box<dyn Query>)> {
        let f = &self.inner.fields;
        let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut text = |field: Field, v: &Option<String>| {
            if let Some(v) = v {
                out.push((
                    Occur::Must,
                    Box::new(TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::Basic)),
                ));
            }
        };
        text(f.kind, &filters.kind);
        text(f.area, &filters.area);
        text(f.country, &filters.country);
        text(f.language, &filters.language);
        text(f.status, &filters.status);
        if let Some(y) = filters.year {
            out.push((
                Occur::Must,
                Box::new(TermQuery::new(Term::from_field_i64(f.year, y as i64), IndexRecordOption::Basic)),
            ));
        }
        out
    }

    /// Searches: every word (or its expansions) must match; when that finds nothing, all but
    /// one; then any word. Only documents sharing a reader token with the request are seen, and facets count
    /// those only.
    pub fn search(&self, req: &SearchRequest, expander: &Expander) -> Result<SearchResults> {
        let plan = plan(&req.text, expander);
        if req.readers.is_empty() {
            return Ok(SearchResults { expanded: plan.expanded, ..SearchResults::default() });
        }
        let searcher = self.inner.reader.searcher();
        let groups: Vec<Box<dyn Query>> = plan.groups.iter().map(|g| self.group_query(g)).collect();
        let mut results = None;
        // Every word; then all but one (of three or more); then any.
        let n = groups.len();
        let mut minimums = vec![n];
        if n >= 3 {
            minimums.push(n - 1);
        }
        if n >= 2 {
            minimums.push(1);
        }
        for minimum in minimums {
            let main: Box<dyn Query> = if groups.is_empty() {
                Box::new(AllQuery)
            } else {
                Box::new(BooleanQuery::with_minimum_required_clauses(
                    groups.iter().map(|g| (Occur::Should, g.box_clone())).collect(),
                    minimum,
                ))
            };
            let mut clauses = vec![(Occur::Must, main), (Occur::Must, self.reader_filter(&req.readers))];
            clauses.extend(self.filter_clauses(&req.filters));
            let query = BooleanQuery::new(clauses);
            let limit = req.limit.max(1);
            let facets = FacetCollector;
            // Without words there is no relevance: newest first.
            let sort = if groups.is_empty() { Sort::Newest } else { req.sort };
            let (total, top, facets) = match sort {
                Sort::Relevance => {
                    let top = TopDocs::with_limit(limit).and_offset(req.offset).order_by_score();
                    let (total, top, facets) = searcher.search(&query, &(Count, top, facets)).map_err(ix)?;
                    (total, top, facets)
                }
                Sort::Newest => {
                    let top = TopDocs::with_limit(limit)
                        .and_offset(req.offset)
                        .order_by_fast_field::<i64>("updated", Order::Desc);
                    let (total, top, facets) = searcher.search(&query, &(Count, top, facets)).map_err(ix)?;
                    (total, top.into_iter().map(|(_, a)| (0.0, a)).collect::<Vec<(Score, DocAddress)>>(), facets)
                }
            };
            results = Some((total, top, facets));
            if total > 0 {
                break;
            }
        }
        let (total, top, facets) = results.unwrap_or_default();
        let top = if req.limit == 0 { Vec::new() } else { top };
        let hits = top
            .into_iter()
            .map(|(score, addr)| self.hit(&searcher, addr, score, &plan.terms))
            .collect::<Result<_>>()?;
        let suggestion = if total == 0 || plan.latin_words.iter().any(|w| self.word_freq(w) == 0) {
            self.suggest(&req.text, &plan.latin_words)
        } else {
            None
        };
        Ok(SearchResults { total, hits, facets, suggestion, expanded: plan.expanded })
    }

    fn group_query(&self, group: &Group) -> Box<dyn Query> {
        if group.alternatives.len() == 1 {
            return self.all_units_query(&group.alternatives[0]);
        }
        Box::new(BooleanQuery::new(
            group
                .alternatives
                .iter()
                .enumerate()
                .map(|(i, units)| {
                    let q = self.all_units_query(units);
                    let q: Box<dyn Query> = if i == 0 { q } else { Box::new(BoostQuery::new(q, EXPANSION_BOOST)) };
                    (Occur::Should, q)
                })
                .collect(),
        ))
    }

    fn hit(&self, searcher: &tantivy::Searcher, addr: DocAddress, score: Score, terms: &Sequences) -> Result<Hit> {
        let f = &self.inner.fields;
        let doc: TantivyDocument = searcher.doc(addr).map_err(ix)?;
        let text = |field: Field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_string();
        let id = doc.get_first(f.id).and_then(|v| v.as_i64()).unwrap_or_default();
        let title = text(f.title);
        let title_html = highlight(&title, terms, None);
        let mut snippet_html = String::new();
        for field in [f.summary, f.body, f.attachments] {
            let t = text(field);
            let s = highlight(&t, terms, Some(SNIPPET_CHARS));
            if s.contains("<mark>") {
                snippet_html = s;
                break;
            }
            if snippet_html.is_empty() && !t.trim().is_empty() {
                snippet_html = s;
            }
        }
        Ok(Hit { id, score, title_html, snippet_html })
    }

    /// Documents like document `id` that the reader may see, best first.
    pub fn more_like_this(&self, id: i64, readers: &[String], limit: usize) -> Result<Vec<Hit>> {
        let f = &self.inner.fields;
        if readers.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.inner.reader.searcher();
        let id_term = Term::from_field_i64(f.id, id);
        let found = searcher
            .search(
                &TermQuery::new(id_term.clone(), IndexRecordOption::Basic),
                &TopDocs::with_limit(1).order_by_score(),
            )
            .map_err(ix)?;
        let Some((_, addr)) = found.first() else { return Ok(Vec::new()) };
        let mlt = MoreLikeThisQuery::builder()
            .with_min_doc_frequency(1)
            .with_min_term_frequency(1)
            .with_max_query_terms(40)
            .with_min_word_length(1)
            .with_document(*addr);
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(mlt) as Box<dyn Query>),
            (Occur::Must, self.reader_filter(readers)),
            (Occur::MustNot, Box::new(TermQuery::new(id_term, IndexRecordOption::Basic))),
        ]);
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score()).map_err(ix)?;
        let none = Sequences::new();
        top.into_iter().map(|(score, addr)| self.hit(&searcher, addr, score, &none)).collect()
    }

    /// Documents holding the unstemmed Latin word `w`.
    fn word_freq(&self, w: &str) -> u64 {
        let searcher = self.inner.reader.searcher();
        searcher.doc_freq(&Term::from_field_text(self.inner.fields.words, w)).unwrap_or(0)
    }

    /// The query with each unknown Latin word replaced by the index's most frequent word at
    /// edit distance 1 (or 2 for words of 6 letters and more), when one is found. Only the
    /// words within that distance are read from the term dictionaries (a Levenshtein
    /// automaton), not the whole vocabulary.
    fn suggest(&self, text: &str, latin_words: &[String]) -> Option<String> {
        let searcher = self.inner.reader.searcher();
        let field = self.inner.fields.words;
        let mut replacements: HashMap<String, String> = HashMap::new();
        for w in latin_words {
            if self.word_freq(w) > 0 || w.chars().count() < 3 {
                continue;
            }
            let max = if w.chars().count() >= 6 { 2 } else { 1 };
            let Ok(automaton) = FuzzyTermQuery::new(Term::from_field_text(field, w), max, false).automaton() else {
                continue;
            };
            // Documents per word over every segment.
            let mut freqs: HashMap<String, u64> = HashMap::new();
            for seg in searcher.segment_readers() {
                let Ok(inv) = seg.inverted_index(field) else { continue };
                let Ok(mut stream) = inv.terms().search(&automaton).into_stream() else { continue };
                while stream.advance() {
                    let Ok(term) = std::str::from_utf8(stream.key()) else { continue };
                    *freqs.entry(term.to_string()).or_default() += u64::from(stream.value().doc_freq);
                }
            }
            let best = freqs
                .into_iter()
                .map(|(term, freq)| (levenshtein(w, &term), std::cmp::Reverse(freq), term))
                .filter(|(d, _, _)| (1..=usize::from(max)).contains(d))
                .min();
            if let Some((_, _, t)) = best {
                replacements.insert(w.clone(), t);
            }
        }
        if replacements.is_empty() {
            return None;
        }
        let folded = crate::text::fold(text);
        let out: Vec<String> = folded
            .split_whitespace()
            .map(|word| {
                let bare: String = word.chars().filter(|c| c.is_alphanumeric()).collect();
                replacements.get(&bare).cloned().unwrap_or_else(|| word.to_string())
            })
            .collect();
        Some(out.join(" "))
    }
}

/// The index's one writer (it takes the index's lock).
fn new_writer(index: &Index) -> Result<IndexWriter> {
    index.writer_with_num_threads(1, WRITER_MEMORY).map_err(ix)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// One concept of a query: the words typed, OR each expansion; each alternative matches when
/// all its units do.
struct Group {
    alternatives: Vec<Vec<QueryUnit>>,
}

struct Plan {
    groups: Vec<Group>,
    /// Every term sequence the query may match, for highlighting.
    terms: Sequences,
    expanded: Vec<String>,
    latin_words: Vec<String>,
}

fn plan(text: &str, expander: &Expander) -> Plan {
    let mut rest = crate::text::search_fold(text);
    let mut groups = Vec::new();
    let mut expanded = Vec::new();
    for e in expander.expand(text) {
        if let Some(pos) = rest.find(&e.span) {
            rest.replace_range(pos..pos + e.span.len(), " ");
        }
        let mut alternatives = vec![analysis::query_units(&e.span)];
        for a in &e.alternatives {
            let units = analysis::query_units(a);
            if !units.is_empty() {
                alternatives.push(units);
                expanded.push(a.clone());
            }
        }
        if !alternatives[0].is_empty() {
            groups.push(Group { alternatives });
        }
    }
    let mut latin_words = Vec::new();
    for unit in analysis::query_units(&rest) {
        if unit.latin && unit.word.chars().all(char::is_alphabetic) {
            latin_words.push(unit.word.clone());
        }
        groups.push(Group { alternatives: vec![vec![unit]] });
    }
    // Highlighted: the words typed wherever they are; an expansion of several words only as
    // the phrase it is (so "sister city" does not mark every "cities").
    let mut seqs: Vec<Vec<String>> = Vec::new();
    for g in &groups {
        for (i, units) in g.alternatives.iter().enumerate() {
            if i > 0 && units.len() > 1 {
                seqs.push(units.iter().flat_map(|u| u.alternatives[0].iter().cloned()).collect());
            } else {
                seqs.extend(units.iter().flat_map(|u| u.alternatives.iter().cloned()));
            }
        }
    }
    let mut terms = Sequences::new();
    for seq in seqs {
        let list = terms.entry(seq[0].clone()).or_default();
        if !list.contains(&seq) {
            list.push(seq);
        }
    }
    Plan { groups, terms, expanded, latin_words }
}

fn escape_into(out: &mut String, s: &str, last_space: &mut bool) {
    for c in s.chars() {
        if c.is_whitespace() {
            if !*last_space {
                out.push(' ');
            }
            *last_space = true;
            continue;
        }
        *last_space = false;
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// The term sequences of a query (each a word or phrase), by their first term.
pub type Sequences = HashMap<String, Vec<Vec<String>>>;

/// `text` HTML-escaped with the sequences of `terms` in `<mark>`: whole when `max_chars` is None,
/// else the window of about `max_chars` characters with the most matches.
pub fn highlight(text: &str, terms: &Sequences, max_chars: Option<usize>) -> String {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    if !terms.is_empty() {
        let toks = Analyzer::default().tokens(text);
        for (i, t) in toks.iter().enumerate() {
            let Some(seqs) = terms.get(&t.text) else { continue };
            // The longest sequence of the query starting here, as consecutive tokens.
            let end = seqs
                .iter()
                .filter(|seq| {
                    toks.len() >= i + seq.len()
                        && seq
                            .iter()
                            .enumerate()
                            .all(|(k, term)| toks[i + k].text == *term && toks[i + k].position == t.position + k)
                })
                .map(|seq| toks[i + seq.len() - 1].to)
                .max();
            if let Some(to) = end {
                match ranges.last_mut() {
                    Some(last) if t.from <= last.1 => last.1 = last.1.max(to),
                    _ => ranges.push((t.from, to)),
                }
            }
        }
    }
    let (start, end) = match max_chars {
        None => (0, text.len()),
        Some(max) => {
            let leading = text.len() - text.trim_start().len();
            // The window starting a little before the match with the most matches after it.
            let byte_len =
                |from: usize| -> usize { text[from..].char_indices().nth(max).map_or(text.len(), |(i, _)| from + i) };
            let mut best = (0usize, leading);
            for (i, r) in ranges.iter().enumerate() {
                let end = byte_len(r.0);
                let n = ranges[i..].iter().take_while(|x| x.1 <= end).count();
                if n > best.0 {
                    best = (n, r.0);
                }
            }
            let mut start = best.1;
            let mut back = 0;
            while start > leading && back < 30 {
                start -= 1;
                while !text.is_char_boundary(start) {
                    start -= 1;
                }
                back += 1;
            }
            (start, byte_len(start))
        }
    };
    let mut out = String::new();
    let mut last_space = true;
    if start > 0 && !text[..start].trim().is_empty() {
        out.push('…');
        last_space = false;
    }
    let mut pos = start;
    for &(from, to) in ranges.iter().filter(|r| r.0 >= start && r.1 <= end) {
        escape_into(&mut out, &text[pos..from], &mut last_space);
        out.push_str("<mark>");
        escape_into(&mut out, &text[from..to], &mut last_space);
        out.push_str("</mark>");
        pos = to;
    }
    escape_into(&mut out, &text[pos..end], &mut last_space);
    let mut out = out.trim().to_string();
    if end < text.len() && !text[end..].trim().is_empty() {
        out.push('…');
    }
    out
}

/// Counts the facet values of the matches.
struct FacetCollector;

const STR_FACETS: [&str; 5] = ["kind", "area", "country", "language", "status"];

/// Counts by term ordinal (an array, not a map: this runs for every match).
struct FacetSegment {
    columns: Vec<Option<StrColumn>>,
    counts: Vec<Vec<u32>>,
    year: Option<Column<i64>>,
    years: YearCounts,
}

/// Counts of years: by offset from the segment's first year when the range is small.
enum YearCounts {
    Dense { min: i64, counts: Vec<u32> },
    Sparse(HashMap<i64, usize>),
}

/// The widest range of years counted in an array.
const DENSE_YEARS: i64 = 4096;

#[derive(Default)]
struct FacetFruit {
    counts: Vec<HashMap<String, usize>>,
    years: HashMap<i64, usize>,
}

impl Collector for FacetCollector {
    type Fruit = Facets;
    type Child = FacetSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<FacetSegment> {
        let ff = segment.fast_fields();
        let columns = STR_FACETS.iter().map(|n| ff.str(n)).collect::<tantivy::Result<Vec<_>>>()?;
        let counts = columns.iter().map(|c| vec![0; c.as_ref().map_or(0, |c| c.num_terms())]).collect();
        let year = ff.column_opt::<i64>("year")?;
        let years = match &year {
            Some(y) if y.max_value().saturating_sub(y.min_value()) < DENSE_YEARS => {
                YearCounts::Dense { min: y.min_value(), counts: vec![0; (y.max_value() - y.min_value() + 1) as usize] }
            }
            _ => YearCounts::Sparse(HashMap::new()),
        };
        Ok(FacetSegment { columns, counts, year, years })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetFruit>) -> tantivy::Result<Facets> {
        let mut counts: Vec<HashMap<String, usize>> = vec![HashMap::new(); STR_FACETS.len()];
        let mut years: HashMap<i64, usize> = HashMap::new();
        for fruit in fruits {
            for (i, m) in fruit.counts.into_iter().enumerate() {
                for (k, v) in m {
                    *counts[i].entry(k).or_default() += v;
                }
            }
            for (k, v) in fruit.years {
                *years.entry(k).or_default() += v;
            }
        }
        fn sorted<K: Ord + Clone>(m: HashMap<K, usize>) -> Vec<(K, usize)> {
            let mut v: Vec<(K, usize)> = m.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            v
        }
        let mut it = counts.into_iter().map(sorted);
        Ok(Facets {
            kind: it.next().unwrap_or_default(),
            area: it.next().unwrap_or_default(),
            country: it.next().unwrap_or_default(),
            language: it.next().unwrap_or_default(),
            status: it.next().unwrap_or_default(),
            year: sorted(years).into_iter().map(|(y, n)| (y as i32, n)).collect(),
        })
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = FacetFruit;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (col, counts) in self.columns.iter().zip(&mut self.counts) {
            if let Some(col) = col {
                for ord in col.term_ords(doc) {
                    counts[ord as usize] += 1;
                }
            }
        }
        if let Some(y) = self.year.as_ref().and_then(|year| year.first(doc)) {
            match &mut self.years {
                YearCounts::Dense { min, counts } => counts[(y - *min) as usize] += 1,
                YearCounts::Sparse(m) => *m.entry(y).or_default() += 1,
            }
        }
    }

    fn harvest(self) -> FacetFruit {
        let mut counts = Vec::new();
        for (col, ords) in self.columns.iter().zip(self.counts) {
            let mut named = HashMap::new();
            if let Some(col) = col {
                for (ord, n) in ords.into_iter().enumerate().filter(|(_, n)| *n > 0) {
                    let mut s = String::new();
                    if col.ord_to_str(ord as u64, &mut s).unwrap_or(false) {
                        named.insert(s, n as usize);
                    }
                }
            }
            counts.push(named);
        }
        let years = match self.years {
            YearCounts::Dense { min, counts } => counts
                .into_iter()
                .enumerate()
                .filter(|(_, n)| *n > 0)
                .map(|(i, n)| (min + i as i64, n as usize))
                .collect(),
            YearCounts::Sparse(m) => m,
        };
        FacetFruit { counts, years }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_escaped_and_marked() {
        let mut terms = Sequences::new();
        terms.insert("mayor".into(), vec![vec!["mayor".into()]]);
        terms.insert("台中".into(), vec![vec!["台中".into(), "中市".into()]]);
        terms.insert("中市".into(), vec![vec!["中市".into(), "市长".into()]]);
        assert_eq!(
            highlight("The <b>mayor</b> & 臺中市", &terms, None),
            "The &lt;b&gt;<mark>mayor</mark>&lt;/b&gt; &amp; <mark>臺中市</mark>"
        );
        let long = format!("{} mayor {}", "x ".repeat(200), "y ".repeat(200));
        let s = highlight(&long, &terms, Some(60));
        assert!(s.starts_with('…') && s.ends_with('…') && s.contains("<mark>mayor</mark>"), "{s}");
    }

    #[test]
    fn edit_distance() {
        assert_eq!(levenshtein("goverment", "government"), 1);
        assert_eq!(levenshtein("sister", "sister"), 0);
        assert_eq!(levenshtein("citiy", "city"), 1);
    }
}
