// SPDX-License-Identifier: BSL-1.0
//
// Tests for awaitify/on.hpp: inits, hooks, subscriptions and teardowns of a
// thread-bound library run on that library's executor.
//

#include <awaitify/async_call.hpp>
#include <awaitify/on.hpp>
#include <awaitify/stream.hpp>
#include <awaitify/wrap.hpp>

#include "common/asio.hpp"
#include <boost/test/unit_test.hpp>

#include "common/io_fixture.hpp"

#include <future>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace {

using awaitify::callback;
using awaitify_test::io_fixture;
using awaitify::error_code;

/// The library's own thread: an io_context that one thread runs until the
/// object is destroyed.
class library_thread
{
public:
  library_thread() : thread_([this] { context.run(); }) {}

  library_thread(const library_thread&) = delete;
  library_thread& operator=(const library_thread&) = delete;

  ~library_thread()
  {
    work_.reset();
    thread_.join();
  }

  std::thread::id id() const noexcept { return thread_.get_id(); }

  /// Returns once everything posted to the library before has run.
  void drain()
  {
    std::promise<void> done;
    asio::post(context, [&done] { done.set_value(); });
    done.get_future().wait();
  }

  asio::io_context context;

private:
  asio::executor_work_guard<asio::io_context::executor_type> work_{context.get_executor()};
  std::thread thread_;
};

BOOST_AUTO_TEST_SUITE(on)

BOOST_FIXTURE_TEST_CASE(init_runs_on_the_library_executor_and_the_handler_on_its_own, io_fixture)
{
  library_thread library;
  std::optional<std::thread::id> init_thread, handler_thread;
  awaitify::async_call<void(int)>(ioc,
      awaitify::on(library.context.get_executor(),
          [&](callback<void(int)> cb) {
            init_thread = std::this_thread::get_id();
            cb(7);
          }),
      [&](error_code ec, int v) {
        BOOST_TEST(!ec);
        BOOST_TEST(v == 7);
        handler_thread = std::this_thread::get_id();
      });
  run();
  BOOST_TEST((init_thread == library.id()));
  BOOST_TEST((handler_thread == std::this_thread::get_id()));
}

BOOST_FIXTURE_TEST_CASE(init_runs_inline_when_already_on_the_library_executor, io_fixture)
{
  // The library executor is the handler's own: the init runs inside the
  // initiating function, and the handler still does not.
  bool init_ran_inline = false;
  bool handler_ran = false;
  bool initiating = false;
  asio::post(ioc, [&] {
    initiating = true;
    awaitify::async_call<void()>(ioc,
        awaitify::on(ioc.get_executor(),
            [&](callback<void()> cb) {
              init_ran_inline = initiating;
              cb();
            }),
        [&](error_code) { handler_ran = !initiating; });
    initiating = false;
  });
  run();
  BOOST_TEST(init_ran_inline);
  BOOST_TEST(handler_ran);
}

BOOST_FIXTURE_TEST_CASE(a_cancellation_while_init_is_queued_completes_without_running_it, io_fixture)
{
  asio::io_context library; // Not running yet: the init stays queued.
  bool init_ran = false;
  asio::cancellation_signal signal;
  std::optional<error_code> result;
  awaitify::async_call<void(int)>(ioc,
      awaitify::on(library.get_executor(), [&](callback<void(int)> cb) {
        init_ran = true;
        cb(1);
      }),
      asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int) { result = ec; }));
  signal.emit(asio::cancellation_type::terminal);
  run();
  BOOST_TEST((result == error_code(asio::error::operation_aborted)));
  library.run(); // The queued init finds its operation decided.
  BOOST_TEST(!init_ran);

  // Control: without the cancellation, the same queued init runs.
  library.restart();
  std::optional<int> value;
  awaitify::async_call<void(int)>(ioc,
      awaitify::on(library.get_executor(), [&](callback<void(int)> cb) {
        init_ran = true;
        cb(2);
      }),
      [&](error_code, int v) { value = v; });
  library.run();
  run();
  BOOST_TEST(init_ran);
  BOOST_TEST((value == 2));
}

