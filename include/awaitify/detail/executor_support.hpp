// SPDX-License-Identifier: BSL-1.0
//
// awaitify/detail/executor_support.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// What awaitify needs to know of an executor, for every kind that Asio's own
// operations accept: standard executors with or without `blocking.never` and
// a queryable context (`any_completion_executor` has neither), and
// Networking TS executors (`io_context::strand`).
//

#ifndef AWAITIFY_DETAIL_EXECUTOR_SUPPORT_HPP
#define AWAITIFY_DETAIL_EXECUTOR_SUPPORT_HPP

#include <awaitify/detail/asio.hpp>

#include <type_traits>
#include <utility>

namespace AWAITIFY_NAMESPACE {
namespace detail {

template <typename Executor>
inline constexpr bool is_standard_executor = asio::execution::is_executor<Executor>::value;

/// Whether a completion can be submitted to the executor directly, with the
/// guarantees of `asio::post`: it promises `blocking.never`, and its context,
/// which must be told when it shuts down, is known. Otherwise the completion
/// goes through the I/O executor and is then dispatched, as Asio's own
/// operations do.
template <typename Executor>
inline constexpr bool posts_directly = is_standard_executor<Executor>
    && asio::can_require<const Executor&, asio::execution::blocking_t::never_t>::value
    && asio::can_query<const Executor&, asio::execution::context_t>::value;

/// The execution context of an executor, or null when it cannot be asked.
template <typename Executor>
// NOLINTNEXTLINE(bugprone-exception-escape): a failure to allocate here terminates, as in Asio's noexcept completions.
asio::execution_context* context_if_known(const Executor& ex) noexcept
{
  if constexpr (asio::can_query<const Executor&, asio::execution::context_t>::value)
    return &static_cast<asio::execution_context&>(asio::query(ex, asio::execution::context));
  else if constexpr (requires { ex.context(); })
    return &static_cast<asio::execution_context&>(ex.context());
  else
    return nullptr;
}

/// Outstanding work on an executor of either model, held until destroyed or
/// reset.
/// The form of a standard executor that counts outstanding work.
template <typename Executor>
using tracked_executor_t = std::decay_t<decltype(asio::prefer(
    std::declval<const Executor&>(), asio::execution::outstanding_work.tracked))>;

/// Releases the work that `tracked` counts on a thread of its context, by a
/// posted function that carries it there. An Asio scheduler whose last work
/// is released stops itself: released on a foreign thread while nobody runs
/// the context, the work would make the context's next run() return at once,
/// which no Asio operation does. The function counts as work until it has
/// run, or until the context's shutdown destroys it. Posting allocates: out
/// of memory here terminates, as in Asio's noexcept completions.
template <typename TrackedExecutor>
// NOLINTNEXTLINE(bugprone-exception-escape): a failure to allocate here terminates, as in Asio's noexcept completions.
void release_through_context(TrackedExecutor&& tracked) noexcept
{
  // A copy, not a reference: tracked is moved into the function below.
  // NOLINTNEXTLINE(performance-unnecessary-copy-initialization)
  const auto ex = asio::prefer(tracked, asio::execution::outstanding_work.untracked);
  auto carry_there = [work = std::forward<TrackedExecutor>(tracked)]() {};
  // An executor that cannot promise not to run it inline (a type-erased
  // completion executor) is given it as it is.
  if constexpr (asio::can_require<decltype(ex), asio::execution::blocking_t::never_t>::value)
    asio::require(ex, asio::execution::blocking.never).execute(std::move(carry_there));
  else
    ex.execute(std::move(carry_there));
}

template <typename Executor, bool Standard = is_standard_executor<Executor>>
class work_guard
{
public:
  explicit work_guard(const Executor& ex)
    : tracked_(asio::prefer(ex, asio::execution::outstanding_work.tracked))
  {
  }

  void reset() noexcept
  {
    // A moved-from Asio executor no longer counts the work.
    [[maybe_unused]] tracked_executor_t<Executor> released(std::move(tracked_));
  }

  /// Releases the work from a thread that runs none of the executor's
  /// context: see release_through_context above.
  void reset_through_context() noexcept { release_through_context(std::move(tracked_)); }

private:
  tracked_executor_t<Executor> tracked_;
};

template <typename Executor>
class work_guard<Executor, false>
{
public:
  explicit work_guard(const Executor& ex) : guard_(ex) {}

  void reset() noexcept { guard_.reset(); }

  // NOLINTNEXTLINE(bugprone-exception-escape): a failure to allocate here terminates, as in Asio's noexcept completions.
  void reset_through_context() noexcept
  {
    if (!guard_.owns_work())
      return;
    const Executor ex = guard_.get_executor();
    asio::post(ex, [guard = std::move(guard_)]() {});
  }

private:
  asio::executor_work_guard<Executor> guard_;
};

} // namespace detail
} // namespace awaitify

#endif // AWAITIFY_DETAIL_EXECUTOR_SUPPORT_HPP
