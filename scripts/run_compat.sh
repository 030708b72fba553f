#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Builds and runs the whole suite (unit, stress, exploration, examples,
# integration; not the gRPC recipe, which has no Asio of its own to vary)
# against each Boost.Asio include tree given, laid over the system's Boost, as
# is and with BOOST_ASIO_NO_DEPRECATED. "system" stands for the system's own
# Asio. A standalone Asio include tree (one holding asio/version.hpp) builds
# the standalone flavour instead, with ASIO_NO_DEPRECATED for no-deprecated,
# and runs its whole suite (the unit and stress tests, the strict consumer,
# the seed example, one program linking both flavours and, unless --core, the
# Boost-free install consumers). Warnings are errors. The compiler is $CXX
# (default: g++).
#
#   scripts/run_compat.sh system ../shared/asio/*/include
#   scripts/run_compat.sh --core --modes=default DIR...   # CI's middle trees
#   scripts/run_compat.sh ../shared/asio-standalone/*/include
#   scripts/run_compat.sh --sanitize=thread ../shared/asio-standalone/asio-1.38.2/include
#
# --core leaves out the examples and the tests that need them (integration,
# example.*, install.*): the unit, stress and exploration tests, the strict
# consumer and the compile-fail checks remain. --modes=default,no-deprecated
# chooses the builds per tree (default: both). --sanitize=thread builds under
# ThreadSanitizer (as the tsan preset), --sanitize=address under
# AddressSanitizer + UndefinedBehaviorSanitizer (as the asan preset).
set -euo pipefail
cd "$(dirname "$0")/.."

examples=ON
modes=(default no-deprecated)
sanitizer=()
sanitizer_name=
while (($#)) && [[ $1 == --* ]]; do
  case $1 in
    --core) examples=OFF ;;
    --sanitize=thread)
      sanitizer=(-fsanitize=thread -fno-omit-frame-pointer)
      if [[ ${CXX:-g++} == g++* ]]; then sanitizer+=(-Wno-tsan); fi
      sanitizer_name=ThreadSanitizer
      export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/test/tsan.supp"
      ;;
    --sanitize=address)
      sanitizer=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
      sanitizer_name="AddressSanitizer + UndefinedBehaviorSanitizer"
      export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
      export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
      ;;
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
  standalone=()
  if [ "$dir" = system ]; then
    name=system
    overlay=()
    header=/usr/include/boost/asio/version.hpp
    macro=BOOST_ASIO_VERSION
  else
    dir=$(realpath "$dir")
    name=$(basename "$(dirname "$dir")")
    if [ -f "$dir/asio/version.hpp" ]; then
      overlay=()
      standalone=(-DAWAITIFY_ASIO_INCLUDE_DIR="$dir")
      header=$dir/asio/version.hpp
      macro=ASIO_VERSION
    elif [ -f "$dir/boost/asio/version.hpp" ]; then
      overlay=(-isystem "$dir")
      header=$dir/boost/asio/version.hpp
      macro=BOOST_ASIO_VERSION
    else
      echo "run_compat: $dir is neither a Boost.Asio nor a standalone Asio include tree" >&2
      exit 2
    fi
  fi
  version=$(sed -n "s/^#define $macro \\([0-9]*\\).*/\\1/p" "$header")
  for mode in "${modes[@]}"; do
    flags=("${overlay[@]}" "${sanitizer[@]}")
    if [ $mode = no-deprecated ]; then flags+=(-D${macro%_VERSION}_NO_DEPRECATED); fi
    build=build/compat/$name-$mode${sanitizer_name:+-${sanitizer_name%%Sanitizer*}}
    mkdir -p build/compat
    echo "== run_compat: $name ($macro $version), $mode${sanitizer_name:+, $sanitizer_name}, ${CXX:-g++}, $suite"
    install=OFF
    if ((${#standalone[@]})) && [ $examples = ON ] && ((${#sanitizer[@]} == 0)); then install=ON; fi
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER="${CXX:-g++}" \
      -DCMAKE_COMPILE_WARNING_AS_ERROR=ON -DCMAKE_CXX_FLAGS="${flags[*]}" "${standalone[@]}" \
      -DAWAITIFY_BUILD_BENCHMARKS=OFF -DAWAITIFY_TEST_INSTALL=$install -DAWAITIFY_BUILD_GRPC_EXAMPLE=OFF \
      -DAWAITIFY_BUILD_DOCS=OFF -DAWAITIFY_BUILD_EXAMPLES=$examples > "$build.configure.log" \
      || { cat "$build.configure.log"; exit 1; }
    if ((${#standalone[@]})); then
      # The standalone flavour's tests only: the Boost flavour's are the
      # other cells'.
      targets=(awaitify_unit_tests_standalone awaitify_stress_tests_standalone awaitify_strict_consumer_standalone
        awaitify_both_flavours)
      if [ $examples = ON ]; then targets+=(seed_add_standalone); fi
      cmake --build "$build" -j 2 --target "${targets[@]}"
      ctest --test-dir "$build" --output-on-failure --no-tests=error -R '^standalone\.' | tee "$build.ctest.log"
    else
      cmake --build "$build" -j 2
      ctest --test-dir "$build" --output-on-failure --no-tests=error | tee "$build.ctest.log"
    fi
    summary+=("$name ($macro $version) $mode${sanitizer_name:+ $sanitizer_name}, $suite: $(grep -E 'tests passed' "$build.ctest.log")")
  done
done

echo "== run_compat summary (${CXX:-g++})"
printf '  %s\n' "${summary[@]}"
