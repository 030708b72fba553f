// SPDX-License-Identifier: BSL-1.0
//
// Tests for awaitify/c_sink.hpp, with C-style fakes that call back many
// times from their own threads.
//

#include <awaitify/c_sink.hpp>
#include <awaitify/stream.hpp>

#include "common/asio.hpp"
#include <boost/test/unit_test.hpp>

#include "common/io_fixture.hpp"
#include "common/worker.hpp"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using awaitify::sink;
using awaitify_test::io_fixture;
using awaitify::error_code;

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

/// Takes everything a stream delivers until it ends; returns the values and
/// the error it ended with.
template <typename Stream>
std::pair<std::vector<int>, error_code> drain(io_fixture& f, Stream& s)
{
  std::pair<std::vector<int>, error_code> out;
  f.run_coroutine([&]() -> asio::awaitable<void> {
    for (;;)
    {
      auto [ec, v] = co_await s.async_next(asio::as_tuple(asio::use_awaitable));
      if (ec)
      {
        out.second = ec;
        co_return;
      }
      out.first.push_back(v);
    }
  });
  return out;
}

// GLib's shape: g_signal_connect_data(instance, handler, data, destroy_data):
// the library frees the user data through its destroy notification when the
// handler is disconnected.
using glib_handler_fn = void (*)(void* instance, int value, void* user_data);
using glib_destroy_fn = void (*)(void* data);

struct fake_glib_signal
{
  glib_handler_fn handler = nullptr;
  void* data = nullptr;
  glib_destroy_fn destroy = nullptr;

  void connect_data(glib_handler_fn h, void* d, glib_destroy_fn n)
  {
    handler = h;
    data = d;
    destroy = n;
  }
  void emit(int value) { handler(this, value, data); }
  void disconnect() { std::exchange(destroy, nullptr)(data); }
};

BOOST_FIXTURE_TEST_CASE(a_destroy_notification_frees_the_carrier, io_fixture)
{
  auto alive = std::make_shared<int>(0);
  std::weak_ptr<int> carrier_alive = alive;
  fake_glib_signal signal;
  auto s = awaitify::make_stream<void(int)>(ioc, {}, [&](sink<void(int)> target) {
    // Both ends are void*: the index says which one is the user data.
    auto c = awaitify::to_c_sink<glib_handler_fn>(std::move(target), awaitify::user_data_at<2>,
        [a = std::move(alive)](const sink<void(int)>& into, void*, int value) { into(value); });
    // In one call, whatever order the compiler evaluates the arguments in.
    signal.connect_data(c.function(), c.user_data(), c.destroy_notify());
  }); // The object went here: it no longer owned the carrier.
  signal.emit(1);
  signal.emit(2);
  BOOST_TEST(!carrier_alive.expired());
  signal.disconnect(); // The library is done: the carrier goes, and the last sink with it.
  BOOST_TEST(carrier_alive.expired());
  const auto [values, ended] = drain(*this, s);
  BOOST_TEST((values == std::vector<int>{1, 2}));
  BOOST_TEST((ended == error_code(awaitify::error::callback_dropped)));
}

// sd-bus's shape: a match's handler takes its user data in the middle, and
// the slot calls a destroy callback when it is released.
struct fake_message
{
  int value;
};
struct fake_bus_error;
using message_handler_fn = int (*)(fake_message* m, void* userdata, fake_bus_error* e);

struct fake_slot
{
  message_handler_fn handler = nullptr;
  void* userdata = nullptr;
  glib_destroy_fn destroy = nullptr;

  int returned = -1; // Checked on the test's thread, after the library's has joined.

  void signal(int value)
  {
    fake_message m{value};
    returned = handler(&m, userdata, nullptr);
  }
  void unref()
  {
    if (destroy)
      destroy(userdata);
  }
};

BOOST_FIXTURE_TEST_CASE(user_data_in_the_middle_and_a_slot_destroy_callback, io_fixture)
{
  fake_slot slot;
  auto s = awaitify::make_stream<void(int)>(ioc, {}, [&](sink<void(int)> target) {
    auto c = awaitify::to_c_sink<message_handler_fn>(std::move(target), awaitify::user_data_at<1>,
        [](const sink<void(int)>& into, fake_message* m, fake_bus_error*) {
          into(m->value);
          return 0;
        });
    slot.handler = c.function();
    slot.userdata = c.user_data();
    slot.destroy = c.destroy_notify(); // sd_bus_slot_set_destroy_callback(slot, c.destroy_notify())
  });
  std::thread library([&] {
    slot.signal(4);
    slot.signal(5);
    slot.unref();
  });
  library.join();
  BOOST_TEST(slot.returned == 0);
  const auto [values, ended] = drain(*this, s);
  BOOST_TEST((values == std::vector<int>{4, 5}));
  BOOST_TEST((ended == error_code(awaitify::error::callback_dropped)));
}

// hiredis's shape: a subscription's callback is called for every message and
// last for the final "unsubscribe" reply (or with no reply when the
// connection goes), after which hiredis forgets it.
struct fake_redis_context;
using redis_callback_fn = void (*)(fake_redis_context* c, void* reply, void* privdata);

