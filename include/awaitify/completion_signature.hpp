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

#include <boost/system/error_code.hpp>

#include <exception>
#include <type_traits>

namespace awaitify {

/// Maps a legacy callback signature `void(Args...)` to the Asio completion
/// signature of the operation that awaits it.
/**
 * The result is `void(boost::system::error_code, Args...)`, so that awaitify
 * can report its own errors (a dropped callback, a cancellation), except when
 * `Args...` already begins with `boost::system::error_code` or
 * `std::exception_ptr`: then the legacy signature is used as it is, and
 * awaitify reports its errors through that first argument.
 */
template <typename Signature>
struct completion_signature;

template <typename... Args>
struct completion_signature<void(Args...)>
{
  using type = void(boost::system::error_code, Args...);
};

template <typename... Args>
struct completion_signature<void(boost::system::error_code, Args...)>
{
  using type = void(boost::system::error_code, Args...);
};

template <typename... Args>
struct completion_signature<void(std::exception_ptr, Args...)>
{
  using type = void(std::exception_ptr, Args...);
};

/// Shorthand for `completion_signature<Signature>::type`.
template <typename Signature>
using completion_signature_t = typename completion_signature<Signature>::type;

} // namespace awaitify

#endif // AWAITIFY_COMPLETION_SIGNATURE_HPP
