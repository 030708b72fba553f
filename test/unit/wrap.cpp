// SPDX-License-Identifier: BSL-1.0
//
// Tests for awaitify/wrap.hpp.
//

#include <awaitify/wrap.hpp>

#include "common/asio.hpp"
#include <boost/test/unit_test.hpp>

#include "common/io_fixture.hpp"
#include "common/worker.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace {

using awaitify_test::io_fixture;
using awaitify_test::worker;
using awaitify::error_code;

BOOST_AUTO_TEST_SUITE(wrap)

BOOST_FIXTURE_TEST_CASE(co_await_a_wrapped_legacy_function, io_fixture)
{
  worker legacy;
  auto add = awaitify::wrap<void(int)>(ioc.get_executor(),
      [&legacy](int a, int b, std::function<void(int)> cb) { awaitify_test::async_add(legacy, a, b, std::move(cb)); });
  run_coroutine([&]() -> asio::awaitable<void> {
    int r1 = co_await add(1, 2, asio::use_awaitable);
    int r2 = co_await add(r1, 3, asio::use_awaitable);
    BOOST_TEST(r2 == 6);
  });
}

BOOST_FIXTURE_TEST_CASE(exposes_its_executor, io_fixture)
{
  auto f = awaitify::wrap<void()>(ioc.get_executor(), [](std::function<void()> cb) { cb(); });
  static_assert(std::is_same_v<decltype(f)::executor_type, asio::io_context::executor_type>);
  BOOST_TEST((f.get_executor() == ioc.get_executor()));
}

BOOST_FIXTURE_TEST_CASE(arguments_are_copied_when_the_operation_is_created, io_fixture)
{
  std::string seen;
  auto echo = awaitify::wrap<void(std::string)>(ioc.get_executor(),
      [&](std::string s, std::function<void(std::string)> cb) { cb(s + "!"); });
  std::string text = "hello";
  auto op = echo(text, asio::deferred);
  text = "changed";
  std::move(op)([&](error_code, std::string s) { seen = s; });
  run();
  BOOST_TEST(seen == "hello!");
}

BOOST_FIXTURE_TEST_CASE(move_only_arguments, io_fixture)
{
  auto consume = awaitify::wrap<void(int)>(ioc.get_executor(),
      [](std::unique_ptr<int> p, awaitify::callback<void(int)> cb) { cb(*p); });
  std::future<int> f = consume(std::make_unique<int>(12), asio::use_future);
  run();
  BOOST_TEST(f.get() == 12);
}

BOOST_FIXTURE_TEST_CASE(default_completion_token, io_fixture)
{
  auto twice = awaitify::wrap<void(int)>(
      asio::use_awaitable_t<>::executor_with_default<asio::io_context::executor_type>(ioc.get_executor()),
      [](int a, std::function<void(int)> cb) { cb(2 * a); });
  run_coroutine([&]() -> asio::awaitable<void> {
    int r = co_await twice(21);
    BOOST_TEST(r == 42);
  });
}

/// A legacy function object whose moved-from state is known: it throws.
struct echo_owning_state
{
  std::shared_ptr<int> offset = std::make_shared<int>(0); // Null once moved from.

  void operator()(int a, std::function<void(int)> cb) const
  {
    if (!offset)
      throw std::logic_error("moved from");
    cb(a + *offset);
  }
};

BOOST_FIXTURE_TEST_CASE(a_moved_from_wrapper_keeps_its_executor, io_fixture)
{
  auto echo = awaitify::wrap<void(int)>(asio::any_io_executor(ioc.get_executor()), echo_owning_state());
  auto moved = std::move(echo);
  std::optional<error_code> from_moved;
  std::optional<int> from_new;
  echo(1, [&](error_code ec, int) { from_moved = ec; }); // Crashed on the emptied executor.
  moved(2, [&](error_code, int v) { from_new = v; });
  run();
  // Calling the moved-from function throws, as init may.
  BOOST_TEST((from_moved == error_code(awaitify::error::initiation_failed)));
  BOOST_TEST(from_new == 2);
}

void legacy_add(int a, int b, std::function<void(int)> cb) { cb(a + b); }

/// An SDK's own callback type: made from any callable, one call signature.
class sdk_callback
{
public:
  template <typename F>
  sdk_callback(F f) : f_(std::move(f)) // NOLINT: implicit, as SDKs make it
  {
  }

