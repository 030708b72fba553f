// SPDX-License-Identifier: BSL-1.0
//
// awaitify/detail/carrier_ownership.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// Who owns a one-shot C carrier: the handles (`c_callback` and its copies)
// until one of them hands it to C, then C until it calls back (or the
// handle's reclaim() takes it back). The carrier is freed when both the
// handles and C are done with it, so a handle may outlive a C call that came
// back before the C function returned, and C may call back after every
// handle is gone.
//

#ifndef AWAITIFY_DETAIL_CARRIER_OWNERSHIP_HPP
#define AWAITIFY_DETAIL_CARRIER_OWNERSHIP_HPP

#include <awaitify/config.hpp>

#include <atomic>
#include <cstdint>

namespace AWAITIFY_NAMESPACE {
namespace detail {

class carrier_ownership
{
public:
  /// What the caller of a release must do with the carrier.
  enum class release_result
  {
    keep,               // Someone else still holds it.
    free,               // The last holder let go after C was done: free it.
    free_never_handed,  // The last handle let go and C never had it: drop what it carries, then free it.
  };

  void add_handle() noexcept { state_.fetch_add(one_handle, std::memory_order_relaxed); }

  release_result release_handle() noexcept
  {
    const std::uint32_t before = state_.fetch_sub(one_handle, std::memory_order_acq_rel);
    if (before >= 2 * one_handle || (before & held_by_c))
      return release_result::keep;
    return (before & given_back) ? release_result::free : release_result::free_never_handed;
  }

  /// The hand-over, done once whichever handle takes the user data first:
  /// from then on C holds a share. A carrier that C already gave back (or
  /// that was reclaimed) is not handed over again.
  void hand_over() noexcept
  {
    std::uint32_t s = state_.load(std::memory_order_relaxed);
    while (!(s & (held_by_c | given_back)))
      if (state_.compare_exchange_weak(s, s | held_by_c, std::memory_order_relaxed))
        return;
  }

  /// C's share, given back by its call or by a reclaim; nothing when C holds
  /// none (a reclaim before the hand-over, or a second reclaim).
  release_result give_back() noexcept
  {
    std::uint32_t s = state_.load(std::memory_order_relaxed);
    do
    {
      if (!(s & held_by_c))
      {
        state_.fetch_or(given_back, std::memory_order_relaxed);
        return release_result::keep;
      }
    } while (!state_.compare_exchange_weak(
        s, (s & ~held_by_c) | given_back, std::memory_order_acq_rel, std::memory_order_relaxed));
    return s < one_handle ? release_result::free : release_result::keep;
  }

private:
  static constexpr std::uint32_t held_by_c = 1;
  static constexpr std::uint32_t given_back = 2;
  static constexpr std::uint32_t one_handle = 4;

  // The handles' count (in units of one_handle) and the two bits: one word,
  // so that the last of the handles and C to let go sees the other's state.
  std::atomic<std::uint32_t> state_{one_handle};
};

} // namespace detail
} // namespace awaitify

#endif // AWAITIFY_DETAIL_CARRIER_OWNERSHIP_HPP
