#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Installs what is missing, builds the benchmark in Release, runs it (median
# of 5 repetitions) beside the asyncio seed, and prints the comparison table.
# Writes bench/results.md and bench/results.svg.
set -euo pipefail
cd "$(dirname "$0")/.."
AWAITIFY_EXTRA_PACKAGES="gnuplot-nox python3" scripts/install_deps.sh
cmake --preset release
cmake --build --preset release --target awaitify_bench
out=build/release/bench
./$out/awaitify_bench --benchmark_repetitions=5 --benchmark_min_time=0.3 \
  --benchmark_report_aggregates_only=true \
  --benchmark_out=$out/results.json --benchmark_out_format=json
python3 bench/seed_asyncio.py --json $out/asyncio.json
python3 bench/report.py $out/results.json $out/asyncio.json \
  --markdown bench/results.md --chart bench/results.svg
