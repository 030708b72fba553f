// SPDX-License-Identifier: BSL-1.0
//
// example/seed_add.cpp
// ~~~~~~~~~~~~~~~~~~~~
//
// 1 + 2 + 3 against a legacy callback API, four ways: nested callbacks (what
// awaitify replaces), co_await, std::future and a plain completion handler.
//

#include <awaitify/awaitify.hpp>

// One file for both flavours: Boost.Asio, or standalone Asio when
// AWAITIFY_STANDALONE_ASIO is defined (the awaitify_standalone target does).
#if defined(AWAITIFY_STANDALONE_ASIO)
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>
#else
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
namespace asio = boost::asio;
#endif

#include <chrono>
#include <functional>
#include <future>
#include <iostream>
#include <thread>

namespace legacy {

// The kind of API awaitify is for: the work happens on a thread of the
// library's own, and the callback is invoked there, later.
void async_add(int a, int b, std::function<void(int)> callback)
{
  std::thread([=] {
    std::this_thread::sleep_for(std::chrono::milliseconds(10)); // "work"
    callback(a + b);
  }).detach();
}

} // namespace legacy

int main()
{
  // 1. Nested callbacks: each step nests deeper, and the callbacks run on the
  //    library's threads, so the result must be synchronised by hand.
  {
    std::promise<int> done;
    legacy::async_add(1, 2, [&](int r1) {
      legacy::async_add(r1, 3, [&](int r2) { done.set_value(r2); });
    });
    std::cout << "nested callbacks: " << done.get_future().get() << '\n';
  }

  asio::io_context ioc;
  auto add = awaitify::wrap<void(int)>(ioc.get_executor(), legacy::async_add);

  // 2. co_await: straight-line code; every step resumes on the io_context.
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    int r1 = co_await add(1, 2, asio::use_awaitable);
    int r2 = co_await add(r1, 3, asio::use_awaitable);
    std::cout << "co_await: " << r2 << '\n';
  }, asio::detached);
  ioc.run();

  // 3. std::future: the io_context runs on another thread; this one blocks.
  {
    ioc.restart();
    auto keep_running = asio::make_work_guard(ioc);
    std::thread runner([&] { ioc.run(); });
    const int r1 = add(1, 2, asio::use_future).get();
    const int r2 = add(r1, 3, asio::use_future).get();
    std::cout << "use_future: " << r2 << '\n';
    keep_running.reset();
    runner.join();
  }

  // 4. A plain completion handler: the error comes first, and the handler
  //    runs on the io_context's thread, never on the library's.
  ioc.restart();
  add(1, 2, [&](awaitify::error_code ec, int r1) {
    if (ec)
      return;
    add(r1, 3, [](awaitify::error_code ec2, int r2) {
      if (!ec2)
        std::cout << "plain handler: " << r2 << '\n';
    });
  });
  ioc.run();
}
