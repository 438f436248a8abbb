//! The library's search at scale, side by side with SQLite FTS5 and PostgreSQL full-text
//! search, on one generated corpus and one query set.
//!
//! `scale ENGINE N WORDS_DIR WORK_DIR [POSTGRES_URL]`, ENGINE one of `glocal`, `fts5`,
//! `postgres`. Each run generates the same N documents (seeded), indexes them, runs the same
//! 1-, 2- and 3-term queries (100 per language and length, every term required, the ten best
//! asked for) and prints indexing throughput, index size, latency and resident memory.
//!
//! The corpus mixes Korean (35 %), Simplified Chinese (20 %), Traditional Chinese (10 %),
//! Japanese (15 %) and English (20 %), drawn from real word lists (`bench/scale.sh` fetches
//! them): Korean from hunspell-ko, Chinese from jieba's dictionary with its frequencies (and
//! folded to Traditional by zhconv), Japanese from mecab-ipadic's sources ranked by their word
//! cost, English from wamerican. Words without a frequency follow Zipf's law over a fixed
//! shuffle of the list.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use unicode_normalization::UnicodeNormalization;

mod engines;

/// A seeded generator (SplitMix64): the same corpus on every run and machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Words with their weights, sampled in proportion.
pub struct Lexicon {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Lexicon {
    fn new(mut weighted: Vec<(String, f64)>) -> Lexicon {
        weighted.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        weighted.dedup_by(|a, b| a.0 == b.0);
        let mut sum = 0.0;
        let mut cumulative = Vec::with_capacity(weighted.len());
        for (_, w) in &weighted {
            sum += w;
            cumulative.push(sum);
        }
        Lexicon { words: weighted.into_iter().map(|(w, _)| w).collect(), cumulative }
    }

    /// Zipf's law (weight 1/(rank+2.7)) over the words in a fixed pseudo-random order.
    fn zipf(words: Vec<String>) -> Lexicon {
        let mut keyed: Vec<(u64, String)> = words.into_iter().map(|w| (fnv(&w), w)).collect();
        keyed.sort();
        Lexicon::new(keyed.into_iter().enumerate().map(|(rank, (_, w))| (w, 1.0 / (rank as f64 + 2.7))).collect())
    }

    pub fn sample(&self, rng: &mut Rng) -> &str {
        let total = *self.cumulative.last().expect("words");
        let x = rng.unit() * total;
        let i = self.cumulative.partition_point(|c| *c < x).min(self.words.len() - 1);
        &self.words[i]
    }

