// SPDX-License-Identifier: BSL-1.0
//
// Tests for awaitify/stream.hpp, awaitify/sink.hpp and
// awaitify/stream_options.hpp.
//

#include <awaitify/diagnostics.hpp>
#include <awaitify/stream.hpp>

#include "common/asio.hpp"
#include <boost/test/unit_test.hpp>

#include "common/counting_executor.hpp"
#include "common/io_fixture.hpp"
#include "common/misuse_recorder.hpp"
#include "common/worker.hpp"

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

using awaitify::overflow_policy;
using awaitify::push_result;
using awaitify::sink;
using awaitify::stream_options;
using awaitify_test::io_fixture;
using awaitify_test::misuse_recorder;
using awaitify::error_code;

using int_sink = sink<void(int)>;

/// Keeps the sink that subscribe receives, and counts teardowns.
struct subscription
{
  std::optional<int_sink> sink;
  std::atomic<int> teardowns{0};
  std::atomic<bool> teardown_on_executor{false};

  template <typename Executor>
  auto subscribe(Executor ex)
  {
    return [this, ex](int_sink s) {
      sink.emplace(std::move(s));
      return [this, ex] {
        teardown_on_executor = ex.running_in_this_thread();
        ++teardowns;
      };
    };
  }
};

/// Drains a stream into a vector; returns the error that ended it.
template <typename Stream>
asio::awaitable<error_code> drain(Stream& s, std::vector<int>& into)
{
  for (;;)
  {
    auto [ec, v] = co_await s.async_next(asio::as_tuple(asio::use_awaitable));
    if (ec)
      co_return ec;
    into.push_back(v);
  }
}

BOOST_AUTO_TEST_SUITE(stream)

BOOST_FIXTURE_TEST_CASE(items_pushed_during_subscribe_arrive_in_order, io_fixture)
{
  auto s = awaitify::make_stream<void(int)>(ioc, {}, [](int_sink sink) {
    for (int i = 0; i < 5; ++i)
      BOOST_TEST((sink(i) == push_result::enqueued));
    sink.close();
  });
  std::vector<int> got;
  error_code end;
  run_coroutine([&]() -> asio::awaitable<void> { end = co_await drain(s, got); });
  BOOST_TEST((got == std::vector<int>{0, 1, 2, 3, 4}));
  BOOST_TEST((end == awaitify::error::end_of_stream));
}

BOOST_FIXTURE_TEST_CASE(a_foreign_producer_is_delivered_on_the_consumers_executor, io_fixture)
{
  awaitify_test::worker producer;
  std::vector<std::thread::id> handler_threads;
  auto s = awaitify::make_stream<void(int)>(ioc, {}, [&](int_sink sink) {
    producer.post([sink] {
      for (int i = 0; i < 100; ++i)
        sink(i);
      sink.close();
    });
  });
  std::vector<int> got;
  run_coroutine([&]() -> asio::awaitable<void> {
    for (;;)
    {
      auto [ec, v] = co_await s.async_next(asio::as_tuple(asio::use_awaitable));
      handler_threads.push_back(std::this_thread::get_id());
      if (ec)
        break;
      got.push_back(v);
    }
  });
  BOOST_TEST_REQUIRE(got.size() == 100u);
  for (int i = 0; i < 100; ++i)
    BOOST_TEST(got[std::size_t(i)] == i);
  for (auto id : handler_threads)
    BOOST_TEST((id == std::this_thread::get_id()));
}

BOOST_FIXTURE_TEST_CASE(use_awaitable_throws_the_end, io_fixture)
{
  auto s = awaitify::make_stream<void(std::string)>(ioc, {}, [](sink<void(std::string)> sink) {
    sink("only");
    sink.fail(asio::error::connection_reset);
  });
  run_coroutine([&]() -> asio::awaitable<void> {
    BOOST_TEST(co_await s.async_next(asio::use_awaitable) == "only");
    try
    {
      co_await s.async_next(asio::use_awaitable);
      BOOST_FAIL("expected the end");
    }
    catch (const awaitify::system_error& e)
    {
      BOOST_TEST((e.code() == asio::error::connection_reset));
    }
  });
}