BOOST_FIXTURE_TEST_CASE(hooks_the_init_registered_run_on_the_library_executor, io_fixture)
{
  library_thread library;
  std::promise<void> registered;
  std::optional<std::thread::id> hook_thread;
  asio::cancellation_signal signal;
  std::optional<std::pair<error_code, int>> result;
  awaitify::async_call<void(int)>(ioc,
      awaitify::on(library.context.get_executor(),
          [&](callback<void(int)> cb) {
            // The library reports its own cancellation from its cancel call.
            cb.on_cancel(
                [&hook_thread, cb] {
                  hook_thread = std::this_thread::get_id();
                  cb(-1);
                },
                asio::cancellation_type::terminal, awaitify::after_cancel::wait_for_callback);
            registered.set_value();
          }),
      asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int v) { result.emplace(ec, v); }));
  registered.get_future().wait();
  signal.emit(asio::cancellation_type::terminal); // On this thread, not the library's.
  run();
  BOOST_TEST((hook_thread == library.id()));
  BOOST_TEST((result == std::pair<error_code, int>(error_code(), -1)));
}

BOOST_FIXTURE_TEST_CASE(a_waiting_hook_registered_after_the_cancellation_won_still_runs, io_fixture)
{
  // The cancellation completes the operation while init runs on the library
  // thread; the hook init registers next must still stop the library.
  library_thread library;
  asio::cancellation_signal signal;
  std::promise<void> init_started, cancelled;
  bool hook_ran = false;
  std::optional<error_code> result;
  awaitify::async_call<void(int)>(ioc,
      awaitify::on(library.context.get_executor(),
          [&](callback<void(int)> cb) {
            init_started.set_value();
            cancelled.get_future().wait();
            cb.on_cancel([&hook_ran] { hook_ran = true; }, asio::cancellation_type::terminal,
                awaitify::after_cancel::wait_for_callback);
          }),
      asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int) { result = ec; }));
  init_started.get_future().wait();
  signal.emit(asio::cancellation_type::terminal);
  cancelled.set_value();
  run();
  library.drain();
  BOOST_TEST((result == error_code(asio::error::operation_aborted)));
  BOOST_TEST(hook_ran); // Skipped before: its operation had ended.
}

BOOST_FIXTURE_TEST_CASE(a_queued_hook_does_not_run_once_the_library_has_answered, io_fixture)
{
  for (const bool library_answers_first : {true, false})
  {
    asio::io_context library; // Run by hand: the library's thread.
    std::optional<callback<void(int)>> held;
    bool hook_ran = false;
    asio::cancellation_signal signal;
    awaitify::async_call<void(int)>(ioc,
        awaitify::on(library.get_executor(),
            [&](callback<void(int)> cb) {
              cb.on_cancel([&hook_ran] { hook_ran = true; }); // Would release what the answer freed.
              held = std::move(cb);
            }),
        asio::bind_cancellation_slot(signal.slot(), [](error_code, int) {}));
    library.run(); // init
    library.restart();
    signal.emit(asio::cancellation_type::terminal); // Not on the library's thread: the hook is queued.
    if (library_answers_first)
      BOOST_TEST(!(*held)(1)); // The library answers before the queued hook runs.
    library.run();
    BOOST_TEST(hook_ran != library_answers_first);
    run();
  }
}

BOOST_FIXTURE_TEST_CASE(an_operation_started_inside_an_init_keeps_its_hooks_where_they_are, io_fixture)
{
  // Only the hooks of the operation whose init runs under `on` go to the
  // library executor: another one started from inside it keeps its own.
  library_thread library;
  asio::cancellation_signal inner_signal;
  std::promise<void> registered;
  std::optional<std::thread::id> inner_hook_thread;
  std::optional<callback<void()>> inner_held;
  awaitify::async_call<void()>(ioc,
      awaitify::on(library.context.get_executor(),
          [&](callback<void()> outer) {
            awaitify::async_call<void()>(ioc,
                [&](callback<void()> inner) {
                  inner.on_cancel([&inner_hook_thread] { inner_hook_thread = std::this_thread::get_id(); });
                  inner_held = std::move(inner);
                },
                asio::bind_cancellation_slot(inner_signal.slot(), [](error_code) {}));
            outer();
            registered.set_value();
          }),
      [](error_code) {});
  registered.get_future().wait();
  inner_signal.emit(asio::cancellation_type::terminal); // On this thread.
  run();
  BOOST_TEST((inner_hook_thread == std::this_thread::get_id()));
}

