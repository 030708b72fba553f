// SPDX-License-Identifier: BSL-1.0
//
// awaitify/c_error_category.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// A C library's error codes as a boost::system error category, in one line.
//

#ifndef AWAITIFY_C_ERROR_CATEGORY_HPP
#define AWAITIFY_C_ERROR_CATEGORY_HPP

#include <awaitify/detail/asio.hpp>
#include <awaitify/detail/identified_category.hpp>

#include <cstdint>
#include <system_error>
#include <string>
#include <type_traits>
#include <utility>

namespace AWAITIFY_NAMESPACE {
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

constexpr std::uint64_t name_hash(const char* text) noexcept
{
  std::uint64_t hash = 14695981039346656037ull; // FNV-1a
  for (; *text; ++text)
  {
    hash ^= static_cast<unsigned char>(*text);
    hash *= 1099511628211ull;
  }
  return hash;
}

/// @brief The identity of the category of the message and condition functions
/// `Fns`: a hash of this function's own name, which names them (so a
/// category with conditions is another than the one without). A shared
/// library built with hidden visibility has its own category object; the id
/// makes both one (see `identified_category`), for one compiler: the
/// spelling is the compiler's.
template <auto... Fns>
constexpr std::uint64_t category_id() noexcept
{
#if defined(_MSC_VER) && !defined(__clang__)
  const char* text = __FUNCSIG__;
#else
  const char* text = __PRETTY_FUNCTION__;
#endif
  return name_hash(text);
}

/// @brief What a condition function may return: anything that names one condition
/// without naming a category of the C library's.
template <typename R>
concept condition_result = std::is_same_v<R, error_condition> || std::is_same_v<R, std::errc>
    || detail::sys::is_error_condition_enum<R>::value || detail::sys::is_error_code_enum<R>::value;

template <typename ConditionFn>
struct condition_fn_traits
{
  static constexpr bool valid = false;
};

template <typename R, typename Code>
struct condition_fn_traits<R (*)(Code)>
{
  static constexpr bool valid = condition_result<R> && (std::is_integral_v<Code> || std::is_enum_v<Code>);
  using code_type = Code;
};

template <typename R, typename Code>
struct condition_fn_traits<R (*)(Code) noexcept> : condition_fn_traits<R (*)(Code)>
{
};

template <typename T>
concept condition_function = condition_fn_traits<T>::valid;

/// No condition function given: every code is its own condition.
struct no_conditions
{
};

/// @brief `result` as a condition. An error code enumeration (Asio's
/// `basic_errors`) names a code, not a condition: its code's default
/// condition is the one that code compares equal to (on POSIX,
/// `operation_aborted` is `ECANCELED`, whose condition is the generic one).
template <condition_result R>
error_condition to_condition(R result) noexcept
{
  if constexpr (std::is_same_v<R, error_condition>)
    return result;
  else if constexpr (std::is_same_v<R, std::errc>)
    return {static_cast<int>(result), detail::sys::generic_category()};
  else if constexpr (detail::sys::is_error_condition_enum<R>::value)
    return error_condition(result);
  else
  {
    const error_code code(result);
    const error_condition condition = code.default_error_condition();
#if !defined(_WIN32)
    // Older standalone Asio (1.26 and 1.30; 1.38 maps them) leaves the codes
    // of its system category (asio::error::basic_errors) without a generic
    // condition; on POSIX they are errno values, as the generic category's.
    if (condition.category() == code.category() && code.category() == asio::error::get_system_category())
      return {code.value(), sys::generic_category()};
#endif
    return condition;
  }
}

/// @brief An enumeration that a code of any value of its underlying type may be
/// converted to (C++17: exactly those with a fixed underlying type).
template <typename Code>
concept enum_with_fixed_underlying_type =
    std::is_enum_v<Code> && requires { Code{std::underlying_type_t<Code>{}}; };

/// No bound given for the codes.
struct unbounded_codes
{
};

/// @brief Whether `code` may be converted to the message function's parameter
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

template <auto MessageFn, auto ConditionFn>
constexpr std::uint64_t id_of_category() noexcept
{
  if constexpr (std::is_same_v<std::remove_cv_t<decltype(ConditionFn)>, no_conditions>)
    return category_id<MessageFn>();
  else
    return category_id<MessageFn, ConditionFn>();
}

// As identified_category: -Wnon-virtual-dtor in a consumer's strict build.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
#endif

template <auto MessageFn, auto Last = unbounded_codes{}, auto ConditionFn = no_conditions{}>
class c_error_category_impl final : public identified_category
{
  using traits = message_fn_traits<decltype(MessageFn)>;
  static_assert(traits::valid,
      "awaitify::c_error_category: the message function must be a `const char* (*)(Code)`, "
      "like strerror, uv_strerror, ares_strerror or curl_easy_strerror");
  using code_type = typename traits::code_type;
  static constexpr bool has_conditions = !std::is_same_v<std::remove_cv_t<decltype(ConditionFn)>, no_conditions>;

public:
  explicit c_error_category_impl(const char* name) noexcept
    : identified_category(id_of_category<MessageFn, ConditionFn>()), name_(name)
  {
  }

