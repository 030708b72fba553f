// SPDX-License-Identifier: BSL-1.0
//
// Integration: the Redis example client (hiredis's async API, driven by
// awaitify::fd_driver) against a real redis-server on a unix socket.
//

#include "redis_client.hpp"

#include <awaitify/diagnostics.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include "common/io_fixture.hpp"
#include "common/redis_server.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

struct redis_fixture : awaitify_test::io_fixture
{
  awaitify_test::redis_server server;
  std::optional<redis::client> client;
  std::optional<redis::client> other;

  redis_fixture()
  {
    client.emplace(ioc.get_executor(), server.socket_path());
    other.emplace(ioc.get_executor(), server.socket_path());
  }

  ~redis_fixture()
  {
    client.reset();
    other.reset();
    run(); // The aborted waits of the freed connections.
  }

  asio::awaitable<redis::reply> command(redis::client& c, std::vector<std::string> args)
  {
    co_return co_await c.async_command(std::move(args), asio::use_awaitable);
  }

  /// Asks the server through `c`, until `done(reply)` or 10,000 times: for
  /// what another connection's commands did to the server.
  template <typename Done>
  asio::awaitable<void> poll(redis::client& c, std::vector<std::string> args, Done done)
  {
    for (int i = 0; i < 10'000; ++i)
      if (done(co_await command(c, args)))
        co_return;
    BOOST_FAIL("the server never reached the state polled for");
  }
};

BOOST_AUTO_TEST_SUITE(redis_client)

BOOST_FIXTURE_TEST_CASE(commands_and_their_replies, redis_fixture)
{
  run_coroutine_and_stop([&]() -> asio::awaitable<void> {
    auto set = co_await command(*client, redis::args("SET", "k", "hello world"));
    BOOST_TEST(set.type == REDIS_REPLY_STATUS);
    BOOST_TEST(set.str == "OK");
    auto get = co_await command(*client, redis::args("GET", "k"));
    BOOST_TEST(get.type == REDIS_REPLY_STRING);
    BOOST_TEST(get.str == "hello world");
    auto missing = co_await command(*client, redis::args("GET", "missing"));
    BOOST_TEST(missing.type == REDIS_REPLY_NIL);
    co_await command(*client, redis::args("RPUSH", "list", "a", "b", "c"));
    auto list = co_await command(*client, redis::args("LRANGE", "list", "0", "-1"));
    BOOST_TEST_REQUIRE(list.type == REDIS_REPLY_ARRAY);
    BOOST_TEST_REQUIRE(list.elements.size() == 3u);
    BOOST_TEST(list.elements[2].str == "c");
    auto wrong = co_await command(*client, redis::args("INCR", "k")); // An error reply is a reply.
    BOOST_TEST(wrong.type == REDIS_REPLY_ERROR);
    BOOST_TEST(wrong.str.find("not an integer") != std::string::npos);
    std::string binary("a\0b\r\n", 5);
    co_await command(*client, redis::args("SET", "bin", binary));
    BOOST_TEST((co_await command(*client, redis::args("GET", "bin"))).str == binary);
  });
}

BOOST_FIXTURE_TEST_CASE(a_thousand_pipelined_commands_are_answered_in_order, redis_fixture)
{
  constexpr int n = 1000;
  std::vector<long long> replies;
  for (int i = 0; i < n; ++i) // All sent before any reply is read.
    client->async_command(redis::args("INCR", "counter"), [&](error_code ec, redis::reply r) {
      BOOST_REQUIRE(!ec);
      replies.push_back(r.integer);
      if (replies.size() == std::size_t(n))
        ioc.stop(); // The connection stays watched.
    });
  ioc.run();
  BOOST_TEST_REQUIRE(replies.size() == std::size_t(n));
  for (int i = 0; i < n; ++i)
    BOOST_REQUIRE(replies[std::size_t(i)] == i + 1);
}

BOOST_FIXTURE_TEST_CASE(a_subscription_receives_the_published_messages, redis_fixture)
{
  constexpr int n = 200;
  run_coroutine_and_stop([&]() -> asio::awaitable<void> {
    auto messages = client->subscribe("news");
    auto [kind, channel, count] = co_await messages.async_next(asio::use_awaitable);
    BOOST_TEST(kind == "subscribe"); // From now on the server delivers.
    BOOST_TEST(channel == "news");
    BOOST_TEST(count == "1");
    for (int i = 0; i < n; ++i)
      other->async_command(redis::args("PUBLISH", "news", std::to_string(i)), asio::detached);
    for (int i = 0; i < n; ++i)
    {
      auto [k, c, payload] = co_await messages.async_next(asio::use_awaitable);
      BOOST_REQUIRE(k == "message");
      BOOST_REQUIRE(c == "news");
      BOOST_REQUIRE(payload == std::to_string(i));
    }
  }); // The stream goes: its teardown unsubscribes.
  run_coroutine_and_stop([&]() -> asio::awaitable<void> {
    co_await poll(*other, redis::args("PUBSUB", "NUMSUB", "news"),
        [](const redis::reply& r) { return r.elements.size() == 2u && r.elements[1].integer == 0; });
  });
}

BOOST_FIXTURE_TEST_CASE(a_timeout_cancels_the_wait_and_the_late_reply_is_discarded, redis_fixture)
{
  run_coroutine_and_stop([&]() -> asio::awaitable<void> {
    asio::steady_timer timer(ioc, 50ms);
    auto r = co_await (client->async_command(redis::args("BLPOP", "never", "0"), asio::use_awaitable)
                       || timer.async_wait(asio::use_awaitable));
    BOOST_TEST(r.index() == 1u); // Timed out: the command completed with operation_aborted.
    BOOST_TEST(awaitify::get_counters(ioc).cancelled == 1u);
    // hiredis still waits for the BLPOP's reply: it comes, and is dropped.
    co_await command(*other, redis::args("RPUSH", "never", "x"));
    auto after = co_await command(*client, redis::args("ECHO", "next")); // Answered after the BLPOP's.
    BOOST_TEST(after.str == "next");
    BOOST_TEST(awaitify::get_counters(ioc).detached == 1u); // Expected, not misuse:
    BOOST_TEST(awaitify::get_counters(ioc).late == 0u);     // detach_on_cancel.
  });
}

BOOST_FIXTURE_TEST_CASE(killing_the_server_fails_the_pending_commands, redis_fixture)
{
  std::vector<error_code> failures;
  auto record = [&](error_code ec, redis::reply) { failures.push_back(ec); };
  std::optional<redis::message_stream> messages;
  error_code stream_error;
  run_coroutine_and_stop([&]() -> asio::awaitable<void> {
    client->async_command(redis::args("BLPOP", "never", "0"), record);
    client->async_command(redis::args("GET", "k"), record); // Behind the BLPOP.
    messages.emplace(other->subscribe("news"));
    co_await messages->async_next(asio::use_awaitable);
    redis::client probe(ioc.get_executor(), server.socket_path());
    co_await poll(probe, redis::args("INFO", "clients"),
        [](const redis::reply& r) { return r.str.find("blocked_clients:1\r") != std::string::npos; });
  });
  server.kill();
  run_coroutine([&]() -> asio::awaitable<void> {
    for (;;)
    {
      auto [ec, k, c, p] = co_await messages->async_next(asio::as_tuple(asio::use_awaitable));
      if (ec)
      {
        stream_error = ec;
        break;
      }
    }
  });
  BOOST_TEST_REQUIRE(failures.size() == 2u);
  for (auto& ec : failures)
    BOOST_TEST((ec.category() == redis::hiredis_category()), ec.message());
  BOOST_TEST((stream_error.category() == redis::hiredis_category()), stream_error.message());
  // The connections are gone: a new command fails at once.
  auto [ec, r] = [&] {
    std::optional<std::tuple<error_code, redis::reply>> out;
    client->async_command(redis::args("PING"), [&](error_code e, redis::reply rr) { out.emplace(e, std::move(rr)); });
    run();
    return std::move(*out);
  }();
  BOOST_TEST(ec == asio::error::not_connected);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
