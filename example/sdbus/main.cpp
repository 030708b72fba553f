// SPDX-License-Identifier: BSL-1.0
//
// example/sdbus/main.cpp: asks the session bus (or the bus at the address
// given) for its id and the names on it.
//
//   sdbus_demo unix:path=/run/user/1000/bus
//

#include "sdbus_connection.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>
#include <exception>
#include <iostream>

namespace asio = boost::asio;

asio::awaitable<void> demo(sdbus::connection& bus)
{
  auto reply = co_await bus.async_call(
      bus.new_method_call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId"),
      asio::use_awaitable);
  const char* id = nullptr;
  sdbus::check(sd_bus_message_read(reply.get(), "s", &id), "GetId");
  std::cout << "bus id " << id << '\n';
  auto names = co_await bus.async_call(
      bus.new_method_call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "ListNames"),
      asio::use_awaitable);
  char** list = nullptr;
  sdbus::check(sd_bus_message_read_strv(names.get(), &list), "ListNames");
  for (char** n = list; n && *n; ++n)
  {
    std::cout << *n << '\n';
    free(*n);
  }
  free(list);
}

int main(int argc, char** argv)
{
  const char* address = argc > 1 ? argv[1] : std::getenv("DBUS_SESSION_BUS_ADDRESS");
  if (!address)
  {
    std::cerr << "usage: sdbus_demo BUS_ADDRESS\n";
    return 2;
  }
  try
  {
    asio::io_context ioc;
    sdbus::connection bus(ioc.get_executor(), address);
    asio::co_spawn(ioc, demo(bus), [&](std::exception_ptr e) {
      ioc.stop(); // The connection stays watched.
      if (e)
        std::rethrow_exception(e);
    });
    ioc.run();
  }
  catch (const std::exception& e)
  {
    std::cerr << "sdbus_demo: " << e.what() << '\n';
    return 1;
  }
}
