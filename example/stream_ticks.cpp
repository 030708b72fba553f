// SPDX-License-Identifier: BSL-1.0
//
// example/stream_ticks.cpp
// ~~~~~~~~~~~~~~~~~~~~~~~~
//
// A legacy "ticker" calls back from a thread of its own, N times; the ticks
// are consumed as an awaitify::stream, in a co_await loop with a timeout.
//

#include <awaitify/awaitify.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>
#include <variant>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace legacy {

// The kind of API awaitify::stream is for: register callbacks, receive calls
// on the library's thread, unregister when done.
class ticker
{
public:
  ~ticker()
  {
    if (thread_.joinable())
      thread_.join();
  }

  // Calls on_tick(1..count) every `period`, then on_done(), on its own thread.
  void subscribe(std::chrono::milliseconds period, int count, std::function<void(int)> on_tick,
      std::function<void()> on_done)
  {
    thread_ = std::thread([=, this] {
      for (int n = 1; n <= count && subscribed_; ++n)
      {
        std::this_thread::sleep_for(period); // the legacy library's own pace
        on_tick(n);
      }
      if (subscribed_)
        on_done();
    });
  }

  void unsubscribe() { subscribed_ = false; }

private:
  std::atomic<bool> subscribed_{true};
  std::thread thread_;
};

} // namespace legacy

int main()
{
  // Declared before the io_context: the teardown refers to them, and it may run
  // as late as the io_context's destruction.
  legacy::ticker ticker;
  bool unsubscribed = false;
  asio::io_context ioc;

  auto ticks = awaitify::make_stream<void(int)>(ioc, {}, [&](awaitify::sink<void(int)> sink) {
    ticker.subscribe(5ms, 5, sink, [sink] { sink.close(); });
    return [&] {
      ticker.unsubscribe();
      unsubscribed = true;
    };
  });

  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timeout(ioc);
    for (;;)
    {
      timeout.expires_after(2s);
      auto next = co_await (ticks.async_next(asio::as_tuple(asio::use_awaitable))
                            || timeout.async_wait(asio::use_awaitable));
      if (next.index() == 1)
      {
        std::cout << "no tick within 2 s: giving up\n";
        co_return;
      }
      auto [ec, n] = std::get<0>(next);
      if (ec == awaitify::error::end_of_stream)
      {
        std::cout << "ticker done\n";
        co_return;
      }
      if (ec)
      {
        std::cout << "ticker failed: " << ec.message() << '\n';
        co_return;
      }
      std::cout << "tick " << n << '\n';
    }
  }, asio::detached);

  ioc.run();
  std::cout << "unsubscribed: " << (unsubscribed ? "yes" : "no") << '\n';
}
