#!/usr/bin/env bash
# Sourced by .ci/run: notes which services are already up before the run, and at exit drops the
# rc_test_* databases the run created and stops the services the run started (so CI leaves the
# machine as it found it). A developer's running services and databases are left alone.
PGPORT=${PGPORT:-55432}
REDIS_PORT=${REDIS_PORT:-56379}
MINIO_PORT=${MINIO_PORT:-59000}
CI_PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
ci_pg_up() { [ -n "$CI_PGBIN" ] && "$CI_PGBIN/pg_isready" -h 127.0.0.1 -p "$PGPORT" -q 2>/dev/null; }
ci_redis_up() { command -v redis-cli >/dev/null && redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; }
ci_minio_up() { node -e "fetch('http://127.0.0.1:$MINIO_PORT/minio/health/live').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))" 2>/dev/null; }
ci_test_dbs() { ci_pg_up && "$CI_PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -Atc "select datname from pg_database where datname like 'rc\_test\_%'" postgres 2>/dev/null | sort; }

CI_PG_WAS_UP=0; ci_pg_up && CI_PG_WAS_UP=1
CI_REDIS_WAS_UP=0; ci_redis_up && CI_REDIS_WAS_UP=1
CI_MINIO_WAS_UP=0; ci_minio_up && CI_MINIO_WAS_UP=1
CI_DBS_BEFORE=$(mktemp)
ci_test_dbs >"$CI_DBS_BEFORE" || true

ci_cleanup() {
  local code=$?
  if ci_pg_up; then
    local n=0
    for db in $(comm -13 "$CI_DBS_BEFORE" <(ci_test_dbs)); do
      "$CI_PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "drop database if exists \"$db\" with (force)" postgres >/dev/null 2>&1 && n=$((n + 1))
    done
    echo "ci: dropped $n test databases" >&2
  fi
  rm -f "$CI_DBS_BEFORE"
  if [ "$CI_PG_WAS_UP" = 0 ] && ci_pg_up; then
    su postgres -c "$CI_PGBIN/pg_ctl -D ${PGDATA_DIR:-/tmp/retrocast-pg} -m fast -w stop" >/dev/null 2>&1 && echo "ci: stopped PostgreSQL" >&2
  fi
  if [ "$CI_REDIS_WAS_UP" = 0 ] && ci_redis_up; then
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    echo "ci: stopped Redis" >&2
  fi
  local pidfile="${MINIO_DATA_DIR:-/tmp/retrocast-minio}.pid"
  if [ "$CI_MINIO_WAS_UP" = 0 ] && [ -f "$pidfile" ]; then
    kill "$(cat "$pidfile")" 2>/dev/null && echo "ci: stopped MinIO" >&2
    rm -f "$pidfile"
  fi
  exit "$code"
}
trap ci_cleanup EXIT
