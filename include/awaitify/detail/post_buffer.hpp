// SPDX-License-Identifier: BSL-1.0
//
// awaitify/detail/post_buffer.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// Memory inside an operation that the executor borrows for the function that
// carries the operation to its handler. Asio frees that memory before it
// calls the function, and the function frees the operation only after, so
// the operation's own memory serves, and posting allocates nothing (not even
// from a thread with no recycling cache, such as a legacy API's).
//

#ifndef AWAITIFY_DETAIL_POST_BUFFER_HPP
#define AWAITIFY_DETAIL_POST_BUFFER_HPP

#include <awaitify/detail/asio.hpp>

#include <concepts>
#include <cstddef>
#include <memory>

namespace AWAITIFY_NAMESPACE {
namespace detail {

// NOLINTNEXTLINE(cppcoreguidelines-pro-type-member-init): bytes_ is raw storage, written before it is read.
class post_buffer
{
public:
  void* try_take(std::size_t size, std::size_t align) noexcept
  {
    if (in_use_ || size > sizeof(bytes_) || align > alignof(void*))
      return nullptr;
    in_use_ = true;
    return bytes_;
  }

  bool give_back(void* p) noexcept
  {
    if (p != bytes_)
      return false;
    in_use_ = false;
    return true;
  }

private:
  // What io_context, thread_pool and strand executors ask for: the
  // scheduler's operation around the posted function (40 bytes, aligned as a
  // pointer, with Asio 1.81-1.90). A larger or more aligned request goes to
  // the heap.
  alignas(void*) unsigned char bytes_[40];
  bool in_use_ = false;
};

/// Stands in for a post_buffer where the executor would ignore it.
struct no_post_buffer
{
};

/// Allocates from a post_buffer; from the heap when it is taken or too small.
template <typename T>
class post_allocator
{
public:
  using value_type = T;

  explicit post_allocator(post_buffer& buffer) noexcept : buffer_(&buffer) {}

  template <typename U>
  post_allocator(const post_allocator<U>& other) noexcept : buffer_(other.buffer())
  {
  }

  T* allocate(std::size_t n)
  {
    if (void* p = buffer_->try_take(n * sizeof(T), alignof(T)))
      return static_cast<T*>(p);
    return std::allocator<T>().allocate(n);
  }

  void deallocate(T* p, std::size_t n) noexcept
  {
    if (!buffer_->give_back(p))
      std::allocator<T>().deallocate(p, n);
  }

  post_buffer* buffer() const noexcept { return buffer_; }

  template <typename U>
  bool operator==(const post_allocator<U>& other) const noexcept
  {
    return buffer_ == other.buffer();
  }

private:
  post_buffer* buffer_;
};

/// Whether posting through `Executor` allocates with the allocator it is
/// given. A type-erased executor (any_io_executor, a coroutine's) does not
/// take the allocator property: it allocates the way it always does, and an
/// operation gains nothing from carrying a buffer.
template <typename Executor>
inline constexpr bool takes_post_allocator = requires(const Executor& ex, post_buffer& buffer) {
  {
    asio::query(asio::prefer(ex, asio::execution::allocator(post_allocator<void>(buffer))),
        asio::execution::allocator)
  } -> std::same_as<post_allocator<void>>;
};

} // namespace detail
} // namespace awaitify

#endif // AWAITIFY_DETAIL_POST_BUFFER_HPP