BOOST_FIXTURE_TEST_CASE(an_open_stream_is_one_pending_operation_until_its_teardown, io_fixture)
{
  bool torn_down = false;
  std::optional<sink<void(int)>> producer;
  {
    auto s = awaitify::make_stream<void(int)>(ioc, {}, [&](sink<void(int)> target) {
      producer.emplace(std::move(target));
      return [&torn_down] { torn_down = true; };
    });
    BOOST_TEST(awaitify::get_counters(ioc).pending == 1u);
    std::optional<int> item;
    s.async_next([&](error_code, int v) { item = v; });
    BOOST_TEST(awaitify::get_counters(ioc).pending == 2u); // The wait is one more.
    (*producer)(3);
    run(); // Returns although the stream is open: it keeps no work.
    BOOST_TEST((item == 3));
    BOOST_TEST(awaitify::get_counters(ioc).pending == 1u);
  }
  run();
  BOOST_TEST(torn_down);
  BOOST_TEST(awaitify::get_counters(ioc).pending == 0u);
}

BOOST_AUTO_TEST_SUITE(ends)

BOOST_FIXTURE_TEST_CASE(close_fail_and_drop_end_after_the_buffered_items, io_fixture)
{
  for (int how = 0; how < 3; ++how)
  {
    subscription sub;
    auto s = awaitify::make_stream<void(int)>(ioc, {}, sub.subscribe(ioc.get_executor()));
    (*sub.sink)(1);
    (*sub.sink)(2);
    if (how == 0)
      BOOST_TEST(sub.sink->close());
    else if (how == 1)
      BOOST_TEST(sub.sink->fail(asio::error::eof));
    else
      sub.sink.reset();
    if (how < 2)
    {
      BOOST_TEST(!sub.sink->close()); // Already ended.
      BOOST_TEST(((*sub.sink)(3) == push_result::closed));
    }
    std::vector<int> got;
    error_code end;
    run_coroutine([&]() -> asio::awaitable<void> { end = co_await drain(s, got); });
    BOOST_TEST((got == std::vector<int>{1, 2}));
    const error_code expected[] = {awaitify::error::end_of_stream, asio::error::eof, awaitify::error::callback_dropped};
    BOOST_TEST((end == expected[how]));
    BOOST_TEST(sub.teardowns == 1);
    BOOST_TEST(sub.teardown_on_executor);
  }
}

BOOST_FIXTURE_TEST_CASE(the_end_is_sticky, io_fixture)
{
  auto s = awaitify::make_stream<void(int)>(ioc, {}, [](int_sink sink) { sink.close(); });
  run_coroutine([&]() -> asio::awaitable<void> {
    for (int i = 0; i < 3; ++i)
    {
      auto [ec, v] = co_await s.async_next(asio::as_tuple(asio::use_awaitable));
      BOOST_TEST((ec == awaitify::error::end_of_stream));
      BOOST_TEST(v == 0);
    }
  });
}

BOOST_FIXTURE_TEST_CASE(destroying_the_stream_tears_down_and_closes_the_sinks, io_fixture)
{
  subscription sub;
  {
    auto s = awaitify::make_stream<void(int)>(ioc, {}, sub.subscribe(ioc.get_executor()));
    (*sub.sink)(1);
  }
  BOOST_TEST(((*sub.sink)(2) == push_result::closed));
  BOOST_TEST(sub.teardowns == 0); // Posted to the stream's executor...
  run();
  BOOST_TEST(sub.teardowns == 1); // ...where it ran.
  BOOST_TEST(sub.teardown_on_executor);
}

// A producer ends the stream while the consumer waits, and the consumer's
// handler runs before the producer has left the executor (here the producer
// runs the context from inside execute()). By then the teardown is queued:
// a context that runs out of work once its consumer is done has run it,
// rather than leaving it to the context's destruction, after whatever the
// teardown calls into may be gone.
BOOST_FIXTURE_TEST_CASE(the_teardown_is_queued_before_the_consumer_learns_of_the_end, io_fixture)
{
  awaitify_test::executor_counts counts;
  subscription sub;
  awaitify_test::counting_executor<false> ex(ioc, counts);
  auto s = awaitify::make_stream<void(int)>(ex, {}, sub.subscribe(ioc.get_executor()));
  std::optional<error_code> end;
  int submitted_when_the_end_arrived = 0;
  s.async_next([&](error_code ec, int) {
    end = ec;
    submitted_when_the_end_arrived = counts.submitted;
  });
  ioc.poll();
  const int submitted_before = counts.submitted;
  counts.after_execute = [&] {
    ioc.restart();
    ioc.poll();
  };
  sub.sink->close();
  ioc.restart();
  run();
  BOOST_TEST((end == error_code(awaitify::error::end_of_stream)));
  BOOST_TEST(submitted_when_the_end_arrived == submitted_before + 2); // The teardown, then the end.
  BOOST_TEST(sub.teardowns == 1);
}

