// SPDX-License-Identifier: BSL-1.0
//
// Tests for awaitify/c_error_category.hpp, with C-style message functions.
//

#include <awaitify/async_call.hpp>
#include <awaitify/c_callback.hpp>
#include <awaitify/c_error_category.hpp>

#include "common/asio.hpp"
#include <boost/test/unit_test.hpp>

#include "common/hidden_visibility_library.hpp"
#include "common/io_fixture.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <latch>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

namespace {

using awaitify::callback;
using awaitify_test::io_fixture;
using awaitify::error_code;

// A library in the style of libuv: negative int codes, a strerror of its own.
const char* fake_strerror(int code)
{
  switch (code)
  {
  case -1:
    return "operation canceled";
  case -2:
    return "connection refused";
  default:
    return nullptr;
  }
}

// ...and in the style of libcurl: an enumeration, declared noexcept.
enum fake_code
{
  fake_ok,
  fake_couldnt_connect = 7,
};

const char* fake_enum_strerror(fake_code code) noexcept
{
  return code == fake_couldnt_connect ? "Couldn't connect to server" : "No error";
}

// An enumeration with a fixed underlying type, and a C one with a bound.
enum class small_code : std::uint8_t
{
  ok,
  busy = 5,
};

int out_of_range_conversions = 0;

const char* small_strerror(small_code code)
{
  switch (code)
  {
  case small_code::ok:
    return "ok";
  case small_code::busy:
    return "busy";
  }
  ++out_of_range_conversions;
  return nullptr;
}

enum c_code
{
  c_ok,
  c_failed,
  c_last,
};

const char* c_code_strerror(c_code code)
{
  switch (code)
  {
  case c_ok:
    return "ok";
  case c_failed:
    return "failed";
  case c_last:
    break;
  }
  ++out_of_range_conversions;
  return nullptr;
}

// Conditions for fake_strerror's codes, in each form a condition function
// may return: -1 is "cancelled", -2 "connection refused", -3 "not found".
std::errc fake_condition(int code)
{
  switch (code)
  {
  case -1:
    return std::errc::operation_canceled;
  case -2:
    return std::errc::connection_refused;
  case -3:
    return std::errc::no_such_file_or_directory;
  default:
    return {};
  }
}

#if !defined(AWAITIFY_STANDALONE_ASIO)
// Boost.System's own condition enumeration (std::errc in the standalone
// flavour, which fake_condition covers).
sys::errc::errc_t fake_boost_condition(int code)
{
  return code == -3 ? sys::errc::no_such_file_or_directory : sys::errc::success;
}
#endif

asio::error::basic_errors fake_asio_condition(int code) noexcept
{
  return code == -1 ? asio::error::operation_aborted : asio::error::basic_errors{};
}

awaitify::error_condition fake_error_condition(int code)
{
  if (code == -2)
    return sys::errc::connection_refused;
  return {};
}

// A condition function of an enumeration, with a bound.
int out_of_range_condition_conversions = 0;

std::errc c_code_condition(c_code code)
{
  switch (code)
  {
  case c_ok:
    return {};
  case c_failed:
    return std::errc::io_error;
  case c_last:
    break;
  }
  ++out_of_range_condition_conversions;
  return {};
}

// An error in the shape of GLib's GError: a domain, a code in that domain,
// and a message written for this one failure, which the receiver frees.
struct fake_gerror
{
  std::uint32_t domain;
  int code;
  char* message;
};

constexpr std::uint32_t fake_io_error_domain = 7; // G_IO_ERROR's quark.

// GIOErrorEnum's values.
constexpr int fake_io_error_not_found = 1;
constexpr int fake_io_error_cancelled = 19;

fake_gerror* fake_gerror_new(std::uint32_t domain, int code, const char* message)
{
  auto* error = static_cast<fake_gerror*>(std::malloc(sizeof(fake_gerror)));
  char* text = static_cast<char*>(std::malloc(std::strlen(message) + 1));
  std::strcpy(text, message);
  *error = fake_gerror{domain, code, text};
  return error;
}

void fake_gerror_free(fake_gerror* error)
{
  std::free(error->message);
  std::free(error);
}

// The domain's codes have no text of their own: each error carries one.
const char* fake_io_error_text(int) { return nullptr; }

std::errc fake_io_error_condition(int code)
{
  switch (code)
  {
  case fake_io_error_not_found:
    return std::errc::no_such_file_or_directory;
  case fake_io_error_cancelled:
    return std::errc::operation_canceled;
  default:
    return {};
  }
}

// A C function that loads a file and reports either its contents or an
// error that the callback owns.
using load_fn = void (*)(void* user_data, const char* contents, fake_gerror* error);

void fake_load(const char* path, load_fn cb, void* user_data)
{
  const std::string p = path;
  if (p == "/cancelled")
    cb(user_data, nullptr, fake_gerror_new(fake_io_error_domain, fake_io_error_cancelled, "Operation was cancelled"));
  else if (p != "/present")
    cb(user_data, nullptr,
        fake_gerror_new(fake_io_error_domain, fake_io_error_not_found,
            ("Error opening file " + p + ": No such file or directory").c_str()));
  else
    cb(user_data, "contents", nullptr);
}

error_code to_error_code(const fake_gerror& error)
{
  return awaitify::cancelled_as_aborted(
      error_code(error.code, awaitify::c_error_category<&fake_io_error_text, &fake_io_error_condition>("gio")));
}

BOOST_AUTO_TEST_SUITE(c_error_category)

BOOST_AUTO_TEST_CASE(codes_print_the_librarys_own_message)
{
  const auto& category = awaitify::c_error_category<&fake_strerror>("fake");
  const error_code ec(-2, category);
  BOOST_TEST(ec.message() == "connection refused");
  BOOST_TEST(std::string(ec.category().name()) == "fake");
  BOOST_TEST(error_code(fake_couldnt_connect, awaitify::c_error_category<&fake_enum_strerror>("enum")).message()
      == "Couldn't connect to server");
}

BOOST_AUTO_TEST_CASE(codes_of_one_message_function_compare_equal)
{
  const error_code a(-1, awaitify::c_error_category<&fake_strerror>("fake"));
  const error_code b(-1, awaitify::c_error_category<&fake_strerror>("fake"));
  const error_code other_library(-1, awaitify::c_error_category<&fake_enum_strerror>("enum"));
  BOOST_TEST((a == b));
  BOOST_TEST((&a.category() == &b.category()));
  BOOST_TEST((a != other_library));
  BOOST_TEST((a != error_code(-2, a.category())));
}

BOOST_AUTO_TEST_CASE(a_null_message_names_the_library_and_the_code)
{
  const error_code ec(42, awaitify::c_error_category<&fake_strerror>("fake"));
  BOOST_TEST(ec.message() == "fake error 42");
}

BOOST_AUTO_TEST_CASE(codes_from_a_shared_library_built_with_hidden_visibility_compare_equal)
{
  const error_code from_library = awaitify_test::error_from_hidden_library(1);
  const error_code here(1, awaitify::c_error_category<&awaitify_test::shared_library_strerror>("shared library"));
  // The library has a category object of its own, yet both get the
  // program's one: the standalone flavour compares categories by address.
  BOOST_TEST((&from_library.category() == &here.category()));
  BOOST_TEST((from_library == here));
  BOOST_TEST((from_library.category() == here.category()));
  BOOST_TEST((from_library != error_code(2, here.category())));
  BOOST_TEST(from_library.message() == "shared library failure");
}

// The other order: the program's object is made, and registered, first.
BOOST_AUTO_TEST_CASE(a_category_the_program_made_first_is_the_one_a_hidden_visibility_library_gets)
{
  const error_code here(
      1, awaitify::c_error_category<&awaitify_test::made_first_by_the_program_strerror>("made first by the program"));
  const error_code from_library = awaitify_test::error_from_hidden_library_made_first_by_the_program(1);
  BOOST_TEST((&from_library.category() == &here.category()));
  BOOST_TEST((from_library == here));
}

// Both at once, from two threads (ThreadSanitizer watches the registry).
BOOST_AUTO_TEST_CASE(a_category_made_at_once_by_the_program_and_a_library_is_one_object)
{
  std::latch start(2);
  const awaitify::error_category* from_library = nullptr;
  std::thread library([&] {
    start.arrive_and_wait();
    from_library = &awaitify_test::error_from_hidden_library_raced_for(1).category();
  });
  start.arrive_and_wait();
  const awaitify::error_category* here = &awaitify::c_error_category<&awaitify_test::raced_for_strerror>("raced for");
  library.join();
  BOOST_TEST((from_library == here));
  BOOST_TEST(error_code(1, *here).message() == "raced for");
}

BOOST_AUTO_TEST_CASE(a_code_an_enumeration_cannot_hold_is_never_converted_to_it)
{
  out_of_range_conversions = 0;
  const auto& small = awaitify::c_error_category<&small_strerror>("small");
  BOOST_TEST(error_code(5, small).message() == "busy");
  BOOST_TEST(error_code(300, small).message() == "small error 300");
  BOOST_TEST(error_code(-1, small).message() == "small error -1");
  const auto& bounded = awaitify::c_error_category<&c_code_strerror, c_last>("c");
  BOOST_TEST(error_code(c_failed, bounded).message() == "failed");
  BOOST_TEST(error_code(99, bounded).message() == "c error 99");
  BOOST_TEST(error_code(-4, bounded).message() == "c error -4");
  BOOST_TEST(out_of_range_conversions == 0);
  // With or without the bound, one message function is one category.
  BOOST_TEST((error_code(1, bounded) == error_code(1, awaitify::c_error_category<&c_code_strerror>("c"))));
}

BOOST_AUTO_TEST_CASE(a_mapped_code_compares_equal_to_its_condition_and_to_no_other)
{
  const auto& category = awaitify::c_error_category<&fake_strerror, &fake_condition>("fake");
  const error_code not_found(-3, category);
  BOOST_TEST((not_found == std::errc::no_such_file_or_directory));
  BOOST_TEST((not_found == sys::errc::no_such_file_or_directory));
  BOOST_TEST((not_found == std::make_error_condition(std::errc::no_such_file_or_directory)));
  BOOST_TEST((static_cast<std::error_code>(not_found) == std::errc::no_such_file_or_directory));
  BOOST_TEST((not_found != std::errc::connection_refused));
  BOOST_TEST((not_found != sys::errc::connection_refused));
  BOOST_TEST((static_cast<std::error_code>(not_found) != std::errc::connection_refused));
  BOOST_TEST((error_code(-2, category) == std::errc::connection_refused));
  // The library's text and name stay.
  BOOST_TEST(error_code(-2, category).message() == "connection refused");
  BOOST_TEST(std::string(category.name()) == "fake");
  // A code the function maps to nothing is its own condition.
  const error_code unmapped(42, category);
  BOOST_TEST((unmapped.default_error_condition() == awaitify::error_condition(42, category)));
  BOOST_TEST((unmapped != std::errc::no_such_file_or_directory));
  BOOST_TEST((unmapped != awaitify::error_condition()));
  BOOST_TEST(unmapped.message() == "fake error 42");
}

BOOST_AUTO_TEST_CASE(a_cancelled_code_compares_equal_to_operation_canceled_not_to_operation_aborted)
{
  const error_code cancelled(-1, awaitify::c_error_category<&fake_strerror, &fake_condition>("fake"));
  BOOST_TEST((cancelled == std::errc::operation_canceled));
  BOOST_TEST((cancelled == sys::errc::operation_canceled));
  BOOST_TEST((cancelled == awaitify::error_condition(ECANCELED, sys::generic_category())));
  BOOST_TEST((static_cast<std::error_code>(cancelled) == std::errc::operation_canceled));
  // Two codes: compared by category, never by condition.
  BOOST_TEST((cancelled != asio::error::operation_aborted));
  BOOST_TEST(cancelled.message() == "operation canceled");
}

BOOST_AUTO_TEST_CASE(cancelled_as_aborted_turns_a_cancelled_code_into_operation_aborted)
{
  const auto& category = awaitify::c_error_category<&fake_strerror, &fake_condition>("fake");
  const error_code aborted = awaitify::cancelled_as_aborted(error_code(-1, category));
  BOOST_TEST((aborted == asio::error::operation_aborted));
  // Asio's own code compares equal to the generic condition where Asio maps
  // it: Boost.Asio always, standalone Asio from 1.38 (not 1.26 nor 1.30).
#if !defined(AWAITIFY_STANDALONE_ASIO) || AWAITIFY_TEST_ASIO_VERSION >= 103800
  BOOST_TEST((aborted == std::errc::operation_canceled));
  BOOST_TEST((aborted == sys::errc::operation_canceled));
#endif
  // Any other code is returned as it is.
  const error_code refused(-2, category);
  BOOST_TEST((awaitify::cancelled_as_aborted(refused) == refused));
  BOOST_TEST((awaitify::cancelled_as_aborted(refused) != asio::error::operation_aborted));
  const error_code unmapped_cancel(-1, awaitify::c_error_category<&fake_strerror>("fake"));
  BOOST_TEST((awaitify::cancelled_as_aborted(unmapped_cancel) == unmapped_cancel));
  BOOST_TEST((awaitify::cancelled_as_aborted(error_code()) == error_code()));
  // Asio's own code, and ECANCELED, are cancellations already.
  BOOST_TEST((awaitify::cancelled_as_aborted(asio::error::operation_aborted)
      == asio::error::operation_aborted));
  BOOST_TEST((awaitify::cancelled_as_aborted(error_code(ECANCELED, sys::generic_category()))
      == asio::error::operation_aborted));
}

BOOST_AUTO_TEST_CASE(a_condition_function_may_return_any_form_of_condition)
{
#if !defined(AWAITIFY_STANDALONE_ASIO)
  const error_code boost_form(-3, awaitify::c_error_category<&fake_strerror, &fake_boost_condition>("fake"));
  BOOST_TEST((boost_form == std::errc::no_such_file_or_directory));
  BOOST_TEST((error_code(-1, boost_form.category()) != std::errc::operation_canceled));
#endif
  const error_code asio_form(-1, awaitify::c_error_category<&fake_strerror, &fake_asio_condition>("fake"));
  BOOST_TEST((asio_form == std::errc::operation_canceled));
  BOOST_TEST((awaitify::cancelled_as_aborted(asio_form) == asio::error::operation_aborted));
  BOOST_TEST((error_code(-3, asio_form.category()) != std::errc::no_such_file_or_directory));
  const error_code condition_form(-2, awaitify::c_error_category<&fake_strerror, &fake_error_condition>("fake"));
  BOOST_TEST((condition_form == std::errc::connection_refused));
  BOOST_TEST((error_code(-1, condition_form.category()) != std::errc::operation_canceled));
}

BOOST_AUTO_TEST_CASE(a_condition_function_is_part_of_the_category_and_a_bound_is_not)
{
  const error_code plain(-1, awaitify::c_error_category<&fake_strerror>("fake"));
  const error_code mapped(-1, awaitify::c_error_category<&fake_strerror, &fake_condition>("fake"));
  const error_code mapped_again(-1, awaitify::c_error_category<&fake_strerror, &fake_condition>("fake"));
  const error_code mapped_otherwise(-1, awaitify::c_error_category<&fake_strerror, &fake_asio_condition>("fake"));
  BOOST_TEST((mapped == mapped_again));
  BOOST_TEST((mapped != plain));
  BOOST_TEST((mapped != mapped_otherwise));
  BOOST_TEST((mapped.category() != plain.category()));
  // Without a condition function, a code is its own condition, as before.
  BOOST_TEST((mapped == std::errc::operation_canceled));
  BOOST_TEST((plain != std::errc::operation_canceled));
  BOOST_TEST((plain != sys::errc::operation_canceled));
  BOOST_TEST((plain.default_error_condition() == awaitify::error_condition(-1, plain.category())));
  const error_code bounded(c_failed, awaitify::c_error_category<&c_code_strerror, c_last, &c_code_condition>("c"));
  const error_code unbounded(c_failed, awaitify::c_error_category<&c_code_strerror, &c_code_condition>("c"));
  BOOST_TEST((bounded == unbounded));
  BOOST_TEST((bounded != error_code(c_failed, awaitify::c_error_category<&c_code_strerror, c_last>("c"))));
}

BOOST_AUTO_TEST_CASE(a_bound_keeps_a_code_an_enumeration_cannot_hold_from_the_condition_function)
{
  out_of_range_condition_conversions = 0;
  const auto& category = awaitify::c_error_category<&c_code_strerror, c_last, &c_code_condition>("c");
  BOOST_TEST((error_code(c_failed, category) == std::errc::io_error));
  BOOST_TEST(error_code(c_failed, category).message() == "failed");
  BOOST_TEST((error_code(99, category) != std::errc::io_error));
  BOOST_TEST((error_code(99, category).default_error_condition() == awaitify::error_condition(99, category)));
  BOOST_TEST((error_code(-4, category) != std::errc::io_error));
  BOOST_TEST(out_of_range_condition_conversions == 0);
}

BOOST_FIXTURE_TEST_CASE(a_gerror_reaches_the_handler_as_a_comparable_code_and_its_own_message, io_fixture)
{
  using loaded = void(error_code, std::string, std::string); // error, its message, the contents
  struct outcome
  {
    error_code ec;
    std::string message;
    std::string contents;
  };
  std::optional<outcome> missing, cancelled, present;
  const auto start = [&](const char* path, std::optional<outcome>& into) {
    auto load = [path](callback<loaded> done) {
      auto c = awaitify::to_c_callback<load_fn>(
          std::move(done), [](callback<loaded>& cb, const char* contents, fake_gerror* error) {
            if (error)
            {
              cb(to_error_code(*error), std::string(error->message), std::string());
              fake_gerror_free(error);
            }
            else
              cb(error_code(), std::string(), std::string(contents));
          });
      fake_load(path, c.function(), c.user_data());
    };
    awaitify::async_call<loaded>(ioc, load, [&into](error_code ec, std::string message, std::string contents) {
      into = outcome{ec, std::move(message), std::move(contents)};
    });
  };
  start("/missing", missing);
  start("/cancelled", cancelled);
  start("/present", present);
  run();
  BOOST_TEST_REQUIRE(missing.has_value());
  BOOST_TEST((missing->ec == std::errc::no_such_file_or_directory));
  BOOST_TEST((missing->ec != asio::error::operation_aborted));
  BOOST_TEST(missing->message == "Error opening file /missing: No such file or directory");
  BOOST_TEST(missing->ec.message() == "gio error 1");
  BOOST_TEST_REQUIRE(cancelled.has_value());
  BOOST_TEST((cancelled->ec == asio::error::operation_aborted));
  BOOST_TEST(cancelled->message == "Operation was cancelled");
  BOOST_TEST_REQUIRE(present.has_value());
  BOOST_TEST(!present->ec);
  BOOST_TEST(present->contents == "contents");
}

BOOST_FIXTURE_TEST_CASE(an_exception_first_completion_throws_the_code_with_the_message, io_fixture)
{
  using loaded = void(std::exception_ptr, std::string);
  auto load = [](callback<loaded> done) {
    auto c = awaitify::to_c_callback<load_fn>(
        std::move(done), [](callback<loaded>& cb, const char* contents, fake_gerror* error) {
          if (error)
          {
            cb.fail(std::make_exception_ptr(awaitify::system_error(to_error_code(*error), error->message)));
            fake_gerror_free(error);
          }
          else
            cb(nullptr, std::string(contents));
        });
    fake_load("/missing", c.function(), c.user_data());
  };
  std::optional<awaitify::system_error> thrown;
  run_coroutine([&]() -> asio::awaitable<void> {
    try
    {
      co_await awaitify::async_call<loaded>(ioc, load, asio::use_awaitable);
    }
    catch (const awaitify::system_error& e)
    {
      thrown = e;
    }
  });
  BOOST_TEST_REQUIRE(thrown.has_value());
  BOOST_TEST((thrown->code() == std::errc::no_such_file_or_directory));
  BOOST_TEST(std::string(thrown->what()).find("Error opening file /missing: No such file or directory")
      != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
