// SPDX-License-Identifier: BSL-1.0
//
// Tests for awaitify/fd_driver.hpp, on a socket pair: deterministic, no
// sleeps (a readiness is made by writing before run()).
//

#include <awaitify/fd_driver.hpp>

#include "common/asio.hpp"
#include <boost/test/unit_test.hpp>

#include "common/io_fixture.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <vector>

// Boost.Test prints the events it compares.
namespace awaitify {
inline std::ostream& boost_test_print_type(std::ostream& os, fd_event e)
{
  return os << "fd_event(" << static_cast<unsigned>(e) << ")";
}
} // namespace awaitify

namespace {

using awaitify::fd_event;
using awaitify_test::io_fixture;
using namespace std::chrono_literals;

/// A connected pair of stream sockets, closed by the test, never by a driver.
struct socket_pair
{
  int fd[2] = {-1, -1};

  socket_pair()
  {
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fd) != 0)
      throw std::runtime_error("socketpair failed");
  }

  ~socket_pair()
  {
    close(fd[0]);
    close(fd[1]);
  }

  /// Makes fd[0] readable.
  void send_to_first(char c = 'x') const { BOOST_TEST_REQUIRE(::write(fd[1], &c, 1) == 1); }

  /// Consumes one byte of fd[0].
  char take_from_first() const
  {
    char c = 0;
    BOOST_TEST_REQUIRE(::read(fd[0], &c, 1) == 1);
    return c;
  }

  static bool is_open(int f) { return fcntl(f, F_GETFD) != -1; }
};

struct fd_fixture : io_fixture
{
  socket_pair pair;
  std::vector<fd_event> events;
};

BOOST_AUTO_TEST_SUITE(fd_driver)

BOOST_FIXTURE_TEST_CASE(read_readiness_is_reported_on_the_executor_never_inline, fd_fixture)
{
  pair.send_to_first();
  awaitify::fd_driver driver(ioc, pair.fd[0], [&](fd_event e) {
    BOOST_TEST(ioc.get_executor().running_in_this_thread());
    events.push_back(e);
    pair.take_from_first();
    driver.unwatch(fd_event::read);
  });
  driver.watch(fd_event::read);
  BOOST_TEST(events.empty()); // Ready already, but not reported inside watch().
  BOOST_TEST((driver.watched() == fd_event::read));
  run();
  BOOST_TEST((events == std::vector<fd_event>{fd_event::read}));
  BOOST_TEST((driver.watched() == fd_event::none));
}

BOOST_FIXTURE_TEST_CASE(write_readiness_is_reported, fd_fixture)
{
  awaitify::fd_driver driver(ioc, pair.fd[0], [&](fd_event e) {
    events.push_back(e);
    driver.unwatch(fd_event::write);
  });
  driver.watch(fd_event::write);
  run();
  BOOST_TEST((events == std::vector<fd_event>{fd_event::write}));
}

BOOST_FIXTURE_TEST_CASE(a_watch_persists_until_unwatched, fd_fixture)
{
  pair.send_to_first('a');
  pair.send_to_first('b');
  pair.send_to_first('c');
  std::vector<char> read;
  awaitify::fd_driver driver(ioc, pair.fd[0], [&](fd_event) {
    read.push_back(pair.take_from_first()); // One byte per report: still readable.
    if (read.size() == 3)
      driver.unwatch(fd_event::read);
  });
  driver.watch(fd_event::read);
  run();
  BOOST_TEST((read == std::vector<char>{'a', 'b', 'c'}));
}

BOOST_FIXTURE_TEST_CASE(a_watch_persists_after_the_handler_throws, fd_fixture)
{
  pair.send_to_first('a');
  std::vector<char> read;
  awaitify::fd_driver driver(ioc, pair.fd[0], [&](fd_event) {
    read.push_back(pair.take_from_first());
    if (read.size() == 1)
      throw std::runtime_error("the library's handler failed");
    driver.unwatch(fd_event::read);
  });
  driver.watch(fd_event::read);
  BOOST_CHECK_THROW(ioc.run(), std::runtime_error); // Leaves run(), as a handler's exception does.
  pair.send_to_first('b');
  run(); // Before: nothing was waiting any more, and 'b' was never reported.
  BOOST_TEST((read == std::vector<char>{'a', 'b'}));
}