struct fake_reply
{
  int value;
  bool final_unsubscribe;
};

void c_subscribe(fake_redis_context* ctx, redis_callback_fn fn, void* privdata, std::vector<fake_reply> replies)
{
  for (auto& r : replies)
    fn(ctx, &r, privdata);
}

auto subscription_transform(std::shared_ptr<int> alive)
{
  return [a = std::move(alive)](const sink<void(int)>& into, fake_redis_context*, void* r) {
    const auto* reply = static_cast<const fake_reply*>(r);
    const bool last = !reply || reply->final_unsubscribe;
    if (last)
      into.close();
    else
      into(reply->value);
    return awaitify::last_call_if(last);
  };
}

BOOST_FIXTURE_TEST_CASE(a_released_carrier_is_freed_after_the_last_call_in_either_order, io_fixture)
{
  for (const bool last_call_before_release : {false, true})
  {
    auto alive = std::make_shared<int>(0);
    std::weak_ptr<int> carrier_alive = alive;
    std::optional<awaitify::c_sink_callback<redis_callback_fn>> c;
    auto s = awaitify::make_stream<void(int)>(ioc, {}, [&](sink<void(int)> target) {
      c.emplace(awaitify::to_c_sink<redis_callback_fn>(std::move(target), subscription_transform(std::move(alive))));
      if (!last_call_before_release)
        c->release();
    });
    awaitify_test::worker library;
    std::promise<void> called;
    library.post([&, fn = c->function(), user = c->user_data()] {
      c_subscribe(nullptr, fn, user, {{1, false}, {2, false}, {0, true}});
      called.set_value();
    });
    called.get_future().wait();
    BOOST_TEST(carrier_alive.expired() != last_call_before_release);
    if (last_call_before_release)
      c->release(); // The last call came first: the release frees it.
    BOOST_TEST(carrier_alive.expired());
    c.reset(); // Handed over: frees nothing (ASan would see a double free).
    const auto [values, ended] = drain(*this, s);
    BOOST_TEST((values == std::vector<int>{1, 2}));
    BOOST_TEST((ended == error_code(awaitify::error::end_of_stream))); // Closed by the transform, not dropped.
    ioc.restart();
  }
}

BOOST_FIXTURE_TEST_CASE(a_last_call_frees_nothing_the_object_still_owns, io_fixture)
{
  auto alive = std::make_shared<int>(0);
  std::weak_ptr<int> carrier_alive = alive;
  std::optional<awaitify::c_sink_callback<redis_callback_fn>> c;
  auto s = awaitify::make_stream<void(int)>(ioc, {}, [&](sink<void(int)> target) {
    c.emplace(awaitify::to_c_sink<redis_callback_fn>(std::move(target), subscription_transform(std::move(alive))));
    c_subscribe(nullptr, c->function(), c->user_data(), {{7, false}, {0, true}});
  });
  BOOST_TEST(!carrier_alive.expired());
  c.reset();
  BOOST_TEST(carrier_alive.expired());
  const auto [values, ended] = drain(*this, s);
  BOOST_TEST((values == std::vector<int>{7}));
  BOOST_TEST((ended == error_code(awaitify::error::end_of_stream)));
}

BOOST_FIXTURE_TEST_CASE(a_registration_refused_takes_the_carrier_back, io_fixture)
{
  auto alive = std::make_shared<int>(0);
  std::weak_ptr<int> carrier_alive = alive;
  auto s = awaitify::make_stream<void(int)>(ioc, {}, [&](sink<void(int)> target) {
    auto c = awaitify::to_c_sink<glib_handler_fn>(std::move(target), awaitify::user_data_at<2>,
        [a = std::move(alive)](const sink<void(int)>& into, void*, int value) { into(value); });
    const bool accepted = false; // g_signal_connect_data returned 0: no destroy notification will come.
    const glib_destroy_fn destroy = c.destroy_notify();
    BOOST_TEST(destroy != nullptr);
    if (!accepted)
      c.take_back();
  }); // The object frees it: before take_back, it leaked and the stream never ended.
  BOOST_TEST(carrier_alive.expired());
  const auto [values, ended] = drain(*this, s);
  BOOST_TEST((ended == error_code(awaitify::error::callback_dropped)));
}

BOOST_FIXTURE_TEST_CASE(a_destroy_notification_taken_after_a_release_frees_nothing, io_fixture)
{
  auto alive = std::make_shared<int>(0);
  std::weak_ptr<int> carrier_alive = alive;
  std::optional<awaitify::c_sink_callback<redis_callback_fn>> c;
  auto s = awaitify::make_stream<void(int)>(ioc, {}, [&](sink<void(int)> target) {
    c.emplace(awaitify::to_c_sink<redis_callback_fn>(std::move(target), subscription_transform(std::move(alive))));
  });
  c->release();
  const auto destroy = c->destroy_notify(); // Not the object's any more: does nothing.
  destroy(c->user_data());
  BOOST_TEST(!carrier_alive.expired());
  c_subscribe(nullptr, c->function(), c->user_data(), {{0, true}}); // The last call frees it, once.
  BOOST_TEST(carrier_alive.expired());
  drain(*this, s);
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
