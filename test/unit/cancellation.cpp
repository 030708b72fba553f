// SPDX-License-Identifier: BSL-1.0
//
// Per-operation cancellation and timeouts of awaitify operations (the
// cancellation parts of awaitify/async_call.hpp and awaitify/callback.hpp).
//

#include <awaitify/async_call.hpp>
#include <awaitify/correlator.hpp>
#include <awaitify/diagnostics.hpp>
#include <awaitify/stream.hpp>
#include <awaitify/wrap.hpp>

#include "common/asio.hpp"
#include <boost/test/unit_test.hpp>

#if defined(AWAITIFY_STANDALONE_ASIO)
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/experimental/parallel_group.hpp>
#if AWAITIFY_TEST_ASIO_VERSION >= 103200
#include <asio/cancel_after.hpp>
#endif
#else
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#if AWAITIFY_TEST_ASIO_VERSION >= 103200
#include <boost/asio/cancel_after.hpp>
#endif
#endif

#include <awaitify/c_callback.hpp>

#include "common/io_fixture.hpp"
#include "common/misuse_recorder.hpp"
#include "common/worker.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <future>
#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace {

using awaitify::callback;
using awaitify_test::io_fixture;
using awaitify_test::misuse_recorder;
using awaitify_test::worker;
using awaitify::error_code;

/// A legacy call that holds its callback until the test releases it, and
/// offers a cancel function, as SDKs do.
struct held_call
{
  std::optional<callback<void(int)>> held;
  std::atomic<int> cancels{0};

  auto init()
  {
    return [this](callback<void(int)> cb) {
      cb.on_cancel([this] { ++cancels; });
      held = std::move(cb);
    };
  }
};

BOOST_AUTO_TEST_SUITE(cancellation)

BOOST_FIXTURE_TEST_CASE(terminal_cancellation_completes_without_waiting_for_the_legacy_code, io_fixture)
{
  held_call legacy;
  asio::cancellation_signal signal;
  std::optional<error_code> result;
  awaitify::async_call<void(int)>(ioc, legacy.init(),
      asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int) { result = ec; }));
  asio::post(ioc, [&] { signal.emit(asio::cancellation_type::terminal); });
  run(); // Returns although the legacy code still holds the callback.
  BOOST_TEST((result == error_code(asio::error::operation_aborted)));
  BOOST_TEST(legacy.cancels == 1);
  BOOST_TEST(!(*legacy.held)(1)); // The late result is refused...
  BOOST_TEST(awaitify::get_counters(ioc).late == 1u); // ...and counted.
  BOOST_TEST(awaitify::get_counters(ioc).cancelled == 1u);
}

BOOST_FIXTURE_TEST_CASE(co_spawn_cancellation_reaches_the_operation, io_fixture)
{
  held_call legacy;
  asio::cancellation_signal signal;
  std::optional<error_code> thrown;
  asio::co_spawn(ioc,
      [&]() -> asio::awaitable<void> {
        try
        {
          co_await awaitify::async_call<void(int)>(ioc.get_executor(), legacy.init(), asio::use_awaitable);
        }
        catch (const awaitify::system_error& e)
        {
          thrown = e.code();
        }
      },
      asio::bind_cancellation_slot(signal.slot(), asio::detached));
  asio::post(ioc, [&] { signal.emit(asio::cancellation_type::terminal); });
  run();
  BOOST_TEST((thrown == error_code(asio::error::operation_aborted)));
  BOOST_TEST(legacy.cancels == 1);
}

BOOST_FIXTURE_TEST_CASE(timeout_with_awaitable_operators, io_fixture)
{
  using namespace asio::experimental::awaitable_operators;
  held_call legacy;
  run_coroutine([&]() -> asio::awaitable<void> {
    asio::steady_timer timer(ioc, std::chrono::milliseconds(1));
    // The legacy code never answers: the timer wins whatever its duration.
    std::variant<int, std::monostate> r = co_await (
        awaitify::async_call<void(int)>(ioc.get_executor(), legacy.init(), asio::use_awaitable)
        || timer.async_wait(asio::use_awaitable));
    BOOST_TEST(r.index() == 1u);
  });
  BOOST_TEST(legacy.cancels == 1);
  BOOST_TEST(!(*legacy.held)(1));
}

