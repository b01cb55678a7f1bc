#!/usr/bin/env bash
# Installs what bayesd needs from Debian 12's packages, skipping what is already there.
#   scripts/install-deps.sh          build + run the daemon
#   scripts/install-deps.sh --test   also what the test suite needs (clang for fuzzing, python3, chromium)
set -euo pipefail

build_pkgs=(
  build-essential cmake pkg-config        # compiler and build
  libeigen3-dev                           # linear algebra for the GP
  liblapack-dev libopenblas0-pthread      # LAPACK Cholesky/inverse for the GP (OpenBLAS provides liblapack.so.3 at run time)
  libnlopt-dev libnlopt-cxx-dev           # L-BFGS for hyperparameter fits and acquisition optimization
  libcpp-httplib-dev                      # HTTP server
  nlohmann-json3-dev                      # JSON
  libsqlite3-dev                          # embedded storage
  libboost-dev                            # Boost.Random's Sobol sequence
  libmuparser-dev                         # composite-objective expressions
  libspdlog-dev libfmt-dev                # structured logging
  libcli11-dev                            # command line
  libgtest-dev libgmock-dev               # tests (header + libs; built with the project)
)
test_pkgs=(
  clang libclang-rt-14-dev                # libFuzzer + sanitizer runtime for the fuzz/sanitizer build
  python3                                 # integration tests and the Python client
)

want=("${build_pkgs[@]}")
[[ "${1:-}" == "--test" ]] && want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js builds the dashboard (web/) once, at build time. A node already on PATH is used as it is; otherwise the
# distribution's nodejs (whose package may bring npm along; Debian's own needs the separate npm package).
command -v node >/dev/null || missing+=(nodejs)
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "all build dependencies present"
fi
if ! command -v npm >/dev/null; then
  $([[ $(id -u) -ne 0 ]] && echo sudo) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm
fi