BOOST_FIXTURE_TEST_CASE(a_pending_next_completes_with_operation_aborted_when_the_stream_dies, io_fixture)
{
  subscription sub;
  std::optional<awaitify::stream<void(int), asio::io_context::executor_type>> s;
  s.emplace(awaitify::make_stream<void(int)>(ioc, {}, sub.subscribe(ioc.get_executor())));
  std::optional<error_code> result;
  s->async_next([&](error_code ec, int) { result = ec; });
  s.reset();
  run();
  BOOST_TEST((result == error_code(asio::error::operation_aborted)));
  BOOST_TEST(sub.teardowns == 1);
}

BOOST_FIXTURE_TEST_CASE(a_throwing_subscribe_leaves_nothing_behind, io_fixture)
{
  std::optional<int_sink> kept;
  BOOST_CHECK_THROW(awaitify::make_stream<void(int)>(ioc, {},
                        [&](int_sink sink) {
                          kept = sink;
                          throw std::runtime_error("subscription refused");
                        }),
      std::runtime_error);
  BOOST_TEST(((*kept)(1) == push_result::closed));
  run();
}

BOOST_FIXTURE_TEST_CASE(an_empty_teardown_means_nothing_to_tear_down, io_fixture)
{
  std::optional<int_sink> kept;
  auto function = awaitify::make_stream<void(int)>(ioc, {}, [&](int_sink sink) {
    kept.emplace(std::move(sink));
    return std::function<void()>();
  });
  void (*no_teardown)() = nullptr;
  auto pointer = awaitify::make_stream<void(int)>(ioc, {}, [&](int_sink) { return no_teardown; });
  kept->close();
  BOOST_CHECK_NO_THROW(run());

  // At shutdown too, where a throw would leave a destructor.
  std::optional<int_sink> open;
  {
    asio::io_context other;
    auto s = awaitify::make_stream<void(int)>(other, {}, [&](int_sink sink) {
      open.emplace(std::move(sink));
      return std::function<void()>();
    });
  }
  BOOST_TEST(((*open)(1) == push_result::closed));
}

BOOST_FIXTURE_TEST_CASE(a_throwing_teardown_leaves_run_as_a_handler_would, io_fixture)
{
  std::optional<int_sink> kept;
  int teardowns = 0;
  auto s = awaitify::make_stream<void(int)>(ioc, {}, [&](int_sink sink) {
    kept.emplace(std::move(sink));
    return [&teardowns] {
      ++teardowns;
      throw std::runtime_error("teardown");
    };
  });
  kept->close();
  BOOST_CHECK_THROW(ioc.run(), std::runtime_error);
  run();
  BOOST_TEST(teardowns == 1);
}

BOOST_AUTO_TEST_CASE(a_teardown_that_throws_at_shutdown_is_discarded)
{
  std::optional<int_sink> kept;
  int teardowns = 0;
  {
    asio::io_context ioc;
    auto s = awaitify::make_stream<void(int)>(ioc, {}, [&](int_sink sink) {
      kept.emplace(std::move(sink));
      return [&teardowns] {
        ++teardowns;
        throw std::runtime_error("teardown");
      };
    });
  } // Called std::terminate.
  BOOST_TEST(teardowns == 1);
  BOOST_TEST(((*kept)(1) == push_result::closed));
}

BOOST_AUTO_TEST_SUITE_END() // ends

BOOST_FIXTURE_TEST_CASE(a_value_pushed_by_reference_is_copied_not_moved_from, io_fixture)
{
  std::optional<awaitify::sink<void(std::string&)>> producer;
  auto s = awaitify::make_stream<void(std::string&)>(ioc, {}, [&](awaitify::sink<void(std::string&)> sink) {
    producer.emplace(std::move(sink));
  });
  std::string library_buffer = "chunk";
  BOOST_TEST(((*producer)(library_buffer) == push_result::enqueued));
  BOOST_TEST(library_buffer == "chunk");
  std::optional<std::string> got;
  s.async_next([&](error_code, std::string v) { got = std::move(v); });
  run();
  BOOST_TEST(got == std::string("chunk"));
}

BOOST_AUTO_TEST_SUITE(flow_control)

stream_options<void(int)> flow_controlled(std::size_t capacity)
{
  return {overflow_policy::flow_control, capacity, {}};
}

BOOST_FIXTURE_TEST_CASE(credit_starts_at_capacity_and_each_push_uses_one, io_fixture)
{
  std::optional<int_sink> producer;
  auto s = awaitify::make_stream<void(int)>(ioc, flow_controlled(4), [&](int_sink sink) { producer = sink; });
  BOOST_TEST(producer->demand() == 4u);
  for (int i = 0; i < 4; ++i)
    BOOST_TEST(((*producer)(i) == push_result::enqueued));
  BOOST_TEST(producer->demand() == 0u);
  BOOST_TEST(producer->overdrafts() == 0u);
  BOOST_TEST(((*producer)(4) == push_result::enqueued)); // Beyond the credit: kept, counted.
  BOOST_TEST(producer->overdrafts() == 1u);
  producer->close();
  std::vector<int> got;
  error_code end;
  run_coroutine([&]() -> asio::awaitable<void> { end = co_await drain(s, got); });
  BOOST_TEST((got == std::vector<int>{0, 1, 2, 3, 4}));
  BOOST_TEST((end == awaitify::error::end_of_stream));
}

