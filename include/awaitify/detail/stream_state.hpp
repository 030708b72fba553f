// SPDX-License-Identifier: BSL-1.0
//
// awaitify/detail/stream_state.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// What a stream, its sinks and its pending async_next share.
//
// The consumer's wait is an ordinary awaitify operation: `waiter_` is its
// callback, so handing it an item gets the exactly-once delivery, posting,
// work tracking, cancellation and shutdown safety of async_call. The
// teardown is another such operation (`closer_`), one that tracks no work:
// completing it posts the teardown to the stream's executor, and a shutdown
// that abandons it runs the teardown as its handler is destroyed.
//

#ifndef AWAITIFY_DETAIL_STREAM_STATE_HPP
#define AWAITIFY_DETAIL_STREAM_STATE_HPP

#include <awaitify/callback.hpp>
#include <awaitify/detail/op_base.hpp>
#include <awaitify/error.hpp>
#include <awaitify/push_result.hpp>
#include <awaitify/stream_options.hpp>

#include <awaitify/detail/asio.hpp>

#include <atomic>
#include <cstddef>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

namespace AWAITIFY_NAMESPACE {
namespace detail {

/// A stream's teardown: whatever `subscribe` returned, type-erased and
/// move-only. One that tests false (an empty `std::function`, a null function
/// pointer) means there is nothing to tear down.
class teardown_fn
{
public:
  teardown_fn() = default;

  template <typename F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, teardown_fn>)
  explicit teardown_fn(F&& f)
  {
    if constexpr (requires { static_cast<bool>(f); })
    {
      if (!static_cast<bool>(f))
        return;
    }
    impl_ = std::make_unique<impl<std::decay_t<F>>>(std::forward<F>(f));
  }

  void operator()() const { impl_->run(); }
  explicit operator bool() const noexcept { return impl_ != nullptr; }

private:
  struct base
  {
    virtual void run() = 0;
    virtual ~base() = default;
  };

  template <typename F>
  struct impl final : base
  {
    explicit impl(F&& f) : f_(std::move(f)) {}
    explicit impl(const F& f) : f_(f) {}
    void run() override { f_(); }
    F f_;
  };

  std::unique_ptr<base> impl_;
};

template <typename Signature>
class stream_state;

template <typename... Args>
class stream_state<void(Args...)>
{
public:
  using signature = void(Args...);
  using item_type = std::tuple<std::decay_t<Args>...>;

  explicit stream_state(stream_options<signature> options)
    : options_(std::move(options)), credit_(effective_capacity())
  {
  }

  // Producers.

  // The item is moved from only once it is buffered or delivered: a retry
  // after a cancelled wait finds it untouched.
  // NOLINTNEXTLINE(cppcoreguidelines-rvalue-reference-param-not-moved)
  push_result push(item_type&& item)
  {
    for (;;)
    {
      std::optional<callback<signature>> waiter;
      std::optional<item_type> dropped;
      push_result result = push_result::enqueued;
      ending ended;
      {
        std::lock_guard lock(mutex_);
        if (ended_)
          return push_result::closed;
        if (waiter_)
          waiter.swap(waiter_);
        else
          result = buffer_locked(item, dropped, ended);
      }
      if (waiter)
      {
        if (try_deliver(*waiter, item))
          return push_result::enqueued;
        continue; // The wait was cancelled meanwhile: the item is untouched.
      }
      ended.complete();
      if (dropped && options_.on_drop)
        std::apply([this](auto&... values) { options_.on_drop(std::forward<Args>(values)...); }, *dropped);
      return result;
    }
  }

  /// Ends the stream with `ec` (end_of_stream for a close) once the buffer
  /// drains. False if it had already ended.
  bool end(const error_code& ec)
  {
    ending ended;
    {
      std::lock_guard lock(mutex_);
      if (ended_)
        return false;
      end_locked(ec, ended);
    }
    ended.complete();
    return true;
  }

  // Flow control.

  /// The credit left: how many more items the producer may push.
  std::size_t demand()
  {
    std::lock_guard lock(mutex_);
    if (ended_)
      return 0;
    switch (options_.policy)
    {
    case overflow_policy::flow_control:
      return credit_;
    case overflow_policy::unbounded:
      return std::numeric_limits<std::size_t>::max();
    default:
      return options_.capacity > buffer_.size() ? options_.capacity - buffer_.size() : 0;
    }
  }

