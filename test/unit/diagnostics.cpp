// SPDX-License-Identifier: BSL-1.0
//
// Tests for awaitify/diagnostics.hpp: counters and the misuse handler.
//

#include <awaitify/async_call.hpp>
#include <awaitify/diagnostics.hpp>
#include <awaitify/wrap.hpp>

#include "common/asio.hpp"
#include <boost/test/unit_test.hpp>

#include "common/io_fixture.hpp"

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using awaitify::callback;
using awaitify_test::io_fixture;
using awaitify::error_code;

struct report
{
  awaitify::misuse kind;
  std::uint_least32_t line;
  std::string file;
};

struct recording_fixture : io_fixture
{
  std::vector<report> reports;

  recording_fixture()
  {
    awaitify::set_misuse_handler(ioc, [this](awaitify::misuse kind, const awaitify::source_location& where) {
      reports.push_back({kind, where.line(), where.file_name()});
    });
  }
};

auto ignore = [](error_code, int) {};

BOOST_AUTO_TEST_SUITE(diagnostics)

BOOST_FIXTURE_TEST_CASE(every_outcome_is_counted, io_fixture)
{
  std::optional<callback<void(int)>> pending;
  asio::cancellation_signal signal;

  awaitify::async_call<void(int)>(ioc, [](callback<void(int)> cb) { cb(1); }, ignore);
  awaitify::async_call<void(int)>(ioc, [](callback<void(int)>) {}, ignore);
  awaitify::async_call<void(int)>(ioc, [](callback<void(int)>) { throw std::runtime_error("x"); }, ignore);
  awaitify::async_call<void(int)>(ioc, [&](callback<void(int)> cb) { pending = cb; },
      asio::bind_cancellation_slot(signal.slot(), ignore));

  auto c = awaitify::get_counters(ioc);
  BOOST_TEST(c.started == 4u);
  BOOST_TEST(c.completed == 1u);
  BOOST_TEST(c.dropped == 1u);
  BOOST_TEST(c.failed == 1u);
  BOOST_TEST(c.pending == 1u);

  signal.emit(asio::cancellation_type::terminal);
  (*pending)(2);
  (*pending)(3);
  pending.reset();
  run();

  c = awaitify::get_counters(ioc);
  BOOST_TEST(c.started == 4u);
  BOOST_TEST(c.pending == 0u);
  BOOST_TEST(c.cancelled == 1u);
  BOOST_TEST(c.late == 2u);
  BOOST_TEST(c.duplicate == 0u);
  BOOST_TEST(c.abandoned == 0u);
}

BOOST_FIXTURE_TEST_CASE(counters_belong_to_the_io_executors_context, io_fixture)
{
  asio::io_context other;
  awaitify::async_call<void(int)>(other, [](callback<void(int)> cb) { cb(1); }, ignore);
  BOOST_TEST(awaitify::get_counters(ioc).started == 0u);
  BOOST_TEST(awaitify::get_counters(other).started == 1u);
  other.run();
}

BOOST_FIXTURE_TEST_CASE(misuse_handler_gets_the_kind_and_the_call_site, recording_fixture)
{
  std::optional<callback<void(int)>> kept;
  const auto line = __LINE__; awaitify::async_call<void(int)>(ioc, [&](callback<void(int)> cb) { kept = cb; }, ignore);
  (*kept)(1);
  (*kept)(2);
  awaitify::async_call<void(int)>(ioc, [](callback<void(int)>) {}, ignore);
  run();
  BOOST_TEST_REQUIRE(reports.size() == 2u);
  BOOST_TEST((reports[0].kind == awaitify::misuse::duplicate));
  BOOST_TEST(reports[0].line == line);
  BOOST_TEST(reports[0].file.find("diagnostics.cpp") != std::string::npos);
  BOOST_TEST((reports[1].kind == awaitify::misuse::dropped));
  BOOST_TEST(reports[1].line == line + 3);
}

BOOST_FIXTURE_TEST_CASE(wrapped_operations_report_where_wrap_was_called, recording_fixture)
{
  const auto line = __LINE__; auto lose = awaitify::wrap<void(int)>(ioc.get_executor(), [](std::function<void(int)>) {});
  lose(ignore);
  run();
  BOOST_TEST_REQUIRE(reports.size() == 1u);
  BOOST_TEST((reports[0].kind == awaitify::misuse::dropped));
  BOOST_TEST(reports[0].line == line);
}

BOOST_FIXTURE_TEST_CASE(an_empty_handler_removes_it, recording_fixture)
{
  awaitify::set_misuse_handler(ioc, nullptr);
  awaitify::async_call<void(int)>(ioc, [](callback<void(int)>) {}, ignore);
  run();
  BOOST_TEST(reports.empty());
  BOOST_TEST(awaitify::get_counters(ioc).dropped == 1u);
}

BOOST_AUTO_TEST_CASE(misuse_kinds_have_names)
{
  BOOST_TEST(awaitify::to_string(awaitify::misuse::duplicate) == std::string("duplicate"));
  BOOST_TEST(awaitify::to_string(awaitify::misuse::dropped) == std::string("dropped"));
  BOOST_TEST(awaitify::to_string(awaitify::misuse::late) == std::string("late"));
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
