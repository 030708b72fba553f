// SPDX-License-Identifier: BSL-1.0
//
// Tests for awaitify/c_error_category.hpp, with C-style message functions.
//

#include <awaitify/c_error_category.hpp>

#include <boost/system/error_code.hpp>
#include <boost/test/unit_test.hpp>

#include "common/hidden_visibility_library.hpp"

#include <cstdint>
#include <string>

namespace {

using boost::system::error_code;

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
  BOOST_TEST((&from_library.category() != &here.category())); // Two objects...
  BOOST_TEST((from_library == here));                          // ...one category.
  BOOST_TEST((from_library.category() == here.category()));
  BOOST_TEST((from_library != error_code(2, here.category())));
  BOOST_TEST(from_library.message() == "shared library failure");
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

BOOST_AUTO_TEST_SUITE_END()

} // namespace
