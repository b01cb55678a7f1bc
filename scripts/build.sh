#!/usr/bin/env bash
# Builds the dashboard (if npm is available) and the daemon into build/ (or $BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
if [[ "${BAYESD_SKIP_WEB:-0}" != 1 ]]; then
  scripts/build-web.sh
fi
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
