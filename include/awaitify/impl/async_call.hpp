// SPDX-License-Identifier: BSL-1.0
//
// awaitify/impl/async_call.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//

#ifndef AWAITIFY_IMPL_ASYNC_CALL_HPP
#define AWAITIFY_IMPL_ASYNC_CALL_HPP

#include <awaitify/callback.hpp>
#include <awaitify/detail/anchor.hpp>
#include <awaitify/detail/async_call_op.hpp>
#include <awaitify/detail/executor_support.hpp>
#include <awaitify/detail/op_registry.hpp>
#include <awaitify/source_location.hpp>

#include <exception>
#include <type_traits>
#include <utility>

namespace AWAITIFY_NAMESPACE {
namespace detail {

template <typename Signature, typename IoExecutor, bool TrackWork = true>
class initiate_async_call
{
public:
  using executor_type = IoExecutor;

  explicit initiate_async_call(const IoExecutor& ex) : ex_(ex) {}

  executor_type get_executor() const noexcept { return ex_; }

  template <typename Handler, typename Init>
  void operator()(Handler&& handler, Init&& init, const source_location& where) const
  {
    using op_type = async_call_op<Signature, std::decay_t<Handler>, IoExecutor, TrackWork>;

    // Everything that can fail is done before the operation exists.
    op_registry& io_registry = op_registry::of(context_of(ex_));
    // A handler executor whose context cannot be asked (any_completion_executor)
    // is reached through the I/O executor; its context must outlive the
    // operation, as for Asio's own operations.
    asio::execution_context* handler_ctx =
        context_if_known(asio::get_associated_executor(handler, ex_));
    op_registry* handler_registry = !handler_ctx || handler_ctx == &io_registry.context()
        ? nullptr
        : &op_registry::of(*handler_ctx);
    std::decay_t<Init> local_init(std::forward<Init>(init));
    anchor* a = anchor::create(io_registry.stats(), where);
    op_type* op = nullptr;
    try
    {
      op = op_type::create(std::forward<Handler>(handler), ex_, a, handler_registry != nullptr);
    }
    catch (...)
    {
      a->discard_unstarted();
      throw;
    }

    a->start(op);
    op->install_cancellation();
    {
      // Our own copy keeps an exception from init from being reported as a
      // dropped callback while the stack unwinds. The anchor was made with
      // both copies counted.
      callback<Signature> initiator_copy(a);
      try
      {
        std::move(local_init)(callback<Signature>(a));
      }
      catch (...)
      {
        a->try_complete(failed, [e = std::current_exception()](op_header& h) noexcept {
          static_cast<op_base<Signature>&>(h).set_exception(e);
        });
      }
    }
    a->finish_initiation([&]() noexcept { return op->enroll(io_registry, handler_registry); });
  }

private:
  IoExecutor ex_;
};

} // namespace detail
} // namespace awaitify

#endif // AWAITIFY_IMPL_ASYNC_CALL_HPP
