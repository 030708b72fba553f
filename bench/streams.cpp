// SPDX-License-Identifier: BSL-1.0
//
// bench/streams.cpp: scenario 6, items per second through an awaitify
// stream fed from a foreign thread, with each overflow policy, against an
// asio::experimental::concurrent_channel fed the same way: one of the
// stream's capacity, whose producer waits for room as the stream's waits for
// demand, and one with room for every item. The consumer awaits each item
// with use_awaitable.
//

#include "allocation_counter.hpp"

#include <awaitify/stream.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <benchmark/benchmark.h>

#include <string>
#include <thread>
#include <utility>

namespace bench {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

constexpr int items = 100'000;
constexpr std::size_t capacity = 1024;

void report(benchmark::State& state, std::uint64_t allocations_before)
{
  state.counters["op"] = benchmark::Counter(double(items),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["allocs"] = double(allocations_now() - allocations_before) / (double(state.iterations()) * items);
}

/// Items through an awaitify stream with `policy`. The producer keeps
/// within `sink.demand()` (as a library with flow control does), so a
/// bounded stream drops nothing and every item reaches the consumer.
void awaitify_stream(benchmark::State& state, awaitify::overflow_policy policy)
{
  asio::io_context ioc(1);
  const auto before = allocations_now();
  for (auto _ : state)
  {
    std::thread producer;
    const awaitify::stream_options<void(int)> options{policy, capacity, {}};
    auto s = awaitify::make_stream<void(int)>(ioc, options, [&](awaitify::sink<void(int)> sink) {
      producer = std::thread([sink] {
        for (int i = 0; i < items; ++i)
        {
          while (sink.demand() == 0)
            std::this_thread::yield();
          sink(i);
        }
        sink.close();
      });
    });
    int received = 0;
    asio::co_spawn(ioc,
        [&]() -> asio::awaitable<void> {
          for (;;)
          {
            auto [ec, v] = co_await s.async_next(asio::as_tuple(asio::use_awaitable));
            if (ec)
              break;
            received += v >= 0;
          }
        },
        asio::detached);
    ioc.restart();
    ioc.run();
    producer.join();
    if (received != items)
      state.SkipWithError("lost items");
  }
  report(state, before);
}

void concurrent_channel(benchmark::State& state, std::size_t channel_capacity)
{
  asio::io_context ioc(1);
  const auto before = allocations_now();
  for (auto _ : state)
  {
    asio::experimental::concurrent_channel<void(error_code, int)> channel(ioc, channel_capacity);
    std::thread producer([&] {
      // close() would discard what is buffered: the last item is a sentinel.
      for (int i = 0; i < items; ++i)
        while (!channel.try_send(error_code(), i + 1 < items ? i : -1))
          std::this_thread::yield();
    });
    int received = 0;
    asio::co_spawn(ioc,
        [&]() -> asio::awaitable<void> {
          for (;;)
          {
            auto [ec, v] = co_await channel.async_receive(asio::as_tuple(asio::use_awaitable));
            if (ec)
              break;
            ++received;
            if (v < 0)
              break;
          }
        },
        asio::detached);
    ioc.restart();
    ioc.run();
    producer.join();
    if (received != items)
      state.SkipWithError("lost items");
  }
  report(state, before);
}

const bool registered = [] {
  using awaitify::overflow_policy;
  for (auto [name, policy] : {std::pair{"unbounded", overflow_policy::unbounded},
           std::pair{"drop_oldest", overflow_policy::drop_oldest}, std::pair{"drop_newest", overflow_policy::drop_newest},
           std::pair{"fail", overflow_policy::fail}, std::pair{"flow_control", overflow_policy::flow_control}})
    benchmark::RegisterBenchmark((std::string("stream/awaitify/") + name).c_str(),
        [policy = policy](benchmark::State& state) { awaitify_stream(state, policy); })
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  for (auto [name, channel_capacity] : {std::pair{"stream/concurrent_channel/capacity", capacity},
           std::pair{"stream/concurrent_channel/every_item", std::size_t(items)}})
    benchmark::RegisterBenchmark(name,
        [channel_capacity = channel_capacity](benchmark::State& state) { concurrent_channel(state, channel_capacity); })
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  return true;
}();

} // namespace
} // namespace bench