  void operator()(const std::string& text, int code) const { f_(text, code); }

private:
  std::function<void(const std::string&, int)> f_;
};

void sdk_fetch(const std::string& key, const sdk_callback& done) { done("value of " + key, 0); }

BOOST_FIXTURE_TEST_CASE(the_signature_is_read_off_the_legacy_functions_last_parameter, io_fixture)
{
  auto add = awaitify::wrap(ioc.get_executor(), legacy_add);
  static_assert(std::is_same_v<decltype(add)::completion_signature, void(error_code, int)>);
  auto fetch = awaitify::wrap(ioc.get_executor(), sdk_fetch);
  static_assert(std::is_same_v<decltype(fetch)::completion_signature, void(error_code, std::string, int)>);
  auto lambda = awaitify::wrap(ioc.get_executor(), [](double x, std::function<void(double)> cb) { cb(x * 2); });
  std::optional<int> sum;
  std::optional<std::string> value;
  std::optional<double> twice;
  add(1, 2, [&](error_code, int v) { sum = v; });
  fetch(std::string("k"), [&](error_code, std::string v, int) { value = std::move(v); });
  lambda(1.5, [&](error_code, double v) { twice = v; });
  run();
  BOOST_TEST(sum == 3);
  BOOST_TEST(value == std::string("value of k"));
  BOOST_TEST(twice == 3.0);
}

// The library passes its own buffer by non-const reference: the value is
// copied into the completion, and the library's buffer keeps it.
BOOST_FIXTURE_TEST_CASE(a_value_the_library_passes_by_reference_is_copied_not_moved_from, io_fixture)
{
  std::string library_buffer = "a line the library still owns";
  auto read_line = awaitify::wrap(ioc.get_executor(),
      [&library_buffer](std::function<void(std::string&)> cb) { cb(library_buffer); });
  static_assert(std::is_same_v<decltype(read_line)::completion_signature, void(error_code, std::string)>);
  std::optional<std::string> got;
  read_line([&](error_code, std::string line) { got = std::move(line); });
  run();
  BOOST_TEST(got == std::string("a line the library still owns"));
  BOOST_TEST(library_buffer == "a line the library still owns");
}

// The control: a value passed by value is moved, never copied.
BOOST_FIXTURE_TEST_CASE(a_value_passed_by_value_is_moved, io_fixture)
{
  auto read_owned = awaitify::wrap(ioc.get_executor(), [](std::function<void(std::unique_ptr<int>)> cb) {
    cb(std::make_unique<int>(5));
  });
  std::optional<int> got;
  read_owned([&](error_code, std::unique_ptr<int> p) { got = *p; });
  run();
  BOOST_TEST(got == 5);
}

/// A legacy function object with state: each call sees the previous ones.
struct numbering_service
{
  int calls = 0;

  void operator()(std::function<void(int)> cb) { cb(++calls); }
};

BOOST_FIXTURE_TEST_CASE(every_call_reaches_the_stored_function_object, io_fixture)
{
  auto next_number = awaitify::wrap<void(int)>(ioc.get_executor(), numbering_service());
  auto same_service = next_number;
  std::vector<int> got;
  auto record = [&](error_code, int n) { got.push_back(n); };
  next_number(record);
  next_number(record);
  auto deferred = next_number(asio::deferred);
  same_service(record);
  std::move(deferred)(record);
  run();
  BOOST_TEST((got == std::vector<int>{1, 2, 3, 4}));
}

void overloaded_add(int a, int b, std::function<void(int)> cb) { cb(a + b); }
void overloaded_add(int a, std::function<void(int)> cb) { cb(a); }

BOOST_FIXTURE_TEST_CASE(an_overload_named_by_a_cast, io_fixture)
{
  auto add = awaitify::wrap(ioc.get_executor(), static_cast<void (*)(int, int, std::function<void(int)>)>(overloaded_add));
  auto echo = awaitify::wrap(ioc.get_executor(), static_cast<void (*)(int, std::function<void(int)>)>(overloaded_add));
  std::optional<int> sum, same;
  add(2, 3, [&](error_code, int v) { sum = v; });
  echo(4, [&](error_code, int v) { same = v; });
  run();
  BOOST_TEST(sum == 5);
  BOOST_TEST(same == 4);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
