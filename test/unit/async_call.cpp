// SPDX-License-Identifier: BSL-1.0
//
// Tests for awaitify/async_call.hpp: every completion token, where and when
// the handler runs, work tracking, results, associators, throwing inits.
//

#include <awaitify/async_call.hpp>
#include <awaitify/diagnostics.hpp>
#include <awaitify/error.hpp>

#include "common/asio.hpp"
#include <boost/test/unit_test.hpp>

// promise.hpp first: Asio 1.26's use_promise.hpp needs it.
#if defined(AWAITIFY_STANDALONE_ASIO)
#include <asio/experimental/promise.hpp>
#include <asio/experimental/use_promise.hpp>
#else
#include <boost/asio/experimental/promise.hpp>
#include <boost/asio/experimental/use_promise.hpp>
#endif

#include "common/allocating_executor.hpp"
#include "common/counting_allocator.hpp"
#include "common/counting_executor.hpp"
#include "common/io_fixture.hpp"
#include "common/worker.hpp"

#include <cstdint>
#include <future>
#include <latch>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>

namespace {

using awaitify::callback;
using awaitify_test::io_fixture;
using awaitify_test::worker;
using awaitify::error_code;

/// The seed's legacy API, calling back on the worker's thread.
auto foreign_add(worker& legacy)
{
  return [&legacy](int a, int b) {
    return [&legacy, a, b](callback<void(int)> cb) { awaitify_test::async_add(legacy, a, b, cb); };
  };
}

/// A legacy API that calls back before it returns.
auto inline_add(int a, int b)
{
  return [a, b](callback<void(int)> cb) { cb(a + b); };
}

BOOST_AUTO_TEST_SUITE(async_call)

BOOST_AUTO_TEST_SUITE(tokens)

BOOST_FIXTURE_TEST_CASE(use_awaitable, io_fixture)
{
  worker legacy;
  auto add = foreign_add(legacy);
  run_coroutine([&]() -> asio::awaitable<void> {
    int r1 = co_await awaitify::async_call<void(int)>(ioc.get_executor(), add(1, 2), asio::use_awaitable);
    int r2 = co_await awaitify::async_call<void(int)>(ioc.get_executor(), add(r1, 3), asio::use_awaitable);
    BOOST_TEST(r2 == 6);
  });
}

BOOST_FIXTURE_TEST_CASE(use_future, io_fixture)
{
  worker legacy;
  std::future<int> f = awaitify::async_call<void(int)>(ioc, foreign_add(legacy)(20, 22), asio::use_future);
  run();
  BOOST_TEST(f.get() == 42);
}

BOOST_FIXTURE_TEST_CASE(use_future_throws_on_error, io_fixture)
{
  std::future<int> f = awaitify::async_call<void(int)>(ioc, [](callback<void(int)>) {}, asio::use_future);
  run();
  try
  {
    f.get();
    BOOST_FAIL("expected an exception");
  }
  catch (const awaitify::system_error& e)
  {
    BOOST_TEST((e.code() == awaitify::error::callback_dropped));
  }
}

BOOST_FIXTURE_TEST_CASE(plain_handler, io_fixture)
{
  worker legacy;
  std::optional<int> result;
  awaitify::async_call<void(int)>(ioc.get_executor(), foreign_add(legacy)(2, 3), [&](error_code ec, int v) {
    BOOST_TEST(!ec);
    result = v;
  });
  run();
  BOOST_TEST(result == 5);
}

BOOST_FIXTURE_TEST_CASE(deferred_initiates_only_when_launched, io_fixture)
{
  int inits = 0;
  auto op = awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        ++inits;
        cb(10);
      },
      asio::deferred);
  BOOST_TEST(inits == 0);
  std::optional<int> result;
  std::move(op)([&](error_code, int v) { result = v; });
  BOOST_TEST(inits == 1);
  run();
  BOOST_TEST(result == 10);
}

BOOST_FIXTURE_TEST_CASE(detached, io_fixture)
{
  worker legacy;
  bool called = false;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        legacy.post([&called, cb] {
          called = true;
          cb(1);
        });
      },
      asio::detached);
  run(); // The tracked work keeps run() going until the handler has run.
  BOOST_TEST(called);
}

