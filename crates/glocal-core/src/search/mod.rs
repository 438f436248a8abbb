//! Multilingual full-text search over the library (tantivy).
//!
//! The engine knows nothing of the library's tables: the library turns a document into an
//! [`IndexDoc`] and hands it over with [`SearchIndex::apply`]. [`analysis`] is the one text
//! analyser (NFKC, case, Chinese script, CJK bigrams, Korean particles, English stems);
//! [`expand`] widens a query across scripts and languages (term base, place names);
//! [`terms`] is the term base.

pub mod analysis;
mod directory;
pub mod expand;
pub mod index;
pub mod terms;

use serde::{Deserialize, Serialize};

pub use expand::{Expander, Expansion};
pub use index::SearchIndex;

/// One library document as the index sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexDoc {
    /// The library document's id.
    pub id: i64,
    /// best_practice | trip_report | research_report | declaration | desk_answer | other
    pub kind: String,
    /// ko | en | ja | zh-Hans | zh-Hant
    pub language: String,
    /// draft | internal | published
    pub status: String,
    pub title: String,
    pub summary: String,
    /// The body plus every structured text, flattened.
    pub body: String,
    /// Text extracted from the attachments.
    pub attachments: String,
    /// Taxonomy code (best practices).
    pub area: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// The local government named.
    pub organization: Option<String>,
    pub year: Option<i32>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Who may find it: "all" | "staff" | "librarians" | "org:<id>" | "user:<id>".
    pub readers: Vec<String>,
}

/// Facet filters; each narrows to one value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    pub kind: Option<String>,
    pub area: Option<String>,
    pub country: Option<String>,
    pub language: Option<String>,
    pub year: Option<i32>,
    pub status: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Relevance,
    Newest,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchRequest {
    pub text: String,
    /// The caller's reader tokens; a hit shares at least one with the document. None: no hits.
    pub readers: Vec<String>,
    pub filters: Filters,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hit {
    pub id: i64,
    pub score: f32,
    /// The title HTML-escaped, matches in `<mark>`.
    pub title_html: String,
    /// A passage of the summary, body or attachments, HTML-escaped, matches in `<mark>`.
    pub snippet_html: String,
}

/// Per facet field, its values and counts over the caller's visible matches, most frequent first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    pub kind: Vec<(String, usize)>,
    pub area: Vec<(String, usize)>,
    pub country: Vec<(String, usize)>,
    pub language: Vec<(String, usize)>,
    pub year: Vec<(i32, usize)>,
    pub status: Vec<(String, usize)>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// "Did you mean": the query with Latin-script typos corrected, when the index knows better.
    pub suggestion: Option<String>,
    /// What the query was widened with (other scripts, term base, place names).
    pub expanded: Vec<String>,
}

#[cfg(test)]
mod tests;
