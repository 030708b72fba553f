// SPDX-License-Identifier: BSL-1.0
//
// test/common/http_server.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// A small HTTP/1.1 server on a free loopback port, on a thread of its own,
// for integration tests. Stopped by its destructor on every path.
//   /hello        200, "hello"
//   /bytes/N      200, N bytes of a known pattern (byte i is 'a' + i % 26)
//   /stall        200 with a Content-Length of 1 MB, sends 1 KB, then waits
//                 until the server stops
//   anything else 404, "not found"
//

#ifndef AWAITIFY_TEST_COMMON_HTTP_SERVER_HPP
#define AWAITIFY_TEST_COMMON_HTTP_SERVER_HPP

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <cstddef>
#include <istream>
#include <string>
#include <thread>

namespace awaitify_test {

class http_server
{
public:
  http_server()
    : acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0})
  {
    boost::asio::co_spawn(ioc_, accept(), boost::asio::detached);
    thread_ = std::thread([this] { ioc_.run(); });
  }

  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  ~http_server()
  {
    ioc_.stop();
    thread_.join();
  }

  std::string url(const std::string& path) const
  {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + path;
  }

  static std::string pattern(std::size_t n)
  {
    std::string body(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
      body[i] = static_cast<char>('a' + i % 26);
    return body;
  }

private:
  using tcp = boost::asio::ip::tcp;

  boost::asio::awaitable<void> accept()
  {
    for (;;)
    {
      auto [ec, socket] = co_await acceptor_.async_accept(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec)
        co_return;
      boost::asio::co_spawn(ioc_, serve(std::move(socket)), boost::asio::detached);
    }
  }

  boost::asio::awaitable<void> serve(tcp::socket socket)
  {
    using boost::asio::as_tuple;
    using boost::asio::use_awaitable;
    boost::asio::streambuf request;
    auto [read_ec, n] = co_await boost::asio::async_read_until(socket, request, "\r\n\r\n", as_tuple(use_awaitable));
    if (read_ec)
      co_return;
    std::istream lines(&request);
    std::string method, path;
    lines >> method >> path;

    if (path == "/stall")
    {
      co_await write(socket, head("200 OK", 1 << 20) + std::string(1024, 'x'));
      boost::asio::steady_timer forever(ioc_, boost::asio::steady_timer::time_point::max());
      co_await forever.async_wait(as_tuple(use_awaitable)); // Until the server stops.
      co_return;
    }
    std::string body, status = "200 OK";
    if (path == "/hello")
      body = "hello";
    else if (path.rfind("/bytes/", 0) == 0)
      body = pattern(std::stoul(path.substr(7)));
    else
    {
      status = "404 Not Found";
      body = "not found";
    }
    co_await write(socket, head(status, body.size()) + body);
  }

  static std::string head(const std::string& status, std::size_t length)
  {
    return "HTTP/1.1 " + status + "\r\nContent-Length: " + std::to_string(length)
        + "\r\nConnection: close\r\n\r\n";
  }

  static boost::asio::awaitable<void> write(tcp::socket& socket, std::string data)
  {
    co_await boost::asio::async_write(
        socket, boost::asio::buffer(data), boost::asio::as_tuple(boost::asio::use_awaitable));
  }

  boost::asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

} // namespace awaitify_test

#endif // AWAITIFY_TEST_COMMON_HTTP_SERVER_HPP
