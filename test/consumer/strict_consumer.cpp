// SPDX-License-Identifier: BSL-1.0
//
// A consumer that compiles awaitify's headers as its own (not as system
// headers, as add_subdirectory and FetchContent do) with strict warnings and
// -Werror, and instantiates every public API: each completion token, wrap,
// streams, the correlator, operation sets, C callbacks, diagnostics. It must
// build without a warning on every supported compiler, and its checks must
// pass.
//

#include <awaitify/awaitify.hpp>

#include "common/asio.hpp"

// promise.hpp first: Asio 1.26's use_promise.hpp needs it.
#if defined(AWAITIFY_STANDALONE_ASIO)
#include <asio/experimental/promise.hpp>
#include <asio/experimental/use_promise.hpp>
#else
#include <boost/asio/experimental/promise.hpp>
#include <boost/asio/experimental/use_promise.hpp>
#endif

#include <cstddef>
#include <cstdio>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>

using awaitify::error_code;

namespace {

int failures = 0;

void check(bool ok, const char* what)
{
  if (!ok)
  {
    std::fprintf(stderr, "strict_consumer: failed: %s\n", what);
    ++failures;
  }
}

void legacy_add(int a, int b, std::function<void(int)> cb) { cb(a + b); }

const char* fake_strerror(int code) { return code == 1 ? "broken" : nullptr; }

// A C library: user data last, called back synchronously.
using done_fn = void (*)(int status, void* user);
void c_do(int status, done_fn cb, void* user) { cb(status, user); }

asio::awaitable<void> coroutine_uses(asio::io_context& ioc)
{
  auto add = awaitify::wrap(ioc.get_executor(), legacy_add); // The signature read off legacy_add.
  const int sum = co_await add(co_await add(1, 2, asio::use_awaitable), 3, asio::use_awaitable);
  check(sum == 6, "wrap under use_awaitable");

  auto [ec, v] = co_await awaitify::async_call<void(int)>(
      ioc.get_executor(), [](awaitify::callback<void(int)> cb) { cb(7); }, asio::as_tuple(asio::use_awaitable));
  check(!ec && v == 7, "as_tuple(use_awaitable)");

  auto s = awaitify::make_stream<void(int)>(ioc, {}, [](awaitify::sink<void(int)> sink) {
    sink(1);
    sink(2);
    sink.close();
  });
  int total = 0;
  for (;;)
  {
    auto [next_ec, item] = co_await s.async_next(asio::as_tuple(asio::use_awaitable));
    if (next_ec)
    {
      check(next_ec == awaitify::error::end_of_stream, "stream ends");
      break;
    }
    total += item;
  }
  check(total == 3, "stream items");

  awaitify::correlator<int, void(std::string), asio::io_context::executor_type> replies(ioc.get_executor());
  check(replies.complete(1, "one"), "correlator complete");
  std::string reply = co_await replies.async_wait(1, asio::use_awaitable);
  check(reply == "one", "correlator wait");

  auto promise = awaitify::async_call<void(int)>(
      ioc.get_executor(), [](awaitify::callback<void(int)> cb) { cb(9); }, asio::experimental::use_promise);
  auto [promise_ec, promised] = co_await promise(asio::as_tuple(asio::use_awaitable));
  check(!promise_ec && promised == 9, "use_promise");
}

void erased_call(asio::io_context::executor_type ex, asio::any_completion_handler<void(error_code, int)> handler)
{
  awaitify::async_call<void(int)>(ex, [](awaitify::callback<void(int)> cb) { cb(4); }, std::move(handler));
}

} // namespace

