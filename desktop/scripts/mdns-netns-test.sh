#!/usr/bin/env bash
# mDNS discovery with real packets, none on the machine's interfaces: everything runs in throwaway
# network namespaces that are deleted on exit.
#  1. an mdns-sd advertiser and the app's browser in one namespace (multicast-enabled loopback);
#  2. the real server (server/dist, TLS and mDNS on) in one namespace and the app's browser in
#     another, joined by a veth pair with private addresses that exist only inside them.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/retrocast/desktop-target}"
id=$$
lo_ns="rcd-lo-$id" srv_ns="rcd-srv-$id" cli_ns="rcd-cli-$id"
data=$(mktemp -d)
cleanup() {
  for ns in "$srv_ns" "$cli_ns" "$lo_ns"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
  done
  sleep 1
  for ns in "$srv_ns" "$cli_ns" "$lo_ns"; do ip netns delete "$ns" 2>/dev/null || true; done
  rm -rf "$data"
}
trap cleanup EXIT
test_cmd=(cargo test --offline --manifest-path src-tauri/Cargo.toml -p retrocast-desktop-core --test discovery_netns)
# Built outside the namespaces; inside, cargo only runs the test binary.
"${test_cmd[@]}" --no-run

ip netns add "$lo_ns"
ip -n "$lo_ns" link set lo up
ip -n "$lo_ns" link set lo multicast on
ip -n "$lo_ns" route add 224.0.0.0/4 dev lo
ip netns exec "$lo_ns" "${test_cmd[@]}" -- --ignored --exact browse_finds_an_advertised_server_and_reads_its_txt_record

ip netns add "$srv_ns"
ip netns add "$cli_ns"
ip link add "rcds$id" type veth peer name "rcdc$id"
ip link set "rcds$id" netns "$srv_ns"
ip link set "rcdc$id" netns "$cli_ns"
ip -n "$srv_ns" addr add 10.213.7.1/24 dev "rcds$id"
ip -n "$cli_ns" addr add 10.213.7.2/24 dev "rcdc$id"
for ns in "$srv_ns" "$cli_ns"; do ip -n "$ns" link set lo up; done
ip -n "$srv_ns" link set "rcds$id" up
ip -n "$cli_ns" link set "rcdc$id" up
ip netns exec "$srv_ns" env HOST=0.0.0.0 PORT=8080 HTTPS_PORT=8443 TLS=on MDNS=on MDNS_NAME=retrocast DATA_DIR="$data" \
  DATABASE_URL= REDIS_URL= LIVEKIT_MODE=off LOG_LEVEL=warn WEB_DIR="$PWD/../web/build" node ../server/dist/main.js &
ca=""
for _ in $(seq 1 120); do
  ca=$(ip netns exec "$cli_ns" curl -sf --max-time 2 http://10.213.7.1:8080/ca.crt 2>/dev/null || true)
  [ -n "$ca" ] && break
  sleep 0.5
done
[ -n "$ca" ] || { echo "mdns-netns-test: the server did not serve /ca.crt" >&2; exit 1; }
fp=$(printf '%s\n' "$ca" | openssl x509 -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr 'A-F' 'a-f')
ip netns exec "$cli_ns" env RETROCAST_EXPECT_URL=https://10.213.7.1:8443 RETROCAST_EXPECT_CA="$fp" \
  "${test_cmd[@]}" -- --ignored --exact browse_finds_a_real_retrocast_server
