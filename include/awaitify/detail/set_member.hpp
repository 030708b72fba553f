// SPDX-License-Identifier: BSL-1.0
//
// awaitify/detail/set_member.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// An operation in an operation_set, whatever its signature.
//

#ifndef AWAITIFY_DETAIL_SET_MEMBER_HPP
#define AWAITIFY_DETAIL_SET_MEMBER_HPP

#include <awaitify/detail/anchor.hpp>

#include <awaitify/detail/asio.hpp>

namespace AWAITIFY_NAMESPACE {
namespace detail {

/// A share of the operation's anchor, not a callback copy: a copy would keep
/// a lost callback from being reported as dropped (and `run()` from
/// returning). The share keeps only the anchor's memory, so the set may still
/// ask an ended or abandoned operation to fail: that attempt simply loses.
struct set_member
{
  anchor* operation;

  /// Completes the operation with an error, filled in for its signature
  /// (callback_access::fail_ahead); false when it had ended already.
  bool (*fail)(anchor* operation, const error_code& ec) noexcept;
};

} // namespace detail
} // namespace awaitify

#endif // AWAITIFY_DETAIL_SET_MEMBER_HPP
