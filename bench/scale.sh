#!/usr/bin/env bash
# Reproduces the library's search-at-scale figures of BENCHMARKS.md: one generated corpus
# (N documents, default 1,000,000, in Korean, Chinese in both scripts, Japanese and English),
# indexed and queried by Glocal's index, SQLite FTS5 (trigram tokenizer) and PostgreSQL
# full-text search with pg_trgm.
# Needs the Debian packages hunspell-ko, wamerican and mecab-ipadic (installed if missing) and
# fetches jieba's dictionary from PyPI.
# Each engine indexes in one process, then a fresh process opens what it built and serves the
# queries (SCALE_QUERIES per language and number of terms, default 100; SCALE_PEER_QUERIES for
# FTS5 and PostgreSQL, default the same: their scans take seconds each at a million documents,
# and a smaller count asks the first queries of the same set).
# Usage: bench/scale.sh [N] [postgres://postgres@127.0.0.1:5432/postgres]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
pg=${2:-postgres://postgres@127.0.0.1:5432/postgres}
cargo build --release -p glocal-bench --bin scale
scale=$PWD/target/release/scale

words=target/bench-data/words
if [ ! -f $words/ja.csv ]; then
  missing=()
  [ -f /usr/share/hunspell/ko.dic ] || missing+=(hunspell-ko)
  [ -f /usr/share/dict/american-english ] || missing+=(wamerican)
  [ -d /usr/share/mecab/dic/ipadic ] || missing+=(mecab-ipadic)
  if [ ${#missing[@]} -gt 0 ]; then apt-get install -y --no-install-recommends "${missing[@]}"; fi
  mkdir -p $words
  cp /usr/share/hunspell/ko.dic $words/ko.dic
  cp /usr/share/dict/american-english $words/en.txt
  python3 -m pip download --quiet --no-deps --no-binary :all: jieba==0.42.1 -d target/bench-data
  tar -xzf target/bench-data/jieba-0.42.1.tar.gz -O jieba-0.42.1/jieba/dict.txt > $words/zh.txt
  for f in /usr/share/mecab/dic/ipadic/*.csv; do iconv -f EUC-JP -t UTF-8 "$f"; done > $words/ja.csv
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
$scale glocal "$n" $words "$work"
peer=${SCALE_PEER_QUERIES:-${SCALE_QUERIES:-100}}
SCALE_QUERIES=$peer $scale fts5 "$n" $words "$work"
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  db=glocal_bench_scale_$$
  psql "$pg" -qc "CREATE DATABASE $db"
  # Over the Unix socket: sqlx cannot set TCP_NODELAY (see BENCHMARKS.md).
  SCALE_QUERIES=$peer $scale postgres "$n" $words "$work" "postgres://postgres@localhost/$db?host=/var/run/postgresql" || true
  psql "$pg" -qc "DROP DATABASE $db WITH (FORCE)"
fi
