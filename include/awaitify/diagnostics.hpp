// SPDX-License-Identifier: BSL-1.0
//
// awaitify/diagnostics.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~
//
// Per execution context counters of awaitify operations, and a hook that
// reports misuse of callbacks by the legacy code.
//

#ifndef AWAITIFY_DIAGNOSTICS_HPP
#define AWAITIFY_DIAGNOSTICS_HPP

#include <awaitify/source_location.hpp>

#include <awaitify/detail/asio.hpp>

#include <cstdint>
#include <functional>

namespace AWAITIFY_NAMESPACE {

/// A snapshot of the counters of one execution context.
/**
 * An operation is counted by the execution context of its I/O executor (the
 * executor given to `async_call`, `wrap` or `make_stream`). Each operation
 * that is started reaches exactly one outcome: `completed`, `cancelled`,
 * `dropped`, `failed` or `abandoned`; until then it is `pending`.
 */
struct counters
{
  /// Operations started.
  std::uint64_t started = 0;

  /// Operations started whose outcome is not decided yet.
  std::uint64_t pending = 0;

  /// @brief Operations completed by an invocation of their callback, or failed by
  /// awaitify on the legacy code's behalf as its own failure would have
  /// (a correlator's `fail_all`, an `operation_set`'s `fail_all`, `close`
  /// or destruction).
  std::uint64_t completed = 0;

  /// Operations completed by per-operation cancellation (or a timeout).
  std::uint64_t cancelled = 0;

  /// Operations completed with `error::callback_dropped`.
  std::uint64_t dropped = 0;

  /// Operations whose initiation threw.
  std::uint64_t failed = 0;

  /// @brief Operations destroyed, without their handler being invoked, because an
  /// execution context they track was shut down.
  std::uint64_t abandoned = 0;

  /// @brief Invocations of a callback after another invocation delivered a result
  /// (but for those counted as `detached`).
  std::uint64_t duplicate = 0;

  /// @brief Invocations of a callback after its operation was cancelled, failed or
  /// abandoned (but for those counted as `detached`).
  std::uint64_t late = 0;

  /// @brief Results discarded as expected: invocations of a callback whose
  /// operation was completed without waiting for that result, in a way that
  /// declared it still due. That is a cancellation of an operation that
  /// declared a result may still come (`after_cancel::detach`,
  /// `callback::detach_on_cancel`, before the cancellation), or an
  /// `operation_set` failing its members (`fail_all`, `close`, its
  /// destruction). Every later invocation of such an operation's callback is
  /// counted here. Not misuse.
  std::uint64_t detached = 0;
};

/// Reads the counters of the operations whose I/O executor belongs to `ctx`.
/**
 * @par Thread safety
 * Safe to call from any thread while `ctx` is alive. The counters are read
 * one after the other while operations may be running: each is exact, but the
 * snapshot as a whole is only consistent when no operation is in flight.
 */
counters get_counters(asio::execution_context& ctx);

/// How legacy code misused an awaitify callback.
enum class misuse
{
  /// A callback was invoked after another invocation delivered the result.
  duplicate,

  /// Every copy of a callback was destroyed without being invoked.
  dropped,

  /// @brief A callback was invoked after its operation was cancelled, failed, or
  /// abandoned at shutdown.
  late,
};

/// The name of a misuse kind: "duplicate", "dropped" or "late".
const char* to_string(misuse kind) noexcept;

/// Receives each misuse with the place where the operation was started.
/**
 * `where` is the call site of `async_call` (or of `wrap`, for operations
 * started through a wrapper; or of `make_stream`). It is an
 * `awaitify::source_location`, which has the member functions of
 * `std::source_location` and reports the user's call on every supported
 * compiler.
 */
using misuse_handler = std::function<void(misuse kind, const source_location& where)>;

/// Installs the misuse handler for the operations counted by `ctx`.
/**
 * An empty handler removes it. The handler runs on the thread that detected
 * the misuse: usually a legacy API's own thread, while a callback copy is
 * invoked or destroyed. It may run after `ctx` has been destroyed (a late
 * callback after shutdown), so it must not refer to `ctx`. It must not throw.
 *
 * @par Thread safety
 * Safe to call from any thread while `ctx` is alive, also while operations
 * are running.
 */
void set_misuse_handler(asio::execution_context& ctx, misuse_handler handler);

/// A ready-made misuse handler: writes one line per misuse to `stderr`.
/**
 * The line names the misuse, its kind, and the file, line, column and
 * function of the call that started the operation, for example:
 * @code
 * awaitify: a callback was invoked after its operation was cancelled or abandoned (late); operation started at main.cpp:42:23 in fetch
 * @endcode
 * (GCC spells the function with its signature, `asio::awaitable<void> fetch()`.)
 *
 * @par Thread safety
 * Safe to call from any thread; lines from concurrent calls are not mixed.
 */
void log_misuse(misuse kind, const source_location& where);

} // namespace awaitify

#endif // AWAITIFY_DIAGNOSTICS_HPP
