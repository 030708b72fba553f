// SPDX-License-Identifier: BSL-1.0

#include <awaitify/error.hpp>

#include <string>

namespace awaitify {
namespace error {
namespace {

class category final : public boost::system::error_category
{
public:
  // A fixed id makes the category compare equal across shared-library
  // boundaries, where two copies of this object may exist.
  constexpr category() noexcept : boost::system::error_category(0xa3a17f1f7e5c0d01ULL) {}

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

const boost::system::error_category& awaitify_category() noexcept
{
  static const category instance;
  return instance;
}

} // namespace error
} // namespace awaitify
