// SPDX-License-Identifier: BSL-1.0
//
// Shutdown safety (awaitify/detail/op_registry.hpp): destroying an execution
// context while legacy calls are outstanding, then letting them call back.
//

#include <awaitify/async_call.hpp>
#include <awaitify/diagnostics.hpp>

#include "common/asio.hpp"
#include <awaitify/wrap.hpp>
#include <boost/test/unit_test.hpp>

#include "common/io_fixture.hpp"

#include <atomic>
#include <functional>
#include <utility>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace {

using awaitify::callback;
using awaitify::error_code;

/// Misuse reports, kept apart from any context so they can be read after it
/// is gone.
struct misuse_log
{
  std::atomic<int> late{0};
  std::atomic<int> dropped{0};
  std::atomic<int> duplicate{0};

  awaitify::misuse_handler handler()
  {
    return [this](awaitify::misuse kind, const awaitify::source_location&) {
      switch (kind)
      {
      case awaitify::misuse::late:
        ++late;
        break;
      case awaitify::misuse::dropped:
        ++dropped;
        break;
      case awaitify::misuse::duplicate:
        ++duplicate;
        break;
      }
    };
  }
};

/// Sets a flag when destroyed: lives in a coroutine frame or a handler.
struct destruction_flag
{
  std::shared_ptr<std::atomic<bool>> destroyed = std::make_shared<std::atomic<bool>>(false);
  destruction_flag() = default;
  destruction_flag(const destruction_flag&) = delete;
  ~destruction_flag() { *destroyed = true; }
};

BOOST_AUTO_TEST_SUITE(shutdown)

BOOST_AUTO_TEST_CASE(destroying_the_context_frees_a_suspended_coroutine_and_the_callback_goes_inert)
{
  misuse_log log;
  std::optional<callback<void(int)>> kept;
  std::shared_ptr<std::atomic<bool>> frame_destroyed;
  bool resumed = false;
  {
    asio::io_context ioc;
    awaitify::set_misuse_handler(ioc, log.handler());
    asio::co_spawn(ioc,
        [&]() -> asio::awaitable<void> {
          destruction_flag in_frame;
          frame_destroyed = in_frame.destroyed;
          co_await awaitify::async_call<void(int)>(
              ioc.get_executor(), [&](callback<void(int)> cb) { kept = cb; }, asio::use_awaitable);
          resumed = true;
        },
        asio::detached);
    ioc.run_one(); // Start the coroutine up to its co_await.
    BOOST_TEST_REQUIRE(kept.has_value());
    BOOST_TEST(awaitify::get_counters(ioc).pending == 1u);
  }
  BOOST_TEST(*frame_destroyed);
  BOOST_TEST(!resumed);
  std::thread legacy([&] {
    BOOST_TEST(!(*kept)(1));
    kept.reset();
  });
  legacy.join();
  BOOST_TEST(log.late == 1);
  BOOST_TEST(log.dropped == 0);
}

BOOST_AUTO_TEST_CASE(thousands_of_outstanding_operations_then_callbacks_from_foreign_threads)
{
  constexpr int operations = 4000;
  constexpr int threads = 4;
  misuse_log log;
  std::vector<callback<void(int)>> kept;
  kept.reserve(operations);
  std::atomic<int> handlers_run{0};
  {
    asio::io_context ioc;
    awaitify::set_misuse_handler(ioc, log.handler());
    for (int i = 0; i < operations; ++i)
    {
      auto init = [&](callback<void(int)> cb) { kept.push_back(std::move(cb)); };
      if (i % 2)
        awaitify::async_call<void(int)>(ioc, init, [&](error_code, int) { ++handlers_run; });
      else
        asio::co_spawn(ioc,
            [&, init]() -> asio::awaitable<void> {
              co_await awaitify::async_call<void(int)>(ioc.get_executor(), init, asio::use_awaitable);
              ++handlers_run;
            },
            asio::detached);
    }
    ioc.poll(); // Start the coroutines.
    BOOST_TEST_REQUIRE(kept.size() == std::size_t(operations));
    BOOST_TEST(awaitify::get_counters(ioc).pending == std::uint64_t(operations));
  }
  BOOST_TEST(handlers_run == 0);

  std::latch start(threads);
  std::vector<std::thread> legacy;
  std::atomic<int> accepted{0};
  for (int t = 0; t < threads; ++t)
    legacy.emplace_back([&, t] {
      start.arrive_and_wait();
      for (std::size_t i = std::size_t(t); i < kept.size(); i += threads)
      {
        if (i % 3 != 0 && kept[i](1)) // Every third one is only destroyed.
          ++accepted;
        callback<void(int)> gone = std::move(kept[i]);
      }
    });
  for (auto& t : legacy)
    t.join();
  BOOST_TEST(accepted == 0);
  BOOST_TEST(log.late == operations - (operations + 2) / 3);
  BOOST_TEST(log.dropped == 0);
}

