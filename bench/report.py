#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Turns the benchmark's JSON (and the asyncio seed's) into the comparison
table: ns/op of each contender, the ratios, allocations and memory per
operation. Prints it, writes it as Markdown and draws a bar chart (SVG, with
gnuplot). Standard library only."""

import argparse
import json
import os
import platform
import shutil
import subprocess
import tempfile

SCENARIOS = [
    ("inline", "use_awaitable"), ("inline", "handler"),
    ("pingpong", "use_awaitable"), ("pingpong", "handler"),
    ("inflight", "use_awaitable"), ("inflight", "handler"),
    ("inflight_mt", "use_awaitable"), ("inflight_mt", "handler"),
]
DESCRIPTIONS = {
    "inline": "1. inline completion, one at a time",
    "pingpong": "2. foreign-thread ping-pong, one at a time",
    "inflight": "3. foreign thread, 1,000 in flight",
    "inflight_mt": "4. 2-thread io_context, 1,000 in flight",
}


def load_benchmarks(path):
    with open(path) as f:
        data = json.load(f)
    results = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        name = b["run_name"].replace("/real_time", "").split("/iterations:")[0]
        results[name] = b
    return data.get("context", {}), results


def ns(entry):
    return entry["op"] * 1e9 if entry and "op" in entry else None


def fmt(value, digits=0):
    return "-" if value is None else f"{value:,.{digits}f}"


def ratio(a, b):
    return None if a is None or b is None else a / b


def thread_rows(bench, scenario):
    """The rows of a scenario named `<scenario>/<adapter>/<token>/io:N/lib:M`:
    (threads label, token, awaitify's entry, the hand-written adapter's)."""
    for name in sorted(n for n in bench if n.startswith(f"{scenario}/awaitify/")):
        threads = name.split("/", 3)[3]
        token = name.split("/")[2]
        label = threads.replace("io:", "").replace("/lib:", " I/O threads, ") + " library threads"
        yield label, token, bench[name], bench.get(name.replace("/awaitify/", "/handwritten/"))


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("benchmark_json")
    parser.add_argument("asyncio_json")
    parser.add_argument("--compile-time", help="bench/compile_time.py's JSON")
    parser.add_argument("--asio-version", help="BOOST_ASIO_VERSION the benchmark was built with")
    parser.add_argument("--markdown", required=True)
    parser.add_argument("--chart", required=True)
    args = parser.parse_args()

    context, bench = load_benchmarks(args.benchmark_json)
    with open(args.asyncio_json) as f:
        asyncio_results = json.load(f)

    lines = []
    machine = (f"{cpu_model()}, {context.get('num_cpus', '?')} cores at "
               f"{context.get('mhz_per_cpu', '?')} MHz, {platform.system()} {platform.release()}; "
               f"awaitify built Release (-O3), median of 5 repetitions interleaved at random, {context.get('date', '')}")
    asio = "unknown"
    if args.asio_version:
        v = int(args.asio_version)
        asio = f"{v // 100000}.{v // 100 % 1000}.{v % 100} (BOOST_ASIO_VERSION {v})"
    lines.append(f"Measured on: {machine}; Boost.Asio {asio}.")
    lines.append("")
    lines.append("| scenario | token | awaitify ns/op | hand-written ns/op | floor ns/op | asyncio ns/op "
                 "| awaitify / hand-written | awaitify / floor | asyncio / awaitify "
                 "| allocs/op awaitify | allocs/op hand-written |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    chart_rows = []
    for scenario, token in SCENARIOS:
        a = bench.get(f"{scenario}/awaitify/{token}")
        h = bench.get(f"{scenario}/handwritten/{token}")
        floor = bench.get(f"{scenario}/floor/{token}")
        floor_name = "floor"
        if floor is None and scenario == "pingpong":
            floor, floor_name = bench.get("pingpong/promise_future/blocking"), "promise/future"
        py = asyncio_results.get(f"{scenario}/asyncio/await") if token == "use_awaitable" else None
        a_ns, h_ns, f_ns = ns(a), ns(h), ns(floor)
        floor_cell = fmt(f_ns) + ("" if floor_name == "floor" or f_ns is None else f" ({floor_name})")
        lines.append(
            f"| {DESCRIPTIONS[scenario]} | {token} | {fmt(a_ns)} | {fmt(h_ns)} | {floor_cell} | {fmt(py)} "
            f"| {fmt(ratio(a_ns, h_ns), 2)} | {fmt(ratio(a_ns, f_ns), 2)} | {fmt(ratio(py, a_ns), 1)} "
            f"| {fmt(a and a.get('allocs'), 2)} | {fmt(h and h.get('allocs'), 2)} |")
        chart_rows.append((f"{scenario}\\n{token}", a_ns, h_ns, f_ns))

    lines.append("")
    lines.append("| scaling: 1,000 in flight | token | awaitify ns/op | hand-written ns/op "
                 "| awaitify ops/s | hand-written ops/s | awaitify / hand-written (time) |")
    lines.append("|---|---|---:|---:|---:|---:|---:|")
    for label, token, a, h in thread_rows(bench, "scaling"):
        a_ns, h_ns = ns(a), ns(h)
        lines.append(f"| {label} | {token} | {fmt(a_ns)} | {fmt(h_ns)} "
                     f"| {fmt(a and a.get('items_per_second'))} | {fmt(h and h.get('items_per_second'))} "
                     f"| {fmt(ratio(a_ns, h_ns), 2)} |")

    lines.append("")
    lines.append("| oversubscribed: 1,000 in flight, latency from the callback's invocation to the handler's start "
                 "| token | awaitify ns/op | hand-written ns/op | awaitify / hand-written (time) "
                 "| p50 ns awaitify / hand-written | p99 ns awaitify / hand-written | p99.9 ns awaitify / hand-written |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|")
    for label, token, a, h in thread_rows(bench, "oversubscribed"):
        label += f" on {context.get('num_cpus', '?')} cores"
        a_ns, h_ns = ns(a), ns(h)
        cells = " | ".join(f"{fmt(a and a.get(p))} / {fmt(h and h.get(p))}" for p in ("p50_ns", "p99_ns", "p999_ns"))
        lines.append(f"| {label} | {token} | {fmt(a_ns)} | {fmt(h_ns)} | {fmt(ratio(a_ns, h_ns), 2)} | {cells} |")

    lines.append("")
    lines.append("| 6. stream fed by a foreign thread (capacity 1,024; the producer keeps within demand()) "
                 "| ns/item | items/s | allocs/item |")
    lines.append("|---|---:|---:|---:|")
    streams = [(f"awaitify::stream, {p}", bench.get(f"stream/awaitify/{p}"))
               for p in ("unbounded", "drop_oldest", "drop_newest", "fail", "flow_control")]
    streams.append(("experimental::concurrent_channel, capacity 1,024 (the producer waits for room)",
                    bench.get("stream/concurrent_channel/capacity")))
    streams.append(("experimental::concurrent_channel, room for every item",
                    bench.get("stream/concurrent_channel/every_item")))
    for label, entry in streams:
        v = ns(entry)
        lines.append(f"| {label} | {fmt(v)} | {fmt(None if v is None else 1e9 / v)} "
                     f"| {fmt(entry and entry.get('allocs'), 3)} |")
    lines.append("")
    lines.append("| 5. memory per pending operation (1,000,000 outstanding) | token "
                 "| awaitify heap bytes | hand-written heap bytes | awaitify / hand-written "
                 "| awaitify resident bytes | hand-written resident bytes |")
    lines.append("|---|---|---:|---:|---:|---:|---:|")
    for token in ("handler", "use_awaitable"):
        a = bench.get(f"pending_memory/awaitify/{token}")
        h = bench.get(f"pending_memory/handwritten/{token}")
        a_b, h_b = a and a.get("heap_bytes"), h and h.get("heap_bytes")
        lines.append(f"| | {token} | {fmt(a_b)} | {fmt(h_b)} | {fmt(ratio(a_b, h_b), 2)} "
                     f"| {fmt(a and a.get('rss_bytes'))} | {fmt(h and h.get('rss_bytes'))} |")
    if args.compile_time:
        with open(args.compile_time) as f:
            ct = json.load(f)
        lines.append("")
        lines.append(f"| compile time: one awaited call, -O3 ({ct['compiler']}, median of {ct['repetitions']}) "
                     "| awaitify s | hand-written s | awaitify / hand-written |")
        lines.append("|---|---:|---:|---:|")
        lines.append(f"| `<awaitify/awaitify.hpp>` + `wrap` vs `bench/handwritten.hpp` "
                     f"| {ct['awaitify']:.2f} | {ct['handwritten']:.2f} | {ct['ratio']:.2f} |")
    lines.append("")
    lines.append("allocs/op counts every heap allocation made while the operations run, including the "
                 "legacy API's own `std::function` (one per call: neither adapter's callback is trivially "
                 "copyable, so libstdc++ stores it on the heap) and Asio's. Memory per pending operation "
                 "includes the legacy API's `std::function` (32 bytes in a reserved vector are not counted, "
                 "its heap block is); under use_awaitable it includes each operation's coroutine frame, "
                 "the same for both adapters.")

    table = "\n".join(lines) + "\n"
    print(table)
    with open(args.markdown, "w") as f:
        f.write(table)

    if shutil.which("gnuplot") is None:
        print("gnuplot not found: no chart")
        return
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data.dat")
        with open(data, "w") as f:
            for label, a_ns, h_ns, f_ns in chart_rows:
                f.write(f"\"{label}\" {a_ns or 0} {h_ns or 0} {f_ns or 0}\n")
        script = f"""
set terminal svg size 1000,480 font 'sans,11' background rgb 'white'
set output '{args.chart}'
set title 'awaitify vs hand-written adapter vs floor (ns per operation, log scale, lower is better)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
set yrange [10:*]
set ylabel 'ns / op'
set key top left
set xtics font ',9'
set grid ytics
plot '{data}' using 2:xtic(1) title 'awaitify' lc rgb '#1f77b4', \\
     '' using 3 title 'hand-written' lc rgb '#ff7f0e', \\
     '' using 4 title 'floor' lc rgb '#7f7f7f'
"""
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    print(f"chart: {args.chart}")


if __name__ == "__main__":
    main()
