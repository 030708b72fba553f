// SPDX-License-Identifier: BSL-1.0
//
// Tests for awaitify/version.hpp.
//

#include <awaitify/version.hpp>

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(version)

BOOST_AUTO_TEST_CASE(macros_equal_the_cmake_project_version)
{
  BOOST_TEST(AWAITIFY_VERSION_MAJOR == AWAITIFY_TEST_PROJECT_VERSION_MAJOR);
  BOOST_TEST(AWAITIFY_VERSION_MINOR == AWAITIFY_TEST_PROJECT_VERSION_MINOR);
  BOOST_TEST(AWAITIFY_VERSION_PATCH == AWAITIFY_TEST_PROJECT_VERSION_PATCH);
}

BOOST_AUTO_TEST_CASE(the_number_orders_like_the_version)
{
  BOOST_TEST(AWAITIFY_VERSION
      == AWAITIFY_VERSION_MAJOR * 100000 + AWAITIFY_VERSION_MINOR * 100 + AWAITIFY_VERSION_PATCH);
  static_assert(AWAITIFY_VERSION_MINOR < 1000 && AWAITIFY_VERSION_PATCH < 100,
      "AWAITIFY_VERSION's encoding has room for 3 minor and 2 patch digits");
}

BOOST_AUTO_TEST_SUITE_END()
