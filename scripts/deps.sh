#!/usr/bin/env bash
# Installs the Debian 12 packages fetch needs, and only those that are missing.
#   scripts/deps.sh          build and run
#   scripts/deps.sh --test   also what the test suite needs (nginx, openssl, gtest, GNU parallel
#                            for the shard recipe, curl and zsh (fetch -w beside curl -w, the zsh
#                            completion typed into zsh), python3 with h2, brotli and zstandard for the
#                            test servers)
#   scripts/deps.sh --bench  also what bench/run needs (curl, python3-aiohttp, wrk, h2load)
#   scripts/deps.sh --fuzz   also clang and libFuzzer, for fuzz/run-smoke.sh
set -euo pipefail

packages=(g++ cmake make pkg-config ca-certificates libssl-dev libcli11-dev libfmt-dev libc-ares-dev
          libboost1.81-dev libboost-url1.81-dev libboost-json1.81-dev
          zlib1g-dev libbrotli-dev libzstd-dev libnghttp2-dev)
for flag in "$@"; do
  case "$flag" in
    --test) packages+=(libgtest-dev nginx-light openssl python3 python3-h2 python3-brotli python3-zstandard parallel curl zsh) ;;
    --bench) packages+=(nginx-light openssl curl python3 python3-aiohttp wrk nghttp2-client time valgrind) ;;
    --fuzz) packages+=(clang-14 libclang-rt-14-dev) ;;
    *) echo "usage: $0 [--test] [--bench] [--fuzz]" >&2; exit 2 ;;
  esac
done

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
# Debian starts a service such as nginx as it installs it; the tests and the benchmark run
# their own servers on free ports, and stopping one afterwards could stop somebody else's.
# A policy-rc.d that says "no" (exit 101, see invoke-rc.d(8)) keeps packages from starting
# anything, for the length of this install only, and only when no policy is in place already.
policy=/usr/sbin/policy-rc.d
own_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod 755 "$policy"
  own_policy=true
fi
status=0
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || status=$?
if $own_policy; then
  "${sudo_cmd[@]}" rm -f "$policy"
fi
exit $status
