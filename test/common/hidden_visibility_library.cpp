// SPDX-License-Identifier: BSL-1.0

#include <awaitify/c_error_category.hpp>

#include "common/hidden_visibility_library.hpp"

#include <utility>

namespace awaitify_test {

awaitify::error_code error_from_hidden_library(int code)
{
  return {code, awaitify::c_error_category<&shared_library_strerror>("shared library")};
}

awaitify::error_code error_from_hidden_library_made_first_by_the_program(int code)
{
  return {code, awaitify::c_error_category<&made_first_by_the_program_strerror>("made first by the program")};
}

awaitify::error_code error_from_hidden_library_raced_for(int code)
{
  return {code, awaitify::c_error_category<&raced_for_strerror>("raced for")};
}

void on_cancel_from_hidden_library(const awaitify::callback<void(int)>& cb, std::function<void()> hook)
{
  cb.on_cancel(std::move(hook));
}

} // namespace awaitify_test
