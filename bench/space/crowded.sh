#!/usr/bin/env bash
# A crowded frame: one image with N boxes (default 20,000) from one annotator, checked for
# boxes drawn twice (IoU >= 0.9) twice over: as written, which the planner makes a spatial
# join, and with the score written `iou(…) + 0`, which it cannot see through and scans pair
# by pair. Prints the CPU, both wall times and both counts (which must be equal).
#
#   bench/space/crowded.sh           # 20,000 boxes
#   bench/space/crowded.sh 5000
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
boxes="${1:-20000}"
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$root/target}/release/concordant"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$boxes" > "$work/crowded.jsonl" <<'PY'
import json, random, sys
rng = random.Random(1)
for i in range(int(sys.argv[1])):
    x, y = rng.uniform(0, 1900), rng.uniform(0, 1060)
    box = [round(x, 2), round(y, 2), round(rng.uniform(4, 20), 2), round(rng.uniform(4, 20), 2)]
    print(json.dumps({"item": "frame", "kind": "obj", "id": f"b{i:06d}", "box": box, "annotator": "A"}))
    if rng.random() < 0.02:
        twin = [box[0] + 0.1, box[1], box[2], box[3]]
        print(json.dumps({"item": "frame", "kind": "obj", "id": f"b{i:06d}x", "box": twin, "annotator": "A"}))
PY
for variant in spatial scan; do
  score='iou(a.box, b.box)'
  [ "$variant" = scan ] && score='iou(a.box, b.box) + 0'
  cat > "$work/$variant.cord" <<CORD
schema { kind obj { box: box, annotator: str } }
rule drawn-twice: warning {
  for a in obj, b in obj
  where a.id < b.id and a.annotator == b.annotator
  forbid $score >= 0.9
  message "{a.id} {b.id}"
}
CORD
done
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $(wc -l < "$work/crowded.jsonl") boxes in one frame"
for variant in spatial scan; do
  start=$(date +%s.%N)
  found=$("$bin" check --rules "$work/$variant.cord" --format json --work-budget 1000000000000 "$work/crowded.jsonl" | grep -c '"type":"finding"' || true)
  end=$(date +%s.%N)
  printf '%-8s %6.2f s  %s findings\n' "$variant" "$(echo "$end - $start" | bc)" "$found"
done
