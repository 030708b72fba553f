// SPDX-License-Identifier: BSL-1.0
//
// test/common/allocating_executor.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// A standard executor over an io_context that takes the allocator property
// and, like a strand posting its own invoker, asks its allocator for a second
// block while the first still holds the function, and for a third one later,
// on the thread that runs the function. It records the three addresses.
//

#ifndef AWAITIFY_TEST_COMMON_ALLOCATING_EXECUTOR_HPP
#define AWAITIFY_TEST_COMMON_ALLOCATING_EXECUTOR_HPP

#include "common/asio.hpp"

#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace awaitify_test {

struct allocation_log
{
  const void* holding_the_function = nullptr;
  const void* while_it_is_held = nullptr;
  const void* on_the_running_thread = nullptr;
};

template <typename Allocator = std::allocator<void>>
class allocating_executor
{
  using inner_type = decltype(asio::require(
      std::declval<asio::io_context::executor_type>(), asio::execution::blocking.never));

  // What Asio's scheduler asks for: 40 bytes, aligned as a pointer.
  struct alignas(void*) block
  {
    unsigned char bytes_[40];
  };

  using block_allocator = typename std::allocator_traits<Allocator>::template rebind_alloc<block>;

public:
  allocating_executor(asio::io_context& ioc, allocation_log& log) noexcept
    : inner_(asio::require(ioc.get_executor(), asio::execution::blocking.never)), log_(&log)
  {
  }

  allocating_executor(const inner_type& inner, allocation_log& log, const Allocator& alloc) noexcept
    : inner_(inner), log_(&log), alloc_(alloc)
  {
  }

  template <typename F>
  void execute(F&& f) const
  {
    using function_type = std::decay_t<F>;
    static_assert(sizeof(function_type) <= sizeof(block) && alignof(function_type) <= alignof(block));
    block_allocator alloc(alloc_);
    block* held = alloc.allocate(1);
    log_->holding_the_function = held;
    auto* function = ::new (static_cast<void*>(held)) function_type(std::forward<F>(f));
    block* second = alloc.allocate(1);
    log_->while_it_is_held = second;
    alloc.deallocate(second, 1);
    inner_.execute([alloc, held, function, log = log_]() mutable {
      block* third = alloc.allocate(1);
      log->on_the_running_thread = third;
      alloc.deallocate(third, 1);
      function_type run(std::move(*function));
      function->~function_type();
      alloc.deallocate(held, 1);
      run();
    });
  }

  asio::execution_context& query(asio::execution::context_t) const noexcept
  {
    return asio::query(inner_, asio::execution::context);
  }

  static constexpr asio::execution::blocking_t query(asio::execution::blocking_t) noexcept
  {
    return asio::execution::blocking.never;
  }

  Allocator query(asio::execution::allocator_t<void>) const noexcept { return alloc_; }

  template <typename OtherAllocator>
  allocating_executor<OtherAllocator> require(asio::execution::allocator_t<OtherAllocator> a) const noexcept
  {
    return allocating_executor<OtherAllocator>(inner_, *log_, a.value());
  }

  allocating_executor require(asio::execution::blocking_t::never_t) const noexcept { return *this; }

  bool operator==(const allocating_executor& other) const noexcept
  {
    return inner_ == other.inner_ && log_ == other.log_ && alloc_ == other.alloc_;
  }

  bool operator!=(const allocating_executor& other) const noexcept { return !(*this == other); }

private:
  inner_type inner_;
  allocation_log* log_;
  Allocator alloc_;
};

} // namespace awaitify_test

#endif // AWAITIFY_TEST_COMMON_ALLOCATING_EXECUTOR_HPP
