// SPDX-License-Identifier: BSL-1.0
//
// awaitify/detail/async_call_op.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// The operation behind async_call: the handler, the result on its way to it,
// and the outstanding work that keeps the executors' contexts running.
//

#ifndef AWAITIFY_DETAIL_ASYNC_CALL_OP_HPP
#define AWAITIFY_DETAIL_ASYNC_CALL_OP_HPP

#include <awaitify/detail/anchor.hpp>
#include <awaitify/detail/executor_support.hpp>
#include <awaitify/detail/op_base.hpp>
#include <awaitify/detail/op_registry.hpp>
#include <awaitify/detail/post_buffer.hpp>

#include <awaitify/detail/asio.hpp>

#include <memory>
#include <new>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

namespace AWAITIFY_NAMESPACE {
namespace detail {

template <typename T>
struct is_std_allocator : std::false_type
{
};

template <typename T>
struct is_std_allocator<std::allocator<T>> : std::true_type
{
};

/// Whether an operation's memory may go back to its allocator on any thread,
/// after its handler has run: Asio's recycling allocator, which serves a
/// handler that states no preference, may. An allocator of the handler's own
/// may not: Asio requires the memory back before the handler runs, and the
/// handler may destroy what the allocator draws from (an arena kept by the
/// object the handler owns), or start an operation that needs that memory.
template <typename Allocator>
struct frees_after_the_handler : std::false_type
{
};

template <typename T>
struct frees_after_the_handler<asio::recycling_allocator<T>> : std::true_type
{
};

/// The allocator for a handler's per-operation memory: its associated
/// allocator, or, when it has none (or std::allocator, which states no
/// preference), Asio's recycling allocator, as Asio's own operations do.
template <typename Handler>
struct handler_allocator
{
  using associated = asio::associated_allocator_t<Handler, asio::recycling_allocator<void>>;
  using type = std::conditional_t<is_std_allocator<associated>::value,
      asio::recycling_allocator<void>, associated>;

  static type get(const Handler& handler) noexcept
  {
    if constexpr (is_std_allocator<associated>::value)
      return type();
    else
      return asio::get_associated_allocator(handler, asio::recycling_allocator<void>());
  }
};

/// Outstanding work on an executor, or none.
template <typename Executor, bool Track>
class executor_work
{
public:
  explicit executor_work(const Executor& ex) : work_(ex) {}

  /// Releases the work now.
  void reset() noexcept { work_.reset(); }

  /// Releases the work from a thread that runs none of its context.
  void reset_through_context() noexcept { work_.reset_through_context(); }

private:
  work_guard<Executor> work_;
};

template <typename Executor>
class executor_work<Executor, false>
{
public:
  explicit executor_work(const Executor&) noexcept {}

  void reset() noexcept {}

  void reset_through_context() noexcept {}
};

/// The handler's executor, and the outstanding work on it when counted.
/**
 * Every form has the same members. `counted` says whether count_work() was
 * called: the operation keeps that (op_header::counts_handler_work), where a
 * flag costs no room. The work is released once, by release_work(),
 * release_work_through_context() or take_work(); get() serves until then.
 */
template <typename Executor, bool Track>
class handler_executor
{
public:
  explicit handler_executor(const Executor& ex) : ex_(ex) {}

  void count_work() { work_.emplace(ex_); }

  /// Releases the work now.
  void release_work(bool /*counted: known here*/) noexcept { work_.reset(); }

  /// Releases the work from a thread that runs none of its context.
  void release_work_through_context(bool /*counted: known here*/) noexcept
  {
    if (work_)
      work_->reset_through_context();
    work_.reset();
  }

  /// The work, released when the result is destroyed.
  std::optional<executor_work<Executor, Track>> take_work(bool /*counted: known here*/) noexcept
  {
    return std::exchange(work_, std::nullopt);
  }

