// SPDX-License-Identifier: BSL-1.0
//
// awaitify/sink.hpp
// ~~~~~~~~~~~~~~~~~
//
// The producer's end of an awaitify::stream: what a multi-shot legacy
// callback pushes its items into.
//

#ifndef AWAITIFY_SINK_HPP
#define AWAITIFY_SINK_HPP

#include <awaitify/detail/stream_state.hpp>
#include <awaitify/push_result.hpp>

#include <awaitify/detail/asio.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <utility>

namespace AWAITIFY_NAMESPACE {

template <typename Signature>
class sink;

/// @brief Pushes items into a stream; made by `make_stream` and handed to its
/// `subscribe` function.
/**
 * Give a copy to the legacy API as its multi-shot callback; it converts to
 * `std::function<push_result(Args...)>` and to `std::function<void(Args...)>`.
 *
 * - `sink(args...)` pushes one item and says what happened to it. Items
 *   pushed by one thread arrive in the order they were pushed.
 * - `close()` ends the stream once the consumer has taken the buffered items;
 *   the consumer then sees `error::end_of_stream`.
 * - `fail(ec)` ends it with `ec` after the buffered items.
 * - When the last copy is destroyed while the stream is open, the stream ends
 *   with `error::callback_dropped` after the buffered items.
 *
 * A sink holds only memory of its own: it stays safe to use after the stream
 * is destroyed, or its execution context is; pushes then return
 * `push_result::closed`.
 *
 * @par Thread safety
 * Distinct copies may be used concurrently from any threads, and one object
 * may be pushed into concurrently; a producer is never blocked for longer
 * than it takes to store an item (or hand it to the waiting consumer). Like
 * `std::shared_ptr`, one object must not be assigned or destroyed while
 * another thread uses it.
 */
template <typename... Args>
class sink<void(Args...)>
{
public:
  /// The signature of an item: the values a push takes.
  using signature = void(Args...);

  /// @brief Another handle to the same stream; the stream's producer side ends when
  /// the last handle is destroyed. A copy of a moved-from sink is moved-from:
  /// its pushes return `push_result::closed`, `close()` and `fail()` false.
  sink(const sink& other) noexcept : state_(other.state_)
  {
    if (state_)
      state_->add_sink();
  }

  /// Takes over `other`'s handle; `other` is left moved-from (inert).
  sink(sink&& other) noexcept : state_(std::move(other.state_)) {}

  /// Releases this handle and takes `other`'s.
  sink& operator=(sink other) noexcept
  {
    std::swap(state_, other.state_);
    return *this;
  }

  ~sink()
  {
    if (state_)
      state_->release_sink();
  }

  /// @brief Pushes an item: `enqueued` (buffered, or handed to the waiting
  /// consumer), `dropped` by the buffer policy (the options' `on_drop` then
  /// received it, on this thread), or `closed` (the stream has ended; the
  /// item is destroyed). Values taken by value or rvalue reference are
  /// moved; those taken by lvalue reference belong to the caller and are
  /// copied, never moved from.
  push_result operator()(Args... args) const
  {
    if (!state_)
      return push_result::closed;
    return state_->push(typename detail::stream_state<signature>::item_type(std::forward<Args>(args)...));
  }

  /// @brief The credit left: how many more items the producer may push without
  /// making the buffer hold more than `capacity` items. Under
  /// `overflow_policy::flow_control` it starts at `capacity`, each push uses
  /// one, and items the consumer takes are granted back (see `on_demand`);
  /// under the other policies it is the free room in the buffer (the largest
  /// `std::size_t` for `unbounded`). 0 once the stream has ended, and for a
  /// moved-from sink.
  std::size_t demand() const { return state_ ? state_->demand() : 0; }

  /// @brief Registers `f(std::size_t n)`, called with each new grant of `n` items
  /// under `overflow_policy::flow_control`.
  /**
   * Grants are batched: the credit of the items the consumer takes is
   * granted in batches of half of `capacity`, so when the producer's credit
   * has fallen to half of `capacity` or below (or run out). A pull-style producer (gRPC's `StartRead`) pushes while
   * `demand() > 0` and resumes reading in `f`; a pause-style one (curl's
   * `CURL_WRITEFUNC_PAUSE`, `uv_read_stop`) pauses at 0 and resumes in `f`.
   *
   * `f` runs on the stream's executor, in a function that the `async_next`
   * which took the item completing the batch posts there, outside awaitify's
   * lock. Calls never overlap; none is made once the stream's end is seen,
   * nor after the teardown has started (the teardown waits for a call in
   * progress, and destroys `f`). `f` may push and close, but must not call
   * `on_demand`, nor block on the consumer. What `f` throws propagates out of
   * the executor's `run()`, as a handler's exception does (the grant is then
   * lost: the credit it carried is not announced again). A later
   * registration replaces the earlier one.
   */
  template <typename F>
  void on_demand(F&& f) const
  {
    if (state_)
      state_->on_demand(std::function<void(std::size_t)>(std::forward<F>(f)));
  }

  /// @brief Pauses the producer if it has no demand left, atomically with respect
  /// to grants: if `demand()` is 0, runs `pause()` and returns true; else
  /// runs nothing and returns false (push).
  /**
   * A grant that comes after the check is announced (`on_demand`'s function
   * runs) only once `pause()` has returned, so a "resume" issued from
   * `on_demand` can never come before the pause it undoes: the lost wake-up
   * of a producer that checks `demand() == 0` and then pauses, while a grant
   * lands in between, cannot happen.
   * @code
   * // On the producer's thread, with resume() called from on_demand's function:
   * if (sink.try_pause([&] { reader.stop(); })) return;
   * sink(next_item());
   * @endcode
   * `pause` runs on the calling thread, holding the lock that serialises
   * grant announcements (not the stream's lock: it may push); it must not
   * call `on_demand` or `try_pause`, nor wait for the consumer.
   *
   * @par Thread safety
   * Safe from any thread, concurrently with pushes, grants and the consumer.
   */
  template <typename Pause>
  bool try_pause(Pause&& pause) const
  {
    return state_ && state_->pause_if_no_demand(pause);
  }

  /// @brief How many pushes came with no credit left (`overflow_policy::flow_control`):
  /// those items were kept, beyond `capacity`.
  std::size_t overdrafts() const { return state_ ? state_->overdrafts() : 0; }

  /// @brief Ends the stream after the buffered items. Returns false if it had
  /// already ended.
  bool close() const { return state_ && state_->end(error::end_of_stream); }

  /// @brief Ends the stream with `ec` after the buffered items. Returns false if it
  /// had already ended.
  bool fail(const error_code& ec) const { return state_ && state_->end(ec); }

#ifndef GENERATING_DOCUMENTATION
  /// Counts a new sink of `state` (awaitify internal).
  explicit sink(std::shared_ptr<detail::stream_state<signature>> state) noexcept
    : state_(std::move(state))
  {
    state_->add_sink();
  }
#endif

private:
  std::shared_ptr<detail::stream_state<signature>> state_;
};

} // namespace awaitify

#endif // AWAITIFY_SINK_HPP
