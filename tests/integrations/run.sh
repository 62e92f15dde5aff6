#!/usr/bin/env bash
# The CI integrations, run as their hosts run them: the hooks of .pre-commit-hooks.yaml under
# the real pre-commit (from PyPI, in a venv made once in CONCORDANT_CACHE) on a starter project,
# and the shell steps of the composite GitHub Action (action.yml) with its inputs filled in.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${CONCORDANT_CACHE:-$HOME/.cache/concordant}"
venv="$cache/venv-integrations"
if [ ! -x "$venv/bin/pre-commit" ]; then
  echo "installing pre-commit into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "pre-commit==4.0.1"
fi
cargo build --quiet --manifest-path "$root/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$root/target}/debug/concordant"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
PRE_COMMIT_HOME="$work/pre-commit-home" "$venv/bin/python" "$here/integrations.py" "$root" "$bin" "$work" "$venv/bin/pre-commit"