  const Executor& get(bool /*counted: known here*/) const noexcept { return ex_; }

private:
  Executor ex_;
  std::optional<executor_work<Executor, Track>> work_;
};

template <typename Executor>
concept tracks_in_own_type = is_standard_executor<Executor> && std::is_same_v<tracked_executor_t<Executor>, Executor>;

// A type-erased executor (a coroutine's any_io_executor) counts work in its
// own type: one executor both posts and holds the work, instead of an
// executor beside an optional tracked copy of itself.
template <tracks_in_own_type Executor>
class handler_executor<Executor, true>
{
public:
  explicit handler_executor(const Executor& ex) : ex_(ex) {}

  void count_work() { ex_ = asio::prefer(ex_, asio::execution::outstanding_work.tracked); }

  void release_work(bool /*counted*/) noexcept { [[maybe_unused]] Executor released(std::move(ex_)); }

  void release_work_through_context(bool counted) noexcept
  {
    if (counted)
      release_through_context(std::move(ex_));
    else
      release_work(counted);
  }

  Executor take_work(bool /*counted*/) noexcept { return std::move(ex_); }

  const Executor& get(bool /*counted*/) const noexcept { return ex_; }

private:
  Executor ex_;
};

template <typename Executor>
concept tracks_in_sibling_type = is_standard_executor<Executor> && !tracks_in_own_type<Executor>
    && std::is_same_v<std::decay_t<decltype(asio::prefer(std::declval<const tracked_executor_t<Executor>&>(),
                          asio::execution::outstanding_work.untracked))>,
        Executor>;

// An executor whose tracked form is another type that converts back (an
// io_context's): one of the two is kept, never both, and which one is told
// by `counted` until the work is released, after which it is the untracked
// one (so no flag of its own takes room beside it).
template <tracks_in_sibling_type Executor>
class handler_executor<Executor, true>
{
  using tracked_type = tracked_executor_t<Executor>;

public:
  explicit handler_executor(const Executor& ex) : untracked_(ex) {}

  handler_executor(const handler_executor&) = delete;
  handler_executor& operator=(const handler_executor&) = delete;

  // The operation has released the work (see above).
  ~handler_executor() { untracked_.~Executor(); }

  void count_work()
  {
    tracked_type tracked = asio::prefer(untracked_, asio::execution::outstanding_work.tracked);
    untracked_.~Executor();
    ::new (static_cast<void*>(&tracked_)) tracked_type(std::move(tracked));
  }

  void release_work(bool counted) noexcept
  {
    [[maybe_unused]] std::optional<tracked_type> released = take_work(counted);
  }

  void release_work_through_context(bool counted) noexcept
  {
    if (std::optional<tracked_type> work = take_work(counted))
      release_through_context(std::move(*work));
  }

  std::optional<tracked_type> take_work(bool counted) noexcept
  {
    if (!counted)
      return std::nullopt;
    std::optional<tracked_type> work(std::move(tracked_));
    Executor untracked = asio::prefer(*work, asio::execution::outstanding_work.untracked);
    tracked_.~tracked_type();
    ::new (static_cast<void*>(&untracked_)) Executor(std::move(untracked));
    return work;
  }

  Executor get(bool counted) const noexcept
  {
    return counted ? Executor(asio::prefer(tracked_, asio::execution::outstanding_work.untracked)) : untracked_;
  }

private:
  union
  {
    Executor untracked_;
    tracked_type tracked_;
  };
};

/// Runs a posted operation's completion; destroys the operation if the
/// executor destroys it instead (shutdown).
template <typename Op>
class op_invoker
{
public:
  explicit op_invoker(Op* op) noexcept : op_(op) {}

  op_invoker(op_invoker&& other) noexcept : op_(std::exchange(other.op_, nullptr)) {}

  op_invoker(const op_invoker&) = delete;
  op_invoker& operator=(const op_invoker&) = delete;
  op_invoker& operator=(op_invoker&&) = delete;

  ~op_invoker()
  {
    if (op_)
      Op::destroy(op_);
  }

