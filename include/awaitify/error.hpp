// SPDX-License-Identifier: BSL-1.0
//
// awaitify/error.hpp
// ~~~~~~~~~~~~~~~~~~
//
// Error codes that awaitify itself produces, in the category named "awaitify".
//

#ifndef AWAITIFY_ERROR_HPP
#define AWAITIFY_ERROR_HPP

#include <awaitify/detail/asio.hpp>

#include <type_traits>

namespace AWAITIFY_NAMESPACE {
namespace error {

/// The errors with which awaitify completes an operation on its own account.
/**
 * They compare with `==` against a `boost::system::error_code`:
 * @code if (ec == awaitify::error::callback_dropped) ... @endcode
 */
enum errors
{
  /// @brief Every copy of the operation's callback was destroyed without being
  /// invoked: the legacy API lost it, or the initiation never passed it on.
  callback_dropped = 1,

  /// @brief The initiation (the user's `init`) threw an exception, and the
  /// operation's signature has no `std::exception_ptr` to carry it.
  initiation_failed,

  /// A stream has delivered its last item.
  end_of_stream,

  /// A stream's bounded buffer overflowed under the `fail` policy.
  overflow,

  /// A second `async_next` was started while one was still outstanding.
  operation_in_progress,
};

/// The category of awaitify's errors. Its `name()` is "awaitify".
/**
 * @par Thread safety
 * Safe to call concurrently from any thread; returns the same object each time.
 */
const error_category& awaitify_category() noexcept;

/// Makes an error code in awaitify's category.
inline error_code make_error_code(errors e) noexcept
{
  return error_code(static_cast<int>(e), awaitify_category());
}

} // namespace error
} // namespace awaitify

// Makes awaitify::error::errors an error code enumeration of the flavour's
// error system (boost::system or std).
/// @cond
template <>
struct awaitify::detail::sys::is_error_code_enum<awaitify::error::errors> : std::true_type
{
};
/// @endcond

#endif // AWAITIFY_ERROR_HPP