int main()
{
  asio::io_context ioc;
  awaitify::set_misuse_handler(ioc, awaitify::log_misuse);

  // Plain handler, error-first and exception-first signatures, fail, on_cancel.
  std::optional<int> plain;
  awaitify::async_call<void(int)>(ioc, [](awaitify::callback<void(int)> cb) { cb(1); },
      [&](error_code ec, int v) { plain = ec ? -1 : v; });
  std::optional<error_code> legacy_error;
  awaitify::async_call<void(error_code, int)>(ioc,
      [](awaitify::callback<void(error_code, int)> cb) { cb.fail(asio::error::timed_out); },
      [&](error_code ec, int) { legacy_error = ec; });
  std::optional<bool> thrown;
  awaitify::async_call<void(std::exception_ptr, int)>(ioc,
      [](awaitify::callback<void(std::exception_ptr, int)> cb) { cb(nullptr, 2); },
      [&](std::exception_ptr e, int) { thrown = static_cast<bool>(e); });
  asio::cancellation_signal signal;
  std::optional<awaitify::callback<void(int)>> held;
  bool hook_ran = false;
  std::optional<error_code> cancelled;
  awaitify::async_call<void(int)>(ioc,
      [&](awaitify::callback<void(int)> cb) {
        cb.on_cancel([&hook_ran] { hook_ran = true; }, asio::cancellation_type::total);
        held = std::move(cb);
      },
      asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int) { cancelled = ec; }));
  signal.emit(asio::cancellation_type::total);
  held.reset();

  // A cancellation that waits for the library's answer.
  asio::cancellation_signal waiting_signal;
  std::optional<awaitify::callback<void(int)>> answering;
  std::optional<error_code> answered;
  awaitify::async_call<void(int)>(ioc,
      [&](awaitify::callback<void(int)> cb) {
        cb.on_cancel([] {}, asio::cancellation_type::terminal, awaitify::after_cancel::wait_for_callback);
        answering = std::move(cb);
      },
      asio::bind_cancellation_slot(waiting_signal.slot(), [&](error_code ec, int) { answered = ec; }));
  waiting_signal.emit(asio::cancellation_type::terminal);
  answering->fail(asio::error::operation_aborted);
  answering.reset();

  // deferred, detached, redirect_error, bind_executor to a strand, an
  // any_completion_handler, an io_context::strand.
  auto later = awaitify::async_call<void(int)>(
      ioc.get_executor(), [](awaitify::callback<void(int)> cb) { cb(3); }, asio::deferred);
  std::optional<int> deferred_result;
  std::move(later)([&](error_code, int v) { deferred_result = v; });
  awaitify::async_call<void(int)>(ioc, [](awaitify::callback<void(int)> cb) { cb(0); }, asio::detached);
  error_code redirected;
  awaitify::async_call<void(error_code)>(ioc,
      [](awaitify::callback<void(error_code)> cb) { cb(asio::error::eof); },
      asio::redirect_error([] {}, redirected));
  auto strand = asio::make_strand(ioc);
  bool on_strand = false;
  awaitify::async_call<void(int)>(ioc, [](awaitify::callback<void(int)> cb) { cb(5); },
      asio::bind_executor(strand, [&](error_code, int) { on_strand = strand.running_in_this_thread(); }));
  std::optional<int> erased;
  erased_call(ioc.get_executor(), [&](error_code, int v) { erased = v; });
  asio::io_context::strand ts_strand(ioc);
  bool in_ts_strand = false;
  awaitify::async_call<void(int)>(ioc, [](awaitify::callback<void(int)> cb) { cb(6); },
      asio::bind_executor(ts_strand, [&](error_code, int) { in_ts_strand = ts_strand.running_in_this_thread(); }));

  // A C callback.
  std::optional<int> c_status;
  awaitify::async_call<void(int)>(ioc,
      [](awaitify::callback<void(int)> cb) {
        auto c = awaitify::to_c_callback<done_fn>(std::move(cb));
        c_do(42, c.function(), c.user_data());
      },
      [&](error_code, int status) { c_status = status; });

  // An operation set failing a member whose library never calls back.
  awaitify::operation_set connection_calls;
  std::optional<awaitify::callback<void(std::string)>> never_answered;
  std::optional<error_code> set_failed;
  awaitify::async_call<void(std::string)>(ioc,
      [&](awaitify::callback<void(std::string)> cb) {
        check(connection_calls.join(cb), "operation_set join");
        never_answered = std::move(cb);
      },
      [&](error_code ec, std::string) { set_failed = ec; });
  check(connection_calls.close(asio::error::connection_reset) == 1 && !connection_calls.is_open(), "operation_set close");
  check(!(*never_answered)("late"), "a failed member's result is refused");

  // Streams with every policy.
  for (auto policy : {awaitify::overflow_policy::fail, awaitify::overflow_policy::drop_newest,
           awaitify::overflow_policy::drop_oldest, awaitify::overflow_policy::flow_control})
  {
    awaitify::stream_options<void(int)> options;
    options.policy = policy;
    options.capacity = 1;
    auto s = awaitify::make_stream<void(int)>(ioc, std::move(options), [](awaitify::sink<void(int)> sink) {
      sink.on_demand([](std::size_t) {});
      check(sink.demand() >= 1 && sink.overdrafts() == 0, "demand before any push");
      const awaitify::push_result first = sink(1);
      check(first == awaitify::push_result::enqueued, "first push enqueued");
      sink(2);
    });
    std::optional<int> first_item;
    s.async_next([&](error_code, int v) { first_item = v; });
    ioc.run();
    ioc.restart();
    check(first_item.has_value(), "a stream delivers with every policy");
  }

  std::exception_ptr coroutine_failure;
  asio::co_spawn(ioc, coroutine_uses(ioc), [&](std::exception_ptr e) { coroutine_failure = e; });
  std::future<int> future = awaitify::async_call<void(int)>(
      ioc.get_executor(), [](awaitify::callback<void(int)> cb) { cb(8); }, asio::use_future);
  ioc.run();

  check(plain == 1, "plain handler");
  check(legacy_error == error_code(asio::error::timed_out), "error-first signature");
  check(thrown == false, "exception-first signature");
  check(hook_ran && cancelled == error_code(asio::error::operation_aborted), "cancellation");
  check(answered == error_code(asio::error::operation_aborted), "wait_for_callback");
  check(error_code(1, awaitify::c_error_category<&fake_strerror>("fake")).message() == "broken", "c_error_category");
  check(deferred_result == 3, "deferred");
  check(redirected == asio::error::eof, "redirect_error");
  check(on_strand, "bind_executor");
  check(erased == 4, "any_completion_handler");
  check(in_ts_strand, "io_context::strand");
  check(c_status == 42, "C callback");
  check(set_failed == error_code(asio::error::connection_reset), "operation_set");
  check(!coroutine_failure, "coroutine");
  check(future.get() == 8, "use_future");

  const awaitify::counters c = awaitify::get_counters(ioc);
  check(c.pending == 0 && c.cancelled == 1 && c.detached == 1 && c.late == 0, "counters");
  static_assert(std::is_same_v<awaitify::completion_signature_t<void(int)>, void(error_code, int)>);
  const awaitify::source_location here = awaitify::source_location::current();
  check(here.line() > 0 && AWAITIFY_VERSION >= 100, "source_location and version");

  std::printf("strict consumer: %s\n", failures == 0 ? "ok" : "FAILED");
  return failures == 0 ? 0 : 1;
}
