#!/usr/bin/env bash
# Schemathesis (PyPI, pinned) with all of its checks against a real node: `anton serve` on its
# embedded default (SQLite, a generated local CA, verified with --tls-verify), a fresh merchant
# and test key, a funded balance. Exit status: Schemathesis's (0 = no failure and no response
# that contradicts docs/openapi.json). .ci/run runs it; it installs what it needs itself.
#
#   scripts/schemathesis.sh [extra schemathesis arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.32.5
VENV="target/tools/schemathesis-$VERSION"
if [ ! -x "$VENV/bin/schemathesis" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "schemathesis==$VERSION"
fi

ANTON_GIVEN="${ANTON:-}"
ANTON="${ANTON:-${CARGO_TARGET_DIR:-target}/debug/anton}"
# Current with the tree (a no-op when it is), unless ANTON names another binary.
[ -n "${ANTON_GIVEN:-}" ] || cargo build --locked -q -p anton-server

WORK="$(mktemp -d)"
DATA="$WORK/data"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$ANTON" serve --data-dir "$DATA" --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
BASE="https://localhost:$PORT"
CA="$DATA/tls/ca.pem"
for _ in $(seq 100); do
  [ -f "$CA" ] && curl -sf --cacert "$CA" "$BASE/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -sf --cacert "$CA" "$BASE/healthz" >/dev/null

MER="$("$ANTON" merchants create --data-dir "$DATA" "Schemathesis")"
# Generous limits, so the run tests the API rather than the rate limiter (429 is still documented).
"$ANTON" merchants set-rate-limit --data-dir "$DATA" "$MER" --live 100000 --test 100000 >/dev/null
KEY="$("$ANTON" keys create --data-dir "$DATA" --merchant "$MER" --env test --quiet)"
"$ANTON" balance fund --data-dir "$DATA" --merchant "$MER" --env test --currency USD \
  --amount 100000000 >/dev/null

"$VENV/bin/schemathesis" run docs/openapi.json \
  --url "$BASE" \
  --tls-verify "$CA" \
  --header "Authorization: Bearer $KEY" \
  --checks all \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-25}" \
  --seed "${SCHEMATHESIS_SEED:-1}" \
  --no-color \
  --report-dir "$WORK/report" \
  --generation-database none \
  "$@"