// Items pushed beyond the credit are not granted back once taken: after the
// overdraft has drained, the credit is the capacity again, and a producer that
// keeps within demand() fills the buffer to the capacity, never beyond.
BOOST_FIXTURE_TEST_CASE(an_overdraft_is_not_granted_back, io_fixture)
{
  std::optional<int_sink> producer;
  std::size_t granted = 0;
  auto s = awaitify::make_stream<void(int)>(ioc, flow_controlled(4), [&](int_sink sink) {
    sink.on_demand([&granted](std::size_t n) { granted += n; });
    producer = sink;
  });
  for (int i = 0; i < 6; ++i)
    (*producer)(i);
  BOOST_TEST(producer->overdrafts() == 2u);
  std::vector<int> got;
  run_coroutine([&]() -> asio::awaitable<void> {
    for (int i = 0; i < 6; ++i)
      got.push_back(std::get<1>(co_await s.async_next(asio::as_tuple(asio::use_awaitable))));
  });
  BOOST_TEST(got.size() == 6u);
  BOOST_TEST(producer->demand() == 4u);
  BOOST_TEST(granted == 4u);
  for (int i = 0; producer->demand() > 0; ++i)
    (*producer)(i);
  BOOST_TEST(producer->overdrafts() == 2u); // No new overdraft: the bound is back.
  std::size_t buffered = 0;
  producer->close();
  run_coroutine([&]() -> asio::awaitable<void> {
    while (!std::get<0>(co_await s.async_next(asio::as_tuple(asio::use_awaitable))))
      ++buffered;
  });
  BOOST_TEST(buffered == 4u);
}

// What on_demand's function throws leaves run(), as a handler's exception.
BOOST_FIXTURE_TEST_CASE(an_exception_from_on_demand_leaves_run, io_fixture)
{
  std::optional<int_sink> producer;
  auto s = awaitify::make_stream<void(int)>(ioc, flow_controlled(2), [&](int_sink sink) {
    sink.on_demand([](std::size_t) { throw std::runtime_error("producer failed to resume"); });
    producer = sink;
  });
  (*producer)(1);
  (*producer)(2);
  std::optional<int> got;
  s.async_next([&](error_code, int v) { got = v; }); // Takes 1: a grant of 1, half the capacity.
  BOOST_CHECK_THROW(ioc.run(), std::runtime_error);
  ioc.restart();
  ioc.run();
  BOOST_TEST(got == 1);
  BOOST_TEST(producer->demand() == 1u); // The credit was granted; only its announcement threw.
}

// A producer on its own thread pauses when out of credit while the consumer
// takes an item: the grant's announcement waits until the pause is done, so
// the resume it triggers never comes before the pause (no lost wake-up).
BOOST_FIXTURE_TEST_CASE(try_pause_holds_back_grants_until_the_pause_is_done, io_fixture)
{
  std::optional<int_sink> producer;
  std::atomic<bool> paused{false};
  std::optional<bool> paused_when_resumed;
  auto s = awaitify::make_stream<void(int)>(ioc, flow_controlled(2), [&](int_sink sink) {
    sink.on_demand([&](std::size_t) { paused_when_resumed = paused.load(); });
    producer = sink;
  });
  BOOST_TEST(!producer->try_pause([] { BOOST_FAIL("paused with credit left"); }));
  (*producer)(1);
  (*producer)(2);
  std::latch pausing(1);
  std::latch consumer_took(1);
  bool producer_paused = false;
  std::thread producer_thread([&] {
    producer_paused = producer->try_pause([&] {
      pausing.count_down();
      consumer_took.wait();
      paused = true;
    });
  });
  pausing.wait();
  std::optional<int> got;
  s.async_next([&](error_code, int v) { got = v; }); // Takes 1: a grant of 1, announced by a handler.
  std::thread consumer_thread([&] { ioc.run(); });
  consumer_took.count_down();
  producer_thread.join();
  consumer_thread.join();
  BOOST_TEST(producer_paused);
  BOOST_TEST(got == 1);
  BOOST_TEST(paused_when_resumed == true);
  producer->close();
}

