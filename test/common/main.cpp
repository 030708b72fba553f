// SPDX-License-Identifier: BSL-1.0

#define BOOST_TEST_MODULE awaitify
#ifdef AWAITIFY_TEST_HEADER_ONLY
#include <boost/test/included/unit_test.hpp>
#else
#include <boost/test/unit_test.hpp>
#endif
