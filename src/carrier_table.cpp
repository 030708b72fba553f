// SPDX-License-Identifier: BSL-1.0

#include <awaitify/detail/carrier_table.hpp>

#include <deque>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace AWAITIFY_NAMESPACE {
namespace detail {
namespace {

struct live_carrier
{
  void* carrier;
  anchor* operation;
};

// A spent id keeps a share of its operation's anchor, so that a later call
// can be counted there; only so many are kept.
struct spent_carrier
{
  std::uintptr_t id;
  anchor* operation;
};

constexpr std::size_t spent_kept = 1024;

class carrier_table
{
public:
  std::uintptr_t add(void* carrier, anchor* a)
  {
    std::lock_guard lock(mutex_);
    const std::uintptr_t id = ++last_id_; // 0 is never an id: a null void*.
    live_.emplace(id, live_carrier{carrier, a});
    return id;
  }

  void* take(std::uintptr_t id) noexcept
  {
    anchor* evicted = nullptr;
    anchor* spent_again = nullptr;
    void* carrier = nullptr;
    {
      std::lock_guard lock(mutex_);
      if (auto found = live_.find(id); found != live_.end())
      {
        carrier = found->second.carrier;
        anchor* a = found->second.operation;
        live_.erase(found);
        if (a) // Null for a moved-from callback: nothing to count on.
        {
          a->add_share();
          if (spent_.size() == spent_kept)
          {
            evicted = spent_.front().operation;
            spent_.pop_front();
          }
          spent_.push_back({id, a});
        }
      }
      else
      {
        for (const spent_carrier& s : spent_)
          if (s.id == id)
          {
            spent_again = s.operation;
            spent_again->add_share();
            break;
          }
      }
    }
    if (evicted)
      evicted->release_share();
    if (spent_again)
    {
      spent_again->report_duplicate(); // The first call may still be in its transform.
      spent_again->release_share();
    }
    return carrier;
  }

private:
  std::mutex mutex_;
  std::uintptr_t last_id_ = 0;
  std::unordered_map<std::uintptr_t, live_carrier> live_;
  std::deque<spent_carrier> spent_;
};

carrier_table& table()
{
  // Never destroyed: C libraries may call back during static destruction.
  static carrier_table* instance = new carrier_table();
  return *instance;
}

} // namespace

std::uintptr_t register_shared_carrier(void* carrier, anchor* a)
{
  return table().add(carrier, a);
}

void* take_shared_carrier(std::uintptr_t id) noexcept
{
  return table().take(id);
}

} // namespace detail
} // namespace awaitify