BOOST_FIXTURE_TEST_CASE(taken_items_are_granted_back_in_batches_of_half_the_capacity, io_fixture)
{
  std::optional<int_sink> producer;
  std::vector<std::size_t> grants;
  auto s = awaitify::make_stream<void(int)>(ioc, flow_controlled(8), [&](int_sink sink) {
    sink.on_demand([&grants](std::size_t n) { grants.push_back(n); });
    producer = sink;
  });
  for (int i = 0; i < 8; ++i)
    (*producer)(i);
  std::vector<int> got;
  auto take = [&] { s.async_next([&](error_code, int v) { got.push_back(v); }); };
  for (int i = 0; i < 3; ++i)
  {
    take();
    run();
  }
  BOOST_TEST(grants.empty());
  BOOST_TEST(producer->demand() == 0u);
  take(); // The fourth: half of the capacity is owed, and announced by a handler.
  BOOST_TEST(grants.empty());
  BOOST_TEST(producer->demand() == 4u);
  run();
  BOOST_TEST((grants == std::vector<std::size_t>{4}));
  BOOST_TEST(got.size() == 4u);
  producer->close();
}

BOOST_FIXTURE_TEST_CASE(no_grant_is_announced_after_the_end, io_fixture)
{
  std::optional<int_sink> producer;
  int announced = 0;
  auto s = awaitify::make_stream<void(int)>(ioc, flow_controlled(2), [&](int_sink sink) {
    sink.on_demand([&announced](std::size_t) { ++announced; });
    producer = sink;
  });
  (*producer)(1);
  (*producer)(2);
  producer->close();
  std::vector<int> got;
  run_coroutine([&]() -> asio::awaitable<void> { co_await drain(s, got); });
  BOOST_TEST(got.size() == 2u); // Taken after the end: nothing to grant.
  BOOST_TEST(announced == 0);
  BOOST_TEST(producer->demand() == 0u);
}

BOOST_FIXTURE_TEST_CASE(four_producers_that_obey_demand_and_a_slow_consumer_lose_nothing, io_fixture)
{
  // Producers share a lock around "check the credit, push", as a library
  // serialises its callbacks; at zero they wait for a grant.
  constexpr int producers = 4;
  constexpr int per_producer = 25'000;
  constexpr std::size_t capacity = 64;
  std::mutex mutex;
  std::condition_variable granted;
  std::optional<sink<void(int, int)>> producer_sink;
  auto s = awaitify::make_stream<void(int, int)>(ioc, {overflow_policy::flow_control, capacity, {}},
      [&](sink<void(int, int)> sink) {
        sink.on_demand([&](std::size_t) {
          std::lock_guard lock(mutex);
          granted.notify_all();
        });
        producer_sink.emplace(std::move(sink));
      });
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p)
    threads.emplace_back([&, p] {
      for (int i = 0; i < per_producer; ++i)
      {
        std::unique_lock lock(mutex);
        granted.wait(lock, [&] { return producer_sink->demand() > 0; });
        (*producer_sink)(p, i);
      }
    });
  std::array<int, producers> next{};
  int received = 0;
  bool in_order = true;
  run_coroutine([&]() -> asio::awaitable<void> {
    while (received < producers * per_producer)
    {
      auto [ec, p, i] = co_await s.async_next(asio::as_tuple(asio::use_awaitable));
      if (ec)
        break;
      in_order = in_order && i == next[static_cast<std::size_t>(p)];
      next[static_cast<std::size_t>(p)] = i + 1;
      ++received;
      if (received % 16 == 0)
        co_await asio::post(ioc, asio::use_awaitable); // A slower consumer.
    }
  });
  for (auto& t : threads)
    t.join();
  BOOST_TEST(received == producers * per_producer);
  BOOST_TEST(in_order);
  BOOST_TEST(producer_sink->overdrafts() == 0u); // So the buffer never held more than capacity.
  producer_sink->close();
  run();
}

BOOST_AUTO_TEST_SUITE_END() // flow_control

BOOST_AUTO_TEST_SUITE(moved_from)

BOOST_FIXTURE_TEST_CASE(a_copy_of_a_moved_from_sink_is_inert, io_fixture)
{
  std::optional<int_sink> taken;
  auto s = awaitify::make_stream<void(int)>(ioc, {}, [&](int_sink sink) {
    int_sink moved(std::move(sink));
    const int_sink copy(sink); // Dereferenced null.
    BOOST_TEST((copy(1) == push_result::closed));
    BOOST_TEST(!copy.close());
    BOOST_TEST(!copy.fail(asio::error::eof));
    taken.emplace(std::move(moved));
  });
  taken->close();
  run();
}

