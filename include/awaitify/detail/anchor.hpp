// SPDX-License-Identifier: BSL-1.0
//
// awaitify/detail/anchor.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// The state that every copy of an operation's callback shares. It is
// allocated apart from the operation, because a callback copy may outlive the
// operation's handler, its allocator and even its execution context.
//
// Who may touch the operation (op_header) is decided by one atomic word:
// whoever moves the outcome from "none" to something else owns the operation
// and completes it; everybody else only reads the word and counts. The word
// also carries the hand-over bits:
//   busy           the owner is still storing the result or posting the
//                  operation. Shutdown waits for it to clear before the
//                  execution context may go away. The handler does not wait
//                  (unless its memory must first go back to an allocator of
//                  its own): if it runs first, it leaves the operation's work
//                  and memory to the poster (handler_ran), who releases them
//                  as it leaves, so the context cannot run out of work before.
//   initiating     a hold: the initiating function has not returned yet, so
//                  a handler never runs inside the initiating function.
//   hooks_running  a hold: the cancellation hooks of an operation that waits
//                  for its callback are running, so its handler never runs
//                  before they have returned (a hook may reach into the
//                  awaiting frame, as gRPC's TryCancel does).
// An owner that sees a hold leaves the operation to the holder: whoever
// releases the last hold posts the operation, or destroys it when a shutdown
// abandoned it meanwhile.
//

#ifndef AWAITIFY_DETAIL_ANCHOR_HPP
#define AWAITIFY_DETAIL_ANCHOR_HPP

#include <awaitify/detail/anchor_cache.hpp>
#include <awaitify/detail/context_stats.hpp>
#include <awaitify/source_location.hpp>

#include <awaitify/detail/asio.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

namespace AWAITIFY_NAMESPACE {
namespace detail {

class anchor;
struct registry_shard;

/// std::this_thread::yield, compiled once: <thread> is heavy to include.
void yield_now() noexcept;
struct op_header;

/// An operation's place in the registry of one execution context. The low
/// bits of the shard pointer (shards are 64-byte aligned) are the owner's,
/// kept by the registry: which of its operation's two links it is (bit 0),
/// so that the operation's own link finds it without storing a pointer to
/// it, and facts the operation keeps there (see op_header).
struct registry_link
{
  static constexpr std::uintptr_t owner_bits = 63;

  std::uintptr_t tagged_shard_ = 0;
  registry_link* prev_ = nullptr;
  registry_link* next_ = nullptr;

  registry_shard* shard() const noexcept { return reinterpret_cast<registry_shard*>(tagged_shard_ & ~owner_bits); }

  std::size_t index() const noexcept { return tagged_shard_ & 1; }
};

/// What an operation does, whatever its handler and signature.
struct op_functions
{
  /// Hands the completed operation to its handler's executor.
  void (*post)(op_header*) noexcept;

  /// Destroys the operation without invoking its handler.
  void (*destroy)(op_header*) noexcept;
};

/// What every operation shares, whatever its handler and signature.
struct op_header
{
  // The functions are kept in the anchor, which has room for them.
  op_header(anchor* a, const op_functions& functions) noexcept;

  op_header(const op_header&) = delete;
  op_header& operator=(const op_header&) = delete;

  void post() noexcept;
  void destroy() noexcept;

  /// The operation that `link` belongs to.
  static op_header* of(registry_link& link) noexcept;

  // Facts about the operation, set as it is built (before another thread can
  // reach it) and only read afterwards. They ride in its own link's low bits
  // (see registry_link): its memory has no room to spare, and the threads
  // that own the operation read them there, not in the anchor, whose lines
  // the legacy thread writes as the handler runs.
  enum flag : std::uintptr_t
  {
    // A handler_context_link follows the operation in its block.
    has_handler_context_link = 2,
    // Work is counted on the handler's executor, inside that executor.
    counts_handler_work = 4,
  };

