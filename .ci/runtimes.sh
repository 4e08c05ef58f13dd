#!/usr/bin/env bash
# Runtime matrix: installs Bun and workerd from npm into .cache/runtimes/ (git ignores it),
# Chromium from Debian when it is missing, then runs tests/runtimes/run_matrix.ts, which bundles
# the library and runs the shared scenario on Deno, Node, Bun, workerd and Chromium.
#
# A runtime whose package cannot be installed is skipped with the reason printed; Node is required
# (the script fails without it). KUBESNAP_BROWSER=0 skips the Chromium install and run.
set -euo pipefail

BUN_VERSION="1.4.4"
WORKERD_VERSION="1.20261117.1"
cd "$(dirname "$0")/.."
CACHE=".cache/runtimes"
mkdir -p "$CACHE"
started=$SECONDS

notes=()

if ! command -v node >/dev/null 2>&1; then
  echo "runtimes: node is not installed; the runtime matrix requires Node 20 or later"
  exit 1
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  echo "runtimes: node $(node --version) is too old; the runtime matrix requires Node 20 or later"
  exit 1
fi

# npm_install NAME VERSION VERSION_PATTERN: installs NAME@VERSION unless the installed binary already
# reports VERSION_PATTERN; prints a skip reason and returns 0 when the install fails.
npm_install() {
  local name="$1" version="$2" pattern="$3" bin="$CACHE/node_modules/.bin/$1" log
  if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "$pattern"; then
    notes+=("$name $version: already in $CACHE")
    return 0
  fi
  log="$(mktemp)"
  if npm install --prefix "$CACHE" --no-audit --no-fund --save-exact "$name@$version" >"$log" 2>&1 \
    && "$bin" --version >/dev/null 2>&1; then
    notes+=("$name $version: installed into $CACHE")
  else
    echo "runtimes: skipping $name: npm install $name@$version failed or its binary does not run:"
    tail -n 5 "$log" | sed 's/^/  | /'
    notes+=("$name $version: SKIPPED (npm install failed)")
  fi
  rm -f "$log"
}

npm_install bun "$BUN_VERSION" "^${BUN_VERSION}\$"
# workerd 1.YYYYMMDD.N reports "workerd YYYY-MM-DD".
workerd_date="${WORKERD_VERSION#1.}"
workerd_date="${workerd_date%%.*}"
npm_install workerd "$WORKERD_VERSION" \
  "^workerd ${workerd_date:0:4}-${workerd_date:4:2}-${workerd_date:6:2}\$"

browser=("chromium")
if [ "${KUBESNAP_BROWSER:-1}" = "0" ]; then
  notes+=("chromium: SKIPPED (KUBESNAP_BROWSER=0)")
  browser=()
elif command -v chromium >/dev/null 2>&1; then
  notes+=("chromium: already installed")
elif [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  t0=$SECONDS
  if timeout 300 apt-get update -qq >/dev/null 2>&1 \
    && DEBIAN_FRONTEND=noninteractive timeout 300 \
      apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; then
    notes+=("chromium: installed from Debian in $((SECONDS - t0)) s")
  else
    echo "runtimes: skipping chromium: apt-get install chromium failed"
    notes+=("chromium: SKIPPED (apt-get install chromium failed)")
    browser=()
  fi
else
  echo "runtimes: skipping chromium: not installed, and apt-get is not usable here"
  notes+=("chromium: SKIPPED (not installed; no root apt-get)")
  browser=()
fi

for note in "${notes[@]}"; do echo "runtimes: $note"; done
echo "runtimes: setup took $((SECONDS - started)) s"

runtimes=(deno node bun workerd "${browser[@]}")
status=0
deno run --allow-read --allow-write=.cache --allow-net=127.0.0.1 --allow-run \
  tests/runtimes/run_matrix.ts "${runtimes[@]}" || status=$?
echo "runtimes: matrix and setup took $((SECONDS - started)) s"
exit "$status"
