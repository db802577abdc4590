#!/usr/bin/env bash
# Builds (once, into .cache/minio) and starts MinIO on loopback for the S3 blob-store suites.
# Idempotent: a running MinIO on the port is left alone. Prints the environment to export
# (TEST_S3_ENDPOINT, TEST_S3_ACCESS_KEY_ID, TEST_S3_SECRET_ACCESS_KEY, TEST_S3_REGION).
set -euo pipefail
cd "$(dirname "$0")/.."

MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
BIN_DIR=$PWD/.cache/minio
BIN=$BIN_DIR/minio
PORT=${MINIO_PORT:-59000}
DATA=${MINIO_DATA_DIR:-/tmp/retrocast-minio}
USER_=${MINIO_ROOT_USER:-retrocast}
PASS=${MINIO_ROOT_PASSWORD:-retrocast-secret}

if [ ! -x "$BIN" ] || [ "$(cat "$BIN_DIR/version" 2>/dev/null)" != "$MINIO_VERSION" ]; then
  echo "minio: building $MINIO_VERSION (about 4 minutes)" >&2
  mkdir -p "$BIN_DIR"
  GOBIN=$BIN_DIR go install "github.com/minio/minio@$MINIO_VERSION" >&2
  echo "$MINIO_VERSION" >"$BIN_DIR/version"
fi

# Node is always there (curl may not be).
ready() { node -e "fetch('http://127.0.0.1:$PORT/minio/health/live').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))" 2>/dev/null; }
if ! ready; then
  mkdir -p "$DATA"
  MINIO_ROOT_USER=$USER_ MINIO_ROOT_PASSWORD=$PASS MINIO_BROWSER=off \
    nohup "$BIN" server --quiet --address "127.0.0.1:$PORT" "$DATA" >"$DATA.log" 2>&1 &
  echo $! >"$DATA.pid"
  for _ in $(seq 100); do ready && break; sleep 0.2; done
  ready || { echo "minio: did not start, see $DATA.log" >&2; exit 1; }
fi

echo "export TEST_S3_ENDPOINT=http://127.0.0.1:$PORT"
echo "export TEST_S3_ACCESS_KEY_ID=$USER_"
echo "export TEST_S3_SECRET_ACCESS_KEY=$PASS"
echo "export TEST_S3_REGION=us-east-1"
