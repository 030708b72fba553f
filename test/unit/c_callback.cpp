// SPDX-License-Identifier: BSL-1.0
//
// Tests for awaitify/c_callback.hpp, against a small C-style API.
//

#include <awaitify/async_call.hpp>
#include <awaitify/c_callback.hpp>
#include <awaitify/c_error_category.hpp>
#include <awaitify/diagnostics.hpp>

#include "common/asio.hpp"
#include <boost/test/unit_test.hpp>

#include "common/io_fixture.hpp"
#include "common/misuse_recorder.hpp"
#include "common/worker.hpp"

#include <functional>
#include <atomic>
#include <future>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>
#include <utility>

namespace {

using awaitify::callback;
using awaitify_test::io_fixture;
using awaitify_test::misuse_recorder;
using awaitify::error_code;

// A C library in the style of c-ares: user data first...
using lookup_fn = void (*)(void* arg, int status, const char* value);

// ...and in the style of libcurl's multi callbacks: user data last.
using done_fn = void (*)(int status, void* user);

awaitify_test::worker* c_library_thread = nullptr;

/// Calls back later on the library's thread; fails synchronously (returns -1,
/// never calls back) for an empty name.
int c_lookup(const char* name, lookup_fn cb, void* arg)
{
  std::string n = name;
  if (n.empty())
    return -1;
  c_library_thread->post([cb, arg, n] { cb(arg, 0, (n + ".example").c_str()); });
  return 0;
}

void c_do(int status, done_fn cb, void* user)
{
  cb(status, user); // Synchronously, before returning.
}

struct c_fixture : io_fixture
{
  awaitify_test::worker library;
  c_fixture() { c_library_thread = &library; }
  ~c_fixture() { c_library_thread = nullptr; }
};

BOOST_AUTO_TEST_SUITE(c_callback)

BOOST_FIXTURE_TEST_CASE(user_data_first_and_a_converted_argument, c_fixture)
{
  run_coroutine([&]() -> asio::awaitable<void> {
    auto [status, value] = co_await awaitify::async_call<void(int, std::string)>(ioc.get_executor(),
        [](callback<void(int, std::string)> cb) {
          auto c = awaitify::to_c_callback<lookup_fn>(std::move(cb));
          if (c_lookup("host", c.function(), c.user_data()) != 0)
            c.reclaim();
        },
        asio::use_awaitable);
    BOOST_TEST(status == 0);
    BOOST_TEST(value == "host.example");
  });
}

BOOST_FIXTURE_TEST_CASE(user_data_last, c_fixture)
{
  std::optional<int> status;
  awaitify::async_call<void(int)>(ioc,
      [](callback<void(int)> cb) {
        auto c = awaitify::to_c_callback<done_fn>(std::move(cb));
        c_do(7, c.function(), c.user_data());
      },
      [&](error_code ec, int s) {
        BOOST_TEST(!ec);
        status = s;
      });
  run();
  BOOST_TEST(status == 7);
}

BOOST_FIXTURE_TEST_CASE(a_synchronous_failure_reclaims_the_carrier, c_fixture)
{
  misuse_recorder recorder(ioc);
  std::optional<error_code> reclaimed, failed;
  awaitify::async_call<void(int, std::string)>(ioc,
      [](callback<void(int, std::string)> cb) {
        auto c = awaitify::to_c_callback<lookup_fn>(std::move(cb));
        if (c_lookup("", c.function(), c.user_data()) != 0)
          c.reclaim();
      },
      [&](error_code ec, int, std::string) { reclaimed = ec; });
  awaitify::async_call<void(int, std::string)>(ioc,
      [](callback<void(int, std::string)> cb) {
        auto c = awaitify::to_c_callback<lookup_fn>(std::move(cb));
        if (c_lookup("", c.function(), c.user_data()) != 0)
          BOOST_TEST(c.fail(asio::error::host_not_found));
      },
      [&](error_code ec, int, std::string) { failed = ec; });
  run();
  BOOST_TEST((reclaimed == error_code(awaitify::error::callback_dropped)));
  BOOST_TEST((failed == error_code(asio::error::host_not_found)));
  BOOST_TEST(recorder.kinds().empty()); // Asked for, so no misuse.
  BOOST_TEST(awaitify::get_counters(ioc).dropped == 1u);
}

// The most common C completion callback: its one parameter is the user data.
using notify_fn = void (*)(void* user);
void c_notify(notify_fn cb, void* user) { c_library_thread->post([cb, user] { cb(user); }); }

// A C API compiled as C++ may declare its callback type noexcept.
using checked_fn = void (*)(int status, void* user) noexcept;
void c_checked(int status, checked_fn cb, void* user) { cb(status, user); }

BOOST_FIXTURE_TEST_CASE(a_lone_void_pointer_is_the_user_data, c_fixture)
{
  std::optional<error_code> done;
  awaitify::async_call<void()>(ioc,
      [](callback<void()> cb) {
        auto c = awaitify::to_c_callback<notify_fn>(std::move(cb));
        c_notify(c.function(), c.user_data());
      },
      [&](error_code ec) { done = ec; });
  run();
  BOOST_TEST((done == error_code()));
}

BOOST_FIXTURE_TEST_CASE(a_noexcept_function_pointer_type, c_fixture)
{
  std::optional<int> status;
  awaitify::async_call<void(int)>(ioc,
      [](callback<void(int)> cb) {
        auto c = awaitify::to_c_callback<checked_fn>(std::move(cb));
        static_assert(std::is_same_v<decltype(c.function()), checked_fn>);
        c_checked(3, c.function(), c.user_data());
      },
      [&](error_code, int s) { status = s; });
  run();
  BOOST_TEST(status == 3);
}

BOOST_FIXTURE_TEST_CASE(a_const_reference_parameter_takes_the_converted_c_argument, c_fixture)
{
  using legacy = void(int, const std::string&);
  std::optional<std::string> value;
  awaitify::async_call<legacy>(ioc,
      [](callback<legacy> cb) {
        auto c = awaitify::to_c_callback<lookup_fn>(std::move(cb));
        BOOST_TEST(c_lookup("name", c.function(), c.user_data()) == 0);
      },
      [&](error_code, int, std::string v) { value = std::move(v); });
  run();
  BOOST_TEST(value == std::string("name.example"));
}

// A resolver in the style of c-ares: the result is borrowed, valid only
// during the call, and the status is an int with a strerror of its own.
struct fake_hostent
{
  const char* name;
  int addresses;
};
using resolve_fn = void (*)(void* arg, int status, const fake_hostent* host);

const char* resolver_strerror(int status) { return status == 4 ? "domain name not found" : nullptr; }

void c_resolve(const char* name, resolve_fn cb, void* arg)
{
  std::string n = name;
  c_library_thread->post([cb, arg, n] {
    if (n == "missing")
      return cb(arg, 4, nullptr);
    const std::string borrowed = n + ".example"; // Gone once cb returns.
    const fake_hostent host{borrowed.c_str(), 2};
    cb(arg, 0, &host);
  });
}

BOOST_FIXTURE_TEST_CASE(a_transform_copies_borrowed_arguments_and_maps_a_status_to_an_error, c_fixture)
{
  using resolved = void(std::string, int);
  auto copy_or_fail = [](callback<resolved>& cb, int status, const fake_hostent* host) {
    if (status != 0)
      cb.fail(error_code(status, awaitify::c_error_category<&resolver_strerror>("resolver")));
    else
      cb(std::string(host->name), host->addresses);
  };
  std::optional<std::string> name;
  std::optional<error_code> failure;
  for (const char* query : {"host", "missing"})
  {
    auto resolve = [&, query](callback<resolved> cb) {
      auto c = awaitify::to_c_callback<resolve_fn>(std::move(cb), copy_or_fail);
      c_resolve(query, c.function(), c.user_data());
    };
    awaitify::async_call<resolved>(ioc, resolve, [&](error_code ec, std::string n, int) {
      if (ec)
        failure = ec;
      else
        name = std::move(n);
    });
  }
  run();
  BOOST_TEST(name == std::string("host.example"));
  BOOST_TEST_REQUIRE(failure.has_value());
  BOOST_TEST(failure->message() == "domain name not found");
}

// A request in the style of libuv: the callback receives the request, which
// keeps the user's pointer in its data field.
struct fake_request
{
  void* data = nullptr;
  long result = 0;
};
using request_fn = void (*)(fake_request* req);

void c_submit(fake_request* req, long result, request_fn cb)
{
  c_library_thread->post([req, result, cb] {
    req->result = result;
    cb(req);
  });
}

BOOST_FIXTURE_TEST_CASE(user_data_kept_in_the_librarys_own_struct, c_fixture)
{
  fake_request req;
  std::optional<long> result;
  auto submit = [&](callback<void(long)> cb) {
    auto c = awaitify::to_c_callback<request_fn>(std::move(cb), awaitify::user_data_in<&fake_request::data>,
        [](callback<void(long)>& done, fake_request* r) { done(r->result); });
    req.data = c.user_data();
    c_submit(&req, 17, c.function());
  };
  awaitify::async_call<void(long)>(ioc, submit, [&](error_code, long v) { result = v; });
  run();
  BOOST_TEST(result == 17L);
}

// An asynchronous API in the style of Paho MQTT: a success and a failure
// callback share one context pointer; a faulty build calls both, or one
// twice.
struct fake_success_data
{
  int token;
};
struct fake_failure_data
{
  int code;
};
using on_success_fn = void (*)(void* context, fake_success_data* response);
using on_failure_fn = void (*)(void* context, fake_failure_data* response);

enum class paho_behaviour
{
  succeed,
  fail,
  call_both,
  succeed_twice,
};

void c_connect(paho_behaviour behaviour, on_success_fn on_success, on_failure_fn on_failure, void* context)
{
  c_library_thread->post([=] {
    fake_success_data ok{7};
    fake_failure_data refused{-3};
    switch (behaviour)
    {
    case paho_behaviour::succeed:
      return on_success(context, &ok);
    case paho_behaviour::fail:
      return on_failure(context, &refused);
    case paho_behaviour::call_both:
      on_success(context, &ok);
      return on_failure(context, &refused);
    case paho_behaviour::succeed_twice:
      on_success(context, &ok);
      return on_success(context, &ok);
    }
  });
}

BOOST_FIXTURE_TEST_CASE(two_c_callbacks_complete_one_operation_exactly_once, c_fixture)
{
  misuse_recorder recorder(ioc);
  std::vector<std::pair<error_code, int>> results;
  for (auto behaviour : {paho_behaviour::succeed, paho_behaviour::fail, paho_behaviour::call_both,
           paho_behaviour::succeed_twice})
  {
    auto connect = [behaviour](callback<void(int)> cb) {
      auto c = awaitify::to_c_callbacks<on_success_fn, on_failure_fn>(
          std::move(cb), [](callback<void(int)>& done, fake_success_data* r) { done(r->token); },
          [](callback<void(int)>& done, fake_failure_data* r) {
            done.fail(error_code(-r->code, sys::generic_category()));
          });
      c_connect(behaviour, c.on_success(), c.on_failure(), c.user_data());
    };
    awaitify::async_call<void(int)>(ioc, connect, [&](error_code ec, int token) { results.emplace_back(ec, token); });
    run(); // One at a time, so the results come in order.
  }
  library.drain(); // A second call may still be on its way when run() returns.
  BOOST_TEST_REQUIRE(results.size() == 4u);
  BOOST_TEST((results[0] == std::pair<error_code, int>(error_code(), 7)));
  BOOST_TEST((results[1].first == error_code(3, sys::generic_category())));
  BOOST_TEST((results[2] == std::pair<error_code, int>(error_code(), 7))); // The first call wins...
  BOOST_TEST((results[3] == std::pair<error_code, int>(error_code(), 7)));
  BOOST_TEST((recorder.kinds() == std::vector<std::string>{"duplicate", "duplicate"})); // ...the second is counted.
  BOOST_TEST(awaitify::get_counters(ioc).duplicate == 2u);
}

// The library calls the failure callback while the success callback's
// transform still runs: the operation has no outcome yet, but the second call
// is a duplicate, not a late one.
BOOST_FIXTURE_TEST_CASE(a_concurrent_second_call_of_a_pair_is_a_duplicate, c_fixture)
{
  misuse_recorder recorder(ioc);
  std::optional<std::pair<error_code, int>> result;
  auto connect = [](callback<void(int)> cb) {
    // The failure callback, made on another thread from inside the success
    // callback's transform.
    static on_failure_fn failure;
    static void* context;
    auto c = awaitify::to_c_callbacks<on_success_fn, on_failure_fn>(
        std::move(cb),
        [](callback<void(int)>& done, fake_success_data* r) {
          std::thread second([] {
            fake_failure_data bad{3};
            failure(context, &bad);
          });
          second.join();
          done(r->token);
        },
        [](callback<void(int)>& done, fake_failure_data* r) {
          done.fail(error_code(-r->code, sys::generic_category()));
        });
    failure = c.on_failure();
    context = c.user_data();
    fake_success_data ok{7};
    c.on_success()(c.user_data(), &ok);
  };
  awaitify::async_call<void(int)>(ioc, connect, [&](error_code ec, int token) { result.emplace(ec, token); });
  run();
  BOOST_TEST((result == std::pair<error_code, int>(error_code(), 7)));
  BOOST_TEST((recorder.kinds() == std::vector<std::string>{"duplicate"}));
  BOOST_TEST(awaitify::get_counters(ioc).late == 0u);
}

BOOST_FIXTURE_TEST_CASE(two_c_callbacks_reclaimed_after_a_synchronous_failure, c_fixture)
{
  std::optional<error_code> result;
  awaitify::async_call<void(int)>(ioc,
      [](callback<void(int)> cb) {
        auto c = awaitify::to_c_callbacks<on_success_fn, on_failure_fn>(
            std::move(cb), [](callback<void(int)>& done, fake_success_data*) { done(0); },
            [](callback<void(int)>& done, fake_failure_data*) { done(0); });
        BOOST_TEST(c.fail(asio::error::connection_refused)); // The C call refused at once.
        fake_success_data late{1};
        c.on_success()(c.user_data(), &late); // A faulty library calls anyway: safe, counted.
      },
      [&](error_code ec, int) { result = ec; });
  run();
  BOOST_TEST((result == error_code(asio::error::connection_refused)));
  BOOST_TEST(awaitify::get_counters(ioc).duplicate == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_carrier_outlives_a_cancelled_or_abandoned_operation_until_the_c_call, c_fixture)
{
  // The library holds the carrier when the operation ends without it: the
  // late C call still frees it, once (LeakSanitizer and ASan under asan).
  std::promise<void> ended;
  std::shared_future<void> operations_ended = ended.get_future().share();
  auto hold = [operations_ended](callback<void(int)> cb) {
    auto c = awaitify::to_c_callback<done_fn>(std::move(cb));
    c_library_thread->post([operations_ended, fn = c.function(), user = c.user_data()] {
      operations_ended.wait();
      fn(1, user);
    });
  };
  asio::cancellation_signal signal;
  std::optional<error_code> cancelled;
  awaitify::async_call<void(int)>(
      ioc, hold, asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int) { cancelled = ec; }));
  signal.emit(asio::cancellation_type::terminal);
  run();
  BOOST_TEST((cancelled == error_code(asio::error::operation_aborted)));
  {
    asio::io_context abandoned;
    awaitify::async_call<void(int)>(abandoned, hold, [](error_code, int) {});
  } // Shut down with the call outstanding.
  ended.set_value();
  std::promise<void> both_called;
  c_library_thread->post([&both_called] { both_called.set_value(); });
  both_called.get_future().wait();
  BOOST_TEST(awaitify::get_counters(ioc).late == 1u);
}

