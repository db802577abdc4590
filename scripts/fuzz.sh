#!/usr/bin/env bash
# Schema-driven fuzzing of every REST route from our own OpenAPI document (/api/openapi.json) with
# Schemathesis, against a real server on 127.0.0.1 (scripts/fuzz-server.mjs; needs `npm run build`).
# Three passes: the owner of a seeded guild with real ids mixed into the generated ones (minus what
# would end the run early: logout, deleting the guild or channel), the owner with generated ids only
# (deletes too), and an outsider with real ids (every route, logout last in effect).
# Fails on any 5xx and on any response that does not match its documented status/schema.
# Schemathesis lives in a virtualenv cached outside the clone. Tunables: FUZZ_MAX_EXAMPLES (per
# operation and pass), FUZZ_MAX_TIME (seconds per pass), FUZZ_SEED, FUZZ_OUT_DIR (keep the outputs).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${FUZZ_VENV:-$HOME/.cache/retrocast/venv}
ST_VERSION=4.32.5
if [ "$("$VENV/bin/st" --version 2>/dev/null)" != "st, version $ST_VERSION" ]; then
  echo "fuzz: installing schemathesis $ST_VERSION into $VENV" >&2
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2
  fi
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$ST_VERSION" >&2
fi

work=$(mktemp -d)
out=${FUZZ_OUT_DIR:-$work} # full Schemathesis output of each pass
mkdir -p "$out"
export FUZZ_5XX_LOG="$work/5xx.log" FUZZ_STATS="$work/stats.json"
: >"$FUZZ_5XX_LOG"
node scripts/fuzz-server.mjs >"$work/seed.json" 2>"$work/server.log" &
server=$!
# `|| true`: under set -e a failing kill (server already stopped) would turn exit 0 into 1.
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 600); do [ -s "$work/seed.json" ] && break; kill -0 $server 2>/dev/null || break; sleep 0.1; done
if [ ! -s "$work/seed.json" ]; then cat "$work/server.log" >&2; echo "fuzz: server did not start" >&2; exit 1; fi

seed() { python3 -c "import json,sys; v=json.load(open('$work/seed.json'))['$1']; print(json.dumps(v) if isinstance(v, list) else v)"; }
url=$(seed url)
# Real ids are drawn for 3 out of 4 path parameters, so handlers run past their lookups.
cat >"$work/schemathesis.toml" <<EOF
[generation]
database = "none"

[dictionaries]
guilds = { values = ["$(seed guildId)"] }
channels = { values = $(seed channelIds) }
messages = { values = ["$(seed messageId)"] }
users = { values = ["$(seed ownerId)", "$(seed outsiderId)"] }
roles = { values = ["$(seed roleId)", "$(seed guildId)"] }
emojis = { values = ["$(seed emojiId)"] }
invites = { values = ["$(seed inviteCode)"] }
reactions = { values = ["%F0%9F%91%8D", "fuzz:$(seed emojiId)"] }

[parameters]
"path.guildId" = { dictionary = "guilds", probability = 0.75 }
"path.channelId" = { dictionary = "channels", probability = 0.75 }
"path.messageId" = { dictionary = "messages", probability = 0.75 }
"path.userId" = { dictionary = "users", probability = 0.75 }
"path.overwriteId" = { dictionary = "roles", probability = 0.75 }
"path.roleId" = { dictionary = "roles", probability = 0.75 }
"path.emojiId" = { dictionary = "emojis", probability = 0.75 }
"path.code" = { dictionary = "invites", probability = 0.75 }
"path.emoji" = { dictionary = "reactions", probability = 0.75 }
EOF
sed -n '/^\[generation\]/,/^$/p' "$work/schemathesis.toml" >"$work/plain.toml"
# 413 (body over the limit), 414 and 431 (an over-long /oauth2/authorize query: ours, then Node's
# header limit; both documented) are rejections too; Schemathesis does not count them by default.
for f in "$work/schemathesis.toml" "$work/plain.toml"; do
  printf '\n[checks.negative_data_rejection]\nexpected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "414", "415", "422", "428", "429", "431"]\n' >>"$f"
done

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection
status=0
pass() { # name config token [extra st args...]
  local name=$1 config=$2 token=$3
  shift 3
  echo "fuzz: pass '$name'" >&2
  # From the temp dir: Schemathesis keeps a .schemathesis/ cache in its working directory.
  if ! (cd "$work" && timeout -k 10 $((${FUZZ_MAX_TIME:-60} + 60)) "$VENV/bin/st" --config-file "$config" run "$url/api/openapi.json" \
    --url "$url" -H "Authorization: Bearer $token" --checks "$checks" \
    --max-examples "${FUZZ_MAX_EXAMPLES:-25}" --max-time "${FUZZ_MAX_TIME:-60}" --phases examples,coverage,fuzzing \
    --workers 1 --request-timeout 20 --seed "${FUZZ_SEED:-20261202}" --no-color \
    "$@") >"$out/$name.out" 2>&1; then
    status=1
  fi
  sed -n '/^=* FAILURES =*$/,/^=* SUMMARY/p' "$out/$name.out" | head -n 400 >&2
  sed -n '/^=* SUMMARY =*$/,$p' "$out/$name.out" >&2
}

pass owner "$work/schemathesis.toml" "$(seed ownerToken)" \
  --exclude-path /api/v10/auth/logout --exclude-name 'DELETE /api/v10/guilds/{guildId}' --exclude-name 'DELETE /api/v10/channels/{channelId}'
pass owner-random "$work/plain.toml" "$(seed ownerToken)" --exclude-path /api/v10/auth/logout
pass outsider "$work/schemathesis.toml" "$(seed outsiderToken)"

kill $server && wait $server || true
fives=$(wc -l <"$FUZZ_5XX_LOG")
total=$(python3 -c "import json; print(sum(json.load(open('$FUZZ_STATS')).values()))")
echo "fuzz: $total requests answered ($(cat "$FUZZ_STATS")), $fives responses of 5xx" >&2
if [ "$fives" -gt 0 ]; then sort "$FUZZ_5XX_LOG" | uniq -c | sort -rn | head -40 >&2; status=1; fi
exit $status
