// SPDX-License-Identifier: BSL-1.0
//
// awaitify/detail/context_stats.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//

#ifndef AWAITIFY_DETAIL_CONTEXT_STATS_HPP
#define AWAITIFY_DETAIL_CONTEXT_STATS_HPP

#include <awaitify/diagnostics.hpp>
#include <awaitify/detail/thread_shard.hpp>
#include <awaitify/source_location.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

namespace AWAITIFY_NAMESPACE {
namespace detail {

/// How an operation ended. Stored in the low bits of an anchor's state.
enum outcome : std::uint32_t
{
  no_outcome = 0,
  delivered = 1,
  dropped = 2,
  cancelled = 3,
  failed = 4,
  abandoned = 5,
  outcome_count = 6,
};

/// The counters and misuse handler of one execution context.
/**
 * Reference counted, because a callback can outlive its execution context and
 * still has to count (and report) a late invocation somewhere that is alive.
 */
class context_stats
{
public:
  static context_stats* create(std::size_t shards) { return new context_stats(shards); }

  void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }

  void release() noexcept
  {
    // The last reference needs no subtraction: referring needs a reference.
    if (refs_.load(std::memory_order_acquire) == 1 || refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
      delete this;
  }

  // Release ordering pairs with the acquire loads in snapshot(): an outcome
  // seen there implies its operation's start is seen too.
  void count_start() noexcept { this_thread_shard().started_.fetch_add(1, std::memory_order_release); }

  void count(outcome o) noexcept { this_thread_shard().outcomes_[o].fetch_add(1, std::memory_order_release); }

  /// Counts a result discarded as expected (after_cancel::detach).
  void count_detached() noexcept { detached_.fetch_add(1, std::memory_order_release); }

  /// Counts a misuse and hands it to the misuse handler, if any.
  void report(misuse kind, const source_location& where) noexcept;

  void set_handler(misuse_handler handler);

  counters snapshot() const noexcept;

private:
  // Operations start on the context's threads and end on legacy threads:
  // each thread counts in a shard of its own, on a cache line of its own.
  struct alignas(64) counter_shard
  {
    std::atomic<std::uint64_t> started_{0};
    std::atomic<std::uint64_t> outcomes_[outcome_count] = {};
  };

  explicit context_stats(std::size_t shards) : shards_(new counter_shard[shards]), shard_mask_(shards - 1) {}

  counter_shard& this_thread_shard() noexcept { return shards_[this_thread_index & shard_mask_]; }

  alignas(64) std::atomic<std::uint32_t> refs_{1};
  std::unique_ptr<counter_shard[]> shards_;
  std::size_t shard_mask_;
  alignas(64) std::atomic<std::uint64_t> duplicate_{0};
  std::atomic<std::uint64_t> late_{0};
  std::atomic<std::uint64_t> detached_{0};
  std::atomic<bool> has_handler_{false};
  std::mutex handler_mutex_;
  misuse_handler handler_;
};

} // namespace detail
} // namespace awaitify

#endif // AWAITIFY_DETAIL_CONTEXT_STATS_HPP
