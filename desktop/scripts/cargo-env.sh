#!/usr/bin/env bash
# Runs a command with Cargo's target directory outside the clone (reused across clones and CI
# runs on this machine, so rebuilds are incremental) and the Tauri CLI on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/retrocast/desktop-target}"
export PATH="$PWD/node_modules/.bin:$PWD/../node_modules/.bin:$HOME/.cargo/bin:$PATH"
exec "$@"
