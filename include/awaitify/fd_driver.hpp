// SPDX-License-Identifier: BSL-1.0
//
// awaitify/fd_driver.hpp
// ~~~~~~~~~~~~~~~~~~~~~~
//
// An event driver for C libraries that do their own I/O and ask the
// application to watch a descriptor and a timer for them (hiredis's `ev`
// hooks, sd-bus's get_fd/get_events/get_timeout, c-ares's socket callback,
// curl's CURLMOPT_SOCKETFUNCTION and CURLMOPT_TIMERFUNCTION), on an Asio
// executor.
//

#ifndef AWAITIFY_FD_DRIVER_HPP
#define AWAITIFY_FD_DRIVER_HPP

#include <awaitify/detail/asio.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

namespace AWAITIFY_NAMESPACE {

/// @brief What an fd_driver reports to its handler (one event per call), and what
/// it watches (a bit mask of `read` and `write`).
enum class fd_event : unsigned
{
  none = 0,
  read = 1,    ///< The descriptor is readable (or at end of file, or in error).
  write = 2,   ///< The descriptor is writable (or in error).
  timeout = 4, ///< The timeout set with `set_timeout` expired.
};

/// The union of two masks.
constexpr fd_event operator|(fd_event a, fd_event b) noexcept
{
  return static_cast<fd_event>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}

/// The intersection of two masks.
constexpr fd_event operator&(fd_event a, fd_event b) noexcept
{
  return static_cast<fd_event>(static_cast<unsigned>(a) & static_cast<unsigned>(b));
}

/// The complement of a mask, among `read`, `write` and `timeout`.
constexpr fd_event operator~(fd_event a) noexcept
{
  return static_cast<fd_event>(~static_cast<unsigned>(a) & 7u);
}

} // namespace awaitify

#include <awaitify/detail/fd_driver_state.hpp>

namespace AWAITIFY_NAMESPACE {

/// @brief Watches a descriptor that a C library owns, and a timeout, on an executor,
/// and calls one handler with what became ready.
/**
 * The C library says "watch my fd for reading", "stop watching it for
 * writing", "call me in 200 ms"; the driver turns each into an Asio wait
 * (`posix::stream_descriptor::async_wait` with `wait_read` or `wait_write`,
 * `steady_timer::async_wait`) and calls `handler(fd_event::read)`,
 * `handler(fd_event::write)` or `handler(fd_event::timeout)` when it
 * completes, where the library's "process" function is called (hiredis's
 * `redisAsyncHandleRead`, `sd_bus_process`, `curl_multi_socket_action`).
 *
 * - **The descriptor is not owned.** The driver never closes it (it is
 *   released, not closed, when the driver goes), so destroy the driver
 *   before the library closes it (hiredis's `cleanup` hook, curl's
 *   `CURL_POLL_REMOVE`). Asio's wait puts it in non-blocking mode, as such
 *   libraries already have it. One driver per descriptor per execution
 *   context: a library with many sockets (curl, c-ares) gets one driver per
 *   socket, made and destroyed as its socket callback says, and a driver
 *   made without a descriptor (`fd` = -1) for its timer.
 * - **Watches persist** (level-triggered): a watched direction is reported
 *   each time it is ready, until `unwatch`, as libevent's persistent events
 *   are; a library that does not consume the readiness is called again.
 *   Read and write readiness are reported separately, in two calls.
 * - **The handler runs on the driver's executor**, from a completed wait,
 *   never inline inside `watch`, `set_timeout` or any other member function.
 *   It may call every member function, and destroy the driver: what it
 *   changes applies from then on, and the driver is never re-entered (no
 *   report runs inside the handler).
 * - **No stale report.** After `unwatch`, `clear_timeout`, a new
 *   `set_timeout` or the destruction, nothing that the earlier watch or
 *   timeout saw is reported, not even a wait that had already completed and
 *   was waiting to run: each watch carries a generation that the completion
 *   checks.
 * - **Destruction** with waits pending is safe: they are cancelled, and the
 *   completions, which share the driver's state, return without touching
 *   the handler. The state (and the handler's captures) go when the last of
 *   them has run, or with the execution context. Like any Asio I/O object,
 *   the driver must be destroyed before its execution context.
 * - A descriptor error (other than a cancellation) is reported once as
 *   readiness and ends that watch, so that the library's own read or write
 *   meets it instead of the driver spinning.
 *
 * @par Thread safety
 * Not thread-safe: use a driver, and run its handler, on one thread at a
 * time, like an Asio I/O object. Its waits complete on its executor, so with
 * an `io_context` run by several threads give it a strand, and call its
 * member functions from that strand.
 */
template <typename Executor = asio::any_io_executor>
class basic_fd_driver
{
public:
  /// The executor that runs the handler and the waits.
  using executor_type = Executor;