// The registry keeps a list per starting thread: operations started on many
// threads and completed on others must all be unlinked or found at shutdown.
BOOST_AUTO_TEST_CASE(operations_started_on_many_threads_are_all_found_at_shutdown)
{
  constexpr int threads = 8;
  constexpr int per_thread = 300;
  std::vector<std::vector<callback<void(int)>>> kept(threads);
  std::atomic<int> handlers_run{0};
  std::atomic<int> accepted{0};
  {
    asio::io_context ioc;
    std::latch start(threads);
    std::vector<std::thread> starters;
    for (int t = 0; t < threads; ++t)
      starters.emplace_back([&, t] {
        start.arrive_and_wait();
        for (int i = 0; i < per_thread; ++i)
          awaitify::async_call<void(int)>(
              ioc, [&, t](callback<void(int)> cb) { kept[std::size_t(t)].push_back(std::move(cb)); },
              [&](error_code ec, int) { handlers_run += !ec; });
      });
    for (auto& t : starters)
      t.join();

    // Half of them complete on threads that did not start them.
    std::latch complete(threads);
    std::vector<std::thread> completers;
    for (int t = 0; t < threads; ++t)
      completers.emplace_back([&, t] {
        complete.arrive_and_wait();
        auto& theirs = kept[std::size_t((t + 1) % threads)];
        for (std::size_t i = 0; i < theirs.size(); i += 2)
          accepted += theirs[i](1);
      });
    for (auto& t : completers)
      t.join();
    ioc.poll(); // The other half keep run() from returning.
    BOOST_TEST(accepted == threads * per_thread / 2);
    BOOST_TEST(handlers_run == threads * per_thread / 2);
    const awaitify::counters c = awaitify::get_counters(ioc);
    BOOST_TEST(c.completed == std::uint64_t(threads * per_thread / 2));
    BOOST_TEST(c.pending == std::uint64_t(threads * per_thread / 2));
  }
  // The context is gone: every other operation was abandoned with it.
  for (auto& theirs : kept)
    for (std::size_t i = 1; i < theirs.size(); i += 2)
      accepted += theirs[i](1);
  BOOST_TEST(accepted == threads * per_thread / 2);
  BOOST_TEST(handlers_run == threads * per_thread / 2);
}

BOOST_AUTO_TEST_CASE(a_delivered_handler_that_never_ran_is_destroyed_with_the_context)
{
  auto in_handler = std::make_shared<int>(0);
  std::weak_ptr<int> watch = in_handler;
  bool ran = false;
  {
    asio::io_context ioc;
    awaitify::async_call<void(int)>(ioc, [](callback<void(int)> cb) { cb(1); },
        [&ran, in_handler = std::move(in_handler)](error_code, int) { ran = true; });
  }
  BOOST_TEST(!ran);
  BOOST_TEST(watch.expired());
}

