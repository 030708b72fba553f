// SPDX-License-Identifier: BSL-1.0
//
// test/common/io_fixture.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// An io_context that each test must run out of work, and helpers to drive
// coroutines on it.
//

#ifndef AWAITIFY_TEST_COMMON_IO_FIXTURE_HPP
#define AWAITIFY_TEST_COMMON_IO_FIXTURE_HPP

#include <awaitify/diagnostics.hpp>

#include "common/asio.hpp"
#include <boost/test/unit_test.hpp>


#include <exception>
#include <optional>
#include <ostream>
#include <utility>

// Tests compare optional results directly: print them too.
namespace boost {
namespace test_tools {
namespace tt_detail {

template <typename T>
struct print_log_value<std::optional<T>>
{
  void operator()(std::ostream& os, const std::optional<T>& value)
  {
    if (value)
      print_log_value<T>()(os, *value);
    else
      os << "(empty)";
  }
};

} // namespace tt_detail
} // namespace test_tools
} // namespace boost

namespace awaitify_test {


struct io_fixture
{
  asio::io_context ioc;

  /// Runs until the context is out of work; anything else is a failure.
  void run()
  {
    ioc.restart();
    ioc.run();
    BOOST_TEST_REQUIRE(ioc.stopped());
  }

  /// Spawns `coro` on the context, runs it out of work and rethrows what the
  /// coroutine threw.
  template <typename F>
  void run_coroutine(F&& coro)
  {
    spawn_and_run(std::forward<F>(coro), false);
  }

  /// As run_coroutine, stopping the context when the coroutine has finished:
  /// for a context that other work keeps busy (a connection whose socket
  /// stays watched for what the server may send).
  template <typename F>
  void run_coroutine_and_stop(F&& coro)
  {
    spawn_and_run(std::forward<F>(coro), true);
  }

  /// Every operation the test started reached an outcome.
  ~io_fixture()
  {
    BOOST_TEST(awaitify::get_counters(ioc).pending == 0u);
  }

private:
  template <typename F>
  void spawn_and_run(F&& coro, bool stop_when_finished)
  {
    std::exception_ptr failure;
    bool finished = false;
    asio::co_spawn(ioc, std::forward<F>(coro), [&](std::exception_ptr e) {
      failure = e;
      finished = true;
      if (stop_when_finished)
        ioc.stop();
    });
    run();
    BOOST_TEST_REQUIRE(finished);
    if (failure)
      std::rethrow_exception(failure);
  }
};
} // namespace awaitify_test

#endif // AWAITIFY_TEST_COMMON_IO_FIXTURE_HPP
