#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""The seed's own pattern in Python asyncio, for comparison with awaitify.

A legacy API runs on a persistent worker thread with a queue and calls back
there; the adapter is an asyncio.Future completed through
loop.call_soon_threadsafe. Scenarios: ping-pong (one call at a time), 1,000
calls in flight, and an inline legacy API that calls back before returning.
Prints (and with --json writes) the median ns per operation of each.
Standard library only.
"""

import argparse
import asyncio
import json
import queue
import statistics
import threading
import time


class LegacyWorker:
    """Adds on its own thread and calls back there."""

    def __init__(self):
        self._jobs = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def async_add(self, a, b, callback):
        self._jobs.put((a, b, callback))

    def _run(self):
        while True:
            job = self._jobs.get()
            if job is None:
                return
            a, b, callback = job
            callback(a + b)

    def close(self):
        self._jobs.put(None)
        self._thread.join()


class LegacyInline:
    """Calls back before returning."""

    def async_add(self, a, b, callback):
        callback(a + b)

    def close(self):
        pass


def add(loop, legacy, a, b):
    """The seed's adapter: a Future completed from whatever thread calls back."""
    fut = loop.create_future()
    legacy.async_add(a, b, lambda r: loop.call_soon_threadsafe(fut.set_result, r))
    return fut


async def chain(loop, legacy, count):
    r = 0
    for _ in range(count):
        r = await add(loop, legacy, r, 1)
    return r


async def run_scenario(legacy, ops, chains):
    loop = asyncio.get_running_loop()
    start = time.perf_counter_ns()
    await asyncio.gather(*(chain(loop, legacy, ops // chains) for _ in range(chains)))
    return (time.perf_counter_ns() - start) / ops


def measure(make_legacy, ops, chains, repetitions):
    samples = []
    for _ in range(repetitions):
        legacy = make_legacy()
        try:
            samples.append(asyncio.run(run_scenario(legacy, ops, chains)))
        finally:
            legacy.close()
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--ops", type=int, default=20_000)
    args = parser.parse_args()

    results = {
        "inline/asyncio/await": measure(LegacyInline, args.ops, 1, args.repetitions),
        "pingpong/asyncio/await": measure(LegacyWorker, args.ops, 1, args.repetitions),
        "inflight/asyncio/await": measure(LegacyWorker, args.ops, 1000, args.repetitions),
    }
    for name, ns in results.items():
        print(f"{name:32} {ns:10.0f} ns/op")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
