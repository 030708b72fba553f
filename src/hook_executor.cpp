// SPDX-License-Identifier: BSL-1.0

#include <awaitify/detail/hook_executor.hpp>

namespace AWAITIFY_NAMESPACE {
namespace detail {

hook_binding& current_hook_binding() noexcept
{
  thread_local hook_binding current;
  return current;
}

} // namespace detail
} // namespace awaitify
