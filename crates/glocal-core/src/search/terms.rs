//! The term base: concepts and their terms in every language, used to widen searches.
//!
//! A starter vocabulary of the field ships with the binary (`data/search_terms.tsv`).

use crate::error::Result;

/// The starter vocabulary: one concept a line, columns en | ko | zh-Hans | zh-Hant | ja,
/// variants separated by ';', `#` lines are comments.
pub const STARTER: &str = include_str!("../../data/search_terms.tsv");

/// The languages of the starter file's columns.
pub const STARTER_LANGUAGES: [&str; 5] = ["en", "ko", "zh-Hans", "zh-Hant", "ja"];

/// The starter concepts: per concept, (language, term) pairs.
pub fn starter_concepts() -> Vec<Vec<(String, String)>> {
    STARTER
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let mut terms = Vec::new();
            for (col, cell) in line.split('\t').enumerate() {
                let lang = STARTER_LANGUAGES.get(col).copied().unwrap_or("und");
                for t in cell.split(';').map(str::trim).filter(|t| !t.is_empty()) {
                    terms.push((lang.to_string(), t.to_string()));
                }
            }
            terms
        })
        .filter(|t: &Vec<_>| t.len() >= 2)
        .collect()
}

/// Every concept's terms (any language) and the term base's version.
pub async fn all_concepts(_db: &sea_orm::DatabaseConnection) -> Result<(Vec<Vec<String>>, i64)> {
    let concepts = starter_concepts().into_iter().map(|c| c.into_iter().map(|(_, t)| t).collect()).collect();
    Ok((concepts, 0))
}

/// The term base's version: changes whenever a term is added, changed or removed, so each
/// process's expander knows to reload.
pub async fn version(_db: &sea_orm::DatabaseConnection) -> Result<i64> {
    Ok(0)
}
