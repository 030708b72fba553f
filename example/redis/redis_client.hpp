// SPDX-License-Identifier: BSL-1.0
//
// example/redis/redis_client.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// An awaitable Redis client over hiredis's asynchronous API, built with
// awaitify.
//
// hiredis does its own I/O and asks an event library to watch its socket
// through the hooks in `redisAsyncContext::ev` (addRead, delRead, addWrite,
// delWrite, cleanup); an awaitify::fd_driver is that event library, on the
// client's executor. Replies come to a `redisCallbackFn` with the user data
// last: one-shot for commands (to_c_callback), many-shot for a subscription
// (to_c_sink). Everything runs on the client's executor (one thread, or a
// strand): hiredis is not thread-safe.
//

#ifndef AWAITIFY_EXAMPLE_REDIS_CLIENT_HPP
#define AWAITIFY_EXAMPLE_REDIS_CLIENT_HPP

#include <awaitify/async_call.hpp>
#include <awaitify/c_callback.hpp>
#include <awaitify/c_error_category.hpp>
#include <awaitify/c_sink.hpp>
#include <awaitify/fd_driver.hpp>
#include <awaitify/stream.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <memory>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace redis {

/// hiredis's error codes (REDIS_ERR_IO, REDIS_ERR_EOF, ...): it has no
/// message function of its own.
inline const char* error_message(int code) noexcept
{
  switch (code)
  {
  case REDIS_ERR_IO: return "I/O error";
  case REDIS_ERR_EOF: return "the server closed the connection";
  case REDIS_ERR_PROTOCOL: return "protocol error";
  case REDIS_ERR_OOM: return "out of memory";
  default: return "error";
  }
}

inline const boost::system::error_category& hiredis_category() noexcept
{
  return awaitify::c_error_category<&error_message>("hiredis");
}

/// Why hiredis answered a command without a reply: the connection's error,
/// or none when the client itself freed the context.
inline boost::system::error_code connection_error(const redisAsyncContext* ac) noexcept
{
  if (ac && ac->err)
    return {ac->err, hiredis_category()};
  return ac ? boost::asio::error::operation_aborted : boost::asio::error::not_connected;
}

/// A reply, copied out of hiredis's (which it frees after the callback).
struct reply
{
  int type = REDIS_REPLY_NIL; ///< REDIS_REPLY_STRING, _STATUS, _ERROR, _INTEGER, _ARRAY, _NIL.
  std::string str;            ///< For a string, status or error.
  long long integer = 0;      ///< For an integer.
  std::vector<reply> elements; ///< For an array.

  static reply from(const redisReply* r)
  {
    reply out{r->type, r->str ? std::string(r->str, r->len) : std::string(), r->integer, {}};
    for (std::size_t i = 0; i < r->elements; ++i)
      out.elements.push_back(from(r->element[i]));
    return out;
  }
};

/// A pub/sub push: its kind ("subscribe", "message", "unsubscribe"), the
/// channel, and the payload (for (un)subscribe, the number of subscriptions).
using message_signature = void(std::string kind, std::string channel, std::string payload);
using message_stream = awaitify::stream<message_signature>;

using reply_signature = void(boost::system::error_code, reply);

/// A command's words: `args("SET", key, value)`. (g++ 12 rejects a braced
/// list of strings inside a coroutine: "array used as initializer".)
template <typename... Words>
std::vector<std::string> args(const Words&... words)
{
  return {std::string(words)...};
}

class client
{
public:
  using executor_type = boost::asio::any_io_executor;

  /// Connects to the server's unix socket, without blocking: a connection
  /// that fails fails the commands sent meanwhile.
  client(executor_type ex, const std::string& unix_socket) : ex_(std::move(ex)), ac_(redisAsyncConnectUnix(unix_socket.c_str()))
  {
    if (!ac_)
      throw std::bad_alloc();
    if (ac_->err)
    {
      const boost::system::system_error failed(connection_error(ac_), ac_->errstr);
      redisAsyncFree(ac_);
      throw failed;
    }
    // The event library: the driver watches hiredis's socket and calls its
    // handlers, which call the hooks below, from inside; the cleanup hook
    // runs when hiredis frees the context, on a lost connection too.
    driver_.emplace(ex_, ac_->c.fd, [ac = ac_](awaitify::fd_event e) {
      e == awaitify::fd_event::read ? redisAsyncHandleRead(ac) : redisAsyncHandleWrite(ac);
    });
    ac_->ev.data = this;
    ac_->ev.addRead = [](void* self) { static_cast<client*>(self)->driver_->watch(awaitify::fd_event::read); };
    ac_->ev.delRead = [](void* self) { static_cast<client*>(self)->driver_->unwatch(awaitify::fd_event::read); };
    ac_->ev.addWrite = [](void* self) { static_cast<client*>(self)->driver_->watch(awaitify::fd_event::write); };
    ac_->ev.delWrite = [](void* self) { static_cast<client*>(self)->driver_->unwatch(awaitify::fd_event::write); };
    ac_->ev.cleanup = [](void* self) {
      static_cast<client*>(self)->driver_.reset();
      static_cast<client*>(self)->ac_ = nullptr; // hiredis frees it next
    };
  }