BOOST_FIXTURE_TEST_CASE(as_tuple_and_redirect_error, io_fixture)
{
  run_coroutine([&]() -> asio::awaitable<void> {
    auto [ec, v] = co_await awaitify::async_call<void(int)>(
        ioc.get_executor(), [](callback<void(int)>) {}, asio::as_tuple(asio::use_awaitable));
    BOOST_TEST((ec == awaitify::error::callback_dropped));
    BOOST_TEST(v == 0);

    error_code ec2;
    int w = co_await awaitify::async_call<void(int)>(
        ioc.get_executor(), inline_add(3, 4), asio::redirect_error(asio::use_awaitable, ec2));
    BOOST_TEST(!ec2);
    BOOST_TEST(w == 7);
  });
}

BOOST_FIXTURE_TEST_CASE(bind_executor_runs_the_handler_on_the_strand, io_fixture)
{
  worker legacy;
  auto strand = asio::make_strand(ioc);
  bool on_strand = false;
  awaitify::async_call<void(int)>(ioc, foreign_add(legacy)(1, 1),
      asio::bind_executor(strand, [&](error_code, int) { on_strand = strand.running_in_this_thread(); }));
  run();
  BOOST_TEST(on_strand);
}

BOOST_FIXTURE_TEST_CASE(use_promise, io_fixture)
{
  worker legacy;
  run_coroutine([&]() -> asio::awaitable<void> {
    auto promise = awaitify::async_call<void(int)>(
        ioc.get_executor(), foreign_add(legacy)(5, 6), asio::experimental::use_promise);
    auto [ec, v] = co_await promise(asio::as_tuple(asio::use_awaitable));
    BOOST_TEST(!ec);
    BOOST_TEST(v == 11);
  });
}

BOOST_AUTO_TEST_SUITE_END() // tokens

BOOST_AUTO_TEST_SUITE(delivery)

BOOST_FIXTURE_TEST_CASE(handler_never_runs_on_the_foreign_thread, io_fixture)
{
  worker legacy;
  std::thread::id ran_on;
  awaitify::async_call<void(int)>(
      ioc, foreign_add(legacy)(1, 2), [&](error_code, int) { ran_on = std::this_thread::get_id(); });
  run();
  BOOST_TEST((ran_on == std::this_thread::get_id()));
  BOOST_TEST((ran_on != legacy.id()));
}

BOOST_FIXTURE_TEST_CASE(handler_never_runs_inside_the_initiating_function, io_fixture)
{
  bool ran = false;
  awaitify::async_call<void(int)>(ioc, inline_add(1, 2), [&](error_code, int) { ran = true; });
  BOOST_TEST(!ran);
  run();
  BOOST_TEST(ran);
}

BOOST_FIXTURE_TEST_CASE(a_million_synchronous_completions_run_in_constant_stack, io_fixture)
{
  constexpr int iterations = 1'000'000;
  std::uintptr_t first_depth = 0;
  std::uintptr_t deepest = 0;
  run_coroutine([&]() -> asio::awaitable<void> {
    for (int i = 0; i < iterations; ++i)
    {
      int r = co_await awaitify::async_call<void(int)>(ioc.get_executor(), inline_add(i, 1), asio::use_awaitable);
      BOOST_REQUIRE(r == i + 1);
      char marker;
      const auto depth = reinterpret_cast<std::uintptr_t>(&marker);
      if (i == 0)
        first_depth = deepest = depth;
      deepest = std::min(deepest, depth);
    }
  });
  // Each inline completion that ran nested would cost a frame of stack.
  BOOST_TEST(first_depth - deepest < 4096u);
}

BOOST_FIXTURE_TEST_CASE(work_is_counted_on_the_io_executor_until_the_handler_ran, io_fixture)
{
  std::optional<callback<void(int)>> kept;
  bool ran = false;
  awaitify::async_call<void(int)>(ioc, [&](callback<void(int)> cb) { kept = cb; }, [&](error_code, int) { ran = true; });
  ioc.poll();
  BOOST_TEST(!ioc.stopped()); // Out of work, poll() would have stopped it.
  (*kept)(1);
  kept.reset();
  ioc.run();
  BOOST_TEST(ran);
  BOOST_TEST(ioc.stopped());
}

BOOST_FIXTURE_TEST_CASE(work_is_counted_on_the_handler_executor_of_another_context, io_fixture)
{
  asio::io_context other;
  std::optional<callback<void(int)>> kept;
  bool ran_in_other = false;
  awaitify::async_call<void(int)>(ioc, [&](callback<void(int)> cb) { kept = cb; },
      asio::bind_executor(other, [&](error_code, int) {
        ran_in_other = other.get_executor().running_in_this_thread();
      }));
  other.poll();
  BOOST_TEST(!other.stopped());
  ioc.poll();
  BOOST_TEST(!ioc.stopped());
  (*kept)(1);
  other.run();
  BOOST_TEST(ran_in_other);
  ioc.run();
  BOOST_TEST(ioc.stopped());
}

