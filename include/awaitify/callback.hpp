// SPDX-License-Identifier: BSL-1.0
//
// awaitify/callback.hpp
// ~~~~~~~~~~~~~~~~~~~~~
//
// The completion handle that an awaitify operation gives to legacy code.
//

#ifndef AWAITIFY_CALLBACK_HPP
#define AWAITIFY_CALLBACK_HPP

#include <awaitify/detail/anchor.hpp>
#include <awaitify/detail/hook_executor.hpp>
#include <awaitify/detail/op_base.hpp>
#include <awaitify/error.hpp>

#include <awaitify/detail/asio.hpp>

#include <exception>
#include <type_traits>
#include <utility>

namespace AWAITIFY_NAMESPACE {

/// @brief What a cancellation does to an operation once its hooks have run; the
/// third argument of `callback::on_cancel`.
enum class after_cancel
{
  /// @brief The operation completes at once with `operation_aborted`; the legacy
  /// result that may still come is refused (the callback returns false).
  complete_now,

  /// @brief The operation stays pending until the legacy code lets go: it completes
  /// when the callback is invoked, with the values it carries (the library's
  /// own report of the cancellation, or the result it delivered because it
  /// was too late to cancel), or with `error::callback_dropped` when every
  /// copy is dropped. Buffers that the library writes into may then live in
  /// the awaiting coroutine's frame.
  wait_for_callback,

  /// @brief As `complete_now`, for a library that cannot withdraw what it was
  /// asked (a Redis command, an MQTT publish, once written): the result that
  /// will still come is expected. When it comes, it is discarded (the
  /// callback returns false) and counted in `counters::detached`, not
  /// reported as `late` misuse.
  detach,
};

template <typename Signature>
class callback;

namespace detail {

/// What an after_cancel asks of the anchor, beside the accepted types.
constexpr std::uint32_t after_cancel_bits(after_cancel then) noexcept
{
  switch (then)
  {
  case after_cancel::wait_for_callback:
    return waits_for_callback;
  case after_cancel::detach:
    return detaches;
  case after_cancel::complete_now:
    break;
  }
  return 0;
}

/// awaitify's own access to a callback's operation.
struct callback_access
{
  template <typename Signature>
  static anchor* anchor_of(const callback<Signature>& cb) noexcept
  {
    return cb.anchor_;
  }

  /// @brief Completes the operation with `fill` as an invocation would, but an
  /// attempt that loses (to a cancellation, a shutdown) is awaitify's own
  /// race, not the user's misuse: it is neither counted nor reported.
  template <typename Signature, typename Fill>
  static bool complete_quietly(const callback<Signature>& cb, Fill&& fill) noexcept
  {
    return cb.anchor_ && cb.anchor_->try_complete(delivered, fill);
  }

  template <typename Signature, typename... Values>
  static bool invoke_quietly(const callback<Signature>& cb, Values&&... values) noexcept
  {
    return complete_quietly(cb, [&](op_header& op) noexcept {
      static_cast<op_base<Signature>&>(op).set_values(std::forward<Values>(values)...);
    });
  }

  /// @brief Completes the operation as dropped (counted as such) for a drop that the
  /// user asked for, which is no misuse to report.
  template <typename Signature>
  static bool drop_quietly(const callback<Signature>& cb) noexcept
  {
    return cb.anchor_ && cb.anchor_->try_complete(dropped, fill_error<Signature>{error::callback_dropped});
  }

  /// @brief Lets cancellation of `types` complete the operation, as an on_cancel
  /// hook that has nothing to undo would, without allocating one.
  template <typename Signature>
  static void accept_cancellation(const callback<Signature>& cb, asio::cancellation_type_t types) noexcept
  {
    if (cb.anchor_)
      cb.anchor_->accept_cancellation(types);
  }

  template <typename Signature>
  static bool fail_quietly(const callback<Signature>& cb, const error_code& ec) noexcept
  {
    return complete_quietly(cb, fill_error<Signature>{ec});
  }

  template <typename Signature>
  static bool is_decided(const callback<Signature>& cb) noexcept
  {
    return !cb.anchor_ || cb.anchor_->is_decided();
  }

  /// Completes the operation as its initiation throwing would: `failed`.
  template <typename Signature>
  static bool fail_initiation(const callback<Signature>& cb, std::exception_ptr e) noexcept
  {
    return cb.anchor_ && cb.anchor_->try_complete(failed, [&](op_header& h) noexcept {
      static_cast<op_base<Signature>&>(h).set_exception(std::move(e));
    });
  }

