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

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

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

/// The identity of the category of `MessageFn`: a hash of this function's
/// own name, which names `MessageFn`. A shared library built with hidden
/// visibility has its own category object, and Boost.System compares
/// categories that have an id by their ids, so its codes still compare equal
/// to the program's (for one compiler: the spelling is the compiler's).
template <auto MessageFn>
constexpr std::uint64_t category_id() noexcept
{
#if defined(_MSC_VER) && !defined(__clang__)
  const char* text = __FUNCSIG__;
#else
  const char* text = __PRETTY_FUNCTION__;
#endif
  std::uint64_t hash = 14695981039346656037ull; // FNV-1a
  for (; *text; ++text)
  {
    hash ^= static_cast<unsigned char>(*text);
    hash *= 1099511628211ull;
  }
  return hash;
}

/// An enumeration that a code of any value of its underlying type may be
/// converted to (C++17: exactly those with a fixed underlying type).
template <typename Code>
concept enum_with_fixed_underlying_type =
    std::is_enum_v<Code> && requires { Code{std::underlying_type_t<Code>{}}; };

/// No bound given for the codes.
struct unbounded_codes
{
};

/// Whether `code` may be converted to the message function's parameter
/// `Code`: converting a value outside an enumeration's range is undefined.
template <typename Code, typename Bound>
constexpr bool describable(int code, Bound last) noexcept
{
  if constexpr (!std::is_same_v<Bound, unbounded_codes>)
    return code >= 0 && code < static_cast<int>(last);
  else if constexpr (enum_with_fixed_underlying_type<Code>)
    return std::in_range<std::underlying_type_t<Code>>(code);
  else
    return true;
}

template <auto MessageFn, auto Last = unbounded_codes{}>
class c_error_category_impl final : public boost::system::error_category
{
  using traits = message_fn_traits<decltype(MessageFn)>;
  static_assert(traits::valid,
      "awaitify::c_error_category: the message function must be a `const char* (*)(Code)`, "
      "like strerror, uv_strerror, ares_strerror or curl_easy_strerror");
  using code_type = typename traits::code_type;

public:
  explicit c_error_category_impl(const char* name) noexcept
    : boost::system::error_category(category_id<MessageFn>()), name_(name)
  {
  }

  const char* name() const noexcept override { return name_; }

  std::string message(int code) const override
  {
    const char* text = describable<code_type>(code, Last) ? MessageFn(static_cast<code_type>(code)) : nullptr;
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
 * const auto& curl_errors = awaitify::c_error_category<&curl_easy_strerror, CURL_LAST>("curl");
 * boost::system::error_code ec(CURLE_COULDNT_CONNECT, curl_errors);
 * ec.message();   // "Couldn't connect to server", the library's own text
 * @endcode
 *
 * There is one category per message function: every call with the same
 * `MessageFn` returns the same object, so its codes compare equal, and equal
 * to codes made in a C callback's transform. The category also has an id
 * derived from `MessageFn`'s name, by which Boost.System compares it: a
 * shared library built with `-fvisibility=hidden`, which has a category
 * object of its own, makes codes that compare equal to the program's (when
 * both are built by the same compiler). `name` (a string that outlives the
 * program's use of the category, typically a literal) names it; the first
 * call's name is kept. A null message is reported as "NAME error N".
 *
 * When `Code` is an enumeration, a code that the enumeration cannot hold is
 * never converted to it (that is undefined behaviour) and gets the "NAME
 * error N" text: for an enumeration with a fixed underlying type, a code
 * outside that type's range; for a C enumeration (no fixed underlying type,
 * as `CURLcode`), whose range only its enumerators decide, pass one past its
 * largest code as `Last` (`CURL_LAST`): codes outside `[0, Last)` are never
 * converted. Without `Last` such an enumeration receives every code, and the
 * program must only describe codes the library made.
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

/// The same, for an enumeration of codes `[0, Last)`: see above.
template <auto MessageFn, auto Last>
const boost::system::error_category& c_error_category(const char* name) noexcept
{
  static_assert(std::is_enum_v<decltype(Last)> || std::is_integral_v<decltype(Last)>,
      "awaitify::c_error_category: Last is one past the largest code, as CURL_LAST");
  static const detail::c_error_category_impl<MessageFn, Last> instance(name);
  return instance;
}

} // namespace awaitify

#endif // AWAITIFY_C_ERROR_CATEGORY_HPP
