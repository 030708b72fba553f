// SPDX-License-Identifier: BSL-1.0
//
// Must not compile: the legacy function takes its callback by non-const
// reference, which no temporary binds to. wrap rejects it with one
// static_assert, at the call of wrap.
//

#include <awaitify/wrap.hpp>

#include <boost/asio/io_context.hpp>

#include <functional>

void legacy_get(int key, std::function<void(int)>& cb) { cb(key); }

int main()
{
  boost::asio::io_context ioc;
  auto get = awaitify::wrap(ioc.get_executor(), legacy_get);
  (void)get;
}
