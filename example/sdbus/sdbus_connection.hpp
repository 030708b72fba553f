// SPDX-License-Identifier: BSL-1.0
//
// example/sdbus/sdbus_connection.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// An awaitable D-Bus connection over sd-bus (libsystemd), built with
// awaitify.
//
// sd-bus does its own I/O and tells the application what to wait for:
// sd_bus_get_fd, sd_bus_get_events (POLLIN/POLLOUT) and sd_bus_get_timeout
// (an absolute CLOCK_MONOTONIC time). An awaitify::fd_driver waits for it on
// the connection's executor and calls sd_bus_process until it has nothing
// left, then asks again. Method replies and signals come to an
// `sd_bus_message_handler_t`, its user data in the middle
// (awaitify::user_data_at<1>); sd-bus frees each slot's carrier through the
// slot's destroy callback. Everything runs on the
// connection's executor (one thread, or a strand): sd-bus is not
// thread-safe.
//

#ifndef AWAITIFY_EXAMPLE_SDBUS_CONNECTION_HPP
#define AWAITIFY_EXAMPLE_SDBUS_CONNECTION_HPP

#include <awaitify/async_call.hpp>
#include <awaitify/c_callback.hpp>
#include <awaitify/c_sink.hpp>
#include <awaitify/fd_driver.hpp>
#include <awaitify/stream.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <systemd/sd-bus.h>

#include <poll.h>
#include <time.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace sdbus {

/// A message reference, released with sd_bus_message_unref.
struct message_unref
{
  void operator()(sd_bus_message* m) const noexcept { sd_bus_message_unref(m); }
};
using message = std::unique_ptr<sd_bus_message, message_unref>;

/// sd-bus reports failures as negative errno values.
inline boost::system::error_code errno_error(int r) noexcept
{
  return {r < 0 ? -r : r, boost::system::system_category()};
}

inline int check(int r, const char* what)
{
  if (r < 0)
    throw boost::system::system_error(errno_error(r), what);
  return r;
}

using reply_signature = void(boost::system::error_code, message);
using signal_signature = void(message);
using signal_stream = awaitify::stream<signal_signature>;

/// What a method call's slot points to: the awaitify carrier, and whether
/// sd-bus called it, for the slot's destroy callback to fail a call that a
/// closing bus never answers.
template <typename Carrier>
struct slot_data
{
  Carrier carrier;
  bool called = false;

  static int handler(sd_bus_message* m, void* self, sd_bus_error* error)
  {
    auto* data = static_cast<slot_data*>(self);
    data->called = true;
    return data->carrier.function()(m, data->carrier.user_data(), error);
  }
};

class connection
{
public:
  using executor_type = boost::asio::any_io_executor;

  /// Connects to the bus at `address` (`unix:path=...`, as dbus-daemon
  /// prints it) and says Hello, without blocking.
  connection(executor_type ex, const std::string& address) : ex_(std::move(ex))
  {
    sd_bus* bus = nullptr;
    check(sd_bus_new(&bus), "sd_bus_new");
    bus_.reset(bus);
    check(sd_bus_set_address(bus, address.c_str()), "sd_bus_set_address");
    check(sd_bus_set_bus_client(bus, 1), "sd_bus_set_bus_client");
    check(sd_bus_start(bus), "sd_bus_start");
    driver_.emplace(ex_, sd_bus_get_fd(bus), [this](awaitify::fd_event) { process(); });
    update();
  }

  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  /// Closes the connection: pending calls complete with operation_aborted.
  ~connection()
  {
    driver_.reset(); // Before sd-bus closes its descriptor.
    alive_.reset();
  }

  executor_type get_executor() const noexcept { return ex_; }

  sd_bus* native_handle() const noexcept { return bus_.get(); }

  /// A method call to fill with sd_bus_message_append.
  message new_method_call(const char* destination, const char* path, const char* interface, const char* member)
  {
    sd_bus_message* m = nullptr;
    check(sd_bus_message_new_method_call(bus_.get(), &m, destination, path, interface, member), "new_method_call");
    return message(m);
  }

  /// A signal to fill with sd_bus_message_append, and `send`.
  message new_signal(const char* path, const char* interface, const char* member)
  {
    sd_bus_message* m = nullptr;
    check(sd_bus_message_new_signal(bus_.get(), &m, path, interface, member), "new_signal");
    return message(m);
  }

  /// Queues a message that expects no reply (a signal).
  void send(const message& m)
  {
    check(sd_bus_send(bus_.get(), m.get(), nullptr), "sd_bus_send");
    update();
  }

