#!/usr/bin/env bash
# Fetches the official ISO 20022 schema for pain.001.001.09 (the Standards Editor's XSD, as
# published by ISO 20022 Registration Authority) into DIR and prints its path. The schema is
# not vendored here: it comes from the `sepaxml` package on PyPI (MIT; it ships ISO's XSDs
# unchanged), pinned by version and checked by the schema file's SHA-256, so CI validates
# Anton's files against exactly this schema.
#
#   scripts/fetch-iso20022-xsd.sh target/tools/iso20022
set -euo pipefail
DIR="${1:?usage: $0 DIR}"
VERSION="2.7.0"
XSD="pain.001.001.09.xsd"
SHA256="de038b373e47b0077b1832ddd81f4b2f1eb25d35721f62da1e38b7f5a09fda24"

mkdir -p "$DIR"
if ! echo "$SHA256  $DIR/$XSD" | sha256sum --check --status 2>/dev/null; then
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$scratch" "sepaxml==$VERSION" >&2
  python3 - "$scratch" "$DIR/$XSD" "$XSD" <<'PY'
import pathlib, sys, zipfile
wheel = next(pathlib.Path(sys.argv[1]).glob("sepaxml-*.whl"))
with zipfile.ZipFile(wheel) as z:
    pathlib.Path(sys.argv[2]).write_bytes(z.read("sepaxml/schemas/" + sys.argv[3]))
PY
  echo "$SHA256  $DIR/$XSD" | sha256sum --check --quiet >&2
fi
echo "$DIR/$XSD"
