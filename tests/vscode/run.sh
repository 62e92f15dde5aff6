#!/usr/bin/env bash
# The VS Code extension from a clean checkout: its npm dependencies (from the registry, npm's
# cache reused between runs), the bundle, the .vsix that `vsce package` builds (what it holds
# and leaves out), and the language server started as the extension starts it, driven under
# Node (editors/vscode/test/e2e.js): diagnostics, a quick fix, formatting.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
ext="$root/editors/vscode"
. "$root/tests/support/debian.sh"
need_debian_package npm nodejs npm
cargo build --quiet --manifest-path "$root/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$root/target}/debug/concordant"
work="$(mktemp -d)"
trap 'rm -rf "$work" "$ext/node_modules" "$ext/dist"' EXIT
cd "$ext"
npm ci --no-audit --no-fund --silent
npm run --silent build
npx vsce package --out "$work/concordant.vsix" >/dev/null
python3 - "$work/concordant.vsix" <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
for needed in ["extension/package.json", "extension/dist/extension.js", "extension/LICENSE.txt",
               "extension/syntaxes/cord.tmLanguage.json", "extension/language-configuration.json"]:
    assert needed in names, f"{needed} is missing from the .vsix: {sorted(names)}"
stray = [n for n in names if "node_modules" in n or n.endswith("/server.js") or "/test/" in n]
assert not stray, f"the .vsix should hold the bundle only: {stray}"
print(f"ok: the .vsix holds {len(names)} files, the bundle and no node_modules")
PY
CONCORDANT="$bin" node test/e2e.js
