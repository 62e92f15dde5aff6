#!/usr/bin/env bash
# The HTML report of the bundled example, opened in headless Chromium: installs Debian's
# chromium when missing and playwright-core (npm, tests/html/node_modules), renders the report
# and the JSON output of the same run, and runs check.mjs on them. The screenshot goes to
# $SCREENSHOT (default: a temporary file; docs/report.png is one).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$root/tests/support/debian.sh"
need_debian_package chromium chromium
if [ ! -d "$here/node_modules/playwright-core" ]; then
  (cd "$here" && npm install --no-audit --no-fund --silent)
fi
cargo build --quiet --manifest-path "$root/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$root/target}/debug/concordant"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"
# Exit status 1 means findings were found, which the example has.
"$bin" check --rules rules/ --format html --output "$work/report.html" examples/data/clips.jsonl || [ $? -eq 1 ]
"$bin" check --rules rules/ --format json --output "$work/findings.jsonl" examples/data/clips.jsonl || [ $? -eq 1 ]
node "$here/check.mjs" "$work/report.html" "$work/findings.jsonl" "${SCREENSHOT:-$work/report.png}"
# The same example with `<!--<script>` in an item's name and `</script>` in an id: the page
# must still render every finding and run nothing from the data.
"$bin" check --rules rules/ --format html --output "$work/hostile.html" tests/html/hostile.jsonl || [ $? -eq 1 ]
"$bin" check --rules rules/ --format json --output "$work/hostile.jsonl" tests/html/hostile.jsonl || [ $? -eq 1 ]
node "$here/check.mjs" "$work/hostile.html" "$work/hostile.jsonl" "$work/hostile.png"
# A COCO file with the vision pack: boxes without times, drawn in the frame view (8 objects
# with a box and 2 image frames).
"$bin" check --rules rules/vision --format html --output "$work/coco.html" tests/fixtures/coco/instances.json || [ $? -eq 1 ]
"$bin" check --rules rules/vision --format json --output "$work/coco.jsonl" tests/fixtures/coco/instances.json || [ $? -eq 1 ]
FRAMES=8 node "$here/check.mjs" "$work/coco.html" "$work/coco.jsonl" "${FRAME_SCREENSHOT:-$work/coco.png}"