  client(const client&) = delete;
  client& operator=(const client&) = delete;

  /// Frees the connection: pending commands complete with operation_aborted,
  /// subscriptions end.
  ~client()
  {
    if (ac_)
      redisAsyncFree(ac_);
  }

  executor_type get_executor() const noexcept { return ex_; }

  /// Sends a command (`args("SET", "k", "v")`). Completes with
  /// `void(error_code, reply)` when its reply arrives (an error reply is a
  /// reply of type REDIS_REPLY_ERROR), or with the connection's error.
  /// Commands sent without waiting are pipelined and answered in order.
  /// Cancelling one completes it at once; hiredis cannot withdraw a command,
  /// so its reply, when it comes, is discarded (counted as detached, not
  /// reported as late).
  template <typename CompletionToken>
  auto async_command(std::vector<std::string> args, CompletionToken&& token)
  {
    return awaitify::async_call<reply_signature>(ex_,
        [this, args = std::move(args)](awaitify::callback<reply_signature> cb) {
          cb.detach_on_cancel();
          auto c = awaitify::to_c_callback<redisCallbackFn*>(std::move(cb),
              [](auto& done, redisAsyncContext* ac, void* r) {
                r ? done(boost::system::error_code(), reply::from(static_cast<redisReply*>(r)))
                  : done.fail(connection_error(ac));
              });
          if (!send(args, c.function(), c.user_data()))
            c.fail(connection_error(ac_)); // hiredis will not call back
        },
        std::forward<CompletionToken>(token));
  }

  /// Subscribes to `channel` on this connection (which then only takes
  /// (UN)SUBSCRIBE): the stream yields the server's confirmation first, then
  /// each message. Destroying the stream unsubscribes. The stream fails with
  /// the connection's error when the connection goes.
  message_stream subscribe(std::string channel)
  {
    return awaitify::make_stream<message_signature>(ex_, {awaitify::overflow_policy::unbounded, 0, {}},
        [this, channel](awaitify::sink<message_signature> sink) {
          auto c = awaitify::to_c_sink<redisCallbackFn*>(std::move(sink),
              [](const awaitify::sink<message_signature>& out, redisAsyncContext* ac, void* r) {
                // hiredis calls last with the final "unsubscribe" reply, or
                // with none when the connection goes.
                if (!r)
                {
                  out.fail(connection_error(ac));
                  return awaitify::last_call_if(true);
                }
                reply push = reply::from(static_cast<redisReply*>(r));
                auto text = [&](std::size_t i) {
                  return push.elements[i].type == REDIS_REPLY_INTEGER ? std::to_string(push.elements[i].integer)
                                                                       : push.elements[i].str;
                };
                out(text(0), text(1), text(2));
                const bool last = push.elements[0].str == "unsubscribe";
                if (last)
                  out.close();
                return awaitify::last_call_if(last);
              });
          // Sent, the carrier is hiredis's until its last call; refused, it
          // goes now, and the stream ends as dropped.
          if (send({"SUBSCRIBE", channel}, c.function(), c.user_data()))
            c.release();
          return [alive = std::weak_ptr<client*>(alive_), channel] {
            if (auto self = alive.lock())
              (*self)->send({"UNSUBSCRIBE", channel}, nullptr, nullptr);
          };
        });
  }

private:
  bool send(const std::vector<std::string>& args, redisCallbackFn* fn, void* data)
  {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& a : args)
    {
      argv.push_back(a.data());
      lengths.push_back(a.size());
    }
    return ac_ && redisAsyncCommandArgv(ac_, fn, data, static_cast<int>(args.size()), argv.data(), lengths.data()) == REDIS_OK;
  }

  executor_type ex_;
  redisAsyncContext* ac_;
  std::optional<awaitify::fd_driver> driver_;
  std::shared_ptr<client*> alive_ = std::make_shared<client*>(this); // Seen by a stream's teardown.
};

} // namespace redis

#endif // AWAITIFY_EXAMPLE_REDIS_CLIENT_HPP