BOOST_FIXTURE_TEST_CASE(async_next_on_a_moved_from_stream_reports_bad_descriptor, io_fixture)
{
  // With the default any_io_executor, which a move empties.
  const asio::any_io_executor ex = ioc.get_executor();
  awaitify::stream<void(int)> s = awaitify::make_stream<void(int)>(ex, {}, [](int_sink) {});
  auto moved = std::move(s);
  std::optional<error_code> first;
  s.async_next([&](error_code ec, int) { first = ec; }); // Crashed on the emptied executor.
  awaitify::stream<void(int)> other = awaitify::make_stream<void(int)>(ex, {}, [](int_sink) {});
  other = std::move(moved);
  std::optional<error_code> second;
  moved.async_next([&](error_code ec, int) { second = ec; });
  run();
  BOOST_TEST((first == error_code(asio::error::bad_descriptor)));
  BOOST_TEST((second == error_code(asio::error::bad_descriptor)));
}

BOOST_AUTO_TEST_SUITE_END() // moved_from

BOOST_AUTO_TEST_SUITE(policies)

struct policy_case : io_fixture
{
  std::vector<int> dropped;
  std::vector<push_result> results;

  std::vector<int> push_five_then_drain(overflow_policy policy, std::size_t capacity, error_code& end)
  {
    stream_options<void(int)> options{policy, capacity, [this](int v) { dropped.push_back(v); }};
    auto s = awaitify::make_stream<void(int)>(ioc, options, [&](int_sink sink) {
      for (int i = 1; i <= 5; ++i)
        results.push_back(sink(i));
      sink.close();
    });
    std::vector<int> got;
    run_coroutine([&]() -> asio::awaitable<void> { end = co_await drain(s, got); });
    return got;
  }
};

constexpr auto enq = push_result::enqueued;
constexpr auto drp = push_result::dropped;
constexpr auto cls = push_result::closed;

BOOST_FIXTURE_TEST_CASE(unbounded_keeps_everything, policy_case)
{
  error_code end;
  BOOST_TEST((push_five_then_drain(overflow_policy::unbounded, 1, end) == std::vector<int>{1, 2, 3, 4, 5}));
  BOOST_TEST(dropped.empty());
  BOOST_TEST((results == std::vector<push_result>{enq, enq, enq, enq, enq}));
  BOOST_TEST((end == awaitify::error::end_of_stream));
}

BOOST_FIXTURE_TEST_CASE(drop_oldest_keeps_the_newest, policy_case)
{
  error_code end;
  BOOST_TEST((push_five_then_drain(overflow_policy::drop_oldest, 3, end) == std::vector<int>{3, 4, 5}));
  BOOST_TEST((dropped == std::vector<int>{1, 2}));
  BOOST_TEST((results == std::vector<push_result>{enq, enq, enq, enq, enq}));
  BOOST_TEST((end == awaitify::error::end_of_stream));
}

BOOST_FIXTURE_TEST_CASE(drop_newest_keeps_the_oldest, policy_case)
{
  error_code end;
  BOOST_TEST((push_five_then_drain(overflow_policy::drop_newest, 3, end) == std::vector<int>{1, 2, 3}));
  BOOST_TEST((dropped == std::vector<int>{4, 5}));
  BOOST_TEST((results == std::vector<push_result>{enq, enq, enq, drp, drp}));
  BOOST_TEST((end == awaitify::error::end_of_stream));
}

BOOST_FIXTURE_TEST_CASE(fail_ends_the_stream_with_overflow_after_the_buffer, policy_case)
{
  error_code end;
  BOOST_TEST((push_five_then_drain(overflow_policy::fail, 3, end) == std::vector<int>{1, 2, 3}));
  BOOST_TEST((dropped == std::vector<int>{4}));
  BOOST_TEST((results == std::vector<push_result>{enq, enq, enq, drp, cls}));
  BOOST_TEST((end == awaitify::error::overflow));
}

BOOST_FIXTURE_TEST_CASE(capacity_zero_accepts_only_what_a_waiting_consumer_takes, policy_case)
{
  error_code end;
  BOOST_TEST(push_five_then_drain(overflow_policy::drop_newest, 0, end).empty());
  BOOST_TEST((dropped == std::vector<int>{1, 2, 3, 4, 5}));

  std::optional<int_sink> kept;
  stream_options<void(int)> options{overflow_policy::drop_newest, 0, {}};
  auto s = awaitify::make_stream<void(int)>(ioc, options, [&](int_sink sink) { kept = sink; });
  std::optional<int> got;
  s.async_next([&](error_code, int v) { got = v; });
  BOOST_TEST(((*kept)(7) == enq));
  BOOST_TEST(((*kept)(8) == drp));
  kept.reset();
  run();
  BOOST_TEST(got == 7);
}