  void set(flag f) noexcept { link_.tagged_shard_ |= f; }
  bool has(flag f) const noexcept { return (link_.tagged_shard_ & f) != 0; }

  static_assert(registry_link::owner_bits >= (has_handler_context_link | counts_handler_work | 1));

  anchor* anchor_;

  // An operation is registered with the context of its I/O executor and, when
  // it differs, with the context of its handler's executor, through a
  // handler_context_link.
  registry_link link_;
};

/// An operation's link to the registry of its handler executor's context,
/// when that is another context than its I/O executor's. Few operations need
/// one: it follows the operation in the same block, only then, and knows
/// its way back (index 1).
struct handler_context_link
{
  registry_link link_{1};
  op_header* op_ = nullptr;
};

inline op_header* op_header::of(registry_link& link) noexcept
{
  if (link.index() == 1)
    return reinterpret_cast<handler_context_link&>(link).op_;
  return reinterpret_cast<op_header*>(reinterpret_cast<char*>(&link) - offsetof(op_header, link_));
}

/// How to stop a legacy operation; registered by `callback::on_cancel`.
class cancel_hook
{
public:
  cancel_hook* next_ = nullptr;

  /// The cancellation types the hook honours: it runs only for those.
  std::uint32_t types_ = 0;

  virtual void run() noexcept = 0;
  virtual ~cancel_hook() = default;
};

template <typename F>
class cancel_hook_impl final : public cancel_hook
{
public:
  template <typename G>
    requires(!std::is_same_v<std::remove_cvref_t<G>, cancel_hook_impl>)
  explicit cancel_hook_impl(G&& g) : f_(std::forward<G>(g))
  {
  }

