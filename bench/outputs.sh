#!/usr/bin/env bash
# Peak memory of every output format on 1 million findings, beside `--parse-only` on the same
# input (docs/robustness.md): 10,000 clips of 100 speech turns with no transcript, checked by
# `speech-needs-transcript`. The release build; one run each.
#   bench/outputs.sh [CLIPS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
clips="${1:-10000}"
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$root/target}/release/concordant"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$clips" > "$work/data.jsonl" <<'PY'
import sys
for c in range(int(sys.argv[1])):
    for i in range(100):
        print('{"item":"clip%d","kind":"speech","id":"s%d","start":%d,"end":%d.5,"speaker":"a"}' % (c, i, i, i))
PY
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
echo "| format | seconds | peak RSS (MB) | output (MB) |"
echo "|---|---|---|---|"
for format in parse-only json github sarif human html; do
  flags=(--format "$format")
  [ "$format" = parse-only ] && flags=(--format json --parse-only)
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" check --rules "$root/rules" \
    --select speech-needs-transcript "${flags[@]}" --output "$work/out" "$work/data.jsonl" || true
  read -r seconds kb < <(tail -n 1 "$work/time")
  echo "| $format | $seconds | $((kb / 1024)) | $(( $(stat -c %s "$work/out") / 1048576 )) |"
done
