#!/usr/bin/env bash
# Starts `ownerhub serve` on a free port with a throw-away SQLite database, runs
# the graphql-http audit against it (tools/graphql_http_audit.cjs), stops it.
# Needs tools/setup_node.sh to have run. Used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"

work="$(mktemp -d)"
port="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
DATABASE_URL="sqlite+aiosqlite:///$work/audit.sqlite3" MAIL_DIR="$work/mail" MEDIA_DIR="$work/media" \
  OUTBOX_WORKER=external ENVIRONMENT="${ENVIRONMENT:-development}" \
  "$PYTHON" cli.py serve --host 127.0.0.1 --port "$port" >"$work/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

for _ in $(seq 1 100); do
  if "$PYTHON" -c "import httpx, sys; sys.exit(httpx.get('http://127.0.0.1:$port/healthz').status_code != 200)" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$server" 2>/dev/null; then cat "$work/server.log" >&2; exit 1; fi
  sleep 0.3
done

node tools/graphql_http_audit.cjs "http://127.0.0.1:$port/graphql"