// The library completes on its own thread while nobody runs the I/O context:
// the I/O context's work is released on that context, not on the library's
// thread, so the context is not stopped by it (as no Asio operation's
// completion stops an idle context).
BOOST_FIXTURE_TEST_CASE(a_foreign_completion_for_a_handler_elsewhere_does_not_stop_an_idle_io_context, io_fixture)
{
  asio::io_context other;
  worker library;
  std::latch called_back(1);
  bool ran_in_other = false;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        library.post([&called_back, cb] {
          cb(1);
          called_back.count_down();
        });
      },
      asio::bind_executor(other, [&](error_code, int) { ran_in_other = true; }));
  called_back.wait();
  other.run();
  BOOST_TEST(ran_in_other);
  BOOST_TEST(!ioc.stopped());
  bool later_handler_ran = false;
  asio::post(ioc, [&] { later_handler_ran = true; });
  ioc.run();
  BOOST_TEST(later_handler_ran);
}

// The control: completed on the I/O context's own thread, the work runs out
// there, and run() returns as for any operation.
BOOST_FIXTURE_TEST_CASE(a_completion_on_the_io_thread_for_a_handler_elsewhere_lets_run_return, io_fixture)
{
  asio::io_context other;
  std::optional<callback<void(int)>> kept;
  awaitify::async_call<void(int)>(ioc, [&](callback<void(int)> cb) { kept = std::move(cb); },
      asio::bind_executor(other, [&](error_code, int) {}));
  asio::post(ioc, [&] { (*kept)(1); kept.reset(); });
  ioc.run();
  BOOST_TEST(ioc.stopped());
  BOOST_TEST(other.run() == 1u);
}

BOOST_FIXTURE_TEST_CASE(work_is_released_after_the_handler_returns, io_fixture)
{
  awaitify_test::executor_counts counts;
  awaitify_test::counting_executor<false> ex(ioc, counts);
  int work_seen_in_handler = -1;
  awaitify::async_call<void(int)>(ex, inline_add(1, 1), [&](error_code, int) { work_seen_in_handler = counts.work; });
  BOOST_TEST(counts.work == 1); // The I/O executor (here also the handler's) is tracked once.
  run();
  BOOST_TEST(work_seen_in_handler == 1);
  BOOST_TEST(counts.work == 0);
  BOOST_TEST(counts.submitted == 1);
}

BOOST_FIXTURE_TEST_CASE(a_stopped_context_that_is_restarted_still_completes, io_fixture)
{
  worker legacy;
  std::promise<void> invoked;
  std::optional<int> result;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        legacy.post([&invoked, cb] {
          cb(3);
          invoked.set_value();
        });
      },
      [&](error_code, int v) { result = v; });
  ioc.stop();
  invoked.get_future().wait();
  BOOST_TEST(!result);
  run(); // restart() and run()
  BOOST_TEST(result == 3);
}

// Starts a call on a counting executor whose callback is kept, adding its
// result to `runs`; returns the callback once the call is pending.
callback<void(int)> start_kept_call(asio::io_context& ioc, awaitify_test::executor_counts& counts, int& runs)
{
  std::optional<callback<void(int)>> kept;
  {
    awaitify_test::counting_executor<false> ex(ioc, counts);
    awaitify::async_call<void(int)>(
        ex, [&](callback<void(int)> cb) { kept = std::move(cb); }, [&runs](error_code, int v) { runs += v; });
  }
  ioc.poll();
  return std::move(*kept);
}

// The handler runs while the thread that posted it is still inside the
// executor (here that same thread: the poster runs the context from inside
// execute()). It does not wait for the poster, which would never come: the
// work the poster posted under stays with the operation until the poster
// leaves, and the poster releases it through the context.
BOOST_FIXTURE_TEST_CASE(a_handler_that_runs_before_its_poster_leaves_the_executor_does_not_wait, io_fixture)
{
  awaitify_test::executor_counts counts;
  int runs = 0;
  std::optional<callback<void(int)>> kept(start_kept_call(ioc, counts, runs));
  std::size_t ran_inside = 0;
  int work_while_inside = 0;
  ioc.restart();
  counts.after_execute = [&] {
    ran_inside = ioc.poll();
    work_while_inside = counts.work;
  };
  (*kept)(1);
  kept.reset();
  BOOST_TEST(ran_inside == 1u);
  BOOST_TEST(runs == 1);
  BOOST_TEST(work_while_inside == 1); // Kept until the poster left.
  BOOST_TEST(counts.work == 1);       // On its way back to the context...
  ioc.restart();
  BOOST_TEST(ioc.run() == 1u);        // ...released there.
  BOOST_TEST(counts.work == 0);
  BOOST_TEST(awaitify::get_counters(ioc).pending == 0u);
  BOOST_TEST(awaitify::get_counters(ioc).completed == 1u);
}

