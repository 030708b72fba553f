// SPDX-License-Identifier: BSL-1.0
//
// Schedule exploration: every short sequence of the events where awaitify's
// threads meet, for an operation (in every mode of its hooks and handler
// executor, and failed by its operation set), a flow-controlled stream and a
// correlator, each played from a fresh state with every invariant checked
// after each event (see explore/scenario.hpp); then seeded random sequences
// over all of them.
//

#include <boost/test/unit_test.hpp>

#include "explore/scenario.hpp"

#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using awaitify_test::explore::event;
using awaitify_test::explore::step;

std::string describe(const std::vector<step>& steps)
{
  std::ostringstream out;
  for (const step& s : steps)
    out << to_string(s.what) << "(" << int(s.parameter) << ") ";
  return out.str();
}

/// Plays `steps` from a fresh scenario; reports what it broke.
bool passes(const std::vector<step>& steps)
{
  const std::vector<std::string> broken = awaitify_test::explore::play_all(steps);
  if (broken.empty())
    return true;
  BOOST_ERROR(broken.front() << " after: " << describe(steps));
  return false;
}

/// Every sequence of 1 to `length` events from `alphabet`, after `prefix`.
/// Returns how many scenarios it played; stops at the first few failures.
std::size_t explore_all(const std::vector<step>& prefix, const std::vector<step>& alphabet, std::size_t length)
{
  std::size_t played = 0;
  int failures = 0;
  std::vector<std::size_t> index;
  for (std::size_t n = 1; n <= length; ++n)
  {
    index.assign(n, 0);
    for (;;)
    {
      std::vector<step> steps(prefix);
      for (std::size_t i : index)
        steps.push_back(alphabet[i]);
      ++played;
      if (!passes(steps) && ++failures == 3)
        return played;
      std::size_t digit = 0;
      while (digit < n && ++index[digit] == alphabet.size())
        index[digit++] = 0;
      if (digit == n)
        break;
    }
  }
  return played;
}

/// Explores every order of up to 4 events of `alphabet` after an operation
/// started by `start` in each of `modes`.
std::size_t explore_modes(event start, const std::vector<std::uint8_t>& modes, const std::vector<step>& alphabet)
{
  std::size_t played = 0;
  for (std::uint8_t mode : modes)
    played += explore_all({{start, mode}}, alphabet, 4);
  return played;
}

/// The events of one operation against both contexts.
const std::vector<step> operation_alphabet{{event::invoke, 0}, {event::drop, 0}, {event::copy, 0},
    {event::cancel_terminal, 0}, {event::cancel_partial, 0}, {event::run_io, 0}, {event::run_app, 0},
    {event::shutdown_app, 0}, {event::run_inside, 0}};

BOOST_AUTO_TEST_SUITE(explore)

BOOST_AUTO_TEST_CASE(every_order_of_the_events_of_one_operation)
{
  // Modes: handler on either context, no hook or a hook of each kind (waiting
  // or not, partial or terminal, calling back from inside or not).
  std::vector<std::uint8_t> modes{0, 1};
  for (std::uint8_t hook = 0; hook < 8; ++hook)
    for (std::uint8_t on_app = 0; on_app < 2; ++on_app)
      modes.push_back(static_cast<std::uint8_t>(on_app | 2 | (hook << 2)));
  // A hook that detaches (after_cancel::detach), partial or terminal.
  for (std::uint8_t partial = 0; partial < 2; ++partial)
    modes.push_back(static_cast<std::uint8_t>(2 | 64 | (partial << 3)));
  // The init queued on the library's context (awaitify::on), with no hook, a
  // waiting hook that calls back, and its handler there too.
  for (int m : {128, 128 | 2 | 4 | 16, 128 | 1 | 2})
    modes.push_back(static_cast<std::uint8_t>(m));
  const std::size_t played = explore_modes(event::start, modes, operation_alphabet);
  BOOST_TEST(played > 75000u);
  BOOST_TEST_MESSAGE("operation: " << played << " scenarios");
}

BOOST_AUTO_TEST_CASE(every_order_of_the_events_of_an_operation_whose_handler_is_reached_through_the_io_context)
{
  // Its completion is delivered to the I/O context, which dispatches it to
  // a strand of the handler context: no hook, a hook of each kind (waiting
  // and calling back, detaching), and an init queued on the library's
  // context.
  const std::vector<std::uint8_t> modes{0, 2, 2 | 8, 2 | 4 | 16, 2 | 64, 128};
  const std::size_t played = explore_modes(event::start_through_io, modes, operation_alphabet);
  BOOST_TEST(played > 30000u);
  BOOST_TEST_MESSAGE("operation through the I/O context: " << played << " scenarios");
}