  void operator()() { Op::invoke(std::exchange(op_, nullptr)); }

private:
  Op* op_;
};

/// Forwards per-operation cancellation from the handler's slot.
/**
 * As with Asio's own operations, it stays installed after the operation has
 * completed, until the slot's owner clears or replaces it: the operation
 * cannot clear it, because the owner may be emitting on it on another thread
 * at that moment (parallel_group does). So it keeps the anchor alive, and a
 * signal that comes after the completion finds the outcome decided and does
 * nothing.
 */
template <typename Signature>
class cancellation_forwarder
{
public:
  explicit cancellation_forwarder(anchor* a) noexcept : anchor_(a) { anchor_->add_share(); }

  cancellation_forwarder(const cancellation_forwarder&) = delete;
  cancellation_forwarder& operator=(const cancellation_forwarder&) = delete;

  ~cancellation_forwarder() { anchor_->release_share(); }

  void operator()(asio::cancellation_type_t type) const noexcept
  {
    anchor_->cancel(type, fill_error<Signature>{asio::error::operation_aborted});
  }

private:
  anchor* anchor_;
};

/// A completion on its way from the I/O executor to a handler executor that
/// cannot be posted to directly. The work on the handler's executor is
/// released after the handler has run.
template <typename Handler, typename Result, typename HandlerWork>
class dispatched_completion
{
public:
  using allocator_type = asio::associated_allocator_t<Handler>;

  dispatched_completion(Handler&& handler, Result&& result, HandlerWork&& work)
    : work_(std::move(work)), handler_(std::move(handler)), result_(std::move(result))
  {
  }

  allocator_type get_allocator() const noexcept { return asio::get_associated_allocator(handler_); }

  void operator()() { std::apply(std::move(handler_), std::move(result_)); }

private:
  HandlerWork work_;
  Handler handler_;
  Result result_;
};

/// Room for an operation and, after it, its link to the handler's context
/// (aligned: the operation's size is a multiple of its alignment, at least a
/// pointer's).
template <typename Op>
struct op_block_with_link
{
  alignas(Op) unsigned char bytes_[sizeof(Op) + sizeof(handler_context_link)];
};

/// The operation. `TrackWork` is false only for awaitify's internal
/// operations that must not keep their context running (a stream's teardown).
template <typename Signature, typename Handler, typename IoExecutor, bool TrackWork = true>
class async_call_op final : public op_base<Signature>
{
  using handler_executor_type = asio::associated_executor_t<Handler, IoExecutor>;
  using allocator_type = typename std::allocator_traits<
      typename handler_allocator<Handler>::type>::template rebind_alloc<async_call_op>;
  using io_work_type = executor_work<IoExecutor, TrackWork>;
  using handler_target_type = handler_executor<handler_executor_type, TrackWork>;
  using handler_work_type = decltype(std::declval<handler_target_type&>().take_work(true));

  // Else the completion is posted to the I/O executor, which dispatches it
  // to the handler's executor.
  static constexpr bool posts_to_handler_executor = posts_directly<handler_executor_type>;

  struct no_io_executor
  {
    explicit no_io_executor(const IoExecutor&) noexcept {}
  };
  using io_executor_copy = std::conditional_t<posts_to_handler_executor, no_io_executor, IoExecutor>;

  using posting_executor_type = std::conditional_t<posts_to_handler_executor, handler_executor_type, IoExecutor>;

  // The handler's executor is type-erased, kept as it is (not rebuilt on each
  // get()), and may wrap an executor of the I/O executor's type.
  static constexpr bool reaches_io_executor_type_through_erasure = posts_to_handler_executor
      && posts_directly<IoExecutor> && !std::is_same_v<handler_executor_type, IoExecutor>
      && std::is_lvalue_reference_v<decltype(std::declval<const handler_target_type&>().get(true))>
      && requires(const handler_executor_type& ex) { ex.template target<IoExecutor>(); };
  using post_buffer_type =
      std::conditional_t<takes_post_allocator<posting_executor_type>, post_buffer, no_post_buffer>;

public:
  template <typename H>
  static async_call_op* create(H&& handler, const IoExecutor& io_ex, anchor* a, bool handler_elsewhere)
  {
    allocator_type alloc(handler_allocator<Handler>::get(handler));
    void* memory = allocate(alloc, handler_elsewhere);
    try
    {
      auto* op = ::new (memory) async_call_op(std::forward<H>(handler), io_ex, a, alloc);
      if (handler_elsewhere)
      {
        op->set(op_header::has_handler_context_link);
        ::new (op->handler_link_address()) handler_context_link{registry_link{1}, op};
      }
      return op;
    }
    catch (...)
    {
      deallocate(alloc, memory, handler_elsewhere);
      throw;
    }
  }