  void run() noexcept override { f_(); }

private:
  F f_;
};

inline constexpr std::uint32_t outcome_mask = 7;
inline constexpr std::uint32_t busy = 8;
inline constexpr std::uint32_t initiating = 16;
// A cancellation was handed to the hooks of an operation that waits for its
// callback: it stays pending, and later signals do nothing more.
inline constexpr std::uint32_t cancel_requested = 32;
inline constexpr std::uint32_t hooks_running = 64;
// A hold: a hook carried to a library executor (awaitify::on) runs there, in
// an operation that waits for its callback.
inline constexpr std::uint32_t library_hook_running = 128;
inline constexpr std::uint32_t holds = initiating | hooks_running | library_hook_running;
// Set with the outcome by the one that decides it without the legacy
// code's result, which is still expected (a detaching cancellation, an
// operation set's fail_all): when it comes, it is discarded quietly and
// counted as detached, not reported as late or duplicate.
inline constexpr std::uint32_t result_due = 256;
// The legacy code delivered after the outcome was decided: a hook carried to
// a library executor and still queued then has nothing left to stop.
inline constexpr std::uint32_t result_came_late = 512;
// The handler ran while its poster was still inside the executor (busy): the
// operation's work and memory are the poster's to release as it leaves.
inline constexpr std::uint32_t handler_ran = 1024;

// In cancel_types_, beside the accepted cancellation types: a hook asked the
// operation to wait for its callback after a cancellation.
inline constexpr std::uint32_t waits_for_callback = 1u << 16;
// In cancel_types_: a result that comes after the operation was cancelled is
// expected (after_cancel::detach): a cancellation that completes the
// operation once this was declared marks the result due.
inline constexpr std::uint32_t detaches = 1u << 17;
// In cancel_types_, shifted by this: the type of the cancellation that ran
// the hooks (published to later hook registrations by hooks_).
inline constexpr unsigned cancelled_by_shift = 8;

class anchor
{
public:
  static anchor* create(context_stats& stats, const source_location& where)
  {
    static_assert(sizeof(anchor) <= block_size && alignof(anchor) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
    return ::new (cache::allocate()) anchor(stats, where);
  }

  anchor(const anchor&) = delete;
  anchor& operator=(const anchor&) = delete;

  /// What the operation does (set as the operation is constructed).
  void set_functions(const op_functions& functions) noexcept { functions_ = &functions; }
  const op_functions& functions() const noexcept { return *functions_; }

  /// Binds the anchor to its operation, before any callback exists.
  void start(op_header* op) noexcept
  {
    op_ = op;
    stats().count_start();
  }

  /// Frees an anchor whose operation could not be created.
  void discard_unstarted() noexcept { destroy(); }

  // Callback copies. The anchor starts with two: the initiating function's
  // own and the one it hands to the legacy code.

  void add_copy() noexcept { copies_.fetch_add(1, std::memory_order_relaxed); }

  /// Drops one callback copy. When it was the last, the operation (if still
  /// pending) completes through `fill_dropped`.
  template <typename FillDropped>
  void release_copy(FillDropped&& fill_dropped) noexcept
  {
    // The last copy needs no subtraction: copying needs a copy, and none is
    // left to make another.
    if (copies_.load(std::memory_order_acquire) != 1 && copies_.fetch_sub(1, std::memory_order_acq_rel) != 1)
      return;
    if (try_complete(dropped, fill_dropped))
      stats().report(misuse::dropped, where_);
    release_share();
  }

  // Shares keep the anchor's memory alive: one for all callback copies, one
  // for the operation, one for the handler in a cancellation slot (until the
  // slot's owner clears it), and short-lived ones for shutdown.

  void add_share() noexcept { shares_.fetch_add(1, std::memory_order_relaxed); }

  void release_share() noexcept
  {
    // The last share needs no subtraction: sharing needs a share.
    if (shares_.load(std::memory_order_acquire) == 1 || shares_.fetch_sub(1, std::memory_order_acq_rel) == 1)
      destroy();
  }

  /// Keeps the counters for whatever outlives the operation (callback
  /// copies, a cancellation slot, a C carrier), if anything shares the
  /// anchor. Called by the operation's owner while the context is known to
  /// be alive: before the operation leaves a registry of the context, and
  /// before destroying a handler that never ran (it may own the context). Nothing can start to share the
  /// anchor afterwards (sharing needs a share).
  void keep_stats_for_sharers() noexcept
  {
    if (shares_.load(std::memory_order_acquire) != 1)
      keep_stats();
  }

  /// The operation's memory is gone: its share goes. The hooks that did not
  /// run never will: freeing them now also frees whatever they hold.
  void end_operation() noexcept
  {
    if (shares_.load(std::memory_order_acquire) == 1)
    {
      destroy(); // Nothing outlives the operation: the usual case.
      return;
    }
    close_cancel_hooks();
    release_share();
  }

  /// Claims the operation for outcome `o`. The winner stores the result with
  /// `fill(op_header&)`, then hands the operation over to be posted.
  /// Returns false, and does nothing else, when another outcome won.
  template <typename Fill>
  bool try_complete(outcome o, Fill&& fill) noexcept
  {
    return try_complete(o, fill, asio::cancellation_type::none, 0);
  }

  /// As `try_complete`, on behalf of legacy code whose result is still
  /// expected (an operation set failing its members): that result, when it
  /// comes, is discarded quietly (counted as detached).
  template <typename Fill>
  bool try_complete_ahead(outcome o, Fill&& fill) noexcept
  {
    return try_complete(o, fill, asio::cancellation_type::none, result_due);
  }

  /// Reports a second call of a C callback whose carrier was spent: a
  /// duplicate, even while the first call is still completing.
  void report_duplicate() noexcept
  {
    if (state_.fetch_or(result_came_late, std::memory_order_acq_rel) & result_due)
      stats().count_detached();
    else
      stats().report(misuse::duplicate, where_);
  }

  /// Reports an invocation that lost: a duplicate, a late one, or the
  /// expected result of an operation whose outcome was decided without it
  /// (result_due).
  void report_lost_invocation() noexcept
  {
    const std::uint32_t s = state_.fetch_or(result_came_late, std::memory_order_acq_rel);
    if (s & result_due)
      stats().count_detached();
    else
      stats().report((s & outcome_mask) == delivered ? misuse::duplicate : misuse::late, where_);
  }

  /// Cancellation of type `type` arrived through the handler's slot, whose
  /// handler holds a share: the anchor outlives this call even when the
  /// posted operation runs, and releases its own share, on another thread
  /// before hand_over() has cleared the busy bit.
  template <typename FillCancelled>
  void cancel(asio::cancellation_type_t type, FillCancelled&& fill) noexcept
  {
    const std::uint32_t accepted = cancel_types_.load(std::memory_order_acquire);
    if ((type & static_cast<asio::cancellation_type_t>(accepted)) == asio::cancellation_type::none)
      return;
    if (accepted & waits_for_callback)
      request_cancel(type);
    else
      try_complete(cancelled, fill, type, (accepted & detaches) ? result_due : 0u);
  }

  /// A cancellation of an operation that waits for its callback: the first
  /// one before an outcome runs the hooks that honour its type; the callback
  /// (or a drop, or a shutdown) still decides the outcome. The hooks run
  /// under a hold, so a callback they make (or one that races with them)
  /// does not post the handler before they have returned.
  void request_cancel(asio::cancellation_type_t type) noexcept
  {
    std::uint32_t s = state_.load(std::memory_order_relaxed);
    do
    {
      if (s & (outcome_mask | cancel_requested))
        return;
    } while (!state_.compare_exchange_weak(s, s | cancel_requested | hooks_running, std::memory_order_acq_rel,
        std::memory_order_relaxed));
    run_cancel_hooks(type);
    release_hold(hooks_running);
  }

  /// Called by the initiating function once `init` has returned. `enroll`
  /// registers the still pending operation for shutdown and returns false
  /// when the execution context is already shutting down.
  template <typename Enroll>
  void finish_initiation(Enroll&& enroll) noexcept
  {
    // Refused by a context that is shutting down: abandoned like the
    // operations it already had.
    if (!is_decided() && !enroll())
      try_abandon();
    release_hold(initiating);
  }

  enum class abandon_result
  {
    abandoned,    // The caller destroys the operation.
    handing_over, // Its owner or a holder posts or destroys it: wait for them.
    finished,     // Posted already: its executor runs or destroys it.
  };

  /// Shutdown: claims a pending operation so that it is destroyed, not run.
  abandon_result try_abandon() noexcept
  {
    std::uint32_t s = state_.load(std::memory_order_acquire);
    for (;;)
    {
      if (s & outcome_mask)
        return (s & (busy | holds)) ? abandon_result::handing_over : abandon_result::finished;
      if (state_.compare_exchange_weak(s, s | abandoned, std::memory_order_acq_rel, std::memory_order_acquire))
      {
        stats().count(abandoned);
        return (s & holds) ? abandon_result::handing_over : abandon_result::abandoned;
      }
    }
  }

  /// Shutdown: waits until an owner has finished posting and no holder is
  /// left. Both are short and never wait for anything awaitify holds.
  void wait_for_hand_over() const noexcept
  {
    while (state_.load(std::memory_order_acquire) & (busy | holds))
      yield_now();
  }

  /// The handler of an operation whose memory must go back to the handler's
  /// own allocator before it runs: waits until the thread that posted it has
  /// left the executor (almost always it already has).
  void wait_until_not_busy() const noexcept
  {
    while (state_.load(std::memory_order_acquire) & busy)
      yield_now();
  }

  /// The handler, once it has taken what it runs with out of the operation:
  /// true when the thread that posted it is still inside the executor (it
  /// is almost always out), which then releases the rest of the operation
  /// as it leaves; false when the rest is the caller's.
  bool leave_rest_to_poster() noexcept
  {
    if (!(state_.load(std::memory_order_acquire) & busy))
      return false;
    return state_.fetch_or(handler_ran, std::memory_order_acq_rel) & busy;
  }

  /// Whether the poster is to release the rest of the operation.
  bool rest_left_to_poster() const noexcept { return state_.load(std::memory_order_acquire) & handler_ran; }

  /// Accepts cancellation of `types` from now on, with no hook to run.
  void accept_cancellation(asio::cancellation_type_t types, std::uint32_t after = 0) noexcept
  {
    cancel_types_.fetch_or(static_cast<std::uint32_t>(types) | after, std::memory_order_release);
  }

  /// The operation's outcome, or no_outcome while it is pending.
  outcome decided_outcome() const noexcept
  {
    return static_cast<outcome>(state_.load(std::memory_order_acquire) & outcome_mask);
  }

  /// For a hook carried to a library executor, in an operation that waits
  /// for its callback: holds the operation as the hooks that run where the
  /// cancellation is emitted are held, unless it has ended meanwhile (then
  /// the hook must not run). The library executor runs one such hook at a
  /// time.
  bool hold_for_library_hook() noexcept
  {
    std::uint32_t s = state_.load(std::memory_order_relaxed);
    do
    {
      if (s & outcome_mask)
        return false;
    } while (!state_.compare_exchange_weak(
        s, s | library_hook_running, std::memory_order_acq_rel, std::memory_order_relaxed));
    return true;
  }

  void release_library_hook_hold() noexcept { release_hold(library_hook_running); }

  /// Whether the legacy code delivered after the outcome was decided.
  bool result_came_after_outcome() const noexcept
  {
    return (state_.load(std::memory_order_acquire) & result_came_late) != 0;
  }

  /// Whether a cancellation leaves the operation to its callback.
  bool waits_for_callback_after_cancel() const noexcept
  {
    return (cancel_types_.load(std::memory_order_acquire) & waits_for_callback) != 0;
  }

  /// Whether the operation's outcome is decided.
  bool is_decided() const noexcept { return (state_.load(std::memory_order_acquire) & outcome_mask) != no_outcome; }

  /// Registers `hook` to run if cancellation wins. Accepts cancellation of
  /// `types` (terminal is always accepted) from now on; `after` holds
  /// `waits_for_callback` (a cancellation from now on leaves the operation
  /// to its callback) or `detaches`.
  void add_cancel_hook(cancel_hook* hook, asio::cancellation_type_t types, std::uint32_t after) noexcept
  {
    hook->types_ = static_cast<std::uint32_t>(types);
    cancel_types_.fetch_or(hook->types_ | after, std::memory_order_release);
    cancel_hook* head = hooks_.load(std::memory_order_acquire);
    for (;;)
    {
      if (head == hooks_cancelled())
      {
        // Cancellation has already won: run now, on this thread, if the hook
        // honours its type.
        if (hook->types_ & (cancel_types_.load(std::memory_order_relaxed) >> cancelled_by_shift))
          hook->run();
        delete hook;
        return;
      }
      if (head == hooks_closed())
      {
        delete hook; // The operation ended otherwise: it will never run.
        return;
      }
      hook->next_ = head;
      if (hooks_.compare_exchange_weak(
              head, hook, std::memory_order_acq_rel, std::memory_order_acquire))
        return;
    }
  }

  /// Whether a shutdown claimed the operation.
  bool is_abandoned() const noexcept
  {
    return (state_.load(std::memory_order_acquire) & outcome_mask) == abandoned;
  }

private:
  anchor(context_stats& stats, const source_location& where) noexcept
    : stats_(reinterpret_cast<std::uintptr_t>(&stats)), where_(where)
  {
  }

  context_stats& stats() const noexcept
  {
    return *reinterpret_cast<context_stats*>(stats_.load(std::memory_order_relaxed) & ~keeps_stats);
  }

  /// Keeps the context's counters alive for as long as the anchor, for the
  /// callback copies that may count a late invocation after the context is
  /// gone. Until then, the operation being registered with the context (or
  /// its initiating function running) keeps them alive: the reference, a
  /// read-modify-write on a line every thread writes, is taken only when
  /// something may outlive the operation. Called by the thread that owns
  /// the operation.
  void keep_stats() noexcept
  {
    const std::uintptr_t tagged = stats_.load(std::memory_order_relaxed);
    if (tagged & keeps_stats)
      return;
    stats().add_ref();
    stats_.store(tagged | keeps_stats, std::memory_order_relaxed);
  }

  void destroy() noexcept
  {
    this->~anchor();
    cache::deallocate(this);
  }

  ~anchor()
  {
    cancel_hook* h = hooks_.load(std::memory_order_acquire);
    if (h != hooks_cancelled() && h != hooks_closed())
      delete_hooks(h);
    if (stats_.load(std::memory_order_relaxed) & keeps_stats)
      stats().release();
  }

  template <typename Fill>
  bool try_complete(outcome o, Fill& fill, asio::cancellation_type_t type, std::uint32_t marks) noexcept
  {
    std::uint32_t s = state_.load(std::memory_order_relaxed);
    do
    {
      if (s & outcome_mask)
        return false;
    } while (!state_.compare_exchange_weak(
        s, s | o | busy | marks, std::memory_order_acquire, std::memory_order_relaxed));
    stats().count(o);
    fill(*op_);
    if (o == cancelled)
      run_cancel_hooks(type);
    hand_over(s | o | busy | marks);
    return true;
  }

  void hand_over(std::uint32_t s) noexcept
  {
    op_header* op = op_;
    while (s & holds)
    {
      // A holder is still at work: it posts once it lets go. The failed
      // exchange acquires: seeing the last hold gone, this thread posts, and
      // must see what the holder wrote (the initiator's registry links).
      if (state_.compare_exchange_weak(s, s & ~busy, std::memory_order_acq_rel, std::memory_order_acquire))
        return;
    }
    op->post();
    leave_executor(op);
  }

  /// The poster is out of the executor. When the handler ran meanwhile,
  /// this thread releases the operation's work (through its context: the
  /// context may be idle) and memory, before busy clears, so that a
  /// shutdown still waits for it.
  void leave_executor(op_header* op) noexcept
  {
    std::uint32_t s = state_.load(std::memory_order_relaxed);
    while (!(s & handler_ran))
    {
      if (state_.compare_exchange_weak(s, s & ~busy, std::memory_order_release, std::memory_order_relaxed))
        return;
    }
    std::atomic_thread_fence(std::memory_order_acquire); // What the handler's thread left.
    add_share(); // The operation's own goes with its memory.
    op->destroy();
    state_.fetch_and(~busy, std::memory_order_release);
    release_share();
  }

  /// Lets go of `hold`. The last holder of a decided operation whose owner
  /// has handed it over posts it, or destroys it if a shutdown abandoned it.
  /// A hook's thread posts busy, as an owner does: it may be any thread,
  /// and the context must outlive its post. The initiator needs no busy
  /// bit: the context cannot go away while its initiating function runs.
  void release_hold(std::uint32_t hold) noexcept
  {
    std::uint32_t s = state_.load(std::memory_order_acquire);
    std::uint32_t next = 0;
    bool ours = false;
    bool posts_busy = false;
    do
    {
      ours = (s & outcome_mask) != no_outcome && !(s & busy) && !(s & holds & ~hold);
      posts_busy = ours && hold != initiating && (s & outcome_mask) != abandoned;
      next = (s & ~hold) | (posts_busy ? busy : 0u);
    } while (!state_.compare_exchange_weak(s, next, std::memory_order_acq_rel, std::memory_order_acquire));
    if (!ours)
      return;
    if ((s & outcome_mask) == abandoned)
      op_->destroy();
    else
    {
      op_header* op = op_;
      op->post();
      if (posts_busy)
        leave_executor(op);
    }
  }

  /// Hooks that did not run never will.
  void close_cancel_hooks() noexcept
  {
    cancel_hook* head = hooks_.load(std::memory_order_acquire);
    while (head != hooks_cancelled())
    {
      if (hooks_.compare_exchange_weak(
              head, hooks_closed(), std::memory_order_acq_rel, std::memory_order_acquire))
      {
        if (head != hooks_closed())
          delete_hooks(head);
        return;
      }
    }
  }

  void run_cancel_hooks(asio::cancellation_type_t type) noexcept
  {
    // Waiting for the callback, the operation may have ended (and closed its
    // hooks) since the cancellation was requested: then they never run.
    cancel_types_.fetch_or(static_cast<std::uint32_t>(type) << cancelled_by_shift, std::memory_order_relaxed);
    cancel_hook* h = hooks_.load(std::memory_order_acquire);
    do
    {
      if (h == hooks_closed() || h == hooks_cancelled())
        return;
    } while (!hooks_.compare_exchange_weak(h, hooks_cancelled(), std::memory_order_acq_rel, std::memory_order_acquire));
    // Registered last-first; run them first-first, each only for a type it
    // honours.
    cancel_hook* in_order = nullptr;
    while (h)
      in_order = std::exchange(h, std::exchange(h->next_, in_order));
    while (in_order)
    {
      cancel_hook* next = in_order->next_;
      if (in_order->types_ & static_cast<std::uint32_t>(type))
        in_order->run();
      delete in_order;
      in_order = next;
    }
  }

  static void delete_hooks(cancel_hook* h) noexcept
  {
    while (h)
      delete std::exchange(h, h->next_);
  }

  // Values of hooks_ that end the list: cancellation won (later hooks run at
  // once), or the operation ended otherwise (later hooks never run). They are
  // values no hook can have (hooks are aligned), not addresses of statics: a
  // shared library built with hidden visibility has its own copy of every
  // static of this header, and must recognise the program's sentinels.
  static cancel_hook* hooks_cancelled() noexcept { return reinterpret_cast<cancel_hook*>(std::uintptr_t(1)); }

  static cancel_hook* hooks_closed() noexcept { return reinterpret_cast<cancel_hook*>(std::uintptr_t(2)); }

  // 48 bytes and the call site: 56 where the standard source_location serves
  // (a pointer), 72 elsewhere (see source_location). With glibc's malloc, a
  // block of up to 56 bytes takes a 64-byte chunk, and one of up to 72 an
  // 80-byte chunk: the operation's functions live here at no cost.
  static constexpr std::size_t block_size = 48 + sizeof(source_location);
  using cache = block_cache<block_size>;

  std::atomic<std::uint32_t> state_{initiating};
  std::atomic<std::uint32_t> copies_{2};
  std::atomic<std::uint32_t> shares_{2};
  std::atomic<std::uint32_t> cancel_types_{
      static_cast<std::uint32_t>(asio::cancellation_type::terminal)};
  std::atomic<cancel_hook*> hooks_{nullptr};
  op_header* op_ = nullptr;
  const op_functions* functions_ = nullptr;
  // The context's counters. The low bit is set once the anchor keeps them
  // alive, by the operation's owner (the only writer) while other threads
  // may read the address; read as the anchor goes, after the last share.
  static constexpr std::uintptr_t keeps_stats = 1;
  static_assert(alignof(context_stats) > keeps_stats);
  std::atomic<std::uintptr_t> stats_;
  source_location where_;
};

inline op_header::op_header(anchor* a, const op_functions& functions) noexcept : anchor_(a)
{
  a->set_functions(functions);
}

inline void op_header::post() noexcept
{
  anchor_->functions().post(this);
}

inline void op_header::destroy() noexcept
{
  anchor_->functions().destroy(this);
}

} // namespace detail
} // namespace awaitify

#endif // AWAITIFY_DETAIL_ANCHOR_HPP