  /// Runs `pause()` if the producer has no demand left, holding back grant
  /// announcements until it returns. True if it ran.
  template <typename Pause>
  bool pause_if_no_demand(Pause& pause)
  {
    std::lock_guard announcing(demand_mutex_);
    if (demand() != 0)
      return false;
    pause();
    return true;
  }

  std::size_t overdrafts()
  {
    std::lock_guard lock(mutex_);
    return overdrafts_;
  }

  void on_demand(std::function<void(std::size_t)> f)
  {
    std::lock_guard lock(demand_mutex_);
    on_demand_ = std::move(f);
  }

  void add_sink() noexcept { sinks_.fetch_add(1, std::memory_order_relaxed); }

  void release_sink()
  {
    if (sinks_.fetch_sub(1, std::memory_order_acq_rel) == 1)
      end(error::callback_dropped);
  }

  // Completions of the stream's own operations (the consumer's wait, the
  // closer) can lose only to a cancellation or a shutdown: that is no misuse
  // of the user's, so they are neither counted nor reported.

  // The consumer.

  /// The init of async_next. Returns the credit to announce to the
  /// producer (see announce_grant), or 0.
  std::size_t next(callback<signature> cb)
  {
    // Cancelling a wait takes nothing from the stream: every type is
    // honoured, and the stream needs no hook (that would cost an allocation
    // per wait). A cancelled wait's callback stays in waiter_, decided, until
    // the next push, wait or end replaces it.
    using asio::cancellation_type;
    callback_access::accept_cancellation(
        cb, cancellation_type::terminal | cancellation_type::partial | cancellation_type::total);

    std::size_t grant = 0;
    {
      std::lock_guard lock(mutex_);
      if (!buffer_.empty())
      {
        item_type item = std::move(buffer_.front());
        buffer_.pop_front();
        try_deliver(cb, item); // Cannot lose: nothing else knows this wait yet.
        grant = take_credit_back_locked();
      }
      else if (ended_)
        callback_access::fail_quietly(cb, end_);
      else if (waiter_ && !callback_access::anchor_of(*waiter_)->is_decided())
        callback_access::fail_quietly(cb, error::operation_in_progress);
      else
        waiter_ = std::move(cb);
    }
    return grant;
  }

  /// Tells the producer, outside the stream's lock, that it may push `n`
  /// more items. Announcements never overlap, and none is made once the
  /// stream has ended or after its teardown has started.
  void announce_grant(std::size_t n)
  {
    std::lock_guard lock(demand_mutex_);
    {
      std::lock_guard state_lock(mutex_);
      if (ended_)
        return;
    }
    if (on_demand_)
      on_demand_(n);
  }

  /// The stream object is gone: end now, discarding what is buffered.
  void consumer_gone()
  {
    std::deque<item_type> discarded;
    ending ended;
    {
      std::lock_guard lock(mutex_);
      if (!ended_)
        end_locked(asio::error::operation_aborted, ended);
      discarded.swap(buffer_);
    }
    ended.complete();
  }

  // The teardown.

  /// Set before `subscribe` runs: completing it posts the teardown.
  void arm_closer(callback<void()> closer) { closer_.emplace(std::move(closer)); }

  /// Called once `subscribe` has returned: the teardown may run from now on.
  void subscribed(teardown_fn teardown)
  {
    ending ended;
    {
      std::lock_guard lock(mutex_);
      teardown_ = std::move(teardown);
      subscribed_ = true;
      if (ended_)
        ended.closer.swap(closer_);
    }
    ended.complete();
  }

  /// Runs the teardown, at most once; the stream ends if it had not. What
  /// the teardown throws propagates (out of the executor's run(), like any
  /// handler's exception) unless `at_shutdown`: a shutdown destroys the
  /// closer, and nothing may leave a destructor, so it is discarded there.
  void run_teardown(bool at_shutdown)
  {
    teardown_fn teardown;
    ending ended;
    {
      std::lock_guard lock(mutex_);
      if (!ended_)
        end_locked(asio::error::shut_down, ended);
      teardown = std::move(teardown_);
    }
    ended.complete();
    {
      // A grant being announced finishes first; none is announced after.
      std::lock_guard lock(demand_mutex_);
      on_demand_ = nullptr;
    }
    if (!teardown)
      return;
    if (!at_shutdown)
      teardown();
    else
    {
      try
      {
        teardown();
      }
      catch (...) // NOLINT(bugprone-empty-catch): the context is going away, there is no one left to tell.
      {
      }
    }
  }

private:
  /// What ending the stream completes: done after the lock is released,
  /// since completing posts to an executor, and an executor that is shutting
  /// down may destroy (and so run destructors of) what it is given at once.
  struct ending
  {
    std::optional<callback<signature>> waiter;
    error_code ec;
    std::optional<callback<void()>> closer;

