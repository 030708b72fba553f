// SPDX-License-Identifier: BSL-1.0
//
// One half of a program that links both flavours: this file is built twice,
// once into a library on each flavour, with the flavour-neutral names.
//

#include "both_flavours/both_flavours.hpp"

#include <awaitify/async_call.hpp>
#include <awaitify/error.hpp>

#if defined(AWAITIFY_STANDALONE_ASIO)
#include <asio/io_context.hpp>
#define AWAITIFY_TEST_ADD add_on_standalone_asio
#else
#include <boost/asio/io_context.hpp>
#define AWAITIFY_TEST_ADD add_on_boost_asio
#endif

#include <string>

std::string AWAITIFY_TEST_ADD(int a, int b)
{
  awaitify::asio::io_context ioc;
  int sum = 0;
  awaitify::error_code dropped;
  awaitify::async_call<void(int)>(
      ioc.get_executor(), [a, b](awaitify::callback<void(int)> cb) { cb(a + b); },
      [&](awaitify::error_code, int r) { sum = r; });
  awaitify::async_call<void(int)>(
      ioc.get_executor(), [](awaitify::callback<void(int)>) {}, [&](awaitify::error_code ec, int) { dropped = ec; });
  ioc.run();
  const bool same = dropped == awaitify::error::callback_dropped;
  return std::to_string(sum) + ", " + (same ? "callback_dropped" : dropped.message());
}
