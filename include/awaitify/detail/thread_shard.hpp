// SPDX-License-Identifier: BSL-1.0
//
// awaitify/detail/thread_shard.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// Which shard of a context's per-thread structures (its registry's lists, its
// counters) the calling thread uses, so that the threads of one context do
// not all write to one lock or one cache line for every operation.
//

#ifndef AWAITIFY_DETAIL_THREAD_SHARD_HPP
#define AWAITIFY_DETAIL_THREAD_SHARD_HPP

#include <awaitify/config.hpp>

#include <cstddef>

namespace AWAITIFY_NAMESPACE {
namespace detail {

/// How many shards a context's structures have: a power of two, enough that
/// its threads seldom share one even on a large machine.
std::size_t shard_count() noexcept;

/// Numbers threads in the order they first ask.
std::size_t next_thread_index() noexcept;

/// This thread's number; its shard is `this_thread_index & (shard_count() - 1)`.
inline thread_local const std::size_t this_thread_index = next_thread_index();

} // namespace detail
} // namespace awaitify

#endif // AWAITIFY_DETAIL_THREAD_SHARD_HPP
