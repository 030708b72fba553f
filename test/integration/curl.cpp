// SPDX-License-Identifier: BSL-1.0
//
// Integration: the curl example client (libcurl's multi interface on its own
// thread) against a small HTTP server on a loopback port.
//

#include "curl_client.hpp"

#include <awaitify/diagnostics.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include "common/http_server.hpp"
#include "common/io_fixture.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace {

namespace asio = boost::asio;
using awaitify_test::http_server;
using awaitify_test::io_fixture;
using boost::system::error_code;

BOOST_AUTO_TEST_SUITE(curl_client)

BOOST_FIXTURE_TEST_CASE(a_get_returns_the_status_and_the_body, io_fixture)
{
  http_server server;
  http::client client(ioc.get_executor());
  run_coroutine([&]() -> asio::awaitable<void> {
    std::string body;
    long status = co_await client.async_get(server.url("/hello"), body, asio::use_awaitable);
    BOOST_TEST(status == 200);
    BOOST_TEST(body == "hello");
    std::string missing;
    status = co_await client.async_get(server.url("/nothing"), missing, asio::use_awaitable);
    BOOST_TEST(status == 404);
  });
}

BOOST_FIXTURE_TEST_CASE(a_timeout_removes_the_transfer_before_the_frame_with_its_buffer_ends, io_fixture)
{
  using namespace asio::experimental::awaitable_operators;
  http_server server;
  http::client client(ioc.get_executor());
  std::optional<std::size_t> winner;
  std::size_t received = 0;
  run_coroutine([&]() -> asio::awaitable<void> {
    // Owned by this frame; curl writes into it on its thread until the
    // cancellation has removed the transfer there.
    auto body = std::make_unique<std::string>();
    asio::steady_timer timer(ioc, std::chrono::milliseconds(200));
    auto result = co_await (client.async_get(server.url("/stall"), *body, asio::use_awaitable)
        || timer.async_wait(asio::use_awaitable));
    winner = result.index();
    received = body->size();
  });
  BOOST_TEST(winner == 1u);
  BOOST_TEST(received <= 1024u);
  const auto c = awaitify::get_counters(ioc);
  BOOST_TEST(c.completed == 1u); // By the curl thread's report of the removal.
  BOOST_TEST(c.late == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_download_consumed_slowly_pauses_and_loses_nothing, io_fixture)
{
  constexpr std::size_t size = 4 << 20;
  http_server server;
  http::client client(ioc.get_executor());
  std::string got;
  error_code end;
  run_coroutine([&]() -> asio::awaitable<void> {
    auto chunks = client.download(server.url("/bytes/" + std::to_string(size)), 4);
    // Nothing is taken until the transfer has paused: under load the curl
    // thread may otherwise never outrun even a slow consumer.
    while (client.pauses() == 0)
      co_await asio::post(ioc, asio::use_awaitable);
    for (;;)
    {
      auto [ec, chunk] = co_await chunks.async_next(asio::as_tuple(asio::use_awaitable));
      if (ec)
      {
        end = ec;
        break;
      }
      got += chunk;
      for (int i = 0; i < 8; ++i) // A consumer slower than the network.
        co_await asio::post(ioc, asio::use_awaitable);
    }
  });
  BOOST_TEST((end == awaitify::error::end_of_stream));
  BOOST_TEST(got.size() == size);
  BOOST_TEST((got == http_server::pattern(size)));
  BOOST_TEST(client.pauses() > 0u); // The write callback did pause at zero demand.
}

BOOST_FIXTURE_TEST_CASE(a_download_of_a_missing_resource_fails, io_fixture)
{
  http_server server;
  http::client client(ioc.get_executor());
  error_code end;
  run_coroutine([&]() -> asio::awaitable<void> {
    auto chunks = client.download(server.url("/missing"));
    for (;;)
    {
      auto [ec, chunk] = co_await chunks.async_next(asio::as_tuple(asio::use_awaitable));
      if (ec)
      {
        end = ec;
        break;
      }
    }
  });
  BOOST_TEST((end == error_code(CURLE_HTTP_RETURNED_ERROR, http::curl_category())));
}

BOOST_FIXTURE_TEST_CASE(destroying_a_download_midway_removes_the_transfer, io_fixture)
{
  http_server server;
  http::client client(ioc.get_executor());
  std::size_t first_chunk = 0;
  run_coroutine([&]() -> asio::awaitable<void> {
    auto chunks = client.download(server.url("/stall"), 2);
    auto [ec, chunk] = co_await chunks.async_next(asio::as_tuple(asio::use_awaitable));
    BOOST_TEST(!ec);
    first_chunk = chunk.size();
  }); // The stream's teardown removes the stalled transfer on the curl thread.
  BOOST_TEST(first_chunk > 0u);
  BOOST_TEST(awaitify::get_counters(ioc).pending == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