  /// Lets per-operation cancellation reach the anchor, if the handler has a
  /// connected slot.
  // NOLINTNEXTLINE(bugprone-exception-escape): a failure to allocate here terminates, as in Asio's noexcept completions.
  void install_cancellation() noexcept
  {
    auto slot = asio::get_associated_cancellation_slot(handler_);
    if (slot.is_connected())
      slot.template emplace<cancellation_forwarder<Signature>>(this->anchor_);
  }

  /// Registers the pending operation for shutdown with the I/O executor's
  /// context and, if it differs, the handler executor's context.
  bool enroll(op_registry& io_registry, op_registry* handler_registry) noexcept
  {
    if (!io_registry.add(this->link_))
      return false;
    if (handler_registry)
    {
      if (!handler_registry->add(handler_link().link_))
      {
        op_registry::remove(this->link_);
        return false;
      }
    }
    return true;
  }

  static void invoke(async_call_op* op)
  {
    // The thread that posted this may still be inside the executor's
    // execute(), waking this thread. Nobody waits for it (but see below):
    // what the handler runs with leaves the operation first, and if that
    // thread is still in, the work it posted under stays behind with the
    // operation's memory, for it to release as it leaves (see
    // anchor::leave_executor). Until then the context cannot run out of
    // work, and a shutdown waits for it. With an allocator of the handler's
    // own, the memory must be back in it before the handler runs (see
    // frees_after_the_handler): then, and only then, this thread waits for
    // that one to leave.
    if constexpr (!frees_after_the_handler<allocator_type>::value)
      op->anchor_->wait_until_not_busy();
    // Declared in this order so that, as in Asio, the handler goes first,
    // then the work on its executor, then the work on the I/O executor.
    std::optional<io_work_type> io_work;
    std::optional<handler_work_type> handler_work;
    result_type result(std::move(op->result_));
    Handler handler(std::move(op->handler_));
    if constexpr (posts_to_handler_executor)
    {
      if (!op->anchor_->leave_rest_to_poster())
      {
        io_work.emplace(std::move(op->io_work_));
        handler_work.emplace(op->handler_target_.take_work(op->handler_work_counted()));
        unlink(op);
        free(op);
      }
      std::apply(std::move(handler), std::move(result));
    }
    else
    {
      handler_executor_type handler_ex(op->handler_target_.get(op->handler_work_counted()));
      dispatched_completion<Handler, result_type, handler_work_type> completion(
          std::move(handler), std::move(result), op->handler_target_.take_work(op->handler_work_counted()));
      if (!op->anchor_->leave_rest_to_poster())
      {
        io_work.emplace(std::move(op->io_work_));
        unlink(op);
        free(op);
      }
      // The work on the I/O executor is released once the completion is
      // queued on the handler's executor (or has run there), as in Asio.
      asio::dispatch(handler_ex, std::move(completion));
    }
  }

