// SPDX-License-Identifier: BSL-1.0
//
// Tests for awaitify/operation_set.hpp.
//

#include <awaitify/async_call.hpp>
#include <awaitify/c_callback.hpp>
#include <awaitify/diagnostics.hpp>
#include <awaitify/operation_set.hpp>

#include "common/asio.hpp"
#include <boost/test/unit_test.hpp>

#include "common/io_fixture.hpp"
#include "common/misuse_recorder.hpp"
#include "common/worker.hpp"

#include <atomic>
#include <exception>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using awaitify::callback;
using awaitify_test::io_fixture;
using awaitify_test::misuse_recorder;
using awaitify_test::worker;
using awaitify::error_code;

/// A legacy call that joins `set` and keeps its callback, as a library that
/// has not answered yet.
template <typename Signature>
auto joining(awaitify::operation_set& set, std::optional<callback<Signature>>& held)
{
  return [&set, &held](callback<Signature> cb) {
    BOOST_TEST(set.join(cb));
    held = std::move(cb);
  };
}

BOOST_AUTO_TEST_SUITE(operation_set)

BOOST_FIXTURE_TEST_CASE(fail_all_completes_the_pending_members_of_every_signature_with_its_error, io_fixture)
{
  misuse_recorder recorder(ioc);
  awaitify::operation_set set;
  std::optional<callback<void(int)>> a;
  std::optional<callback<void(error_code, std::string)>> b;
  std::optional<callback<void(std::exception_ptr, int)>> c;
  std::optional<callback<void()>> d;
  std::optional<error_code> ra, rb, rd;
  std::optional<std::exception_ptr> rc;
  awaitify::async_call<void(int)>(ioc, joining(set, a), [&](error_code ec, int) { ra = ec; });
  awaitify::async_call<void(error_code, std::string)>(
      ioc, joining(set, b), [&](error_code ec, std::string) { rb = ec; });
  awaitify::async_call<void(std::exception_ptr, int)>(ioc, joining(set, c), [&](std::exception_ptr e, int) { rc = e; });
  awaitify::async_call<void()>(ioc, joining(set, d), [&](error_code ec) { rd = ec; });
  BOOST_TEST(set.pending() == 4u);

  BOOST_TEST(set.fail_all(asio::error::connection_reset) == 4u);
  BOOST_TEST(set.pending() == 0u);
  BOOST_TEST(set.size() == 0u);
  BOOST_TEST(set.is_open()); // fail_all does not close.
  BOOST_TEST(!ra.has_value()); // Posted, never run inside fail_all.
  run();
  BOOST_TEST((ra == error_code(asio::error::connection_reset)));
  BOOST_TEST((rb == error_code(asio::error::connection_reset)));
  BOOST_TEST((rd == error_code(asio::error::connection_reset)));
  BOOST_REQUIRE(rc.has_value() && *rc);
  try
  {
    std::rethrow_exception(*rc);
  }
  catch (const awaitify::system_error& e)
  {
    BOOST_TEST((e.code() == asio::error::connection_reset));
  }

  // The library's answers, when they come, are refused quietly.
  BOOST_TEST(!(*a)(1));
  BOOST_TEST(!(*b)(error_code(), "reply"));
  BOOST_TEST(!(*c)(nullptr, 2));
  BOOST_TEST(!(*d)());
  BOOST_TEST(!a->fail(asio::error::eof));
  const awaitify::counters counters = awaitify::get_counters(ioc);
  BOOST_TEST(counters.completed == 4u); // As the library's own failure would be.
  BOOST_TEST(counters.detached == 5u);  // Every refused answer.
  BOOST_TEST(counters.late == 0u);
  BOOST_TEST(counters.duplicate == 0u);
  BOOST_TEST(recorder.kinds().empty());
}

BOOST_FIXTURE_TEST_CASE(a_c_callback_members_later_c_call_is_refused_quietly, io_fixture)
{
  misuse_recorder recorder(ioc);
  awaitify::operation_set set;
  using done_fn = void (*)(int status, void* user);
  std::promise<std::pair<done_fn, void*>> handed;
  std::optional<std::pair<error_code, int>> result;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        BOOST_TEST(set.join(cb)); // Before the callback moves into the carrier.
        auto c = awaitify::to_c_callback<done_fn>(std::move(cb));
        handed.set_value({c.function(), c.user_data()});
      },
      [&](error_code ec, int status) { result.emplace(ec, status); });
  BOOST_TEST(set.fail_all(asio::error::not_connected) == 1u);
  run();
  BOOST_TEST((result == std::pair<error_code, int>(asio::error::not_connected, 0)));

  const auto c_call = handed.get_future().get();
  worker library;
  std::promise<void> called;
  library.post([&] {
    c_call.first(0, c_call.second); // The library's call, after the connection was failed; frees the carrier.
    called.set_value();
  });
  called.get_future().wait();
  BOOST_TEST(awaitify::get_counters(ioc).detached == 1u);
  BOOST_TEST(awaitify::get_counters(ioc).late == 0u);
  BOOST_TEST(recorder.kinds().empty());
}

