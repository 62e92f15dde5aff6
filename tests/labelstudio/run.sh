#!/usr/bin/env bash
# Live validation in a real Label Studio: installs Label Studio 1.23.2 into its own venv (once,
# under CONCORDANT_CACHE, default ~/.cache/concordant), starts it on 127.0.0.1 with a
# throw-away data dir (copied from a migrated one kept in the cache, so only the first run
# waits for the migrations), starts `concordant serve` as its ML backend, and drives both
# through Label Studio's API (drive.py): an annotation with a box past the image gets a
# prediction flagging that box and a summary in the task's meta; fixing the box clears them.
# Everything it started is stopped by PID.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${CONCORDANT_CACHE:-$HOME/.cache/concordant}"
venv="$cache/venv-labelstudio"
template="$cache/labelstudio-data-1.23.2"
mkdir -p "$cache"
if [ ! -x "$venv/bin/label-studio" ]; then
  echo "installing Label Studio 1.23.2 into $venv (about 5 minutes, once)"
  python3 -m venv "$venv"
  # sentry-sdk 3 refuses an option Label Studio 1.23.2 passes it.
  "$venv/bin/pip" install -q label-studio==1.23.2 "sentry-sdk<3"
fi
cargo build -q --manifest-path "$root/Cargo.toml"
bin="$root/target/debug/concordant"

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ls_port="$(free_port)"
serve_port="$(free_port)"
# A fixed token: the admin it belongs to is kept with the migrated data dir, for a
# throw-away Label Studio on the loopback only.
ls_token="c0ncord4nt00000000000000000000000000test"
serve_token="$(python3 -c 'import secrets; print(secrets.token_hex(20))')"

mkdir -p "$work/data"
if [ -d "$template" ]; then cp -a "$template/." "$work/data/"; fi
echo "starting Label Studio on 127.0.0.1:$ls_port"
env LABEL_STUDIO_BASE_DATA_DIR="$work/data" SENTRY_DSN= FRONTEND_SENTRY_DSN= \
  LABEL_STUDIO_USERNAME=admin@example.invalid LABEL_STUDIO_PASSWORD=concordant-test \
  LABEL_STUDIO_USER_TOKEN="$ls_token" LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN=true \
  LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK=true SSRF_PROTECTION_ENABLED=false ML_BLOCK_LOCAL_IP=false \
  "$venv/bin/label-studio" start --no-browser --internal-host 127.0.0.1 --port "$ls_port" \
  > "$work/label-studio.log" 2>&1 &
pids+=($!)

echo "starting concordant serve on 127.0.0.1:$serve_port"
env CONCORDANT_TOKEN="$serve_token" \
  CONCORDANT_LABEL_STUDIO_URL="http://127.0.0.1:$ls_port" CONCORDANT_LABEL_STUDIO_TOKEN="$ls_token" \
  "$bin" serve --rules "$root/rules/datasets/label-studio" --listen "127.0.0.1:$serve_port" \
  > "$work/serve.log" 2>&1 &
pids+=($!)

status=0
"$venv/bin/python" "$root/tests/labelstudio/drive.py" --pid "${pids[0]}" --flagged-task-file "$work/flagged" \
  --label-studio "http://127.0.0.1:$ls_port" --ls-token "$ls_token" \
  --backend "http://127.0.0.1:$serve_port" --backend-token "$serve_token" || status=$?
if [ "$status" -eq 0 ]; then
  # The Enterprise plugin's logic, under Node, against the same server.
  command -v node >/dev/null || { echo "node is needed for the Enterprise plugin's test"; exit 2; }
  node "$root/tests/labelstudio/plugin.test.mjs" "http://127.0.0.1:$serve_port/validate" "$serve_token" || status=$?
fi
if [ "$status" -eq 0 ] && [ -d "$root/tests/html/node_modules/playwright-core" ]; then
  # The labeling UI itself, in headless Chromium (tests/html/run.sh installs it).
  read -r project task < "$work/flagged"
  node "$root/tests/labelstudio/screenshot.mjs" "http://127.0.0.1:$ls_port" admin@example.invalid \
    concordant-test "$project" "$task" "${SCREENSHOT:-$work/labeling.png}" || status=$?
fi
if [ "$status" -ne 0 ]; then
  echo "--- concordant serve's log"; tail -n 40 "$work/serve.log"
  echo "--- Label Studio's log"; tail -n 40 "$work/label-studio.log"
fi
# Keep the migrated database for the next run's quick start (only after a run that worked).
if [ "$status" -eq 0 ] && [ ! -d "$template" ]; then
  kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
  cp -a "$work/data" "$template.tmp" && mv "$template.tmp" "$template"
fi
exit "$status"
