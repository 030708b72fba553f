// SPDX-License-Identifier: BSL-1.0
//
// Tests for awaitify/c_callback.hpp, against a small C-style API.
//

#include <awaitify/async_call.hpp>
#include <awaitify/c_callback.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include "common/io_fixture.hpp"
#include "common/worker.hpp"

#include <optional>
#include <string>

namespace {

namespace asio = boost::asio;
using awaitify::callback;
using awaitify_test::io_fixture;
using boost::system::error_code;

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
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