// sd-bus's shape: the user data in the middle, a status returned.
struct fake_message
{
  int value;
};
struct fake_bus_error
{
  const char* name;
};
using message_handler_fn = int (*)(fake_message* m, void* userdata, fake_bus_error* e);

// What the last handler returned to the library (checked on the test's
// thread: Boost.Test's checks are not for other threads).
std::atomic<int> handler_returned{0};

void c_call_method(int value, message_handler_fn handler, void* userdata)
{
  c_library_thread->post([handler, userdata, value] {
    fake_message reply{value};
    fake_bus_error no_error{nullptr};
    handler_returned = handler(&reply, userdata, &no_error);
  });
}

BOOST_FIXTURE_TEST_CASE(user_data_in_the_middle_of_the_c_arguments, c_fixture)
{
  std::optional<std::pair<error_code, int>> result;
  awaitify::async_call<void(int)>(ioc,
      [](callback<void(int)> cb) {
        auto c = awaitify::to_c_callback<message_handler_fn>(std::move(cb), awaitify::user_data_at<1>,
            [](callback<void(int)>& done, fake_message* m, fake_bus_error* e) {
              e->name ? done.fail(asio::error::connection_refused) : done(m->value);
              return 1;
            });
        c_call_method(42, c.function(), c.user_data());
      },
      [&](error_code ec, int value) { result.emplace(ec, value); });
  run();
  library.drain(); // The C handler's return reached the library.
  BOOST_TEST((result == std::pair<error_code, int>(error_code(), 42)));
  BOOST_TEST(handler_returned == 1);
}

