#!/usr/bin/env bash
# Benchmark Concordant against the DuckDB and polars reference peers in ../shared/bench.
#
#   bench/run.sh                       # 100k, 1M and 3M records; 1M and 3M in every layout
#                                      # (grouped, one file per kind, shuffled); 3 runs each
#   bench/run.sh --items 10000 --layout-items 10000 --runs 5
#
# Builds the release binary, creates the peers' venv (bench/.venv, from the peers'
# requirements.txt) if missing, generates the data with ../shared/bench/gen.py, and runs
# bench/compare.py, which prints the Markdown table used in docs/performance.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
peers="${PEERS_DIR:-$root/../shared/bench}"
venv="${VENV:-$root/bench/.venv}"
if [ ! -x "$venv/bin/python" ]; then
  echo "creating $venv for the DuckDB and polars peers" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$peers/requirements.txt"
fi
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
exec "$venv/bin/python" "$root/bench/compare.py" \
  --concordant "$root/target/release/concordant" --rules "$root/rules" \
  --peers-dir "$peers" "$@"
