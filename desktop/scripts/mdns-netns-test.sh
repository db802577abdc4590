#!/usr/bin/env bash
# Runs the mDNS discovery test inside a throwaway network namespace whose only interface is a
# multicast-enabled loopback: real mDNS packets, none of them on the machine's interfaces.
set -euo pipefail
cd "$(dirname "$0")/.."
ns="rc-desk-mdns-$$"
ip netns add "$ns"
trap 'ip netns delete "$ns"' EXIT
ip -n "$ns" link set lo up
ip -n "$ns" link set lo multicast on
ip -n "$ns" route add 224.0.0.0/4 dev lo
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/retrocast/desktop-target}"
# Build outside the namespace (no registry access needed inside), run the test binary inside.
cargo test --manifest-path src-tauri/Cargo.toml -p retrocast-desktop-core --test discovery_netns --no-run
ip netns exec "$ns" cargo test --offline --manifest-path src-tauri/Cargo.toml -p retrocast-desktop-core --test discovery_netns -- --ignored
