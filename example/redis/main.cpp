// SPDX-License-Identifier: BSL-1.0
//
// example/redis/main.cpp: a few commands, pipelined, then a message
// published to a channel that a second connection subscribed to.
//
//   redis_demo /run/redis/redis-server.sock
//

#include "redis_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <iostream>
#include <string>
#include <tuple>

namespace asio = boost::asio;

asio::awaitable<void> demo(redis::client& client, redis::client& subscriber)
{
  co_await client.async_command(redis::args("SET", "awaitify:demo", "41"), asio::use_awaitable);
  auto r = co_await client.async_command(redis::args("INCR", "awaitify:demo"), asio::use_awaitable);
  std::cout << "INCR: " << r.integer << '\n';

  auto messages = subscriber.subscribe("awaitify:news");
  for (int i = 0; i < 2; ++i) // The confirmation, then the message.
  {
    auto push = co_await messages.async_next(asio::use_awaitable);
    std::cout << std::get<0>(push) << ' ' << std::get<1>(push) << ": " << std::get<2>(push) << '\n';
    if (i == 0)
      co_await client.async_command(redis::args("PUBLISH", "awaitify:news", "hello"), asio::use_awaitable);
  }
}

int main(int argc, char** argv)
{
  if (argc != 2)
  {
    std::cerr << "usage: redis_demo UNIX_SOCKET\n";
    return 2;
  }
  asio::io_context ioc;
  redis::client client(ioc.get_executor(), argv[1]);
  redis::client subscriber(ioc.get_executor(), argv[1]);
  std::exception_ptr failure;
  asio::co_spawn(ioc, demo(client, subscriber), [&](std::exception_ptr e) {
    failure = e;
    ioc.stop(); // The subscription would keep the connection watched.
  });
  ioc.run();
  if (failure)
  {
    try
    {
      std::rethrow_exception(failure);
    }
    catch (const std::exception& e)
    {
      std::cerr << "redis_demo: " << e.what() << '\n';
      return 1;
    }
  }
}
