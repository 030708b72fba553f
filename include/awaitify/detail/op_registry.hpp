// SPDX-License-Identifier: BSL-1.0
//
// awaitify/detail/op_registry.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// An execution_context service that knows every pending awaitify operation
// of its context, so that shutting the context down can destroy them and
// make every callback copy that the legacy code still holds inert.
//

#ifndef AWAITIFY_DETAIL_OP_REGISTRY_HPP
#define AWAITIFY_DETAIL_OP_REGISTRY_HPP

#include <awaitify/detail/anchor.hpp>
#include <awaitify/detail/context_stats.hpp>
#include <awaitify/detail/thread_shard.hpp>

#include <awaitify/detail/asio.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>

namespace AWAITIFY_NAMESPACE {
namespace detail {

/// A lock held for a few instructions and seldom contended (a shard is
/// mostly used by the one thread that enrolls in it): unlocking is a store,
/// where a mutex needs an atomic exchange.
class shard_lock
{
public:
  void lock() noexcept
  {
    while (locked_.exchange(true, std::memory_order_acquire))
      while (locked_.load(std::memory_order_relaxed))
        yield_now();
  }

  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

private:
  std::atomic<bool> locked_{false};
};

/// One of a registry's lists. Each thread enrolls into one shard, so threads
/// that start operations on the same context rarely share a lock; an
/// operation is unlinked from the shard it was enrolled in, by whichever
/// thread ends it.
struct alignas(64) registry_shard
{
  shard_lock lock_;
  registry_link head_;
  bool shut_down_ = false;
};

class op_registry final : public asio::execution_context::service
{
public:
  static asio::execution_context::id id;

  explicit op_registry(asio::execution_context& ctx);
  ~op_registry() override;

  /// The registry of `ctx`, created on first use. Cheap after the first call
  /// on a thread.
  static op_registry& of(asio::execution_context& ctx);

  context_stats& stats() noexcept { return *stats_; }

  /// Links `link` (whose index is set) into this thread's shard of this
  /// registry. Returns false, and links nothing, once the context is shutting
  /// down.
  bool add(registry_link& link) noexcept;

  /// Unlinks `link` if it is linked; safe to call more than once.
  static void remove(registry_link& link) noexcept;

private:
  void shutdown() override;

  registry_shard& shard_of_this_thread() noexcept;

  std::unique_ptr<registry_shard[]> shards_;
  std::size_t shard_mask_;
  context_stats* stats_;
};

/// The execution context of a standard executor.
template <typename Executor>
asio::execution_context& context_of(const Executor& ex) noexcept
{
  return asio::query(ex, asio::execution::context);
}

} // namespace detail
} // namespace awaitify

#endif // AWAITIFY_DETAIL_OP_REGISTRY_HPP
