// SPDX-License-Identifier: BSL-1.0
//
// Integration: the sd-bus example connection (sd-bus driven by
// awaitify::fd_driver) against a private dbus-daemon on a unix socket. A
// second connection exports an object with sd_bus_add_object_vtable.
//

#include "sdbus_connection.hpp"

#include <awaitify/diagnostics.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include "common/dbus_daemon.hpp"
#include "common/io_fixture.hpp"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

constexpr const char* service = "org.awaitify.Test";
constexpr const char* object = "/org/awaitify/Test";

/// The exported object: Add(ii) -> i, and Stall() -> s, which answers only
/// when the test says.
struct test_object
{
  sdbus::message stalled;

  static int add(sd_bus_message* m, void*, sd_bus_error*)
  {
    std::int32_t a = 0;
    std::int32_t b = 0;
    const int r = sd_bus_message_read(m, "ii", &a, &b);
    return r < 0 ? r : sd_bus_reply_method_return(m, "i", a + b);
  }

  static int stall(sd_bus_message* m, void* self, sd_bus_error*)
  {
    static_cast<test_object*>(self)->stalled.reset(sd_bus_message_ref(m));
    return 1; // No reply yet.
  }
};

// sd-bus's vtable macros leave fields to their default initialisers.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wpedantic"
const sd_bus_vtable test_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("Add", "ii", "i", &test_object::add, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Stall", "", "s", &test_object::stall, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_SIGNAL("Tick", "u", 0),
    SD_BUS_VTABLE_END,
};
#pragma GCC diagnostic pop

struct dbus_fixture : awaitify_test::io_fixture
{
  awaitify_test::dbus_daemon daemon;
  std::optional<sdbus::connection> client;
  std::optional<sdbus::connection> server;
  test_object exported;