BOOST_FIXTURE_TEST_CASE(result_before_timeout_with_awaitable_operators, io_fixture)
{
  using namespace asio::experimental::awaitable_operators;
  run_coroutine([&]() -> asio::awaitable<void> {
    asio::steady_timer timer(ioc, std::chrono::hours(1));
    std::variant<int, std::monostate> r = co_await (
        awaitify::async_call<void(int)>(ioc.get_executor(), [](callback<void(int)> cb) { cb(5); }, asio::use_awaitable)
        || timer.async_wait(asio::use_awaitable));
    BOOST_TEST_REQUIRE(r.index() == 0u);
    BOOST_TEST(std::get<0>(r) == 5);
  });
}

BOOST_FIXTURE_TEST_CASE(timeout_with_a_parallel_group, io_fixture)
{
  held_call legacy;
  asio::steady_timer timer(ioc, std::chrono::milliseconds(1));
  std::optional<std::size_t> first;
  std::optional<error_code> call_ec;
  asio::experimental::make_parallel_group(
      awaitify::async_call<void(int)>(ioc, legacy.init(), asio::deferred), timer.async_wait(asio::deferred))
      .async_wait(asio::experimental::wait_for_one(),
          [&](std::array<std::size_t, 2> order, error_code ec, int, error_code) {
            first = order[0];
            call_ec = ec;
          });
  run();
  BOOST_TEST(first == 1u);
  BOOST_TEST((call_ec == error_code(asio::error::operation_aborted)));
  BOOST_TEST(legacy.cancels == 1);
}

BOOST_FIXTURE_TEST_CASE(cancellation_racing_a_foreign_completion_has_one_winner, io_fixture)
{
  constexpr int rounds = 500;
  std::optional<worker> legacy(std::in_place);
  int handled = 0;
  int aborted = 0;
  std::atomic<int> delivered{0};
  for (int round = 0; round < rounds; ++round)
  {
    auto signal = std::make_shared<asio::cancellation_signal>();
    auto go = std::make_shared<std::latch>(2);
    awaitify::async_call<void(int)>(ioc,
        [&, go](callback<void(int)> cb) {
          legacy->post([&, go, cb] {
            go->arrive_and_wait();
            if (cb(1))
              ++delivered;
          });
        },
        asio::bind_cancellation_slot(signal->slot(), [&, signal](error_code ec, int v) {
          ++handled;
          if (ec == asio::error::operation_aborted)
            ++aborted;
          else
            BOOST_TEST(v == 1);
        }));
    // The signal is emitted on the handler's executor, as Asio requires.
    asio::post(ioc, [go, signal] {
      go->arrive_and_wait();
      signal->emit(asio::cancellation_type::terminal);
    });
  }
  run();
  legacy.reset(); // A refused invocation may still be on its way.
  BOOST_TEST(handled == rounds);
  BOOST_TEST(aborted + delivered.load() == rounds);
  const auto c = awaitify::get_counters(ioc);
  BOOST_TEST(c.cancelled == std::uint64_t(aborted));
  BOOST_TEST(c.completed == std::uint64_t(delivered.load()));
  BOOST_TEST(c.late == std::uint64_t(aborted));
}

