// SPDX-License-Identifier: BSL-1.0
//
// Tests for awaitify/c_sink.hpp, with C-style fakes that call back many
// times from their own threads.
//

#include <awaitify/c_sink.hpp>
#include <awaitify/stream.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include "common/io_fixture.hpp"
#include "common/worker.hpp"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

namespace asio = boost::asio;
using awaitify::sink;
using awaitify_test::io_fixture;
using boost::system::error_code;

// A transfer in the style of libcurl: the write callback is called many
// times with (data, size, count, userdata) and returns how much it took, or
// a pause code; paused data is delivered again on resume.
using write_fn = std::size_t (*)(char* data, std::size_t size, std::size_t count, void* user);
constexpr std::size_t pause_code = 0x10000001;

class fake_transfer
{
public:
  fake_transfer(std::string body, std::size_t chunk) : body_(std::move(body)), chunk_(chunk) {}

  /// Delivers the body on the library's thread, chunk by chunk, until done
  /// or paused; then calls `done`.
  void start(write_fn fn, void* user, std::function<void()> done)
  {
    fn_ = fn;
    user_ = user;
    done_ = std::move(done);
    thread_.post([this] { deliver(); });
  }

  /// Resumes a paused transfer, on the library's thread.
  void resume() { thread_.post([this] { deliver(); }); }

  std::atomic<int> pauses{0};

private:
  void deliver()
  {
    while (offset_ < body_.size())
    {
      const std::size_t n = std::min(chunk_, body_.size() - offset_);
      if (fn_(body_.data() + offset_, 1, n, user_) == pause_code)
      {
        ++pauses;
        return; // Not consumed: delivered again on resume.
      }
      offset_ += n;
    }
    if (done_)
      std::exchange(done_, nullptr)();
  }

  std::string body_;
  std::size_t chunk_;
  std::size_t offset_ = 0;
  write_fn fn_ = nullptr;
  void* user_ = nullptr;
  std::function<void()> done_;
  awaitify_test::worker thread_;
};

BOOST_AUTO_TEST_SUITE(c_sink)

BOOST_FIXTURE_TEST_CASE(a_write_callback_that_pauses_at_zero_demand_loses_nothing, io_fixture)
{
  std::string body(100'000, '\0');
  for (std::size_t i = 0; i < body.size(); ++i)
    body[i] = static_cast<char>('a' + i % 26);
  fake_transfer transfer(body, 1000);
  auto carrier_alive = std::make_shared<int>(0);
  std::weak_ptr<int> watch = carrier_alive;
  awaitify::stream_options<void(std::string)> options{awaitify::overflow_policy::flow_control, 4, {}};
  auto chunks = awaitify::make_stream<void(std::string)>(ioc, std::move(options), [&](sink<void(std::string)> s) {
    s.on_demand([&transfer](std::size_t) { transfer.resume(); });
    auto write = [alive = std::move(carrier_alive)](
                     const sink<void(std::string)>& target, char* data, std::size_t size, std::size_t count) {
      if (target.demand() == 0)
        return pause_code;
      target(std::string(data, size * count));
      return size * count;
    };
    auto c = awaitify::to_c_sink<write_fn>(s, write);
    transfer.start(c.function(), c.user_data(), [s] { s.close(); });
    // The teardown owns the carrier: freed once the stream has ended.
    return [c = std::move(c)] {};
  });
  std::string got;
  error_code end;
  run_coroutine([&]() -> asio::awaitable<void> {
    for (;;)
    {
      auto [ec, chunk] = co_await chunks.async_next(asio::as_tuple(asio::use_awaitable));
      if (ec)
      {
        end = ec;
        break;
      }
      got += chunk;
    }
  });
  BOOST_TEST((end == awaitify::error::end_of_stream));
  BOOST_TEST(got.size() == body.size());
  BOOST_TEST((got == body));
  BOOST_TEST(transfer.pauses > 0);
  BOOST_TEST(watch.expired()); // The carrier was freed with the teardown.
}

// A handle in the style of libuv: the read callback receives the handle,
// whose data field holds the user's pointer.
struct fake_handle
{
  void* data = nullptr;
};
using read_fn = void (*)(fake_handle* handle, long nread, const char* buf);

BOOST_FIXTURE_TEST_CASE(many_threads_call_a_sink_kept_in_the_librarys_struct, io_fixture)
{
  constexpr int threads = 4;
  constexpr int per_thread = 2'000;
  fake_handle handle;
  std::optional<awaitify::c_sink_callback<read_fn>> carrier;
  awaitify::stream_options<void(long)> options{awaitify::overflow_policy::unbounded, 0, {}};
  auto reads = awaitify::make_stream<void(long)>(ioc, std::move(options), [&](sink<void(long)> s) {
    carrier.emplace(awaitify::to_c_sink<read_fn>(s, awaitify::user_data_in<&fake_handle::data>,
        [](const sink<void(long)>& target, fake_handle*, long nread, const char*) { target(nread); }));
    handle.data = carrier->user_data();
  });
  std::vector<std::thread> library;
  for (int t = 0; t < threads; ++t)
    library.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i)
        carrier->function()(&handle, 1, "x");
    });
  for (auto& t : library)
    t.join();
  long total = 0;
  run_coroutine([&]() -> asio::awaitable<void> {
    for (int i = 0; i < threads * per_thread; ++i)
      total += std::get<1>(co_await reads.async_next(asio::as_tuple(asio::use_awaitable)));
  });
  BOOST_TEST(total == threads * per_thread);
  carrier.reset(); // The library can no longer call: free the carrier, once.
}

using notify_fn = void (*)(int value, void* user);

BOOST_AUTO_TEST_CASE(a_carrier_in_the_teardown_is_freed_once_at_shutdown)
{
  auto alive = std::make_shared<int>(0);
  std::weak_ptr<int> watch = alive;
  std::optional<sink<void(int)>> kept;
  {
    asio::io_context ioc;
    auto s = awaitify::make_stream<void(int)>(ioc, {}, [&](sink<void(int)> target) {
      auto c = awaitify::to_c_sink<notify_fn>(
          target, [a = std::move(alive)](const sink<void(int)>& into, int value) { into(value); });
      c.function()(5, c.user_data()); // The library calls back...
      kept = target;
      return [c = std::move(c)] {}; // ...until the teardown has unregistered it.
    });
    BOOST_TEST(!watch.expired());
  } // The stream and then its context go: the teardown, and the carrier with it.
  BOOST_TEST(watch.expired());
  BOOST_TEST(((*kept)(6) == awaitify::push_result::closed));
}

BOOST_FIXTURE_TEST_CASE(a_carrier_never_handed_to_c_ends_the_stream_as_dropped, io_fixture)
{
  // The registration with the library fails: the carrier goes with its
  // object, and with it the last sink, so the stream ends instead of waiting.
  const bool registered = false;
  auto s = awaitify::make_stream<void(int)>(ioc, {}, [&](sink<void(int)> target) {
    auto c = awaitify::to_c_sink<notify_fn>(std::move(target));
    if (!registered)
      return;
    c.function()(1, c.user_data());
  });
  std::optional<error_code> ended;
  s.async_next([&](error_code ec, int) { ended = ec; });
  run();
  BOOST_TEST((ended == error_code(awaitify::error::callback_dropped)));
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
