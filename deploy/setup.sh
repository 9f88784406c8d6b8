#!/usr/bin/env bash
# Sets up dibao-audit on Debian 12: installs every package it needs with apt
# (only when something is missing, after an apt-get update) and builds it.
#
#   deploy/setup.sh              Release build with tests in ./build (and
#                                Chromium for the console's browser test)
#   deploy/setup.sh --binaries   the same build directory, only dibao-server,
#                                dibaoctl and the console's files
#   deploy/setup.sh --sanitize   AddressSanitizer + UBSan build in ./build-asan
#
# Idempotent: a second run installs nothing and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  protobuf-compiler protobuf-compiler-grpc libprotobuf-dev
  libgrpc++-dev libgrpc-dev
  librocksdb-dev
  libabsl-dev
  libssl-dev
  libicu-dev
  libjemalloc-dev
  libsodium-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-grpcio
  clang-format
)

# The console's browser test: Debian's Chromium and a CJK font for the
# screenshots; not needed to run the service.
if [ "${1:-}" != --binaries ]; then
  PACKAGES+=(chromium fonts-wqy-zenhei)
fi
# Node.js and npm fetch Chart.js (and playwright-core for the test) into
# web/node_modules; a machine that already has them (any source) keeps its own.
if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The exact versions in web/package-lock.json; only when it changed.
if [ ! -f web/node_modules/.package-lock.json ] ||
   [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  echo "setup: npm ci in web/"
  npm ci --prefix web --no-audit --no-fund --loglevel=error
fi

build_dir=build
flags=(-DCMAKE_BUILD_TYPE=Release -DDIBAO_BUILD_TESTS=ON)
targets=()
case "${1:-}" in
  --sanitize)
    build_dir=build-asan
    flags+=(-DDIBAO_SANITIZE=ON)
    ;;
  --binaries)
    targets=(--target dibao-server dibaoctl web)
    ;;
esac
cmake -S . -B "$build_dir" -G Ninja "${flags[@]}" > /dev/null
cmake --build "$build_dir" "${targets[@]}"
echo "setup: built in $build_dir"
