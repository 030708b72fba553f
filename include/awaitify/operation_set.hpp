// SPDX-License-Identifier: BSL-1.0
//
// awaitify/operation_set.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// The pending operations of one connection, failed together when it closes:
// for C APIs whose per-call callbacks a closed connection never calls
// (sd_bus_close) or keeps until it is destroyed (Paho with a persistent
// session).
//

#ifndef AWAITIFY_OPERATION_SET_HPP
#define AWAITIFY_OPERATION_SET_HPP

#include <awaitify/callback.hpp>
#include <awaitify/detail/set_member.hpp>

#include <awaitify/detail/asio.hpp>

#include <cstddef>
#include <mutex>
#include <vector>

namespace AWAITIFY_NAMESPACE {

/// The operations of one connection, which `fail_all(ec)` completes at once.
/**
 * Each operation joins the set in its `init`, with `join(cb)`, before the
 * callback is moved into the C library (or a `to_c_callback` carrier).
 * Operations of any signature join one set. When the connection closes,
 * `fail_all(ec)` completes every member still pending with `ec`; the
 * library's own result for such an operation, if it ever comes, is then
 * refused quietly: the callback returns false, and the invocation is counted
 * in `counters::detached`, not reported as `late` misuse.
 * @code
 * auto call = [&conn](awaitify::callback<void(std::string)> cb) {
 *   if (!conn.calls.join(cb))
 *     return;                                        // closed: cb failed already
 *   auto c = awaitify::to_c_callback<sd_bus_message_handler_t>(std::move(cb), awaitify::user_data_at<1>, reply);
 *   if (int r = sd_bus_call_method_async(conn.bus, nullptr, ..., c.function(), c.user_data(), ...); r < 0)
 *     c.fail(errno_code(-r));
 * };
 * // When the bus goes: sd_bus_close() never calls the pending reply callbacks.
 * conn.calls.close(asio::error::connection_reset);
 * @endcode
 *
 * The set holds no callback copy: only the memory of each member's
 * operation state (its 72-byte anchor). A callback the library loses is
 * still reported as dropped, and a pending member does not keep `run()`
 * going by being in a set. Members that end in any other way (their result,
 * a cancellation, a drop, a shutdown) are not affected, and leave the set
 * without a hook of their own: a `join` sweeps the ended ones out once the
 * set has doubled since its last sweep, so a set holds at most
 * `max(16, 2 * p)` entries (16 bytes each, plus the anchor each keeps), `p`
 * being how many members were pending at the last sweep: never more than
 * twice the most ever pending at once, or 16.
 *
 * Each member is an awaitify operation like any other: failed by the set,
 * its handler is posted to its associated executor, never run inside
 * `fail_all`; per-operation cancellation keeps working (a cancelled member
 * is simply ended); a member whose execution context was shut down is
 * abandoned, and the set's later `fail_all` leaves it alone.
 *
 * `fail_all` completes a member at once even if it waits for its callback
 * after a cancellation (`after_cancel::wait_for_callback`): the set is for a
 * connection that will never call back (closed, destroyed), and its
 * buffers must then be free to go. A member whose library may still write
 * into a buffer in the awaiting frame must not join a set that is failed
 * while the library is alive.
 *
 * @par Counting
 * A member failed by the set counts as `completed`, as the library's own
 * failure would have. Each later invocation of its callback counts as
 * `detached`. A member that ended otherwise first is counted by how it ended,
 * and the set's failure of it neither happens nor is counted.
 *
 * @par Thread safety
 * Every member function may be called concurrently from any thread. The set
 * may be destroyed (by one thread, while no other uses it) while callbacks of
 * its members still arrive from the library's threads: they touch only their
 * operations, never the set. Not copyable or movable: keep it where the
 * connection lives.
 */
class operation_set
{
public:
  /// An empty, open set.
  operation_set() noexcept;

  operation_set(const operation_set&) = delete;
  operation_set& operator=(const operation_set&) = delete;

  /// @brief Completes every member still pending with
  /// `boost::asio::error::operation_aborted`, as an Asio I/O object's
  /// operations do when it is destroyed (counted as by `fail_all`).
  ~operation_set();

  /// Makes `cb`'s operation a member, until it ends or the set fails it.
  /**
   * Call it in `init` (or anywhere a copy of the callback is at hand), before
   * the callback is moved into the library. Joining twice is harmless; an
   * operation may belong to several sets.
   *
   * @returns true when the operation is a member (or had ended already);
   * false when `cb` is moved-from, or when the set is closed: the operation,
   * if still pending, was then completed with the error given to `close`, and
   * the library need not be called (a result it still delivers is refused
   * quietly).
   *
   * @throws std::bad_alloc The operation is then not a member (thrown from
   * `init`, it completes the operation as a throwing `init` does).
   */
  template <typename Signature>
  bool join(const callback<Signature>& cb)
  {
    detail::anchor* const operation = detail::callback_access::anchor_of(cb);
    return operation && join(detail::set_member{operation, &detail::callback_access::fail_ahead<Signature>});
  }

  /// @brief Completes every member still pending with `ec`, and forgets every
  /// member. Members that join later are not affected: the set stays open.
  /**
   * The handlers are posted to their own executors, never run inside
   * `fail_all`; no lock of the set's is held while the operations complete.
   * A member that ends concurrently in another way (its result arriving on a
   * library thread, a cancellation) ends exactly once: whichever comes first.
   *
   * @returns How many operations it completed.
   */
  std::size_t fail_all(const error_code& ec);

  /// @brief As `fail_all(ec)`, and closes the set: every later `join` completes its
  /// operation with `ec` at once and returns false. A closed set stays
  /// closed. For a connection that cannot come back, so that a call started
  /// while it was closing cannot wait for ever.
  std::size_t close(const error_code& ec);

  /// Whether `close` was called.
  bool is_open() const;

  /// @brief How many members are pending now (visits every entry: for tests and
  /// diagnostics).
  std::size_t pending() const;

  /// @brief How many entries the set holds: its pending members and ended ones not
  /// swept out yet (see the memory bound above).
  std::size_t size() const;

private:
  bool join(detail::set_member member);

  /// @brief Takes every entry out, under the lock (the caller fails them after
  /// releasing it); closes the set with `*closing` if given.
  std::vector<detail::set_member> take_all(const error_code* closing);

  mutable std::mutex mutex_;
  std::vector<detail::set_member> members_;
  std::size_t sweep_at_;
  bool closed_ = false;
  error_code closed_with_;
};

} // namespace awaitify

#endif // AWAITIFY_OPERATION_SET_HPP
