#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Compile-time cost of awaitify: compiles bench/compile_time/with_awaitify.cpp
(includes <awaitify/awaitify.hpp>, awaits one wrapped call) and
with_handwritten.cpp (the same program with the benchmark's hand-written
adapter), alternately, and reports the median wall time of each and their
ratio. Optimised as the Release build is. Standard library only."""

import argparse
import json
import os
import statistics
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = {"awaitify": "with_awaitify.cpp", "handwritten": "with_handwritten.cpp"}


def compile_once(compiler, source, includes):
    command = [compiler, "-std=c++20", "-O3", "-DNDEBUG"]
    for include in includes:
        command += ["-isystem", include]
    command += ["-I", os.path.join(HERE, "..", "include"), "-c", source, "-o", os.devnull]
    start = time.monotonic()
    subprocess.run(command, check=True)
    return time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--compiler", default=os.environ.get("CXX", "g++"))
    parser.add_argument("--asio-include", action="append", default=[],
                        help="an Asio include tree laid over the system's Boost")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--json", help="where to write the figures")
    args = parser.parse_args()

    times = {name: [] for name in PROGRAMS}
    for _ in range(args.repetitions):
        for name, source in PROGRAMS.items():
            times[name].append(compile_once(args.compiler, os.path.join(HERE, "compile_time", source),
                                            args.asio_include))
    result = {name: statistics.median(values) for name, values in times.items()}
    result["ratio"] = result["awaitify"] / result["handwritten"]
    result["compiler"] = subprocess.run([args.compiler, "--version"], capture_output=True,
                                        text=True).stdout.splitlines()[0]
    result["repetitions"] = args.repetitions
    print(f"compile time, median of {args.repetitions} ({result['compiler']}): "
          f"awaitify {result['awaitify']:.2f} s, hand-written {result['handwritten']:.2f} s, "
          f"ratio {result['ratio']:.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
