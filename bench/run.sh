#!/usr/bin/env bash
# Reproduces the figures of BENCHMARKS.md for the foundation: start-up time and the latency of
# a rendered page and of getCurrentUser at 200 requests/s, on SQLite and on PostgreSQL.
# Usage: bench/run.sh [postgres://postgres@127.0.0.1:5432/postgres]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p glocal -p glocal-bench
bin=target/release/glocal
bench=target/release/glocal-bench
pg=${1:-postgres://postgres@127.0.0.1:5432/postgres}

run_backend() {
  local name=$1 url=$2
  local dir; dir=$(mktemp -d)
  export GLOCAL_STORAGE_DATA_DIR=$dir GLOCAL_SERVER_BIND=127.0.0.1:18081 GLOCAL_LOG_LEVEL=warn
  if [ -n "$url" ]; then export GLOCAL_DATABASE_URL=$url; else unset GLOCAL_DATABASE_URL; fi
  echo "== $name =="
  $bench startup $bin 10 ${url:+"$url"}
  $bin demo >/dev/null
  $bin serve >/dev/null 2>&1 & local pid=$!
  for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18081/readyz >/dev/null && break; sleep 0.1; done
  local token; token=$(curl -sf -H 'content-type: application/json' \
    -d '{"email":"staff@demo.glocal.example","password":"glocal-demo"}' http://127.0.0.1:18081/api/v1/tokens | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  local cookie; cookie=$(curl -si http://127.0.0.1:18081/login | grep -i '^set-cookie: glocal_pre' | sed 's/.*glocal_pre=\([^;]*\).*/\1/')
  local session; session=$(curl -si -b "glocal_pre=$cookie" --data-urlencode "csrf=$cookie" --data-urlencode 'email=staff@demo.glocal.example' \
    --data-urlencode 'password=glocal-demo' http://127.0.0.1:18081/login | grep -i '^set-cookie: glocal_session' | sed 's/.*glocal_session=\([^;]*\).*/\1/')
  # Warm up, then measure.
  $bench load http://127.0.0.1:18081 /api/v1/me 200 3 -H "Authorization: Bearer $token" >/dev/null
  $bench load http://127.0.0.1:18081 /api/v1/me 200 30 -H "Authorization: Bearer $token"
  $bench load http://127.0.0.1:18081 /organizations 200 30 -H "Cookie: glocal_session=$session"
  kill -TERM $pid; wait $pid || true
  if [ -n "$url" ]; then :; fi
  rm -rf "$dir"
}

run_backend SQLite ""
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  db=glocal_bench_$$
  psql "$pg" -qc "CREATE DATABASE $db" && run_backend PostgreSQL "${pg%/*}/$db"
  psql "$pg" -qc "DROP DATABASE $db WITH (FORCE)"
fi
