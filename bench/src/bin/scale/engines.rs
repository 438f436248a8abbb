//! The three engines under test, each used as its documentation recommends for this job.

use std::path::{Path, PathBuf};

use anyhow::Context;
use sea_orm::sqlx::{self, Connection, Row};

use crate::{Doc, Engine, Lexicons, Memory, Query, dir_size, doc, rss_of};

const BATCH: u64 = 10_000;

/// Whether a term has no letter outside ASCII (English), where word search applies.
fn latin(term: &str) -> bool {
    term.is_ascii()
}

// ---- SQLite FTS5 with the trigram tokenizer (substring search for every script) ----

pub struct Fts5 {
    path: PathBuf,
    conn: sqlx::SqliteConnection,
}

impl Fts5 {
    /// A new, empty database.
    pub async fn create(work: &Path) -> anyhow::Result<Fts5> {
        let path = work.join("fts5.db");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        let mut fts = Fts5::connect(path, true).await?;
        sqlx::query("CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize = 'trigram')")
            .execute(&mut fts.conn)
            .await
            .context("FTS5 with the trigram tokenizer")?;
        Ok(fts)
    }

    /// The database [`create`](Self::create) made.
    pub async fn open(work: &Path) -> anyhow::Result<Fts5> {
        Fts5::connect(work.join("fts5.db"), false).await
    }

    async fn connect(path: PathBuf, create: bool) -> anyhow::Result<Fts5> {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(create)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Normal);
        let conn = sqlx::SqliteConnection::connect_with(&options).await?;
        Ok(Fts5 { path, conn })
    }
}

impl Engine for Fts5 {
    async fn index(&mut self, lex: &Lexicons, n: u64) -> anyhow::Result<()> {
        let mut id = 0;
        while id < n {
            let mut tx = self.conn.begin().await?;
            for i in id..(id + BATCH).min(n) {
                let d = doc(lex, i);
                sqlx::query("INSERT INTO docs (rowid, title, body) VALUES (?, ?, ?)")
                    .bind(d.id as i64)
                    .bind(&d.title)
                    .bind(&d.body)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            id += BATCH;
        }
        sqlx::query("INSERT INTO docs (docs) VALUES ('optimize')").execute(&mut self.conn).await?;
        Ok(())
    }

    async fn search(&mut self, q: &Query) -> anyhow::Result<Vec<u64>> {
        // Trigram MATCH needs three characters; shorter terms (most Chinese and Korean words)
        // are checked with LIKE: on the ranked matches of the longer terms, or, when every
        // term is short, by a scan.
        use futures_util::TryStreamExt;
        let (long, short): (Vec<&String>, Vec<&String>) = q.terms.iter().partition(|t| t.chars().count() >= 3);
        if long.is_empty() {
            let clauses: Vec<&str> = short.iter().map(|_| "(title LIKE ? OR body LIKE ?)").collect();
            let sql = format!("SELECT rowid FROM docs WHERE {} LIMIT 10", clauses.join(" AND "));
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for t in &short {
                query = query.bind(format!("%{t}%")).bind(format!("%{t}%"));
            }
            let rows = query.fetch_all(&mut self.conn).await?;
            return Ok(rows.iter().map(|r| r.get::<i64, _>(0) as u64).collect());
        }
        let expr: Vec<String> = long.iter().map(|t| format!("\"{}\"", t.replace('"', "\"\""))).collect();
        let mut rows = sqlx::query("SELECT rowid, title, body FROM docs WHERE docs MATCH ? ORDER BY rank")
            .bind(expr.join(" AND "))
            .fetch(&mut self.conn);
        let mut out = Vec::new();
        while let Some(row) = rows.try_next().await? {
            let (title, body): (String, String) = (row.get(1), row.get(2));
            if short.iter().all(|t| title.contains(t.as_str()) || body.contains(t.as_str())) {
                out.push(row.get::<i64, _>(0) as u64);
                if out.len() == 10 {
                    break;
                }
            }
        }
        Ok(out)
    }

    async fn size(&mut self) -> anyhow::Result<u64> {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut self.conn).await?;
        Ok(std::fs::metadata(&self.path)?.len())
    }

    async fn memory(&mut self) -> anyhow::Result<Memory> {
        rss_of("self")
    }
}

// ---- PostgreSQL: tsvector for words, pg_trgm for CJK substrings ----

pub struct Postgres {
    conn: sqlx::PgConnection,
}

impl Postgres {
    /// A new, empty table.
    pub async fn create(url: &str) -> anyhow::Result<Postgres> {
        let mut pg = Postgres::open(url).await?;
        // Building the GIN indexes of a million rows takes minutes: the limit is for queries.
        sqlx::query("SET statement_timeout = 0").execute(&mut pg.conn).await?;
        sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute(&mut pg.conn).await?;
        sqlx::query("DROP TABLE IF EXISTS docs").execute(&mut pg.conn).await?;
        sqlx::query("CREATE TABLE docs (id bigint PRIMARY KEY, language text NOT NULL, doc text NOT NULL)")
            .execute(&mut pg.conn)
            .await?;
        Ok(pg)
    }

    /// A connection (and so a fresh server process) to the database.
    pub async fn open(url: &str) -> anyhow::Result<Postgres> {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        sqlx::query("SET statement_timeout = '30s'").execute(&mut conn).await?;
        Ok(Postgres { conn })
    }
}

