// SPDX-License-Identifier: BSL-1.0
//
// Tests for awaitify/c_error_category.hpp, with C-style message functions.
//

#include <awaitify/c_error_category.hpp>

#include <boost/system/error_code.hpp>
#include <boost/test/unit_test.hpp>

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

BOOST_AUTO_TEST_SUITE_END()

} // namespace