BOOST_AUTO_TEST_CASE(a_parallel_group_on_two_threads_may_signal_an_operation_that_completed)
{
  // The README's parallel_group shape on an io_context run by two threads:
  // while one thread completes an operation, the other, running the first
  // completion, emits the group's cancellation on it. Freeing the slot's
  // handler on completion was a use-after-free (TSan, ASan), as Asio's own
  // operations keep theirs installed until the slot's owner clears it.
  worker left, right;
  for (int round = 0; round < 300; ++round)
  {
    asio::io_context ioc;
    auto answer_on = [](worker& legacy, int value) {
      return [&legacy, value](callback<void(int)> cb) { legacy.post([cb, value] { cb(value); }); };
    };
    std::optional<std::size_t> first;
    asio::experimental::make_parallel_group(
        awaitify::async_call<void(int)>(ioc.get_executor(), answer_on(left, 1), asio::deferred),
        awaitify::async_call<void(int)>(ioc.get_executor(), answer_on(right, 2), asio::deferred))
        .async_wait(asio::experimental::wait_for_one(),
            [&](std::array<std::size_t, 2> order, error_code, int, error_code, int) { first = order[0]; });
    std::thread second_runner([&] { ioc.run(); });
    ioc.run();
    second_runner.join();
    BOOST_TEST_REQUIRE(first.has_value());
    BOOST_TEST_REQUIRE(awaitify::get_counters(ioc).pending == 0u);
  }
}

BOOST_FIXTURE_TEST_CASE(a_signal_after_the_completion_does_nothing, io_fixture)
{
  held_call legacy;
  asio::cancellation_signal signal;
  std::optional<int> result;
  awaitify::async_call<void(int)>(ioc, legacy.init(),
      asio::bind_cancellation_slot(signal.slot(), [&](error_code, int v) { result = v; }));
  (*legacy.held)(4);
  run();
  BOOST_TEST(signal.slot().has_handler()); // Left for its owner to clear, as Asio does.
  signal.emit(asio::cancellation_type::terminal);
  BOOST_TEST(result == 4);
  BOOST_TEST(legacy.cancels == 0);
  BOOST_TEST(awaitify::get_counters(ioc).cancelled == 0u);
}

BOOST_AUTO_TEST_SUITE(wait_for_callback)

using awaitify::after_cancel;
using write_signature = void(error_code, std::size_t);

/// A library that writes into its caller's buffer on its own thread, a chunk
/// at a time, until it has processed a cancellation there; then it reports
/// the cancellation through the callback, as gRPC and libuv do.
class writing_library
{
public:
  explicit writing_library(after_cancel then) : then_(then) {}

  void write(int* out, std::size_t size, callback<write_signature> cb, const std::atomic<bool>* gone = nullptr)
  {
    auto job = std::make_shared<write_job>(out, size, std::move(cb));
    job->gone = gone;
    // A weak_ptr: the job holds the callback, so owning it would hide a drop.
    job->cb.on_cancel(
        [this, weak = std::weak_ptr<write_job>(job)] {
          ++cancels;
          if (auto locked = weak.lock())
            thread_.post([locked] { locked->cancelled = true; });
        },
        asio::cancellation_type::terminal, then_);
    thread_.post([this, job] { step(job); });
  }

  std::atomic<int> cancels{0};
  std::atomic<int> writes_after_free{0};

private:
  struct write_job
  {
    write_job(int* o, std::size_t n, callback<write_signature> c) : out(o), size(n), cb(std::move(c)) {}
    int* out;
    std::size_t size;
    callback<write_signature> cb;
    bool cancelled = false;
    std::size_t written = 0;
    const std::atomic<bool>* gone = nullptr; // Set when the buffer is freed.
  };

  void step(const std::shared_ptr<write_job>& job)
  {
    if (job->cancelled)
    {
      job->cb(asio::error::operation_aborted, job->written);
      return;
    }
    if (job->gone && *job->gone)
      ++writes_after_free; // ASan reports the write itself.
    job->out[job->written % job->size] = static_cast<int>(job->written);
    ++job->written;
    thread_.post([this, job] { step(job); });
  }

  after_cancel then_;
  worker thread_;
};