  static void destroy(async_call_op* op) noexcept
  {
    // The handler has run, and its poster, leaving the executor on a thread
    // that runs none of its context, releases what is left.
    if (op->anchor_->rest_left_to_poster())
    {
      if constexpr (posts_to_handler_executor)
      {
        // The I/O context's work left already when the completion went to a
        // handler's context elsewhere (do_post).
        if (!op->handler_elsewhere())
          op->io_work_.reset_through_context();
        op->handler_target_.release_work_through_context(op->handler_work_counted());
      }
      else
        op->io_work_.reset_through_context();
      unlink(op);
      free(op);
      return;
    }
    // The work goes first: destroying the handler may destroy either context
    // (the handler may own it), and work must not be released on a context
    // that is gone. Both are alive here: the operation is still registered
    // with each, and a context's shutdown waits for its registered operations.
    // A context's shutdown destroys the operation on its own thread; the
    // other context may be idle there, and must not be stopped by its work
    // running out on a foreign thread. An abandoned operation holds the work
    // on both; a posted one only on the context it was posted to (the
    // I/O context's work is released as it goes to the handler's), unless it
    // went through the I/O executor to a handler executor elsewhere.
    if (op->anchor_->is_abandoned())
      op->io_work_.reset_through_context();
    else
      op->io_work_.reset();
    if (posts_to_handler_executor && !op->anchor_->is_abandoned())
      op->handler_target_.release_work(op->handler_work_counted());
    else
      op->handler_target_.release_work_through_context(op->handler_work_counted());
    op->anchor_->keep_stats_for_sharers();
    {
      // An abandoned operation is still registered with the other context,
      // so that its shutdown on another thread waits until the handler is
      // gone; a shutdown that destroying it starts on this thread does not
      // wait for it (see op_registry). A delivered one is registered only
      // with the context that destroys it (see do_post).
      [[maybe_unused]] Handler handler(std::move(op->handler_));
    }
    unlink(op);
    free(op);
  }

private:
  using result_type = typename op_base<Signature>::result_type;

  template <typename H>
  async_call_op(H&& handler, const IoExecutor& io_ex, anchor* a, const allocator_type& alloc)
    : op_base<Signature>(a, functions)
    , handler_(std::forward<H>(handler))
    , io_work_(io_ex)
    , io_ex_(io_ex)
    , handler_target_(asio::get_associated_executor(handler_, io_ex))
    , alloc_(alloc)
  {
    // As Asio's handler_work does: count the handler's executor separately
    // only when it is not the I/O executor itself.
    const auto& handler_ex = handler_target_.get(false);
    bool same = false;
    if constexpr (std::is_same_v<handler_executor_type, IoExecutor>)
      same = (handler_ex == io_ex);
    else if constexpr (requires { handler_ex.template target<IoExecutor>(); })
    {
      // A type-erased handler executor (a coroutine's any_io_executor, say)
      // around the I/O executor itself.
      const IoExecutor* target = handler_ex.template target<IoExecutor>();
      same = target && *target == io_ex;
    }
    if (!same)
    {
      handler_target_.count_work();
      this->set(op_header::counts_handler_work);
    }
  }

  /// Whether the handler's executor is of another context than the I/O
  /// executor's.
  bool handler_elsewhere() const noexcept { return this->has(op_header::has_handler_context_link); }

  bool handler_work_counted() const noexcept { return this->has(op_header::counts_handler_work); }

  /// Where the link to the handler's context is, in a block_with_link.
  void* handler_link_address() noexcept { return reinterpret_cast<char*>(this) + sizeof(async_call_op); }

  /// The link to the handler's context, when handler_elsewhere().
  handler_context_link& handler_link() noexcept
  {
    return *std::launder(static_cast<handler_context_link*>(handler_link_address()));
  }

  static void unlink(async_call_op* op) noexcept
  {
    // The last moment the context is known to be alive: registered, the
    // operation is waited for by its shutdown.
    op->anchor_->keep_stats_for_sharers();
    op_registry::remove(op->link_);
    if (op->handler_elsewhere())
      op_registry::remove(op->handler_link().link_);
  }

  using block_with_link = op_block_with_link<async_call_op>;
  using block_allocator_type =
      typename std::allocator_traits<allocator_type>::template rebind_alloc<block_with_link>;

  static void* allocate(allocator_type& alloc, bool with_link)
  {
    if (!with_link)
      return std::allocator_traits<allocator_type>::allocate(alloc, 1);
    block_allocator_type block_alloc(alloc);
    return std::allocator_traits<block_allocator_type>::allocate(block_alloc, 1);
  }

