// SPDX-License-Identifier: BSL-1.0

#include <awaitify/c_error_category.hpp>

#include "common/hidden_category.hpp"

namespace awaitify_test {

boost::system::error_code error_from_hidden_library(int code)
{
  return {code, awaitify::c_error_category<&shared_library_strerror>("shared library")};
}

} // namespace awaitify_test
