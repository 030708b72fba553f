// SPDX-License-Identifier: BSL-1.0
//
// awaitify/stream.hpp
// ~~~~~~~~~~~~~~~~~~~
//
// A multi-shot legacy callback (a subscription, progress reports, a socket's
// "on data") as an asynchronous stream of items.
//

#ifndef AWAITIFY_STREAM_HPP
#define AWAITIFY_STREAM_HPP

#include <awaitify/completion_signature.hpp>
#include <awaitify/detail/stream_state.hpp>
#include <awaitify/impl/async_call.hpp>
#include <awaitify/push_result.hpp>
#include <awaitify/sink.hpp>
#include <awaitify/source_location.hpp>
#include <awaitify/stream_options.hpp>

#include <awaitify/detail/asio.hpp>

#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

namespace AWAITIFY_NAMESPACE {
namespace detail {

/// @brief A grant of flow-control credit on its way to the producer's `on_demand`.
/// It runs as a handler of the stream's executor, not inside `async_next`:
/// what the producer's function throws then leaves that executor's run(),
/// as any handler's exception does, and cannot be lost in an initiation
/// whose operation has already completed.
template <typename Signature>
struct grant_announcement
{
  std::shared_ptr<stream_state<Signature>> state_;
  std::size_t credit_;

  void operator()() const { state_->announce_grant(credit_); }
};

/// The init of async_next.
template <typename Signature, typename Executor>
struct next_item
{
  std::shared_ptr<stream_state<Signature>> state_;
  Executor ex_;

  void operator()(callback<Signature> cb) &&
  {
    if (!state_)
    {
      cb.fail(asio::error::bad_descriptor); // A moved-from stream.
      return;
    }
    if (const std::size_t grant = state_->next(std::move(cb)))
      asio::post(ex_, grant_announcement<Signature>{std::move(state_), grant});
  }
};

} // namespace detail

/// @brief The consumer's end of a stream of items `Args...` pushed by a legacy
/// multi-shot callback; made by `make_stream`.
/**
 * Single consumer: one `async_next` at a time. Move-only. Destroying the
 * stream ends it: buffered items are discarded, a pending `async_next`
 * completes with `operation_aborted`, later pushes return
 * `push_result::closed`, and the teardown is posted to the stream's executor.
 *
 * @par Thread safety
 * Like an Asio I/O object: distinct objects are independent; one object must
 * not be used concurrently from several threads. Producers (sinks) may push
 * from any thread at any time.
 */
template <typename Signature, typename Executor = asio::any_io_executor>
class stream
{
public:
  /// The executor on which the teardown runs and handlers run by default.
  using executor_type = Executor;

  /// @brief The completion signature of `async_next`:
  /// `completion_signature_t<Signature>`, i.e. `void(error_code, Args...)`.
  using completion_signature = completion_signature_t<Signature>;

  /// @brief Takes over `other`'s stream; `other` is left moved-from: it keeps its
  /// executor, and its `async_next` completes with
  /// `asio::error::bad_descriptor`.
  stream(stream&& other) noexcept(std::is_nothrow_copy_constructible_v<Executor>)
    : ex_(other.ex_), state_(std::move(other.state_)), where_(other.where_)
  {
  }

  /// @brief Ends this stream (as the destructor does), then takes over `other`'s,
  /// leaving `other` moved-from.
  stream& operator=(stream&& other) noexcept(std::is_nothrow_copy_assignable_v<Executor>)
  {
    if (this != &other)
    {
      end();
      ex_ = other.ex_;
      state_ = std::move(other.state_);
      where_ = other.where_;
    }
    return *this;
  }

  ~stream() { end(); }

  /// The stream's executor.
  executor_type get_executor() const noexcept { return ex_; }

