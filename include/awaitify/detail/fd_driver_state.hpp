// SPDX-License-Identifier: BSL-1.0
//
// awaitify/detail/fd_driver_state.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// The state of an fd_driver: shared with its pending waits, so that a wait
// completing after the driver is gone finds it, sees it closed and returns.
//

#ifndef AWAITIFY_DETAIL_FD_DRIVER_STATE_HPP
#define AWAITIFY_DETAIL_FD_DRIVER_STATE_HPP

#include <awaitify/detail/asio.hpp>

#if defined(AWAITIFY_STANDALONE_ASIO)
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>
#else
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#endif

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>

// fd_event is defined by awaitify/fd_driver.hpp, which includes this file.

namespace AWAITIFY_NAMESPACE {
namespace detail {

template <typename Executor>
class fd_driver_state : public std::enable_shared_from_this<fd_driver_state<Executor>>
{
public:
  using descriptor_type = asio::posix::basic_stream_descriptor<Executor>;
  using timer_type = asio::basic_waitable_timer<std::chrono::steady_clock,
      asio::wait_traits<std::chrono::steady_clock>, Executor>;

  fd_driver_state(const Executor& ex, int fd, std::function<void(fd_event)> handler)
    : descriptor_(ex), timer_(ex), handler_(std::move(handler)), fd_(fd)
  {
    if (fd >= 0)
      descriptor_.assign(fd);
  }

  fd_driver_state(const fd_driver_state&) = delete;
  fd_driver_state& operator=(const fd_driver_state&) = delete;

  // The descriptor never closes the library's fd, whatever path ends it.
  ~fd_driver_state()
  {
    if (descriptor_.is_open())
      descriptor_.release();
  }

  Executor get_executor() const noexcept { return timer_.get_executor(); }

  int fd() const noexcept { return fd_; }

  void watch(fd_event events)
  {
    if ((events & (fd_event::read | fd_event::write)) != fd_event::none && !descriptor_.is_open())
      throw system_error(asio::error::bad_descriptor, "awaitify::fd_driver::watch");
    if ((events & fd_event::read) != fd_event::none)
      start(read_);
    if ((events & fd_event::write) != fd_event::none)
      start(write_);
  }

  void unwatch(fd_event events)
  {
    if ((events & fd_event::read) != fd_event::none)
      stop(read_);
    if ((events & fd_event::write) != fd_event::none)
      stop(write_);
  }

  fd_event watched() const noexcept
  {
    return (read_.watched ? fd_event::read : fd_event::none) | (write_.watched ? fd_event::write : fd_event::none);
  }

  void set_timeout_at(std::chrono::steady_clock::time_point expiry)
  {
    // A wait that this cancels, or that completed and waits to run, is stale
    // by its generation.
    const std::uint64_t generation = ++timer_generation_;
    timer_set_ = true;
    timer_.expires_at(expiry);
    timer_.async_wait([self = this->shared_from_this(), generation](const error_code& ec) {
      self->timer_done(generation, ec);
    });
  }

  void clear_timeout()
  {
    if (!timer_set_)
      return;
    timer_set_ = false;
    ++timer_generation_;
    timer_.cancel(); // So that the context's run() does not wait for it.
  }

  bool timeout_set() const noexcept { return timer_set_; }

  /// The driver's destruction: no report from now on.
  void close() noexcept
  {
    closed_ = true;
    read_.watched = write_.watched = timer_set_ = false;
    if (descriptor_.is_open())
      descriptor_.release(); // Aborts the pending waits; the fd stays open.
    timer_.cancel();
    // A handler that destroys its driver is still running: it is destroyed
    // when it returns.
    if (calling_ == 0)
      handler_ = nullptr;
  }

private:
  // One direction of the descriptor: at most one wait in flight, and a
  // generation that each watch and unwatch advances, so that a wait started
  // before them is recognised when it completes.
  struct direction
  {
    asio::posix::descriptor_base::wait_type wait = asio::posix::descriptor_base::wait_read;
    fd_event event = fd_event::none;
    bool watched = false;
    bool waiting = false;
    std::uint64_t generation = 0;
  };

  void start(direction& d)
  {
    if (d.watched)
      return;
    d.watched = true;
    ++d.generation;
    arm(d);
  }

  void stop(direction& d)
  {
    if (!d.watched)
      return;
    d.watched = false;
    ++d.generation;
    // Asio cancels both directions at once: the other one's wait completes
    // with operation_aborted and is started again.
    if (d.waiting)
      descriptor_.cancel();
  }

  void arm(direction& d)
  {
    if (d.waiting)
      return;
    d.waiting = true;
    descriptor_.async_wait(d.wait,
        [self = this->shared_from_this(), which = &d == &read_, generation = d.generation](
            const error_code& ec) { self->wait_done(which ? self->read_ : self->write_, generation, ec); });
  }

  void wait_done(direction& d, std::uint64_t generation, const error_code& ec)
  {
    d.waiting = false;
    if (closed_ || !d.watched)
      return;
    // Started before an unwatch (and a new watch), or cancelled for the other
    // direction: the readiness, if any, is not this watch's; wait again.
    if (generation != d.generation || ec == asio::error::operation_aborted)
      return arm(d);
    // Any other error: reported once as readiness, so that the library's own
    // read or write meets it; waiting again would spin.
    if (ec)
      d.watched = false;
    try
    {
      report(d.event);
    }
    catch (...)
    {
      // The exception leaves run(), as a handler's does; the watch persists
      // for the run() that follows.
      if (!closed_ && d.watched)
        arm(d);
      throw;
    }
    if (!closed_ && d.watched)
      arm(d);
  }

  void timer_done(std::uint64_t generation, const error_code& ec)
  {
    if (closed_ || ec || generation != timer_generation_)
      return;
    timer_set_ = false;
    report(fd_event::timeout);
  }

  void report(fd_event event)
  {
    struct depth
    {
      fd_driver_state* state;
      ~depth()
      {
        if (--state->calling_ == 0 && state->closed_)
          state->handler_ = nullptr;
      }
    };
    ++calling_;
    depth guard{this};
    handler_(event);
  }

  descriptor_type descriptor_;
  timer_type timer_;
  std::function<void(fd_event)> handler_;
  int fd_;
  direction read_{asio::posix::descriptor_base::wait_read, fd_event::read};
  direction write_{asio::posix::descriptor_base::wait_write, fd_event::write};
  std::uint64_t timer_generation_ = 0;
  bool timer_set_ = false;
  bool closed_ = false;
  int calling_ = 0;
};

} // namespace detail
} // namespace awaitify

#endif // AWAITIFY_DETAIL_FD_DRIVER_STATE_HPP
