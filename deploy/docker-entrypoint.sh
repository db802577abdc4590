#!/bin/sh
# Container entrypoint: checks DATA_DIR, then runs the server or one of the operator commands.
#   serve (default)            the server (SIGTERM reaches it directly: exec, no shell in between)
#   admin <command…>           npm run admin (reaches the running server over DATA_DIR/admin.sock)
#   backup <file> | restore <file> [--force]
#   anything else              run as given (e.g. sh)
set -eu
APP_DIR="${APP_DIR:-/app}"
DATA_DIR="${DATA_DIR:-/data}"

if ! mkdir -p "$DATA_DIR" 2>/dev/null || ! [ -w "$DATA_DIR" ]; then
  echo "retrocast: DATA_DIR $DATA_DIR is not writable by uid $(id -u); mount a volume there (chown $(id -u))" >&2
  exit 64
fi

# V8's helper threads: one fewer than the CPUs, 1 to 4, so the main thread keeps a core (the rule
# of scripts/server-node-flags.mjs, which npm start uses; the image has no scripts/).
pool=$(($(nproc 2>/dev/null || echo 2) - 1))
if [ "$pool" -lt 1 ]; then pool=1; fi
if [ "$pool" -gt 4 ]; then pool=4; fi

cmd="${1:-serve}"
[ "$#" -gt 0 ] && shift
case "$cmd" in
  serve) exec node --v8-pool-size="$pool" "$APP_DIR/server/dist/main.js" "$@" ;;
  admin) exec node "$APP_DIR/server/dist/admin/cli.js" "$@" ;;
  backup | restore) exec node "$APP_DIR/server/dist/admin/cli.js" "$cmd" "$@" ;;
  *) exec "$cmd" "$@" ;;
esac
