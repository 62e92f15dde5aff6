#!/usr/bin/env bash
# Builds a release binary of `concordant` that runs on any x86_64 Linux, with no shared
# libraries to match, and its SHA-256 checksum:
#
#   scripts/release.sh            # writes dist/concordant-<version>-<target>[.sha256]
#   scripts/release.sh OUT_DIR
#
# With Rust's musl target installed (`rustup target add x86_64-unknown-linux-musl`) the binary
# is built for it; otherwise for the GNU target with the C runtime linked in statically
# (`-C target-feature=+crt-static`), which gives a static binary just the same. The script
# checks the result is statically linked and runs it once.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/dist}"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)"
if rustup target list --installed 2>/dev/null | grep -qx x86_64-unknown-linux-musl; then
  target=x86_64-unknown-linux-musl
  flags=""
else
  target=x86_64-unknown-linux-gnu
  flags="-C target-feature=+crt-static"
  echo "the musl target is not installed: building a static binary for $target (crt-static)" >&2
fi
# Without the debug info the development profile keeps for backtraces and profiling.
CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_STRIP=debuginfo \
  RUSTFLAGS="${RUSTFLAGS:-} $flags" cargo build --release --locked --target "$target" \
  --manifest-path "$root/Cargo.toml"
built="${CARGO_TARGET_DIR:-$root/target}/$target/release/concordant"
if file "$built" | grep -q "dynamically linked"; then
  echo "error: $built is dynamically linked: $(file "$built")" >&2
  exit 1
fi
"$built" --version >/dev/null
mkdir -p "$out"
name="concordant-$version-$target"
cp "$built" "$out/$name"
(cd "$out" && sha256sum "$name" > "$name.sha256")
echo "$out/$name ($(du -h "$out/$name" | cut -f1), $(file -b "$out/$name" | cut -d, -f1-2))"
cat "$out/$name.sha256"
