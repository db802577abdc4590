#!/usr/bin/env bash
# CI for the desktop app (called by .ci/run): Debian build deps, the Linux build (.deb) with the
# Cargo target dir cached outside the clone, `cargo test` for the bridge/server list/discovery,
# and the run test (the built app under Xvfb against a real server). Prints build time and sizes.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev libssl-dev build-essential pkg-config file
  webkit2gtk-driver xvfb xdotool imagemagick dbus curl iproute2 openssl)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v cargo >/dev/null || { echo "desktop: cargo (Rust) is required" >&2; exit 1; }

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/retrocast/desktop-target}"
start=$(date +%s)
# Lowest priority: the machine is shared; the build is the heaviest thing CI does.
nice -n 10 bash scripts/cargo-env.sh tauri build --bundles deb --ci
echo "desktop: build took $(($(date +%s) - start)) s (incremental when $CARGO_TARGET_DIR is warm)"
bin="$CARGO_TARGET_DIR/release/retrocast-desktop"
deb=$(ls -t "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb | head -1)
echo "desktop: binary $(du -b "$bin" | cut -f1) bytes, .deb $(du -b "$deb" | cut -f1) bytes ($deb)"

nice -n 10 bash scripts/cargo-env.sh cargo test --manifest-path src-tauri/Cargo.toml -p retrocast-desktop-core
bash scripts/mdns-netns-test.sh
RETROCAST_DESKTOP_BIN="$bin" npx vitest run --config vitest.config.ts