  /// Waits for the next item.
  /**
   * @par Completion signature
   * `void(boost::system::error_code, Args...)`, the item's values moved, in
   * the order each producer pushed them. At the end, once every buffered item
   * has been taken, the error tells why, with default-constructed values:
   * - `error::end_of_stream`: a sink called `close()`;
   * - the sink's error, after `fail(ec)`;
   * - `error::overflow`: the buffer overflowed under `overflow_policy::fail`;
   * - `error::callback_dropped`: every sink was destroyed without `close()`;
   * - `asio::error::shut_down`: the stream's execution context was shut down.
   * The end is sticky: later calls complete with it again. A call made while
   * another is outstanding completes with `error::operation_in_progress` and
   * leaves the first one waiting.
   *
   * Loop with `as_tuple`:
   * @code
   * for (;;) {
   *   auto [ec, item] = co_await s.async_next(asio::as_tuple(asio::use_awaitable));
   *   if (ec == awaitify::error::end_of_stream) break;
   *   if (ec) { ...; break; }
   *   ...
   * }
   * @endcode
   * or with `use_awaitable`, where the end is thrown as a
   * `boost::system::system_error`.
   *
   * @par Which thread runs the handler
   * The handler's associated executor (default: the stream's), through a
   * post: never a producer's thread, never inside this function.
   *
   * @par Per-operation cancellation
   * Every cancellation type (terminal, partial, total) cancels the wait only:
   * it completes with `operation_aborted`, no item is consumed, and the stream
   * stays usable.
   */
  template <asio::completion_token_for<completion_signature> NextToken =
                asio::default_completion_token_t<Executor>>
  auto async_next(NextToken&& token = asio::default_completion_token_t<Executor>())
  {
    return asio::async_initiate<NextToken, completion_signature>(
        detail::initiate_async_call<Signature, Executor>(ex_), token,
        detail::next_item<Signature, Executor>{state_, ex_}, where_);
  }

#ifndef GENERATING_DOCUMENTATION
  stream(const Executor& ex, std::shared_ptr<detail::stream_state<Signature>> state,
      const source_location& where) noexcept
    : ex_(ex), state_(std::move(state)), where_(where)
  {
  }
#endif

private:
  void end()
  {
    if (state_)
      std::exchange(state_, nullptr)->consumer_gone();
  }

  Executor ex_;
  std::shared_ptr<detail::stream_state<Signature>> state_;
  source_location where_;
};

/// @brief Subscribes to a multi-shot legacy callback and returns the stream of its
/// items.
/**
 * `subscribe(awaitify::sink<Signature>)` is invoked once, on the calling
 * thread, before this function returns. It hands the sink (or copies of it)
 * to the legacy API and returns the teardown: a callable that unregisters the
 * legacy subscription (or nothing, if there is none). The sink is armed
 * before `subscribe` runs, so items it pushes synchronously are kept. If
 * `subscribe` throws, the exception propagates and the stream never exists.
 *
 * The teardown runs exactly once, on `ex` (posted), when the stream ends:
 * a sink closes or fails it, it overflows under `fail`, the last sink is
 * dropped, or the stream object is destroyed. If `ex`'s execution context is
 * shut down first, the teardown runs during that shutdown, on the thread that
 * shuts it down. After the end, pushes return `push_result::closed` and touch
 * no freed memory. The teardown is posted before a pending `async_next`
 * learns of the end, so a `run()` that returns once the consumer is done has
 * run the teardown as well. An open stream does not keep its context's
 * `run()` going; it counts as one pending operation in `get_counters` until
 * its teardown.
 *
 * @par Thread safety
 * Safe to call from any thread.
 */
template <typename Signature, typename Executor, typename Subscribe>
  requires asio::execution::is_executor<Executor>::value
stream<Signature, Executor> make_stream(const Executor& ex, stream_options<Signature> options,
    Subscribe&& subscribe, const source_location& where = source_location::current());

/// As above, on an execution context's executor.
template <typename Signature, typename ExecutionContext, typename Subscribe>
  requires std::is_convertible_v<ExecutionContext&, asio::execution_context&>
stream<Signature, typename ExecutionContext::executor_type> make_stream(ExecutionContext& ctx,
    stream_options<Signature> options, Subscribe&& subscribe,
    const source_location& where = source_location::current())
{
  return make_stream<Signature>(ctx.get_executor(), std::move(options),
      std::forward<Subscribe>(subscribe), where);
}

} // namespace awaitify

#include <awaitify/impl/stream.hpp>

#endif // AWAITIFY_STREAM_HPP
