// SPDX-License-Identifier: BSL-1.0
//
// Tests for awaitify/correlator.hpp.
//

#include <awaitify/correlator.hpp>
#include <awaitify/diagnostics.hpp>

#include "common/asio.hpp"
#include <boost/test/unit_test.hpp>

#include "common/io_fixture.hpp"
#include "common/misuse_recorder.hpp"
#include "common/worker.hpp"

#include <atomic>
#include <latch>
#include <memory>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

using awaitify_test::io_fixture;
using awaitify_test::misuse_recorder;
using awaitify::error_code;

using acks = awaitify::correlator<int, void(int), asio::io_context::executor_type>;

BOOST_AUTO_TEST_SUITE(correlator)

BOOST_FIXTURE_TEST_CASE(a_completion_before_the_wait_is_kept, io_fixture)
{
  acks c(ioc.get_executor());
  BOOST_TEST(c.complete(7, 70));
  BOOST_TEST(c.early() == 1u);
  std::optional<int> got;
  c.async_wait(7, [&](error_code ec, int v) {
    BOOST_TEST(!ec);
    got = v;
  });
  BOOST_TEST(c.early() == 0u);
  run();
  BOOST_TEST(got == 70);
}

BOOST_FIXTURE_TEST_CASE(a_wait_completed_from_a_foreign_thread, io_fixture)
{
  acks c(ioc.get_executor());
  awaitify_test::worker network;
  run_coroutine([&]() -> asio::awaitable<void> {
    network.post([c]() mutable { c.complete(1, 10); });
    int v = co_await c.async_wait(1, asio::use_awaitable);
    BOOST_TEST(v == 10);
  });
}

BOOST_FIXTURE_TEST_CASE(fail_all_fails_every_pending_wait, io_fixture)
{
  acks c(ioc.get_executor());
  std::map<int, error_code> results;
  for (int key = 0; key < 3; ++key)
    c.async_wait(key, [&, key](error_code ec, int) { results[key] = ec; });
  c.complete(9, 90); // Kept, then discarded by fail_all.
  BOOST_TEST(c.waiting() == 3u);
  BOOST_TEST(c.fail_all(asio::error::connection_reset) == 3u);
  BOOST_TEST(c.early() == 0u);
  run();
  BOOST_TEST(results.size() == 3u);
  for (auto& [key, ec] : results)
    BOOST_TEST((ec == asio::error::connection_reset));
}

BOOST_FIXTURE_TEST_CASE(cancelling_one_wait_discards_its_late_completion, io_fixture)
{
  acks c(ioc.get_executor());
  asio::cancellation_signal signal;
  std::optional<error_code> cancelled;
  std::optional<int> other;
  c.async_wait(1, asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int) { cancelled = ec; }));
  c.async_wait(2, [&](error_code, int v) { other = v; });
  signal.emit(asio::cancellation_type::terminal);
  BOOST_TEST(c.waiting() == 1u);
  BOOST_TEST(c.complete(2, 20));
  run();
  BOOST_TEST((cancelled == error_code(asio::error::operation_aborted)));
  BOOST_TEST(other == 20);
  BOOST_TEST(!c.complete(1, 10)); // The late answer to the cancelled wait.
  BOOST_TEST(c.early() == 0u);
  BOOST_TEST(c.complete(1, 11));  // A new answer for the key is kept again...
  BOOST_TEST(c.forget(1));        // ...until its owner discards it.
}

BOOST_FIXTURE_TEST_CASE(a_second_wait_for_the_same_key_is_an_error, io_fixture)
{
  acks c(ioc.get_executor());
  std::optional<error_code> first, second;
  c.async_wait(3, [&](error_code ec, int) { first = ec; });
  c.async_wait(3, [&](error_code ec, int) { second = ec; });
  c.fail(3, asio::error::eof);
  run();
  BOOST_TEST((first == error_code(asio::error::eof)));
  BOOST_TEST((second == error_code(awaitify::error::operation_in_progress)));
}

