#!/usr/bin/env bash
# Sets up everything and runs the whole test suite with ctest, each test
# once: the suites through the servers and binaries on the Release build,
# then the engine's unit tests and the servers' suites with the engine,
# services and binaries under AddressSanitizer + UBSan and the test drivers
# under ASan (tests/CMakeLists.txt says why; DIBAO_SKIP_SANITIZE=1 skips
# that pass and runs the unit tests on the Release build instead), then
# every parser's libFuzzer target for DIBAO_FUZZ_SECONDS each (default 10;
# clang, ASan + UBSan; DIBAO_SKIP_FUZZ=1 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

start=$(date +%s)
# Each test runs once: the engine's unit tests in the sanitizer pass, the
# suites through the servers and binaries here (tests/CMakeLists.txt).
if [ "${DIBAO_SKIP_SANITIZE:-0}" != 1 ]; then
  DIBAO_UNIT_TESTS=OFF ./deploy/setup.sh
else
  DIBAO_UNIT_TESTS=ON ./deploy/setup.sh
fi
(cd build && ctest -j"$jobs" --output-on-failure --timeout 600)
echo "test: release suite done in $(( $(date +%s) - start )) s"

if [ "${DIBAO_SKIP_SANITIZE:-0}" != 1 ]; then
  ./deploy/setup.sh --sanitize
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     ctest -j"$jobs" --output-on-failure --timeout 900)
  echo "test: sanitizer suite done; total $(( $(date +%s) - start )) s"
fi

if [ "${DIBAO_SKIP_FUZZ:-0}" != 1 ]; then
  ./deploy/fuzz.sh "${DIBAO_FUZZ_SECONDS:-10}"
  echo "test: fuzzing done; total $(( $(date +%s) - start )) s"
fi
