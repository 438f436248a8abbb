#!/usr/bin/env bash
# Reproduces the desk figures of BENCHMARKS.md on SQLite and on PostgreSQL:
# - createRequest (an information request, routed and registered at once by the default
#   routing rules) at fixed rates, open loop, and at saturation, closed loop;
# - full walks through the six steps, each step its own API call (automatic routing off);
# - the crash test: kill -9 the server in the middle of a creation load, restart it, and check
#   that every request answered 201 is there, intact.
# Usage: bench/desk.sh [postgres://postgres@127.0.0.1:5432/postgres]
set -euo pipefail
cd "$(dirname "$0")/.."
trap 'kill ${pid:-} ${rec:-} 2>/dev/null || true' EXIT
cargo build --release -p glocal -p glocal-bench
bin=$PWD/target/release/glocal
bench=$PWD/target/release/glocal-bench
pg=${1:-postgres://postgres@127.0.0.1:5432/postgres}
port=18083
base=http://127.0.0.1:$port
seconds=${BENCH_SECONDS:-20}

fresh_db() {
  dir=$(mktemp -d)
  export GLOCAL_STORAGE_DATA_DIR=$dir GLOCAL_SERVER_BIND=127.0.0.1:$port GLOCAL_LOG_LEVEL=warn
  if [ "$1" = PostgreSQL ]; then
    db=glocal_bench_desk_$$_$RANDOM
    psql "$pg" -qc "CREATE DATABASE $db"
    export GLOCAL_DATABASE_URL=${pg%/*}/$db
  else
    unset GLOCAL_DATABASE_URL
  fi
  $bin migrate >/dev/null
  $bin demo >/dev/null
}
drop_db() {
  rm -rf "$dir"
  if [ -n "${GLOCAL_DATABASE_URL:-}" ]; then psql "$pg" -qc "DROP DATABASE $db WITH (FORCE)"; fi
}
start() {
  if curl -sf $base/readyz >/dev/null 2>&1; then echo "port $port is taken by another server"; exit 1; fi
  $bin serve >>"$dir/serve.log" 2>&1 & pid=$!
  for _ in $(seq 1 200); do curl -sf $base/readyz >/dev/null && return; sleep 0.05; done
  echo "server did not start"; cat "$dir/serve.log"; exit 1
}
stop() { kill -TERM $pid; wait $pid || true; }
token() {
  curl -sf -H 'content-type: application/json' -d "{\"email\":\"$1\",\"password\":\"glocal-demo\"}" $base/api/v1/tokens \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

run_backend() {
  local name=$1
  echo "== $name =="
  fresh_db "$name"
  start
  local requester staff dept me body
  requester=$(token seoul@demo.glocal.example)
  staff=$(token staff@demo.glocal.example)
  body='{"category":"information_request","title":"Youth exchange funding in France","fields":{"question":"How do French communes fund youth exchanges?","countries":["FR"],"answer_needed_by":"2027-01-15"}}'
  local create=(/api/v1/desk/requests -X POST -d "$body" -H "Authorization: Bearer $requester")
  $bench load $base "${create[@]:0:1}" 200 3 "${create[@]:1}" >/dev/null
  for rate in 200 500 1000; do
    $bench load $base "${create[@]:0:1}" $rate "$seconds" "${create[@]:1}"
  done
  for c in 8 32; do
    $bench saturate $base "${create[@]:0:1}" $c "$seconds" "${create[@]:1}"
  done
  stop

  # Walks: every step by hand.
  export GLOCAL_DESK_AUTO_ROUTE=false
  start
  dept=$(curl -sf -H "Authorization: Bearer $staff" "$base/api/v1/organizations?q=SEC-INTL" \
    | python3 -c 'import json,sys; print(next(o["id"] for o in json.load(sys.stdin)["items"] if o["code"]=="SEC-INTL"))')
  me=$(curl -sf -H "Authorization: Bearer $staff" $base/api/v1/me | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  $bench walk $base 8 3 "$requester" "$staff" "$dept" "$me" >/dev/null
  for c in 8 32; do
    $bench walk $base $c "$seconds" "$requester" "$staff" "$dept" "$me"
  done
  $bench walk $base 32 "$seconds" "$requester" "$staff" "$dept" "$me" 300
  stop
  unset GLOCAL_DESK_AUTO_ROUTE

  # The crash test: creations at 500/s for 10 s, kill -9 after 4 s, restart, verify.
  start
  local log=$dir/acknowledged.tsv
  $bench record $base 500 10 "$requester" "$log" & rec=$!
  sleep 4
  kill -9 $pid; wait $pid 2>/dev/null || true
  wait $rec
  start
  echo "crash test: $(wc -l <"$log") requests answered 201 before the kill"
  $bench verify $base "$requester" "$log"
  stop
  drop_db
}

run_backend SQLite
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then run_backend PostgreSQL; fi