BOOST_FIXTURE_TEST_CASE(read_and_write_are_reported_separately, fd_fixture)
{
  pair.send_to_first();
  awaitify::fd_driver driver(ioc, pair.fd[0], [&](fd_event e) {
    events.push_back(e);
    driver.unwatch(e); // Only the direction reported.
  });
  driver.watch(fd_event::read | fd_event::write);
  run();
  BOOST_TEST_REQUIRE(events.size() == 2u);
  BOOST_TEST(((events[0] | events[1]) == (fd_event::read | fd_event::write)));
}

BOOST_FIXTURE_TEST_CASE(unwatch_before_the_report_stops_it, fd_fixture)
{
  pair.send_to_first();
  awaitify::fd_driver driver(ioc, pair.fd[0], [&](fd_event e) { events.push_back(e); });
  driver.watch(fd_event::read | fd_event::write);
  driver.unwatch(fd_event::read | fd_event::write);
  run(); // Out of work: the waits were cancelled.
  BOOST_TEST(events.empty());
}

// Both directions of one descriptor complete in one pass of the reactor: the
// second is queued, completed, while the first one's handler runs. Unwatched
// there, it must not be reported.
BOOST_FIXTURE_TEST_CASE(a_readiness_completed_before_the_unwatch_is_discarded, fd_fixture)
{
  pair.send_to_first();
  awaitify::fd_driver driver(ioc, pair.fd[0], [&](fd_event e) {
    events.push_back(e);
    driver.unwatch(fd_event::read | fd_event::write);
  });
  driver.watch(fd_event::read | fd_event::write);
  run();
  BOOST_TEST(events.size() == 1u);
}

// Unwatched and watched again from the handler: the queued completion belongs
// to the old watch and is dropped, and the new watch reports afresh.
BOOST_FIXTURE_TEST_CASE(a_rewatch_reports_afresh_not_the_stale_completion, fd_fixture)
{
  pair.send_to_first();
  int writes = 0;
  awaitify::fd_driver driver(ioc, pair.fd[0], [&](fd_event e) {
    events.push_back(e);
    if (e == fd_event::read)
    {
      pair.take_from_first();
      driver.unwatch(fd_event::read);
    }
    else if (++writes == 1)
    {
      driver.unwatch(fd_event::write);
      driver.watch(fd_event::write);
    }
    else
      driver.unwatch(fd_event::write);
  });
  driver.watch(fd_event::read | fd_event::write);
  run();
  BOOST_TEST(writes == 2);
  BOOST_TEST(events.size() == 3u);
}

BOOST_FIXTURE_TEST_CASE(a_timeout_fires_once, fd_fixture)
{
  awaitify::fd_driver driver(ioc, pair.fd[0], [&](fd_event e) { events.push_back(e); });
  driver.set_timeout(0ms);
  BOOST_TEST(driver.timeout_set());
  BOOST_TEST(events.empty());
  run();
  BOOST_TEST((events == std::vector<fd_event>{fd_event::timeout}));
  BOOST_TEST(!driver.timeout_set());
}

BOOST_FIXTURE_TEST_CASE(a_cleared_timeout_is_not_reported, fd_fixture)
{
  awaitify::fd_driver driver(ioc, pair.fd[0], [&](fd_event e) { events.push_back(e); });
  driver.set_timeout(0ms);
  driver.clear_timeout();
  run();
  BOOST_TEST(events.empty());
}

BOOST_FIXTURE_TEST_CASE(a_new_timeout_replaces_the_old_one, fd_fixture)
{
  awaitify::fd_driver driver(ioc, pair.fd[0], [&](fd_event e) { events.push_back(e); });
  driver.set_timeout(0ms);
  driver.set_timeout(1ms);
  run();
  BOOST_TEST((events == std::vector<fd_event>{fd_event::timeout}));
}

// An expired timeout whose completion is queued, cleared from another
// report's handler: it must not be reported.
BOOST_FIXTURE_TEST_CASE(an_expired_timeout_cleared_from_the_handler_is_discarded, fd_fixture)
{
  awaitify::fd_driver driver(ioc, pair.fd[0], [&](fd_event e) {
    events.push_back(e);
    driver.clear_timeout();
    driver.unwatch(fd_event::write);
  });
  driver.set_timeout(0ms);
  driver.watch(fd_event::write);
  run();
  BOOST_TEST(events.size() == 1u);
}