BOOST_FIXTURE_TEST_CASE(the_buffer_can_live_in_the_frame_of_a_coroutine_that_times_out, io_fixture)
{
  using namespace asio::experimental::awaitable_operators;
  std::atomic<bool> buffer_gone{false}; // Outlives the library's thread.
  writing_library library(after_cancel::wait_for_callback);
  std::optional<std::size_t> winner;
  run_coroutine([&]() -> asio::awaitable<void> {
    // Owned by the frame, which ends when this returns. On the heap, not in
    // the frame itself, whose memory Asio recycles out of ASan's sight.
    auto buffer = std::make_unique<std::array<int, 64>>();
    struct mark_gone
    {
      std::atomic<bool>& flag;
      ~mark_gone() { flag = true; }
    } freed_after{buffer_gone};
    asio::steady_timer timer(ioc, std::chrono::milliseconds(1));
    auto write = [&](callback<write_signature> cb) {
      library.write(buffer->data(), buffer->size(), std::move(cb), &buffer_gone);
    };
    auto result = co_await (
        awaitify::async_call<write_signature>(ioc.get_executor(), write, asio::as_tuple(asio::use_awaitable))
        || timer.async_wait(asio::use_awaitable));
    winner = result.index();
  }); // With complete_now, the library went on writing into the freed frame (ASan).
  BOOST_TEST(winner == 1u);
  BOOST_TEST(library.cancels == 1);
  BOOST_TEST(library.writes_after_free == 0);
  const auto c = awaitify::get_counters(ioc);
  BOOST_TEST(c.completed == 1u); // By the callback...
  BOOST_TEST(c.cancelled == 0u); // ...not by the cancellation...
  BOOST_TEST(c.late == 0u);      // ...which is no late invocation.
}

BOOST_FIXTURE_TEST_CASE(a_cancellation_too_late_to_stop_the_library_delivers_the_result, io_fixture)
{
  std::optional<callback<void(int)>> held;
  int hooks = 0;
  asio::cancellation_signal signal;
  std::optional<std::pair<error_code, int>> result;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        cb.on_cancel([&] { ++hooks; }, asio::cancellation_type::terminal, after_cancel::wait_for_callback);
        held = std::move(cb);
      },
      asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int v) { result.emplace(ec, v); }));
  signal.emit(asio::cancellation_type::terminal);
  signal.emit(asio::cancellation_type::terminal); // Later signals do nothing more.
  ioc.poll();
  BOOST_TEST(!result); // Still waiting for the library.
  BOOST_TEST(hooks == 1);
  BOOST_TEST((*held)(42)); // The library had the result already.
  run();
  BOOST_TEST_REQUIRE(result.has_value());
  BOOST_TEST(!result->first);
  BOOST_TEST(result->second == 42);
}

BOOST_FIXTURE_TEST_CASE(a_callback_dropped_after_the_cancellation_completes_with_callback_dropped, io_fixture)
{
  std::optional<callback<void(int)>> held;
  asio::cancellation_signal signal;
  std::optional<error_code> result;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        cb.on_cancel([&] { held.reset(); }, asio::cancellation_type::terminal, after_cancel::wait_for_callback);
        held = std::move(cb);
      },
      asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int) { result = ec; }));
  signal.emit(asio::cancellation_type::terminal); // The hook drops the last copy.
  run();
  BOOST_TEST((result == error_code(awaitify::error::callback_dropped)));
  BOOST_TEST(awaitify::get_counters(ioc).dropped == 1u);
}

BOOST_AUTO_TEST_CASE(a_shutdown_abandons_an_operation_waiting_after_its_cancellation)
{
  std::optional<callback<void(int)>> held;
  auto witness = std::make_shared<int>(0);
  bool ran = false;
  {
    asio::io_context ioc;
    asio::cancellation_signal signal;
    awaitify::async_call<void(int)>(ioc,
        [&](callback<void(int)> cb) {
          cb.on_cancel([] {}, asio::cancellation_type::terminal, after_cancel::wait_for_callback);
          held = std::move(cb);
        },
        asio::bind_cancellation_slot(signal.slot(), [&ran, w = witness](error_code, int) { ran = true; }));
    signal.emit(asio::cancellation_type::terminal);
    ioc.poll();
    BOOST_TEST(awaitify::get_counters(ioc).pending == 1u);
  }
  BOOST_TEST(!ran);
  BOOST_TEST(witness.use_count() == 1); // The handler was destroyed.
  BOOST_TEST(!(*held)(1));
}

