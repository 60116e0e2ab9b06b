#!/usr/bin/env bash
# Schemathesis (PyPI, pinned) with all of its checks against a real node: `anton serve` on its
# embedded default (SQLite, a generated local CA, verified with --tls-verify), a fresh merchant
# and test key, funded balances. Exit status: Schemathesis's (0 = no failure and no response
# that contradicts docs/openapi.json). .ci/run runs it; it installs what it needs itself.
# scripts/schemathesis_hooks.py gives valid requests what a schema cannot state (fresh
# idempotency keys, existing ids, check digits, a webhook URL the node may send to); it says
# why for each.
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
# The hooks' webhook URLs name localhost on a port nothing listens on (a machine offline resolves
# no public host; a refused connection fails an attempt at once), so localhost is allowed. The
# failed-authentication limits are raised: Schemathesis sends invalid keys by the thousand and
# checks each gets 401, as the rate limit is raised for the merchant below (429 stays documented).
CLOSED_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
ANTON_WEBHOOKS__ALLOW_PRIVATE='["localhost"]' ANTON_METRICS__LISTEN=127.0.0.1:0 \
  ANTON_HTTP__AUTH_FAILURES_PER_ADDRESS_PER_S=1000000 \
  ANTON_HTTP__AUTH_FAILURES_PER_NODE_PER_S=1000000 \
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
for currency in USD EUR GBP; do
  "$ANTON" balance fund --data-dir "$DATA" --merchant "$MER" --env test --currency "$currency" \
    --amount 100000000000 >/dev/null
done

export SCHEMATHESIS_HOOKS=scripts/schemathesis_hooks.py
export ANTON_SCHEMATHESIS_URL="$BASE" ANTON_SCHEMATHESIS_CA="$CA" ANTON_SCHEMATHESIS_KEY="$KEY"
export ANTON_SCHEMATHESIS_HOOK_URL="https://localhost:$CLOSED_PORT/anton"

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
