#!/usr/bin/env bash
# Builds a commit of the server into its own folder, so a long benchmark is not disturbed by edits
# and rebuilds in the working tree: `bash bench/scripts/snapshot.sh [commit|worktree] [dir]`, then run the
# bench with BENCH_SERVER_DIR=<dir>. Dependencies are the working tree's node_modules, linked entry
# by entry, except the workspace packages, which point into the snapshot.
set -euo pipefail
cd "$(dirname "$0")/../.."
commit=${1:-HEAD}
dir=${2:-/tmp/retrocast-bench-snapshot}
rm -rf "$dir" && mkdir -p "$dir/node_modules/@retrocast"
if [ "$commit" = worktree ]; then
  tar -c --exclude=dist --exclude='*.tsbuildinfo' protocol server package.json tsconfig.base.json | tar -x -C "$dir"
else
  git archive "$commit" protocol server package.json tsconfig.base.json | tar -x -C "$dir"
fi
for entry in node_modules/* node_modules/.bin; do
  name=$(basename "$entry")
  [ "$name" = "@retrocast" ] || ln -s "$PWD/$entry" "$dir/node_modules/$name"
done
ln -s "$dir/protocol" "$dir/node_modules/@retrocast/protocol"
ln -s "$dir/server" "$dir/node_modules/@retrocast/server"
(cd "$dir/protocol" && npx tsc -b)
# The server emits even when a half-finished file elsewhere fails the typecheck.
(cd "$dir/server" && npx tsc -b) || echo "snapshot: server typecheck failed; built anyway" >&2
test -f "$dir/server/dist/main.js"
# The bench report names what it measured.
if [ "$commit" = worktree ]; then echo "$(git rev-parse --short HEAD)+worktree" > "$dir/BENCH_COMMIT"; else git rev-parse --short "$commit" > "$dir/BENCH_COMMIT"; fi
echo "built $commit into $dir: BENCH_SERVER_DIR=$dir npm run bench"
