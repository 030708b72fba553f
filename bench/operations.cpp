// SPDX-License-Identifier: BSL-1.0
//
// bench/operations.cpp: scenarios 1-5, the scaling and the oversubscribed
// scenarios of the benchmark, for awaitify, the hand-written adapter and the
// floor, under use_awaitable and a plain handler.
//
// Every benchmark iteration runs a batch of operations; the "op" counter is
// the real time per operation, items_per_second the throughput, and "allocs"
// the heap allocations per operation (the counting operator new is in
// main.cpp).
//

#include "allocation_counter.hpp"
#include "contenders.hpp"
#include "legacy_worker.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <benchmark/benchmark.h>

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace bench {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using executor = asio::io_context::executor_type;

constexpr int batch = 10'000;

// The scaling scenario keeps this many operations in flight, spread over
// every I/O thread and library thread.
constexpr int scaling_chains = 1000;

void report(benchmark::State& state, std::uint64_t allocations_before)
{
  const double ops = double(state.iterations()) * batch;
  state.counters["op"] = benchmark::Counter(double(batch),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["allocs"] = double(allocations_now() - allocations_before) / ops;
  state.SetItemsProcessed(state.iterations() * batch);
}

/// Runs the io_context on `threads` threads (this one included) until it is
/// out of work.
void run(asio::io_context& ioc, int threads)
{
  ioc.restart();
  std::vector<std::thread> extra;
  for (int t = 1; t < threads; ++t)
    extra.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : extra)
    t.join();
}

// A chain of operations, each started by the previous one's handler.
template <typename Adapter, typename Legacy>
struct handler_chain
{
  Legacy* legacy;
  executor ex;
  int left;

  void operator()(error_code, int r)
  {
    if (--left > 0)
      Adapter::async_add(*legacy, ex, r, 1, std::move(*this));
  }

  void start() { Adapter::async_add(*legacy, ex, 0, 1, std::move(*this)); }
};

/// `chains` chains of `batch / chains` operations: chains == 1 is one
/// operation at a time, chains == 1000 keeps 1000 in flight.
template <typename Adapter, typename Legacy>
void adapter_handler(benchmark::State& state, Legacy& legacy, int chains, int io_threads)
{
  asio::io_context ioc(io_threads);
  const auto before = allocations_now();
  for (auto _ : state)
  {
    for (int c = 0; c < chains; ++c)
      handler_chain<Adapter, Legacy>{&legacy, ioc.get_executor(), batch / chains}.start();
    run(ioc, io_threads);
  }
  report(state, before);
}

template <typename Adapter, typename Legacy>
void adapter_awaitable(benchmark::State& state, Legacy& legacy, int chains, int io_threads)
{
  asio::io_context ioc(io_threads);
  const auto before = allocations_now();
  for (auto _ : state)
  {
    for (int c = 0; c < chains; ++c)
      asio::co_spawn(ioc,
          [&]() -> asio::awaitable<void> {
            int r = 0;
            for (int i = 0; i < batch / chains; ++i)
              r = co_await Adapter::async_add(legacy, ioc.get_executor(), r, 1, asio::use_awaitable);
          },
          asio::detached);
    run(ioc, io_threads);
  }
  report(state, before);
}

// The floors: what the same round trips cost with no adapter at all.

void floor_inline_awaitable(benchmark::State& state)
{
  asio::io_context ioc(1);
  const auto before = allocations_now();
  for (auto _ : state)
  {
    asio::co_spawn(ioc,
        [&]() -> asio::awaitable<void> {
          for (int i = 0; i < batch; ++i)
            co_await asio::post(ioc.get_executor(), asio::use_awaitable);
        },
        asio::detached);
    run(ioc, 1);
  }
  report(state, before);
}

struct post_chain
{
  executor ex;
  int left;
  void operator()()
  {
    if (--left > 0)
      asio::post(ex, std::move(*this));
  }
};

void floor_inline_handler(benchmark::State& state)
{
  asio::io_context ioc(1);
  const auto before = allocations_now();
  for (auto _ : state)
  {
    asio::post(ioc, post_chain{ioc.get_executor(), batch});
    run(ioc, 1);
  }
  report(state, before);
}

// The worker posts a raw lambda to the io_context; a work guard per batch
// (not per operation) keeps run() going.
struct raw_chain
{
  legacy_worker* legacy;
  asio::io_context* ioc;
  int left;
  std::atomic<int>* chains_left;
  asio::executor_work_guard<executor>* guard;

  void start(int value)
  {
    legacy->async_add(value, 1, [self = *this](int r) { asio::post(*self.ioc, [self, r]() mutable { self.next(r); }); });
  }

  void next(int r)
  {
    if (--left > 0)
      start(r);
    else if (chains_left->fetch_sub(1) == 1)
      guard->reset();
  }
};

void floor_foreign_handler(benchmark::State& state, int chains, int io_threads)
{
  asio::io_context ioc(io_threads);
  legacy_worker legacy;
  const auto before = allocations_now();
  for (auto _ : state)
  {
    auto guard = asio::make_work_guard(ioc);
    std::atomic<int> chains_left{chains};
    for (int c = 0; c < chains; ++c)
      raw_chain{&legacy, &ioc, batch / chains, &chains_left, &guard}.start(0);
    run(ioc, io_threads);
  }
  report(state, before);
}

void floor_promise_future(benchmark::State& state)
{
  legacy_worker legacy;
  const auto before = allocations_now();
  for (auto _ : state)
  {
    int r = 0;
    for (int i = 0; i < batch; ++i)
    {
      std::promise<int> p;
      legacy.async_add(r, 1, [&p](int v) { p.set_value(v); });
      r = p.get_future().get();
    }
    benchmark::DoNotOptimize(r);
  }
  report(state, before);
}

// Scenario 5b: memory held by each pending operation.

/// A legacy API that keeps every callback until told to answer.
struct legacy_parking
{
  std::vector<std::function<void(int)>> parked;
  void async_add(int a, int b, std::function<void(int)> cb)
  {
    (void)a;
    (void)b;
    parked.push_back(std::move(cb));
  }
};

std::size_t heap_in_use()
{
  return mallinfo2().uordblks;
}

std::size_t resident_bytes()
{
  std::ifstream statm("/proc/self/statm");
  std::size_t total = 0, resident = 0;
  statm >> total >> resident;
  return resident * std::size_t(sysconf(_SC_PAGESIZE));
}

/// Bytes per pending operation: `start(ioc, legacy)` leaves `pending`
/// operations parked in the legacy API.
template <typename Start>
void pending_memory(benchmark::State& state, Start start)
{
  constexpr int pending = 1'000'000;
  for (auto _ : state)
  {
    asio::io_context ioc(1);
    legacy_parking legacy;
    legacy.parked.reserve(pending);
    malloc_trim(0);
    const std::size_t heap_before = heap_in_use();
    const std::size_t rss_before = resident_bytes();
    start(ioc, legacy, pending);
    if (legacy.parked.size() != std::size_t(pending))
      state.SkipWithError("operations missing");
    state.counters["heap_bytes"] = double(heap_in_use() - heap_before) / pending;
    state.counters["rss_bytes"] = double(resident_bytes() - rss_before) / pending;
    for (auto& cb : legacy.parked)
      cb(1);
    legacy.parked.clear();
    ioc.run();
  }
}

/// Runs `scenario(state, legacy)` with a legacy API of type Legacy made for
/// this benchmark run.
template <typename Legacy, typename Scenario>
auto with_legacy(Scenario scenario)
{
  return [scenario](benchmark::State& state) {
    Legacy legacy;
    scenario(state, legacy);
  };
}

template <typename Adapter>
void register_adapter(const std::string& name)
{
  using benchmark::RegisterBenchmark;
  auto reg = [](const std::string& n, auto f) { RegisterBenchmark(n.c_str(), f)->UseRealTime()->Unit(benchmark::kMicrosecond); };
  auto awaitable = [](int chains, int io_threads) {
    return [=](benchmark::State& s, auto& legacy) { adapter_awaitable<Adapter>(s, legacy, chains, io_threads); };
  };
  auto handler = [](int chains, int io_threads) {
    return [=](benchmark::State& s, auto& legacy) { adapter_handler<Adapter>(s, legacy, chains, io_threads); };
  };
  reg("inline/" + name + "/use_awaitable", with_legacy<legacy_inline>(awaitable(1, 1)));
  reg("inline/" + name + "/handler", with_legacy<legacy_inline>(handler(1, 1)));
  reg("pingpong/" + name + "/use_awaitable", with_legacy<legacy_worker>(awaitable(1, 1)));
  reg("pingpong/" + name + "/handler", with_legacy<legacy_worker>(handler(1, 1)));
  reg("inflight/" + name + "/use_awaitable", with_legacy<legacy_worker>(awaitable(1000, 1)));
  reg("inflight/" + name + "/handler", with_legacy<legacy_worker>(handler(1000, 1)));
  reg("inflight_mt/" + name + "/use_awaitable", with_legacy<legacy_worker>(awaitable(1000, 2)));
  reg("inflight_mt/" + name + "/handler", with_legacy<legacy_worker>(handler(1000, 2)));
  RegisterBenchmark(("pending_memory/" + name + "/handler").c_str(), [](benchmark::State& s) {
    pending_memory(s, [](asio::io_context& ioc, legacy_parking& legacy, int pending) {
      for (int i = 0; i < pending; ++i)
        Adapter::async_add(legacy, ioc.get_executor(), i, 1, [](error_code, int) {});
    });
  })->Iterations(1);
  // Each operation awaited by a coroutine of its own: the bytes include its
  // frame, the same for both adapters.
  RegisterBenchmark(("pending_memory/" + name + "/use_awaitable").c_str(), [](benchmark::State& s) {
    pending_memory(s, [](asio::io_context& ioc, legacy_parking& legacy, int pending) {
      for (int i = 0; i < pending; ++i)
        asio::co_spawn(ioc,
            [&legacy, &ioc, i]() -> asio::awaitable<void> {
              co_await Adapter::async_add(legacy, ioc.get_executor(), i, 1, asio::use_awaitable);
            },
            asio::detached);
      ioc.poll();
    });
  })->Iterations(1);
}

// The oversubscribed scenario: more library threads than cores, 1,000 in
// flight, and the latency from the library's invocation of a callback to the
// start of its handler, in percentiles.

constexpr int oversubscribed_io_threads = 2;
constexpr int oversubscribed_library_threads = 8;

/// Each chain's latencies, in ns: a chain's handlers run one at a time.
using latency_samples = std::vector<std::vector<std::uint32_t>>;

void record_latency(const legacy_stamping_pool& legacy, int chain, latency_samples& samples)
{
  const auto latency = legacy_stamping_pool::clock::now() - legacy.invoked(chain);
  samples[std::size_t(chain)].push_back(
      std::uint32_t(std::chrono::duration_cast<std::chrono::nanoseconds>(latency).count()));
}

void report_latency(benchmark::State& state, latency_samples& samples)
{
  std::vector<std::uint32_t> all;
  for (auto& chain : samples)
    all.insert(all.end(), chain.begin(), chain.end());
  if (all.empty())
    return;
  auto percentile = [&all](double p) {
    auto nth = all.begin() + std::ptrdiff_t(p * double(all.size() - 1));
    std::nth_element(all.begin(), nth, all.end());
    return double(*nth);
  };
  state.counters["p50_ns"] = percentile(0.50);
  state.counters["p99_ns"] = percentile(0.99);
  state.counters["p999_ns"] = percentile(0.999);
}

template <typename Adapter>
struct latency_chain
{
  legacy_stamping_pool* legacy;
  executor ex;
  latency_samples* samples;
  int chain;
  int left;

  void operator()(error_code, int r)
  {
    record_latency(*legacy, r, *samples);
    if (--left > 0)
      Adapter::async_add(*legacy, ex, chain, 0, std::move(*this));
  }

  void start() { Adapter::async_add(*legacy, ex, chain, 0, std::move(*this)); }
};

/// Runs the oversubscribed scenario: `start_chain(ioc, legacy, samples, c)`
/// starts chain c of batch / scaling_chains operations.
template <typename StartChain>
void oversubscribed(benchmark::State& state, StartChain start_chain)
{
  asio::io_context ioc(oversubscribed_io_threads);
  legacy_stamping_pool legacy(oversubscribed_library_threads, scaling_chains);
  latency_samples samples(scaling_chains);
  const auto before = allocations_now();
  for (auto _ : state)
  {
    for (int c = 0; c < scaling_chains; ++c)
      start_chain(ioc, legacy, samples, c);
    run(ioc, oversubscribed_io_threads);
  }
  report(state, before);
  report_latency(state, samples);
}

template <typename Adapter>
void oversubscribed_handler(benchmark::State& state)
{
  oversubscribed(state, [](asio::io_context& ioc, legacy_stamping_pool& legacy, latency_samples& samples, int c) {
    latency_chain<Adapter>{&legacy, ioc.get_executor(), &samples, c, batch / scaling_chains}.start();
  });
}

template <typename Adapter>
void oversubscribed_awaitable(benchmark::State& state)
{
  oversubscribed(state, [](asio::io_context& ioc, legacy_stamping_pool& legacy, latency_samples& samples, int c) {
    asio::co_spawn(ioc,
        [&ioc, &legacy, &samples, c]() -> asio::awaitable<void> {
          for (int i = 0; i < batch / scaling_chains; ++i)
          {
            const int r = co_await Adapter::async_add(legacy, ioc.get_executor(), c, 0, asio::use_awaitable);
            record_latency(legacy, r, samples);
          }
        },
        asio::detached);
  });
}

template <typename Adapter>
void register_oversubscribed(const std::string& name)
{
  const std::string threads = "/io:" + std::to_string(oversubscribed_io_threads)
      + "/lib:" + std::to_string(oversubscribed_library_threads);
  benchmark::RegisterBenchmark(("oversubscribed/" + name + "/handler" + threads).c_str(),
      oversubscribed_handler<Adapter>)->UseRealTime()->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(("oversubscribed/" + name + "/use_awaitable" + threads).c_str(),
      oversubscribed_awaitable<Adapter>)->UseRealTime()->Unit(benchmark::kMicrosecond);
}

template <typename Adapter>
void register_scaling(const std::string& name, int io_threads, int library_threads)
{
  const std::string threads = "/io:" + std::to_string(io_threads) + "/lib:" + std::to_string(library_threads);
  auto reg = [](const std::string& n, auto f) { benchmark::RegisterBenchmark(n.c_str(), f)->UseRealTime()->Unit(benchmark::kMicrosecond); };
  reg("scaling/" + name + "/use_awaitable" + threads, [=](benchmark::State& s) {
    legacy_pool legacy(library_threads);
    adapter_awaitable<Adapter>(s, legacy, scaling_chains, io_threads);
  });
  reg("scaling/" + name + "/handler" + threads, [=](benchmark::State& s) {
    legacy_pool legacy(library_threads);
    adapter_handler<Adapter>(s, legacy, scaling_chains, io_threads);
  });
}

} // namespace

