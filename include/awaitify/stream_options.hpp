// SPDX-License-Identifier: BSL-1.0
//
// awaitify/stream_options.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// How a stream buffers the items its producers push.
//

#ifndef AWAITIFY_STREAM_OPTIONS_HPP
#define AWAITIFY_STREAM_OPTIONS_HPP

#include <awaitify/config.hpp>

#include <cstddef>
#include <functional>

namespace AWAITIFY_NAMESPACE {

/// What a stream does with an item pushed while its buffer is full.
enum class overflow_policy
{
  /// No bound: `capacity` is ignored.
  unbounded,

  /// Keep the new item, drop the oldest buffered one.
  drop_oldest,

  /// Keep the buffer, drop the new item.
  drop_newest,

  /// @brief Drop the new item and end the stream with `error::overflow` once the
  /// consumer has taken the buffered items.
  fail,

  /// @brief Never drop, never fail: the stream grants the producer credit
  /// (`sink::demand()`, starting at `capacity`, at least 1), each push uses
  /// one, and items the consumer takes are granted again
  /// (`sink::on_demand`). A producer that pushes only while it has credit
  /// never makes the buffer hold more than `capacity` items; a push beyond
  /// the credit is still kept, and counted (`sink::overdrafts()`).
  flow_control,
};

template <typename Signature>
struct stream_options;

/// Options of a stream of items `Args...`.
/**
 * The default is bounded: 1024 items, and an overflow ends the stream with
 * `error::overflow`, so that no item is ever lost silently.
 */
template <typename... Args>
struct stream_options<void(Args...)>
{
  /// What to do with an item pushed while `capacity` items are buffered.
  overflow_policy policy = overflow_policy::fail;

  /// @brief How many items may wait for the consumer. 0 means an item is only
  /// accepted when the consumer is already waiting for it.
  std::size_t capacity = 1024;

  /// @brief Receives every item that the policy drops, moved, on the pushing thread,
  /// outside awaitify's lock. May be empty.
  std::function<void(Args...)> on_drop;
};

} // namespace awaitify

#endif // AWAITIFY_STREAM_OPTIONS_HPP