// Parameter 0 of three, named: the same as the default, which it must agree with.
using first_of_three_fn = void (*)(void* user, int a, int b);

BOOST_FIXTURE_TEST_CASE(user_data_at_either_end_by_index, c_fixture)
{
  std::vector<int> values;
  awaitify::async_call<void(int, int)>(ioc,
      [](callback<void(int, int)> cb) {
        auto c = awaitify::to_c_callback<first_of_three_fn>(std::move(cb), awaitify::user_data_at<0>);
        c.function()(c.user_data(), 1, 2);
      },
      [&](error_code, int a, int b) { values = {a, b}; });
  awaitify::async_call<void(int)>(ioc,
      [](callback<void(int)> cb) {
        auto c = awaitify::to_c_callback<done_fn>(std::move(cb), awaitify::user_data_at<1>);
        c_do(3, c.function(), c.user_data());
      },
      [&](error_code, int status) { values.push_back(status); });
  run();
  BOOST_TEST((values == std::vector<int>{1, 2, 3}));
}

// Item 1 of the C carriers' contract: a carrier belongs to its handle (and the
// handle's copies) until `user_data()` hands it to C. Every path that loses
// it before then completes the operation with callback_dropped, reported as
// a dropped callback is.
BOOST_AUTO_TEST_SUITE(never_handed_to_c)

