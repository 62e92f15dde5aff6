#!/usr/bin/env bash
# Recomputes tests/metrics/reference.json with the reference implementations (scikit-learn,
# statsmodels, krippendorff, pyannote.metrics) in a venv of their own, from the data in
# ../shared (beside the repository). tests/metrics.rs holds Concordant to these values.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${VENV:-$here/.venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi
"$venv/bin/python" "$here/reference.py" "$@"
