// SPDX-License-Identifier: BSL-1.0
//
// awaitify/on.hpp
// ~~~~~~~~~~~~~~~
//
// Runs an operation's init (or a stream's subscribe and teardown) on the
// executor of a library that may only be touched from one thread.
//

#ifndef AWAITIFY_ON_HPP
#define AWAITIFY_ON_HPP

#include <awaitify/callback.hpp>
#include <awaitify/detail/hook_executor.hpp>
#include <awaitify/detail/stream_state.hpp>
#include <awaitify/sink.hpp>

#include <awaitify/detail/asio.hpp>

#include <exception>
#include <memory>
#include <mutex>
#include <tuple>
#include <type_traits>
#include <utility>

namespace AWAITIFY_NAMESPACE {
namespace detail {

template <typename T>
inline constexpr bool is_callback = false;

template <typename Signature>
inline constexpr bool is_callback<callback<Signature>> = true;

template <typename... Ts>
using last_argument_t = std::decay_t<std::tuple_element_t<sizeof...(Ts) - 1, std::tuple<Ts...>>>;

/// @brief A subscription started on the library executor. The stream's end marks
/// it ended at once, so that a subscribe still queued never runs, and runs
/// its teardown on the library executor.
struct library_subscription
{
  std::mutex mutex; // Held by a subscribe that runs: the end waits for it.
  bool ended = false;
  teardown_fn teardown;

  void mark_ended()
  {
    std::lock_guard lock(mutex);
    ended = true;
  }

  void run_teardown()
  {
    teardown_fn ending;
    {
      std::lock_guard lock(mutex);
      ending = std::move(teardown);
    }
    if (ending)
      ending();
  }
};

/// @brief Runs a subscription's end on the library executor. Destroyed without
/// having run (that executor's context was shut down with it queued), it
/// runs the end then, on the thread that destroys the context, which is the
/// library's own when the library is bound to that context.
class library_teardown
{
public:
  explicit library_teardown(std::shared_ptr<library_subscription> s) noexcept : subscription_(std::move(s)) {}
  library_teardown(library_teardown&&) noexcept = default;
  library_teardown& operator=(library_teardown&&) = delete;

  ~library_teardown()
  {
    if (subscription_)
      subscription_->run_teardown();
  }

  void operator()() { std::exchange(subscription_, nullptr)->run_teardown(); }

private:
  std::shared_ptr<library_subscription> subscription_;
};

} // namespace detail

/// @brief An init (or subscribe, or legacy function) bound to the executor of a
/// thread-bound library; made by `on`.
template <typename LibraryExecutor, typename F>
class on_t
{
public:
  /// Made by `on`: binds `f` to the library executor `ex`.
  on_t(const LibraryExecutor& ex, F f) : ex_(ex), f_(std::move(f)) {}

  /// The library executor.
  const LibraryExecutor& get_executor() const noexcept { return ex_; }

  /// @brief As an init or a legacy function, whose last argument is the callback:
  /// runs `f(args...)` on the library executor.
  template <typename... Args>
    requires(sizeof...(Args) > 0 && detail::is_callback<detail::last_argument_t<Args...>>)
  void operator()(Args&&... args) &&
  {
    start(std::move(f_), std::forward<Args>(args)...);
  }

  /// @brief The same for a function called more than once (by a `wrapper`): each
  /// call runs a copy of `f`.
  template <typename... Args>
    requires(sizeof...(Args) > 0 && detail::is_callback<detail::last_argument_t<Args...>>)
  void operator()(Args&&... args) const&
  {
    start(F(f_), std::forward<Args>(args)...);
  }