BOOST_FIXTURE_TEST_CASE(a_carrier_lost_before_the_c_call_completes_the_operation_as_dropped, c_fixture)
{
  misuse_recorder recorder(ioc);
  std::vector<error_code> results;
  auto record = [&](error_code ec, int) { results.push_back(ec); };
  // An early return: the C call is never made.
  const bool library_ready = false;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        auto c = awaitify::to_c_callback<done_fn>(std::move(cb));
        if (!library_ready)
          return;
        c_do(0, c.function(), c.user_data());
      },
      record);
  // The job that would have made the C call is dropped with its copy.
  awaitify::async_call<void(int)>(ioc,
      [](callback<void(int)> cb) {
        auto c = awaitify::to_c_callback<done_fn>(std::move(cb));
        std::function<void()> job = [c] { c_do(0, c.function(), c.user_data()); };
      },
      record);
  // An exception between the carrier's creation and the C call.
  awaitify::async_call<void(int)>(ioc,
      [](callback<void(int)> cb) {
        auto c = awaitify::to_c_callback<done_fn>(std::move(cb));
        try
        {
          const std::string request = std::string().substr(1); // Throws std::out_of_range.
          c_do(static_cast<int>(request.size()), c.function(), c.user_data());
        }
        catch (const std::out_of_range&)
        {
        }
      },
      record);
  run(); // Hung here before: nothing completed the operations, and they kept the context's work.
  BOOST_TEST(results.size() == 3u);
  for (const auto& ec : results)
    BOOST_TEST((ec == error_code(awaitify::error::callback_dropped)));
  BOOST_TEST((recorder.kinds() == std::vector<std::string>{"dropped", "dropped", "dropped"}));
  BOOST_TEST(awaitify::get_counters(ioc).dropped == 3u);
}

