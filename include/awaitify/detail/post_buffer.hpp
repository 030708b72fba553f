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

// NOLINTNEXTLINE(cppcoreguidelines-pro-type-member-init): raw storage, written before it is read.
struct post_buffer
{
  // What io_context, thread_pool and strand executors ask for: the
  // scheduler's operation around the posted function (40 bytes, aligned as a
  // pointer, with Asio 1.81-1.90). A larger or more aligned request goes to
  // the heap.
  alignas(void*) unsigned char bytes_[40];
};

/// Stands in for a post_buffer where the executor would ignore it.
struct no_post_buffer
{
};

/// Lends a post_buffer to the allocations of one post, on the posting
/// thread, while that post runs: the first request it can hold gets it, any
/// other one (a strand's own invoker, say, posted with the same allocator
/// while the function holds the buffer) goes to the heap. Whether the buffer
/// is lent is kept here, on the poster's stack, not in the operation, where
/// it would take 8 more bytes.
class post_lease
{
public:
  explicit post_lease(post_buffer& buffer) noexcept : buffer_(&buffer), outer_(current_) { current_ = this; }

  post_lease(const post_lease&) = delete;
  post_lease& operator=(const post_lease&) = delete;

  ~post_lease() { current_ = outer_; }

  /// The buffer, for a request it can hold, if this thread is posting with
  /// it and has not lent it yet.
  static void* take(post_buffer& buffer, std::size_t size, std::size_t align) noexcept
  {
    post_lease* lease = current_;
    if (!lease || lease->buffer_ != &buffer || lease->lent_ || size > sizeof(buffer.bytes_)
        || align > alignof(void*))
      return nullptr;
    lease->lent_ = true;
    return buffer.bytes_;
  }

private:
  static constinit inline thread_local post_lease* current_ = nullptr;

  post_buffer* buffer_;
  post_lease* outer_;
  bool lent_ = false;
};

/// Allocates from a post_buffer lent for the post under way (see
/// post_lease); from the heap otherwise.
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
    if (void* p = post_lease::take(*buffer_, n * sizeof(T), alignof(T)))
      return static_cast<T*>(p);
    return std::allocator<T>().allocate(n);
  }

  // The buffer's address tells it from the heap: nothing of the operation is
  // read, and nothing needs to be reset for a buffer that is lent once.
  void deallocate(T* p, std::size_t n) noexcept
  {
    if (static_cast<void*>(p) != static_cast<void*>(buffer_->bytes_))
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