BOOST_FIXTURE_TEST_CASE(with_hooks_of_both_modes_the_operation_waits_and_every_hook_runs, io_fixture)
{
  std::optional<callback<void(int)>> held;
  std::vector<int> hooks;
  asio::cancellation_signal signal;
  std::optional<error_code> result;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        cb.on_cancel([&] { hooks.push_back(1); });
        cb.on_cancel([&] { hooks.push_back(2); }, asio::cancellation_type::terminal, after_cancel::wait_for_callback);
        held = std::move(cb);
      },
      asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int) { result = ec; }));
  signal.emit(asio::cancellation_type::terminal);
  ioc.poll();
  BOOST_TEST(!result);
  BOOST_TEST((hooks == std::vector<int>{1, 2}));
  held->fail(asio::error::operation_aborted); // The library's own report.
  run();
  BOOST_TEST((result == error_code(asio::error::operation_aborted)));
}

// The library reports its cancellation from inside its cancel call: the
// handler is posted once the hook has returned, not while it still runs.
BOOST_FIXTURE_TEST_CASE(a_callback_made_inside_a_waiting_hook_posts_the_handler_after_the_hook, io_fixture)
{
  std::optional<callback<void(int)>> held;
  asio::cancellation_signal signal;
  std::optional<error_code> result;
  std::size_t handlers_run_inside_the_hook = 0;
  bool hook_returned = false;
  bool handler_saw_the_hook_returned = false;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        cb.on_cancel(
            [&] {
              BOOST_TEST(held->fail(asio::error::operation_aborted));
              // Were the handler posted already, this would run it now.
              handlers_run_inside_the_hook = ioc.poll();
              hook_returned = true;
            },
            asio::cancellation_type::terminal, after_cancel::wait_for_callback);
        held = std::move(cb);
      },
      asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int) {
        result = ec;
        handler_saw_the_hook_returned = hook_returned;
      }));
  signal.emit(asio::cancellation_type::terminal);
  BOOST_TEST(handlers_run_inside_the_hook == 0u);
  run();
  BOOST_TEST((result == error_code(asio::error::operation_aborted)));
  BOOST_TEST(handler_saw_the_hook_returned);
}

// The library's thread delivers while the hook runs ("too late to cancel"):
// the result wins, and the handler still waits for the hook.
BOOST_FIXTURE_TEST_CASE(a_callback_racing_a_waiting_hook_posts_the_handler_after_the_hook, io_fixture)
{
  worker library;
  std::optional<callback<void(int)>> held;
  asio::cancellation_signal signal;
  std::optional<std::pair<error_code, int>> result;
  std::size_t handlers_run_inside_the_hook = 0;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        cb.on_cancel(
            [&] {
              std::latch delivered(1);
              library.post([&] {
                BOOST_TEST((*held)(7));
                delivered.count_down();
              });
              delivered.wait();
              handlers_run_inside_the_hook = ioc.poll();
            },
            asio::cancellation_type::terminal, after_cancel::wait_for_callback);
        held = std::move(cb);
      },
      asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int v) { result.emplace(ec, v); }));
  signal.emit(asio::cancellation_type::terminal);
  BOOST_TEST(handlers_run_inside_the_hook == 0u);
  run();
  BOOST_TEST_REQUIRE(result.has_value());
  BOOST_TEST(!result->first);
  BOOST_TEST(result->second == 7);
  BOOST_TEST(awaitify::get_counters(ioc).late == 0u);
}

