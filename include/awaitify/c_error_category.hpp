// SPDX-License-Identifier: BSL-1.0
//
// awaitify/c_error_category.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// A C library's error codes as a boost::system error category, in one line.
//

#ifndef AWAITIFY_C_ERROR_CATEGORY_HPP
#define AWAITIFY_C_ERROR_CATEGORY_HPP

#include <boost/system/error_category.hpp>

#include <string>
#include <type_traits>

namespace awaitify {
namespace detail {

template <typename MessageFn>
struct message_fn_traits
{
  static constexpr bool valid = false;
};

template <typename R, typename Code>
struct message_fn_traits<R (*)(Code)>
{
  static constexpr bool valid = std::is_convertible_v<R, const char*>;
  using code_type = Code;
};

template <typename R, typename Code>
struct message_fn_traits<R (*)(Code) noexcept> : message_fn_traits<R (*)(Code)>
{
};

// boost::system::error_category is polymorphic with a protected non-virtual
// destructor (categories are never deleted through it); -Wnon-virtual-dtor
// would flag every category derived from it in a consumer's strict build.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
#endif

template <auto MessageFn>
class c_error_category_impl final : public boost::system::error_category
{
  using traits = message_fn_traits<decltype(MessageFn)>;
  static_assert(traits::valid,
      "awaitify::c_error_category: the message function must be a `const char* (*)(Code)`, "
      "like strerror, uv_strerror, ares_strerror or curl_easy_strerror");

public:
  explicit c_error_category_impl(const char* name) noexcept : name_(name) {}

  const char* name() const noexcept override { return name_; }

  std::string message(int code) const override
  {
    const char* text = MessageFn(static_cast<typename traits::code_type>(code));
    return text ? std::string(text) : std::string(name_) + " error " + std::to_string(code);
  }

private:
  const char* name_;
};

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

} // namespace detail

/// The error category of a C library whose codes are described by
/// `MessageFn`: `const char* (*)(Code)` where `Code` is `int` or an
/// enumeration (`curl_easy_strerror`, `uv_strerror`, `ares_strerror`,
/// `strerror`, ...).
/**
 * @code
 * const auto& curl_errors = awaitify::c_error_category<&curl_easy_strerror>("curl");
 * boost::system::error_code ec(CURLE_COULDNT_CONNECT, curl_errors);
 * ec.message();   // "Couldn't connect to server", the library's own text
 * @endcode
 *
 * There is one category per message function: every call with the same
 * `MessageFn` returns the same object, so its codes compare equal, and equal
 * to codes made in a C callback's transform. `name` (a string that outlives
 * the program's use of the category, typically a literal) names it; the
 * first call's name is kept. A null message is reported as "NAME error N".
 *
 * @par Thread safety
 * Safe to call from any thread; the category is immutable.
 */
template <auto MessageFn>
const boost::system::error_category& c_error_category(const char* name) noexcept
{
  static const detail::c_error_category_impl<MessageFn> instance(name);
  return instance;
}

} // namespace awaitify

#endif // AWAITIFY_C_ERROR_CATEGORY_HPP
