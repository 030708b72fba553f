#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Installs what is missing, builds the benchmark in Release, runs it (median
# of 5 repetitions, interleaved at random) beside the asyncio seed, measures
# the compile-time cost, and prints the comparison table. Writes
# bench/results.md and bench/results.svg for the system's Boost.Asio.
#
#   scripts/run_benchmarks.sh                       # the system's Asio
#   scripts/run_benchmarks.sh ../shared/asio/asio-1.38.0/include
#
# Given an Asio include tree (laid over the system's Boost), it builds in
# build/bench-<tree> and writes bench/results-<tree>.md instead.
# --scaling_threads=IO,LIBRARY sets the scaling scenario's thread counts
# (default 2,2).
set -euo pipefail
cd "$(dirname "$0")/.."

asio_dir=
scaling=--scaling_threads=2,2
for arg in "$@"; do
  case $arg in
    --scaling_threads=*) scaling=$arg ;;
    *) asio_dir=$(realpath "$arg") ;;
  esac
done

AWAITIFY_EXTRA_PACKAGES="gnuplot-nox python3" scripts/install_deps.sh
if [ -z "$asio_dir" ]; then
  cmake --preset release
  out=build/release/bench
  results=bench/results
  overlay=()
  asio_header=/usr/include/boost/asio/version.hpp
else
  if [ ! -f "$asio_dir/boost/asio/version.hpp" ]; then
    echo "run_benchmarks: $asio_dir is not a Boost.Asio include tree" >&2
    exit 2
  fi
  name=$(basename "$(dirname "$asio_dir")")
  build=build/bench-$name
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS="-isystem $asio_dir" \
    -DAWAITIFY_BUILD_TESTS=OFF -DAWAITIFY_BUILD_EXAMPLES=OFF -DAWAITIFY_BUILD_DOCS=OFF -DAWAITIFY_INSTALL=OFF
  out=$build/bench
  results=bench/results-$name
  overlay=(--asio-include "$asio_dir")
  asio_header=$asio_dir/boost/asio/version.hpp
fi
asio_version=$(sed -n 's/^#define BOOST_ASIO_VERSION \([0-9]*\).*/\1/p' "$asio_header")
cmake --build "${out%/bench}" --target awaitify_bench -j 2
./$out/awaitify_bench --benchmark_repetitions=5 --benchmark_min_time=0.3 \
  --benchmark_report_aggregates_only=true --benchmark_enable_random_interleaving=true "$scaling" \
  --benchmark_out=$out/results.json --benchmark_out_format=json
python3 bench/compile_time.py "${overlay[@]}" --repetitions 9 --json $out/compile_time.json
python3 bench/seed_asyncio.py --json $out/asyncio.json
python3 bench/report.py $out/results.json $out/asyncio.json --compile-time $out/compile_time.json \
  --asio-version "$asio_version" --markdown $results.md --chart $results.svg