// The control, the usual order: the poster has left before the handler runs,
// which releases the work itself.
BOOST_FIXTURE_TEST_CASE(a_handler_that_runs_after_its_poster_left_releases_the_work, io_fixture)
{
  awaitify_test::executor_counts counts;
  int runs = 0;
  std::optional<callback<void(int)>> kept(start_kept_call(ioc, counts, runs));
  (*kept)(1);
  kept.reset();
  BOOST_TEST(counts.work == 1);
  ioc.restart();
  BOOST_TEST(ioc.run() == 1u);
  BOOST_TEST(runs == 1);
  BOOST_TEST(counts.work == 0);
  BOOST_TEST(counts.submitted == 1); // No function carried the work back.
  BOOST_TEST(awaitify::get_counters(ioc).pending == 0u);
}

// A shutdown between two steps: the handler has run, its poster (the
// library's thread) is still inside the executor, and the context is
// destroyed. The destruction waits for the poster to leave, in whichever
// order the two come. `keep_copy` lets the library keep another copy of the
// callback; returns how many functions run_one() ran.
std::size_t destroy_the_context_while_the_poster_is_inside(awaitify_test::executor_counts& counts, int& runs,
    std::optional<callback<void(int)>>* keep_copy = nullptr)
{
  auto ioc = std::make_unique<asio::io_context>();
  std::optional<callback<void(int)>> kept(start_kept_call(*ioc, counts, runs));
  if (keep_copy)
    keep_copy->emplace(*kept);
  std::latch posted(1);
  std::latch destroying(1);
  counts.after_execute = [&] {
    posted.count_down();
    destroying.wait();
  };
  std::thread library([&] {
    (*kept)(1);
    kept.reset();
  });
  posted.wait();
  ioc->restart();
  const std::size_t ran = ioc->run_one();
  destroying.count_down();
  ioc.reset();
  library.join();
  return ran;
}

BOOST_AUTO_TEST_CASE(destroying_the_context_waits_for_a_poster_whose_handler_already_ran)
{
  awaitify_test::executor_counts counts;
  int runs = 0;
  BOOST_TEST(destroy_the_context_while_the_poster_is_inside(counts, runs) == 1u);
  BOOST_TEST(runs == 1);
  BOOST_TEST(counts.work == 0);
}

// With another copy kept by the library: the poster takes the counters'
// reference for it before the operation leaves the registry (the destruction
// may not wait for it afterwards), and the copy counts its duplicate after
// the context is gone.
BOOST_AUTO_TEST_CASE(a_copy_kept_past_a_poster_whose_handler_already_ran_outlives_the_context)
{
  awaitify_test::executor_counts counts;
  int runs = 0;
  std::optional<callback<void(int)>> duplicate;
  BOOST_TEST(destroy_the_context_while_the_poster_is_inside(counts, runs, &duplicate) == 1u);
  BOOST_TEST(runs == 1);
  BOOST_TEST(!(*duplicate)(2));
  duplicate.reset();
}

BOOST_AUTO_TEST_SUITE_END() // delivery

BOOST_AUTO_TEST_SUITE(handler_executors)

// What a library author compiles behind a boundary: the handler arrives
// type-erased, its executor an any_completion_executor, which has neither
// blocking.never nor a queryable context.
void async_add_erased(asio::io_context::executor_type ex, worker& legacy, int a, int b,
    asio::any_completion_handler<void(error_code, int)> handler)
{
  awaitify::async_call<void(int)>(ex, foreign_add(legacy)(a, b), std::move(handler));
}

template <typename CompletionToken>
auto async_add_across_a_boundary(
    asio::io_context::executor_type ex, worker& legacy, int a, int b, CompletionToken&& token)
{
  return asio::async_initiate<CompletionToken, void(error_code, int)>(
      [ex, &legacy, a, b](auto handler) { async_add_erased(ex, legacy, a, b, std::move(handler)); }, token);
}

BOOST_FIXTURE_TEST_CASE(any_completion_handler_under_use_awaitable, io_fixture)
{
  worker legacy;
  run_coroutine([&]() -> asio::awaitable<void> {
    int r1 = co_await async_add_across_a_boundary(ioc.get_executor(), legacy, 1, 2, asio::use_awaitable);
    BOOST_TEST((std::this_thread::get_id() != legacy.id()));
    int r2 = co_await async_add_across_a_boundary(ioc.get_executor(), legacy, r1, 3, asio::use_awaitable);
    BOOST_TEST(r2 == 6);
  });
}

