// SPDX-License-Identifier: BSL-1.0
//
// bench/compile_time/with_handwritten.cpp: the same program with the
// hand-written adapter of the benchmark (bench/handwritten.hpp).
//

#include "legacy_add.hpp"

#include "../handwritten.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace {

struct legacy_api
{
  void async_add(int a, int b, std::function<void(int)> callback) { legacy_add(a, b, std::move(callback)); }
};

} // namespace

int main()
{
  boost::asio::io_context ioc;
  legacy_api legacy;
  int sum = 0;
  boost::asio::co_spawn(
      ioc,
      [&]() -> boost::asio::awaitable<void> {
        sum = co_await bench::handwritten::async_add(legacy, ioc.get_executor(), 1, 2, boost::asio::use_awaitable);
      },
      boost::asio::detached);
  ioc.run();
  return sum == 3 ? 0 : 1;
}
