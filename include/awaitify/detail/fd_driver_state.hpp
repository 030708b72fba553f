// SPDX-License-Identifier: BSL-1.0
//
// awaitify/detail/fd_driver_state.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// The state of an fd_driver, on any executor: implemented in the compiled
// library (src/fd_driver.cpp), so that including awaitify does not bring in
// Asio's descriptors and timers.
//

#ifndef AWAITIFY_DETAIL_FD_DRIVER_STATE_HPP
#define AWAITIFY_DETAIL_FD_DRIVER_STATE_HPP

#include <awaitify/detail/asio.hpp>

#include <chrono>
#include <functional>
#include <memory>

// fd_event is defined by awaitify/fd_driver.hpp, which includes this file.

namespace AWAITIFY_NAMESPACE {
namespace detail {

/// What basic_fd_driver does, whatever its executor (see fd_driver.hpp).
class fd_driver_state
{
public:
  /// Waits on `ex`, which runs `handler`; assigns `fd` unless it is negative.
  static std::shared_ptr<fd_driver_state> create(
      const asio::any_io_executor& ex, int fd, std::function<void(fd_event)> handler);

  fd_driver_state(const fd_driver_state&) = delete;
  fd_driver_state& operator=(const fd_driver_state&) = delete;
  fd_driver_state(fd_driver_state&&) = delete;
  fd_driver_state& operator=(fd_driver_state&&) = delete;
  virtual ~fd_driver_state() = default;

  virtual int fd() const noexcept = 0;
  virtual void watch(fd_event events) = 0;
  virtual void unwatch(fd_event events) = 0;
  virtual fd_event watched() const noexcept = 0;
  virtual void set_timeout_at(std::chrono::steady_clock::time_point expiry) = 0;
  virtual void clear_timeout() = 0;
  virtual bool timeout_set() const noexcept = 0;
  /// The driver's destruction: no report from now on.
  virtual void close() noexcept = 0;

protected:
  fd_driver_state() = default;
};

} // namespace detail
} // namespace awaitify

#endif // AWAITIFY_DETAIL_FD_DRIVER_STATE_HPP