  /// @brief As `fail_quietly`, for the operation of `a` (of `Signature`), on behalf
  /// of legacy code whose result is still due: when it comes, it is
  /// discarded quietly, counted as detached (an operation set failing its
  /// members). One function type for every signature.
  template <typename Signature>
  static bool fail_ahead(anchor* a, const error_code& ec) noexcept
  {
    return a->try_complete_ahead(delivered, fill_error<Signature>{ec});
  }
};

} // namespace detail

/// The callback handed to a legacy API: invoking it completes the operation.
/**
 * `callback<void(Args...)>` is what `init` receives from `async_call` (and
 * what `wrap` passes as the legacy function's last argument). Give it to the
 * legacy API as its completion callback; it converts to
 * `std::function<void(Args...)>`.
 *
 * - The first invocation, from any thread, delivers the result: the
 *   operation's handler is then posted to its associated executor. It never
 *   runs on the invoking thread's stack.
 * - Every later invocation, and any invocation after the operation was
 *   cancelled, failed, or abandoned at shutdown, delivers nothing, returns
 *   false and is counted (see `diagnostics.hpp`).
 * - When the last copy is destroyed without a successful invocation, the
 *   operation completes with `error::callback_dropped`.
 *
 * Copies share one operation. A copy holds only memory of its own: it stays
 * safe to invoke, copy and destroy after the operation completed and after
 * its execution context was destroyed.
 *
 * @par Thread safety
 * Distinct copies may be used concurrently from any threads; one object may be
 * invoked concurrently from several threads (`operator()` is const), but not
 * assigned or destroyed while another thread uses it, like `std::shared_ptr`.
 */
template <typename... Args>
class callback<void(Args...)>
{
public:
  /// The legacy signature this callback was made for.
  using signature = void(Args...);

  /// @brief Another handle to the same operation: the first invocation of any copy
  /// delivers the result. Copying a moved-from callback gives a moved-from one.
  callback(const callback& other) noexcept : anchor_(other.anchor_)
  {
    if (anchor_)
      anchor_->add_copy();
  }

  /// Takes over `other`'s handle; `other` is left moved-from (inert).
  callback(callback&& other) noexcept : anchor_(std::exchange(other.anchor_, nullptr)) {}

  /// @brief Releases this handle (the last one dropped completes the operation with
  /// `error::callback_dropped`) and takes `other`'s.
  callback& operator=(callback other) noexcept
  {
    std::swap(anchor_, other.anchor_);
    return *this;
  }

  ~callback() { reset(); }

  /// @brief Delivers the result. Returns true for the invocation that completed the
  /// operation; false, having done nothing but count it, for every other one
  /// (and for a moved-from callback). Values the signature takes by value or
  /// by rvalue reference are moved; those it takes by lvalue reference
  /// belong to the caller (a library's own buffer) and are copied, never
  /// moved from.
  bool operator()(Args... args) const noexcept
  {
    return complete([&](detail::op_header& op) {
      static_cast<detail::op_base<signature>&>(op).set_values(std::forward<Args>(args)...);
    });
  }

  /// @brief Completes the operation with an error instead of a result, for legacy
  /// APIs that report failure through a separate callback.
  /**
   * The handler receives `ec` (inside a `boost::system::system_error` for
   * `exception_ptr`-first signatures) and default-constructed values.
   * Returns, and counts, as `operator()` does.
   */
  bool fail(const error_code& ec) const noexcept
  {
    return complete(detail::fill_error<signature>{ec});
  }

  /// Completes an `exception_ptr`-first operation with an exception.
  bool fail(std::exception_ptr e) const noexcept
    requires detail::exception_first<signature>
  {
    return complete([&](detail::op_header& op) {
      static_cast<detail::op_base<signature>&>(op).set_exception(std::move(e));
    });
  }

