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

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/dispatch.hpp>

#include <utility>

namespace awaitify {
namespace detail {

/// This thread's slot: null, or the executor of the init running here.
const boost::asio::any_io_executor*& current_hook_executor() noexcept;

/// Sets this thread's hook executor for its lifetime.
class scoped_hook_executor
{
public:
  explicit scoped_hook_executor(const boost::asio::any_io_executor& ex) noexcept
    : previous_(std::exchange(current_hook_executor(), &ex))
  {
  }

  scoped_hook_executor(const scoped_hook_executor&) = delete;
  scoped_hook_executor& operator=(const scoped_hook_executor&) = delete;

  ~scoped_hook_executor() { current_hook_executor() = previous_; }

private:
  const boost::asio::any_io_executor* previous_;
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
  library_cancel_hook(anchor* a, const boost::asio::any_io_executor& ex, F f)
    : anchor_(a), ex_(ex), f_(std::move(f))
  {
  }

  void run() noexcept override
  {
    anchor_->add_share(); // The posted run's: the anchor outlives it.
    boost::asio::dispatch(ex_, posted_run{anchor_, std::move(f_)});
  }

private:
  struct posted_run
  {
    anchor* operation;
    F f;

    posted_run(anchor* a, F g) : operation(a), f(std::move(g)) {}
    posted_run(posted_run&& other) noexcept : operation(std::exchange(other.operation, nullptr)), f(std::move(other.f)) {}
    posted_run& operator=(posted_run&&) = delete;

    ~posted_run()
    {
      if (operation)
        operation->release_share();
    }

    void operator()()
    {
      if (!operation->waits_for_callback_after_cancel())
        f();
      else if (operation->hold_for_library_hook())
      {
        f();
        operation->release_library_hook_hold();
      }
    }
  };

  anchor* anchor_;
  boost::asio::any_io_executor ex_;
  F f_;
};

} // namespace detail
} // namespace awaitify

#endif // AWAITIFY_DETAIL_HOOK_EXECUTOR_HPP