  const char* name() const noexcept override { return name_; }

  std::string message(int code) const override
  {
    const char* text = describable<code_type>(code, Last) ? MessageFn(static_cast<code_type>(code)) : nullptr;
    return text ? std::string(text) : std::string(name_) + " error " + std::to_string(code);
  }

  // Boost.System's equivalent(code, condition), which error_code ==
  // error_condition, == std::errc and == boost::system::errc use, compares
  // this with the condition: overriding it alone maps every comparison.
  error_condition default_error_condition(int code) const noexcept override
  {
    if constexpr (has_conditions)
    {
      using condition_code_type = typename condition_fn_traits<decltype(ConditionFn)>::code_type;
      if (describable<condition_code_type>(code, Last))
      {
        const error_condition condition = to_condition(ConditionFn(static_cast<condition_code_type>(code)));
        if (condition.value() != 0)
          return condition;
      }
    }
    return {code, *this};
  }

private:
  const char* name_;
};


#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/// @brief The one category of these functions in the program; `name` is the first
/// call's.
template <auto MessageFn, auto Last = unbounded_codes{}, auto ConditionFn = no_conditions{}>
const error_category& category_of(const char* name) noexcept
{
  static const c_error_category_impl<MessageFn, Last, ConditionFn> instance(name);
  static const error_category& unique = unique_category(id_of_category<MessageFn, ConditionFn>(), instance);
  return unique;
}

} // namespace detail

