// SPDX-License-Identifier: BSL-1.0
//
// awaitify/detail/carrier_table.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// Carriers that two C callbacks share (a success and a failure callback
// with one context pointer). The context pointer is an id, never reused, not
// an address: a library that calls both, or one twice, finds the id spent
// and is counted as a duplicate, where a pointer would be a double free.
//

#ifndef AWAITIFY_DETAIL_CARRIER_TABLE_HPP
#define AWAITIFY_DETAIL_CARRIER_TABLE_HPP

#include <awaitify/detail/anchor.hpp>

#include <cstdint>

namespace AWAITIFY_NAMESPACE {
namespace detail {

/// Registers `carrier`, whose callback's operation is `a`; returns its id.
std::uintptr_t register_shared_carrier(void* carrier, anchor* a);

/// Takes the carrier of `id` out of the table, or returns null when it was
/// taken already: then the call is reported as a duplicate (or late) on its
/// operation, if that is among the most recently spent ids (the table keeps
/// 1024 of them).
void* take_shared_carrier(std::uintptr_t id) noexcept;

} // namespace detail
} // namespace awaitify

#endif // AWAITIFY_DETAIL_CARRIER_TABLE_HPP
