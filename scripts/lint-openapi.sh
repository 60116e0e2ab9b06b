#!/usr/bin/env bash
# Lints the committed OpenAPI document (docs/openapi.json) with Redocly CLI and the committed
# ruleset (.redocly.yaml). Fails on any error or warning, in the document or in the ruleset.
#
# Redocly is installed at a pinned version into target/tools/redocly (git-ignored, like every
# build output) the first time; later runs reuse it. Needs Node.js >= 20.19 and npm.
#
#   scripts/lint-openapi.sh
set -euo pipefail
cd "$(dirname "$0")/.."

REDOCLY_VERSION="2.77.0"
PREFIX="target/tools/redocly"
BIN="$PREFIX/node_modules/.bin/redocly"

installed_version() {
  node -p "require('./$PREFIX/node_modules/@redocly/cli/package.json').version" 2>/dev/null || true
}

if [ ! -x "$BIN" ] || [ "$(installed_version)" != "$REDOCLY_VERSION" ]; then
  mkdir -p "$PREFIX"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$PREFIX" \
    "@redocly/cli@$REDOCLY_VERSION"
fi

# No usage telemetry or update checks from CI or developers' machines.
export REDOCLY_TELEMETRY=off
export REDOCLY_SUPPRESS_UPDATE_NOTICE=true

lint() {
  "$BIN" lint docs/openapi.json --config .redocly.yaml --lint-config error --max-problems 1000 "$@"
}

# Readable report; its status fails the script on any error.
lint --format stylish
# Redocly exits 0 on warnings: count them too, so a warning-level rule cannot slip through.
REPORT="$(mktemp)"
trap 'rm -f "$REPORT"' EXIT
lint --format json >"$REPORT" 2>/dev/null || true
node -e '
  const totals = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).totals;
  console.log(`OpenAPI lint: ${totals.errors} errors, ${totals.warnings} warnings`);
  process.exit(totals.errors + totals.warnings === 0 ? 0 : 1);
' "$REPORT"
