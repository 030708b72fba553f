// SPDX-License-Identifier: BSL-1.0
//
// Must not compile: a member function pointer has no object to be called on.
// wrap rejects it with one static_assert, at the call of wrap.
//

#include <awaitify/wrap.hpp>

#include <boost/asio/io_context.hpp>

#include <functional>

struct client
{
  void async_get(int key, std::function<void(int)> cb) { cb(key); }
};

int main()
{
  boost::asio::io_context ioc;
  auto get = awaitify::wrap<void(int)>(ioc.get_executor(), &client::async_get);
  (void)get;
}
