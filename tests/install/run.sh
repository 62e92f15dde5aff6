#!/usr/bin/env bash
# Installing from a clean clone, as the README says: `cargo install --path .` and
# `cargo install --git` (here from this clone's committed tree, which is what a clean clone
# holds), each into a root of its own; the installed binary runs the bundled example. Then
# scripts/release.sh builds the static binary and its checksum (without link-time optimisation
# here, which only makes it faster). Debug builds for the two
# installs, sharing the test build's target directory, keep this to the crate itself.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
example() {
  local bin="$1"
  "$bin" --version
  set +e
  "$bin" check --isolated --rules "$root/rules/" "$root/examples/data/clips.jsonl" > "$work/out.txt" 2>&1
  local status=$?
  set -e
  [ "$status" = 1 ] || { echo "expected exit status 1 on the bundled example, got $status" >&2; cat "$work/out.txt" >&2; exit 1; }
  grep -q "findings:" "$work/out.txt"
}
cargo install --quiet --locked --debug --path "$root" --root "$work/path"
example "$work/path/bin/concordant"
echo "ok: cargo install --path . installs a concordant that checks the bundled example"
cargo install --quiet --locked --debug --git "file://$root" --root "$work/git" concordant
example "$work/git/bin/concordant"
echo "ok: cargo install --git installs one from the committed tree"
if [ "${CONCORDANT_SKIP_RELEASE:-}" = 1 ]; then
  echo "skipped scripts/release.sh (CONCORDANT_SKIP_RELEASE=1)"
  exit 0
fi
# Without link-time optimisation: the same static linking and checksum in a third of the time.
CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  "$root/scripts/release.sh" "$work/dist"
(cd "$work/dist" && sha256sum -c ./*.sha256)
echo "ok: scripts/release.sh builds a static binary whose checksum matches"