  /// Registers how to stop the legacy operation if it is cancelled.
  /**
   * `f()` runs at most once, and only if cancellation wins the race against
   * the result: on the thread that emitted the cancellation signal, before the
   * operation's handler is posted, holding no lock of awaitify's. Registering
   * after cancellation already won runs `f` at once, on the calling thread,
   * if it honours the type of that cancellation; registering after a result was delivered never runs it. Hooks run in the
   * order they were registered. `f` must not throw. A hook registered by an
   * init running under `awaitify::on(lib_ex, init)` runs on `lib_ex`
   * instead: inline when the cancellation is emitted there, else posted (see
   * `awaitify::on` for what a posted hook may rely on; it does not run if
   * `lib_ex`'s context is gone).
   *
   * `types` declares which cancellation types `f` truly honours.
   * `cancellation_type::terminal` is always honoured (the legacy result is
   * then discarded even if `f` cannot stop the work). Pass `partial` if `f`
   * stops the legacy operation leaving well-defined partial effects, `total`
   * if it undoes it without any effect (which implies `partial`): from then on
   * those types cancel the operation too. `f` runs only for a cancellation of
   * a type it honours: a `partial` cancellation that another hook accepted
   * runs that hook, not one that declared only `terminal` (which is then
   * destroyed unrun when the operation ends).
   *
   * `then` says what the cancellation does once the hooks have run. With
   * `after_cancel::complete_now` (the default) the operation completes at
   * once with `operation_aborted`. With `after_cancel::wait_for_callback` it
   * stays pending until the legacy code lets go: it completes when the
   * callback is invoked, with the values it carries (typically the
   * library's own cancellation status, or `cb.fail(operation_aborted)`;
   * a result the library delivered because it was too late to cancel is
   * delivered as a result), or with `error::callback_dropped` when every copy
   * is dropped; a shutdown still abandons it. Only the first accepted
   * cancellation runs the hooks (those that honour its type); later signals
   * do nothing. The handler is never posted while the hooks run: a callback
   * that they make themselves (a library that reports its cancellation from
   * inside its cancel call) or that the library makes meanwhile on another
   * thread completes the operation, whose handler is posted once the last
   * hook has returned; a shutdown meanwhile waits for them too. The mode is
   * decided when the cancellation arrives: once any hook was registered with
   * `wait_for_callback`, the operation waits, whatever the other hooks asked
   * (all of them that honour the type run). Such an operation is counted by how it really ends
   * (`completed` when the callback is invoked, `dropped`, `abandoned`), not as
   * `cancelled`, and its callback's invocation is not `late`.
   *
   * Hooks that did not run are destroyed when the operation ends, on the
   * thread where it ends; in particular, they are not run when the operation
   * is abandoned because its execution context is shut down.
   *
   * `f` must not own a copy of this callback, directly or through what it
   * captures: while the operation is pending, the hook keeps that copy alive,
   * so the operation would never be reported as dropped, and its context's
   * `run()` would never return, until a shutdown destroys the hook. The
   * indirect cycle is the easy one to miss: a `shared_ptr` to an object (a
   * transfer, a request) that holds the callback. Capture a `weak_ptr` to it:
   * @code
   * auto t = std::make_shared<transfer>(std::move(cb));   // t holds the callback
   * t->cb.on_cancel([&lib, weak = std::weak_ptr<transfer>(t)] {
   *   if (auto t = weak.lock()) lib.remove(*t);
   * });
   * lib.add(t);   // if the library loses t, the callback is dropped, and reported
   * @endcode
   * awaitify cannot break such a cycle itself: a copy reachable only from a
   * hook is indistinguishable from one the legacy library holds.
   *
   * @par Thread safety
   * May be called from any thread, concurrently with invocations.
   */
  template <typename F>
  void on_cancel(F&& f, asio::cancellation_type_t types = asio::cancellation_type::terminal,
      after_cancel then = after_cancel::complete_now) const
  {
    using asio::cancellation_type;
    // What undoes the operation with no side effect also satisfies a request
    // that tolerates partial ones; and every hook satisfies terminal.
    if ((types & cancellation_type::total) != cancellation_type::none)
      types |= cancellation_type::partial;
    types |= cancellation_type::terminal;
    if (!anchor_)
      return;
    if (const asio::any_io_executor* ex = detail::hook_executor_for(anchor_))
      anchor_->add_cancel_hook(new detail::library_cancel_hook<std::decay_t<F>>(
                                   anchor_, *ex, std::forward<F>(f), then == after_cancel::wait_for_callback),
          types, detail::after_cancel_bits(then));
    else
      anchor_->add_cancel_hook(new detail::cancel_hook_impl<std::decay_t<F>>(std::forward<F>(f)), types,
          detail::after_cancel_bits(then));
  }

  /// @brief Lets cancellation of `types` (terminal always) complete the operation
  /// at once with `operation_aborted`, with nothing to run, and declares the
  /// result that may still come expected, as `after_cancel::detach` does: it
  /// is discarded and counted in `counters::detached`, not reported as
  /// `late`. For a library that has no way to stop a request once made.
  /**
   * @par Thread safety
   * May be called from any thread, concurrently with invocations.
   */
  void detach_on_cancel(asio::cancellation_type_t types = asio::cancellation_type::terminal) const noexcept
  {
    if (anchor_)
      anchor_->accept_cancellation(types | asio::cancellation_type::terminal, detail::detaches);
  }

  /// Whether this copy refers to an operation (false once moved from).
  explicit operator bool() const noexcept { return anchor_ != nullptr; }

#ifndef GENERATING_DOCUMENTATION
  /// Adopts one of the callback copies the anchor was made with (awaitify
  /// internal).
  explicit callback(detail::anchor* a) noexcept : anchor_(a) {}
#endif

private:
  friend struct detail::callback_access;

  template <typename Fill>
  bool complete(Fill&& fill) const noexcept
  {
    if (!anchor_)
      return false;
    const bool won = anchor_->try_complete(detail::delivered, fill);
    if (!won)
      anchor_->report_lost_invocation();
    return won;
  }

  void reset() noexcept
  {
    if (detail::anchor* a = std::exchange(anchor_, nullptr))
      a->release_copy(detail::fill_error<signature>{error::callback_dropped});
  }

  detail::anchor* anchor_;
};

} // namespace awaitify

#endif // AWAITIFY_CALLBACK_HPP
