// SPDX-License-Identifier: BSL-1.0
//
// A C library's message function, and a shared library built with hidden
// visibility that makes error codes of its category.
//

#ifndef AWAITIFY_TEST_COMMON_HIDDEN_CATEGORY_HPP
#define AWAITIFY_TEST_COMMON_HIDDEN_CATEGORY_HPP

#include <boost/system/error_code.hpp>

namespace awaitify_test {

inline const char* shared_library_strerror(int code)
{
  return code == 1 ? "shared library failure" : nullptr;
}

/// Made inside the shared library, with its own copy of the category.
__attribute__((visibility("default"))) boost::system::error_code error_from_hidden_library(int code);

} // namespace awaitify_test

#endif // AWAITIFY_TEST_COMMON_HIDDEN_CATEGORY_HPP
