// SPDX-License-Identifier: BSL-1.0
//
// bench/legacy_worker.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~
//
// The stand-in legacy API of the benchmarks: a persistent worker thread with
// a queue that invokes each callback on its own thread, and an inline variant
// that calls back before returning.
//

#ifndef AWAITIFY_BENCH_LEGACY_WORKER_HPP
#define AWAITIFY_BENCH_LEGACY_WORKER_HPP

#include "common/worker.hpp"

#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

namespace bench {

/// Adds on the worker's thread and calls back there.
class legacy_worker
{
public:
  void async_add(int a, int b, std::function<void(int)> cb) { thread_.post({a, b, std::move(cb)}); }

private:
  // One queued call: no allocation beyond the callback's own.
  struct add_job
  {
    int a, b;
    std::function<void(int)> cb;
    void operator()() { cb(a + b); }
  };

  awaitify_test::basic_worker<add_job> thread_;
};

/// The legacy API on a pool of threads. Each calling thread deals its calls
/// out to the pool's threads in turn, so callers share no counter.
class legacy_pool
{
public:
  explicit legacy_pool(int threads) : workers_(std::size_t(threads)) {}

  void async_add(int a, int b, std::function<void(int)> cb)
  {
    thread_local std::size_t next = 0;
    workers_[next++ % workers_.size()].async_add(a, b, std::move(cb));
  }

private:
  std::vector<legacy_worker> workers_;
};

/// The same API, calling back before it returns.
struct legacy_inline
{
  void async_add(int a, int b, const std::function<void(int)>& cb) { cb(a + b); }
};

} // namespace bench

#endif // AWAITIFY_BENCH_LEGACY_WORKER_HPP