BOOST_FIXTURE_TEST_CASE(the_default_is_bounded_and_fails_loudly, io_fixture)
{
  const stream_options<void(int)> defaults;
  BOOST_TEST((defaults.policy == overflow_policy::fail));
  BOOST_TEST(defaults.capacity == 1024u);
}

BOOST_AUTO_TEST_SUITE_END() // policies

BOOST_AUTO_TEST_SUITE(consumer)

BOOST_FIXTURE_TEST_CASE(cancelling_a_wait_leaves_the_stream_usable, io_fixture)
{
  subscription sub;
  auto s = awaitify::make_stream<void(int)>(ioc, {}, sub.subscribe(ioc.get_executor()));
  for (auto type : {asio::cancellation_type::terminal, asio::cancellation_type::partial, asio::cancellation_type::total})
  {
    asio::cancellation_signal signal;
    std::optional<error_code> first;
    s.async_next(asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int) { first = ec; }));
    signal.emit(type);
    run();
    BOOST_TEST((first == error_code(asio::error::operation_aborted)));
  }
  (*sub.sink)(42);
  std::optional<int> second;
  s.async_next([&](error_code ec, int v) {
    BOOST_TEST(!ec);
    second = v;
  });
  run();
  BOOST_TEST(second == 42);
  BOOST_TEST(sub.teardowns == 0);
  sub.sink.reset();
  run();
}

BOOST_FIXTURE_TEST_CASE(a_second_concurrent_next_is_an_error_not_ub, io_fixture)
{
  subscription sub;
  auto s = awaitify::make_stream<void(int)>(ioc, {}, sub.subscribe(ioc.get_executor()));
  std::optional<error_code> first, second;
  std::optional<int> first_value;
  s.async_next([&](error_code ec, int v) {
    first = ec;
    first_value = v;
  });
  s.async_next([&](error_code ec, int) { second = ec; });
  ioc.poll();
  BOOST_TEST((second == error_code(awaitify::error::operation_in_progress)));
  BOOST_TEST(!first);
  (*sub.sink)(5);
  sub.sink.reset();
  run();
  BOOST_TEST(!*first);
  BOOST_TEST(first_value == 5);
}

BOOST_FIXTURE_TEST_CASE(many_producer_threads_keep_their_own_order, io_fixture)
{
  constexpr int producers = 4;
  constexpr int per_producer = 5000;
  std::vector<std::thread> threads;
  std::latch start(producers);
  std::atomic<int> teardowns{0};
  {
    stream_options<void(int, int)> options{overflow_policy::unbounded, 0, {}};
    auto s = awaitify::make_stream<void(int, int)>(ioc, options, [&](sink<void(int, int)> sink) {
      for (int p = 0; p < producers; ++p)
        threads.emplace_back([&, p, sink] {
          start.arrive_and_wait();
          for (int i = 0; i < per_producer; ++i)
            sink(p, i);
        });
      return [&] { ++teardowns; };
    });
    std::vector<int> next_expected(producers, 0);
    int received = 0;
    run_coroutine([&]() -> asio::awaitable<void> {
      for (;;)
      {
        auto [ec, p, i] = co_await s.async_next(asio::as_tuple(asio::use_awaitable));
        if (ec)
        {
          BOOST_TEST((ec == awaitify::error::callback_dropped));
          break;
        }
        BOOST_REQUIRE(i == next_expected[std::size_t(p)]);
        ++next_expected[std::size_t(p)];
        ++received;
      }
    });
    BOOST_TEST(received == producers * per_producer);
  }
  for (auto& t : threads)
    t.join();
  BOOST_TEST(teardowns == 1);
}

BOOST_FIXTURE_TEST_CASE(const_reference_items, io_fixture)
{
  using signature = void(const std::string&);
  auto s = awaitify::make_stream<signature>(ioc, {}, [](sink<signature> producer) {
    const std::string word = "kept";
    producer(word);
    producer.close();
  });
  static_assert(std::is_same_v<decltype(s)::completion_signature, void(error_code, std::string)>);
  std::optional<std::string> got;
  s.async_next([&](error_code, std::string v) { got = std::move(v); });
  run();
  BOOST_TEST(got == std::string("kept"));
}

BOOST_AUTO_TEST_SUITE_END() // consumer

BOOST_AUTO_TEST_SUITE(shutdown)