  /// @brief As a stream's subscribe: runs `f(target)` on the library executor, and
  /// returns the stream's teardown, which runs what `f` returned there too.
  template <typename Signature>
  auto operator()(sink<Signature> target) &&
  {
    auto subscription = std::make_shared<detail::library_subscription>();
    asio::dispatch(ex_, [subscription, f = std::move(f_), target = std::move(target)]() mutable {
      std::lock_guard lock(subscription->mutex);
      if (subscription->ended) // The stream ended while this was queued.
        return;
      if constexpr (std::is_void_v<std::invoke_result_t<F&&, sink<Signature>>>)
        std::move(f)(std::move(target));
      else
        subscription->teardown = detail::teardown_fn(std::move(f)(std::move(target)));
    });
    return [ex = ex_, subscription = std::move(subscription)] {
      subscription->mark_ended();
      asio::dispatch(ex, detail::library_teardown(subscription));
    };
  }

private:
  template <typename G, typename... Args>
  void start(G&& g, Args&&... args) const
  {
    asio::dispatch(ex_,
        [ex = ex_, g = std::forward<G>(g), args = std::make_tuple(std::forward<Args>(args)...)]() mutable {
          // A copy of our own, so that an exception is not taken for a drop
          // as the init's copy is destroyed while the stack unwinds.
          const auto cb = std::get<sizeof...(Args) - 1>(args);
          // Cancelled (or failed) while queued: the init never runs.
          if (detail::callback_access::is_decided(cb))
            return;
          const asio::any_io_executor hook_ex(ex);
          detail::scoped_hook_executor hooks_run_here(hook_ex, detail::callback_access::anchor_of(cb));
          try
          {
            std::apply(std::move(g), std::move(args));
          }
          catch (...)
          {
            // As an init that throws inside async_call: the operation fails.
            detail::callback_access::fail_initiation(cb, std::current_exception());
          }
        });
  }

  LibraryExecutor ex_;
  F f_;
};

/// @brief Binds `f` to the executor of a library that may only be touched from one
/// thread (hiredis, sd-bus, GLib's main context, curl's multi handle):
/// `async_call<Sig>(ex, awaitify::on(lib_ex, init), token)`,
/// `make_stream<Sig>(ex, options, awaitify::on(lib_ex, subscribe))`,
/// `wrap<Sig>(ex, awaitify::on(lib_ex, legacy_fn))`.
/**
 * - `init` (or `legacy_fn`) runs on `lib_ex`: at once when the initiating
 *   function runs there already, else posted. A cancellation (terminal)
 *   that arrives while it is queued completes the operation with
 *   `operation_aborted`, and `init` never runs; an exception from `init`
 *   completes the operation as it would inside `async_call`.
 * - The `on_cancel` hooks that `init` registers while it runs run on
 *   `lib_ex` too: inline when the cancellation is emitted there, else
 *   posted. A posted hook of an operation that waits for its callback
 *   (`after_cancel::wait_for_callback`) runs under the same hold as any
 *   waiting hook (a callback it makes posts the handler once it returns),
 *   and not at all if the operation ended while it was queued; a posted
 *   hook of one that completes at once (`complete_now`, `detach`) may run
 *   after the handler has, so it captures what it needs by value.
 * - `subscribe` runs on `lib_ex` (at once when already there, else posted),
 *   and the teardown it returns runs there when the stream ends. A stream
 *   that ends before `subscribe` has run never subscribes. An exception from
 *   a posted `subscribe` leaves `lib_ex`'s `run()`, as a handler's does, and
 *   the stream ends with `error::callback_dropped` if it took the only sink.
 * - The operation's handler still runs on its own associated executor.
 *
 * `lib_ex` runs one function at a time (the library's one thread, or a
 * strand), and its execution context must outlive the operations and
 * streams started with it. If that context is destroyed with an init queued,
 * the operation completes with `error::callback_dropped`; with a teardown
 * queued, the teardown runs as the context destroys it.
 *
 * With `wrap`, each call runs a copy of `f`: give it state by pointer (a
 * connection), not by value.
 *
 * @par Thread safety
 * Safe to call from any thread; the result may be used from any thread.
 */
template <typename LibraryExecutor, typename F>
  requires asio::execution::is_executor<LibraryExecutor>::value
on_t<LibraryExecutor, std::decay_t<F>> on(const LibraryExecutor& lib_ex, F&& f)
{
  return on_t<LibraryExecutor, std::decay_t<F>>(lib_ex, std::forward<F>(f));
}

} // namespace awaitify

#endif // AWAITIFY_ON_HPP
