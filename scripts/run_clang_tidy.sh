#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# clang-tidy (Debian's clang-tidy-19) with the checked-in .clang-tidy over the
# library's sources, in both flavours, and over its headers as the strict
# consumer instantiates them (only the headers' findings: the consumer is user
# code). Any finding fails.
set -euo pipefail
cd "$(dirname "$0")/.."
AWAITIFY_EXTRA_PACKAGES="${AWAITIFY_EXTRA_PACKAGES:-} clang-19 clang-tidy-19" scripts/install_deps.sh

build=build/tidy
standalone=()
shopt -s nullglob
trees=(../shared/asio-standalone/*/include)
if ((${#trees[@]})); then standalone=(-DAWAITIFY_ASIO_INCLUDE_DIR="$(realpath "${trees[-1]}")"); fi
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  -DAWAITIFY_BUILD_EXAMPLES=OFF -DAWAITIFY_BUILD_BENCHMARKS=OFF -DAWAITIFY_BUILD_DOCS=OFF \
  -DAWAITIFY_TEST_INSTALL=OFF "${standalone[@]}" > "$build.configure.log" || { cat "$build.configure.log"; exit 1; }

# compile_commands.json names each library source once per flavour's target,
# and clang-tidy checks every command it has for a file.
status=0
run() { clang-tidy-19 -p "$build" --quiet "$@" || status=1; }
for source in src/*.cpp; do
  run "$source"
done
run --line-filter='[{"name":".hpp"}]' test/consumer/strict_consumer.cpp
if ((status)); then
  echo "run_clang_tidy: findings above" >&2
  exit 1
fi
echo "run_clang_tidy: no findings"