BOOST_FIXTURE_TEST_CASE(both_late_calls_of_a_failed_pair_member_are_refused_quietly, io_fixture)
{
  // The library calls the success and then the failure callback of a
  // member the set failed: the second finds the carrier spent, which is no
  // duplicate either.
  misuse_recorder recorder(ioc);
  awaitify::operation_set set;
  using on_done_fn = void (*)(void* context, int status);
  std::optional<awaitify::c_callback_pair<on_done_fn, on_done_fn>> handed;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        BOOST_TEST(set.join(cb));
        handed.emplace(awaitify::to_c_callbacks<on_done_fn, on_done_fn>(std::move(cb),
            [](callback<void(int)>& done, int status) { done(status); },
            [](callback<void(int)>& done, int) { done.fail(asio::error::connection_refused); }));
        (void)handed->user_data();
      },
      [](error_code, int) {});
  BOOST_TEST(set.fail_all(asio::error::not_connected) == 1u);
  run();
  handed->on_success()(handed->user_data(), 0);
  handed->on_failure()(handed->user_data(), 1);
  handed.reset();
  BOOST_TEST(awaitify::get_counters(ioc).detached == 2u);
  BOOST_TEST(awaitify::get_counters(ioc).duplicate == 0u);
  BOOST_TEST(recorder.kinds().empty());
}

BOOST_FIXTURE_TEST_CASE(members_that_ended_otherwise_are_not_affected_and_are_swept_out, io_fixture)
{
  misuse_recorder recorder(ioc);
  awaitify::operation_set set;
  std::optional<callback<void(int)>> pending;
  std::optional<error_code> pending_result;
  awaitify::async_call<void(int)>(ioc, joining(set, pending), [&](error_code ec, int) { pending_result = ec; });

  // A cancelled member and a thousand answered ones.
  asio::cancellation_signal signal;
  std::optional<callback<void(int)>> cancelled;
  std::optional<error_code> cancelled_result;
  awaitify::async_call<void(int)>(ioc, joining(set, cancelled),
      asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int) { cancelled_result = ec; }));
  signal.emit(asio::cancellation_type::terminal);
  int answered = 0;
  std::size_t most_held = 0;
  for (int i = 0; i < 1000; ++i)
  {
    awaitify::async_call<void(int)>(ioc,
        [&](callback<void(int)> cb) {
          set.join(cb);
          cb(i);
        },
        [&, i](error_code ec, int v) { answered += !ec && v == i; });
    most_held = std::max(most_held, set.size());
  }
  // Swept when the set has doubled since the last sweep (and holds 16):
  // the one pending member is all that the set keeps for long.
  BOOST_TEST(most_held <= 16u);
  BOOST_TEST(set.pending() == 1u);

  BOOST_TEST(set.fail_all(asio::error::connection_reset) == 1u);
  run();
  BOOST_TEST(answered == 1000);
  BOOST_TEST((cancelled_result == error_code(asio::error::operation_aborted)));
  BOOST_TEST((pending_result == error_code(asio::error::connection_reset)));
  BOOST_TEST(!(*cancelled)(1)); // Cancelled, not failed by the set: late as ever.
  BOOST_TEST((recorder.kinds() == std::vector<std::string>{"late"}));
  const awaitify::counters counters = awaitify::get_counters(ioc);
  BOOST_TEST(counters.completed == 1001u);
  BOOST_TEST(counters.cancelled == 1u);
  BOOST_TEST(counters.detached == 0u);
}

