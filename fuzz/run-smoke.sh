#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for a short time on a copy of its seed corpus.
#   fuzz/run-smoke.sh [SECONDS]      default 30 seconds per target
# Needs clang and libFuzzer (Debian 12: clang-14 libclang-rt-14-dev); installs nothing.
# Environment: FETCH_FUZZ_BUILD_DIR (default build-fuzz), FETCH_FUZZ_JOBS (build jobs, 2),
#              FETCH_FUZZ_ARTIFACTS (where crash files go; default a temporary directory).
# Exit status: 0 when no target found anything, 1 when one crashed, hung, leaked or ran out
# of memory (its crash file is kept and named), 2 on usage or build errors.
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
case "$seconds" in
  '' | *[!0-9]* | 0) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac
build=${FETCH_FUZZ_BUILD_DIR:-build-fuzz}
jobs=${FETCH_FUZZ_JOBS:-2}
targets=(fuzz_url_list fuzz_response fuzz_http1_parser fuzz_h2_client)

cxx=$(command -v clang++ || command -v clang++-14) || {
  echo "run-smoke: clang++ not found (Debian: apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 2
}

work=$(mktemp -d "${TMPDIR:-/tmp}/fetch-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "run-smoke: building ${targets[*]} in $build" >&2
if ! cmake -S . -B "$build" -C fuzz/cache.cmake -DCMAKE_CXX_COMPILER="$cxx" \
  >"$work/configure.log" 2>&1; then
  cat "$work/configure.log" >&2
  exit 2
fi
if ! cmake --build "$build" -j"$jobs" --target "${targets[@]}" >"$work/build.log" 2>&1; then
  tail -50 "$work/build.log" >&2
  echo "run-smoke: build failed" >&2
  exit 2
fi
artifacts=${FETCH_FUZZ_ARTIFACTS:-$work/artifacts}
mkdir -p "$artifacts"
# Readable stack traces when llvm-symbolizer is around (package llvm-14); fine without.
for symbolizer in llvm-symbolizer llvm-symbolizer-14 /usr/lib/llvm-14/bin/llvm-symbolizer; do
  if command -v "$symbolizer" >/dev/null; then
    export ASAN_SYMBOLIZER_PATH
    ASAN_SYMBOLIZER_PATH=$(command -v "$symbolizer")
    break
  fi
done

passed=0
failed=0
for target in "${targets[@]}"; do
  corpus=$work/corpus-$target
  mkdir -p "$corpus"
  # The seeds are copied: new inputs never land in the repository.
  cp fuzz/corpus/"${target#fuzz_}"/* "$corpus"/
  log=$work/$target.log
  # -timeout: one input taking 10 s is a hang; the outer timeout bounds a stuck process.
  # -seed: the same inputs in the same order on every run (CI's verdict is not a draw);
  # FUZZ_SEED=0 asks libFuzzer for a fresh one, as the long runs in fuzz/README.md do.
  timeout --kill-after=10 $((seconds + 60)) "$build/fuzz/$target" \
    -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -dict="fuzz/${target#fuzz_}.dict" -artifact_prefix="$artifacts/$target-" "$corpus" >"$log" 2>&1
  status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if [ "$status" -eq 0 ] && [ -n "$runs" ]; then
    echo "$target: ${runs} runs (${speed} exec/s) in ${seconds} s, no crash"
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "$target: FAILED (exit $status) after ${runs:-?} runs"
    # The report: from the first sign of trouble on (the check or sanitizer message, the stack,
    # the crash file's name), or the end of the log when there is none.
    first=$(grep -n -m1 -E 'invariant violated|==[0-9]+==|Assertion .* failed|runtime error:|libFuzzer: ' \
      "$log" | cut -d: -f1)
    if [ -n "$first" ]; then
      tail -n +"$first" "$log" | head -80 | sed 's/^/  | /'
    else
      tail -40 "$log" | sed 's/^/  | /'
    fi
    if [ -z "${FETCH_FUZZ_ARTIFACTS:-}" ]; then
      kept=$(mktemp -d "${TMPDIR:-/tmp}/fetch-fuzz-crash.XXXXXX")
      cp "$artifacts"/"$target"-* "$kept"/ 2>/dev/null
      echo "  crash files kept in $kept (see fuzz/README.md to reproduce)"
    fi
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || exit 1
