// SPDX-License-Identifier: BSL-1.0

#include <awaitify/detail/identified_category.hpp>
#include <awaitify/error.hpp>

#include <mutex>
#include <string>
#include <unordered_map>

namespace AWAITIFY_NAMESPACE {
namespace error {
namespace {

class category final : public detail::identified_category
{
public:
  // A fixed id makes the category compare equal across shared-library
  // boundaries, where two copies of this object may exist (the static
  // library linked into each).
  constexpr category() noexcept : identified_category(0xa3a17f1f7e5c0d01ULL) {}

  const char* name() const noexcept override { return "awaitify"; }

  std::string message(int value) const override
  {
    switch (static_cast<errors>(value))
    {
    case callback_dropped:
      return "the callback was destroyed without being invoked";
    case initiation_failed:
      return "the operation's initiation threw an exception";
    case end_of_stream:
      return "end of stream";
    case overflow:
      return "the stream's buffer overflowed";
    case operation_in_progress:
      return "another operation of this kind is already in progress";
    }
    return "unknown awaitify error";
  }
};

} // namespace

const error_category& awaitify_category() noexcept
{
  static const category instance;
  return instance;
}

} // namespace error
} // namespace awaitify

namespace AWAITIFY_NAMESPACE::detail {

const error_category& unique_category(std::uint64_t id, const error_category& candidate) noexcept
{
  static std::mutex mutex;
  static std::unordered_map<std::uint64_t, const error_category*> categories;
  const std::lock_guard lock(mutex);
  try
  {
    return *categories.try_emplace(id, &candidate).first->second;
  }
  catch (...)
  {
    // Out of memory: the candidate still works, compared by its id in the
    // Boost flavour and by its address in the standalone one.
    return candidate; // NOLINT(bugprone-return-const-ref-from-parameter): categories are static objects.
  }
}

} // namespace AWAITIFY_NAMESPACE::detail