BOOST_FIXTURE_TEST_CASE(a_copy_handed_to_c_keeps_the_carrier_when_the_others_are_dropped, c_fixture)
{
  misuse_recorder recorder(ioc);
  std::optional<std::pair<error_code, int>> result;
  awaitify::async_call<void(int)>(ioc,
      [](callback<void(int)> cb) {
        auto original = awaitify::to_c_callback<done_fn>(std::move(cb));
        auto job = [copy = original] { c_library_thread->post([fn = copy.function(), user = copy.user_data()] {
                                          fn(5, user);
                                        }); };
        job();
      }, // Every handle is gone before the library calls.
      [&](error_code ec, int status) { result.emplace(ec, status); });
  run();
  BOOST_TEST((result == std::pair<error_code, int>(error_code(), 5)));
  BOOST_TEST(recorder.kinds().empty());
}

BOOST_FIXTURE_TEST_CASE(a_handle_that_outlives_a_synchronous_c_call_frees_the_carrier_once, c_fixture)
{
  // c_do calls back before it returns: the carrier is spent while the handle
  // still exists, and taking the user data again hands nothing over twice.
  std::optional<std::pair<error_code, int>> result;
  std::optional<awaitify::c_callback<done_fn>> kept;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        auto c = awaitify::to_c_callback<done_fn>(std::move(cb));
        c_do(3, c.function(), c.user_data());
        BOOST_TEST(c.user_data() != nullptr);
        kept.emplace(c);
      },
      [&](error_code ec, int status) { result.emplace(ec, status); });
  run();
  BOOST_TEST((result == std::pair<error_code, int>(error_code(), 3)));
  kept.reset(); // The last handle frees the spent carrier (LeakSanitizer under asan).
}

