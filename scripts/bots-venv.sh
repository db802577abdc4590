#!/usr/bin/env bash
# discord.py 2.x for the bot-library suite (server/src/bots/libraries.slow.test.ts), in a virtualenv
# cached outside the clone. Idempotent: a venv that already imports discord is kept. Prints the
# variable to export.
set -euo pipefail
VENV="${RETROCAST_BOTS_VENV:-$HOME/.cache/retrocast/venv-bots}"
if ! "$VENV/bin/python" -c 'import discord, sys; sys.exit(0 if discord.version_info.major == 2 else 1)' >/dev/null 2>&1; then
  if ! python3 -m venv --help >/dev/null 2>&1; then
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >&2
  fi
  rm -rf "$VENV"
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install -q --disable-pip-version-check 'discord.py>=2.4,<3' >&2
fi
echo "RETROCAST_BOTS_PYTHON=$VENV/bin/python"
