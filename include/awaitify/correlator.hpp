// SPDX-License-Identifier: BSL-1.0
//
// awaitify/correlator.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~
//
// Many pending operations completed later by key: for APIs with one callback
// per client that reports completions by an id the call returned
// (libmosquitto's message id, many vendor SDKs).
//

#ifndef AWAITIFY_CORRELATOR_HPP
#define AWAITIFY_CORRELATOR_HPP

#include <awaitify/callback.hpp>
#include <awaitify/completion_signature.hpp>
#include <awaitify/error.hpp>
#include <awaitify/impl/async_call.hpp>
#include <awaitify/source_location.hpp>

#include <awaitify/detail/asio.hpp>

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace AWAITIFY_NAMESPACE {
namespace detail {

template <typename Key, typename Signature>
class correlator_state;

template <typename Key, typename... Args>
class correlator_state<Key, void(Args...)>
    : public std::enable_shared_from_this<correlator_state<Key, void(Args...)>>
{
public:
  using signature = void(Args...);
  using values_type = std::tuple<std::decay_t<Args>...>;

  correlator_state() = default;
  correlator_state(const correlator_state&) = delete;
  correlator_state& operator=(const correlator_state&) = delete;

  /// @brief The last correlator is gone: its pending waits end as an Asio I/O
  /// object's do when it is destroyed.
  ~correlator_state()
  {
    for (auto& [key, cb] : waiters_)
      callback_access::fail_quietly(cb, asio::error::operation_aborted);
  }

  // A correlator's completions of its waits can lose only to their
  // cancellation or a shutdown, which is no misuse of the user's: they are
  // neither counted nor reported.

  void wait(const Key& key, callback<signature> cb)
  {
    anchor* const wait = callback_access::anchor_of(cb);
    cb.on_cancel(
        [weak = this->weak_from_this(), key, wait] {
          if (auto self = weak.lock())
            self->forget_waiter(key, wait);
        },
        asio::cancellation_type::total);

    std::unique_lock lock(mutex_);
    if (auto early = early_.find(key); early != early_.end())
    {
      early_result result = std::move(early->second);
      early_.erase(early);
      lock.unlock();
      deliver(cb, result);
      return;
    }
    if (auto waiter = waiters_.find(key); waiter != waiters_.end())
    {
      const outcome previous = callback_access::anchor_of(waiter->second)->decided_outcome();
      if (previous == no_outcome)
      {
        lock.unlock();
        callback_access::fail_quietly(cb, error::operation_in_progress);
        return;
      }
      // The previous wait ended without the correlator: a shutdown abandoned
      // it, or it was cancelled and its hook has not forgotten it yet (the
      // answer to a cancelled wait may still come, and is not this wait's).
      if (previous == cancelled)
        discard_.insert(key);
      waiters_.erase(waiter);
    }
    waiters_.emplace(key, std::move(cb));
  }

  bool complete(const Key& key, values_type values)
  {
    return settle(key, early_result{std::move(values), {}});
  }

  bool fail(const Key& key, const error_code& ec) { return settle(key, early_result{std::nullopt, ec}); }

  std::size_t fail_all(const error_code& ec)
  {
    std::unordered_map<Key, callback<signature>> waiters;
    {
      std::lock_guard lock(mutex_);
      waiters.swap(waiters_);
      early_.clear();
      // The answers to cancelled waits may still come: they stay discarded,
      // so that none reaches the next wait for the same key.
    }
    std::size_t failed = 0;
    for (auto& [key, cb] : waiters)
      failed += callback_access::fail_quietly(cb, ec);
    return failed;
  }

  bool forget(const Key& key)
  {
    std::lock_guard lock(mutex_);
    const bool discarded = discard_.erase(key) != 0;
    return (early_.erase(key) != 0) || discarded;
  }

  std::size_t waiting() const
  {
    std::lock_guard lock(mutex_);
    return waiters_.size();
  }

  std::size_t early() const
  {
    std::lock_guard lock(mutex_);
    return early_.size();
  }

private:
  struct early_result
  {
    std::optional<values_type> values;
    error_code ec;
  };

  /// Completes `key`'s wait with `result`, or keeps it for the next wait.
  bool settle(const Key& key, early_result&& result)
  {
    std::unique_lock lock(mutex_);
    if (discard_.erase(key))
      return false; // The late answer to a cancelled wait.
    if (auto waiter = waiters_.find(key); waiter != waiters_.end())
    {
      callback<signature> cb = std::move(waiter->second);
      waiters_.erase(waiter);
      switch (callback_access::anchor_of(cb)->decided_outcome())
      {
      case no_outcome:
        lock.unlock();
        return deliver(cb, result);
      case cancelled:
        return false; // Its hook has not forgotten it yet.
      default:
        break; // Abandoned by a shutdown: the result waits for the next wait.
      }
    }
    // A second result for a key that already has one is refused: a key names
    // one operation, and the first answer is the one its wait gets.
    return early_.try_emplace(key, std::move(result)).second;
  }

  static bool deliver(const callback<signature>& cb, early_result& result) noexcept
  {
    if (!result.values)
      return callback_access::fail_quietly(cb, result.ec);
    return std::apply([&](auto&... v) { return callback_access::invoke_quietly(cb, std::move(v)...); }, *result.values);
  }

  void forget_waiter(const Key& key, anchor* wait)
  {
    std::lock_guard lock(mutex_);
    auto waiter = waiters_.find(key);
    if (waiter != waiters_.end() && callback_access::anchor_of(waiter->second) == wait)
    {
      waiters_.erase(waiter);
      discard_.insert(key);
    }
  }

  mutable std::mutex mutex_;
  std::unordered_map<Key, callback<signature>> waiters_;
  std::unordered_map<Key, early_result> early_;
  std::unordered_set<Key> discard_; // Cancelled waits whose completion may still come.
};

template <typename Key, typename Signature>
struct wait_for_key
{
  std::shared_ptr<correlator_state<Key, Signature>> state_;
  Key key_;

  void operator()(callback<Signature> cb) &&
  {
    if (state_)
      state_->wait(key_, std::move(cb));
    else
      callback_access::fail_quietly(cb, asio::error::bad_descriptor); // A moved-from correlator.
  }
};

} // namespace detail

template <typename Key, typename Signature, typename Executor = asio::any_io_executor>
class correlator;

/// Pending operations completed by key from any thread.
/**
 * `async_wait(key, token)` waits for the completion of `key`; `complete(key,
 * args...)`, called from any thread (typically a C library's network
 * thread), delivers it. A completion may arrive before the wait for its key
 * is started (libmosquitto can report a publish as done before
 * `mosquitto_publish` has returned its message id): it is kept, and the wait
 * completes as soon as it starts. `fail_all(ec)` fails every pending wait,
 * for a lost connection.
 *
 * Each wait is an awaitify operation: its handler is posted to its
 * associated executor (never run on the completing thread), it is counted,
 * cancellable and safe at shutdown like `async_call`.
 *
 * @tparam Key Identifies a completion: it must be copy constructible,
 * equality comparable and hashable with `std::hash<Key>` (it is the key of
 * `std::unordered_map`s). Copies are made under the correlator's lock, so
 * copying, hashing and comparing should be cheap and must not call back into
 * the correlator. A key may be waited for by one wait at a time.
 *
 * @tparam Signature The completion's values, `void(Args...)`, as for
 * `async_call`.
 *
 * @tparam Executor The I/O executor of the waits (see `async_call` for what
 * it must support).
 *
 * @par Thread safety
 * Every member function may be called concurrently from any thread. The
 * correlator may be destroyed while completions still arrive through copies
 * (it is a handle to shared state; copies share it).
 */
template <typename Key, typename... Args, typename Executor>
class correlator<Key, void(Args...), Executor>
{
public:
  /// The signature of a completion: the values `complete` takes.
  using signature = void(Args...);

  /// The executor of the waits.
  using executor_type = Executor;

  /// `void(boost::system::error_code, Args...)`, as for `async_call`.
  using completion_signature = completion_signature_t<signature>;

  /// @brief A correlator whose waits are operations on `ex`; `where` records the
  /// call site for misuse reports.
  explicit correlator(const Executor& ex, const source_location& where = source_location::current())
    : ex_(ex), state_(std::make_shared<detail::correlator_state<Key, signature>>()), where_(where)
  {
  }

  /// Another handle to the same correlator.
  correlator(const correlator&) = default;

  /// @brief Takes over `other`'s handle. `other` is left moved-from: it keeps its
  /// executor; its waits complete with `asio::error::bad_descriptor`, its
  /// other member functions do nothing and return false or 0.
  correlator(correlator&& other) noexcept(std::is_nothrow_copy_constructible_v<Executor>)
    : ex_(other.ex_), state_(std::move(other.state_)), where_(other.where_)
  {
  }

  /// Shares `other`'s correlator.
  correlator& operator=(const correlator&) = default;

  /// Takes over `other`'s handle, leaving it moved-from.
  correlator& operator=(correlator&& other) noexcept(std::is_nothrow_copy_assignable_v<Executor>)
  {
    ex_ = other.ex_;
    state_ = std::move(other.state_);
    where_ = other.where_;
    return *this;
  }

  /// @brief When the last handle to a correlator is destroyed, its pending waits
  /// complete with `asio::error::operation_aborted`, as an Asio I/O object's
  /// operations do when it is destroyed.
  ~correlator() = default;

  /// The executor of the waits.
  executor_type get_executor() const noexcept { return ex_; }

  /// Waits for the completion of `key`.
  /**
   * @par Completion signature
   * `void(boost::system::error_code, Args...)`: the values given to
   * `complete`, or the error given to `fail` or `fail_all`;
   * `error::operation_in_progress` if a wait for `key` is already pending.
   *
   * @par Which thread runs the handler
   * The handler's associated executor (default: `get_executor()`), posted.
   *
   * @par Per-operation cancellation
   * Every type cancels this wait only (`operation_aborted`). The next
   * completion (or failure) for `key` is then discarded, as the late answer
   * to the cancelled wait (`fail_all` keeps that; `forget(key)` forgets it).
   * A wait that its handler context's shutdown abandoned leaves `key` free:
   * the next wait for it may start, and a completion for it is kept for
   * that wait.
   */
  template <asio::completion_token_for<completion_signature> WaitToken =
                asio::default_completion_token_t<Executor>>
  auto async_wait(Key key, WaitToken&& token = asio::default_completion_token_t<Executor>())
  {
    return asio::async_initiate<WaitToken, completion_signature>(
        detail::initiate_async_call<signature, Executor>(ex_), token,
        detail::wait_for_key<Key, signature>{state_, std::move(key)}, where_);
  }

  /// @brief Completes `key`: its wait if one is pending, else the next one started.
  /// Returns false if the values were not taken: the late answer to a
  /// cancelled wait (discarded), or a second completion (or failure) of a key
  /// whose first one is still kept for its wait (refused: the wait gets the
  /// first).
  bool complete(const Key& key, Args... args)
  {
    using values_type = typename detail::correlator_state<Key, signature>::values_type;
    return state_ && state_->complete(key, values_type(std::forward<Args>(args)...));
  }

  /// @brief Fails `key`'s wait with `ec` (kept, like a completion, if none is
  /// pending). Returns false as `complete` does.
  bool fail(const Key& key, const error_code& ec) { return state_ && state_->fail(key, ec); }

  /// @brief Fails every pending wait with `ec` and discards kept completions. The
  /// late answers of cancelled waits stay discarded. Returns how many waits
  /// it failed.
  std::size_t fail_all(const error_code& ec) { return state_ ? state_->fail_all(ec) : 0; }

  /// @brief Discards a kept completion that no wait will claim, and forgets that
  /// the answer to a cancelled wait for `key` is still due (it will never
  /// come). Returns whether there was either.
  bool forget(const Key& key) { return state_ && state_->forget(key); }

  /// How many waits are pending.
  std::size_t waiting() const { return state_ ? state_->waiting() : 0; }

  /// How many completions are kept for waits not started yet.
  std::size_t early() const { return state_ ? state_->early() : 0; }

private:
  Executor ex_;
  std::shared_ptr<detail::correlator_state<Key, signature>> state_;
  source_location where_;
};

} // namespace awaitify

#endif // AWAITIFY_CORRELATOR_HPP
