#!/usr/bin/env bash
# Every output of one build, written to a folder, so two builds can be compared byte for byte
# (`diff -r`): the benchmark file at 1M records (`gen.py --items 10000 --seed 1`) through all
# of `rules/` in every output format, and every real data set through its pack as JSON.
# A refactoring that changes no behaviour leaves the two folders identical.
#   bench/identical.sh BINARY OUT_DIR
#   e.g. bench/identical.sh /tmp/before/concordant /tmp/before-out
#        bench/identical.sh target/release/concordant /tmp/after-out
#        diff -r /tmp/before-out /tmp/after-out && echo identical
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
shared="$root/../shared"
bin="$(realpath "$1")"
out="$2"
[ -d "$shared/bench" ] || { echo "needs ../shared beside the repository" >&2; exit 2; }
mkdir -p "$out"
data="${TMPDIR:-/tmp}/concordant-identical-10000.jsonl"
[ -s "$data" ] || python3 "$shared/bench/gen.py" --items 10000 --seed 1 --out "$data"

# Relative paths in the outputs, so the folders compare across checkouts.
cd "$root"
for format in json sarif github human html; do
  "$bin" check --rules rules --format "$format" --fail-on never -j 2 \
    --output "$out/bench.$format" "$data" 2> "$out/bench.$format.stderr" || true
done
sed -i 's/"generated":"[^"]*"//' "$out/bench.html" 2>/dev/null || true

# Every real data set: the files its pack reads (as tests/real_data.rs chooses them).
python3 - "$shared/data" rules/datasets > "$out/datasets.list" <<'PY'
import fnmatch, pathlib, sys, tomllib
data, packs = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
known = {".vtt", ".srt", ".sbv", ".textgrid", ".eaf", ".xml", ".csv", ".tsv", ".tab"}
markers = ['"annotations"', '"completions"', '"predictions"', '"model_version"', '"annotation"']
for pack in sorted(p for p in packs.iterdir() if p.is_dir()):
    globs = [i["files"] for t in pack.glob("*.toml")
             for i in tomllib.loads(t.read_text()).get("input", []) if "files" in i]
    files = []
    for f in sorted((data / pack.name).rglob("*")):
        if not f.is_file() or f.name.startswith("label_config"):
            continue
        ext = f.suffix.lower()
        looks_ls = False
        if ext == ".json":
            head = f.open("rb").read(65536).decode("utf-8", "replace")
            looks_ls = any(m in head for m in markers) and '"kind"' not in head
        if ext in known or looks_ls or any(fnmatch.fnmatch(f.name, g) for g in globs):
            files.append(str(f))
    print(pack.name, *files, sep="\t")
PY
while IFS=$'\t' read -r name files; do
  IFS=$'\t' read -r -a list <<< "$files"
  "$bin" check --rules "rules/datasets/$name" --format json --fail-on never -j 2 \
    --output "$out/$name.json" "${list[@]}" 2> "$out/$name.stderr" || true
done < "$out/datasets.list"
ls "$out" | wc -l | xargs echo "outputs written to $out:"