BOOST_FIXTURE_TEST_CASE(a_second_early_completion_is_refused_and_the_first_kept, io_fixture)
{
  acks c(ioc.get_executor());
  BOOST_TEST(c.complete(7, 70));
  BOOST_TEST(!c.complete(7, 71));
  BOOST_TEST(!c.fail(7, asio::error::eof));
  BOOST_TEST(c.early() == 1u);
  std::optional<int> got;
  c.async_wait(7, [&](error_code ec, int v) {
    BOOST_TEST(!ec);
    got = v;
  });
  run();
  BOOST_TEST(got == 70);
}

// A wait that the shutdown of its handler's context abandoned leaves its key:
// the next wait for it starts, and gets the completion.
BOOST_FIXTURE_TEST_CASE(a_wait_abandoned_by_its_handler_contexts_shutdown_frees_its_key, io_fixture)
{
  for (const bool completed_before_the_next_wait : {true, false})
  {
    acks c(ioc.get_executor());
    bool abandoned_ran = false;
    {
      asio::io_context handler_ctx;
      c.async_wait(1, asio::bind_executor(handler_ctx, [&](error_code, int) { abandoned_ran = true; }));
    }
    BOOST_TEST(awaitify::get_counters(ioc).abandoned >= 1u);
    if (completed_before_the_next_wait)
      BOOST_TEST(c.complete(1, 10));
    std::optional<std::pair<error_code, int>> got;
    c.async_wait(1, [&](error_code ec, int v) { got.emplace(ec, v); });
    if (!completed_before_the_next_wait)
      BOOST_TEST(c.complete(1, 10));
    run();
    BOOST_TEST(!abandoned_ran);
    BOOST_TEST_REQUIRE(got.has_value());
    BOOST_TEST(!got->first);
    BOOST_TEST(got->second == 10);
  }
}

BOOST_FIXTURE_TEST_CASE(fail_all_keeps_discarding_the_late_answer_of_a_cancelled_wait, io_fixture)
{
  acks c(ioc.get_executor());
  asio::cancellation_signal signal;
  std::optional<error_code> cancelled;
  c.async_wait(1, asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int) { cancelled = ec; }));
  signal.emit(asio::cancellation_type::terminal);
  BOOST_TEST(c.fail_all(asio::error::connection_reset) == 0u);
  BOOST_TEST(!c.complete(1, 10)); // Still the late answer to the cancelled wait.
  std::optional<int> got;
  c.async_wait(1, [&](error_code, int v) { got = v; });
  BOOST_TEST(c.complete(1, 11));
  run();
  BOOST_TEST((cancelled == error_code(asio::error::operation_aborted)));
  BOOST_TEST(got == 11);
}

BOOST_FIXTURE_TEST_CASE(a_value_completed_by_reference_is_copied_not_moved_from, io_fixture)
{
  awaitify::correlator<int, void(std::string&), asio::io_context::executor_type> replies(ioc.get_executor());
  std::optional<std::string> got;
  replies.async_wait(1, [&](error_code, std::string v) { got = std::move(v); });
  std::string library_buffer = "reply";
  BOOST_TEST(replies.complete(1, library_buffer));
  BOOST_TEST(library_buffer == "reply");
  run();
  BOOST_TEST(got == std::string("reply"));
}

BOOST_FIXTURE_TEST_CASE(completions_racing_the_waits_on_another_thread, io_fixture)
{
  constexpr int keys = 2000;
  acks c(ioc.get_executor());
  std::vector<int> got(keys, -1);
  std::latch start(2);
  std::thread network([&, c]() mutable {
    start.arrive_and_wait();
    for (int key = 0; key < keys; ++key)
      c.complete(key, key * 2);
  });
  start.arrive_and_wait();
  for (int key = 0; key < keys; ++key)
    c.async_wait(key, [&, key](error_code ec, int v) {
      BOOST_TEST(!ec);
      got[std::size_t(key)] = v;
    });
  network.join();
  run();
  for (int key = 0; key < keys; ++key)
    BOOST_REQUIRE(got[std::size_t(key)] == key * 2);
  BOOST_TEST(c.early() == 0u);
}