BOOST_AUTO_TEST_CASE(every_order_of_the_events_of_an_operation_through_a_c_carrier)
{
  // Handles copied and dropped, the carrier handed to C or reclaimed, C's
  // call, against cancellation (a hook that calls through C or not) and
  // both contexts.
  constexpr std::uint8_t through_c = 32;
  const std::vector<std::uint8_t> modes{through_c, through_c | 1, through_c | 2, through_c | 2 | 16,
      through_c | 2 | 4 | 16, through_c | 1 | 2 | 4};
  const std::vector<step> alphabet{{event::invoke, 0}, {event::drop, 0}, {event::copy, 0}, {event::c_hand_over, 0},
      {event::c_reclaim, 0}, {event::cancel_terminal, 0}, {event::run_io, 0}, {event::shutdown_app, 0}};
  const std::size_t played = explore_modes(event::start, modes, alphabet);
  BOOST_TEST(played > 20000u);
  BOOST_TEST_MESSAGE("operation through C: " << played << " scenarios");
}

BOOST_AUTO_TEST_CASE(every_order_of_the_events_of_an_operation_whose_set_fails)
{
  // The set that the operation joined fails it (fail_all, or the set's
  // destruction) against its result, a drop, a cancellation (detaching,
  // waiting, calling back from the hook, or none), both contexts, and
  // through a C carrier: each handler runs once, and the result that comes
  // after the set failed the operation is never late.
  constexpr std::uint8_t through_c = 32;
  const std::vector<std::uint8_t> modes{
      0, 1, 2 | 64, 2 | 4, 2 | 4 | 16, through_c, through_c | 1 | 2 | 64};
  const std::vector<step> alphabet{{event::invoke, 0}, {event::drop, 0}, {event::c_hand_over, 0},
      {event::cancel_terminal, 0}, {event::run_io, 0}, {event::run_app, 0}, {event::shutdown_app, 0},
      {event::fail_set, 0}, {event::fail_set, 2}};
  const std::size_t played = explore_modes(event::start, modes, alphabet);
  BOOST_TEST(played > 50000u);
  BOOST_TEST_MESSAGE("operation in a failing set: " << played << " scenarios");
}

BOOST_AUTO_TEST_CASE(every_order_of_pushes_takes_grants_and_the_end_of_a_stream)
{
  const std::vector<step> alphabet{{event::push, 0}, {event::push_beyond_demand, 0}, {event::take, 0},
      {event::close, 0}, {event::run_io, 0}, {event::run_inside, 0}};
  const std::size_t played = explore_all({}, alphabet, 6);
  BOOST_TEST(played > 19000u);
  BOOST_TEST_MESSAGE("stream: " << played << " scenarios");
}

BOOST_AUTO_TEST_CASE(every_order_of_waits_completions_cancellations_and_shutdowns_of_a_correlator)
{
  const std::vector<step> alphabet{{event::wait_key, 0}, {event::wait_key, 2}, {event::complete_key, 0},
      {event::cancel_wait, 0}, {event::shutdown_app, 0}, {event::run_io, 0}, {event::run_app, 0}};
  const std::size_t played = explore_all({}, alphabet, 5);
  BOOST_TEST(played > 19000u);
  BOOST_TEST_MESSAGE("correlator: " << played << " scenarios");
}

BOOST_AUTO_TEST_CASE(seeded_random_sequences_of_every_event)
{
  unsigned seed = 20261202;
  if (const char* s = std::getenv("AWAITIFY_EXPLORE_SEED"))
    seed = static_cast<unsigned>(std::strtoul(s, nullptr, 10));
  BOOST_TEST_MESSAGE("explore seed " << seed << " (AWAITIFY_EXPLORE_SEED reproduces it)");
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> what(0, static_cast<int>(event::count) - 1);
  std::uniform_int_distribution<int> parameter(0, 255);
  int failures = 0;
  int played = 0;
  for (; played < 3000 && failures < 3; ++played)
  {
    std::vector<step> steps;
    for (int n = 0; n < 16; ++n)
      steps.push_back({static_cast<event>(what(rng)), static_cast<std::uint8_t>(parameter(rng))});
    if (!passes(steps))
      ++failures;
  }
  BOOST_TEST(played == 3000);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