BOOST_FIXTURE_TEST_CASE(fail_all_racing_with_callbacks_on_a_library_thread_ends_each_member_once, io_fixture)
{
  misuse_recorder recorder(ioc);
  constexpr int rounds = 20;
  constexpr int per_round = 100;
  std::size_t failed_total = 0;
  int refused_total = 0;
  for (int round = 0; round < rounds; ++round)
  {
    awaitify::operation_set set;
    std::vector<callback<void(int)>> held;
    struct result
    {
      int runs = 0;
      error_code ec;
      int value = -1;
    };
    std::vector<result> results(per_round);
    for (int i = 0; i < per_round; ++i)
      awaitify::async_call<void(int)>(ioc,
          [&](callback<void(int)> cb) {
            set.join(cb);
            held.push_back(std::move(cb));
          },
          [&, i](error_code ec, int v) {
            ++results[static_cast<std::size_t>(i)].runs;
            results[static_cast<std::size_t>(i)].ec = ec;
            results[static_cast<std::size_t>(i)].value = v;
          });

    // The library answers in order; the connection fails once it has
    // answered a number of them that varies by round, while it goes on.
    std::atomic<int> answers{0};
    std::promise<int> accepted;
    int refused = 0;
    {
      worker library;
      library.post([&] {
        int n = 0;
        for (std::size_t i = 0; i < held.size(); ++i)
        {
          if (held[i](static_cast<int>(i)))
            ++n;
          else
            ++refused;
          answers.fetch_add(1, std::memory_order_release);
        }
        held.clear();
        accepted.set_value(n);
      });
      while (answers.load(std::memory_order_acquire) < round * per_round / rounds)
        std::this_thread::yield();
      const std::size_t failed = set.fail_all(asio::error::connection_reset);
      const int delivered = accepted.get_future().get();
      BOOST_TEST(failed + static_cast<std::size_t>(delivered) == static_cast<std::size_t>(per_round));
      failed_total += failed;
    }
    refused_total += refused;
    run();
    int failed_runs = 0;
    for (std::size_t i = 0; i < results.size(); ++i)
    {
      BOOST_TEST(results[i].runs == 1);
      if (results[i].ec)
      {
        BOOST_TEST((results[i].ec == asio::error::connection_reset));
        ++failed_runs;
      }
      else
        BOOST_TEST(results[i].value == static_cast<int>(i));
    }
    BOOST_TEST(failed_runs == refused);
  }
  BOOST_TEST(failed_total == static_cast<std::size_t>(refused_total));
  BOOST_TEST_MESSAGE("fail_all won " << failed_total << " of " << rounds * per_round << " races");
  const awaitify::counters counters = awaitify::get_counters(ioc);
  BOOST_TEST(counters.detached == static_cast<std::uint64_t>(refused_total));
  BOOST_TEST(counters.late == 0u);
  BOOST_TEST(counters.duplicate == 0u);
  BOOST_TEST(recorder.kinds().empty());
}

BOOST_FIXTURE_TEST_CASE(destroying_the_set_completes_its_pending_members_with_operation_aborted, io_fixture)
{
  misuse_recorder recorder(ioc);
  std::optional<callback<void(int)>> a;
  std::optional<callback<void(std::string)>> b;
  std::optional<error_code> ra, rb;
  {
    awaitify::operation_set set;
    awaitify::async_call<void(int)>(ioc, joining(set, a), [&](error_code ec, int) { ra = ec; });
    awaitify::async_call<void(std::string)>(ioc, joining(set, b), [&](error_code ec, std::string) { rb = ec; });
  }
  BOOST_TEST(!ra.has_value());
  run();
  BOOST_TEST((ra == error_code(asio::error::operation_aborted)));
  BOOST_TEST((rb == error_code(asio::error::operation_aborted)));
  // Callbacks arriving after the set is gone touch only their operations.
  worker library;
  std::promise<bool> answered;
  library.post([&] { answered.set_value((*a)(1) || (*b)("late")); });
  BOOST_TEST(!answered.get_future().get());
  BOOST_TEST(awaitify::get_counters(ioc).detached == 2u);
  BOOST_TEST(recorder.kinds().empty());
}

BOOST_FIXTURE_TEST_CASE(a_join_after_close_fails_at_once_with_the_closing_error, io_fixture)
{
  awaitify::operation_set set;
  std::optional<callback<void(int)>> before;
  std::optional<error_code> r_before, r_after;
  awaitify::async_call<void(int)>(ioc, joining(set, before), [&](error_code ec, int) { r_before = ec; });
  BOOST_TEST(set.close(asio::error::shut_down) == 1u);
  BOOST_TEST(!set.is_open());
  bool library_called = false;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        if (!set.join(cb))
          return; // The connection is gone: do not call the library.
        library_called = true;
      },
      [&](error_code ec, int) { r_after = ec; });
  BOOST_TEST(!r_after.has_value()); // Posted, not run inside the initiation.
  BOOST_TEST(set.size() == 0u);
  BOOST_TEST(set.fail_all(asio::error::eof) == 0u);
  run();
  BOOST_TEST(!library_called);
  BOOST_TEST((r_before == error_code(asio::error::shut_down)));
  BOOST_TEST((r_after == error_code(asio::error::shut_down)));
  BOOST_TEST(awaitify::get_counters(ioc).dropped == 0u);
}