BOOST_AUTO_TEST_CASE(completions_after_the_context_is_destroyed)
{
  std::optional<acks> c;
  {
    asio::io_context ioc;
    c.emplace(ioc.get_executor());
    for (int key = 0; key < 100; ++key)
      c->async_wait(key, [](error_code, int) { BOOST_FAIL("a handler ran after shutdown"); });
  }
  // The shutdown abandoned the waits and freed their keys: each completion
  // is kept, as for a wait not started yet, and no handler runs.
  std::thread network([&] {
    for (int key = 0; key < 100; ++key)
      BOOST_TEST(c->complete(key, key));
  });
  network.join();
  BOOST_TEST(c->waiting() == 0u);
  BOOST_TEST(c->early() == 100u);
}

BOOST_FIXTURE_TEST_CASE(const_reference_values_and_errors, io_fixture)
{
  awaitify::correlator<int, void(const error_code&, const std::string&), asio::io_context::executor_type> c(
      ioc.get_executor());
  static_assert(std::is_same_v<decltype(c)::completion_signature, void(error_code, std::string)>);
  std::optional<std::string> value;
  std::optional<error_code> failure;
  c.async_wait(1, [&](error_code, std::string v) { value = std::move(v); });
  c.async_wait(2, [&](error_code ec, std::string) { failure = ec; });
  BOOST_TEST(c.complete(1, error_code(), "one"));
  BOOST_TEST(c.complete(2, asio::error::eof, ""));
  run();
  BOOST_TEST(value == std::string("one"));
  BOOST_TEST((failure == error_code(asio::error::eof)));
}

BOOST_FIXTURE_TEST_CASE(destroying_the_last_handle_aborts_the_waits_and_reports_nothing, io_fixture)
{
  misuse_recorder recorder(ioc);
  std::optional<error_code> first, second;
  {
    acks c(ioc.get_executor());
    acks copy = c;
    c.async_wait(1, [&](error_code ec, int) { first = ec; });
    copy.async_wait(2, [&](error_code ec, int) { second = ec; });
  } // Completed them with callback_dropped and reported "dropped" twice.
  run();
  BOOST_TEST((first == error_code(asio::error::operation_aborted)));
  BOOST_TEST((second == error_code(asio::error::operation_aborted)));
  BOOST_TEST(recorder.kinds().empty());
  BOOST_TEST(awaitify::get_counters(ioc).dropped == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_moved_from_correlator_reports_bad_descriptor, io_fixture)
{
  // With the default any_io_executor, which a move empties.
  awaitify::correlator<int, void(int)> c{asio::any_io_executor(ioc.get_executor())};
  auto moved = std::move(c);
  std::optional<error_code> result;
  c.async_wait(1, [&](error_code ec, int) { result = ec; }); // Crashed.
  BOOST_TEST(!c.complete(1, 1));
  BOOST_TEST(!c.fail(1, asio::error::eof));
  BOOST_TEST(c.fail_all(asio::error::eof) == 0u);
  BOOST_TEST(!c.forget(1));
  BOOST_TEST(c.waiting() == 0u);
  BOOST_TEST(c.early() == 0u);
  run();
  BOOST_TEST((result == error_code(asio::error::bad_descriptor)));
}

BOOST_AUTO_TEST_CASE(completions_racing_the_cancellation_of_a_wait_are_no_misuse)
{
  // Probabilistic (the window is a few instructions wide); TSan checks it too.
  for (int round = 0; round < 200; ++round)
  {
    asio::io_context ioc;
    misuse_recorder recorder(ioc);
    acks c(ioc.get_executor());
    asio::cancellation_signal one, two;
    int completed = 0;
    c.async_wait(1, asio::bind_cancellation_slot(one.slot(), [&](error_code, int) { ++completed; }));
    c.async_wait(2, asio::bind_cancellation_slot(two.slot(), [&](error_code, int) { ++completed; }));
    std::latch start(2);
    std::thread network([&] {
      start.arrive_and_wait();
      c.complete(1, 10);
      c.fail_all(asio::error::connection_reset);
    });
    start.arrive_and_wait();
    one.emit(asio::cancellation_type::terminal);
    two.emit(asio::cancellation_type::terminal);
    network.join();
    ioc.run();
    BOOST_TEST_REQUIRE(completed == 2);
    BOOST_TEST_REQUIRE(recorder.kinds().empty());
    BOOST_TEST_REQUIRE(awaitify::get_counters(ioc).late == 0u);
  }
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
