#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Installs the Debian 12 packages that building and testing awaitify needs,
# only those that are missing. Run as root (or with sudo available).
set -euo pipefail

packages=(g++ cmake ninja-build pkg-config doxygen libboost1.81-dev libboost-test1.81-dev libbenchmark-dev
  libcurl4-openssl-dev libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libmosquitto-dev mosquitto libhiredis-dev redis-server libsystemd-dev dbus-daemon)
# Callers add what only they need (e.g. the benchmark's chart tools).
read -r -a extra <<< "${AWAITIFY_EXTRA_PACKAGES:-}"
packages+=("${extra[@]}")

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  echo "install_deps: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