  /// Calls a method. Completes with `void(error_code, message)`: the reply,
  /// or the error reply's errno (sd_bus_message_get_errno). Cancellation
  /// releases the slot: sd-bus forgets the call, and its reply is ignored.
  /// Cancel from the connection's executor (a timer on it, say): the hook
  /// calls sd-bus.
  template <typename CompletionToken>
  auto async_call(message m, CompletionToken&& token)
  {
    return awaitify::async_call<reply_signature>(ex_,
        [this, m = std::shared_ptr<sd_bus_message>(std::move(m))](awaitify::callback<reply_signature> cb) {
          using data_type = slot_data<awaitify::c_callback<sd_bus_message_handler_t>>;
          awaitify::callback<reply_signature> hook = cb;
          auto* data = new data_type{awaitify::to_c_callback<sd_bus_message_handler_t>(std::move(cb),
              awaitify::user_data_at<1>, [](auto& done, sd_bus_message* reply, sd_bus_error*) {
                if (sd_bus_message_is_method_error(reply, nullptr))
                  done.fail(errno_error(sd_bus_message_get_errno(reply)));
                else
                  done(boost::system::error_code(), message(sd_bus_message_ref(reply)));
                return 1;
              })};
          (void)data->carrier.user_data(); // Handed to sd-bus with `data`.
          sd_bus_slot* slot = nullptr;
          const int r = sd_bus_call_async(bus_.get(), &slot, m.get(), &data_type::handler, data, 0);
          if (r < 0)
          {
            data->carrier.fail(errno_error(r));
            delete data;
            return;
          }
          // The bus owns the slot (it is freed after the reply, or with the
          // bus), and frees `data` with it: a call never answered fails.
          sd_bus_slot_set_destroy_callback(slot, [](void* p) {
            auto* dead = static_cast<data_type*>(p);
            if (!dead->called)
              dead->carrier.fail(boost::asio::error::operation_aborted);
            delete dead;
          });
          sd_bus_slot_set_floating(slot, 1);
          sd_bus_slot_unref(slot);
          // Runs only while the call is pending, so the slot is alive.
          hook.on_cancel([slot] { sd_bus_slot_unref(slot); });
          update();
        },
        std::forward<CompletionToken>(token));
  }

  /// Receives the signals that match (null for any): the match is installed
  /// asynchronously (AddMatch); a later call to the bus daemon is answered
  /// after it is in place. Destroying the stream releases the slot
  /// (RemoveMatch).
  signal_stream match_signal(const char* sender, const char* path, const char* interface, const char* member)
  {
    return awaitify::make_stream<signal_signature>(ex_, {awaitify::overflow_policy::unbounded, 0, {}},
        [&](awaitify::sink<signal_signature> sink) {
          auto c = awaitify::to_c_sink<sd_bus_message_handler_t>(std::move(sink), awaitify::user_data_at<1>,
              [](const awaitify::sink<signal_signature>& out, sd_bus_message* m, sd_bus_error*) {
                if (sd_bus_message_is_method_error(m, nullptr)) // AddMatch refused
                  out.fail(errno_error(sd_bus_message_get_errno(m)));
                else if (sd_bus_message_is_signal(m, nullptr, nullptr))
                  out(message(sd_bus_message_ref(m)));
                return 0; // Other matches see it too.
              });
          sd_bus_slot* slot = nullptr;
          if (sd_bus_match_signal_async(
                  bus_.get(), &slot, sender, path, interface, member, c.function(), c.function(), c.user_data())
              >= 0)
          {
            // The slot frees the carrier when it goes; refused, `c` takes
            // the sink with it and the stream ends as dropped.
            sd_bus_slot_set_destroy_callback(slot, c.destroy_notify());
            sd_bus_slot_set_floating(slot, 1);
            sd_bus_slot_unref(slot);
            update();
          }
          return [alive = std::weak_ptr<connection*>(alive_), slot] {
            if (auto self = alive.lock(); self && slot) // Else the slot went with the bus.
            {
              sd_bus_slot_unref(slot);
              (*self)->update();
            }
          };
        });
  }

private:
  struct bus_close
  {
    void operator()(sd_bus* bus) const noexcept { sd_bus_flush_close_unref(bus); }
  };

  /// Dispatches everything sd-bus has (it calls the handlers above), then
  /// waits for what it asks.
  void process()
  {
    while (sd_bus_process(bus_.get(), nullptr) > 0)
    {
    }
    update();
  }

  void update()
  {
    const int events = sd_bus_get_events(bus_.get());
    if (events < 0) // Closed.
    {
      driver_->watch_only(awaitify::fd_event::none);
      return driver_->clear_timeout();
    }
    driver_->watch_only(((events & POLLIN) ? awaitify::fd_event::read : awaitify::fd_event::none)
        | ((events & POLLOUT) ? awaitify::fd_event::write : awaitify::fd_event::none));
    std::uint64_t until = 0;
    if (sd_bus_get_timeout(bus_.get(), &until) < 0 || until == UINT64_MAX)
      return driver_->clear_timeout();
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const auto now_us = static_cast<std::uint64_t>(now.tv_sec) * 1'000'000u + static_cast<std::uint64_t>(now.tv_nsec) / 1000u;
    driver_->set_timeout(std::chrono::microseconds(static_cast<std::int64_t>(until > now_us ? until - now_us : 0)));
  }

  executor_type ex_;
  std::unique_ptr<sd_bus, bus_close> bus_;
  std::optional<awaitify::fd_driver> driver_;
  std::shared_ptr<connection*> alive_ = std::make_shared<connection*>(this); // Seen by a stream's teardown.
};

} // namespace sdbus

#endif // AWAITIFY_EXAMPLE_SDBUS_CONNECTION_HPP