// Each hook runs only for the cancellation types it declared.
BOOST_FIXTURE_TEST_CASE(a_terminal_only_hook_does_not_run_for_a_partial_cancellation, io_fixture)
{
  for (const after_cancel then : {after_cancel::complete_now, after_cancel::wait_for_callback})
  {
    std::optional<callback<void(int)>> held;
    std::vector<int> hooks;
    asio::cancellation_signal signal;
    std::optional<error_code> result;
    awaitify::async_call<void(int)>(ioc,
        [&](callback<void(int)> cb) {
          cb.on_cancel([&] { hooks.push_back(1); }, asio::cancellation_type::terminal, then);
          cb.on_cancel([&] { hooks.push_back(2); }, asio::cancellation_type::partial, then);
          held = std::move(cb);
        },
        asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int) { result = ec; }));
    signal.emit(asio::cancellation_type::partial);
    ioc.poll();
    BOOST_TEST((hooks == std::vector<int>{2}));
    if (then == after_cancel::wait_for_callback)
    {
      BOOST_TEST(!result);
      held->fail(asio::error::operation_aborted);
    }
    // A hook registered after the partial cancellation won runs at once only
    // if it honours partial cancellation.
    held->on_cancel([&] { hooks.push_back(3); });
    held->on_cancel([&] { hooks.push_back(4); }, asio::cancellation_type::partial);
    held.reset();
    run();
    BOOST_TEST((hooks == std::vector<int>{2, 4}));
    BOOST_TEST((result == error_code(asio::error::operation_aborted)));
  }
}

// The control: a terminal cancellation runs every hook, of either type.
BOOST_FIXTURE_TEST_CASE(a_terminal_cancellation_runs_every_hook, io_fixture)
{
  std::optional<callback<void(int)>> held;
  std::vector<int> hooks;
  asio::cancellation_signal signal;
  std::optional<error_code> result;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        cb.on_cancel([&] { hooks.push_back(1); });
        cb.on_cancel([&] { hooks.push_back(2); }, asio::cancellation_type::partial);
        held = std::move(cb);
      },
      asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int) { result = ec; }));
  signal.emit(asio::cancellation_type::terminal);
  run();
  BOOST_TEST((hooks == std::vector<int>{1, 2}));
  BOOST_TEST((result == error_code(asio::error::operation_aborted)));
}

BOOST_FIXTURE_TEST_CASE(co_spawn_cancellation_and_a_parallel_group_wait_for_the_library, io_fixture)
{
  writing_library library(after_cancel::wait_for_callback);
  asio::cancellation_signal signal;
  std::optional<error_code> thrown;
  std::array<int, 16> outside{};
  auto write = [&](callback<write_signature> cb) { library.write(outside.data(), outside.size(), std::move(cb)); };
  asio::co_spawn(ioc,
      [&]() -> asio::awaitable<void> {
        try
        {
          co_await awaitify::async_call<write_signature>(ioc.get_executor(), write, asio::use_awaitable);
        }
        catch (const awaitify::system_error& e)
        {
          thrown = e.code();
        }
      },
      asio::bind_cancellation_slot(signal.slot(), asio::detached));
  asio::post(ioc, [&] { signal.emit(asio::cancellation_type::terminal); });
  run();
  BOOST_TEST((thrown == error_code(asio::error::operation_aborted))); // The library's report.

  std::optional<std::size_t> first;
  asio::steady_timer timer(ioc, std::chrono::milliseconds(1));
  asio::experimental::make_parallel_group(
      awaitify::async_call<write_signature>(ioc.get_executor(), write, asio::deferred), timer.async_wait(asio::deferred))
      .async_wait(asio::experimental::wait_for_one(),
          [&](std::array<std::size_t, 2> order, error_code, std::size_t, error_code) { first = order[0]; });
  run();
  BOOST_TEST(first == 1u);
  BOOST_TEST(library.cancels == 2);
  BOOST_TEST(awaitify::get_counters(ioc).cancelled == 0u);
}

