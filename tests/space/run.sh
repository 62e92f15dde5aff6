#!/usr/bin/env bash
# Holds the geometry built-ins to shapely's answers on randomised boxes, rotated boxes and
# polygons (to 1e-9), and one-to-one box matching to a plain Python greedy matcher. Creates
# its venv once (CONCORDANT_CACHE, default ~/.cache/concordant) and reuses it.
#
#   tests/space/run.sh               # a fresh random seed, printed
#   tests/space/run.sh --seed 7      # the same cases again
#   tests/space/run.sh --cases 5000
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${CONCORDANT_CACHE:-$HOME/.cache/concordant}"
venv="$cache/venv-space"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import shapely" 2>/dev/null; then
  echo "creating $venv (shapely)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi
cargo build --quiet --manifest-path "$root/Cargo.toml"
exec "$venv/bin/python" "$here/reference.py" --concordant "$root/target/debug/concordant" "$@"