    // The teardown is queued before the consumer can learn of the end: the
    // consumer's wait holds work until then, so a context that runs out of
    // work once the consumer is done has run the teardown too.
    void complete() noexcept
    {
      if (closer)
        callback_access::invoke_quietly(*closer);
      if (waiter)
        callback_access::fail_quietly(*waiter, ec);
    }
  };

  /// Moves the item into the wait's result. False, with the item untouched,
  /// when the wait has already ended (it was cancelled).
  static bool try_deliver(const callback<signature>& cb, item_type& item) noexcept
  {
    return callback_access::anchor_of(cb)->try_complete(delivered, [&](op_header& op) {
      std::apply([&](auto&... values) { static_cast<op_base<signature>&>(op).set_values(std::move(values)...); },
          item);
    });
  }

  /// Flow control with capacity 0 works as capacity 1.
  std::size_t effective_capacity() const noexcept { return options_.capacity ? options_.capacity : 1; }

  /// The consumer took a buffered item: its credit is owed to the producer,
  /// and granted in batches of half of `capacity` (so when the producer's
  /// credit has fallen to half or below). Returns the grant to announce. An
  /// item pushed beyond the credit (an overdraft) owes nothing back: the
  /// credit, the credit owed and the buffered items never add up to more
  /// than `capacity`, so the bound returns once the overdraft has drained.
  std::size_t take_credit_back_locked() noexcept
  {
    if (options_.policy != overflow_policy::flow_control)
      return 0;
    if (credit_ + owed_ + buffer_.size() >= effective_capacity())
      return 0;
    ++owed_;
    if (owed_ * 2 < effective_capacity())
      return 0;
    credit_ += owed_;
    return std::exchange(owed_, 0);
  }

  /// Buffers the item by the policy, with no consumer waiting.
  push_result buffer_locked(item_type& item, std::optional<item_type>& dropped, ending& ended)
  {
    if (options_.policy == overflow_policy::flow_control)
    {
      buffer_.push_back(std::move(item));
      if (credit_ > 0)
        --credit_;
      else
        ++overdrafts_;
      return push_result::enqueued;
    }
    if (options_.policy == overflow_policy::unbounded || buffer_.size() < options_.capacity)
    {
      buffer_.push_back(std::move(item));
      return push_result::enqueued;
    }
    switch (options_.policy)
    {
    case overflow_policy::drop_oldest:
      if (buffer_.empty())
      {
        dropped.emplace(std::move(item)); // Capacity 0: nothing older to drop.
        return push_result::dropped;
      }
      dropped.emplace(std::move(buffer_.front()));
      buffer_.pop_front();
      buffer_.push_back(std::move(item));
      return push_result::enqueued;
    case overflow_policy::drop_newest:
      dropped.emplace(std::move(item));
      return push_result::dropped;
    case overflow_policy::fail:
    case overflow_policy::unbounded:
    case overflow_policy::flow_control:
      break;
    }
    dropped.emplace(std::move(item));
    end_locked(error::overflow, ended);
    return push_result::dropped;
  }

  void end_locked(const error_code& ec, ending& ended)
  {
    ended_ = true;
    end_ = ec;
    ended.waiter.swap(waiter_); // A waiter means nothing is buffered.
    ended.ec = ec;
    if (subscribed_)
      ended.closer.swap(closer_);
  }

  stream_options<signature> options_;
  std::mutex mutex_;
  std::deque<item_type> buffer_;
  std::optional<callback<signature>> waiter_;
  bool ended_ = false;
  error_code end_;
  bool subscribed_ = false;
  std::optional<callback<void()>> closer_;
  teardown_fn teardown_;
  std::atomic<std::size_t> sinks_{0};

  // Flow control: credit_ + owed_ + buffered items == capacity while the
  // producer keeps within its credit, and only buffered items exceed it
  // after an overdraft.
  std::size_t credit_;
  std::size_t owed_ = 0;
  std::size_t overdrafts_ = 0;
  std::mutex demand_mutex_; // Serialises announcements; taken before mutex_.
  std::function<void(std::size_t)> on_demand_;
};

} // namespace detail
} // namespace awaitify

#endif // AWAITIFY_DETAIL_STREAM_STATE_HPP
