#!/usr/bin/env bash
# Over HTTP, as docs/performance.md measured: gunicorn (one sync worker per core) on PostgreSQL, wrk
# at concurrency 8 from the same machine. Prints req/s and p99 of each endpoint and its share
# of a constant DRF view measured in the same run. Needs Debian's wrk (apt-get install wrk).
# The database named by DATABASE_URL (default livevox_wrk) is dropped and recreated.
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/livevox_wrk}
export SECRET_KEY=bench-only-not-secret-bench-only-not-secret-bench-only
export ALLOWED_HOSTS=127.0.0.1 DJANGO_SETTINGS_MODULE=bench.wrk_settings
PORT=${PORT:-8099}
DURATION=${DURATION:-10s}
db=${DATABASE_URL##*/}
dropdb -h 127.0.0.1 -U postgres --if-exists "$db"
createdb -h 127.0.0.1 -U postgres "$db"
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py seed_demo >/dev/null
# With DEBUG off the server refuses to start without collectstatic's manifest.
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn livevox_site.wsgi --bind 127.0.0.1:$PORT --workers "$(nproc)" \
  --log-level warning >/dev/null 2>&1 &
server=$!
trap 'kill $server' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
session=$(curl -s -X POST "http://127.0.0.1:$PORT/session/login" -H 'LV-Access: demo-token-acme' \
  -H 'Content-Type: application/json' \
  -d '{"clientName":"ACME","userName":"manager_all","password":"livevox-demo"}' \
  | sed -E 's/^\{"sessionId":"([^"]+)".*/\1/')

measure() {  # name, path: prints "name req/s p99"
  local out rps p99
  out=$(wrk -t2 -c8 -d"$DURATION" --latency -H "LV-Session: $session" "http://127.0.0.1:$PORT$2")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  echo "$1|$rps|$p99"
}
rows=(
  "$(measure 'constant DRF view (ceiling)' /bench/drf)"
  "$(measure 'constant DRF view + one SELECT 1' /bench/drf-one-query)"
  "$(measure '/healthz' /healthz)"
  "$(measure "GET /session/validate/{id}" "/session/validate/$session")"
  "$(measure "GET /configuration/dialingStrategies/{id}" /configuration/dialingStrategies/30953)"
  "$(measure 'GET /configuration/dialingStrategies?offset=0&count=10' '/configuration/dialingStrategies?offset=0&count=10')"
)
ceiling=$(cut -d'|' -f2 <<<"${rows[0]}")
echo "| endpoint | req/s | p99 | share of the ceiling |"
echo "|---|---:|---:|---:|"
for row in "${rows[@]}"; do
  IFS='|' read -r name rps p99 <<<"$row"
  printf '| %s | %s | %s | %.2f |\n' "$name" "$rps" "$p99" "$(echo "$rps / $ceiling" | bc -l)"
done
