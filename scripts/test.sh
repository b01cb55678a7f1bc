#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: install what is missing, build, and run every test:
#   1. the unit, HTTP, storage and integration tests (ctest) on a RelWithDebInfo build;
#   2. the dashboard's end-to-end tests in headless Chromium against the real daemon;
#   3. the C++ tests again under AddressSanitizer + UndefinedBehaviorSanitizer (clang; the Python integration
#      tests, timing-bound and already run in step 1, are left out there), plus a bounded libFuzzer run of every
#      route handler (FUZZ_SECONDS, default 60) whose crashes fail the run.
# Set SKIP_SANITIZE=1 / SKIP_E2E=1 to leave a stage out locally.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
jobs=$(nproc)
start=$(date +%s)

echo "== build (RelWithDebInfo)"
scripts/build.sh
echo "== ctest"
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 600

if [[ "${SKIP_E2E:-0}" != 1 ]]; then
  echo "== dashboard end-to-end (headless Chromium)"
  scripts/e2e.sh "$PWD/build/bayesd"
fi

if [[ "${SKIP_SANITIZE:-0}" != 1 ]]; then
  echo "== sanitizer build (clang, ASan + UBSan) with the fuzz target"
  # -O1 and line tables only (-g1): ASan / UBSan reports keep file:line at a fraction of the compile and link time.
  CC=clang CXX=clang++ cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DBAYESD_SANITIZE=ON -DBAYESD_FUZZ=ON \
    -DBAYESD_BUILD_BENCH=OFF -DCMAKE_CXX_FLAGS="-O1" -DCMAKE_CXX_FLAGS_DEBUG="-g1" -DCMAKE_C_FLAGS_DEBUG="-g1" >/dev/null
  cmake --build build-asan -j"$jobs"
  echo "== ctest under sanitizers"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" --timeout 900 -LE 'slow|integration'
  echo "== fuzz the request parsers (${FUZZ_SECONDS:-60} s)"
  mkdir -p build-asan/fuzz-corpus
  cp -n fuzz/corpus/* build-asan/fuzz-corpus/ 2>/dev/null || true
  build-asan/fuzz/request_fuzzer -max_total_time="${FUZZ_SECONDS:-60}" -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix=build-asan/ build-asan/fuzz-corpus fuzz/regressions 2>&1 | tail -15
fi
echo "== all tests passed in $(( $(date +%s) - start )) s"
