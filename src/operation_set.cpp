// SPDX-License-Identifier: BSL-1.0

#include <awaitify/operation_set.hpp>

#include <awaitify/detail/asio.hpp>

#include <algorithm>
#include <utility>

namespace AWAITIFY_NAMESPACE {
namespace {

// Below this many entries a set is not swept: sweeping a handful costs more
// than the anchors it would free.
constexpr std::size_t min_sweep = 16;

/// Fails each of `members` with `ec` and gives back the set's share of it.
/// Called holding no lock: completing posts to executors, and the last share
/// of an ended operation destroys what it still held (its hooks, the
/// counters of a context that is gone).
std::size_t fail_members(const std::vector<detail::set_member>& members, const error_code& ec) noexcept
{
  std::size_t failed = 0;
  for (const detail::set_member& m : members)
  {
    failed += m.fail(m.operation, ec);
    m.operation->release_share();
  }
  return failed;
}

/// The shares of swept entries, given back once the set's lock is released
/// (declared before the lock, it is destroyed after it), even when the join
/// that swept them throws.
struct swept_shares
{
  std::vector<detail::anchor*> anchors;

  ~swept_shares()
  {
    for (detail::anchor* a : anchors)
      a->release_share();
  }
};

} // namespace

operation_set::operation_set() noexcept : sweep_at_(min_sweep) {}

operation_set::~operation_set()
{
  fail_members(members_, asio::error::operation_aborted);
}

bool operation_set::join(detail::set_member member)
{
  swept_shares swept;
  std::unique_lock lock(mutex_);
  if (closed_)
  {
    const error_code ec = closed_with_;
    lock.unlock();
    member.fail(member.operation, ec);
    return false;
  }
  if (members_.size() >= sweep_at_)
  {
    // Amortised: the set has doubled since the last sweep, so each join pays
    // for at most two entries' visit.
    const auto ended = std::partition(members_.begin(), members_.end(),
        [](const detail::set_member& m) { return !m.operation->is_decided(); });
    swept.anchors.reserve(static_cast<std::size_t>(members_.end() - ended));
    for (auto m = ended; m != members_.end(); ++m)
      swept.anchors.push_back(m->operation);
    members_.erase(ended, members_.end());
    sweep_at_ = std::max(min_sweep, 2 * members_.size());
  }
  members_.push_back(member);
  // The caller's callback keeps the anchor alive until the share is taken.
  member.operation->add_share();
  return true;
}

std::vector<detail::set_member> operation_set::take_all(const error_code* closing)
{
  std::vector<detail::set_member> members;
  std::lock_guard lock(mutex_);
  members.swap(members_);
  sweep_at_ = min_sweep;
  if (closing)
  {
    closed_ = true;
    closed_with_ = *closing;
  }
  return members;
}

std::size_t operation_set::fail_all(const error_code& ec)
{
  return fail_members(take_all(nullptr), ec);
}

std::size_t operation_set::close(const error_code& ec)
{
  return fail_members(take_all(&ec), ec);
}

bool operation_set::is_open() const
{
  std::lock_guard lock(mutex_);
  return !closed_;
}

std::size_t operation_set::pending() const
{
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(members_.begin(), members_.end(),
      [](const detail::set_member& m) { return !m.operation->is_decided(); }));
}

std::size_t operation_set::size() const
{
  std::lock_guard lock(mutex_);
  return members_.size();
}

} // namespace awaitify
