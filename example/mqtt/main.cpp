// SPDX-License-Identifier: BSL-1.0
//
// example/mqtt/main.cpp
// ~~~~~~~~~~~~~~~~~~~~~
//
// mqtt_demo HOST PORT: connects to an MQTT broker, subscribes to a topic,
// publishes three messages at QoS 0, 1 and 2, and prints what comes back.
//

#include "mqtt_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>
#include <iostream>

namespace asio = boost::asio;

int main(int argc, char** argv)
{
  if (argc != 3)
  {
    std::cerr << "usage: mqtt_demo HOST PORT\n";
    return 2;
  }
  asio::io_context ioc;
  mqtt::client client(ioc.get_executor(), "awaitify-demo");
  int status = 1;
  asio::co_spawn(ioc,
      [&]() -> asio::awaitable<void> {
        co_await client.async_connect(argv[1], std::atoi(argv[2]), asio::use_awaitable);
        co_await client.async_subscribe("awaitify/demo", 2, asio::use_awaitable);
        for (int qos = 0; qos <= 2; ++qos)
          co_await client.async_publish("awaitify/demo", "hello at QoS " + std::to_string(qos), qos,
              asio::use_awaitable);
        for (int i = 0; i < 3; ++i)
        {
          auto [topic, payload] = co_await client.messages().async_next(asio::use_awaitable);
          std::cout << topic << ": " << payload << '\n';
        }
        co_await client.async_disconnect(asio::use_awaitable);
        status = 0;
      },
      [](std::exception_ptr e) {
        if (e)
          try
          {
            std::rethrow_exception(e);
          }
          catch (const std::exception& ex)
          {
            std::cerr << "mqtt_demo: " << ex.what() << '\n';
          }
      });
  ioc.run();
  return status;
}
