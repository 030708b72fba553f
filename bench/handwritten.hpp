// SPDX-License-Identifier: BSL-1.0
//
// bench/handwritten.hpp
// ~~~~~~~~~~~~~~~~~~~~~
//
// The baseline: the adapter an experienced Asio user writes by hand after
// Asio's callback_wrapper example. async_initiate; the handler and a work
// guard on its associated executor in one shared_ptr (so the std::function
// that the legacy API takes stays copyable and small); the result posted
// back to the handler's executor. No drop detection, no exactly-once check,
// no cancellation, no shutdown safety.
//

#ifndef AWAITIFY_BENCH_HANDWRITTEN_HPP
#define AWAITIFY_BENCH_HANDWRITTEN_HPP

#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <utility>

namespace bench::handwritten {

template <typename Legacy, typename Executor, typename CompletionToken>
auto async_add(Legacy& legacy, const Executor& ex, int a, int b, CompletionToken&& token)
{
  return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code, int)>(
      [&legacy, ex](auto handler, int x, int y) {
        using handler_type = decltype(handler);
        struct pending
        {
          handler_type handler;
          boost::asio::executor_work_guard<boost::asio::associated_executor_t<handler_type, Executor>> work;
        };
        auto handler_ex = boost::asio::get_associated_executor(handler, ex);
        auto p = std::make_shared<pending>(pending{std::move(handler), boost::asio::make_work_guard(handler_ex)});
        legacy.async_add(x, y, [p](int result) {
          auto alloc = boost::asio::get_associated_allocator(p->handler, boost::asio::recycling_allocator<void>());
          boost::asio::post(p->work.get_executor(),
              boost::asio::bind_allocator(alloc, [p, result]() mutable {
                auto work = std::move(p->work);
                std::move(p->handler)(boost::system::error_code(), result);
              }));
        });
      },
      token, a, b);
}

} // namespace bench::handwritten

#endif // AWAITIFY_BENCH_HANDWRITTEN_HPP
