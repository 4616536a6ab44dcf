#!/usr/bin/env bash
# isBlocked at 10 million rows over HTTP: gunicorn (one sync worker per core) on PostgreSQL,
# wrk from the same machine at concurrency 8 and 32, beside the constant DRF view (the
# ceiling) measured in the same run. Needs Debian's wrk (apt-get install wrk).
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/livevox_wrk_dnc bench/wrk_dnc.sh [--explain]
#
# The database is dropped and recreated, migrated, given the demo data and 10 million DNC rows
# (bench/seed_dnc.py: 6M legacy, 4M dial-time, 100k account flags); REUSE=1 keeps a database
# seeded by an earlier run. DURATION (default 10s) per measurement; LEGACY, DIALTIME, ACCOUNTS
# change the sizes; CASES=0 measures only the mix of every case (not each case alone). --explain also prints EXPLAIN (ANALYZE, BUFFERS) of the isBlocked statement
# for a hit and a miss. DROP=1 drops the database at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/livevox_wrk_dnc}
export SECRET_KEY=bench-only-not-secret-bench-only-not-secret-bench-only
export ALLOWED_HOSTS=127.0.0.1 DJANGO_SETTINGS_MODULE=bench.wrk_settings
PORT=${PORT:-8098}
DURATION=${DURATION:-10s}
db=${DATABASE_URL##*/}
if [ "${REUSE:-0}" != 1 ]; then
  dropdb -h 127.0.0.1 -U postgres --if-exists "$db"
  createdb -h 127.0.0.1 -U postgres "$db"
  .venv/bin/python manage.py migrate -v0
  .venv/bin/python manage.py seed_demo >/dev/null
  .venv/bin/python bench/seed_dnc.py --legacy "${LEGACY:-6000000}" \
    --dialtime "${DIALTIME:-4000000}" --accounts "${ACCOUNTS:-100000}"
fi
if [ "${1:-}" = --explain ]; then
  .venv/bin/python bench/dnc_cases.py explain
fi
# With DEBUG off the server refuses to start without collectstatic's manifest.
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn livevox_site.wsgi --bind 127.0.0.1:$PORT --workers "$(nproc)" \
  --log-level warning >/dev/null 2>&1 &
server=$!
cases=$(mktemp -d)
cleanup() {
  kill $server
  rm -rf "$cases"
  if [ "${DROP:-0}" = 1 ]; then dropdb -h 127.0.0.1 -U postgres --if-exists "$db"; fi
}
trap cleanup EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
login() {  # token, client code: prints the session id of manager_all
  curl -s -X POST "http://127.0.0.1:$PORT/session/login" -H "LV-Access: $1" \
    -H 'Content-Type: application/json' \
    -d "{\"clientName\":\"$2\",\"userName\":\"manager_all\",\"password\":\"livevox-demo\"}" \
    | sed -E 's/^\{"sessionId":"([^"]+)".*/\1/'
}
export BASE="http://127.0.0.1:$PORT"
SESSION_DIALTIME=$(login demo-token-acme ACME)
SESSION_LEGACY=$(login demo-token-beta BETA)
export SESSION_DIALTIME SESSION_LEGACY
# Picks the calls of each case from the database and checks each answer once over HTTP.
.venv/bin/python bench/dnc_cases.py cases "$cases" >"$cases/list"
mapfile -t case_lines <"$cases/list"

measure() {  # concurrency, name, wrk target args...: prints "c|name|req/s|p50|p99"
  local c=$1 name=$2 out
  shift 2
  out=$(wrk -t2 -c"$c" -d"$DURATION" --latency "$@")
  echo "$c|$name|$(awk '/Requests\/sec/ {print $2}' <<<"$out")|$(awk '$1 == "50%" {print $2}' \
    <<<"$out")|$(awk '$1 == "99%" {print $2}' <<<"$out")"
}
# The machine is shared and noisy: each case is measured right after its own ceiling run, and
# its share is against that one.
pair() {  # concurrency, name, wrk target args...: prints a table row
  local c=$1 name=$2 ceiling row rps p50 p99
  shift 2
  ceiling=$(measure "$c" ceiling "$BASE/bench/drf" | cut -d'|' -f3)
  row=$(measure "$c" "$name" "$@")
  IFS='|' read -r _ _ rps p50 p99 <<<"$row"
  printf '| %s | %s | %s | %s | %s | %s | %.2f |\n' "$c" "$name" "$rps" "$p50" "$p99" \
    "$ceiling" "$(echo "$rps / $ceiling" | bc -l)"
}
echo "| concurrency | isBlocked calls | req/s | p50 | p99 | ceiling req/s | share |"
echo "|---:|---|---:|---:|---:|---:|---:|"
for c in 8 32; do
  pair "$c" "all cases mixed" -s "$cases/mix.lua" "$BASE"
done
# Each case alone at concurrency 8 (CASES=0 skips them).
if [ "${CASES:-1}" = 1 ]; then
  for line in "${case_lines[@]}"; do
    IFS='|' read -r name slug _ <<<"$line"
    pair 8 "$name" -s "$cases/$slug.lua" "$BASE"
  done
fi
