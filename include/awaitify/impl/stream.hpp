// SPDX-License-Identifier: BSL-1.0
//
// awaitify/impl/stream.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~
//

#ifndef AWAITIFY_IMPL_STREAM_HPP
#define AWAITIFY_IMPL_STREAM_HPP

#include <awaitify/detail/stream_state.hpp>
#include <awaitify/impl/async_call.hpp>
#include <awaitify/sink.hpp>
#include <awaitify/source_location.hpp>

#include <memory>
#include <type_traits>
#include <utility>

namespace AWAITIFY_NAMESPACE {
namespace detail {

/// The handler of a stream's closer operation: runs the teardown when the
/// closer completes on the stream's executor, or when a shutdown destroys it.
template <typename Signature>
class teardown_runner
{
public:
  explicit teardown_runner(std::shared_ptr<stream_state<Signature>> state) noexcept
    : state_(std::move(state))
  {
  }

  teardown_runner(teardown_runner&&) noexcept = default;
  teardown_runner& operator=(teardown_runner&&) = delete;

  ~teardown_runner()
  {
    if (state_)
      state_->run_teardown(true);
  }

  void operator()(error_code) { std::exchange(state_, nullptr)->run_teardown(false); }

private:
  std::shared_ptr<stream_state<Signature>> state_;
};

} // namespace detail

template <typename Signature, typename Executor, typename Subscribe>
  requires asio::execution::is_executor<Executor>::value
stream<Signature, Executor> make_stream(const Executor& ex, stream_options<Signature> options,
    Subscribe&& subscribe, const source_location& where)
{
  using state_type = detail::stream_state<Signature>;
  auto state = std::make_shared<state_type>(std::move(options));

  // The closer tracks no work: an open stream must not keep run() going.
  const detail::initiate_async_call<void(), Executor, false> start_closer(ex);
  start_closer(detail::teardown_runner<Signature>(state),
      [&state](callback<void()> closer) { state->arm_closer(std::move(closer)); }, where);

  try
  {
    sink<Signature> first(state);
    if constexpr (std::is_void_v<std::invoke_result_t<Subscribe, sink<Signature>>>)
    {
      std::forward<Subscribe>(subscribe)(std::move(first));
      state->subscribed(detail::teardown_fn());
    }
    else
      state->subscribed(detail::teardown_fn(std::forward<Subscribe>(subscribe)(std::move(first))));
  }
  catch (...)
  {
    state->consumer_gone();
    state->subscribed(detail::teardown_fn());
    throw;
  }
  return stream<Signature, Executor>(ex, std::move(state), where);
}

} // namespace awaitify

#endif // AWAITIFY_IMPL_STREAM_HPP
