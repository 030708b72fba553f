#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Installs what is missing, then configures, builds and runs every test with
# the given CMake preset: dev (default), asan or tsan.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
cmake --workflow --preset "${1:-dev}"
