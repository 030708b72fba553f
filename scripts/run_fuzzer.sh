#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Builds the libFuzzer target with Clang 19 under AddressSanitizer and
# UndefinedBehaviorSanitizer, and runs it from the seed corpus for
# AWAITIFY_FUZZ_SECONDS seconds (default 60). New inputs go to a scratch
# folder, never into the repository; a crash leaves its input in build/fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."
AWAITIFY_EXTRA_PACKAGES="${AWAITIFY_EXTRA_PACKAGES:-} clang-19 libclang-rt-19-dev libfuzzer-19-dev" scripts/install_deps.sh
build=build/fuzz
flags="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-19 \
  -DCMAKE_COMPILE_WARNING_AS_ERROR=ON -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DAWAITIFY_BUILD_FUZZERS=ON -DAWAITIFY_BUILD_EXAMPLES=OFF -DAWAITIFY_BUILD_BENCHMARKS=OFF \
  -DAWAITIFY_BUILD_DOCS=OFF -DAWAITIFY_TEST_INSTALL=OFF > "$build.configure.log" \
  || { cat "$build.configure.log"; exit 1; }
cmake --build "$build" --target awaitify_fuzz -j 2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$build"
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  ./test/awaitify_fuzz -max_total_time="${AWAITIFY_FUZZ_SECONDS:-60}" -max_len=128 -rss_limit_mb=4096 \
  -print_final_stats=1 "$scratch" ../../test/fuzz/corpus
echo "run_fuzzer: no invariant broken"