BOOST_FIXTURE_TEST_CASE(members_joined_after_fail_all_are_members_of_the_open_set, io_fixture)
{
  awaitify::operation_set set;
  BOOST_TEST(set.fail_all(asio::error::eof) == 0u);
  std::optional<callback<void(int)>> held;
  std::optional<error_code> result;
  awaitify::async_call<void(int)>(ioc, joining(set, held), [&](error_code ec, int) { result = ec; });
  BOOST_TEST(set.pending() == 1u);
  BOOST_TEST(set.fail_all(asio::error::timed_out) == 1u);
  run();
  BOOST_TEST((result == error_code(asio::error::timed_out)));
}

BOOST_AUTO_TEST_CASE(a_member_whose_context_was_shut_down_is_left_alone)
{
  // The set's share keeps the abandoned operation's anchor alive, in every
  // order of the set's end, the callback's and the context's.
  for (const bool set_goes_first : {false, true})
    for (const bool fail_before : {false, true})
    {
      std::optional<awaitify::operation_set> set(std::in_place);
      std::optional<callback<void(int)>> held;
      std::optional<misuse_recorder> recorder;
      bool ran = false;
      {
        asio::io_context ctx;
        recorder.emplace(ctx);
        awaitify::async_call<void(int)>(ctx, joining(*set, held), [&](error_code, int) { ran = true; });
        BOOST_TEST(set->pending() == 1u);
      } // Shut down with the member pending: abandoned.
      BOOST_TEST(set->pending() == 0u);
      if (fail_before)
        BOOST_TEST(set->fail_all(asio::error::connection_reset) == 0u);
      if (set_goes_first)
        set.reset();
      BOOST_TEST(!(*held)(1)); // Late, by the shutdown rule, not the set's.
      held.reset();
      set.reset();
      BOOST_TEST(!ran);
      BOOST_TEST((recorder->kinds() == std::vector<std::string>{"late"}));
    }
}

BOOST_FIXTURE_TEST_CASE(a_dropped_member_is_still_reported_as_dropped, io_fixture)
{
  // The set holds no callback copy: a lost callback is still found.
  misuse_recorder recorder(ioc);
  awaitify::operation_set set;
  std::optional<error_code> result;
  awaitify::async_call<void(int)>(ioc, [&](callback<void(int)> cb) { BOOST_TEST(set.join(cb)); },
      [&](error_code ec, int) { result = ec; });
  run(); // Returns: the set does not keep the operation going.
  BOOST_TEST((result == error_code(awaitify::error::callback_dropped)));
  BOOST_TEST((recorder.kinds() == std::vector<std::string>{"dropped"}));
  BOOST_TEST(set.fail_all(asio::error::connection_reset) == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_moved_from_callback_joins_nothing, io_fixture)
{
  awaitify::operation_set set;
  std::optional<int> result;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        callback<void(int)> taken = std::move(cb);
        BOOST_TEST(!set.join(cb));
        BOOST_TEST(set.size() == 0u);
        taken(3);
      },
      [&](error_code, int v) { result = v; });
  run();
  BOOST_TEST(result == 3);
}

BOOST_FIXTURE_TEST_CASE(a_member_waiting_for_its_callback_after_a_cancellation_is_failed, io_fixture)
{
  // The library was asked to stop but has not answered; the connection goes.
  misuse_recorder recorder(ioc);
  awaitify::operation_set set;
  asio::cancellation_signal signal;
  std::optional<callback<void(int)>> held;
  int hook_runs = 0;
  std::optional<error_code> result;
  awaitify::async_call<void(int)>(ioc,
      [&](callback<void(int)> cb) {
        cb.on_cancel([&] { ++hook_runs; }, asio::cancellation_type::terminal, awaitify::after_cancel::wait_for_callback);
        set.join(cb);
        held = std::move(cb);
      },
      asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, int) { result = ec; }));
  signal.emit(asio::cancellation_type::terminal);
  BOOST_TEST(hook_runs == 1);
  BOOST_TEST(set.pending() == 1u);
  BOOST_TEST(set.fail_all(asio::error::connection_reset) == 1u);
  run();
  BOOST_TEST((result == error_code(asio::error::connection_reset)));
  BOOST_TEST(!(*held)(1));
  BOOST_TEST(recorder.kinds().empty());
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
