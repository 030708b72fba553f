// SPDX-License-Identifier: BSL-1.0

#include <awaitify/awaitify.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <iostream>

namespace asio = boost::asio;

void legacy_add(int a, int b, std::function<void(int)> cb) { cb(a + b); }

int main()
{
  asio::io_context ioc;
  auto add = awaitify::wrap<void(int)>(ioc.get_executor(), legacy_add);
  int result = 0;
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    result = co_await add(co_await add(1, 2, asio::use_awaitable), 3, asio::use_awaitable);
  }, asio::detached);
  ioc.run();
  std::cout << "consumer: " << result << '\n';
  return result == 6 ? 0 : 1;
}