fn copy_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\t', "\\t").replace('\n', "\\n").replace('\r', "\\r")
}

impl Engine for Postgres {
    async fn index(&mut self, lex: &Lexicons, n: u64) -> anyhow::Result<()> {
        let mut id = 0;
        while id < n {
            let mut copy = self.conn.copy_in_raw("COPY docs (id, language, doc) FROM STDIN").await?;
            let mut buf = String::new();
            for i in id..(id + BATCH).min(n) {
                let Doc { id, language, title, body } = doc(lex, i);
                buf.push_str(&format!("{id}\t{language}\t{}\n", copy_escape(&format!("{title}\n{body}"))));
            }
            copy.send(buf.into_bytes()).await?;
            copy.finish().await?;
            id += BATCH;
        }
        for sql in [
            "ALTER TABLE docs ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', doc)) STORED",
            "CREATE INDEX docs_tsv ON docs USING gin (tsv)",
            "CREATE INDEX docs_trgm ON docs USING gin (doc gin_trgm_ops)",
            "VACUUM ANALYZE docs",
        ] {
            sqlx::query(sql).execute(&mut self.conn).await?;
        }
        Ok(())
    }

    async fn search(&mut self, q: &Query) -> anyhow::Result<Vec<u64>> {
        let rows = if q.terms.iter().all(|t| latin(t)) {
            sqlx::query(
                "SELECT id FROM docs, plainto_tsquery('simple', $1) q WHERE tsv @@ q \
                 ORDER BY ts_rank(tsv, q) DESC LIMIT 10",
            )
            .bind(q.terms.join(" "))
            .fetch_all(&mut self.conn)
            .await?
        } else {
            let clauses: Vec<String> = (1..=q.terms.len()).map(|i| format!("doc LIKE ${i}")).collect();
            let sql = format!("SELECT id FROM docs WHERE {} LIMIT 10", clauses.join(" AND "));
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for t in &q.terms {
                query = query.bind(format!("%{t}%"));
            }
            query.fetch_all(&mut self.conn).await?
        };
        Ok(rows.iter().map(|r| r.get::<i64, _>(0) as u64).collect())
    }

    async fn size(&mut self) -> anyhow::Result<u64> {
        let row = sqlx::query("SELECT pg_total_relation_size('docs')").fetch_one(&mut self.conn).await?;
        Ok(row.get::<i64, _>(0) as u64)
    }

    async fn memory(&mut self) -> anyhow::Result<Memory> {
        // The server process that answered the queries (same machine).
        let row = sqlx::query("SELECT pg_backend_pid()").fetch_one(&mut self.conn).await?;
        rss_of(&row.get::<i32, _>(0).to_string())
    }
}

// ---- Glocal's own index ----

pub struct Glocal {
    dir: PathBuf,
    index: glocal_core::search::SearchIndex,
    expander: glocal_core::search::Expander,
}

impl Glocal {
    /// A new, empty index.
    pub fn create(work: &Path) -> anyhow::Result<Glocal> {
        let _ = std::fs::remove_dir_all(work.join("glocal-index"));
        Glocal::open(work)
    }

    /// The index in `work` (created when absent), as a server process opens it.
    pub fn open(work: &Path) -> anyhow::Result<Glocal> {
        let dir = work.join("glocal-index");
        let index = glocal_core::search::SearchIndex::open(&dir)?;
        // Random words have no term base entries or place names: expansion has nothing to add.
        Ok(Glocal { dir, index, expander: glocal_core::search::Expander::empty() })
    }
}

impl Engine for Glocal {
    async fn index(&mut self, lex: &Lexicons, n: u64) -> anyhow::Result<()> {
        let now = chrono::Utc::now();
        let mut id = 0;
        while id < n {
            let batch: Vec<_> = (id..(id + BATCH).min(n))
                .map(|i| {
                    let d = doc(lex, i);
                    glocal_core::search::IndexDoc {
                        id: d.id as i64,
                        kind: "best_practice".into(),
                        language: d.language.into(),
                        status: "published".into(),
                        title: d.title,
                        summary: String::new(),
                        body: d.body,
                        attachments: String::new(),
                        area: None,
                        country: None,
                        organization: None,
                        year: Some(2000 + (i % 27) as i32),
                        updated_at: now,
                        readers: vec!["all".into()],
                    }
                })
                .collect();
            id += BATCH;
            self.index.apply(batch, &[], id.min(n) as i64)?;
        }
        // Like FTS5's optimize and PostgreSQL's VACUUM: the index as it settles.
        self.index.finish_merges()?;
        Ok(())
    }

    async fn search(&mut self, q: &Query) -> anyhow::Result<Vec<u64>> {
        let req = glocal_core::search::SearchRequest {
            text: q.terms.join(" "),
            readers: vec!["all".into()],
            limit: 10,
            ..Default::default()
        };
        let found = self.index.search(&req, &self.expander)?;
        Ok(found.hits.iter().map(|h| h.id as u64).collect())
    }

    async fn size(&mut self) -> anyhow::Result<u64> {
        Ok(dir_size(&self.dir))
    }

    async fn memory(&mut self) -> anyhow::Result<Memory> {
        rss_of("self")
    }
}