BOOST_FIXTURE_TEST_CASE(any_completion_handler_with_a_plain_handler, io_fixture)
{
  std::optional<callback<void(int)>> kept;
  std::optional<int> result;
  std::thread::id ran_on;
  awaitify::async_call<void(int)>(ioc, [&](callback<void(int)> cb) { kept = cb; },
      asio::any_completion_handler<void(error_code, int)>([&](error_code, int v) {
        result = v;
        ran_on = std::this_thread::get_id();
      }));
  ioc.poll();
  BOOST_TEST(!ioc.stopped()); // The pending operation counts as work.

  worker legacy;
  legacy.post([cb = std::move(*kept)]() mutable { cb(5); });
  kept.reset();
  run();
  BOOST_TEST(result == 5);
  BOOST_TEST((ran_on == std::this_thread::get_id()));
}

BOOST_FIXTURE_TEST_CASE(any_completion_handler_never_runs_inside_the_initiating_function, io_fixture)
{
  bool ran = false;
  awaitify::async_call<void(int)>(ioc, inline_add(1, 2),
      asio::any_completion_handler<void(error_code, int)>([&](error_code, int) { ran = true; }));
  BOOST_TEST(!ran);
  run();
  BOOST_TEST(ran);
}

BOOST_FIXTURE_TEST_CASE(a_handler_bound_to_an_io_context_strand_runs_inside_it, io_fixture)
{
  worker legacy;
  asio::io_context::strand strand(ioc);
  bool in_strand = false;
  awaitify::async_call<void(int)>(ioc, foreign_add(legacy)(1, 1),
      asio::bind_executor(strand, [&](error_code, int) { in_strand = strand.running_in_this_thread(); }));
  run();
  BOOST_TEST(in_strand);
}

BOOST_FIXTURE_TEST_CASE(work_is_counted_on_an_io_context_strand_of_another_context, io_fixture)
{
  asio::io_context other;
  asio::io_context::strand strand(other);
  std::optional<callback<void(int)>> kept;
  bool in_strand = false;
  awaitify::async_call<void(int)>(ioc, [&](callback<void(int)> cb) { kept = cb; },
      asio::bind_executor(strand, [&](error_code, int) { in_strand = strand.running_in_this_thread(); }));
  other.poll();
  BOOST_TEST(!other.stopped());
  (*kept)(1);
  kept.reset();
  run(); // The completion passes through the I/O executor...
  BOOST_TEST(!in_strand);
  other.restart();
  other.run(); // ...and runs in the strand.
  BOOST_TEST(in_strand);
  BOOST_TEST(other.stopped());
}

BOOST_FIXTURE_TEST_CASE(destroying_the_strands_context_abandons_the_operation, io_fixture)
{
  std::optional<callback<void(int)>> kept;
  bool ran = false;
  auto witness = std::make_shared<int>(0);
  {
    asio::io_context other;
    asio::io_context::strand strand(other);
    awaitify::async_call<void(int)>(ioc, [&](callback<void(int)> cb) { kept = cb; },
        asio::bind_executor(strand, [&ran, w = witness](error_code, int) { ran = true; }));
  }
  BOOST_TEST(witness.use_count() == 1); // The handler was destroyed with that context.
  BOOST_TEST(!(*kept)(1));
  kept.reset();
  run();
  BOOST_TEST(!ran);
  BOOST_TEST(awaitify::get_counters(ioc).abandoned == 1u);
}

BOOST_AUTO_TEST_SUITE_END() // handler_executors

BOOST_AUTO_TEST_SUITE(results)

/// Counts copies, to prove that values are only ever moved.
struct copy_counted
{
  static inline int copies = 0;
  int value = 0;

  copy_counted() = default;
  explicit copy_counted(int v) : value(v) {}
  copy_counted(const copy_counted& o) : value(o.value) { ++copies; }
  copy_counted(copy_counted&& o) noexcept : value(o.value) {}
  copy_counted& operator=(const copy_counted&) = delete;
  copy_counted& operator=(copy_counted&&) = delete;
};

