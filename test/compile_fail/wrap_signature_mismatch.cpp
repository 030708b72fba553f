// SPDX-License-Identifier: BSL-1.0
//
// Must not compile: the legacy function calls back with an int, and wrap is
// told void(std::string). The one static_assert names both.
//

#include <awaitify/wrap.hpp>

#include <boost/asio/io_context.hpp>

#include <functional>
#include <string>

void legacy_add(int a, int b, std::function<void(int)> cb) { cb(a + b); }

int main()
{
  boost::asio::io_context ioc;
  auto add = awaitify::wrap<void(std::string)>(ioc.get_executor(), legacy_add);
  (void)add;
}