/// @brief The error category of a C library whose codes are described by
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
 * to codes made in a C callback's transform. That holds across shared
 * libraries too: one built with `-fvisibility=hidden` has a category object
 * of its own, but the first object made in the program, found by an id
 * derived from `MessageFn`'s name (for one compiler: the spelling is the
 * compiler's), is the one every call returns, in both flavours (the
 * standalone flavour's `std::error_category` compares addresses). `name`
 * (a string that outlives the
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
 * Each code is its own condition: it compares equal to no `std::errc` or
 * `boost::system::errc`. A condition function, as a further argument, says
 * which it is equivalent to: see below.
 *
 * A message written for one failure (GError's `message`, hiredis's
 * `errstr`) is not the category's: an `error_code` holds only a value and a
 * category that must outlive every copy of it, so a category per message
 * would leak one per failure or dangle. Carry the text beside the code, in
 * the completion the caller chose (`void(error_code, std::string, ...)`), or
 * in the exception of an `exception_ptr`-first one
 * (`cb.fail(std::make_exception_ptr(boost::system::system_error(ec, text)))`,
 * which `use_awaitable` throws with both); `message()` stays the category's
 * text for the code.
 *
 * @par Thread safety
 * Safe to call from any thread; the category is immutable.
 */
template <auto MessageFn>
const error_category& c_error_category(const char* name) noexcept
{
  return detail::category_of<MessageFn>(name);
}

/// @brief The same, for an enumeration of codes `[0, Last)`: see above. Or, when
/// the second argument is a condition function, the category of `MessageFn`
/// whose codes compare equal to the conditions `ConditionFn` names: see
/// below.
template <auto MessageFn, auto LastOrConditionFn>
const error_category& c_error_category(const char* name) noexcept
{
  if constexpr (detail::condition_function<decltype(LastOrConditionFn)>)
  {
    return detail::category_of<MessageFn, detail::unbounded_codes{}, LastOrConditionFn>(name);
  }
  else
  {
    static_assert(std::is_enum_v<decltype(LastOrConditionFn)> || std::is_integral_v<decltype(LastOrConditionFn)>,
        "awaitify::c_error_category: the second argument is one past the largest code, as CURL_LAST, "
        "or a condition function `R (*)(Code)`, R a error_condition, a std::errc, "
        "a boost::system::errc::errc_t or an error code enumeration such as boost::asio::error::basic_errors");
    return detail::category_of<MessageFn, LastOrConditionFn>(name);
  }
}

/// @brief The category of a C library whose codes `MessageFn` describes and
/// `ConditionFn` maps to portable conditions, for an enumeration of codes
/// `[0, Last)`.
/**
 * `ConditionFn` is `R (*)(Code)`, `Code` an integer or an enumeration, and
 * `R` one of: `boost::system::error_condition`; `std::errc` or
 * `boost::system::errc::errc_t` (a generic condition); an error code
 * enumeration such as `boost::asio::error::basic_errors`, which stands for
 * the condition its code is equivalent to. It returns `{}` (any condition of
 * value 0) for a code with no equivalent; it must not throw.
 *
 * @code
 * std::errc uv_condition(int code)
 * {
 *   switch (code) {
 *   case UV_ENOENT:    return std::errc::no_such_file_or_directory;
 *   case UV_ECANCELED: return std::errc::operation_canceled;   // "cancelled"
 *   default:           return {};                              // no equivalent
 *   }
 * }
 * const auto& uv_errors = awaitify::c_error_category<&uv_strerror, &uv_condition>("libuv");
 * boost::system::error_code ec(UV_ENOENT, uv_errors);
 * ec == std::errc::no_such_file_or_directory;   // true
 * @endcode
 *
 * What compares equal, for a code `ec` of this category whose
 * `ConditionFn(ec.value())` names the condition `c`:
 * - `ec == c`, `ec == std::errc::x` and `ec == boost::system::errc::x` where
 *   `x` is `c`, and the same through `std::error_code(ec)`: true (Boost.System
 *   compares a code to a condition through this category's
 *   `default_error_condition`, which returns `c`);
 * - `ec == e` for an error code enumerator `e`, as
 *   `boost::asio::error::operation_aborted`: false, always, whatever `c` is:
 *   that compares two codes, and so their categories. A cancelled code
 *   (mapped to `operation_canceled`) therefore compares equal to
 *   `std::errc::operation_canceled` and `boost::system::errc::operation_canceled`
 *   only; `cancelled_as_aborted(ec)` makes it the code
 *   `boost::asio::error::operation_aborted` itself, which Asio's users test.
 * - `ec == other_code`: true for a code of the same value made by any
 *   `c_error_category<MessageFn, ConditionFn>` or
 *   `c_error_category<MessageFn, Last, ConditionFn>` (the bound does not
 *   change the category), also from a shared library built with hidden
 *   visibility; false for a code of `c_error_category<MessageFn>`, which is
 *   another category, since its codes compare differently to conditions
 *   (make a library's codes in one place, a function returning its
 *   category).
 *
 * A code with no equivalent (`{}`), and with a bound a code outside
 * `[0, Last)`, which is never converted to `Code`, is its own condition and
 * compares equal to no generic condition. `message()` and `name()` are as
 * above.
 *
 * @par Thread safety
 * Safe to call from any thread; the category is immutable. `ConditionFn` is
 * called on the thread that compares a code, possibly on several at once.
 */
template <auto MessageFn, auto Last, auto ConditionFn>
const error_category& c_error_category(const char* name) noexcept
{
  static_assert(std::is_enum_v<decltype(Last)> || std::is_integral_v<decltype(Last)>,
      "awaitify::c_error_category: Last is one past the largest code, as CURL_LAST");
  static_assert(detail::condition_function<decltype(ConditionFn)>,
      "awaitify::c_error_category: the condition function must be `R (*)(Code)`, R a "
      "error_condition, a std::errc, a boost::system::errc::errc_t or an error code "
      "enumeration such as boost::asio::error::basic_errors");
  return detail::category_of<MessageFn, Last, ConditionFn>(name);
}

/// @brief `boost::asio::error::operation_aborted` if `ec` means "cancelled", else
/// `ec`.
/**
 * A code means "cancelled" when it compares equal to
 * `boost::system::errc::operation_canceled`: a code of a `c_error_category`
 * whose condition function maps it there (or to
 * `boost::asio::error::operation_aborted`), `ECANCELED` in the system or
 * generic category, `std::errc::operation_canceled` carried in an
 * `error_code`. Asio's users test `ec == boost::asio::error::operation_aborted`,
 * which compares codes, not conditions: a C library's own cancellation status
 * passes that test only once converted. The library's value and text are
 * replaced by Asio's; keep `ec` if they matter more.
 *
 * @code
 * cb.fail(awaitify::cancelled_as_aborted(boost::system::error_code(status, uv_errors)));
 * @endcode
 *
 * @par Thread safety
 * Safe to call from any thread; it may call a condition function.
 */
inline error_code cancelled_as_aborted(const error_code& ec) noexcept
{
  if (ec == detail::sys::errc::operation_canceled)
    return asio::error::operation_aborted;
  return ec;
}

} // namespace awaitify

#endif // AWAITIFY_C_ERROR_CATEGORY_HPP
