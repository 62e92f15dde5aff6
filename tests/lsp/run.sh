#!/usr/bin/env bash
# End-to-end test of `concordant lsp` with a real client: Neovim's built-in LSP client, from
# Debian's `neovim` package (installed here when missing), headless.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if ! command -v nvim >/dev/null; then
  echo "installing Debian's neovim for the LSP test" >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q neovim >/dev/null; else sudo apt-get install -y -q neovim >/dev/null; fi
fi
cargo build --quiet --manifest-path "$root/Cargo.toml"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
CONCORDANT="${CARGO_TARGET_DIR:-$root/target}/debug/concordant" WORKDIR="$work" \
  timeout 120 nvim --headless -u NONE -i NONE -n -c "luafile $here/e2e.lua"
