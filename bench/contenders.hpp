// SPDX-License-Identifier: BSL-1.0
//
// bench/contenders.hpp
// ~~~~~~~~~~~~~~~~~~~~
//
// The adapters under comparison, behind one interface:
// `C::async_add(legacy, executor, a, b, token)`.
//

#ifndef AWAITIFY_BENCH_CONTENDERS_HPP
#define AWAITIFY_BENCH_CONTENDERS_HPP

#include "handwritten.hpp"

#include <awaitify/async_call.hpp>

#include <utility>

namespace bench {

struct awaitify_adapter
{
  static constexpr const char* name = "awaitify";

  template <typename Legacy, typename Executor, typename CompletionToken>
  static auto async_add(Legacy& legacy, const Executor& ex, int a, int b, CompletionToken&& token)
  {
    return awaitify::async_call<void(int)>(
        ex, [&legacy, a, b](awaitify::callback<void(int)> cb) { legacy.async_add(a, b, std::move(cb)); },
        std::forward<CompletionToken>(token));
  }
};

struct handwritten_adapter
{
  static constexpr const char* name = "handwritten";

  template <typename Legacy, typename Executor, typename CompletionToken>
  static auto async_add(Legacy& legacy, const Executor& ex, int a, int b, CompletionToken&& token)
  {
    return handwritten::async_add(legacy, ex, a, b, std::forward<CompletionToken>(token));
  }
};

} // namespace bench

#endif // AWAITIFY_BENCH_CONTENDERS_HPP
