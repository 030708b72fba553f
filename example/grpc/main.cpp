// SPDX-License-Identifier: BSL-1.0
//
// example/grpc/main.cpp: a unary call, a cancelled one, and a server stream,
// against the in-process Demo server.
//

#include "grpc_client.hpp"
#include "grpc_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <iostream>

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

asio::awaitable<void> demo_calls(asio::any_io_executor ex, demo::Demo::Stub& stub)
{
  grpc::ClientContext context; // The context, request and response live in this frame.
  demo::AddRequest request;
  request.set_a(1);
  request.set_b(2);
  demo::AddReply reply;
  co_await rpc::async_add(ex, stub, context, request, reply, asio::use_awaitable);
  std::cout << "1 + 2 = " << reply.sum() << '\n';

  grpc::ClientContext stalled;
  asio::steady_timer timer(ex, std::chrono::milliseconds(100));
  auto result = co_await (rpc::async_stall(ex, stub, stalled, request, reply, asio::as_tuple(asio::use_awaitable))
      || timer.async_wait(asio::use_awaitable));
  std::cout << "stalled call: " << (result.index() == 1 ? "timed out, gRPC let go" : "answered") << '\n';

  auto numbers = rpc::count(ex, stub, 5);
  for (;;)
  {
    auto [ec, i] = co_await numbers.async_next(asio::as_tuple(asio::use_awaitable));
    if (ec)
      break;
    std::cout << "streamed " << i << '\n';
  }
}

int main()
{
  rpc::server server;
  auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
  auto stub = demo::Demo::NewStub(channel);
  asio::io_context ioc;
  asio::co_spawn(ioc, demo_calls(ioc.get_executor(), *stub), asio::detached);
  ioc.run();
}
