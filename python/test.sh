#!/usr/bin/env bash
# Builds the Python package into its own venv (python/.venv) with maturin and runs its tests.
#   python/test.sh [pytest arguments]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${VENV:-$here/.venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "maturin==1.16.0" "pytest==8.4.2" "pandas==2.3.3" "pyarrow==21.0.0" \
    "pyspark==3.5.6"
fi
cd "$here"
VIRTUAL_ENV="$venv" "$venv/bin/maturin" develop --quiet
# The tests compare with the command line's output.
cargo build --quiet --manifest-path "$here/../Cargo.toml"
export CONCORDANT="${CARGO_TARGET_DIR:-$here/../target}/debug/concordant"
# Spark's Python workers run in this venv too (local mode; Java is on the machine).
export PYSPARK_PYTHON="$venv/bin/python"
cd "$here/.."
"$venv/bin/python" -m pytest -q "$here/tests" "$@"
