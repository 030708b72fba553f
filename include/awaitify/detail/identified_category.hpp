// SPDX-License-Identifier: BSL-1.0
//
// awaitify/detail/identified_category.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// An error category that is one object per program, even when a shared
// library built with hidden visibility has its own copy of it.
//

#ifndef AWAITIFY_DETAIL_IDENTIFIED_CATEGORY_HPP
#define AWAITIFY_DETAIL_IDENTIFIED_CATEGORY_HPP

#include <awaitify/config.hpp>

#include <cstdint>

namespace AWAITIFY_NAMESPACE::detail {

// The error category is polymorphic with a protected non-virtual destructor
// (categories are never deleted through it); -Wnon-virtual-dtor would flag
// every category derived from it in a consumer's strict build.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
#endif

/// A category with a 64-bit identity. Boost.System compares categories that
/// have an id by their ids; `std::error_category` compares addresses only,
/// so the standalone flavour drops the id here and relies on
/// `unique_category` alone.
class identified_category : public error_category
{
protected:
#if defined(AWAITIFY_STANDALONE_ASIO)
  constexpr explicit identified_category(std::uint64_t) noexcept {}
#else
  constexpr explicit identified_category(std::uint64_t id) noexcept : error_category(id) {}
#endif
};

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/// The first category registered with `id` in the program: `candidate`
/// itself when it is the first. Defined in the compiled library, so that
/// every shared library of the program, however built, gets the same object
/// and the codes it makes compare equal to the program's in both flavours.
/// A category must outlive the program's use of it (a static object of a
/// library that is never unloaded). Thread-safe.
const error_category& unique_category(std::uint64_t id, const error_category& candidate) noexcept;

} // namespace AWAITIFY_NAMESPACE::detail

#endif // AWAITIFY_DETAIL_IDENTIFIED_CATEGORY_HPP
