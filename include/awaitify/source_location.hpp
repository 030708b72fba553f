// SPDX-License-Identifier: BSL-1.0
//
// awaitify/source_location.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// Where an operation was started, for misuse reports.
//

#ifndef AWAITIFY_SOURCE_LOCATION_HPP
#define AWAITIFY_SOURCE_LOCATION_HPP

#include <awaitify/config.hpp>

#include <cstdint>
#include <version>

#if defined(__cpp_lib_source_location)
#include <source_location>
#endif

// Where the standard source_location reports the caller of a defaulted
// argument (GCC 11 and newer, Clang 16 and newer), awaitify keeps one: a
// pointer to the compiler's own record of the place, so that every operation
// pays 8 bytes for its call site instead of 24. Elsewhere (Clang 14 has no
// std::source_location; Clang 15 reports awaitify's default argument) it keeps
// the builtins' file, function, line and column.
#if defined(__cpp_lib_source_location) && (!defined(__clang__) || __clang_major__ >= 16)
#define AWAITIFY_SOURCE_LOCATION_IS_STD 1
#endif

namespace AWAITIFY_NAMESPACE {

// The two forms differ in size, and compilers that share one standard
// library may choose differently: the inline namespace makes a program that
// mixes them fail to link instead of reading one form as the other.
#if defined(AWAITIFY_SOURCE_LOCATION_IS_STD)
inline namespace std_location {
#else
inline namespace builtin_location {
#endif

/// A place in the source code: the member functions of `std::source_location`.
/**
 * awaitify records the call site of every operation with this type, not with
 * `std::source_location`, because the standard one is missing on Clang 14
 * (with libstdc++ 12 and with libc++ 14) and, on Clang 15, reports the line
 * of awaitify's own default argument instead of the user's call. This one
 * reports the user's call on every supported compiler. Where the standard one
 * does too (GCC 11 and newer, Clang 16 and newer), this one holds it: 8 bytes.
 *
 * A `std::source_location` converts to it, so a caller may pass one where
 * awaitify takes a `where` argument.
 *
 * @par Thread safety
 * A value type: distinct objects may be used concurrently; a shared object
 * may be read concurrently.
 */
class source_location
{
public:
  /// An unknown place: empty names, line and column 0.
  constexpr source_location() noexcept = default;

#if defined(AWAITIFY_SOURCE_LOCATION_IS_STD)
  /// The same place as `where`.
  constexpr source_location(const std::source_location& where) noexcept // NOLINT: implicit by design
    : where_(where)
  {
  }

  /// The place of the call; as a defaulted argument, of the caller's call.
  static constexpr source_location current(
      const std::source_location& where = std::source_location::current()) noexcept
  {
    return source_location(where);
  }

  /// The name of the source file.
  constexpr const char* file_name() const noexcept { return where_.file_name(); }

  /// The name of the function, as the compiler spells it.
  constexpr const char* function_name() const noexcept { return where_.function_name(); }

  /// The line, counted from 1; 0 when unknown.
  constexpr std::uint_least32_t line() const noexcept { return where_.line(); }

  /// The column, counted from 1; 0 when unknown.
  constexpr std::uint_least32_t column() const noexcept { return where_.column(); }

private:
  std::source_location where_;
#else
#if defined(__cpp_lib_source_location)
  /// The same place as `where`.
  constexpr source_location(const std::source_location& where) noexcept // NOLINT: implicit by design
    : file_(where.file_name())
    , function_(where.function_name())
    , line_(where.line())
    , column_(where.column())
  {
  }
#endif

  /// The place of the call; as a defaulted argument, of the caller's call.
  static constexpr source_location current(const char* file = __builtin_FILE(),
      const char* function = __builtin_FUNCTION(), std::uint_least32_t line = __builtin_LINE(),
      std::uint_least32_t column = __builtin_COLUMN()) noexcept
  {
    source_location where;
    where.file_ = file;
    where.function_ = function;
    where.line_ = line;
    where.column_ = column;
    return where;
  }

  /// The name of the source file.
  constexpr const char* file_name() const noexcept { return file_; }

  /// The name of the function, as the compiler spells it.
  constexpr const char* function_name() const noexcept { return function_; }

  /// The line, counted from 1; 0 when unknown.
  constexpr std::uint_least32_t line() const noexcept { return line_; }

  /// The column, counted from 1; 0 when unknown.
  constexpr std::uint_least32_t column() const noexcept { return column_; }

private:
  const char* file_ = "";
  const char* function_ = "";
  std::uint_least32_t line_ = 0;
  std::uint_least32_t column_ = 0;
#endif
};

} // namespace std_location / builtin_location
} // namespace awaitify

#endif // AWAITIFY_SOURCE_LOCATION_HPP
