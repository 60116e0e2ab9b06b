#!/usr/bin/env bash
# The generated clients under clients/, checked the way CI needs them:
#   1. regenerated from docs/openapi.json with the pinned generators — fails when the committed
#      code is stale (run `scripts/check-clients.sh --update` to rewrite it);
#   2. built (TypeScript: tsc; Python: installed into a virtualenv);
#   3. both examples run against a real node: `anton serve` on its embedded default (SQLite, a
#      generated local CA that the clients verify), workers on, `localhost` allowed as a webhook
#      destination so the examples can receive their own deliveries.
# Installs what it needs (npm, PyPI) under target/tools and clients/typescript/node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."

OPC_VERSION=0.29.1           # openapi-python-client
STANDARDWEBHOOKS_VERSION=1.3.0
UPDATE=0
[ "${1:-}" = "--update" ] && UPDATE=1
WORK="$(mktemp -d)"
cleanup() {
  if [ -n "${SERVER:-}" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

step() { printf '\n--> %s\n' "$*"; }

step "TypeScript: dependencies (npm ci, pinned by package-lock.json)"
(cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error)

step "TypeScript: regenerate src/schema.d.ts"
(cd clients/typescript && npx --no-install openapi-typescript ../../docs/openapi.json \
  --default-non-nullable false --output "$WORK/schema.d.ts" >/dev/null)
if [ "$UPDATE" = 1 ]; then
  cp "$WORK/schema.d.ts" clients/typescript/src/schema.d.ts
elif ! cmp -s "$WORK/schema.d.ts" clients/typescript/src/schema.d.ts; then
  echo "clients/typescript/src/schema.d.ts is stale: run scripts/check-clients.sh --update" >&2
  exit 1
fi

step "Python: regenerate anton-client (openapi-python-client $OPC_VERSION)"
OPC="target/tools/openapi-python-client-$OPC_VERSION"
if [ ! -x "$OPC/bin/openapi-python-client" ]; then
  python3 -m venv "$OPC"
  "$OPC/bin/pip" install --quiet "openapi-python-client==$OPC_VERSION"
fi
"$OPC/bin/openapi-python-client" generate --path docs/openapi.json \
  --config clients/python/generator.yaml --meta setup \
  --output-path "$WORK/anton-client" >/dev/null
if [ "$UPDATE" = 1 ]; then
  rm -rf clients/python/anton-client
  cp -r "$WORK/anton-client" clients/python/anton-client
elif ! diff -r -q "$WORK/anton-client" clients/python/anton-client; then
  echo "clients/python/anton-client is stale: run scripts/check-clients.sh --update" >&2
  exit 1
fi

step "TypeScript: build"
(cd clients/typescript && npx --no-install tsc -p .)

step "Python: install the client and the Standard Webhooks library"
PY="target/tools/python-client"
[ -x "$PY/bin/python" ] || python3 -m venv "$PY"
# From the regenerated copy (identical to the committed one, checked above): building in place
# would leave build/ and *.egg-info in the source tree.
"$PY/bin/pip" install --quiet --force-reinstall --no-deps "$WORK/anton-client"
"$PY/bin/pip" install --quiet "$WORK/anton-client" "standardwebhooks==$STANDARDWEBHOOKS_VERSION"

step "a real node"
ANTON_GIVEN="${ANTON:-}"
ANTON="${ANTON:-${CARGO_TARGET_DIR:-target}/debug/anton}"
# Current with the tree (a no-op when it is), unless ANTON names another binary.
[ -n "${ANTON_GIVEN:-}" ] || cargo build --locked -q -p anton-server
DATA="$WORK/data"
printf '[webhooks]\nallow_private = ["localhost"]\n[metrics]\nlisten = "127.0.0.1:0"\n' >"$WORK/anton.toml"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$ANTON" serve --config "$WORK/anton.toml" --data-dir "$DATA" --listen "127.0.0.1:$PORT" \
  >"$WORK/server.log" 2>&1 &
SERVER=$!
BASE="https://localhost:$PORT"
CA="$DATA/tls/ca.pem"
for _ in $(seq 100); do
  [ -f "$CA" ] && curl -sf --cacert "$CA" "$BASE/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -sf --cacert "$CA" "$BASE/healthz" >/dev/null
MER="$("$ANTON" merchants create --config "$WORK/anton.toml" --data-dir "$DATA" "Client examples")"
KEY="$("$ANTON" keys create --config "$WORK/anton.toml" --data-dir "$DATA" --merchant "$MER" \
  --env test --quiet)"

step "TypeScript example"
ANTON_BASE_URL="$BASE" ANTON_API_KEY="$KEY" NODE_EXTRA_CA_CERTS="$CA" \
  node clients/typescript/dist/example.js

step "Python example"
ANTON_BASE_URL="$BASE" ANTON_API_KEY="$KEY" ANTON_CA_FILE="$CA" \
  "$PY/bin/python" clients/python/example.py
