#!/usr/bin/env bash
# End-to-end tests of the dashboard: headless Chromium (Debian's) driven by playwright-core, against the real daemon.
#   scripts/e2e.sh [path/to/bayesd]     (default: build/bayesd)
# Builds the dashboard (scripts/build-web.sh); when the binary lives in a CMake build directory, rebuilds it there so
# that it embeds this dashboard. Screenshots go to tests/e2e/artifacts/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bin="${1:-build/bayesd}"
[[ "$bin" = /* ]] || bin="$root/$bin"

if [[ ! -x /usr/bin/chromium ]]; then
  echo "e2e.sh: installing chromium from Debian"
  export DEBIAN_FRONTEND=noninteractive
  sudo_=""
  [[ "$(id -u)" = 0 ]] || sudo_="sudo"
  $sudo_ apt-get update -qq
  $sudo_ apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi

# playwright-core exactly as pinned. Never `npx playwright install`: it downloads a browser; we use /usr/bin/chromium.
(
  cd tests/e2e
  lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [[ "$(cat node_modules/.bayesd-lock-sha256 2>/dev/null)" != "$lock_sum" ]]; then
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
    echo "$lock_sum" > node_modules/.bayesd-lock-sha256
  fi
)

scripts/build-web.sh

build_dir="$(dirname "$bin")"
if [[ -f "$build_dir/CMakeCache.txt" ]]; then
  echo "e2e.sh: re-embedding the dashboard into $bin"
  cmake --build "$build_dir" --target bayesd -j2 >/dev/null
fi
if [[ ! -x "$bin" ]]; then
  echo "e2e.sh: no daemon binary at $bin (build it: cmake -S . -B build && cmake --build build --target bayesd)" >&2
  exit 1
fi

mkdir -p tests/e2e/artifacts
cd tests/e2e
BAYESD_BIN="$bin" node --test --test-concurrency=1 tests/
