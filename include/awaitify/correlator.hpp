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

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>

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

namespace awaitify {
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

  /// The last correlator is gone: its pending waits end as an Asio I/O
  /// object's do when it is destroyed.
  ~correlator_state()
  {
    for (auto& [key, cb] : waiters_)
      callback_access::fail_quietly(cb, boost::asio::error::operation_aborted);
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
        boost::asio::cancellation_type::total);

    std::unique_lock lock(mutex_);
    if (auto early = early_.find(key); early != early_.end())
    {
      std::optional<values_type> values = std::move(early->second.values);
      const boost::system::error_code ec = early->second.ec;
      early_.erase(early);
      lock.unlock();
      if (values)
        std::apply([&](auto&... v) { callback_access::invoke_quietly(cb, std::move(v)...); }, *values);
      else
        callback_access::fail_quietly(cb, ec);
      return;
    }
    if (waiters_.contains(key))
    {
      lock.unlock();
      callback_access::fail_quietly(cb, error::operation_in_progress);
      return;
    }
    waiters_.emplace(key, std::move(cb));
  }

  bool complete(const Key& key, values_type values)
  {
    std::unique_lock lock(mutex_);
    if (discard_.erase(key))
      return false; // The late completion of a cancelled wait.
    auto waiter = waiters_.find(key);
    if (waiter == waiters_.end())
    {
      early_.insert_or_assign(key, early_result{std::move(values), {}});
      return true;
    }
    callback<signature> cb = std::move(waiter->second);
    waiters_.erase(waiter);
    lock.unlock();
    return std::apply([&](auto&... v) { return callback_access::invoke_quietly(cb, std::move(v)...); }, values);
  }

  bool fail(const Key& key, const boost::system::error_code& ec)
  {
    std::unique_lock lock(mutex_);
    if (discard_.erase(key))
      return false;
    auto waiter = waiters_.find(key);
    if (waiter == waiters_.end())
    {
      early_.insert_or_assign(key, early_result{std::nullopt, ec});
      return true;
    }
    callback<signature> cb = std::move(waiter->second);
    waiters_.erase(waiter);
    lock.unlock();
    return callback_access::fail_quietly(cb, ec);
  }

  std::size_t fail_all(const boost::system::error_code& ec)
  {
    std::unordered_map<Key, callback<signature>> waiters;
    {
      std::lock_guard lock(mutex_);
      waiters.swap(waiters_);
      early_.clear();
      discard_.clear();
    }
    std::size_t failed = 0;
    for (auto& [key, cb] : waiters)
      failed += callback_access::fail_quietly(cb, ec);
    return failed;
  }

  bool forget(const Key& key)
  {
    std::lock_guard lock(mutex_);
    return early_.erase(key) != 0;
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
    boost::system::error_code ec;
  };

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
      callback_access::fail_quietly(cb, boost::asio::error::bad_descriptor); // A moved-from correlator.
  }
};

} // namespace detail

template <typename Key, typename Signature, typename Executor = boost::asio::any_io_executor>
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

  /// A correlator whose waits are operations on `ex`; `where` records the
  /// call site for misuse reports.
  explicit correlator(const Executor& ex, const source_location& where = source_location::current())
    : ex_(ex), state_(std::make_shared<detail::correlator_state<Key, signature>>()), where_(where)
  {
  }

  /// Another handle to the same correlator.
  correlator(const correlator&) = default;

  /// Takes over `other`'s handle. `other` is left moved-from: it keeps its
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

  /// When the last handle to a correlator is destroyed, its pending waits
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
   * to the cancelled wait; `fail_all` forgets that too.
   */
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(completion_signature) WaitToken =
                boost::asio::default_completion_token_t<Executor>>
  auto async_wait(Key key, WaitToken&& token = boost::asio::default_completion_token_t<Executor>())
  {
    return boost::asio::async_initiate<WaitToken, completion_signature>(
        detail::initiate_async_call<signature, Executor>(ex_), token,
        detail::wait_for_key<Key, signature>{state_, std::move(key)}, where_);
  }

  /// Completes `key`: its wait if one is pending, else the next one started.
  /// Returns false if it was discarded: the late answer to a cancelled wait.
  bool complete(const Key& key, Args... args)
  {
    return state_
        && state_->complete(key, typename detail::correlator_state<Key, signature>::values_type(std::move(args)...));
  }

  /// Fails `key`'s wait with `ec` (kept, like a completion, if none is pending).
  bool fail(const Key& key, const boost::system::error_code& ec) { return state_ && state_->fail(key, ec); }

  /// Fails every pending wait with `ec` and discards kept completions.
  /// Returns how many waits it failed.
  std::size_t fail_all(const boost::system::error_code& ec) { return state_ ? state_->fail_all(ec) : 0; }

  /// Discards a kept completion that no wait will claim. Returns whether
  /// there was one.
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