BOOST_FIXTURE_TEST_CASE(an_exception_from_a_posted_init_fails_the_operation, io_fixture)
{
  library_thread library;
  std::optional<error_code> result;
  awaitify::async_call<void(int)>(ioc,
      awaitify::on(library.context.get_executor(),
          [](callback<void(int)>) { throw std::runtime_error("the library refused"); }),
      [&](error_code ec, int) { result = ec; });
  run();
  BOOST_TEST((result == error_code(awaitify::error::initiation_failed)));
  BOOST_TEST(awaitify::get_counters(ioc).failed == 1u);
}

BOOST_FIXTURE_TEST_CASE(an_init_queued_on_a_library_context_destroyed_completes_as_dropped, io_fixture)
{
  std::optional<error_code> result;
  {
    asio::io_context library;
    awaitify::async_call<void(int)>(ioc,
        awaitify::on(library.get_executor(), [](callback<void(int)> cb) { cb(1); }),
        [&](error_code ec, int) { result = ec; });
  } // Destroys the queued init, and its callback with it.
  run();
  BOOST_TEST((result == error_code(awaitify::error::callback_dropped)));
}

BOOST_FIXTURE_TEST_CASE(subscribe_and_teardown_run_on_the_library_executor, io_fixture)
{
  library_thread library;
  std::promise<std::thread::id> subscribe_thread;
  std::promise<std::thread::id> teardown_thread;
  {
    auto s = awaitify::make_stream<void(int)>(ioc, {},
        awaitify::on(library.context.get_executor(), [&](awaitify::sink<void(int)> target) {
          subscribe_thread.set_value(std::this_thread::get_id());
          target(1);
          target(2);
          return [&teardown_thread] { teardown_thread.set_value(std::this_thread::get_id()); };
        }));
    std::vector<int> got;
    run_coroutine([&]() -> asio::awaitable<void> {
      got.push_back(co_await s.async_next(asio::use_awaitable));
      got.push_back(co_await s.async_next(asio::use_awaitable));
    });
    BOOST_TEST((got == std::vector<int>{1, 2}));
  } // The stream ends: its teardown is carried to the library.
  run();
  BOOST_TEST((subscribe_thread.get_future().get() == library.id()));
  BOOST_TEST((teardown_thread.get_future().get() == library.id()));
}

BOOST_FIXTURE_TEST_CASE(a_stream_ended_before_its_subscribe_ran_never_subscribes, io_fixture)
{
  asio::io_context library; // Not running: subscribe stays queued.
  bool subscribed = false;
  bool torn_down = false;
  {
    auto s = awaitify::make_stream<void(int)>(ioc, {},
        awaitify::on(library.get_executor(), [&](awaitify::sink<void(int)>) {
          subscribed = true;
          return [&torn_down] { torn_down = true; };
        }));
  }
  run(); // The stream's end queues the teardown behind the subscribe.
  library.run();
  BOOST_TEST(!subscribed);
  BOOST_TEST(!torn_down);
}

BOOST_FIXTURE_TEST_CASE(a_teardown_queued_on_a_library_context_destroyed_still_runs, io_fixture)
{
  bool torn_down = false;
  {
    asio::io_context library;
    {
      auto s = awaitify::make_stream<void(int)>(ioc, {},
          awaitify::on(library.get_executor(), [&](awaitify::sink<void(int)>) {
            return [&torn_down] { torn_down = true; };
          }));
      library.run(); // Subscribed.
      library.restart();
    }
    run(); // The teardown is queued on the library, which never runs it.
    BOOST_TEST(!torn_down);
  } // The library's context goes: the teardown runs as it is destroyed.
  BOOST_TEST(torn_down);
}

void legacy_add(int a, int b, callback<void(int)> cb) { cb(a + b); }

BOOST_FIXTURE_TEST_CASE(a_wrapped_legacy_function_runs_on_the_library_executor, io_fixture)
{
  library_thread library;
  std::vector<std::thread::id> threads;
  auto add = awaitify::wrap(ioc.get_executor(),
      awaitify::on(library.context.get_executor(), [&threads](int a, int b, callback<void(int)> cb) {
        threads.push_back(std::this_thread::get_id());
        legacy_add(a, b, std::move(cb));
      }));
  std::vector<int> sums;
  add(1, 2, [&](error_code, int r) { sums.push_back(r); });
  run();
  add(3, 4, [&](error_code, int r) { sums.push_back(r); });
  run();
  BOOST_TEST((sums == std::vector<int>{3, 7}));
  BOOST_TEST((threads == std::vector<std::thread::id>{library.id(), library.id()}));
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
