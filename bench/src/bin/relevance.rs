//! The relevance set: indexes `bench/relevance/corpus/` with the real `SearchIndex`, runs the
//! judged queries of `bench/relevance/queries.tsv` and reports nDCG@10 and recall@10 per query
//! language, with and without the cross-language expander (term base + gazetteer sample).
//!
//!     cargo run -p glocal-bench --bin relevance [-- --verbose]
//!
//! Corpus files: a `key: value` header (id, kind, language, country, year, title, summary,
//! source, and `body_file` for a body kept elsewhere in the repository), a `---` line, then the
//! body. Queries: `language<TAB>query<TAB>id:grade,…` with
//! grades 0–3 (unlisted documents are 0).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use glocal_core::search::{Expander, IndexDoc, SearchIndex, SearchRequest};
use glocal_core::{Actor, Config, Core, Origin};

const K: usize = 10;

struct Query {
    language: String,
    text: String,
    grades: HashMap<i64, u32>,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("relevance")
}

fn load_corpus() -> anyhow::Result<Vec<IndexDoc>> {
    let mut docs = Vec::new();
    let mut paths: Vec<PathBuf> =
        std::fs::read_dir(dir().join("corpus"))?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths.into_iter().filter(|p| p.extension().is_some_and(|e| e == "txt")) {
        let text = std::fs::read_to_string(&path)?;
        let (head, body) = text.split_once("\n---\n").with_context(|| format!("{}: no --- line", path.display()))?;
        let h: HashMap<&str, &str> = head.lines().filter_map(|l| l.split_once(": ")).collect();
        let get = |k: &str| h.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
        docs.push(IndexDoc {
            id: get("id").parse().with_context(|| format!("{}: id", path.display()))?,
            kind: get("kind"),
            language: get("language"),
            status: "published".into(),
            title: get("title"),
            summary: get("summary"),
            body: match h.get("body_file") {
                // The seed documents live once, in the library's demo data.
                Some(f) => std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(f.trim()))
                    .with_context(|| format!("{}: body_file {f}", path.display()))?,
                None => body.to_string(),
            },
            attachments: String::new(),
            area: None,
            country: Some(get("country")).filter(|c| !c.is_empty()),
            organization: None,
            year: get("year").parse().ok(),
            updated_at: chrono::Utc::now(),
            readers: vec!["all".into()],
        });
    }
    Ok(docs)
}

fn load_queries() -> anyhow::Result<Vec<Query>> {
    let text = std::fs::read_to_string(dir().join("queries.tsv"))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 3 {
            bail!("queries.tsv line {}: three tab-separated columns expected", n + 1);
        }
        let mut grades = HashMap::new();
        for j in cols[2].split(',').filter(|j| !j.is_empty()) {
            let (id, g) = j.split_once(':').with_context(|| format!("line {}: {j}", n + 1))?;
            grades.insert(id.trim().parse()?, g.trim().parse()?);
        }
        out.push(Query { language: cols[0].into(), text: cols[1].into(), grades });
    }
    Ok(out)
}

fn dcg(grades: impl Iterator<Item = u32>) -> f64 {
    grades.take(K).enumerate().map(|(i, g)| (2f64.powi(g as i32) - 1.0) / ((i + 2) as f64).log2()).sum()
}

