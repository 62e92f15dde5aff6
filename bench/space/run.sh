#!/usr/bin/env bash
# The spatial benchmark: box agreement between three annotators (greedy one-to-one matching)
# and duplicate boxes, on about 1M boxes (bench/space/gen.py), Concordant against a vectorised
# polars/numpy reference (bench/space/reference.py), side by side, interleaved.
#
#   bench/space/run.sh                  # 48,000 images (about 1M boxes), 3 runs each
#   bench/space/run.sh 5000 5           # 5,000 images, 5 runs each
#
# Prints the CPU, a Markdown table of median wall times and peak memory, the ratios the issue
# asks for (Concordant ÷ reference, Concordant ÷ its own parse-only pass) and whether the
# counts are identical. The reference's venv is made once in CONCORDANT_CACHE.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
images="${1:-48000}"
runs="${2:-3}"
cache="${CONCORDANT_CACHE:-$HOME/.cache/concordant}"
venv="$cache/venv-bench-space"
if [ ! -x "$venv/bin/python" ]; then
  echo "creating $venv (polars, numpy, shapely)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$root/target}/release/concordant"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 "$here/gen.py" "$images" > "$work/boxes.jsonl"
exec "$venv/bin/python" "$here/compare.py" --concordant "$bin" --rules "$here/rules.cord" \
  --reference "$here/reference.py" --data "$work/boxes.jsonl" --runs "$runs"
