// SPDX-License-Identifier: BSL-1.0
//
// Tests for awaitify/callback.hpp: exactly one delivery, drop detection,
// copies that outlive their operation, cancellation hooks.
//

#include <awaitify/async_call.hpp>
#include <awaitify/callback.hpp>
#include <awaitify/diagnostics.hpp>
#include <awaitify/error.hpp>

#include "common/asio.hpp"
#include <boost/test/unit_test.hpp>

#include "common/hidden_visibility_library.hpp"
#include "common/io_fixture.hpp"
#include "common/worker.hpp"

#include <atomic>
#include <exception>
#include <stdexcept>
#include <functional>
#include <latch>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace {

using awaitify_test::io_fixture;
using awaitify::error_code;

struct outcome
{
  int calls = 0;
  error_code ec;
  int value = -1;
};

auto record(outcome& o)
{
  return [&o](error_code ec, int value) {
    ++o.calls;
    o.ec = ec;
    o.value = value;
  };
}

BOOST_AUTO_TEST_SUITE(callback)

BOOST_FIXTURE_TEST_CASE(first_invocation_delivers_later_ones_return_false, io_fixture)
{
  std::optional<awaitify::callback<void(int)>> kept;
  outcome o;
  awaitify::async_call<void(int)>(ioc, [&](awaitify::callback<void(int)> cb) { kept = cb; }, record(o));

  BOOST_TEST((*kept)(1));
  BOOST_TEST(!(*kept)(2));
  awaitify::callback<void(int)> copy = *kept;
  BOOST_TEST(!copy(3));
  run();

  BOOST_TEST(o.calls == 1);
  BOOST_TEST(!o.ec);
  BOOST_TEST(o.value == 1);
  BOOST_TEST(awaitify::get_counters(ioc).duplicate == 2u);
  BOOST_TEST(awaitify::get_counters(ioc).completed == 1u);
}

BOOST_FIXTURE_TEST_CASE(moved_from_callback_does_nothing, io_fixture)
{
  std::optional<awaitify::callback<void(int)>> kept;
  outcome o;
  awaitify::async_call<void(int)>(ioc, [&](awaitify::callback<void(int)> cb) { kept = std::move(cb); }, record(o));

  awaitify::callback<void(int)> taken = std::move(*kept);
  BOOST_TEST(!*kept);
  BOOST_TEST(!(*kept)(7));
  BOOST_TEST(static_cast<bool>(taken));
  BOOST_TEST(taken(8));
  run();
  BOOST_TEST(o.value == 8);
}

BOOST_FIXTURE_TEST_CASE(copies_racing_on_many_threads_deliver_exactly_once, io_fixture)
{
  constexpr int rounds = 200;
  constexpr int threads = 4;
  int handled = 0;
  std::atomic<int> winners{0};
  for (int round = 0; round < rounds; ++round)
  {
    std::vector<std::thread> racers;
    std::latch start(threads);
    awaitify::async_call<void(int)>(ioc,
        [&](awaitify::callback<void(int)> cb) {
          for (int t = 0; t < threads; ++t)
            racers.emplace_back([&, cb, t] {
              start.arrive_and_wait();
              if (cb(t))
                ++winners;
            });
        },
        [&](error_code ec, int value) {
          BOOST_TEST(!ec);
          BOOST_TEST((value >= 0 && value < threads));
          ++handled;
        });
    for (auto& t : racers)
      t.join();
  }
  run();
  BOOST_TEST(handled == rounds);
  BOOST_TEST(winners.load() == rounds);
  BOOST_TEST(awaitify::get_counters(ioc).duplicate == std::uint64_t(rounds * (threads - 1)));
}

