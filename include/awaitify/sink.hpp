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

#include <boost/system/error_code.hpp>

#include <memory>
#include <utility>

namespace awaitify {

template <typename Signature>
class sink;

/// Pushes items into a stream; made by `make_stream` and handed to its
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

  /// Another handle to the same stream; the stream's producer side ends when
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

  /// Pushes an item: `enqueued` (buffered, or handed to the waiting
  /// consumer), `dropped` by the buffer policy (the options' `on_drop` then
  /// received it, on this thread), or `closed` (the stream has ended; the
  /// item is destroyed). Values are moved, never copied.
  push_result operator()(Args... args) const
  {
    if (!state_)
      return push_result::closed;
    return state_->push(typename detail::stream_state<signature>::item_type(std::move(args)...));
  }

  /// Ends the stream after the buffered items. Returns false if it had
  /// already ended.
  bool close() const { return state_ && state_->end(error::end_of_stream); }

  /// Ends the stream with `ec` after the buffered items. Returns false if it
  /// had already ended.
  bool fail(const boost::system::error_code& ec) const { return state_ && state_->end(ec); }

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
