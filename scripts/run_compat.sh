#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Builds and runs the whole suite (unit, stress, exploration, examples,
# integration; not the gRPC recipe, which has no Asio of its own to vary)
# against each Boost.Asio include tree given, laid over the system's Boost, as
# is and with BOOST_ASIO_NO_DEPRECATED. "system" stands for the system's own
# Asio. Warnings are errors. The compiler is $CXX (default: g++).
#
#   scripts/run_compat.sh system ../shared/asio/*/include
#   scripts/run_compat.sh --core --modes=default DIR...   # CI's middle trees
#
# --core leaves out the examples and the tests that need them (integration,
# example.*): the unit, stress and exploration tests, the strict consumer and
# the compile-fail checks remain. --modes=default,no-deprecated chooses the
# builds per tree (default: both).
set -euo pipefail
cd "$(dirname "$0")/.."

examples=ON
modes=(default no-deprecated)
while (($#)) && [[ $1 == --* ]]; do
  case $1 in
    --core) examples=OFF ;;
    --modes=*) IFS=, read -r -a modes <<< "${1#--modes=}" ;;
    *) echo "run_compat: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if (($# == 0)); then
  echo "usage: $0 [--core] [--modes=default,no-deprecated] system|ASIO_INCLUDE_DIR..." >&2
  exit 2
fi
suite=$([ $examples = ON ] && echo "whole suite" || echo "core tests")
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
  for mode in "${modes[@]}"; do
    flags=("${overlay[@]}")
    if [ $mode = no-deprecated ]; then flags+=(-DBOOST_ASIO_NO_DEPRECATED); fi
    build=build/compat/$name-$mode
    mkdir -p build/compat
    echo "== run_compat: $name (BOOST_ASIO_VERSION $version), $mode, ${CXX:-g++}, $suite"
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER="${CXX:-g++}" \
      -DCMAKE_COMPILE_WARNING_AS_ERROR=ON -DCMAKE_CXX_FLAGS="${flags[*]}" \
      -DAWAITIFY_BUILD_BENCHMARKS=OFF -DAWAITIFY_TEST_INSTALL=OFF -DAWAITIFY_BUILD_GRPC_EXAMPLE=OFF \
      -DAWAITIFY_BUILD_DOCS=OFF -DAWAITIFY_BUILD_EXAMPLES=$examples > "$build.configure.log" \
      || { cat "$build.configure.log"; exit 1; }
    cmake --build "$build" -j 2
    ctest --test-dir "$build" --output-on-failure --no-tests=error | tee "$build.ctest.log"
    summary+=("$name (BOOST_ASIO_VERSION $version) $mode, $suite: $(grep -E 'tests passed' "$build.ctest.log")")
  done
done

echo "== run_compat summary (${CXX:-g++})"
printf '  %s\n' "${summary[@]}"