    /// A word of middling frequency (rank 100 to 20,000), as a query term.
    fn query_term(&self, rng: &mut Rng) -> &str {
        let hi = self.words.len().min(20_000);
        &self.words[100.min(hi - 1) + rng.below(hi - 100.min(hi - 1))]
    }
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

fn all_in(s: &str, ranges: &[(char, char)]) -> bool {
    !s.is_empty() && s.chars().all(|c| ranges.iter().any(|(a, b)| (*a..=*b).contains(&c)))
}

const HANGUL: &[(char, char)] = &[('\u{AC00}', '\u{D7A3}')];
const HAN: &[(char, char)] = &[('\u{4E00}', '\u{9FFF}')];
const KANA_HAN: &[(char, char)] = &[('\u{3041}', '\u{3096}'), ('\u{30A1}', '\u{30FA}'), ('\u{4E00}', '\u{9FFF}')];

pub struct Lexicons {
    pub ko: Lexicon,
    pub zh: Lexicon,
    pub ja: Lexicon,
    pub en: Lexicon,
}

impl Lexicons {
    pub fn load(dir: &Path) -> anyhow::Result<Lexicons> {
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name)).with_context(|| format!("reading {}", dir.join(name).display()))
        };
        let ko: Vec<String> = read("ko.dic")?
            .lines()
            .skip(1)
            // hunspell-ko keeps words as decomposed jamo: compose them into syllables.
            .map(|l| l.split('/').next().unwrap_or("").nfc().collect::<String>())
            .filter(|w| all_in(w, HANGUL) && (2..=5).contains(&w.chars().count()))
            .collect();
        let zh: Vec<(String, f64)> = read("zh.txt")?
            .lines()
            .filter_map(|l| {
                let mut p = l.split(' ');
                let (w, f) = (p.next()?, p.next()?.parse::<f64>().ok()?);
                (all_in(w, HAN) && (1..=4).contains(&w.chars().count())).then(|| (w.to_string(), f))
            })
            .collect();
        let mut ja: Vec<(String, i64)> = read("ja.csv")?
            .lines()
            .filter_map(|l| {
                let mut p = l.split(',');
                let w = p.next()?;
                let cost = p.nth(2)?.parse::<i64>().ok()?;
                (all_in(w, KANA_HAN) && (1..=6).contains(&w.chars().count())).then(|| (w.to_string(), cost))
            })
            .collect();
        ja.sort_by_key(|(w, c)| (*c, w.clone()));
        let ja = ja.into_iter().enumerate().map(|(rank, (w, _))| (w, 1.0 / (rank as f64 + 2.7))).collect();
        let en: Vec<String> = read("en.txt")?
            .lines()
            .filter(|w| w.len() >= 3 && w.bytes().all(|b| b.is_ascii_lowercase()))
            .map(str::to_string)
            .collect();
        Ok(Lexicons { ko: Lexicon::zipf(ko), zh: Lexicon::new(zh), ja: Lexicon::new(ja), en: Lexicon::zipf(en) })
    }
}

/// The languages of the corpus with their shares (in twentieths).
pub const LANGUAGES: &[(&str, usize)] = &[("ko", 7), ("zh-Hans", 4), ("zh-Hant", 2), ("ja", 3), ("en", 4)];

pub struct Doc {
    pub id: u64,
    pub language: &'static str,
    pub title: String,
    pub body: String,
}

const KO_PARTICLES: &[&str] = &["은", "는", "이", "가", "을", "를", "의", "에", "에서", "으로", "와", "과", "도"];
const JA_PARTICLES: &[&str] = &["は", "が", "を", "に", "の", "で", "と", "も"];

fn language_of(id: u64) -> &'static str {
    let mut slot = (fnv(&id.to_string()) % 20) as usize;
    for (lang, share) in LANGUAGES {
        if slot < *share {
            return lang;
        }
        slot -= share;
    }
    "en"
}

fn words(
    lex: &Lexicons,
    language: &str,
    rng: &mut Rng,
    n: usize,
    sentence: bool,
    drawn: &mut impl FnMut(&str),
) -> String {
    let mut out = String::new();
    for i in 0..n {
        match language {
            "ko" => {
                if i > 0 {
                    out.push(' ');
                }
                let w = lex.ko.sample(rng);
                drawn(w);
                out.push_str(w);
                if rng.below(10) < 3 {
                    out.push_str(KO_PARTICLES[rng.below(KO_PARTICLES.len())]);
                }
            }
            "ja" => {
                let w = lex.ja.sample(rng);
                drawn(w);
                out.push_str(w);
                if rng.below(10) < 3 {
                    out.push_str(JA_PARTICLES[rng.below(JA_PARTICLES.len())]);
                }
            }
            "zh-Hans" | "zh-Hant" => {
                let w = lex.zh.sample(rng);
                drawn(w);
                out.push_str(w);
            }
            _ => {
                if i > 0 {
                    out.push(' ');
                }
                let w = lex.en.sample(rng);
                drawn(w);
                out.push_str(w);
            }
        }
    }
    if sentence {
        out.push_str(match language {
            "ko" => "다. ",
            "en" => ". ",
            _ => "。",
        });
    }
    out
}

fn hant(s: &str) -> String {
    zhconv::zhconv(s, zhconv::Variant::ZhHant)
}

/// Document `id` of the corpus: a title of 3–8 words and a body of 4–10 sentences.
pub fn doc(lex: &Lexicons, id: u64) -> Doc {
    generate(lex, id, &mut |_| {})
}

