#!/usr/bin/env bash
# How diarization_error and segment_f1 scale: one item of N segments a side, N from 10,000 to
# 1,000,000, 2,000 speakers, the release build, wall time and peak memory of each run.
#   bench/temporal/run.sh [N...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$root/target}/release/concordant"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
echo "| segments a side | seconds | peak RSS (MB) | µs per segment |"
echo "|---|---|---|---|"
for n in "${sizes[@]}"; do
  python3 "$here/gen.py" "$n" 2000 > "$work/one.jsonl"
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" check --rules "$here/rules.cord" \
    --max-item-records 3000000 --work-budget 1000000000000 "$work/one.jsonl" > /dev/null || true
  read -r seconds kb < <(tail -n 1 "$work/time")
  echo "| $n | $seconds | $((kb / 1024)) | $(python3 -c "print(round($seconds * 1e6 / $n, 2))") |"
done