BOOST_FIXTURE_TEST_CASE(a_transform_that_completes_nothing_drops_the_callback_at_once, c_fixture)
{
  // The C call is over: a handle kept elsewhere must not keep the operation pending.
  std::optional<error_code> result;
  std::optional<awaitify::c_callback<done_fn>> kept;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        kept.emplace(awaitify::to_c_callback<done_fn>(std::move(cb), [](callback<void(int)>&, int) {}));
        c_library_thread->post([fn = kept->function(), user = kept->user_data()] { fn(0, user); });
      },
      [&](error_code ec, int) { result = ec; });
  run();
  BOOST_TEST((result == error_code(awaitify::error::callback_dropped)));
}

BOOST_FIXTURE_TEST_CASE(a_pair_never_handed_to_c_completes_the_operation_as_dropped, c_fixture)
{
  misuse_recorder recorder(ioc);
  const bool library_ready = false;
  std::optional<error_code> result;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        auto c = awaitify::to_c_callbacks<on_success_fn, on_failure_fn>(
            std::move(cb), [](callback<void(int)>& done, fake_success_data* r) { done(r->token); },
            [](callback<void(int)>& done, fake_failure_data*) { done.fail(asio::error::connection_refused); });
        auto copy = c; // Dropped with the original.
        if (!library_ready)
          return;
        c_connect(paho_behaviour::succeed, copy.on_success(), copy.on_failure(), copy.user_data());
      },
      [&](error_code ec, int) { result = ec; });
  run();
  BOOST_TEST((result == error_code(awaitify::error::callback_dropped)));
  BOOST_TEST((recorder.kinds() == std::vector<std::string>{"dropped"}));
}

BOOST_FIXTURE_TEST_CASE(a_pair_handed_to_c_by_a_copy_completes_once_the_handles_are_gone, c_fixture)
{
  misuse_recorder recorder(ioc);
  std::optional<std::pair<error_code, int>> result;
  awaitify::async_call<void(int)>(ioc,
      [](callback<void(int)> cb) {
        auto c = awaitify::to_c_callbacks<on_success_fn, on_failure_fn>(
            std::move(cb), [](callback<void(int)>& done, fake_success_data* r) { done(r->token); },
            [](callback<void(int)>& done, fake_failure_data*) { done.fail(asio::error::connection_refused); });
        auto copy = c;
        c_library_thread->post([fn = copy.on_success(), user = copy.user_data()] {
          fake_success_data ok{9};
          fn(user, &ok);
        });
      },
      [&](error_code ec, int token) { result.emplace(ec, token); });
  run();
  BOOST_TEST((result == std::pair<error_code, int>(error_code(), 9)));
  BOOST_TEST(recorder.kinds().empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()

} // namespace