BOOST_AUTO_TEST_CASE(shutting_down_the_handler_context_first)
{
  misuse_log log;
  asio::io_context io;
  awaitify::set_misuse_handler(io, log.handler());
  std::optional<callback<void(int)>> kept;
  bool ran = false;
  {
    asio::io_context handler_ctx;
    awaitify::async_call<void(int)>(io, [&](callback<void(int)> cb) { kept = cb; },
        asio::bind_executor(handler_ctx, [&](error_code, int) { ran = true; }));
  }
  BOOST_TEST(!io.stopped()); // The release of its work did not stop the idle io.
  BOOST_TEST(!(*kept)(1));
  kept.reset();
  io.run(); // The operation's work on io was released when it was abandoned.
  BOOST_TEST(io.stopped());
  BOOST_TEST(!ran);
  BOOST_TEST(log.late == 1);
  BOOST_TEST(awaitify::get_counters(io).abandoned == 1u);
  BOOST_TEST(awaitify::get_counters(io).pending == 0u);
}

// The mirror of the above, for each way an executor keeps the work it counts:
// a type-erased one (a coroutine's) in itself, an io_context's in its tracked
// form.
template <typename HandlerExecutor>
void destroy_the_io_context_first_with_the_handler_on_an_idle_context()
{
  asio::io_context handler_ctx;
  std::optional<callback<void(int)>> kept;
  bool ran = false;
  {
    asio::io_context io;
    awaitify::async_call<void(int)>(io, [&](callback<void(int)> cb) { kept = cb; },
        asio::bind_executor(HandlerExecutor(handler_ctx.get_executor()), [&](error_code, int) { ran = true; }));
  }
  BOOST_TEST(!handler_ctx.stopped()); // The release of its work did not stop the idle context.
  BOOST_TEST(!(*kept)(1));
  kept.reset();
  handler_ctx.run(); // The work was carried there, and released.
  BOOST_TEST(handler_ctx.stopped());
  BOOST_TEST(!ran);
}

BOOST_AUTO_TEST_CASE(destroying_the_io_context_first_with_the_handler_on_an_idle_context)
{
  destroy_the_io_context_first_with_the_handler_on_an_idle_context<asio::io_context::executor_type>();
  destroy_the_io_context_first_with_the_handler_on_an_idle_context<asio::any_io_executor>();
}

BOOST_AUTO_TEST_CASE(destroying_the_io_context_first_while_the_completion_waits_in_another)
{
  asio::io_context app;
  std::optional<asio::io_context> legacy_ctx(std::in_place);
  auto add = awaitify::wrap<void(int)>(legacy_ctx->get_executor(),
      [](int a, int b, std::function<void(int)> cb) { std::thread([=] { cb(a + b); }).join(); });
  std::optional<int> result;
  asio::co_spawn(app,
      [&]() -> asio::awaitable<void> { result = co_await add(1, 2, asio::use_awaitable); },
      asio::detached);
  app.poll_one(); // The legacy call completes; its completion is queued on app.
  legacy_ctx.reset();
  app.run();
  BOOST_TEST(result == 3);

  // The same when init completes synchronously (the operation is never registered).
  legacy_ctx.emplace();
  bool ran = false;
  awaitify::async_call<void(int)>(*legacy_ctx, [](callback<void(int)> cb) { cb(1); },
      asio::bind_executor(app, [&](error_code, int) { ran = true; }));
  legacy_ctx.reset();
  app.restart();
  app.run();
  BOOST_TEST(ran);
}

BOOST_AUTO_TEST_CASE(lookups_made_during_shutdown_do_not_outlive_the_context)
{
  // Reads the counters from a destructor that runs while the context shuts
  // down, after its registry has begun shutting down.
  struct reads_counters_when_destroyed
  {
    asio::io_context* ioc;
    explicit reads_counters_when_destroyed(asio::io_context* i) : ioc(i) {}
    reads_counters_when_destroyed(reads_counters_when_destroyed&& o) noexcept : ioc(std::exchange(o.ioc, nullptr)) {}
    ~reads_counters_when_destroyed()
    {
      if (ioc)
        awaitify::get_counters(*ioc);
    }
    void operator()() {}
  };
  std::optional<asio::io_context> ctx(std::in_place);
  awaitify::get_counters(*ctx);
  asio::post(*ctx, reads_counters_when_destroyed(&*ctx));
  ctx.reset();
  ctx.emplace(); // Very likely at the same address.
  BOOST_TEST(awaitify::get_counters(*ctx).started == 0u);
}

