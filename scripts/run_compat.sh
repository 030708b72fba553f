#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Builds and runs the whole suite (unit, stress, examples, integration; not the
# gRPC recipe, which has no Asio of its own to vary, to keep CI short) against
# each Boost.Asio include tree given, laid over the system's Boost, twice: as
# is and with BOOST_ASIO_NO_DEPRECATED. "system" stands for the system's own
# Asio. Warnings are errors. The compiler is $CXX (default: g++).
#
#   scripts/run_compat.sh system ../shared/asio/*/include
set -euo pipefail
cd "$(dirname "$0")/.."

if (($# == 0)); then
  echo "usage: $0 system|ASIO_INCLUDE_DIR..." >&2
  exit 2
fi
scripts/install_deps.sh

summary=()
for dir in "$@"; do
  if [ "$dir" = system ]; then
    name=system
    overlay=()
    header=/usr/include/boost/asio/version.hpp
  else
    dir=$(realpath "$dir")
    if [ ! -f "$dir/boost/asio/version.hpp" ]; then
      echo "run_compat: $dir is not a Boost.Asio include tree" >&2
      exit 2
    fi
    name=$(basename "$(dirname "$dir")")
    overlay=(-isystem "$dir")
    header=$dir/boost/asio/version.hpp
  fi
  version=$(sed -n 's/^#define BOOST_ASIO_VERSION \([0-9]*\).*/\1/p' "$header")
  for mode in default no-deprecated; do
    flags=("${overlay[@]}")
    if [ $mode = no-deprecated ]; then flags+=(-DBOOST_ASIO_NO_DEPRECATED); fi
    build=build/compat/$name-$mode
    mkdir -p build/compat
    echo "== run_compat: $name (BOOST_ASIO_VERSION $version), $mode, ${CXX:-g++}"
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER="${CXX:-g++}" \
      -DCMAKE_COMPILE_WARNING_AS_ERROR=ON -DCMAKE_CXX_FLAGS="${flags[*]}" \
      -DAWAITIFY_BUILD_BENCHMARKS=OFF -DAWAITIFY_TEST_INSTALL=OFF -DAWAITIFY_BUILD_GRPC_EXAMPLE=OFF \
      -DAWAITIFY_BUILD_DOCS=OFF > "$build.configure.log" \
      || { cat "$build.configure.log"; exit 1; }
    cmake --build "$build" -j 2
    ctest --test-dir "$build" --output-on-failure --no-tests=error | tee "$build.ctest.log"
    summary+=("$name (BOOST_ASIO_VERSION $version) $mode: $(grep -E 'tests passed' "$build.ctest.log")")
  done
done

echo "== run_compat summary (${CXX:-g++})"
printf '  %s\n' "${summary[@]}"
