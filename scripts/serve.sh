#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: install what is missing, build, and start the daemon on its SQLite
# default (bayesd.db in the current directory, http://127.0.0.1:8080). Extra arguments go to `bayesd serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
BAYESD_BUILD_TESTS=OFF scripts/build.sh -DBAYESD_BUILD_TESTS=OFF -DBAYESD_BUILD_BENCH=OFF
exec build/bayesd serve --db bayesd.db "$@"
