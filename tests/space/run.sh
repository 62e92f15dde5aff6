#!/usr/bin/env bash
# Holds the geometry built-ins to shapely's answers on randomised boxes, rotated boxes and
# polygons (to 1e-9), one-to-one box matching to a plain Python greedy matcher, and Label
# Studio video tracks frame by frame to label-studio-tools' extract_key_frames. Creates
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
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import shapely, label_studio_tools" 2>/dev/null; then
  echo "creating $venv (shapely, label-studio-tools)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi
cargo build --quiet --manifest-path "$root/Cargo.toml"
"$venv/bin/python" "$here/reference.py" --concordant "$root/target/debug/concordant" "$@"
# Label Studio video tracks, frame by frame, against label-studio-tools on the real exports.
videos="$root/../shared/data/label-studio"
if [ -d "$videos" ]; then
  "$venv/bin/python" "$here/tracks.py" "$root/target/debug/concordant" \
    "$videos/tests/pathtrack/ls-video.json" \
    "$videos/label_studio_ml/examples/yolo/tests/opossum_snow_short_1.json" \
    "$videos/label_studio_ml/examples/yolo/tests/opossum_snow_short_2.json"
elif [ -n "${CONCORDANT_REQUIRE_SHARED:-}" ]; then
  echo "../shared/data/label-studio is missing, and CONCORDANT_REQUIRE_SHARED says every check must run" >&2
  exit 1
else
  echo "skipped the video-track comparison: needs ../shared/data/label-studio beside the repository"
fi
