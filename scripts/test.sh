#!/usr/bin/env bash
# Runs every radixlm test on a fresh Debian 12 machine (the README's test command; CI runs it too):
#   1. installs missing Debian packages and the test-only npm packages,
#   2. Release build + the whole test suite,
#   3. AddressSanitizer + UndefinedBehaviorSanitizer build + the whole suite except the slow
#      reference/benchmark-style tests,
#   4. ThreadSanitizer build of the concurrency tests,
#   5. installs the library to a scratch prefix and builds examples/ against it with
#      find_package(radixlm), then runs them.
# Options: --quick (steps 1, 2 and 5 only).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
quick=0
[[ "${1:-}" == "--quick" ]] && quick=1
jobs=$(nproc)

step() { printf '\n=== %s ===\n' "$*"; }

step "dependencies"
scripts/install-deps.sh
if [[ -f tests/npm/package.json ]]; then
  if [[ -f tests/npm/package-lock.json ]]; then
    npm ci --prefix tests/npm --no-audit --no-fund --loglevel=error
  else
    npm install --prefix tests/npm --no-audit --no-fund --loglevel=error
  fi
fi

step "release build + all tests"
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
ctest --preset release -j "$jobs"

if [[ $quick -eq 0 ]]; then
  step "AddressSanitizer + UBSan"
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --preset asan -j "$jobs" -LE "reference|slow"

  step "ThreadSanitizer (concurrency tests)"
  cmake --preset tsan >/dev/null
  cmake --build build/tsan --target concurrency_tests -j "$jobs"
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 ctest --preset tsan -j "$jobs"
fi

step "install + examples against the installed package"
prefix="$root/build/install"
rm -rf "$prefix"
cmake --install build/release --prefix "$prefix" >/dev/null
cmake -S examples -B build/examples -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build build/examples -j "$jobs"
ctest --test-dir build/examples --output-on-failure

step "all tests passed"
