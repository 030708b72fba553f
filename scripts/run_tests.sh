#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Installs what is missing, then configures, builds and runs every test with
# the given CMake workflow preset: dev (default), asan, tsan, or a compiler's
# (gcc11, clang14, clang15, clang16, clang19, clang22, clang19-libcxx).
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-dev}
case "$preset" in
  gcc11) extra="g++-11" ;;
  clang14) extra="clang-14" ;;
  clang15) extra="clang-15" ;;
  clang16) extra="clang-16" ;;
  clang19) extra="clang-19" ;;
  clang22) extra="clang-22" ;;
  # Debian 12 installs one libc++-*-dev at a time; its libc++-22-dev links
  # against the libc++ 19 runtime, so 19 is the libc++ that is tested.
  clang19-libcxx) extra="clang-19 libc++-19-dev libc++abi-19-dev" ;;
  *) extra="" ;;
esac
AWAITIFY_EXTRA_PACKAGES="${AWAITIFY_EXTRA_PACKAGES:-} $extra" scripts/install_deps.sh
cmake --workflow --preset "$preset"
