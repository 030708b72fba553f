// SPDX-License-Identifier: BSL-1.0
//
// awaitify/detail/anchor_cache.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// A per-thread cache of anchor-sized blocks. Anchors do not use Asio's
// recycling allocator: its two default slots per thread are already taken by
// the operation itself and by the scheduler operation that carries it (when
// the handler's executor is type-erased), so a third block would miss the
// cache on every operation.
//

#ifndef AWAITIFY_DETAIL_ANCHOR_CACHE_HPP
#define AWAITIFY_DETAIL_ANCHOR_CACHE_HPP

#include <awaitify/config.hpp>

#include <cstddef>
#include <new>
#include <utility>

namespace AWAITIFY_NAMESPACE {
namespace detail {

template <std::size_t Size>
class block_cache
{
public:
  static void* allocate() { return local().take(); }

  static void deallocate(void* p) noexcept { local().put(p); }

  block_cache() = default;
  block_cache(const block_cache&) = delete;
  block_cache& operator=(const block_cache&) = delete;

  ~block_cache()
  {
    while (free_)
      ::operator delete(std::exchange(free_, free_->next_));
    closed_ = true; // Blocks freed later on this thread go to the heap.
  }

private:
  struct node
  {
    node* next_;
  };

  static_assert(Size >= sizeof(node));
  static constexpr int capacity = 16;

  static block_cache& local() noexcept
  {
    static thread_local block_cache cache;
    return cache;
  }

  void* take()
  {
    if (free_)
    {
      --count_;
      return std::exchange(free_, free_->next_);
    }
    return ::operator new(Size);
  }

  void put(void* p) noexcept
  {
    if (closed_ || count_ == capacity)
    {
      ::operator delete(p);
      return;
    }
    free_ = ::new (p) node{free_};
    ++count_;
  }

  node* free_ = nullptr;
  int count_ = 0;
  bool closed_ = false;
};

} // namespace detail
} // namespace awaitify

#endif // AWAITIFY_DETAIL_ANCHOR_CACHE_HPP
