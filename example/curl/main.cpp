// SPDX-License-Identifier: BSL-1.0
//
// example/curl/main.cpp: fetches a URL with http::client, with a timeout,
// then downloads it again as a stream of chunks.
//
//   curl_demo http://127.0.0.1:8080/
//

#include "curl_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <iostream>
#include <string>

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

asio::awaitable<void> demo(http::client& client, std::string url)
{
  std::string body; // In this frame: the transfer is removed before a timeout resumes us.
  asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::seconds(10));
  auto result = co_await (client.async_get(url, body, asio::use_awaitable) || timer.async_wait(asio::use_awaitable));
  if (result.index() == 1)
  {
    std::cout << "timed out after " << body.size() << " bytes\n";
    co_return;
  }
  std::cout << "status " << std::get<0>(result) << ", " << body.size() << " bytes\n";

  auto chunks = client.download(url);
  std::size_t total = 0;
  for (;;)
  {
    auto [ec, chunk] = co_await chunks.async_next(asio::as_tuple(asio::use_awaitable));
    if (ec)
    {
      std::cout << "download: " << total << " bytes, " << ec.message() << '\n';
      break;
    }
    total += chunk.size();
  }
}

int main(int argc, char* argv[])
{
  if (argc != 2)
  {
    std::cerr << "usage: curl_demo URL\n";
    return 2;
  }
  asio::io_context ioc;
  http::client client(ioc.get_executor());
  int status = 0;
  asio::co_spawn(ioc, demo(client, argv[1]), [&](std::exception_ptr e) {
    if (!e)
      return;
    try
    {
      std::rethrow_exception(e);
    }
    catch (const std::exception& error)
    {
      std::cerr << "curl_demo: " << error.what() << '\n';
      status = 1;
    }
  });
  ioc.run();
  return status;
}
