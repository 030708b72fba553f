// SPDX-License-Identifier: BSL-1.0
//
// awaitify/detail/op_base.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// The part of an operation that depends on its signature but not on its
// handler: where the result waits between the callback and the handler.
//

#ifndef AWAITIFY_DETAIL_OP_BASE_HPP
#define AWAITIFY_DETAIL_OP_BASE_HPP

#include <awaitify/completion_signature.hpp>
#include <awaitify/detail/anchor.hpp>
#include <awaitify/error.hpp>

#include <awaitify/detail/asio.hpp>

#include <exception>
#include <tuple>
#include <type_traits>

namespace AWAITIFY_NAMESPACE {
namespace detail {

template <typename Signature>
inline constexpr bool exception_first = false;

template <typename First, typename... Rest>
inline constexpr bool exception_first<void(First, Rest...)> =
    std::is_same_v<std::decay_t<First>, std::exception_ptr>;

template <typename CompletionSignature>
struct completion_result;

template <typename First, typename... Rest>
struct completion_result<void(First, Rest...)>
{
  using type = std::tuple<std::decay_t<First>, std::decay_t<Rest>...>;

  static_assert((std::is_default_constructible_v<std::decay_t<Rest>> && ...),
      "awaitify completes with an error and default-constructed values, so every "
      "value in the callback signature must be default constructible");
  static_assert((std::is_nothrow_move_constructible_v<std::decay_t<Rest>> && ...),
      "values are moved from the legacy thread to the handler where nothing may "
      "throw: every value in the callback signature must be nothrow move constructible");

  static type from_error(const error_code& ec)
  {
    if constexpr (exception_first<void(std::decay_t<First>)>)
      return type(std::make_exception_ptr(system_error(ec)), std::decay_t<Rest>()...);
    else
      return type(ec, std::decay_t<Rest>()...);
  }

  // NOLINTNEXTLINE(performance-unnecessary-value-param): moved from where the completion carries it.
  static type from_exception(std::exception_ptr e)
  {
    if constexpr (exception_first<void(std::decay_t<First>)>)
      return type(std::move(e), std::decay_t<Rest>()...);
    else
      return from_error(error::initiation_failed);
  }
};

template <typename Signature>
class op_base;

template <typename... Args>
class op_base<void(Args...)> : public op_header
{
public:
  using completion_signature = completion_signature_t<void(Args...)>;
  using result_traits = completion_result<completion_signature>;
  using result_type = typename result_traits::type;

  // The result is stored once, by whoever won the outcome (see anchor): only
  // an operation abandoned at shutdown never has one. Keeping no "engaged"
  // flag beside it saves 8 bytes per pending operation.

  // Values the callback received. A legacy signature that already begins with
  // an error_code or exception_ptr brings its own first completion argument.
  template <typename... Values>
  void set_values(Values&&... values) noexcept
  {
    if constexpr (legacy_error_first<void(Args...)>)
      ::new (static_cast<void*>(&result_)) result_type(std::forward<Values>(values)...);
    else
      ::new (static_cast<void*>(&result_)) result_type(error_code(), std::forward<Values>(values)...);
  }

  void set_error(const error_code& ec) noexcept
  {
    ::new (static_cast<void*>(&result_)) result_type(result_traits::from_error(ec));
  }

  void set_exception(std::exception_ptr e) noexcept
  {
    ::new (static_cast<void*>(&result_)) result_type(result_traits::from_exception(std::move(e)));
  }

protected:
  op_base(anchor* a, const op_functions& functions) noexcept : op_header(a, functions) {}

  // The operation destroys the result, if it has one, before this.
  ~op_base() {}

  /// Destroys the result when there is one: unless the operation was
  /// abandoned, whoever decided its outcome stored it.
  void destroy_result() noexcept
  {
    if (!this->anchor_->is_abandoned())
      result_.~result_type();
  }

  union
  {
    result_type result_;
  };
};

/// Fills a pending operation's result with an error.
template <typename Signature>
struct fill_error
{
  error_code ec_;

  void operator()(op_header& op) const noexcept { static_cast<op_base<Signature>&>(op).set_error(ec_); }
};

} // namespace detail
} // namespace awaitify

#endif // AWAITIFY_DETAIL_OP_BASE_HPP