  static void deallocate(allocator_type& alloc, void* memory, bool with_link) noexcept
  {
    if (!with_link)
    {
      std::allocator_traits<allocator_type>::deallocate(alloc, static_cast<async_call_op*>(memory), 1);
      return;
    }
    block_allocator_type block_alloc(alloc);
    std::allocator_traits<block_allocator_type>::deallocate(block_alloc, static_cast<block_with_link*>(memory), 1);
  }

  // Asio requires the memory to be freed before the handler is invoked.
  static void free(async_call_op* op) noexcept
  {
    anchor* a = op->anchor_;
    allocator_type alloc(op->alloc_);
    const bool with_link = op->handler_elsewhere();
    op->destroy_result();
    op->~async_call_op();
    deallocate(alloc, op, with_link);
    a->end_operation();
  }

  static void do_post(op_header* base) noexcept
  {
    auto* op = static_cast<async_call_op*>(base);
    if constexpr (posts_to_handler_executor)
    {
      // The completion leaves the I/O executor's context here. As in Asio's
      // handler_work, that context's work is released when the completion
      // goes to the handler's executor, and the operation leaves its
      // registry: the I/O context may then be destroyed while the completion
      // waits in the other one. Both happen before execute(), while the
      // poster holds the operation (busy, or initiating) so that context
      // cannot be gone yet; after this, the poster touches nothing of it.
      if (op->handler_elsewhere())
      {
        op->anchor_->keep_stats_for_sharers(); // The counters are the I/O context's.
        op->io_work_.reset_through_context();
        op_registry::remove(op->link_);
      }
      // A type-erased handler executor (a coroutine's any_io_executor)
      // around an executor of the I/O executor's type: posting to that
      // executor itself is the same, without the erasure's function wrapper
      // and the allocation it takes.
      if constexpr (reaches_io_executor_type_through_erasure)
      {
        if (const IoExecutor* target =
                op->handler_target_.get(op->handler_work_counted()).template target<IoExecutor>())
        {
          post(*target, op);
          return;
        }
      }
      post(op->handler_target_.get(op->handler_work_counted()), op);
    }
    else
    {
      // Delivered to the I/O context, the completion leaves the registry of
      // the handler's context, whose shutdown does not wait for a delivered
      // operation: destroyed with the I/O context, the operation must not
      // unlink itself from a context its handler's destruction (or another
      // thread) may have destroyed meanwhile.
      if (op->handler_elsewhere())
        op_registry::remove(op->handler_link().link_);
      post(op->io_ex_, op);
    }
  }

  // Required, not preferred, as asio::post does: an executor that cannot
  // promise not to run the function inline is never posted to.
  template <typename Executor>
  // NOLINTNEXTLINE(bugprone-exception-escape): a failure to allocate here terminates, as in Asio's noexcept completions.
  static void post(const Executor& ex, async_call_op* op) noexcept
  {
    auto never = asio::prefer(
        asio::require(ex, asio::execution::blocking.never), asio::execution::relationship.fork);
    if constexpr (std::is_same_v<post_buffer_type, post_buffer>)
    {
      post_lease lease(op->post_buffer_);
      asio::prefer(never, asio::execution::allocator(post_allocator<void>(op->post_buffer_)))
          .execute(op_invoker<async_call_op>(op));
    }
    else
      never.execute(op_invoker<async_call_op>(op));
  }

  static void do_destroy(op_header* base) noexcept { destroy(static_cast<async_call_op*>(base)); }

  static constexpr op_functions functions{&do_post, &do_destroy};

  [[no_unique_address]] Handler handler_;
  io_work_type io_work_;
  [[no_unique_address]] io_executor_copy io_ex_;
  handler_target_type handler_target_;
  [[no_unique_address]] allocator_type alloc_;
  [[no_unique_address]] post_buffer_type post_buffer_;
};

} // namespace detail
} // namespace awaitify

#endif // AWAITIFY_DETAIL_ASYNC_CALL_OP_HPP
