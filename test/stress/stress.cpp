// SPDX-License-Identifier: BSL-1.0
//
// Stress: many operations through a multi-threaded io_context and several
// legacy threads, with random completion order, cancellation, drops,
// duplicate and synchronous invocations. Every handler must run exactly once
// with the outcome its plan allows, and the counters must add up.
//

#include <awaitify/async_call.hpp>
#include <awaitify/diagnostics.hpp>

#include "common/asio.hpp"
#include <boost/test/unit_test.hpp>

#include "common/worker.hpp"

#include <array>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <vector>

namespace {

using awaitify::callback;
using awaitify::error_code;

enum class plan
{
  foreign_result,   // a legacy thread delivers
  inline_result,    // init delivers before returning
  foreign_drop,     // a legacy thread loses the callback
  inline_drop,      // init never passes the callback on
  duplicate,        // a legacy thread delivers twice
  cancel,           // cancellation wins; the hook makes the legacy thread call back late
  cancel_race,      // cancellation and a foreign result race
  plan_count
};

struct op_record
{
  plan p = plan::foreign_result;
  std::atomic<int> handler_runs{0};
  error_code ec;
  int value = -1;
  std::atomic<bool> delivered{false}; // some invocation returned true
  std::atomic<int> refused{0};        // invocations that returned false
  std::unique_ptr<asio::cancellation_signal> signal;
  std::optional<callback<void(int)>> held; // the legacy side's copy, for plan::cancel
};

unsigned seed_from_environment()
{
  if (const char* s = std::getenv("AWAITIFY_STRESS_SEED"))
    return static_cast<unsigned>(std::strtoul(s, nullptr, 10));
  return std::random_device()();
}

BOOST_AUTO_TEST_SUITE(stress)

BOOST_AUTO_TEST_CASE(random_outcomes_across_threads)
{
  constexpr int operations = 100'000;
  constexpr int io_threads = 2;
  constexpr int legacy_threads = 3;
  const unsigned seed = seed_from_environment();
  BOOST_TEST_MESSAGE("stress seed " << seed << " (AWAITIFY_STRESS_SEED reproduces it)");

  std::vector<op_record> records(operations);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> pick(0, static_cast<int>(plan::plan_count) - 1);
  for (auto& r : records)
  {
    r.p = static_cast<plan>(pick(rng));
    r.signal = std::make_unique<asio::cancellation_signal>();
  }

  asio::io_context ioc(io_threads);
  std::optional<std::array<awaitify_test::worker, legacy_threads>> legacy(std::in_place);
  auto legacy_thread = [&](int i) -> awaitify_test::worker& { return (*legacy)[std::size_t(i % legacy_threads)]; };

  auto invoke = [](op_record& r, const callback<void(int)>& cb, int value) {
    if (cb(value))
      r.delivered = true;
    else
      ++r.refused;
  };

  for (int i = 0; i < operations; ++i)
  {
    op_record& r = records[std::size_t(i)];
    auto strand = asio::make_strand(ioc);
    auto init = [&, i](callback<void(int)> cb) {
      switch (r.p)
      {
      case plan::foreign_result:
      case plan::cancel_race:
        legacy_thread(i).post([&r, cb, i, &invoke] { invoke(r, cb, i); });
        break;
      case plan::inline_result:
        invoke(r, cb, i);
        break;
      case plan::foreign_drop:
        legacy_thread(i).post([cb] {});
        break;
      case plan::inline_drop:
        break;
      case plan::duplicate:
        legacy_thread(i).post([&r, cb, i, &invoke] {
          invoke(r, cb, i);
          invoke(r, cb, i + 1);
        });
        break;
      case plan::cancel:
        // Like an SDK whose cancel function makes it call back, late.
        r.held = cb;
        cb.on_cancel([&, i] {
          legacy_thread(i).post([&r, cb = std::move(*r.held), i, &invoke] { invoke(r, cb, i); });
        });
        break;
      case plan::plan_count:
        break;
      }
    };
    auto handler = [&r](error_code ec, int value) {
      r.ec = ec;
      r.value = value;
      ++r.handler_runs;
    };
    // Started from the io threads; the handler and the cancellation signal
    // share a strand, as Asio's cancellation rules require.
    asio::post(ioc, [&ioc, &r, strand, init, handler] {
      awaitify::async_call<void(int)>(ioc, init,
          asio::bind_executor(strand, asio::bind_cancellation_slot(r.signal->slot(), handler)));
      if (r.p == plan::cancel || r.p == plan::cancel_race)
        asio::post(strand, [&r] { r.signal->emit(asio::cancellation_type::terminal); });
    });
  }

  std::vector<std::thread> runners;
  for (int t = 0; t < io_threads; ++t)
    runners.emplace_back([&] { ioc.run(); });
  for (auto& t : runners)
    t.join();
  legacy.reset(); // Late and duplicate invocations may still be queued.

  std::uint64_t completed = 0, cancelled = 0, dropped = 0, duplicate = 0, late = 0;
  int wrong = 0;
  for (int i = 0; i < operations; ++i)
  {
    op_record& r = records[std::size_t(i)];
    bool ok = r.handler_runs == 1;
    switch (r.p)
    {
    case plan::foreign_result:
    case plan::inline_result:
      ok = ok && !r.ec && r.value == i && r.delivered && r.refused == 0;
      ++completed;
      break;
    case plan::foreign_drop:
    case plan::inline_drop:
      ok = ok && r.ec == awaitify::error::callback_dropped;
      ++dropped;
      break;
    case plan::duplicate:
      ok = ok && !r.ec && r.value == i && r.delivered && r.refused == 1;
      ++completed;
      ++duplicate;
      break;
    case plan::cancel:
      ok = ok && r.ec == asio::error::operation_aborted && !r.delivered && r.refused == 1;
      ++cancelled;
      ++late;
      break;
    case plan::cancel_race:
      if (r.delivered)
      {
        ok = ok && !r.ec && r.value == i && r.refused == 0;
        ++completed;
      }
      else
      {
        ok = ok && r.ec == asio::error::operation_aborted && r.refused == 1;
        ++cancelled;
        ++late;
      }
      break;
    case plan::plan_count:
      ok = false;
      break;
    }
    if (!ok && ++wrong <= 10)
      BOOST_ERROR("operation " << i << " (plan " << int(r.p) << ") ended wrongly: runs "
                                << r.handler_runs << ", " << r.ec.message() << ", value " << r.value);
  }
  BOOST_TEST(wrong == 0);

  const awaitify::counters c = awaitify::get_counters(ioc);
  BOOST_TEST(c.started == std::uint64_t(operations));
  BOOST_TEST(c.pending == 0u);
  BOOST_TEST(c.completed == completed);
  BOOST_TEST(c.cancelled == cancelled);
  BOOST_TEST(c.dropped == dropped);
  BOOST_TEST(c.failed == 0u);
  BOOST_TEST(c.abandoned == 0u);
  BOOST_TEST(c.duplicate == duplicate);
  BOOST_TEST(c.late == late);
}

// The library calls back on its own thread as the initiating function returns,
// for a handler of another context: the thread that posts must see what the
// initiator wrote (its registry links), and a wait-mode hook that the library
// answers from its own thread still returns before the handler runs.
BOOST_AUTO_TEST_CASE(foreign_callbacks_racing_the_initiator_and_the_hooks)
{
  constexpr int operations = 20'000;
  asio::io_context io;
  asio::io_context app;
  std::optional<awaitify_test::worker> library(std::in_place);
  std::atomic<int> handlers{0};
  std::atomic<int> handlers_before_their_hook_returned{0};
  auto keep_app_running = asio::make_work_guard(app);
  std::thread app_thread([&] { app.run(); });
  std::vector<std::unique_ptr<asio::cancellation_signal>> signals;
  std::vector<std::unique_ptr<std::atomic<bool>>> hook_returned;
  for (int i = 0; i < operations; ++i)
  {
    signals.push_back(std::make_unique<asio::cancellation_signal>());
    hook_returned.push_back(std::make_unique<std::atomic<bool>>(i % 2 == 0));
  }
  for (int i = 0; i < operations; ++i)
  {
    std::atomic<bool>& returned = *hook_returned[std::size_t(i)];
    auto init = [&library, &returned, i](callback<void(int)> cb) {
      if (i % 2 == 0)
      {
        library->post([cb, i] { cb(i); });
        return;
      }
      cb.on_cancel(
          [&library, &returned, cb] {
            library->post([cb] { cb.fail(asio::error::operation_aborted); });
            returned = true;
          },
          asio::cancellation_type::terminal, awaitify::after_cancel::wait_for_callback);
    };
    awaitify::async_call<void(int)>(io, init,
        asio::bind_executor(app, asio::bind_cancellation_slot(signals[std::size_t(i)]->slot(),
                                     [&handlers, &handlers_before_their_hook_returned, &returned](error_code, int) {
                                       if (!returned)
                                         ++handlers_before_their_hook_returned;
                                       ++handlers;
                                     })));
    if (i % 2 == 1)
      signals[std::size_t(i)]->emit(asio::cancellation_type::terminal);
  }
  library.reset(); // Every callback has been made.
  keep_app_running.reset();
  app_thread.join();
  BOOST_TEST(handlers == operations);
  BOOST_TEST(handlers_before_their_hook_returned == 0);
  io.run(); // The work released on io's own thread.
  BOOST_TEST(awaitify::get_counters(io).pending == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
