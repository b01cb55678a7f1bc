#!/usr/bin/env bash
# Builds the dashboard into web/dist/ (embedded into the daemon by web/CMakeLists.txt at its next build).
# Needs Node.js >= 20 and npm; installs exactly what web/package-lock.json pins (npm ci), from the npm registry only.
set -euo pipefail
cd "$(dirname "$0")/../web"

if ! command -v npm >/dev/null 2>&1; then
  echo "build-web.sh: npm not found (install Node.js 20+)" >&2
  exit 1
fi

# `npm ci` (exactly the lockfile), skipped when node_modules was installed from this very lockfile.
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ "$(cat node_modules/.bayesd-lock-sha256 2>/dev/null)" != "$lock_sum" ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > node_modules/.bayesd-lock-sha256
fi
npm run --silent build
echo "build-web.sh: built $(cd dist && find . -type f | wc -l) files into web/dist/"
