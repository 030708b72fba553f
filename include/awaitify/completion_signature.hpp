// SPDX-License-Identifier: BSL-1.0
//
// awaitify/completion_signature.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// The Asio completion signature of an operation whose legacy callback has a
// given signature.
//

#ifndef AWAITIFY_COMPLETION_SIGNATURE_HPP
#define AWAITIFY_COMPLETION_SIGNATURE_HPP

#include <awaitify/detail/asio.hpp>

#include <exception>
#include <type_traits>

namespace AWAITIFY_NAMESPACE {

namespace detail {

/// @brief Whether a legacy signature reports its own errors through its first
/// parameter: a `boost::system::error_code` or a `std::exception_ptr`, by
/// value or by (const) reference, as Asio's own handlers take them.
template <typename Signature>
inline constexpr bool legacy_error_first = false;

template <typename First, typename... Rest>
inline constexpr bool legacy_error_first<void(First, Rest...)> =
    std::is_same_v<std::decay_t<First>, error_code>
    || std::is_same_v<std::decay_t<First>, std::exception_ptr>;

} // namespace detail

/// @brief Maps a legacy callback signature `void(Args...)` to the Asio completion
/// signature of the operation that awaits it.
/**
 * The result is `void(boost::system::error_code, std::decay_t<Args>...)`, so
 * that awaitify can report its own errors (a dropped callback, a
 * cancellation), except when the first of `Args...` is a
 * `boost::system::error_code` or a `std::exception_ptr` (by value or by
 * reference, `const error_code&` being Asio's own convention): then it is
 * `void(std::decay_t<Args>...)`, and awaitify reports its errors through that
 * first argument. The values are decayed because the handler receives them
 * moved from awaitify's storage, never references into the legacy code.
 */
template <typename Signature>
struct completion_signature;

template <typename... Args>
struct completion_signature<void(Args...)>
{
  using type = std::conditional_t<detail::legacy_error_first<void(Args...)>, void(std::decay_t<Args>...),
      void(error_code, std::decay_t<Args>...)>;
};

/// Shorthand for `completion_signature<Signature>::type`.
template <typename Signature>
using completion_signature_t = typename completion_signature<Signature>::type;

} // namespace awaitify

#endif // AWAITIFY_COMPLETION_SIGNATURE_HPP
