// SPDX-License-Identifier: BSL-1.0
//
// Integration: the MQTT example client (libmosquitto, callbacks on its own
// network thread) against a real mosquitto broker on a loopback port.
//

#include "mqtt_client.hpp"

#include <awaitify/diagnostics.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include "common/io_fixture.hpp"
#include "common/mosquitto_broker.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using namespace std::chrono_literals;

struct broker_fixture : awaitify_test::io_fixture
{
  awaitify_test::mosquitto_broker broker;
  std::optional<::mqtt::client> client;

  broker_fixture() { client.emplace(ioc.get_executor(), "awaitify-test"); }

  ~broker_fixture() { client.reset(); } // Stops the network thread before the broker goes.

  asio::awaitable<void> connect()
  {
    co_await client->async_connect("127.0.0.1", broker.port(), asio::use_awaitable);
  }
};

BOOST_AUTO_TEST_SUITE(mqtt_client)

BOOST_FIXTURE_TEST_CASE(a_thousand_messages_at_each_qos_arrive_in_order, broker_fixture)
{
  constexpr int per_qos = 1000;
  std::map<std::string, std::vector<int>> received;
  run_coroutine([&]() -> asio::awaitable<void> {
    co_await connect();
    co_await client->async_subscribe("awaitify/#", 2, asio::use_awaitable);
    asio::co_spawn(ioc,
        [&]() -> asio::awaitable<void> {
          for (int i = 0; i < 3 * per_qos; ++i)
          {
            auto [topic, payload] = co_await client->messages().async_next(asio::use_awaitable);
            received[topic].push_back(std::stoi(payload));
          }
        },
        asio::detached);
    for (int qos = 0; qos <= 2; ++qos)
      for (int i = 0; i < per_qos; ++i)
        co_await client->async_publish("awaitify/qos" + std::to_string(qos), std::to_string(i), qos,
            asio::use_awaitable);
  });
  BOOST_TEST_REQUIRE(received.size() == 3u);
  for (auto& [topic, values] : received)
  {
    BOOST_TEST_REQUIRE(values.size() == std::size_t(per_qos), topic);
    for (int i = 0; i < per_qos; ++i)
      BOOST_REQUIRE(values[std::size_t(i)] == i);
  }
}

BOOST_FIXTURE_TEST_CASE(a_publish_cancelled_by_a_timeout_while_the_broker_is_paused, broker_fixture)
{
  std::optional<error_code> timed_out;
  run_coroutine([&]() -> asio::awaitable<void> {
    co_await connect();
    broker.pause();
    asio::cancellation_signal signal;
    asio::steady_timer timeout(ioc, 200ms);
    timeout.async_wait([&](error_code ec) {
      if (!ec)
        signal.emit(asio::cancellation_type::terminal);
    });
    auto [ec] = co_await client->async_publish("awaitify/late", "x", 1,
        asio::bind_cancellation_slot(signal.slot(), asio::as_tuple(asio::use_awaitable)));
    timed_out = ec;
    broker.resume();
    // Acknowledgements come in order: once this one is in, the late one for
    // the cancelled publish has arrived too, and was ignored.
    co_await client->async_publish("awaitify/after", "y", 1, asio::use_awaitable);
  });
  BOOST_TEST((timed_out == error_code(asio::error::operation_aborted)));
  const auto c = awaitify::get_counters(ioc);
  BOOST_TEST(c.cancelled == 1u);
  BOOST_TEST(c.duplicate == 0u);
  BOOST_TEST(client->kept_acks() == 0u); // The late ack was discarded, not kept.
}

BOOST_FIXTURE_TEST_CASE(pending_publishes_fail_when_the_broker_dies_and_reconnect_works, broker_fixture)
{
  constexpr int pending = 10;
  std::vector<error_code> failures;
  run_coroutine([&]() -> asio::awaitable<void> { co_await connect(); });

  broker.pause(); // Nothing will be acknowledged...
  for (int i = 0; i < pending; ++i)
    client->async_publish("awaitify/lost", std::to_string(i), 1, [&](error_code ec) { failures.push_back(ec); });
  asio::post(ioc, [&] { broker.kill(); }); // ...and then the connection drops.
  run();
  BOOST_TEST_REQUIRE(failures.size() == std::size_t(pending));
  for (auto& ec : failures)
  {
    BOOST_TEST((ec == error_code(MOSQ_ERR_CONN_LOST, ::mqtt::mosquitto_category())));
    BOOST_TEST_MESSAGE("pending publish failed with: " << ec.message());
  }

  broker.start(); // Same port.
  run_coroutine([&]() -> asio::awaitable<void> {
    co_await connect();
    co_await client->async_publish("awaitify/again", "z", 1, asio::use_awaitable);
  });
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