/// Document `id`, with each word drawn (before particles and script folding) passed to `drawn`.
fn generate(lex: &Lexicons, id: u64, drawn: &mut impl FnMut(&str)) -> Doc {
    let mut rng = Rng::new(id.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let language = language_of(id);
    let title_len = 3 + rng.below(6);
    let mut title = words(lex, language, &mut rng, title_len, false, drawn);
    let mut body = String::new();
    for _ in 0..4 + rng.below(7) {
        let n = 6 + rng.below(9);
        body.push_str(&words(lex, language, &mut rng, n, true, drawn));
    }
    if language == "zh-Hant" {
        title = hant(&title);
        body = hant(&body);
    }
    Doc { id, language, title, body }
}

/// One query: its language, how many terms, the terms.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub language: String,
    pub terms: Vec<String>,
}

/// Query `i` of `k` terms in `language`: `k` different words of middling frequency (rank 100
/// to 20,000 in their word list) of one document of the corpus (`n` documents), drawn at
/// random, as a reader who knows what they look for would type them. Each query has its own
/// seed, so the first queries of a larger set are those of a smaller one.
fn query(lex: &Lexicons, ranks: &Ranks, n: u64, language: &str, k: usize, i: usize) -> Query {
    let mut rng = Rng::new(fnv(&format!("{language}/{k}/{i}")));
    if std::env::var_os("SCALE_INDEPENDENT").is_some() {
        // The older generator: words drawn independently, which seldom meet in one document.
        let terms = (0..k)
            .map(|_| match language {
                "ko" => lex.ko.query_term(&mut rng).to_string(),
                "ja" => lex.ja.query_term(&mut rng).to_string(),
                "zh-Hans" => lex.zh.query_term(&mut rng).to_string(),
                "zh-Hant" => hant(lex.zh.query_term(&mut rng)),
                _ => lex.en.query_term(&mut rng).to_string(),
            })
            .collect();
        return Query { language: language.to_string(), terms };
    }
    loop {
        let id = rng.below(n as usize) as u64;
        if language_of(id) != language {
            continue;
        }
        let mut drawn: Vec<String> = Vec::new();
        generate(lex, id, &mut |w| {
            if !drawn.iter().any(|d| d == w) {
                drawn.push(w.to_string());
            }
        });
        let rank = match language {
            "ko" => &ranks.ko,
            "ja" => &ranks.ja,
            "zh-Hans" | "zh-Hant" => &ranks.zh,
            _ => &ranks.en,
        };
        drawn.retain(|w| rank.get(w.as_str()).is_some_and(|r| (100..20_000).contains(r)));
        if drawn.len() < k {
            continue;
        }
        let mut terms = Vec::new();
        for _ in 0..k {
            let w = drawn.swap_remove(rng.below(drawn.len()));
            terms.push(if language == "zh-Hant" { hant(&w) } else { w });
        }
        return Query { language: language.to_string(), terms };
    }
}

/// Each word's rank in its list (0: the most frequent).
struct Ranks {
    ko: std::collections::HashMap<String, usize>,
    zh: std::collections::HashMap<String, usize>,
    ja: std::collections::HashMap<String, usize>,
    en: std::collections::HashMap<String, usize>,
}

impl Ranks {
    fn of(lex: &Lexicons) -> Ranks {
        let rank = |l: &Lexicon| l.words.iter().enumerate().map(|(i, w)| (w.clone(), i)).collect();
        Ranks { ko: rank(&lex.ko), zh: rank(&lex.zh), ja: rank(&lex.ja), en: rank(&lex.en) }
    }
}

/// `per_set` queries for each language and number of terms, then 50 others for the warm-up.
pub fn queries(lex: &Lexicons, n: u64, per_set: usize) -> (Vec<Query>, Vec<Query>) {
    let ranks = Ranks::of(lex);
    let mut measured = Vec::new();
    for (language, _) in LANGUAGES {
        for k in 1..=3 {
            for i in 0..per_set {
                measured.push(query(lex, &ranks, n, language, k, i));
            }
        }
    }
    let warm = (0..50).map(|j| query(lex, &ranks, n, LANGUAGES[j % 5].0, 1 + j % 3, 1_000_000 + j)).collect();
    (measured, warm)
}