#if AWAITIFY_TEST_ASIO_VERSION >= 103200
BOOST_FIXTURE_TEST_CASE(cancel_after_waits_for_the_library, io_fixture)
{
  writing_library library(after_cancel::wait_for_callback);
  std::array<int, 16> buffer{};
  std::optional<error_code> result;
  auto write = [&](callback<write_signature> cb) { library.write(buffer.data(), buffer.size(), std::move(cb)); };
  awaitify::async_call<write_signature>(ioc.get_executor(), write,
      asio::cancel_after(std::chrono::milliseconds(1), [&](error_code ec, std::size_t) { result = ec; }));
  run();
  BOOST_TEST((result == error_code(asio::error::operation_aborted)));
  BOOST_TEST(library.cancels == 1);
}
#endif

BOOST_AUTO_TEST_SUITE_END() // wait_for_callback

// A library that cannot withdraw a request (a Redis command once written):
// the result that comes after a timeout is expected, not misuse.
BOOST_AUTO_TEST_SUITE(detach)

struct detached_call
{
  std::optional<callback<void(int)>> held;
  int hook_runs = 0;

  auto init(bool with_hook)
  {
    return [this, with_hook](callback<void(int)> cb) {
      if (with_hook)
        cb.on_cancel([this] { ++hook_runs; }, asio::cancellation_type::terminal, awaitify::after_cancel::detach);
      else
        cb.detach_on_cancel();
      held = std::move(cb);
    };
  }
};

BOOST_FIXTURE_TEST_CASE(a_result_after_the_cancellation_is_discarded_and_counted_not_reported, io_fixture)
{
  misuse_recorder recorder(ioc);
  for (const bool with_hook : {true, false})
  {
    detached_call legacy;
    asio::cancellation_signal signal;
    std::optional<error_code> result;
    awaitify::async_call<void(int)>(ioc, legacy.init(with_hook),
        asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int) { result = ec; }));
    signal.emit(asio::cancellation_type::terminal);
    run(); // Completes at once, as complete_now does.
    BOOST_TEST((result == error_code(asio::error::operation_aborted)));
    BOOST_TEST(legacy.hook_runs == (with_hook ? 1 : 0));
    BOOST_TEST(!(*legacy.held)(1)); // The reply, when it comes, is discarded...
    ioc.restart();
  }
  const auto counters = awaitify::get_counters(ioc);
  BOOST_TEST(counters.detached == 2u); // ...and counted as expected,
  BOOST_TEST(counters.late == 0u);     // not as misuse.
  BOOST_TEST(counters.cancelled == 2u);
  BOOST_TEST(recorder.kinds().empty());
}

BOOST_FIXTURE_TEST_CASE(a_result_before_the_cancellation_is_delivered_and_a_second_one_is_a_duplicate, io_fixture)
{
  misuse_recorder recorder(ioc);
  detached_call legacy;
  asio::cancellation_signal signal;
  std::optional<std::pair<error_code, int>> result;
  awaitify::async_call<void(int)>(ioc, legacy.init(true),
      asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int v) { result.emplace(ec, v); }));
  BOOST_TEST((*legacy.held)(5));
  signal.emit(asio::cancellation_type::terminal); // Too late: does nothing.
  BOOST_TEST(!(*legacy.held)(6));
  run();
  BOOST_TEST((result == std::pair<error_code, int>(error_code(), 5)));
  BOOST_TEST(legacy.hook_runs == 0);
  BOOST_TEST(awaitify::get_counters(ioc).detached == 0u);
  BOOST_TEST((recorder.kinds() == std::vector<std::string>{"duplicate"}));
}

BOOST_FIXTURE_TEST_CASE(a_result_after_a_shutdown_is_still_late, io_fixture)
{
  // Detaching is a declaration about cancellation; a context shut down with
  // the request pending is not one.
  detached_call legacy;
  std::optional<misuse_recorder> recorder;
  {
    asio::io_context abandoned;
    recorder.emplace(abandoned);
    awaitify::async_call<void(int)>(abandoned, legacy.init(false), [](error_code, int) {});
  } // Shut down with the request pending.
  BOOST_TEST(!(*legacy.held)(1));
  BOOST_TEST((recorder->kinds() == std::vector<std::string>{"late"}));
}

