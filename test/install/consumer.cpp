// SPDX-License-Identifier: BSL-1.0

#include <awaitify/awaitify.hpp>

#if defined(AWAITIFY_STANDALONE_ASIO)
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>
#else
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
namespace asio = boost::asio;
#endif

#include <functional>
#include <iostream>

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
  // The flavour-neutral names are the flavour's own types.
  const awaitify::error_code dropped = awaitify::error::callback_dropped;
  std::cout << "consumer: " << result << (dropped ? " (errors: ok)" : " (errors: wrong)") << '\n';
  return result == 6 && dropped ? 0 : 1;
}