// What hiredis does: its read handler calls addRead/delRead, its timer
// callback re-arms. Each call is made from the handler, none re-enters it.
BOOST_FIXTURE_TEST_CASE(rearming_from_inside_the_handler_does_not_reenter, fd_fixture)
{
  pair.send_to_first();
  int depth = 0;
  int max_depth = 0;
  awaitify::fd_driver driver(ioc, pair.fd[0], [&](fd_event e) {
    max_depth = std::max(max_depth, ++depth);
    events.push_back(e);
    switch (events.size())
    {
    case 1: // read: now wait for writability
      driver.unwatch(fd_event::read);
      driver.watch(fd_event::write);
      break;
    case 2: // write: now a timeout
      driver.unwatch(fd_event::write);
      driver.set_timeout(0ms);
      break;
    case 3: // timeout: read again (the byte is still there)
      driver.watch(fd_event::read);
      break;
    default:
      pair.take_from_first();
      driver.unwatch(fd_event::read);
    }
    --depth;
  });
  driver.watch(fd_event::read);
  run();
  BOOST_TEST(max_depth == 1);
  BOOST_TEST((events == std::vector<fd_event>{fd_event::read, fd_event::write, fd_event::timeout, fd_event::read}));
}

BOOST_FIXTURE_TEST_CASE(destruction_with_waits_pending_reports_nothing, fd_fixture)
{
  {
    awaitify::fd_driver driver(ioc, pair.fd[0], [&](fd_event e) { events.push_back(e); });
    driver.watch(fd_event::read | fd_event::write); // write is ready: completes before run()
    driver.set_timeout(1h);
  }
  run(); // The cancelled waits run and find the driver gone.
  BOOST_TEST(events.empty());
  BOOST_TEST(socket_pair::is_open(pair.fd[0]));
}

// hiredis frees its context (and the driver, in its cleanup hook) from inside
// redisAsyncHandleRead.
BOOST_FIXTURE_TEST_CASE(destruction_from_inside_the_handler_stops_every_report, fd_fixture)
{
  pair.send_to_first();
  std::optional<awaitify::fd_driver> driver;
  auto keep_alive = std::make_shared<int>(0); // Captured: destroyed after the handler returns.
  driver.emplace(ioc, pair.fd[0], [&, keep_alive](fd_event e) {
    events.push_back(e);
    driver.reset();
    BOOST_TEST(*keep_alive == 0); // The handler's captures are still alive.
  });
  driver->watch(fd_event::read | fd_event::write);
  driver->set_timeout(0ms);
  std::weak_ptr<int> watch_capture = keep_alive;
  keep_alive.reset();
  run();
  BOOST_TEST(events.size() == 1u);
  BOOST_TEST(watch_capture.expired()); // The handler was destroyed.
  BOOST_TEST(socket_pair::is_open(pair.fd[0]));
}

BOOST_FIXTURE_TEST_CASE(the_descriptor_is_never_closed, fd_fixture)
{
  {
    awaitify::fd_driver driver(ioc, pair.fd[0], [&](fd_event e) {
      events.push_back(e);
      driver.unwatch(fd_event::write);
    });
    driver.watch(fd_event::write);
    run();
  }
  BOOST_TEST_REQUIRE(socket_pair::is_open(pair.fd[0]));
  pair.send_to_first('z'); // Still usable.
  BOOST_TEST(pair.take_from_first() == 'z');
}

BOOST_FIXTURE_TEST_CASE(a_moved_driver_keeps_driving, fd_fixture)
{
  awaitify::fd_driver first(ioc, pair.fd[0], [&](fd_event e) { events.push_back(e); });
  first.set_timeout(0ms);
  awaitify::fd_driver second(std::move(first));
  run();
  BOOST_TEST((events == std::vector<fd_event>{fd_event::timeout}));
  BOOST_TEST(second.native_handle() == pair.fd[0]);
}

BOOST_FIXTURE_TEST_CASE(a_timer_only_driver_has_no_descriptor_to_watch, fd_fixture)
{
  awaitify::fd_driver driver(ioc, -1, [&](fd_event e) { events.push_back(e); });
  BOOST_CHECK_THROW(driver.watch(fd_event::read), awaitify::system_error);
  driver.unwatch(fd_event::read); // Nothing watched: nothing to do.
  driver.set_timeout(0ms);
  run();
  BOOST_TEST((events == std::vector<fd_event>{fd_event::timeout}));
}

BOOST_AUTO_TEST_CASE(the_mask_operators)
{
  BOOST_TEST(((fd_event::read | fd_event::write) & fd_event::write) == fd_event::write);
  BOOST_TEST((~fd_event::read == (fd_event::write | fd_event::timeout)));
  BOOST_TEST((~fd_event::none == (fd_event::read | fd_event::write | fd_event::timeout)));
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
