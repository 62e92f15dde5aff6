#!/usr/bin/env bash
# Builds the seed corpus of every fuzz target (fuzz/corpus/<target>/) from files in the
# repository: the rule packs and fixtures for the rule-file targets, the example data and
# the evaluation fixtures' data for the data targets, and the copies of real annotation files
# in tests/fixtures/real (and ../shared/data, when it is there) for the format readers.
# Files are cut into pieces of at most 4 KiB, the inputs libFuzzer starts from. Running it
# again only adds files.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
corpus="$here/corpus"

# seed TARGET [PREFIX] FILE...: each file whole (when small) or in 4 KiB pieces cut at lines.
seed() {
  local target="$1" prefix="$2"
  shift 2
  mkdir -p "$corpus/$target"
  for file in "$@"; do
    [ -f "$file" ] || continue
    local name
    name="$(echo "$file" | sed "s|$root/||; s|${scratch:-/nonexistent}/||; s|^\.\./||; s|/|_|g")"
    if [ "$(wc -c < "$file")" -le 4096 ]; then
      { printf '%b' "$prefix"; cat "$file"; } > "$corpus/$target/$name"
    else
      local n=0 piece=""
      while IFS= read -r line || [ -n "$line" ]; do
        if [ $(( ${#piece} + ${#line} )) -gt 4000 ] && [ -n "$piece" ]; then
          { printf '%b' "$prefix"; printf '%s' "$piece"; } > "$corpus/$target/$name.$n"
          n=$((n + 1)); piece=""
          [ "$n" -ge 8 ] && break
        fi
        piece+="$line"$'\n'
      done < "$file"
      if [ -n "$piece" ]; then
        { printf '%b' "$prefix"; printf '%s' "$piece"; } > "$corpus/$target/$name.$n"
      fi
    fi
  done
}

cord_files=$(find "$root/rules" "$root/tests/fixtures" "$root/editors" -name '*.cord' 2>/dev/null | sort)
seed parse "" $cord_files
seed check "" $cord_files
# Data: the example, three generated clips when the benchmark generator is beside the
# project, and the data sections of the evaluation fixtures (`$$ data.jsonl`).
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
if [ -f "$root/../shared/bench/gen.py" ]; then
  python3 "$root/../shared/bench/gen.py" --items 3 --seed 7 --out "$scratch/generated.jsonl" >/dev/null
fi
for case in "$root"/tests/fixtures/eval/*.case; do
  awk '/^\$\$ /{keep = ($2 ~ /\.jsonl$/); next} keep' "$case" > "$scratch/$(basename "$case" .case).jsonl"
done
data=$(find "$root/examples/data" "$scratch" -name '*.jsonl' -size +0 2>/dev/null | sort)
seed eval "" $data
seed jsonl "" $data
# JSON arrays: the malformed corpus's arrays, the leading `[` taken off (the target adds it
# after its first byte, which picks the read size).
for array in "$root"/tests/fixtures/malformed/data/json-array*.jsonl; do
  { printf '\x07'; tail -c +2 "$array"; } > "$scratch/$(basename "$array" .jsonl).array"
done
seed array "" $(find "$scratch" -name '*.array' | sort)
# The language server's framing: the message streams of the hostile cases.
for case in "$root"/tests/fixtures/hostile/lsp-*.case; do
  awk '/^\$\$ /{keep = ($2 == "stdin"); next} keep' "$case" > "$scratch/$(basename "$case" .case).lsp"
done
seed lsp_framing "" $(find "$scratch" -name '*.lsp' | sort)
real="$root/tests/fixtures/real"
seed formats '\x00' $(find "$real" -name '*.vtt' | sort)
seed formats '\x01' $(find "$real" -name '*.srt' | sort)
seed formats '\x02' $(find "$real" -name '*.sbv' | sort)
seed formats '\x03' $(find "$real" -name '*.TextGrid' | sort)
seed formats '\x04' $(find "$real" -name '*.eaf' | sort)
seed formats '\x05' $(find "$real" -name '*.xml' | sort)
seed formats '\x06' $(find "$real/label-studio" -name '*.json' | sort)
seed formats '\x07' $(find "$real/meld" -name '*.csv' | sort)
seed formats '\x08' $(find "$real/qvhighlights" -name '*.jsonl' | sort)
seed formats '\x09' $(find "$real/activitynet-captions" -name '*.json' | sort)
# The real annotation files themselves, when the shared data is beside the project.
shared="$root/../shared/data"
if [ -d "$shared" ]; then
  seed formats '\x00' $(find "$shared" -name '*.vtt' | sort)
  seed formats '\x01' $(find "$shared" -name '*.srt' | sort)
  seed formats '\x02' $(find "$shared" -name '*.sbv' | sort)
  seed formats '\x03' $(find "$shared" -name '*.TextGrid' | sort)
  seed formats '\x04' $(find "$shared" -name '*.eaf' | sort)
  seed formats '\x05' $(find "$shared/cvat" -name '*.xml' | sort)
  seed formats '\x06' $(find "$shared/label-studio" -name '*.json' | sort)
  seed formats '\x07' $(find "$shared/meld" -name '*.csv' | sort)
  seed jsonl "" $(find "$shared" -name '*.jsonl' | sort)
fi
for target in "$corpus"/*; do
  echo "$(basename "$target"): $(ls "$target" | wc -l) seeds"
done
