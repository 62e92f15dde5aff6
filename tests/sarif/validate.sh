#!/usr/bin/env bash
# Validates Concordant's SARIF output against the SARIF 2.1.0 schema in ../shared/schemas,
# with the `jsonschema` package in a venv of its own (tests/sarif/.venv).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${VENV:-$here/.venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "jsonschema==4.23.0"
fi
cargo build --quiet --manifest-path "$root/Cargo.toml"
"$venv/bin/python" "$here/validate.py" "${CARGO_TARGET_DIR:-$root/target}/debug/concordant"