BOOST_AUTO_TEST_CASE(two_contexts_of_one_operation_destroyed_at_once_on_two_threads)
{
  constexpr int rounds = 100;
  for (int round = 0; round < rounds; ++round)
  {
    std::vector<callback<void(int)>> kept;
    auto io = std::make_unique<asio::io_context>();
    auto handler_ctx = std::make_unique<asio::io_context>();
    for (int i = 0; i < 32; ++i)
      awaitify::async_call<void(int)>(*io, [&](callback<void(int)> cb) { kept.push_back(cb); },
          asio::bind_executor(*handler_ctx, [](error_code, int) {}));
    std::latch start(2);
    std::thread other([&] {
      start.arrive_and_wait();
      handler_ctx.reset();
    });
    start.arrive_and_wait();
    io.reset();
    other.join();
    for (auto& cb : kept)
      BOOST_TEST(!cb(1));
  }
}

BOOST_AUTO_TEST_CASE(destroying_the_context_as_soon_as_its_last_handler_ran)
{
  // The legacy thread may still be inside the executor, waking the io
  // thread, when the handler has run and run() has returned.
  constexpr int rounds = 300;
  int handled = 0;
  for (int round = 0; round < rounds; ++round)
  {
    std::thread legacy;
    {
      asio::io_context ioc;
      awaitify::async_call<void(int)>(ioc,
          [&](callback<void(int)> cb) { legacy = std::thread([cb] { cb(1); }); },
          [&](error_code, int) { ++handled; });
      ioc.run();
    }
    legacy.join();
  }
  BOOST_TEST(handled == rounds);
}

BOOST_AUTO_TEST_CASE(callbacks_racing_the_destruction_of_their_context)
{
  constexpr int rounds = 200;
  constexpr int per_round = 16;
  for (int round = 0; round < rounds; ++round)
  {
    std::vector<callback<void(int)>> kept;
    std::atomic<int> handlers_run{0};
    std::latch start(2);
    std::thread legacy;
    {
      asio::io_context ioc;
      for (int i = 0; i < per_round; ++i)
        awaitify::async_call<void(int)>(ioc, [&](callback<void(int)> cb) { kept.push_back(cb); },
            [&](error_code, int) { ++handlers_run; });
      legacy = std::thread([&] {
        start.arrive_and_wait();
        for (auto& cb : kept)
          cb(1);
      });
      start.arrive_and_wait();
      // ioc is destroyed now, while the legacy thread invokes callbacks.
    }
    legacy.join();
    BOOST_TEST(handlers_run == 0);
  }
}

/// An SDK-style client object that owns its io_context.
struct client
{
  asio::io_context ioc;
};

BOOST_AUTO_TEST_CASE(destroying_the_handler_context_when_the_abandoned_handler_owns_the_io_context)
{
  std::optional<callback<void(int)>> kept;
  auto owner = std::make_shared<client>();
  asio::io_context& io = owner->ioc;
  {
    asio::io_context other;
    auto handler = [owned = std::move(owner)](error_code, int) {};
    awaitify::async_call<void(int)>(io, [&](callback<void(int)> cb) { kept = cb; },
        asio::bind_executor(other, std::move(handler)));
  } // Hung: destroying the handler destroyed the I/O context, which waited for this one.
  BOOST_TEST(!(*kept)(1));
}

