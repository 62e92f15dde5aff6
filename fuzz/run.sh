#!/usr/bin/env bash
# Runs fuzz targets and records what they did in fuzz/log.tsv (date, target, executions,
# seconds, crashes), the figures docs/robustness.md totals.
#
#   fuzz/run.sh SECONDS [TARGET...]      (all targets when none is named)
#
# Builds with `cargo fuzz` (RUSTC_BOOTSTRAP=1 lets the stable toolchain take the flags it
# needs; no sanitizer: the project has no unsafe code, and the search wants speed), seeds
# the corpora (fuzz/seed.sh), then runs each target for SECONDS on one core. A crash stops
# its target and leaves the input in fuzz/artifacts/TARGET/; make it a regression fixture.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seconds="${1:?usage: fuzz/run.sh SECONDS [TARGET...]}"
shift
cd "$here"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(parse check eval jsonl formats lsp_framing array)
RUSTC_BOOTSTRAP=1 cargo fuzz build -O -s none
bash "$here/seed.sh" >/dev/null
bin="$here/target/x86_64-unknown-linux-gnu/release"
for target in "${targets[@]}"; do
  mkdir -p "artifacts/$target"
  log="$(mktemp)"
  status=0
  "$bin/$target" "corpus/$target" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="artifacts/$target/" < /dev/null > "$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  crashes=$([ "$status" -eq 0 ] && echo 0 || echo 1)
  printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%d)" "$target" "${runs:-0}" "${took:-$seconds}" "$crashes" >> "$here/log.tsv"
  echo "$target: ${runs:-0} executions, $crashes crash(es)"
  if [ "$status" -ne 0 ]; then
    grep -E "panicked|ERROR|SUMMARY" "$log" | head -5
    ls -t "artifacts/$target" | head -1
  fi
  rm -f "$log"
done

# The totals, into docs/robustness.md between its fuzz-totals markers.
table="$(awk -F'\t' '
  { runs[$2] += $3; secs[$2] += $4; crashes[$2] += $5; if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 } }
  END {
    print "| target | executions | seconds | crashes |"
    print "|---|---|---|---|"
    for (i = 1; i <= n; i++) { t = order[i]; printf "| `%s` | %d | %d | %d |\n", t, runs[t], secs[t], crashes[t] }
  }' "$here/log.tsv")"
TABLE="$table" perl -0pi -e 's/(<!-- fuzz-totals -->\n).*?(<!-- \/fuzz-totals -->)/$1$ENV{TABLE}\n$2/s' "$here/../docs/robustness.md"
