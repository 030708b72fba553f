// SPDX-License-Identifier: BSL-1.0

#include <awaitify/detail/hook_executor.hpp>

namespace awaitify {
namespace detail {

const boost::asio::any_io_executor*& current_hook_executor() noexcept
{
  thread_local const boost::asio::any_io_executor* current = nullptr;
  return current;
}

} // namespace detail
} // namespace awaitify
