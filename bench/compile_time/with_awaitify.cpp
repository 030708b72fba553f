// SPDX-License-Identifier: BSL-1.0
//
// bench/compile_time/with_awaitify.cpp: one call of the legacy API awaited
// through awaitify::wrap, with <awaitify/awaitify.hpp>.
//

#include "legacy_add.hpp"

#include <awaitify/awaitify.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

int main()
{
  boost::asio::io_context ioc;
  auto add = awaitify::wrap(ioc.get_executor(), &legacy_add);
  int sum = 0;
  boost::asio::co_spawn(
      ioc, [&]() -> boost::asio::awaitable<void> { sum = co_await add(1, 2, boost::asio::use_awaitable); },
      boost::asio::detached);
  ioc.run();
  return sum == 3 ? 0 : 1;
}