BOOST_FIXTURE_TEST_CASE(any_number_of_values, io_fixture)
{
  run_coroutine([&]() -> asio::awaitable<void> {
    co_await awaitify::async_call<void()>(ioc.get_executor(), [](callback<void()> cb) { cb(); }, asio::use_awaitable);
    auto [i, s, d] = co_await awaitify::async_call<void(int, std::string, double)>(ioc.get_executor(),
        [](callback<void(int, std::string, double)> cb) { cb(1, "two", 3.0); }, asio::use_awaitable);
    BOOST_TEST(i == 1);
    BOOST_TEST(s == "two");
    BOOST_TEST(d == 3.0);
  });
}

BOOST_FIXTURE_TEST_CASE(move_only_values, io_fixture)
{
  worker legacy;
  run_coroutine([&]() -> asio::awaitable<void> {
    std::unique_ptr<int> p = co_await awaitify::async_call<void(std::unique_ptr<int>)>(ioc.get_executor(),
        [&](callback<void(std::unique_ptr<int>)> cb) { legacy.post([cb] { cb(std::make_unique<int>(7)); }); },
        asio::use_awaitable);
    BOOST_TEST_REQUIRE(p != nullptr);
    BOOST_TEST(*p == 7);
  });
}

BOOST_FIXTURE_TEST_CASE(values_are_moved_never_copied, io_fixture)
{
  copy_counted::copies = 0;
  int received = 0;
  awaitify::async_call<void(copy_counted)>(ioc,
      [](callback<void(copy_counted)> cb) { cb(copy_counted(9)); },
      [&](error_code, copy_counted c) { received = c.value; });
  run();
  BOOST_TEST(received == 9);
  BOOST_TEST(copy_counted::copies == 0);
}

BOOST_FIXTURE_TEST_CASE(a_const_reference_error_code_is_error_first, io_fixture)
{
  using legacy = void(const error_code&, int);
  std::future<int> failed = awaitify::async_call<legacy>(
      ioc.get_executor(), [](callback<legacy> cb) { cb(asio::error::eof, 0); }, asio::use_future);
  std::future<int> succeeded = awaitify::async_call<legacy>(
      ioc.get_executor(), [](callback<legacy> cb) { cb(error_code(), 4); }, asio::use_future);
  std::optional<int> awaited;
  run_coroutine([&]() -> asio::awaitable<void> {
    auto answer = [](callback<legacy> cb) { cb(error_code(), 5); };
    awaited = co_await awaitify::async_call<legacy>(ioc.get_executor(), answer, asio::use_awaitable);
  });
  BOOST_CHECK_EXCEPTION(failed.get(), awaitify::system_error,
      [](const awaitify::system_error& e) { return e.code() == asio::error::eof; });
  BOOST_TEST(succeeded.get() == 4);
  BOOST_TEST(awaited == 5);
}

BOOST_FIXTURE_TEST_CASE(a_const_reference_exception_ptr_is_exception_first, io_fixture)
{
  using legacy = void(const std::exception_ptr&, int);
  std::future<int> thrown = awaitify::async_call<legacy>(ioc.get_executor(),
      [](callback<legacy> cb) { cb(std::make_exception_ptr(std::logic_error("legacy")), 0); }, asio::use_future);
  std::future<int> failed = awaitify::async_call<legacy>(
      ioc.get_executor(), [](callback<legacy> cb) { cb.fail(std::make_exception_ptr(std::out_of_range("x"))); },
      asio::use_future);
  run();
  BOOST_CHECK_THROW(thrown.get(), std::logic_error);
  BOOST_CHECK_THROW(failed.get(), std::out_of_range);
}

BOOST_FIXTURE_TEST_CASE(error_first_signatures_pass_the_legacy_error_through, io_fixture)
{
  const error_code legacy_error = asio::error::connection_refused;
  std::optional<std::tuple<error_code, int>> result;
  awaitify::async_call<void(error_code, int)>(ioc,
      [&](callback<void(error_code, int)> cb) { cb(legacy_error, 4); },
      [&](error_code ec, int v) { result.emplace(ec, v); });
  run();
  BOOST_TEST_REQUIRE(result.has_value());
  BOOST_TEST((std::get<0>(*result) == legacy_error));
  BOOST_TEST(std::get<1>(*result) == 4);
}

BOOST_FIXTURE_TEST_CASE(exception_first_signatures_report_errors_as_system_error, io_fixture)
{
  run_coroutine([&]() -> asio::awaitable<void> {
    int v = co_await awaitify::async_call<void(std::exception_ptr, int)>(
        ioc.get_executor(), [](callback<void(std::exception_ptr, int)> cb) { cb(nullptr, 5); }, asio::use_awaitable);
    BOOST_TEST(v == 5);
    try
    {
      co_await awaitify::async_call<void(std::exception_ptr, int)>(
          ioc.get_executor(), [](callback<void(std::exception_ptr, int)>) {}, asio::use_awaitable);
      BOOST_FAIL("expected an exception");
    }
    catch (const awaitify::system_error& e)
    {
      BOOST_TEST((e.code() == awaitify::error::callback_dropped));
    }
  });
}

