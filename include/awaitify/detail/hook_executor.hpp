// SPDX-License-Identifier: BSL-1.0
//
// awaitify/detail/hook_executor.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// The library executor of the init that is running on this thread under
// awaitify::on: the cancellation hooks it registers run there. A thread-local
// rather than a field of every operation, which only `on` needs; defined in
// the compiled library, so that an init in a hidden-visibility shared
// library sees the same one.
//

#ifndef AWAITIFY_DETAIL_HOOK_EXECUTOR_HPP
#define AWAITIFY_DETAIL_HOOK_EXECUTOR_HPP

#include <awaitify/detail/anchor.hpp>

#include <awaitify/detail/asio.hpp>

#include <utility>

namespace AWAITIFY_NAMESPACE {
namespace detail {

/// What this thread's init runs under: the library executor, and the
/// operation whose init it is (hooks of another operation, started inside
/// it, are not bound to that executor).
struct hook_binding
{
  const asio::any_io_executor* executor = nullptr;
  const anchor* operation = nullptr;
};

/// This thread's binding: empty, or that of the init running here.
hook_binding& current_hook_binding() noexcept;

/// The library executor of hooks that `operation` registers on this thread
/// now, or null.
inline const asio::any_io_executor* hook_executor_for(const anchor* operation) noexcept
{
  const hook_binding& b = current_hook_binding();
  return b.operation == operation ? b.executor : nullptr;
}

/// Binds this thread's hooks of `operation` to `ex` for its lifetime.
class scoped_hook_executor
{
public:
  scoped_hook_executor(const asio::any_io_executor& ex, const anchor* operation) noexcept
    : previous_(std::exchange(current_hook_binding(), hook_binding{&ex, operation}))
  {
  }

  scoped_hook_executor(const scoped_hook_executor&) = delete;
  scoped_hook_executor& operator=(const scoped_hook_executor&) = delete;

  ~scoped_hook_executor() { current_hook_binding() = previous_; }

private:
  hook_binding previous_;
};

/// A hook registered under awaitify::on: it runs on the library executor,
/// inline when the cancellation is emitted there, else posted. In an
/// operation that waits for its callback it runs under a hold, as the hooks
/// run where the cancellation is emitted do, so that a callback it makes
/// does not post the handler before it has returned.
template <typename F>
class library_cancel_hook final : public cancel_hook
{
public:
  library_cancel_hook(anchor* a, const asio::any_io_executor& ex, F f, bool waits)
    : anchor_(a), ex_(ex), f_(std::move(f)), waits_(waits)
  {
  }

  // NOLINTNEXTLINE(bugprone-exception-escape): a failure to allocate here terminates, as in Asio's noexcept completions.
  void run() noexcept override
  {
    anchor_->add_share(); // The posted run's: the anchor outlives it.
    asio::dispatch(ex_, posted_run{anchor_, std::move(f_), waits_});
  }

private:
  struct posted_run
  {
    anchor* operation;
    F f;
    bool waits;

    posted_run(anchor* a, F g, bool w) : operation(a), f(std::move(g)), waits(w) {}
    posted_run(posted_run&& other) noexcept
      : operation(std::exchange(other.operation, nullptr)), f(std::move(other.f)), waits(other.waits)
    {
    }
    posted_run& operator=(posted_run&&) = delete;

    ~posted_run()
    {
      if (operation)
        operation->release_share();
    }

    void operator()()
    {
      if (waits && operation->hold_for_library_hook())
      {
        f();
        operation->release_library_hook_hold();
        return;
      }
      // Completed by the cancellation (a hook of complete_now or detach, or
      // one registered after the cancellation won) or by a shutdown: the
      // library still has the request, unless it answered while this was
      // queued (the library runs here too, so it cannot answer meanwhile).
      const outcome o = operation->decided_outcome();
      if ((o == cancelled || o == abandoned) && !operation->result_came_after_outcome())
        f();
    }
  };

  anchor* anchor_;
  asio::any_io_executor ex_;
  F f_;
  bool waits_;
};

} // namespace detail
} // namespace awaitify

#endif // AWAITIFY_DETAIL_HOOK_EXECUTOR_HPP