BOOST_AUTO_TEST_CASE(destroying_the_context_while_producers_push)
{
  constexpr int producers = 3;
  std::atomic<int> teardowns{0};
  std::atomic<bool> stop{false};
  std::atomic<int> closed_seen{0};
  std::vector<std::thread> threads;
  std::latch pushing(producers);
  {
    asio::io_context ioc;
    auto s = std::make_shared<awaitify::stream<void(int), asio::io_context::executor_type>>(
        awaitify::make_stream<void(int)>(ioc, {overflow_policy::drop_oldest, 16, {}}, [&](int_sink sink) {
          for (int p = 0; p < producers; ++p)
            threads.emplace_back([&, sink] {
              bool counted = false;
              for (int i = 0; !stop; ++i)
              {
                if (i == 100)
                  pushing.count_down();
                if (sink(i) == push_result::closed && !counted)
                {
                  counted = true;
                  ++closed_seen;
                }
              }
            });
          return [&] { ++teardowns; };
        }));
    // A consumer suspended in async_next, owning the stream.
    asio::co_spawn(ioc,
        [s]() -> asio::awaitable<void> {
          for (;;)
            co_await s->async_next(asio::use_awaitable);
        },
        asio::detached);
    s.reset();
    pushing.wait();
    ioc.poll();
  } // Shut down while the producers push.
  BOOST_TEST(teardowns == 1);
  while (closed_seen < producers) // Each producer sees the end on its next push.
    std::this_thread::yield();
  stop = true;
  for (auto& t : threads)
    t.join();
  BOOST_TEST(teardowns == 1);
}

BOOST_AUTO_TEST_CASE(a_strand_that_shuts_down_first_destroys_the_stream_it_owns)
{
  // The registry exists before the strand service, so the strand service
  // shuts down first and destroys, at once, what is then posted to it.
  std::optional<int_sink> kept;
  std::atomic<int> teardowns{0};
  {
    asio::io_context ioc;
    auto first = awaitify::make_stream<void(int)>(ioc, {}, [](int_sink) {});
    auto strand = asio::make_strand(ioc);
    auto s = std::make_shared<awaitify::stream<void(int), decltype(strand)>>(
        awaitify::make_stream<void(int)>(strand, {}, [&](int_sink sink) {
          kept.emplace(std::move(sink));
          return [&] { ++teardowns; };
        }));
    asio::post(strand, [s] {}); // A queued strand handler owns the stream.
    s.reset();
  } // Deadlocked here when a stream completed anything under its lock.
  BOOST_TEST(teardowns == 1);
  BOOST_TEST(((*kept)(1) == push_result::closed));
}

BOOST_AUTO_TEST_CASE(open_streams_are_no_misuse_at_shutdown)
{
  using int_stream = awaitify::stream<void(int), asio::io_context::executor_type>;
  std::vector<int_sink> kept;
  std::optional<error_code> waited;
  auto ioc = std::make_unique<asio::io_context>();
  misuse_recorder recorder(*ioc);
  {
    // The streams outlive their context.
    std::optional<int_stream> waiting(
        awaitify::make_stream<void(int)>(*ioc, {}, [&](int_sink sink) { kept.push_back(sink); }));
    std::optional<int_stream> idle(
        awaitify::make_stream<void(int)>(*ioc, {}, [&](int_sink sink) { kept.push_back(sink); }));
    waiting->async_next([&](error_code ec, int) { waited = ec; });
    ioc.reset(); // Reported "late" three times: two closers and the wait.
  }
  BOOST_TEST(recorder.kinds().empty());
  BOOST_TEST(!waited); // Abandoned, as every pending operation is at shutdown.
}

BOOST_AUTO_TEST_CASE(close_racing_the_cancellation_of_a_wait_is_no_misuse)
{
  // Probabilistic (the window is a few instructions wide); TSan checks it too.
  for (int round = 0; round < 200; ++round)
  {
    asio::io_context ioc;
    misuse_recorder recorder(ioc);
    std::optional<int_sink> kept;
    auto s = awaitify::make_stream<void(int)>(ioc, {}, [&](int_sink sink) { kept.emplace(std::move(sink)); });
    asio::cancellation_signal signal;
    std::optional<error_code> result;
    s.async_next(asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int) { result = ec; }));
    std::latch start(2);
    std::thread closer([&] {
      start.arrive_and_wait();
      kept->close();
    });
    start.arrive_and_wait();
    signal.emit(asio::cancellation_type::terminal);
    closer.join();
    ioc.run();
    BOOST_TEST_REQUIRE(result.has_value());
    BOOST_TEST_REQUIRE(recorder.kinds().empty());
    BOOST_TEST_REQUIRE(awaitify::get_counters(ioc).late == 0u);
  }
}

BOOST_AUTO_TEST_SUITE_END() // shutdown

BOOST_AUTO_TEST_SUITE_END() // stream

} // namespace