fn write_queries(path: &Path, warm: &[Query], measured: &[Query]) -> anyhow::Result<()> {
    let mut out = String::new();
    for (set, qs) in [("warm", warm), ("measured", measured)] {
        for q in qs {
            out.push_str(&format!("{set}\t{}\t{}\n", q.language, q.terms.join("\t")));
        }
    }
    std::fs::write(path, out)?;
    Ok(())
}

fn read_queries(path: &Path) -> anyhow::Result<(Vec<Query>, Vec<Query>)> {
    let (mut warm, mut measured) = (Vec::new(), Vec::new());
    for line in std::fs::read_to_string(path)?.lines() {
        let mut cols = line.split('\t');
        let set = cols.next().context("set")?;
        let language = cols.next().context("language")?.to_string();
        let q = Query { language, terms: cols.map(str::to_string).collect() };
        if set == "warm" { warm.push(q) } else { measured.push(q) }
    }
    Ok((warm, measured))
}

/// What every engine does. An engine is created empty and indexed by one process, then
/// opened again by a fresh process that serves the queries, as a server would after a restart.
trait Engine {
    /// Indexes documents 0..n, in batches it chooses; returns once everything is searchable.
    async fn index(&mut self, lex: &Lexicons, n: u64) -> anyhow::Result<()>;
    /// The ids of the ten best documents holding every term.
    async fn search(&mut self, q: &Query) -> anyhow::Result<Vec<u64>>;
    /// Bytes on disk.
    async fn size(&mut self) -> anyhow::Result<u64>;
    /// Resident memory of whatever serves the queries.
    async fn memory(&mut self) -> anyhow::Result<Memory>;
}

/// A process's resident memory, in bytes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Memory {
    /// VmRSS: everything resident now.
    pub rss: u64,
    /// VmHWM: the most ever resident.
    pub peak: u64,
    /// RssAnon: the heap and stacks (what the process allocated itself).
    pub anon: u64,
    /// RssFile + RssShmem: pages of mapped files (the index) and shared memory.
    pub mapped: u64,
}

pub fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else { return 0 };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// The resident memory of a process.
pub fn rss_of(pid: &str) -> anyhow::Result<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    Ok(Memory {
        rss: field("VmRSS:"),
        peak: field("VmHWM:"),
        anon: field("RssAnon:"),
        mapped: field("RssFile:") + field("RssShmem:"),
    })
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Creates and fills the index, then has a fresh process serve the queries.
async fn build(engine: &mut impl Engine, name: &str, n: u64, lex: &Lexicons, work: &Path) -> anyhow::Result<()> {
    let t = Instant::now();
    engine.index(lex, n).await?;
    let secs = t.elapsed().as_secs_f64();
    let size = engine.size().await?;
    let memory = engine.memory().await?;
    println!(
        "{name}: indexed {n} documents in {secs:.1} s ({:.0} documents/s), index {:.0} MB, indexer peak resident {:.0} MB",
        n as f64 / secs,
        mb(size),
        mb(memory.peak)
    );
    // SCALE_QUERIES per language and number of terms (100 unless set: the peers' scans at a
    // million documents take seconds each).
    let per_set = std::env::var("SCALE_QUERIES").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let (measured, warm) = queries(lex, n, per_set);
    write_queries(&work.join("queries.tsv"), &warm, &measured)?;
    Ok(())
}

