// SPDX-License-Identifier: BSL-1.0

#include <awaitify/detail/op_registry.hpp>

#include <algorithm>
#include <cstdio>
#include <thread>
#include <vector>

namespace AWAITIFY_NAMESPACE {
namespace detail {
namespace {

// Bumped whenever a registry shuts down, so that a thread's cached lookup can
// never name a registry whose context is gone (a new context may reuse the
// address of a destroyed one).
std::atomic<std::uint64_t> registry_epoch{0}; // NOLINT(cppcoreguidelines-avoid-non-const-global-variables): one per process.

struct registry_cache
{
  asio::execution_context* ctx = nullptr;
  op_registry* registry = nullptr;
  std::uint64_t epoch = 0;
};

thread_local registry_cache cache; // NOLINT(cppcoreguidelines-avoid-non-const-global-variables): one per thread.

void unlink(registry_link& link) noexcept
{
  link.prev_->next_ = link.next_;
  link.next_->prev_ = link.prev_;
  link.prev_ = link.next_ = nullptr;
  link.tagged_shard_ &= registry_link::owner_bits;
}

// The operations that shutdowns running on this thread abandoned and are
// destroying, innermost shutdown first: destroying a handler can destroy
// another execution context on this same thread (the handler owned it), and
// that context's shutdown must neither wait for these operations (only this
// thread would ever finish them) nor leave them holding its work and handlers.
struct abandoned_batch
{
  std::vector<op_header*>* ops;
  std::size_t current;
  abandoned_batch* outer;
};

thread_local abandoned_batch* batches_on_this_thread = nullptr; // NOLINT(cppcoreguidelines-avoid-non-const-global-variables): one per thread.

enum class claim
{
  adopted,        // Not destroyed yet: the caller destroys it now.
  in_destruction, // Its handler's destruction is what runs the caller.
  elsewhere,      // Another thread destroys it.
};

claim claim_on_this_thread(op_header* op) noexcept
{
  for (abandoned_batch* batch = batches_on_this_thread; batch; batch = batch->outer)
  {
    std::vector<op_header*>& ops = *batch->ops;
    for (std::size_t i = batch->current; i < ops.size(); ++i)
    {
      if (ops[i] != op)
        continue;
      if (i == batch->current)
        return claim::in_destruction;
      ops[i] = nullptr;
      return claim::adopted;
    }
  }
  return claim::elsewhere;
}

void destroy_abandoned(std::vector<op_header*>& ops) noexcept
{
  abandoned_batch batch{&ops, 0, batches_on_this_thread};
  batches_on_this_thread = &batch;
  for (; batch.current < ops.size(); ++batch.current)
  {
    if (op_header* op = ops[batch.current]) // Null: adopted by a nested shutdown.
      op->destroy();
    ops[batch.current] = nullptr;
  }
  batches_on_this_thread = batch.outer;
}

} // namespace

std::size_t shard_count() noexcept
{
  static const std::size_t count = [] {
    const std::size_t wanted = std::max<std::size_t>(8, 2 * std::size_t(std::thread::hardware_concurrency()));
    std::size_t n = 1;
    while (n < wanted && n < 256)
      n *= 2;
    return n;
  }();
  return count;
}

std::size_t next_thread_index() noexcept
{
  static std::atomic<std::size_t> threads_seen{0};
  return threads_seen.fetch_add(1, std::memory_order_relaxed);
}

void yield_now() noexcept
{
  std::this_thread::yield();
}

asio::execution_context::id op_registry::id;

op_registry::op_registry(asio::execution_context& ctx)
  : asio::execution_context::service(ctx)
  , shards_(new registry_shard[shard_count()])
  , shard_mask_(shard_count() - 1)
  , stats_(context_stats::create(shard_count()))
{
  for (std::size_t i = 0; i <= shard_mask_; ++i)
    shards_[i].head_.prev_ = shards_[i].head_.next_ = &shards_[i].head_;
}

op_registry::~op_registry()
{
  // A lookup made during shutdown may have cached this registry; its address
  // is free for reuse from now on.
  registry_epoch.fetch_add(1, std::memory_order_acq_rel);
  stats_->release();
}

op_registry& op_registry::of(asio::execution_context& ctx)
{
  const std::uint64_t epoch = registry_epoch.load(std::memory_order_acquire);
  if (cache.ctx != &ctx || cache.epoch != epoch)
    cache = {&ctx, &asio::use_service<op_registry>(ctx), epoch};
  return *cache.registry;
}

registry_shard& op_registry::shard_of_this_thread() noexcept
{
  return shards_[this_thread_index & shard_mask_];
}

bool op_registry::add(registry_link& link) noexcept
{
  registry_shard& shard = shard_of_this_thread();
  std::lock_guard lock(shard.lock_);
  if (shard.shut_down_)
    return false;
  link.tagged_shard_ = reinterpret_cast<std::uintptr_t>(&shard) | (link.tagged_shard_ & registry_link::owner_bits);
  link.prev_ = &shard.head_;
  link.next_ = shard.head_.next_;
  shard.head_.next_->prev_ = &link;
  shard.head_.next_ = &link;
  return true;
}

void op_registry::remove(registry_link& link) noexcept
{
  if (registry_shard* shard = link.shard())
  {
    std::lock_guard lock(shard->lock_);
    unlink(link);
  }
}

void op_registry::shutdown()
{
  registry_epoch.fetch_add(1, std::memory_order_acq_rel);

  std::vector<op_header*> doomed;
  std::vector<anchor*> in_hand_over;
  for (std::size_t i = 0; i <= shard_mask_; ++i)
  {
    registry_shard& shard = shards_[i];
    std::lock_guard lock(shard.lock_);
    shard.shut_down_ = true;
    for (registry_link* link = shard.head_.next_; link != &shard.head_;)
    {
      registry_link* next = link->next_;
      op_header* op = op_header::of(*link);
      switch (op->anchor_->try_abandon())
      {
      case anchor::abandon_result::abandoned:
        unlink(*link);
        doomed.push_back(op);
        break;
      case anchor::abandon_result::handing_over:
        op->anchor_->add_share();
        in_hand_over.push_back(op->anchor_);
        break;
      case anchor::abandon_result::finished:
        // Already posted, to this context: a delivered operation stays
        // registered only with the context it went to, which destroys it
        // as it shuts down (and the operation unlinks itself then).
        break;
      }
      link = next;
    }
  }

  // An owner on a foreign thread is posting into this context: it must be
  // done before the context's scheduler goes away.
  for (anchor* a : in_hand_over)
  {
    a->wait_for_hand_over();
    a->release_share();
  }

  // Destroying a handler may destroy a coroutine frame and with it other
  // callbacks: no lock may be held here.
  destroy_abandoned(doomed);

  // An operation that the registry of its other context abandoned is
  // unlinked from here by the thread that destroys it, after its handler is
  // gone: this registry must outlive that. When that thread is this one (the
  // handler being destroyed owned this context), waiting would never end:
  // see claim_on_this_thread.
  for (;;)
  {
    std::vector<op_header*> adopted;
    bool waiting = false;
    for (std::size_t i = 0; i <= shard_mask_; ++i)
    {
      registry_shard& shard = shards_[i];
      std::lock_guard lock(shard.lock_);
      for (registry_link* link = shard.head_.next_; link != &shard.head_;)
      {
        registry_link* next = link->next_;
        op_header* op = op_header::of(*link);
        if (op->anchor_->is_abandoned())
        {
          switch (claim_on_this_thread(op))
          {
          case claim::adopted:
            unlink(*link);
            adopted.push_back(op);
            break;
          case claim::in_destruction:
            unlink(*link); // Its work is released, its handler is going.
            break;
          case claim::elsewhere:
            waiting = true;
            break;
          }
        }
        link = next;
      }
    }
    if (!adopted.empty())
      destroy_abandoned(adopted);
    else if (!waiting)
      return;
    else
      yield_now();
  }
}

void context_stats::report(misuse kind, const source_location& where) noexcept
{
  switch (kind)
  {
  case misuse::duplicate:
    duplicate_.fetch_add(1, std::memory_order_release);
    break;
  case misuse::late:
    late_.fetch_add(1, std::memory_order_release);
    break;
  case misuse::dropped:
    break; // Counted as the operation's outcome.
  }
  if (!has_handler_.load(std::memory_order_acquire))
    return;
  misuse_handler handler;
  {
    std::lock_guard lock(handler_mutex_);
    handler = handler_;
  }
  if (handler)
    handler(kind, where);
}

void context_stats::set_handler(misuse_handler handler)
{
  std::lock_guard lock(handler_mutex_);
  has_handler_.store(static_cast<bool>(handler), std::memory_order_release);
  handler_ = std::move(handler);
}

counters context_stats::snapshot() const noexcept
{
  std::uint64_t outcomes[outcome_count] = {};
  for (std::size_t i = 0; i <= shard_mask_; ++i)
    for (std::size_t o = 0; o < outcome_count; ++o)
      outcomes[o] += shards_[i].outcomes_[o].load(std::memory_order_acquire);
  counters c;
  c.completed = outcomes[delivered];
  c.cancelled = outcomes[cancelled];
  c.dropped = outcomes[dropped];
  c.failed = outcomes[failed];
  c.abandoned = outcomes[abandoned];
  c.duplicate = duplicate_.load(std::memory_order_acquire);
  c.late = late_.load(std::memory_order_acquire);
  c.detached = detached_.load(std::memory_order_acquire);
  // Read last: every outcome read above belongs to an operation whose start
  // happened before it, so pending never goes below zero.
  for (std::size_t i = 0; i <= shard_mask_; ++i)
    c.started += shards_[i].started_.load(std::memory_order_acquire);
  c.pending = c.started - (c.completed + c.cancelled + c.dropped + c.failed + c.abandoned);
  return c;
}

} // namespace detail

counters get_counters(asio::execution_context& ctx)
{
  return detail::op_registry::of(ctx).stats().snapshot();
}

void set_misuse_handler(asio::execution_context& ctx, misuse_handler handler)
{
  detail::op_registry::of(ctx).stats().set_handler(std::move(handler));
}

const char* to_string(misuse kind) noexcept
{
  switch (kind)
  {
  case misuse::duplicate:
    return "duplicate";
  case misuse::dropped:
    return "dropped";
  case misuse::late:
    return "late";
  }
  return "unknown";
}

void log_misuse(misuse kind, const source_location& where)
{
  static constexpr const char* what[] = {
      "a callback was invoked again after delivering its result",
      "every copy of a callback was destroyed without an invocation",
      "a callback was invoked after its operation was cancelled or abandoned",
  };
  std::fprintf(stderr, "awaitify: %s (%s); operation started at %s:%u:%u in %s\n",
      what[static_cast<int>(kind)], to_string(kind), where.file_name(),
      static_cast<unsigned>(where.line()), static_cast<unsigned>(where.column()), where.function_name());
}

} // namespace awaitify
