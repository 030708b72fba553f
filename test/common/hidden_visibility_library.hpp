// SPDX-License-Identifier: BSL-1.0
//
// A shared library built with hidden visibility, as plugins and vendor SDK
// wrappers are: it has its own copy of every inline function and its
// statics, and must still work with what the program made.
//

#ifndef AWAITIFY_TEST_COMMON_HIDDEN_VISIBILITY_LIBRARY_HPP
#define AWAITIFY_TEST_COMMON_HIDDEN_VISIBILITY_LIBRARY_HPP

#include <awaitify/callback.hpp>

#include "common/asio.hpp"

#include <functional>

namespace awaitify_test {

inline const char* shared_library_strerror(int code)
{
  return code == 1 ? "shared library failure" : nullptr;
}

/// Made inside the shared library, with its own copy of the category.
__attribute__((visibility("default"))) awaitify::error_code error_from_hidden_library(int code);

// Two more libraries' categories, for the other orders: the program makes
// the first code of one before the library does, and both race for the other.
inline const char* made_first_by_the_program_strerror(int code)
{
  return code == 1 ? "made first by the program" : nullptr;
}

inline const char* raced_for_strerror(int code)
{
  return code == 1 ? "raced for" : nullptr;
}

__attribute__((visibility("default"))) awaitify::error_code error_from_hidden_library_made_first_by_the_program(
    int code);

__attribute__((visibility("default"))) awaitify::error_code error_from_hidden_library_raced_for(int code);

/// Registers `hook` on `cb` from inside the shared library.
__attribute__((visibility("default"))) void on_cancel_from_hidden_library(
    const awaitify::callback<void(int)>& cb, std::function<void()> hook);

} // namespace awaitify_test

#endif // AWAITIFY_TEST_COMMON_HIDDEN_VISIBILITY_LIBRARY_HPP
