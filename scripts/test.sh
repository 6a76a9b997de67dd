#!/usr/bin/env bash
# Installs what is missing, then builds and runs the whole test suite with ctest, twice, and
# smoke-runs the fuzzers:
#   1. the release build (-O2, warnings as errors);
#   2. an AddressSanitizer + UndefinedBehaviorSanitizer build (LeakSanitizer included), where
#      a sanitizer report from the fetch binary fails the test that ran it;
#   3. each libFuzzer target for FETCH_FUZZ_SECONDS (default 30) seconds (fuzz/README.md).
# This is the README's test command, and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh --test --fuzz

run_suite() {  # build-dir, cmake options...
  local build=$1
  shift
  # Tests on explicitly: README command 1 configures build/ with them off, and a cached OFF
  # would otherwise survive into this run.
  cmake -S . -B "$build" -DFETCH_WERROR=ON -DFETCH_BUILD_TESTS=ON "$@" >/dev/null
  cmake --build "$build" -j2
  # --no-tests=error: a suite that found nothing to run fails instead of passing.
  ctest --test-dir "$build" -j2 --output-on-failure --timeout 180 --no-tests=error
}

echo "== release build and tests"
run_suite build -DCMAKE_BUILD_TYPE=Release

echo "== ASan + UBSan build and tests"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DFETCH_SANITIZE=ON

echo "== fuzz smoke run"
fuzz/run-smoke.sh "${FETCH_FUZZ_SECONDS:-30}"