/// (nDCG@10, recall@10) of one ranking.
fn score(q: &Query, ranking: &[i64]) -> (f64, f64) {
    let got = dcg(ranking.iter().map(|id| q.grades.get(id).copied().unwrap_or(0)));
    let mut ideal: Vec<u32> = q.grades.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let best = dcg(ideal.into_iter());
    let relevant = q.grades.values().filter(|g| **g > 0).count();
    let found = ranking.iter().take(K).filter(|id| q.grades.get(id).is_some_and(|g| *g > 0)).count();
    (if best > 0.0 { got / best } else { 0.0 }, if relevant > 0 { found as f64 / relevant as f64 } else { 0.0 })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let verbose = std::env::args().any(|a| a == "--verbose" || a == "-v");
    let docs = load_corpus()?;
    let queries = load_queries()?;

    // The expander as the server loads it: a fresh database with the gazetteer sample.
    let data = tempfile::tempdir()?;
    let mut config = Config::default();
    config.storage.data_dir = data.path().to_path_buf();
    let core = Core::open(config).await?;
    let actor = Actor::System("bench");
    let origin = Origin::default();
    let scope = core.scope(&actor, &origin);
    glocal_core::gazetteer::import_geonames(&scope, glocal_core::gazetteer::SAMPLE, &mut |_, _| {}).await?;
    let expander = Expander::load(&core).await?;

    let index = SearchIndex::open_in_ram()?;
    index.apply(docs.clone(), &[], 1)?;
    println!("relevance set: {} documents, {} judged queries, cutoff {K}", docs.len(), queries.len());

    let mut table: BTreeMap<String, Vec<[f64; 4]>> = BTreeMap::new();
    for q in &queries {
        let mut row = [0.0; 4];
        for (i, exp) in [&expander, &Expander::empty()].into_iter().enumerate() {
            let req =
                SearchRequest { text: q.text.clone(), readers: vec!["all".into()], limit: K, ..Default::default() };
            let res = index.search(&req, exp)?;
            let ranking: Vec<i64> = res.hits.iter().map(|h| h.id).collect();
            let (ndcg, recall) = score(q, &ranking);
            row[2 * i] = ndcg;
            row[2 * i + 1] = recall;
            if verbose && i == 0 {
                println!(
                    "{:8} {:36} nDCG {:.3} recall {:.3}  hits {:?}  expanded {:?}{}",
                    q.language,
                    q.text,
                    ndcg,
                    recall,
                    ranking,
                    res.expanded,
                    res.suggestion.map(|s| format!("  suggestion {s:?}")).unwrap_or_default()
                );
            }
        }
        table.entry(q.language.clone()).or_default().push(row);
    }
    println!();
    println!(
        "{:8} {:>7} {:>10} {:>11} {:>20} {:>22}",
        "language", "queries", "nDCG@10", "recall@10", "nDCG@10 (no exp.)", "recall@10 (no exp.)"
    );
    let mut all: Vec<[f64; 4]> = Vec::new();
    let print = |name: &str, rows: &[[f64; 4]]| {
        let mean = |i: usize| rows.iter().map(|r| r[i]).sum::<f64>() / rows.len().max(1) as f64;
        println!(
            "{:8} {:>7} {:>10.3} {:>11.3} {:>20.3} {:>22.3}",
            name,
            rows.len(),
            mean(0),
            mean(1),
            mean(2),
            mean(3)
        );
    };
    for (lang, rows) in &table {
        print(lang, rows);
        all.extend(rows.iter().copied());
    }
    print("all", &all);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_judged_document_is_in_the_corpus_and_every_language_has_queries() {
        let docs = load_corpus().unwrap();
        let ids: std::collections::HashSet<i64> = docs.iter().map(|d| d.id).collect();
        assert_eq!(ids.len(), docs.len(), "ids are unique");
        assert!(docs.iter().all(|d| !d.title.is_empty() && !d.body.trim().is_empty()));
        let queries = load_queries().unwrap();
        assert!(queries.len() >= 40);
        for q in &queries {
            assert!(q.grades.keys().all(|id| ids.contains(id)), "{}: unknown id", q.text);
            assert!(q.grades.values().all(|g| *g <= 3) && q.grades.values().any(|g| *g > 0), "{}", q.text);
        }
        for lang in ["ko", "zh-Hans", "zh-Hant", "ja", "en"] {
            assert!(queries.iter().filter(|q| q.language == lang).count() >= 8, "{lang}");
        }
    }

    #[test]
    fn ndcg_and_recall() {
        let q = Query { language: "en".into(), text: "x".into(), grades: HashMap::from([(1, 3), (2, 1)]) };
        assert_eq!(score(&q, &[1, 2]), (1.0, 1.0));
        let (ndcg, recall) = score(&q, &[2, 9, 1]);
        assert!(ndcg < 1.0 && ndcg > 0.5, "{ndcg}");
        assert_eq!(recall, 1.0);
        assert_eq!(score(&q, &[9]), (0.0, 0.0));
    }
}