BOOST_AUTO_TEST_SUITE_END() // results

BOOST_AUTO_TEST_SUITE(associators)

BOOST_FIXTURE_TEST_CASE(associated_allocator_is_used_and_freed_before_the_handler_runs, io_fixture)
{
  awaitify_test::allocation_counts counts;
  int outstanding_in_handler = -1;
  awaitify::async_call<void(int)>(ioc, inline_add(1, 2),
      asio::bind_allocator(awaitify_test::counting_allocator<void>(counts),
          [&](error_code, int) { outstanding_in_handler = counts.outstanding; }));
  BOOST_TEST(counts.allocations >= 1);
  run();
  BOOST_TEST(outstanding_in_handler == 0);
  BOOST_TEST(counts.outstanding == 0);
}

// The memory of an allocator of the handler's own goes back to it, on the
// handler's thread, before the handler runs, also when the library's thread
// is still inside the executor as the handler's thread takes the completion
// (the library's thread holds there until the handler's thread is on its
// way; the handler waits for it to leave, see frees_after_the_handler).
BOOST_FIXTURE_TEST_CASE(an_allocator_of_the_handlers_own_has_its_memory_back_while_the_poster_is_inside, io_fixture)
{
  awaitify_test::allocation_counts counts;
  awaitify_test::executor_counts executor_counts;
  awaitify_test::worker library;
  std::latch posted(1);
  std::latch handler_thread_on_its_way(1);
  executor_counts.after_execute = [&] {
    posted.count_down();
    handler_thread_on_its_way.wait();
  };
  int outstanding_in_handler = -1;
  std::optional<callback<void(int)>> kept;
  awaitify::async_call<void(int)>(awaitify_test::counting_executor<false>(ioc, executor_counts),
      [&](callback<void(int)> cb) { kept = std::move(cb); },
      asio::bind_allocator(awaitify_test::counting_allocator<void>(counts),
          [&](error_code, int) { outstanding_in_handler = counts.outstanding; }));
  library.post([&kept] {
    (*kept)(1);
    kept.reset();
  });
  posted.wait();
  handler_thread_on_its_way.count_down();
  run();
  library.drain();
  BOOST_TEST(outstanding_in_handler == 0);
  BOOST_TEST(counts.outstanding == 0);
}

// An operation whose handler's executor is of another context carries a link
// to that context's registry, in a larger block of the same allocator.
BOOST_FIXTURE_TEST_CASE(an_allocator_of_the_handlers_own_serves_a_handler_on_another_context, io_fixture)
{
  awaitify_test::allocation_counts counts;
  asio::io_context other;
  std::optional<callback<void(int)>> kept;
  int outstanding_in_handler = -1;
  awaitify::async_call<void(int)>(ioc, [&](callback<void(int)> cb) { kept = std::move(cb); },
      asio::bind_executor(other,
          asio::bind_allocator(awaitify_test::counting_allocator<void>(counts),
              [&](error_code, int) { outstanding_in_handler = counts.outstanding; })));
  BOOST_TEST(counts.allocations >= 1);
  (*kept)(1);
  kept.reset();
  other.run();
  BOOST_TEST(outstanding_in_handler == 0);
  BOOST_TEST(counts.outstanding == 0);
  BOOST_TEST(counts.outstanding_bytes == 0);
}

BOOST_FIXTURE_TEST_CASE(associated_executor_runs_the_handler, io_fixture)
{
  asio::thread_pool pool(1);
  std::promise<bool> on_pool;
  awaitify::async_call<void(int)>(ioc, inline_add(1, 2), asio::bind_executor(pool, [&](error_code, int) {
    on_pool.set_value(pool.get_executor().running_in_this_thread());
  }));
  BOOST_TEST(on_pool.get_future().get());
  pool.join();
  run();
}

BOOST_FIXTURE_TEST_CASE(associated_cancellation_slot_receives_a_handler, io_fixture)
{
  asio::cancellation_signal signal;
  std::optional<error_code> result;
  awaitify::async_call<void(int)>(ioc, [](callback<void(int)>) {},
      asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int) { result = ec; }));
  BOOST_TEST(signal.slot().has_handler());
  run();
  // Left installed, as Asio's operations leave theirs, for the slot's owner
  // to clear or replace; signalling it now does nothing.
  BOOST_TEST(signal.slot().has_handler());
  signal.emit(asio::cancellation_type::terminal);
  signal.slot().clear();
  BOOST_TEST((*result == awaitify::error::callback_dropped));
}

