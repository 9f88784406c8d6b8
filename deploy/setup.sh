#!/usr/bin/env bash
# Sets up dibao-audit on Debian 12: installs every package it needs with apt
# (only when something is missing, after an apt-get update) and builds it.
#
#   deploy/setup.sh              Release build with tests in ./build (and
#                                Chromium for the console's browser test)
#   deploy/setup.sh --binaries   the same build directory, only dibao-server,
#                                dibaoctl and the console's files
#   deploy/setup.sh --sanitize   AddressSanitizer + UBSan build in ./build-asan
#   deploy/setup.sh --fuzz       the libFuzzer targets (clang, ASan + UBSan)
#                                in ./build-fuzz
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
  libssl-dev openssl
  libicu-dev
  libjemalloc-dev
  libsodium-dev libcpp-httplib-dev libcli11-dev prometheus-cpp-dev
  grpc-proto
  libjs-chart.js
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-grpcio
  clang-format
)

# The console's browser test: Debian's Chromium driven through WebDriver by
# Debian's chromedriver and python3-selenium, with a CJK font for the
# screenshots; not needed to run the service. Nothing comes from npm: the
# console's Chart.js is Debian's libjs-chart.js, and no step needs Node.js.
# The fuzz targets: Debian's clang and its libFuzzer runtime.
if [ "${1:-}" = --fuzz ]; then
  PACKAGES+=(clang-14 libclang-rt-14-dev)
fi
if [ "${1:-}" != --binaries ] && [ "${1:-}" != --fuzz ]; then
  PACKAGES+=(chromium chromium-driver python3-selenium fonts-wqy-zenhei)
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

# Chromium and its driver must be the same release, or every browser test
# fails with an obscure session error; Debian updates them together, so a
# mismatch means one of them came from elsewhere.
if [ "${1:-}" != --binaries ] && [ "${1:-}" != --sanitize ] &&
   [ "${1:-}" != --fuzz ]; then
  chromium_major=$(/usr/bin/chromium --version 2>/dev/null | grep -o '[0-9]\+' | head -1)
  driver_major=$(/usr/bin/chromedriver --version 2>/dev/null | grep -o '[0-9]\+' | head -1)
  if [ -z "$chromium_major" ] || [ "$chromium_major" != "$driver_major" ]; then
    echo "setup: /usr/bin/chromium (${chromium_major:-none}) and /usr/bin/chromedriver" \
         "(${driver_major:-none}) must be the same release; install both from Debian:" \
         "apt-get install chromium chromium-driver" >&2
    exit 1
  fi
fi

build_dir=build
# DIBAO_UNIT_TESTS=OFF: ./build without the engine's unit tests (deploy/test.sh,
# when its sanitizer pass runs them).
flags=(-DCMAKE_BUILD_TYPE=Release -DDIBAO_BUILD_TESTS=ON
       "-DDIBAO_UNIT_TESTS=${DIBAO_UNIT_TESTS:-ON}")
targets=()
case "${1:-}" in
  --sanitize)
    build_dir=build-asan
    flags=(-DCMAKE_BUILD_TYPE=Release -DDIBAO_BUILD_TESTS=ON -DDIBAO_UNIT_TESTS=ON)
    # -O1, as the sanitizers' authors advise: it keeps the stack traces
    # exact and compiles faster than -O3, and the compile is most of this
    # pass.
    flags+=(-DDIBAO_SANITIZE=ON "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -DNDEBUG"
            "-DCMAKE_C_FLAGS_RELEASE=-O1 -DNDEBUG")
    # A build directory configured for another compiler starts afresh.
    if [ -f build-asan/CMakeCache.txt ] &&
       grep -q '^CMAKE_CXX_COMPILER:.*clang' build-asan/CMakeCache.txt; then
      rm -rf build-asan
    fi
    ;;
  --binaries)
    targets=(--target dibao-server dibaoctl web)
    ;;
  --fuzz)
    build_dir=build-fuzz
    # Only the parsers and their targets (CMakeLists.txt, DIBAO_FUZZ).
    flags=(-DCMAKE_BUILD_TYPE=Release -DDIBAO_FUZZ=ON -DDIBAO_BUILD_TESTS=OFF
           "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -g -DNDEBUG"
           -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_C_COMPILER=clang-14)
    ;;
esac
cmake -S . -B "$build_dir" -G Ninja "${flags[@]}" > /dev/null

# promtool, Prometheus's own checker, for the tests of the metrics and the
# alerting rules: taken out of Debian's prometheus package into the build
# directory rather than installing the package, which would start a
# Prometheus server on this machine.
if [ "$build_dir" != build-fuzz ] && [ "${1:-}" != --binaries ] &&
   [ ! -x "$build_dir/tools/promtool" ]; then
  mkdir -p "$build_dir/tools"
  if [ -x build/tools/promtool ]; then
    cp build/tools/promtool "$build_dir/tools/promtool"
  else
    deb_dir=$(mktemp -d)
    if [ -z "$(apt-cache policy prometheus | sed -n 's/ *Candidate: //p' | grep -v none)" ]; then
      SUDO=""
      if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
      $SUDO apt-get update -q
    fi
    (cd "$deb_dir" && apt-get download -q prometheus 2>&1 | grep -v unsandboxed || true)
    dpkg-deb --fsys-tarfile "$deb_dir"/prometheus_*.deb |
      tar -xO ./usr/bin/promtool > "$build_dir/tools/promtool.part"
    chmod +x "$build_dir/tools/promtool.part"
    mv "$build_dir/tools/promtool.part" "$build_dir/tools/promtool"
    rm -rf "$deb_dir"
  fi
  echo "setup: promtool $("$build_dir/tools/promtool" --version 2>&1 | head -1 | awk '{print $3}') in $build_dir/tools"
fi

cmake --build "$build_dir" "${targets[@]}"
echo "setup: built in $build_dir"