  /// The handler: called with one of `fd_event::read`, `write`, `timeout`.
  using handler_type = std::function<void(fd_event)>;

  /// @brief Drives the descriptor `fd` (or, with `fd` = -1, only a timer) on `ex`.
  /// Watches nothing yet. Throws `boost::system::system_error` if Asio
  /// cannot register the descriptor (already driven in this context, say).
  basic_fd_driver(const executor_type& ex, int fd, handler_type handler)
    : ex_(ex), state_(detail::fd_driver_state::create(asio::any_io_executor(ex), fd, std::move(handler)))
  {
  }

  /// As above, on an execution context's executor.
  template <typename ExecutionContext>
    requires std::is_convertible_v<ExecutionContext&, asio::execution_context&>
  basic_fd_driver(ExecutionContext& ctx, int fd, handler_type handler)
    : basic_fd_driver(executor_type(ctx.get_executor()), fd, std::move(handler))
  {
  }

  basic_fd_driver(const basic_fd_driver&) = delete;
  basic_fd_driver& operator=(const basic_fd_driver&) = delete;

  /// @brief Takes over `other`'s descriptor, watches, timeout and handler; `other`
  /// may only be destroyed or assigned to.
  basic_fd_driver(basic_fd_driver&& other) noexcept = default;

  /// Stops this driver (as its destructor does), then takes over `other`'s.
  basic_fd_driver& operator=(basic_fd_driver&& other) noexcept
  {
    if (this != &other)
    {
      close();
      ex_ = std::move(other.ex_);
      state_ = std::move(other.state_);
    }
    return *this;
  }

  /// @brief Stops watching and cancels the timeout: the handler is not called
  /// again. The descriptor stays open. May be called from inside the handler.
  ~basic_fd_driver() { close(); }

  /// The executor that runs the handler.
  executor_type get_executor() const noexcept { return ex_; }

  /// The descriptor (-1 for a timer-only driver).
  int native_handle() const noexcept { return state_->fd(); }

  /// @brief Starts watching the descriptor for `events` (`read`, `write`, or both;
  /// other bits are ignored), in addition to what is watched already. A
  /// direction already watched is left as it is. Throws
  /// `boost::system::system_error` (`bad_descriptor`) on a timer-only driver.
  void watch(fd_event events) { state_->watch(events); }

  /// @brief Stops watching for `events`: no readiness of those directions is
  /// reported from now on, even one already detected.
  void unwatch(fd_event events) { state_->unwatch(events); }

  /// @brief Watches exactly `events` (among `read` and `write`): what sd-bus's
  /// `sd_bus_get_events` asks for.
  void watch_only(fd_event events)
  {
    unwatch(~events);
    watch(events);
  }

  /// The directions watched now.
  fd_event watched() const noexcept { return state_->watched(); }

  /// @brief Reports `fd_event::timeout` once after `timeout` (at once if it is not
  /// positive), replacing the timeout that was set, which is not reported.
  void set_timeout(std::chrono::steady_clock::duration timeout)
  {
    set_timeout_at(std::chrono::steady_clock::now() + timeout);
  }

  /// As `set_timeout`, at `expiry`.
  void set_timeout_at(std::chrono::steady_clock::time_point expiry) { state_->set_timeout_at(expiry); }

  /// @brief Cancels the timeout that was set: it is not reported, even if it has
  /// already expired.
  void clear_timeout() { state_->clear_timeout(); }

  /// Whether a timeout is set and not yet reported.
  bool timeout_set() const noexcept { return state_->timeout_set(); }

private:
  void close() noexcept
  {
    if (state_)
      state_->close();
  }

  Executor ex_;
  std::shared_ptr<detail::fd_driver_state> state_;
};

/// The driver on `boost::asio::any_io_executor`.
using fd_driver = basic_fd_driver<>;

} // namespace awaitify

#endif // AWAITIFY_FD_DRIVER_HPP