BOOST_FIXTURE_TEST_CASE(destroying_the_last_copy_completes_with_callback_dropped, io_fixture)
{
  std::optional<awaitify::callback<void(int)>> kept;
  outcome o;
  awaitify::async_call<void(int)>(ioc, [&](awaitify::callback<void(int)> cb) { kept = cb; }, record(o));
  auto second = *kept;
  kept.reset();
  ioc.poll();
  BOOST_TEST(o.calls == 0); // One copy is still alive.
  {
    auto gone = std::move(second);
  }
  run();
  BOOST_TEST(o.calls == 1);
  BOOST_TEST((o.ec == awaitify::error::callback_dropped));
  BOOST_TEST(o.value == 0);
  BOOST_TEST(awaitify::get_counters(ioc).dropped == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_drop_on_a_foreign_thread_completes_the_operation, io_fixture)
{
  outcome o;
  {
    awaitify_test::worker legacy;
    awaitify::async_call<void(int)>(ioc,
        [&](awaitify::callback<void(int)> cb) { legacy.post([cb] { /* loses it */ }); },
        record(o));
  }
  run();
  BOOST_TEST(o.calls == 1);
  BOOST_TEST((o.ec == awaitify::error::callback_dropped));
}

BOOST_FIXTURE_TEST_CASE(fail_completes_with_an_error_once, io_fixture)
{
  std::optional<awaitify::callback<void(int)>> kept;
  outcome o;
  awaitify::async_call<void(int)>(ioc, [&](awaitify::callback<void(int)> cb) { kept = cb; }, record(o));
  BOOST_TEST(kept->fail(asio::error::host_not_found));
  BOOST_TEST(!kept->fail(asio::error::timed_out));
  BOOST_TEST(!(*kept)(1));
  run();
  BOOST_TEST(o.calls == 1);
  BOOST_TEST((o.ec == asio::error::host_not_found));
  BOOST_TEST(o.value == 0);
  BOOST_TEST(awaitify::get_counters(ioc).duplicate == 2u);
}

BOOST_FIXTURE_TEST_CASE(fail_with_an_exception_for_exception_first_signatures, io_fixture)
{
  std::exception_ptr received;
  awaitify::async_call<void(std::exception_ptr, int)>(ioc,
      [](awaitify::callback<void(std::exception_ptr, int)> cb) {
        BOOST_TEST(cb.fail(std::make_exception_ptr(std::logic_error("sdk"))));
      },
      [&](std::exception_ptr e, int) { received = e; });
  run();
  BOOST_CHECK_THROW(std::rethrow_exception(received), std::logic_error);
}

BOOST_FIXTURE_TEST_CASE(converts_to_std_function, io_fixture)
{
  std::function<void(int)> legacy_callback;
  outcome o;
  awaitify::async_call<void(int)>(ioc, [&](awaitify::callback<void(int)> cb) { legacy_callback = cb; }, record(o));
  legacy_callback(41);
  legacy_callback(42);
  legacy_callback = nullptr;
  run();
  BOOST_TEST(o.calls == 1);
  BOOST_TEST(o.value == 41);
}

BOOST_AUTO_TEST_CASE(copies_stay_usable_after_the_context_is_destroyed)
{
  std::optional<awaitify::callback<void(int)>> kept;
  outcome o;
  {
    asio::io_context ioc;
    awaitify::async_call<void(int)>(ioc, [&](awaitify::callback<void(int)> cb) { kept = cb; }, record(o));
    BOOST_TEST((*kept)(1));
    ioc.run();
  }
  BOOST_TEST(o.calls == 1);
  auto copy = *kept;
  BOOST_TEST(!copy(2));
  BOOST_TEST(!(*kept)(3));
  kept.reset();
}

// The operation's counters belong to its I/O context: a copy that counts a
// duplicate after that context is gone, its completion still waiting in the
// handler's context, counts in them all the same.
BOOST_AUTO_TEST_CASE(copies_stay_usable_after_the_io_context_is_destroyed_with_the_handler_waiting_elsewhere)
{
  std::optional<awaitify::callback<void(int)>> kept;
  outcome o;
  asio::io_context app;
  {
    asio::io_context io;
    awaitify::async_call<void(int)>(
        io, [&](awaitify::callback<void(int)> cb) { kept = cb; }, asio::bind_executor(app, record(o)));
    BOOST_TEST((*kept)(1));
  }
  BOOST_TEST(!(*kept)(2));
  app.run();
  BOOST_TEST(o.calls == 1);
  BOOST_TEST(o.value == 1);
  BOOST_TEST(!(*kept)(3));
  kept.reset();
}

BOOST_AUTO_TEST_SUITE(on_cancel)

struct cancellable : io_fixture
{
  asio::cancellation_signal signal;
  std::optional<awaitify::callback<void(int)>> kept;
  outcome o;
  std::vector<int> hooks_run;

  void start(asio::cancellation_type_t declared = asio::cancellation_type::terminal)
  {
    awaitify::async_call<void(int)>(ioc,
        [&, declared](awaitify::callback<void(int)> cb) {
          cb.on_cancel([this] { hooks_run.push_back(1); }, declared);
          cb.on_cancel([this] { hooks_run.push_back(2); }, declared);
          kept = cb;
        },
        asio::bind_cancellation_slot(signal.slot(), record(o)));
  }
};

BOOST_FIXTURE_TEST_CASE(hooks_run_once_in_order_when_cancellation_wins, cancellable)
{
  start();
  signal.emit(asio::cancellation_type::terminal);
  BOOST_TEST((hooks_run == std::vector<int>{1, 2}));
  signal.emit(asio::cancellation_type::terminal);
  BOOST_TEST(!(*kept)(5));
  run();
  BOOST_TEST((hooks_run == std::vector<int>{1, 2}));
  BOOST_TEST(o.calls == 1);
  BOOST_TEST((o.ec == asio::error::operation_aborted));
  BOOST_TEST(awaitify::get_counters(ioc).late == 1u);
  BOOST_TEST(awaitify::get_counters(ioc).cancelled == 1u);
}

BOOST_FIXTURE_TEST_CASE(hooks_never_run_after_a_result_was_delivered, cancellable)
{
  start();
  BOOST_TEST((*kept)(5));
  signal.emit(asio::cancellation_type::terminal); // Before the handler ran.
  bool late_hook_ran = false;
  kept->on_cancel([&] { late_hook_ran = true; });
  run();
  BOOST_TEST(hooks_run.empty());
  BOOST_TEST(!late_hook_ran);
  BOOST_TEST(o.calls == 1);
  BOOST_TEST(!o.ec);
  BOOST_TEST(o.value == 5);
}

BOOST_FIXTURE_TEST_CASE(a_hook_registered_after_cancellation_runs_at_once, cancellable)
{
  start();
  signal.emit(asio::cancellation_type::terminal);
  std::thread::id ran_on;
  kept->on_cancel([&] { ran_on = std::this_thread::get_id(); });
  BOOST_TEST((ran_on == std::this_thread::get_id()));
  run();
}

BOOST_FIXTURE_TEST_CASE(partial_and_total_are_ignored_unless_declared, cancellable)
{
  start();
  signal.emit(asio::cancellation_type::partial);
  signal.emit(asio::cancellation_type::total);
  BOOST_TEST(hooks_run.empty());
  BOOST_TEST((*kept)(9));
  run();
  BOOST_TEST(o.value == 9);
  BOOST_TEST(!o.ec);
}

BOOST_FIXTURE_TEST_CASE(partial_is_honoured_when_a_hook_declares_it, cancellable)
{
  start(asio::cancellation_type::partial);
  signal.emit(asio::cancellation_type::total);
  BOOST_TEST(hooks_run.empty()); // Declared partial only.
  signal.emit(asio::cancellation_type::partial);
  BOOST_TEST((hooks_run == std::vector<int>{1, 2}));
  run();
  BOOST_TEST((o.ec == asio::error::operation_aborted));
}

BOOST_FIXTURE_TEST_CASE(a_hook_that_honours_total_also_honours_partial, cancellable)
{
  start(asio::cancellation_type::total);
  signal.emit(asio::cancellation_type::partial);
  BOOST_TEST((hooks_run == std::vector<int>{1, 2}));
  run();
  BOOST_TEST((o.ec == asio::error::operation_aborted));
}

BOOST_FIXTURE_TEST_CASE(hooks_are_freed_when_the_operation_ends, io_fixture)
{
  auto resource = std::make_shared<int>(0);
  std::weak_ptr<int> watch = resource;
  std::optional<awaitify::callback<void(int)>> kept;
  awaitify::async_call<void(int)>(ioc,
      [&](awaitify::callback<void(int)> cb) {
        cb.on_cancel([resource = std::move(resource)] { ++*resource; });
        kept = cb;
      },
      [](error_code, int) {});
  (*kept)(1);
  run();
  BOOST_TEST(watch.expired()); // Although a callback copy is still alive.
  bool ran = false;
  kept->on_cancel([&] { ran = true; });
  BOOST_TEST(!ran);
}

/// A legacy library's in-flight transfer that holds the callback.
struct transfer
{
  explicit transfer(awaitify::callback<void(int)> c) : cb(std::move(c)) {}
  awaitify::callback<void(int)> cb;
};

BOOST_FIXTURE_TEST_CASE(a_hook_holding_a_weak_ptr_lets_a_lost_callback_be_reported, io_fixture)
{
  std::optional<error_code> result;
  std::shared_ptr<transfer> library_holds;
  awaitify::async_call<void(int)>(ioc,
      [&](awaitify::callback<void(int)> cb) {
        auto t = std::make_shared<transfer>(std::move(cb));
        t->cb.on_cancel([weak = std::weak_ptr<transfer>(t)] {
          if (auto locked = weak.lock())
            locked->cb(0);
        });
        library_holds = std::move(t);
      },
      [&](error_code ec, int) { result = ec; });
  library_holds.reset(); // The library loses the transfer.
  run();
  BOOST_TEST((result == error_code(awaitify::error::callback_dropped)));
}

BOOST_AUTO_TEST_CASE(a_hook_that_owns_the_callback_indirectly_is_freed_at_shutdown)
{
  // The cycle transfer -> callback -> operation -> hook -> transfer hides
  // the drop while the context lives; abandoning the operation frees the
  // hook and with it the cycle (LeakSanitizer checks this under asan).
  std::weak_ptr<transfer> watch;
  {
    asio::io_context ioc;
    awaitify::async_call<void(int)>(ioc,
        [&](awaitify::callback<void(int)> cb) {
          auto t = std::make_shared<transfer>(std::move(cb));
          t->cb.on_cancel([t] { t->cb(0); });
          watch = t;
        },
        [](error_code, int) {});
    ioc.poll();
    BOOST_TEST(!watch.expired());
    BOOST_TEST(awaitify::get_counters(ioc).pending == 1u); // No drop is reported.
  }
  BOOST_TEST(watch.expired());
}

// A shared library built with hidden visibility has its own copy of the
// inline code that registers hooks: it must recognise the state the
// program's copy left (here: cancellation has already won).
BOOST_FIXTURE_TEST_CASE(a_hook_registered_in_a_hidden_visibility_library, io_fixture)
{
  for (const bool cancelled_first : {true, false})
  {
    std::optional<awaitify::callback<void(int)>> held;
    asio::cancellation_signal signal;
    std::optional<error_code> result;
    int hooks = 0;
    awaitify::async_call<void(int)>(ioc, [&](awaitify::callback<void(int)> cb) { held = std::move(cb); },
        asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int) { result = ec; }));
    if (cancelled_first)
      signal.emit(asio::cancellation_type::terminal);
    awaitify_test::on_cancel_from_hidden_library(*held, [&hooks] { ++hooks; });
    BOOST_TEST(hooks == (cancelled_first ? 1 : 0)); // Cancellation had won: it runs at once.
    if (!cancelled_first)
      signal.emit(asio::cancellation_type::terminal);
    BOOST_TEST(hooks == 1);
    held.reset();
    run();
    BOOST_TEST((result == error_code(asio::error::operation_aborted)));
  }
}

BOOST_AUTO_TEST_SUITE_END() // on_cancel

BOOST_AUTO_TEST_SUITE_END() // callback

} // namespace
