// SPDX-License-Identifier: BSL-1.0
//
// example/grpc/grpc_client.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// The gRPC C++ callback API as awaitify operations. gRPC calls back on its
// own threads:
// - async_add: a unary call whose ClientContext, request and response belong
//   to the caller (a coroutine frame). Cancellation calls TryCancel, which is
//   thread-safe, and waits for gRPC's own callback
//   (after_cancel::wait_for_callback): gRPC may still be writing the response
//   until then.
// - count: a server-streaming call read through a ClientReadReactor into a
//   flow-controlled awaitify::stream. The reactor reads while the stream has
//   demand and starts reading again in on_demand; destroying the stream
//   cancels the call.
//

#ifndef AWAITIFY_EXAMPLE_GRPC_CLIENT_HPP
#define AWAITIFY_EXAMPLE_GRPC_CLIENT_HPP

#include <awaitify/awaitify.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include <grpcpp/grpcpp.h>

#include "demo.grpc.pb.h"

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace rpc {

/// The name of a grpc::StatusCode; null for one it does not know.
inline const char* status_name(grpc::StatusCode code) noexcept
{
  switch (code)
  {
  case grpc::StatusCode::OK:
    return "ok";
  case grpc::StatusCode::CANCELLED:
    return "cancelled";
  case grpc::StatusCode::DEADLINE_EXCEEDED:
    return "deadline exceeded";
  case grpc::StatusCode::UNAVAILABLE:
    return "unavailable";
  default:
    return nullptr;
  }
}

/// grpc::StatusCode values as boost::system errors.
inline const boost::system::error_category& grpc_category() noexcept
{
  return awaitify::c_error_category<&status_name>("grpc");
}

inline boost::system::error_code to_error_code(const grpc::Status& status)
{
  return status.ok() ? boost::system::error_code()
                     : boost::system::error_code(static_cast<int>(status.error_code()), grpc_category());
}

namespace detail {

template <typename Start>
auto unary_init(grpc::ClientContext& context, Start start_call)
{
  return [&context, start_call](awaitify::callback<void(boost::system::error_code)> cb) {
    cb.on_cancel([&context] { context.TryCancel(); }, boost::asio::cancellation_type::terminal,
        awaitify::after_cancel::wait_for_callback);
    start_call([cb](grpc::Status status) { cb(to_error_code(status)); });
  };
}

} // namespace detail

/// Calls `Add`: `request`, `response` and `context` must live until the
/// operation completes, also after a cancellation, which waits for gRPC to
/// answer. Completion signature `void(error_code)`: gRPC's status as
/// `grpc_category()`.
template <typename CompletionToken>
auto async_add(const boost::asio::any_io_executor& ex, demo::Demo::Stub& stub, grpc::ClientContext& context,
    const demo::AddRequest& request, demo::AddReply& response, CompletionToken&& token)
{
  auto start = detail::unary_init(context, [&stub, &context, &request, &response](auto done) {
    stub.async()->Add(&context, &request, &response, std::move(done));
  });
  return awaitify::async_call<void(boost::system::error_code)>(ex, start, std::forward<CompletionToken>(token));
}

/// Calls `Stall`, which answers only once the call is cancelled; as
/// `async_add` otherwise.
template <typename CompletionToken>
auto async_stall(const boost::asio::any_io_executor& ex, demo::Demo::Stub& stub, grpc::ClientContext& context,
    const demo::AddRequest& request, demo::AddReply& response, CompletionToken&& token)
{
  auto start = detail::unary_init(context, [&stub, &context, &request, &response](auto done) {
    stub.async()->Stall(&context, &request, &response, std::move(done));
  });
  return awaitify::async_call<void(boost::system::error_code)>(ex, start, std::forward<CompletionToken>(token));
}

/// Reads a server stream into an awaitify sink, as fast as the consumer's
/// demand allows.
class count_reader final : public grpc::ClientReadReactor<demo::CountReply>
{
public:
  static std::shared_ptr<count_reader> start(
      demo::Demo::Stub& stub, int n, awaitify::sink<void(int)> sink)
  {
    auto reader = std::shared_ptr<count_reader>(new count_reader(std::move(sink)));
    reader->self_ = reader; // Until gRPC's OnDone.
    reader->request_.set_n(n);
    reader->sink_.on_demand([weak = std::weak_ptr<count_reader>(reader)](std::size_t) {
      if (auto locked = weak.lock())
        locked->resume();
    });
    stub.async()->Count(&reader->context_, &reader->request_, reader.get());
    // A paused read is resumed from outside gRPC's reactions (by the
    // stream's grant): without a hold, gRPC may finish the call meanwhile,
    // and a read started then touches a call that is gone.
    reader->AddHold();
    reader->reading_ = true;
    reader->StartRead(&reader->reply_);
    reader->StartCall();
    return reader;
  }

  /// Thread-safe.
  void cancel()
  {
    context_.TryCancel();
    resume(); // A paused reader reads once more, to learn that it is over.
  }

  void OnReadDone(bool ok) override
  {
    {
      std::lock_guard lock(mutex_);
      if (ok)
      {
        // Once the stream is gone (its teardown cancels the call), read on
        // until gRPC says that the call is over.
        const bool gone = sink_(reply_.i()) == awaitify::push_result::closed;
        if (gone || sink_.demand() > 0)
          StartRead(&reply_);
        else
          reading_ = false;
        return;
      }
      reading_ = false;
      ended_ = true;
    }
    RemoveHold(); // No read starts again: OnDone may follow (on this thread).
  }

  void OnDone(const grpc::Status& status) override
  {
    {
      std::lock_guard lock(mutex_);
      ended_ = true;
      status.ok() ? sink_.close() : sink_.fail(to_error_code(status));
    }
    self_.reset(); // May destroy this.
  }

private:
  explicit count_reader(awaitify::sink<void(int)> sink) : sink_(std::move(sink)) {}

  void resume()
  {
    std::lock_guard lock(mutex_);
    if (!reading_ && !ended_)
    {
      reading_ = true;
      StartRead(&reply_);
    }
  }

  grpc::ClientContext context_;
  demo::CountRequest request_;
  demo::CountReply reply_;
  awaitify::sink<void(int)> sink_;
  std::mutex mutex_;
  bool reading_ = false;
  bool ended_ = false;
  std::shared_ptr<count_reader> self_;
};

/// The numbers 0 .. n - 1 streamed by the server, holding at most `window`
/// of them. Destroying the stream cancels the call.
inline awaitify::stream<void(int), boost::asio::any_io_executor> count(
    const boost::asio::any_io_executor& ex, demo::Demo::Stub& stub, int n, std::size_t window = 32)
{
  awaitify::stream_options<void(int)> options;
  options.policy = awaitify::overflow_policy::flow_control;
  options.capacity = window;
  return awaitify::make_stream<void(int)>(ex, std::move(options), [&stub, n](awaitify::sink<void(int)> sink) {
    std::weak_ptr<count_reader> reader = count_reader::start(stub, n, std::move(sink));
    return [reader] {
      if (auto locked = reader.lock())
        locked->cancel();
    };
  });
}

} // namespace rpc

#endif // AWAITIFY_EXAMPLE_GRPC_CLIENT_HPP
