// SPDX-License-Identifier: BSL-1.0
//
// awaitify/async_call.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~
//
// Turns one call into a callback-style API into an Asio asynchronous
// operation.
//

#ifndef AWAITIFY_ASYNC_CALL_HPP
#define AWAITIFY_ASYNC_CALL_HPP

#include <awaitify/callback.hpp>
#include <awaitify/completion_signature.hpp>
#include <awaitify/impl/async_call.hpp>
#include <awaitify/source_location.hpp>

#include <awaitify/detail/asio.hpp>

#include <type_traits>
#include <utility>

namespace AWAITIFY_NAMESPACE {

/// Starts an asynchronous operation that a legacy callback completes.
/**
 * This function is an Asio initiating function: it works with every
 * completion token (`use_awaitable`, `use_future`, `deferred`, `detached`,
 * `as_tuple`, `redirect_error`, `bind_executor`, `experimental::use_promise`,
 * a plain handler).
 *
 * @param ex The I/O executor of the operation. The handler runs on the
 * handler's associated executor, which defaults to `ex`. `ex` must be a
 * standard (`execution::is_executor`) executor whose execution context can
 * be queried (`query(ex, execution::context)`), that can be required to be
 * `blocking.never` and preferred to track outstanding work: io_context's,
 * `strand<>` of it, `thread_pool`'s, `any_io_executor` all qualify. The
 * handler's associated executor may be anything Asio's own operations
 * accept: when it cannot be required to be `blocking.never`, or its context
 * cannot be queried (`any_completion_executor`, `io_context::strand`), the
 * completion is posted to `ex` and then dispatched to it, as Asio does; its
 * context must then outlive the operation unless it can be found (a
 * Networking TS executor's `context()`).
 *
 * @param init Decay-copied, then invoked once as
 * `init(awaitify::callback<Signature>)` when the operation is initiated (for
 * `deferred` and `use_awaitable`, that is later than the call). It hands the
 * callback to the legacy API. It may invoke the callback synchronously,
 * register a cancellation hook with `callback::on_cancel`, or throw.
 *
 * @param token The completion token; it comes last, before the defaulted
 * `where`.
 *
 * @param where The call site, recorded for misuse reports; leave it defaulted.
 *
 * @par Completion signature
 * `completion_signature_t<Signature>`: `void(boost::system::error_code,
 * std::decay_t<Args>...)` for `Signature = void(Args...)`, or
 * `void(std::decay_t<Args>...)` when its first parameter already is an
 * `error_code` or `std::exception_ptr` (by value or `const&`). The handler
 * receives:
 * - the values of the callback's first invocation, moved, with a default
 *   error (legacy error-first signatures pass their error through);
 * - `error::callback_dropped` when every copy of the callback was destroyed
 *   without an invocation;
 * - `asio::error::operation_aborted` when per-operation cancellation won;
 * - when `init` threw: the exception itself for `exception_ptr`-first
 *   signatures, otherwise `error::initiation_failed`.
 * For `exception_ptr`-first signatures errors arrive as a
 * `boost::system::system_error`. With an error, the other values are
 * default-constructed.
 *
 * @par Which thread runs the handler
 * A thread running the handler's associated executor, submitted with
 * `blocking.never` (the effect of `asio::post`; for executors that cannot
 * promise it, posted to `ex` and then dispatched, as Asio does):
 * never the thread that invoked the callback, never inside this function, even
 * when `init` invokes the callback synchronously. Until the handler has run
 * (or has been destroyed), outstanding work is counted on `ex` and on the
 * handler's associated executor, and released after the handler returns.
 *
 * @par Per-operation cancellation
 * If the handler's associated cancellation slot is connected:
 * `cancellation_type::terminal` is always honoured; `partial` and `total` only
 * once `init` registered a hook that declares them (`callback::on_cancel`).
 * A cancellation that wins completes the operation promptly with
 * `operation_aborted`, after running the hooks; the legacy result that may
 * still come is discarded (the callback returns false). Once a hook was
 * registered with `after_cancel::wait_for_callback`, the cancellation runs
 * the hooks but the operation waits for the legacy callback (or a drop, or a
 * shutdown) to complete it, so buffers the library writes into may live in
 * the caller's frame (see `callback::on_cancel`). A cancellation that
 * arrives after a result was delivered has no effect.
 *
 * @par Shutdown
 * If an execution context whose executor the operation tracks is shut down
 * while the legacy call is outstanding, the handler is destroyed without
 * being invoked, and every callback copy becomes inert.
 *
 * @par Memory
 * The operation's state is allocated with the handler's associated allocator
 * (by default Asio's recycling allocator) and freed before the handler runs.
 * A 72-byte block shared by the callback copies comes from a small per-thread
 * cache and lives as long as the last copy. Posting the completion allocates
 * nothing for executors that honour `execution::allocator` (io_context,
 * strand); a type-erased executor (`any_io_executor`) allocates as it does
 * for `asio::post`.
 *
 * @par Thread safety
 * Like any Asio initiating function: safe to call from any thread; the
 * executor's and handler's own rules apply.
 */
template <typename Signature, typename Executor, typename Init,
    asio::completion_token_for<completion_signature_t<Signature>> CompletionToken =
        asio::default_completion_token_t<Executor>>
  requires asio::execution::is_executor<Executor>::value
auto async_call(const Executor& ex, Init&& init,
    CompletionToken&& token = asio::default_completion_token_t<Executor>(),
    const source_location& where = source_location::current())
{
  return asio::async_initiate<CompletionToken, completion_signature_t<Signature>>(
      detail::initiate_async_call<Signature, Executor>(ex), token, std::forward<Init>(init), where);
}

/// @brief Starts an asynchronous operation that a legacy callback completes, on an
/// execution context's executor.
/**
 * Equivalent to `async_call<Signature>(ctx.get_executor(), init, token)`.
 */
template <typename Signature, typename ExecutionContext, typename Init,
    asio::completion_token_for<completion_signature_t<Signature>> CompletionToken =
        asio::default_completion_token_t<typename ExecutionContext::executor_type>>
  requires std::is_convertible_v<ExecutionContext&, asio::execution_context&>
auto async_call(ExecutionContext& ctx, Init&& init,
    CompletionToken&& token =
        asio::default_completion_token_t<typename ExecutionContext::executor_type>(),
    const source_location& where = source_location::current())
{
  return asio::async_initiate<CompletionToken, completion_signature_t<Signature>>(
      detail::initiate_async_call<Signature, typename ExecutionContext::executor_type>(
          ctx.get_executor()),
      token, std::forward<Init>(init), where);
}

} // namespace awaitify

#endif // AWAITIFY_ASYNC_CALL_HPP