BOOST_FIXTURE_TEST_CASE(a_c_callback_that_detached_discards_the_late_c_call, io_fixture)
{
  misuse_recorder recorder(ioc);
  worker library;
  using done_fn = void (*)(int status, void* user);
  std::promise<std::pair<done_fn, void*>> handed;
  asio::cancellation_signal signal;
  std::optional<error_code> result;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        cb.detach_on_cancel();
        auto c = awaitify::to_c_callback<done_fn>(std::move(cb));
        handed.set_value({c.function(), c.user_data()});
      },
      asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int) { result = ec; }));
  signal.emit(asio::cancellation_type::terminal);
  run();
  BOOST_TEST((result == error_code(asio::error::operation_aborted)));
  const auto c_call = handed.get_future().get();
  std::promise<void> called;
  library.post([&] {
    c_call.first(0, c_call.second); // The reply arrives after the timeout.
    called.set_value();
  });
  called.get_future().wait();
  BOOST_TEST(awaitify::get_counters(ioc).detached == 1u);
  BOOST_TEST(recorder.kinds().empty());
}

BOOST_AUTO_TEST_SUITE_END() // detach

#if AWAITIFY_TEST_ASIO_VERSION >= 103200
// asio::cancel_after (Asio 1.32, Boost 1.86) reaches every awaitify
// operation. The legacy side never answers, so only the timeout can end each.
BOOST_AUTO_TEST_SUITE(cancel_after)

constexpr std::chrono::milliseconds timeout(1);

BOOST_FIXTURE_TEST_CASE(async_call_runs_the_hook_and_completes_with_operation_aborted, io_fixture)
{
  held_call legacy;
  std::optional<error_code> result;
  awaitify::async_call<void(int)>(ioc, legacy.init(),
      asio::cancel_after(timeout, [&](error_code ec, int) { result = ec; }));
  run();
  BOOST_TEST((result == error_code(asio::error::operation_aborted)));
  BOOST_TEST(legacy.cancels == 1);
}

BOOST_FIXTURE_TEST_CASE(a_coroutine_awaiting_a_wrapped_call_gets_the_timeout, io_fixture)
{
  std::atomic<int> cancels{0};
  std::optional<callback<void(int)>> held;
  auto never_answers = awaitify::wrap<void(int)>(ioc.get_executor(), [&](int, callback<void(int)> cb) {
    cb.on_cancel([&] { ++cancels; });
    held = std::move(cb);
  });
  run_coroutine([&]() -> asio::awaitable<void> {
    auto [ec, v] = co_await never_answers(1, asio::cancel_after(timeout, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST((ec == asio::error::operation_aborted));
  });
  BOOST_TEST(cancels == 1);
}

BOOST_FIXTURE_TEST_CASE(a_stream_wait_times_out_and_the_stream_goes_on, io_fixture)
{
  std::optional<awaitify::sink<void(int)>> producer;
  auto s = awaitify::make_stream<void(int)>(ioc, {}, [&](awaitify::sink<void(int)> sink) { producer = sink; });
  std::optional<error_code> first;
  s.async_next(asio::cancel_after(timeout, [&](error_code ec, int) { first = ec; }));
  run();
  BOOST_TEST((first == error_code(asio::error::operation_aborted)));
  (*producer)(7);
  std::optional<int> second;
  s.async_next([&](error_code, int v) { second = v; });
  run();
  BOOST_TEST(second == 7);
  producer->close();
  producer.reset();
}

BOOST_FIXTURE_TEST_CASE(a_correlator_wait_times_out, io_fixture)
{
  awaitify::correlator<int, void(int), asio::io_context::executor_type> acks(ioc.get_executor());
  std::optional<error_code> result;
  acks.async_wait(1, asio::cancel_after(timeout, [&](error_code ec, int) { result = ec; }));
  run();
  BOOST_TEST((result == error_code(asio::error::operation_aborted)));
}

BOOST_AUTO_TEST_SUITE_END() // cancel_after
#endif

BOOST_AUTO_TEST_SUITE_END()

} // namespace
