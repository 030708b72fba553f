// SPDX-License-Identifier: BSL-1.0
//
// test/common/counting_allocator.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// An allocator that counts what it hands out, to check that a handler's
// associated allocator is used and its memory is returned before the handler
// runs.
//

#ifndef AWAITIFY_TEST_COMMON_COUNTING_ALLOCATOR_HPP
#define AWAITIFY_TEST_COMMON_COUNTING_ALLOCATOR_HPP

#include <atomic>
#include <cstddef>
#include <memory>

namespace awaitify_test {

struct allocation_counts
{
  std::atomic<int> allocations{0};
  std::atomic<int> outstanding{0};
  // Given back with the size it was taken with.
  std::atomic<std::ptrdiff_t> outstanding_bytes{0};
};

template <typename T>
class counting_allocator
{
public:
  using value_type = T;

  explicit counting_allocator(allocation_counts& counts) noexcept : counts_(&counts) {}

  template <typename U>
  counting_allocator(const counting_allocator<U>& other) noexcept : counts_(other.counts())
  {
  }

  T* allocate(std::size_t n)
  {
    ++counts_->allocations;
    ++counts_->outstanding;
    counts_->outstanding_bytes += static_cast<std::ptrdiff_t>(n * sizeof(T));
    return std::allocator<T>().allocate(n);
  }

  void deallocate(T* p, std::size_t n) noexcept
  {
    --counts_->outstanding;
    counts_->outstanding_bytes -= static_cast<std::ptrdiff_t>(n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }

  allocation_counts* counts() const noexcept { return counts_; }

  template <typename U>
  bool operator==(const counting_allocator<U>& other) const noexcept
  {
    return counts_ == other.counts();
  }

private:
  allocation_counts* counts_;
};

} // namespace awaitify_test

#endif // AWAITIFY_TEST_COMMON_COUNTING_ALLOCATOR_HPP
