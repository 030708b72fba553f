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

#include <chrono>
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

/// The legacy API on a pool of threads, noting when it invokes each
/// callback: the call's first argument is its chain, whose one call in flight
/// owns a slot, and the result is that chain, so that the handler can read
/// its call's time.
class legacy_stamping_pool
{
public:
  using clock = std::chrono::steady_clock;

  legacy_stamping_pool(int threads, int chains) : workers_(std::size_t(threads)), invoked_(std::size_t(chains)) {}

  void async_add(int chain, int b, std::function<void(int)> cb)
  {
    thread_local std::size_t next = 0;
    workers_[next++ % workers_.size()].post({this, chain, b, std::move(cb)});
  }

  /// When the callback of `chain`'s last call was invoked.
  clock::time_point invoked(int chain) const { return invoked_[std::size_t(chain)]; }

private:
  struct stamped_job
  {
    legacy_stamping_pool* pool;
    int chain, b;
    std::function<void(int)> cb;
    void operator()()
    {
      pool->invoked_[std::size_t(chain)] = clock::now();
      cb(chain + b);
    }
  };

  std::vector<awaitify_test::basic_worker<stamped_job>> workers_;
  std::vector<clock::time_point> invoked_;
};

/// The same API, calling back before it returns.
struct legacy_inline
{
  void async_add(int a, int b, const std::function<void(int)>& cb) { cb(a + b); }
};

} // namespace bench

#endif // AWAITIFY_BENCH_LEGACY_WORKER_HPP
