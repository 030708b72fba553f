// SPDX-License-Identifier: BSL-1.0
//
// test/common/counting_executor.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// A standard executor over an io_context that counts the outstanding work
// held through it and the functions submitted to it, and can stop a poster
// inside execute(), after the function is queued.
//

#ifndef AWAITIFY_TEST_COMMON_COUNTING_EXECUTOR_HPP
#define AWAITIFY_TEST_COMMON_COUNTING_EXECUTOR_HPP

#include "common/asio.hpp"

#include <atomic>
#include <functional>
#include <utility>

namespace awaitify_test {


struct executor_counts
{
  std::atomic<int> work{0};
  std::atomic<int> submitted{0};
  // Run once, by the next execute() once it has queued its function, on the
  // poster's thread: the poster is still inside the executor meanwhile.
  std::function<void()> after_execute;
};

template <bool Tracked>
class counting_executor
{
  using inner_type = decltype(asio::require(
      std::declval<asio::io_context::executor_type>(), asio::execution::blocking.never));

public:
  counting_executor(asio::io_context& ioc, executor_counts& counts) noexcept
    : inner_(asio::require(ioc.get_executor(), asio::execution::blocking.never)), counts_(&counts)
  {
    start_work();
  }

  counting_executor(const counting_executor& other) noexcept
    : inner_(other.inner_), counts_(other.counts_)
  {
    start_work();
  }

  counting_executor& operator=(const counting_executor&) = delete;

  ~counting_executor() { finish_work(); }

  template <typename F>
  void execute(F&& f) const
  {
    ++counts_->submitted;
    inner_.execute(std::forward<F>(f));
    if (counts_->after_execute)
      std::exchange(counts_->after_execute, nullptr)();
  }

  asio::execution_context& query(asio::execution::context_t) const noexcept
  {
    return asio::query(inner_, asio::execution::context);
  }

  static constexpr asio::execution::blocking_t query(asio::execution::blocking_t) noexcept
  {
    return asio::execution::blocking.never;
  }

  static constexpr asio::execution::outstanding_work_t query(asio::execution::outstanding_work_t) noexcept
  {
    if constexpr (Tracked)
      return asio::execution::outstanding_work.tracked;
    else
      return asio::execution::outstanding_work.untracked;
  }

  counting_executor<true> require(asio::execution::outstanding_work_t::tracked_t) const noexcept
  {
    return counting_executor<true>(inner_, *counts_);
  }

  counting_executor<false> require(asio::execution::outstanding_work_t::untracked_t) const noexcept
  {
    return counting_executor<false>(inner_, *counts_);
  }

  bool operator==(const counting_executor& other) const noexcept
  {
    return inner_ == other.inner_ && counts_ == other.counts_;
  }

  bool operator!=(const counting_executor& other) const noexcept { return !(*this == other); }

private:
  template <bool>
  friend class counting_executor;

  counting_executor(const inner_type& inner, executor_counts& counts) noexcept
    : inner_(inner), counts_(&counts)
  {
    start_work();
  }

  void start_work() noexcept
  {
    if constexpr (Tracked)
      ++counts_->work;
  }

  void finish_work() noexcept
  {
    if constexpr (Tracked)
      --counts_->work;
  }

  inner_type inner_;
  executor_counts* counts_;
};

} // namespace awaitify_test

#endif // AWAITIFY_TEST_COMMON_COUNTING_EXECUTOR_HPP