void register_scaling(int io_threads, int library_threads)
{
  register_scaling<awaitify_adapter>("awaitify", io_threads, library_threads);
  register_scaling<handwritten_adapter>("handwritten", io_threads, library_threads);
}

namespace {

const bool registered = [] {
  register_adapter<awaitify_adapter>("awaitify");
  register_adapter<handwritten_adapter>("handwritten");
  register_oversubscribed<awaitify_adapter>("awaitify");
  register_oversubscribed<handwritten_adapter>("handwritten");
  auto reg = [](const char* n, auto f) { benchmark::RegisterBenchmark(n, f)->UseRealTime()->Unit(benchmark::kMicrosecond); };
  reg("inline/floor/use_awaitable", floor_inline_awaitable);
  reg("inline/floor/handler", floor_inline_handler);
  reg("pingpong/floor/handler", [](benchmark::State& s) { floor_foreign_handler(s, 1, 1); });
  reg("pingpong/promise_future/blocking", floor_promise_future);
  reg("inflight/floor/handler", [](benchmark::State& s) { floor_foreign_handler(s, 1000, 1); });
  reg("inflight_mt/floor/handler", [](benchmark::State& s) { floor_foreign_handler(s, 1000, 2); });
  return true;
}();

} // namespace
} // namespace bench