BOOST_AUTO_TEST_CASE(destroying_the_io_context_when_the_abandoned_handler_owns_the_handler_context)
{
  std::optional<callback<void(int)>> kept;
  auto owner = std::make_shared<client>();
  asio::io_context& other = owner->ioc;
  {
    asio::io_context io;
    auto handler = [owned = std::move(owner)](error_code, int) {};
    awaitify::async_call<void(int)>(io, [&](callback<void(int)> cb) { kept = cb; },
        asio::bind_executor(other, std::move(handler)));
  } // Hung the other way round.
  BOOST_TEST(!(*kept)(1));
}

BOOST_AUTO_TEST_CASE(a_handler_that_owns_the_other_context_among_operations_waiting_to_be_destroyed)
{
  // The owner is the second of three operations, so whichever order the
  // shutdown destroys them in, another one spanning both contexts is still
  // waiting for it when the other context goes.
  std::vector<callback<void(int)>> kept;
  auto witnesses = std::make_shared<int>(0);
  auto owner = std::make_shared<client>();
  asio::io_context& other = owner->ioc;
  {
    asio::io_context io;
    auto keep = [&](callback<void(int)> cb) { kept.push_back(cb); };
    awaitify::async_call<void(int)>(io, keep, asio::bind_executor(other, [w = witnesses](error_code, int) {}));
    auto owning = [owned = std::move(owner), w = witnesses](error_code, int) {};
    awaitify::async_call<void(int)>(io, keep, asio::bind_executor(other, std::move(owning)));
    awaitify::async_call<void(int)>(io, keep, asio::bind_executor(other, [w = witnesses](error_code, int) {}));
  }
  BOOST_TEST(witnesses.use_count() == 1); // Every handler was destroyed.
  for (auto& cb : kept)
    BOOST_TEST(!cb(1));
}

BOOST_AUTO_TEST_CASE(the_io_context_destroyed_before_and_after_a_completion_for_a_strand_elsewhere_is_delivered)
{
  // Abandoned, or delivered to the I/O context and destroyed with it: either
  // way the handler goes with the I/O context, and the work it held on the
  // strand's idle context is released there, not by stopping it.
  for (const bool delivered_first : {false, true})
  {
    asio::io_context other;
    asio::io_context::strand strand(other);
    std::optional<callback<void(int)>> kept;
    bool ran = false;
    auto witness = std::make_shared<int>(0);
    {
      asio::io_context io;
      awaitify::async_call<void(int)>(io, [&](callback<void(int)> cb) { kept = cb; },
          asio::bind_executor(strand, [&ran, w = witness](error_code, int) { ran = true; }));
      if (delivered_first)
        BOOST_TEST((*kept)(1));
    }
    BOOST_TEST(witness.use_count() == 1);
    BOOST_TEST(!other.stopped());
    BOOST_TEST(!(*kept)(2));
    kept.reset();
    other.run();
    BOOST_TEST(!ran);
    BOOST_TEST(other.stopped());
  }
}

BOOST_AUTO_TEST_CASE(a_delivered_completion_destroyed_with_the_io_context_when_its_handler_owns_the_strands_context)
{
  // An io_context::strand cannot be posted to directly: the completion goes
  // through the I/O context, registered with the strand's context as well.
  // Delivered but never run, it is destroyed by the I/O context's shutdown,
  // and destroying its handler destroys the strand's context, whose shutdown
  // leaves a delivered operation to the executor it went to.
  std::optional<callback<void(int)>> kept;
  auto witness = std::make_shared<int>(0);
  auto owner = std::make_shared<client>();
  asio::io_context::strand strand(owner->ioc);
  {
    asio::io_context io;
    auto owning = [owned = std::move(owner), w = witness](error_code, int) {};
    awaitify::async_call<void(int)>(io, [&](callback<void(int)> cb) { kept = cb; },
        asio::bind_executor(strand, std::move(owning)));
    BOOST_TEST((*kept)(1)); // Delivered to the I/O context, which never runs it.
  } // Unlinked the operation from the strand's context after that context was gone.
  BOOST_TEST(witness.use_count() == 1);
  BOOST_TEST(!(*kept)(1));
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