// The completion is posted in memory of the operation's own, lent to the
// first block the executor asks for during that post; a second one (a
// strand's own invoker, posted while the function holds the first) and one
// asked for later, from the thread that runs the function, come from the heap.
BOOST_FIXTURE_TEST_CASE(the_operations_post_buffer_serves_one_block_of_the_post_only, io_fixture)
{
  awaitify_test::allocation_log log;
  worker legacy;
  int result = 0;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) { legacy.post([cb = std::move(cb)]() mutable { cb(7); }); },
      asio::bind_executor(awaitify_test::allocating_executor<>(ioc, log), [&](error_code, int v) { result = v; }));
  run();
  BOOST_TEST(result == 7);
  BOOST_TEST_REQUIRE(log.holding_the_function != nullptr);
  BOOST_TEST(log.while_it_is_held != log.holding_the_function);
  BOOST_TEST(log.on_the_running_thread != log.holding_the_function);
}

BOOST_AUTO_TEST_SUITE_END() // associators

BOOST_AUTO_TEST_SUITE(throwing_init)

BOOST_FIXTURE_TEST_CASE(use_awaitable_catches_an_exception_from_co_await, io_fixture)
{
  run_coroutine([&]() -> asio::awaitable<void> {
    try
    {
      co_await awaitify::async_call<void(int)>(ioc.get_executor(),
          [](callback<void(int)>) { throw std::runtime_error("sdk refused"); }, asio::use_awaitable);
      BOOST_FAIL("expected an exception");
    }
    catch (const awaitify::system_error& e)
    {
      BOOST_TEST((e.code() == awaitify::error::initiation_failed));
    }
  });
  BOOST_TEST(awaitify::get_counters(ioc).failed == 1u);
}

BOOST_FIXTURE_TEST_CASE(exception_first_signatures_receive_the_original_exception, io_fixture)
{
  run_coroutine([&]() -> asio::awaitable<void> {
    try
    {
      co_await awaitify::async_call<void(std::exception_ptr, int)>(ioc.get_executor(),
          [](callback<void(std::exception_ptr, int)>) { throw std::runtime_error("sdk refused"); },
          asio::use_awaitable);
      BOOST_FAIL("expected an exception");
    }
    catch (const std::runtime_error& e)
    {
      BOOST_TEST(e.what() == std::string("sdk refused"));
    }
  });
}

BOOST_FIXTURE_TEST_CASE(a_plain_handler_gets_the_error_and_a_kept_callback_is_inert, io_fixture)
{
  std::optional<callback<void(int)>> kept;
  std::optional<error_code> result;
  int calls = 0;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        kept = cb;
        throw std::runtime_error("after keeping the callback");
      },
      [&](error_code ec, int) {
        ++calls;
        result = ec;
      });
  BOOST_TEST(!(*kept)(1));
  kept.reset();
  run();
  BOOST_TEST(calls == 1);
  BOOST_TEST((*result == awaitify::error::initiation_failed));
  BOOST_TEST(awaitify::get_counters(ioc).late == 1u);
  BOOST_TEST(awaitify::get_counters(ioc).dropped == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_result_delivered_before_the_throw_wins, io_fixture)
{
  std::optional<int> result;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        cb(8);
        throw std::runtime_error("too late to matter");
      },
      [&](error_code ec, int v) {
        BOOST_TEST(!ec);
        result = v;
      });
  run();
  BOOST_TEST(result == 8);
}

BOOST_AUTO_TEST_SUITE_END() // throwing_init

BOOST_FIXTURE_TEST_CASE(init_is_decay_copied_and_invoked_once, io_fixture)
{
  struct counted_init
  {
    std::shared_ptr<int> calls = std::make_shared<int>(0);
    void operator()(callback<void(int)> cb) const
    {
      ++*calls;
      cb(*calls);
    }
  };
  counted_init init;
  auto op = awaitify::async_call<void(int)>(ioc, init, asio::deferred);
  BOOST_TEST(init.calls != nullptr); // An lvalue init is copied, not moved from.
  BOOST_TEST(*init.calls == 0);
  std::optional<int> result;
  std::move(op)([&](error_code, int v) { result = v; });
  run();
  BOOST_TEST(*init.calls == 1);
  BOOST_TEST(result == 1);
}

BOOST_AUTO_TEST_SUITE_END() // async_call

} // namespace
