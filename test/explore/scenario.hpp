// SPDX-License-Identifier: BSL-1.0
//
// A scenario: a sequence of events on awaitify's state machines (an
// operation's outcome, hooks, copies and work; a flow-controlled stream; a
// correlator; an operation set), played on one thread, with the invariants
// checked after every event. Each event is one of the points where
// awaitify's threads meet (a callback made, a copy dropped, a cancellation of
// one type, a hook that calls back, a handler run, a context shut down, a
// push, a take, a grant, a set failing its members), so a sequence of events
// is one interleaving of them. The exploration test
// enumerates every short sequence; the fuzzer plays the sequences it
// generates. A broken invariant is recorded, never thrown, so that a
// scenario always ends and frees what it made.
//

#ifndef AWAITIFY_TEST_EXPLORE_SCENARIO_HPP
#define AWAITIFY_TEST_EXPLORE_SCENARIO_HPP

#include <awaitify/async_call.hpp>
#include <awaitify/c_callback.hpp>
#include <awaitify/correlator.hpp>
#include <awaitify/diagnostics.hpp>
#include <awaitify/on.hpp>
#include <awaitify/operation_set.hpp>
#include <awaitify/stream.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/io_context_strand.hpp>

#include "common/counting_executor.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace awaitify_test::explore {

namespace asio = boost::asio;
using boost::system::error_code;

enum class event : std::uint8_t
{
  // An operation, in the mode of the event's parameter (see op_mode).
  start,
  invoke,
  drop,
  copy,
  cancel_terminal,
  cancel_partial,
  // The contexts: run one handler of either, destroy the handler context.
  run_io,
  run_app,
  shutdown_app,
  // A flow-controlled stream of capacity 2.
  push,
  push_beyond_demand,
  take,
  close,
  // A correlator, for key (parameter & 1), its handler on either context.
  wait_key,
  complete_key,
  cancel_wait,
  // An operation started through a C carrier (op_mode::through_c): a copy
  // of its handle hands the carrier to C, or reclaims it. There, `invoke` is
  // the C library's call, `copy` and `drop` act on the handles.
  c_hand_over,
  c_reclaim,
  // The operation set that every operation joins in its init: fail_all
  // (parameter % 3 == 0), close (1), or its destruction and a new set (2).
  fail_set,
  // The next function posted to either context runs, with whatever else is
  // ready there, before its poster leaves the executor's execute(): a
  // handler that runs before the thread that completed it is out.
  run_inside,
  // An operation (op_mode from the parameter) whose handler is bound to an
  // io_context::strand of the handler context, which cannot be posted to
  // directly: its completion is delivered to the I/O context, which
  // dispatches it there.
  start_through_io,
  count
};

const char* to_string(event e) noexcept;

struct step
{
  event what;
  std::uint8_t parameter;
};

/// What an operation started with `start` does, from the event's parameter.
struct op_mode
{
  bool handler_on_app;   // bit 0: the handler is bound to the other context
  bool has_hook;         // bit 1
  bool hook_waits;       // bit 2: after_cancel::wait_for_callback
  bool hook_partial;     // bit 3: the hook honours partial (else terminal only)
  bool hook_calls_back;  // bit 4: the hook invokes a copy, as a library
                         // reporting its cancellation from its cancel call
  bool through_c;        // bit 5: the callback goes through a c_callback
  bool hook_detaches;    // bit 6: after_cancel::detach (unless the hook waits)
  bool init_on_lib;      // bit 7: awaitify::on(the library context, init):
                         // init (and its hooks) queued there until run_app

  static op_mode from(std::uint8_t p) noexcept
  {
    return {(p & 1) != 0, (p & 2) != 0, (p & 4) != 0, (p & 8) != 0, (p & 16) != 0, (p & 32) != 0, (p & 64) != 0,
        (p & 128) != 0};
  }
};

using c_done_fn = void (*)(int status, void* user);

/// The executor of both contexts: it counts the work held through it, and
/// runs a function inside execute() for run_inside.
using executor = awaitify_test::counting_executor<false>;

class scenario
{
public:
  scenario();
  scenario(const scenario&) = delete;
  scenario& operator=(const scenario&) = delete;
  ~scenario();

  void play(const step& s);

  /// Drops every copy, runs both contexts out of work, destroys everything,
  /// and checks the final invariants. Returns the broken invariants.
  std::vector<std::string> finish();

private:
  struct op_state
  {
    op_mode mode{};
    bool on_app = false;
    bool through_io = false;
    bool expected_abandoned = false;
    bool in_hook = false;
    // What may explain a lost invocation: a result before it (a duplicate),
    // a cancellation signal or a shutdown (late). A failure by the set
    // explains neither: its result is still due.
    bool invoked = false;
    bool cancel_signalled = false;
    int handler_runs = 0;
    std::vector<awaitify::callback<void(int)>> copies;
    // Through C: the handles, and what C was handed (until it calls back).
    std::vector<awaitify::c_callback<c_done_fn>> c_handles;
    c_done_fn c_function = nullptr;
    void* c_user_data = nullptr;
    bool c_spent = false;
    asio::cancellation_signal signal;
    std::shared_ptr<int> token = std::make_shared<int>(0); // Held by the handler.
  };

  struct wait_state
  {
    int key = 0;
    bool on_app = false;
    bool decided = false;
    bool in_progress_allowed = false;
    int handler_runs = 0;
    asio::cancellation_signal signal;
    std::shared_ptr<int> token = std::make_shared<int>(0);
  };

  void start(op_mode mode, bool through_io = false);
  /// Invokes the operation's callback (or makes the C library's call), and
  /// checks that a lost invocation is reported only as what explains it.
  void invoke(op_state& op, std::uint8_t parameter);
  /// The C library's one call, if it holds a carrier it did not call yet.
  void call_c(op_state& op, int value);
  void check_contexts_not_stopped(const char* after);
  void violation(std::string what);
  void run_everything();
  /// Starts the consumer's next wait; `ended`, if given, is set at the end.
  void take_next(bool* ended);
  /// The executors of the two contexts.
  executor io_executor() { return executor(*io_, io_counts_); }
  executor app_executor() { return executor(*app_, app_counts_); }
  /// Runs both contexts' ready handlers; a context that runs out of work
  /// here stops, which is no foreign release, so it is restarted.
  void poll_both();
  /// Destroys the handler context.
  void destroy_app();

  // The executor of a thread-bound library (awaitify::on), which outlives
  // the operations bound to it, as awaitify::on requires; run with app_.
  awaitify_test::executor_counts io_counts_;
  awaitify_test::executor_counts app_counts_;
  std::optional<asio::io_context> lib_{std::in_place};
  std::optional<asio::io_context> io_{std::in_place};
  std::optional<asio::io_context> app_{std::in_place};
  bool app_destroyed_ = false;
  std::deque<op_state> ops_;
  std::optional<awaitify::operation_set> set_{std::in_place};

  std::optional<awaitify::stream<void(int), executor>> stream_;
  std::optional<awaitify::sink<void(int)>> producer_;
  int pushed_ = 0;
  int taken_ = 0;
  bool taking_ = false;

  std::optional<awaitify::correlator<int, void(int), executor>> correlator_;
  std::deque<wait_state> waits_;
  bool discard_due_[2] = {false, false};
  bool early_kept_[2] = {false, false};

  std::vector<std::string> violations_;
};

/// Plays `steps` on a fresh scenario and finishes it: the broken invariants.
std::vector<std::string> play_all(const std::vector<step>& steps);

} // namespace awaitify_test::explore

#endif // AWAITIFY_TEST_EXPLORE_SCENARIO_HPP
