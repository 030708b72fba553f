// SPDX-License-Identifier: BSL-1.0
//
// The fd driver's state, compiled here so that Asio's descriptor and timer
// (the reactor, the timer queues) stay out of the headers.
//

#include <awaitify/fd_driver.hpp>

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

namespace AWAITIFY_NAMESPACE {
namespace detail {
namespace {

// Shared with its pending waits, so that a wait completing after the driver
// is gone finds it, sees it closed and returns.
class fd_driver_state_impl final : public fd_driver_state, public std::enable_shared_from_this<fd_driver_state_impl>
{
public:
  fd_driver_state_impl(const asio::any_io_executor& ex, int fd, std::function<void(fd_event)> handler)
    : descriptor_(ex), timer_(ex), handler_(std::move(handler)), fd_(fd)
  {
    if (fd >= 0)
      descriptor_.assign(fd);
  }

  fd_driver_state_impl(const fd_driver_state_impl&) = delete;
  fd_driver_state_impl& operator=(const fd_driver_state_impl&) = delete;
  fd_driver_state_impl(fd_driver_state_impl&&) = delete;
  fd_driver_state_impl& operator=(fd_driver_state_impl&&) = delete;

  // The descriptor never closes the library's fd, whatever path ends it.
  ~fd_driver_state_impl() override
  {
    if (descriptor_.is_open())
      descriptor_.release();
  }

  int fd() const noexcept override { return fd_; }

  void watch(fd_event events) override
  {
    if ((events & (fd_event::read | fd_event::write)) != fd_event::none && !descriptor_.is_open())
      throw system_error(asio::error::bad_descriptor, "awaitify::fd_driver::watch");
    if ((events & fd_event::read) != fd_event::none)
      start(read_);
    if ((events & fd_event::write) != fd_event::none)
      start(write_);
  }

  void unwatch(fd_event events) override
  {
    if ((events & fd_event::read) != fd_event::none)
      stop(read_);
    if ((events & fd_event::write) != fd_event::none)
      stop(write_);
  }

  fd_event watched() const noexcept override
  {
    return (read_.watched ? fd_event::read : fd_event::none) | (write_.watched ? fd_event::write : fd_event::none);
  }

  void set_timeout_at(std::chrono::steady_clock::time_point expiry) override
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

  void clear_timeout() override
  {
    if (!timer_set_)
      return;
    timer_set_ = false;
    ++timer_generation_;
    timer_.cancel(); // So that the context's run() does not wait for it.
  }

  bool timeout_set() const noexcept override { return timer_set_; }

  // The driver's destruction: no report from now on. Releasing a descriptor
  // and cancelling a timer throw only for errors of the operating system
  // that a valid descriptor and timer do not have: were one to come,
  // terminate.
  // NOLINTNEXTLINE(bugprone-exception-escape)
  void close() noexcept override
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
      fd_driver_state_impl* state;
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

  asio::posix::stream_descriptor descriptor_;
  asio::steady_timer timer_;
  std::function<void(fd_event)> handler_;
  int fd_;
  direction read_{asio::posix::descriptor_base::wait_read, fd_event::read};
  direction write_{asio::posix::descriptor_base::wait_write, fd_event::write};
  std::uint64_t timer_generation_ = 0;
  bool timer_set_ = false;
  bool closed_ = false;
  int calling_ = 0;
};

} // namespace

std::shared_ptr<fd_driver_state> fd_driver_state::create(
    const asio::any_io_executor& ex, int fd, std::function<void(fd_event)> handler)
{
  return std::make_shared<fd_driver_state_impl>(ex, fd, std::move(handler));
}

} // namespace detail
} // namespace awaitify
