// SPDX-License-Identifier: BSL-1.0
//
// Integration: the gRPC recipe's client (the callback API, calling back on
// gRPC's threads) against the in-process Demo server on a loopback port.
//

#include "grpc_client.hpp"
#include "grpc_server.hpp"

#include <awaitify/diagnostics.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include "common/io_fixture.hpp"

#include <chrono>
#include <exception>
#include <memory>
#include <optional>

namespace {

namespace asio = boost::asio;
using awaitify_test::io_fixture;
using boost::system::error_code;

struct grpc_fixture : io_fixture
{
  rpc::server server;
  std::unique_ptr<demo::Demo::Stub> stub =
      demo::Demo::NewStub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
};

BOOST_AUTO_TEST_SUITE(grpc_client)

BOOST_FIXTURE_TEST_CASE(a_unary_call_with_its_request_response_and_context_in_the_frame, grpc_fixture)
{
  run_coroutine([&]() -> asio::awaitable<void> {
    grpc::ClientContext context;
    demo::AddRequest request;
    request.set_a(20);
    request.set_b(22);
    demo::AddReply reply;
    co_await rpc::async_add(ioc.get_executor(), *stub, context, request, reply, asio::use_awaitable);
    BOOST_TEST(reply.sum() == 42);
  });
}

BOOST_FIXTURE_TEST_CASE(a_timeout_cancels_through_try_cancel_and_waits_for_grpc, grpc_fixture)
{
  using namespace asio::experimental::awaitable_operators;
  std::optional<std::size_t> winner;
  run_coroutine([&]() -> asio::awaitable<void> {
    // Owned by the frame: gRPC may use them until it has answered the cancel.
    auto context = std::make_unique<grpc::ClientContext>();
    auto request = std::make_unique<demo::AddRequest>();
    auto reply = std::make_unique<demo::AddReply>();
    asio::steady_timer timer(ioc, std::chrono::milliseconds(100));
    auto result = co_await (
        rpc::async_stall(ioc.get_executor(), *stub, *context, *request, *reply, asio::as_tuple(asio::use_awaitable))
        || timer.async_wait(asio::use_awaitable));
    winner = result.index();
  });
  BOOST_TEST(winner == 1u);
  const auto c = awaitify::get_counters(ioc);
  BOOST_TEST(c.completed == 1u); // By gRPC's CANCELLED status, not by the cancellation.
  BOOST_TEST(c.cancelled == 0u);
  BOOST_TEST(c.late == 0u);
}

BOOST_FIXTURE_TEST_CASE(ten_thousand_streamed_messages_to_a_slower_consumer, grpc_fixture)
{
  constexpr int n = 10'000;
  int received = 0;
  bool in_order = true;
  error_code end;
  run_coroutine([&]() -> asio::awaitable<void> {
    auto numbers = rpc::count(ioc.get_executor(), *stub, n, 64);
    for (;;)
    {
      auto [ec, i] = co_await numbers.async_next(asio::as_tuple(asio::use_awaitable));
      if (ec)
      {
        end = ec;
        break;
      }
      in_order = in_order && i == received;
      ++received;
      co_await asio::post(ioc, asio::use_awaitable); // Slower than the server.
    }
  });
  BOOST_TEST((end == awaitify::error::end_of_stream)); // Never error::overflow.
  BOOST_TEST(received == n);
  BOOST_TEST(in_order);
}

// The reader pauses once the stream's window is full; destroying the stream
// cancels the call, and a paused reader must still let gRPC finish it (else
// the reader, which owns itself until OnDone, leaks: LeakSanitizer).
BOOST_FIXTURE_TEST_CASE(a_stream_destroyed_while_its_reader_is_paused_ends_the_call, grpc_fixture)
{
  int received = 0;
  run_coroutine([&]() -> asio::awaitable<void> {
    auto numbers = rpc::count(ioc.get_executor(), *stub, 10'000, 2);
    for (int k = 0; k < 2; ++k)
    {
      auto [ec, i] = co_await numbers.async_next(asio::as_tuple(asio::use_awaitable));
      received += !ec && i == k;
    }
  });
  BOOST_TEST(received == 2);
}

BOOST_FIXTURE_TEST_CASE(two_thousand_concurrent_unary_calls, grpc_fixture)
{
  constexpr int calls = 2'000;
  int correct = 0;
  int finished = 0;
  for (int i = 0; i < calls; ++i)
  {
    asio::co_spawn(ioc,
        [&, i]() -> asio::awaitable<void> {
          grpc::ClientContext context;
          demo::AddRequest request;
          request.set_a(i);
          request.set_b(1);
          demo::AddReply reply;
          co_await rpc::async_add(ioc.get_executor(), *stub, context, request, reply, asio::use_awaitable);
          correct += reply.sum() == i + 1;
        },
        [&](std::exception_ptr e) {
          BOOST_TEST(!e);
          ++finished;
        });
  }
  run();
  BOOST_TEST(finished == calls);
  BOOST_TEST(correct == calls);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
