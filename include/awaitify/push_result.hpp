// SPDX-License-Identifier: BSL-1.0
//
// awaitify/push_result.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~
//

#ifndef AWAITIFY_PUSH_RESULT_HPP
#define AWAITIFY_PUSH_RESULT_HPP

#include <awaitify/config.hpp>

namespace AWAITIFY_NAMESPACE {

/// What happened to an item pushed into a stream's sink.
enum class push_result
{
  /// Buffered, or handed straight to the waiting consumer.
  enqueued,

  /// @brief Discarded by the buffer policy (the item itself, under `drop_newest` and
  /// `fail`); the options' `on_drop` received it.
  dropped,

  /// The stream had already ended; the item was destroyed.
  closed,
};

} // namespace awaitify

#endif // AWAITIFY_PUSH_RESULT_HPP