/// Serves the queries of `work/queries.tsv` from an engine opened afresh.
async fn serve(engine: &mut impl Engine, name: &str, work: &Path) -> anyhow::Result<()> {
    let opened = engine.memory().await?;
    let (warm, measured) = read_queries(&work.join("queries.tsv"))?;
    for q in &warm {
        let _ = engine.search(q).await;
    }
    let mut by_len: [Vec<f64>; 3] = Default::default();
    let mut hits = [0usize; 3];
    let mut failed = 0;
    for q in &measured {
        let t = Instant::now();
        match engine.search(q).await {
            Ok(found) if !found.is_empty() => hits[q.terms.len() - 1] += 1,
            Ok(_) => {}
            // A query over the peer's time limit counts with the time it took.
            Err(_) => failed += 1,
        }
        by_len[q.terms.len() - 1].push(t.elapsed().as_secs_f64() * 1000.0);
    }
    if failed > 0 {
        println!("{name}: {failed} queries stopped by the time limit");
    }
    for (i, times) in by_len.iter_mut().enumerate() {
        times.sort_by(f64::total_cmp);
        println!(
            "{name}: {}-term queries ({} of {} with a hit): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            i + 1,
            hits[i],
            times.len(),
            percentile(times, 50.0),
            percentile(times, 99.0),
            times.last().copied().unwrap_or(f64::NAN)
        );
    }
    let m = engine.memory().await?;
    println!(
        "{name}: resident memory while serving {:.0} MB ({:.0} MB heap, {:.0} MB mapped index and shared memory; \
         {:.0} MB when opened, peak {:.0} MB)",
        mb(m.rss),
        mb(m.anon),
        mb(m.mapped),
        mb(opened.rss),
        mb(m.peak)
    );
    Ok(())
}

/// Runs `scale serve ENGINE …` as a child process and waits for it.
fn serve_in_child(engine: &str, work: &Path, url: Option<&String>) -> anyhow::Result<()> {
    let mut cmd = std::process::Command::new(std::env::current_exe()?);
    cmd.arg("serve").arg(engine).arg(work);
    if let Some(url) = url {
        cmd.arg(url);
    }
    let status = cmd.status()?;
    if !status.success() {
        bail!("serving {engine}: {status}");
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("serve") && args.len() >= 3 {
        let work = PathBuf::from(&args[2]);
        return match args[1].as_str() {
            "glocal" => serve(&mut engines::Glocal::open(&work)?, "glocal", &work).await,
            "fts5" => serve(&mut engines::Fts5::open(&work).await?, "SQLite FTS5 (trigram)", &work).await,
            "postgres" => {
                let url = args.get(3).context("postgres needs a URL")?;
                serve(&mut engines::Postgres::open(url).await?, "PostgreSQL FTS + pg_trgm", &work).await
            }
            other => bail!("unknown engine {other}"),
        };
    }
    if args.len() < 4 {
        bail!("usage: scale glocal|fts5|postgres N WORDS_DIR WORK_DIR [POSTGRES_URL]");
    }
    let n: u64 = args[1].parse()?;
    let lex = Lexicons::load(Path::new(&args[2]))?;
    let work = PathBuf::from(&args[3]);
    std::fs::create_dir_all(&work)?;
    match args[0].as_str() {
        "glocal" => build(&mut engines::Glocal::create(&work)?, "glocal", n, &lex, &work).await?,
        "fts5" => build(&mut engines::Fts5::create(&work).await?, "SQLite FTS5 (trigram)", n, &lex, &work).await?,
        "postgres" => {
            let url = args.get(4).context("postgres needs a URL")?;
            build(&mut engines::Postgres::create(url).await?, "PostgreSQL FTS + pg_trgm", n, &lex, &work).await?
        }
        "sample" => {
            for id in 0..n {
                let d = doc(&lex, id);
                println!("{} [{}] {}\n    {}", d.id, d.language, d.title, d.body);
            }
            let (measured, _) = queries(&lex, n.max(1), 10);
            for q in measured.iter().step_by(5) {
                println!("query [{}] {:?}", q.language, q.terms);
            }
            return Ok(());
        }
        other => bail!("unknown engine {other}"),
    }
    // The indexer's memory (and the corpus generator's word lists) are gone: serve afresh.
    drop(lex);
    serve_in_child(&args[0], &work, args.get(4))
}