  dbus_fixture()
  {
    client.emplace(ioc.get_executor(), daemon.address());
    server.emplace(ioc.get_executor(), daemon.address());
    sdbus::check(sd_bus_add_object_vtable(server->native_handle(), nullptr, object, service, test_vtable, &exported),
        "sd_bus_add_object_vtable");
    run_coroutine_and_stop([&]() -> asio::awaitable<void> {
      auto request = server->new_method_call(
          "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "RequestName");
      sdbus::check(sd_bus_message_append(request.get(), "su", service, 0u), "append");
      auto reply = co_await server->async_call(std::move(request), asio::use_awaitable);
      std::uint32_t result = 0;
      sdbus::check(sd_bus_message_read(reply.get(), "u", &result), "RequestName");
      BOOST_TEST_REQUIRE(result == 1u); // DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER
    });
  }

  ~dbus_fixture()
  {
    exported.stalled.reset();
    client.reset();
    server.reset();
    run(); // What the closed connections failed.
  }

  asio::awaitable<sdbus::message> call_daemon(sdbus::connection& c, const char* member)
  {
    co_return co_await c.async_call(
        c.new_method_call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", member),
        asio::use_awaitable);
  }

  asio::awaitable<std::int32_t> add(std::int32_t a, std::int32_t b)
  {
    auto call = client->new_method_call(service, object, service, "Add");
    sdbus::check(sd_bus_message_append(call.get(), "ii", a, b), "append");
    auto reply = co_await client->async_call(std::move(call), asio::use_awaitable);
    std::int32_t sum = 0;
    sdbus::check(sd_bus_message_read(reply.get(), "i", &sum), "read");
    co_return sum;
  }
};

BOOST_AUTO_TEST_SUITE(sdbus_connection)

BOOST_FIXTURE_TEST_CASE(methods_of_the_bus_daemon, dbus_fixture)
{
  run_coroutine_and_stop([&]() -> asio::awaitable<void> {
    auto id = co_await call_daemon(*client, "GetId");
    const char* text = nullptr;
    sdbus::check(sd_bus_message_read(id.get(), "s", &text), "GetId");
    BOOST_TEST(std::string(text).size() == 32u); // The bus's UUID, in hex.

    auto names = co_await call_daemon(*client, "ListNames");
    char** list = nullptr;
    sdbus::check(sd_bus_message_read_strv(names.get(), &list), "ListNames");
    bool found = false;
    for (char** n = list; *n; ++n)
    {
      found = found || std::string(*n) == service;
      std::free(*n);
    }
    std::free(list);
    BOOST_TEST(found); // The server's name.
  });
}

BOOST_FIXTURE_TEST_CASE(methods_of_an_exported_object, dbus_fixture)
{
  run_coroutine_and_stop([&]() -> asio::awaitable<void> {
    BOOST_TEST(co_await add(2, 40) == 42);
    for (std::int32_t i = 0; i < 100; ++i)
      BOOST_REQUIRE(co_await add(i, i) == 2 * i);
    auto missing = client->new_method_call(service, object, service, "Missing");
    auto [ec, reply] = co_await client->async_call(std::move(missing), asio::as_tuple(asio::use_awaitable));
    BOOST_TEST(ec.value() == EBADR, ec.message()); // org.freedesktop.DBus.Error.UnknownMethod
    BOOST_TEST(!reply);
  });
}

BOOST_FIXTURE_TEST_CASE(a_signal_stream, dbus_fixture)
{
  constexpr std::uint32_t n = 100;
  run_coroutine_and_stop([&]() -> asio::awaitable<void> {
    auto ticks = client->match_signal(nullptr, object, service, "Tick");
    // The daemon answers the client in order: the match is in place.
    co_await call_daemon(*client, "GetId");
    for (std::uint32_t i = 0; i < n; ++i)
    {
      auto tick = server->new_signal(object, service, "Tick");
      sdbus::check(sd_bus_message_append(tick.get(), "u", i), "append");
      server->send(tick);
    }
    for (std::uint32_t i = 0; i < n; ++i)
    {
      auto m = co_await ticks.async_next(asio::use_awaitable);
      std::uint32_t value = 0;
      sdbus::check(sd_bus_message_read(m.get(), "u", &value), "read");
      BOOST_REQUIRE(value == i);
      BOOST_REQUIRE(std::string(sd_bus_message_get_member(m.get())) == "Tick");
    }
  }); // The stream goes: its slot is released (RemoveMatch).
}

BOOST_FIXTURE_TEST_CASE(cancelling_a_call_releases_its_slot, dbus_fixture)
{
  run_coroutine_and_stop([&]() -> asio::awaitable<void> {
    asio::steady_timer timer(ioc, 50ms);
    auto stall = client->new_method_call(service, object, service, "Stall");
    auto r = co_await (client->async_call(std::move(stall), asio::use_awaitable) || timer.async_wait(asio::use_awaitable));
    BOOST_TEST(r.index() == 1u); // Timed out: cancelled, the slot released.
    BOOST_TEST_REQUIRE(exported.stalled != nullptr); // The server did receive it.
    // The answer comes now: sd-bus has no callback for it any more.
    sdbus::check(sd_bus_reply_method_return(exported.stalled.get(), "s", "late"), "reply");
    exported.stalled.reset();
    BOOST_TEST(co_await add(1, 2) == 3); // Answered after the late reply.
    const auto counters = awaitify::get_counters(ioc);
    BOOST_TEST(counters.cancelled == 1u);
    BOOST_TEST(counters.late == 0u); // Unlike hiredis, sd-bus withdrew the callback.
  });
}

BOOST_FIXTURE_TEST_CASE(closing_the_connection_fails_the_pending_calls, dbus_fixture)
{
  std::optional<error_code> result;
  run_coroutine_and_stop([&]() -> asio::awaitable<void> {
    client->async_call(client->new_method_call(service, object, service, "Stall"),
        [&](error_code ec, sdbus::message) { result = ec; });
    co_await add(0, 0); // The stalled call reached the server first.
    BOOST_TEST_REQUIRE(exported.stalled != nullptr);
    client.reset(); // Its failure is posted here...
    co_await asio::post(ioc, asio::use_awaitable); // ...and has run after this.
  });
  BOOST_TEST_REQUIRE(result.has_value());
  BOOST_TEST((*result == asio::error::operation_aborted), result->message());
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace
