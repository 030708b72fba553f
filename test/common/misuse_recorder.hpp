// SPDX-License-Identifier: BSL-1.0
//
// test/common/misuse_recorder.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// Records, from any thread, the misuse reports of one execution context.
// It may outlive the context: reports can come after it is gone.
//

#ifndef AWAITIFY_TEST_COMMON_MISUSE_RECORDER_HPP
#define AWAITIFY_TEST_COMMON_MISUSE_RECORDER_HPP

#include <awaitify/diagnostics.hpp>

#include "common/asio.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace awaitify_test {

class misuse_recorder
{
public:
  explicit misuse_recorder(asio::execution_context& ctx)
  {
    awaitify::set_misuse_handler(ctx, [reports = reports_](awaitify::misuse kind, const awaitify::source_location&) {
      std::lock_guard lock(reports->mutex);
      reports->kinds.emplace_back(awaitify::to_string(kind));
    });
  }

  /// The kinds reported so far, e.g. {"late", "late"}.
  std::vector<std::string> kinds() const
  {
    std::lock_guard lock(reports_->mutex);
    return reports_->kinds;
  }

private:
  struct shared
  {
    std::mutex mutex;
    std::vector<std::string> kinds;
  };

  std::shared_ptr<shared> reports_ = std::make_shared<shared>();
};

} // namespace awaitify_test

#endif // AWAITIFY_TEST_COMMON_MISUSE_RECORDER_HPP
