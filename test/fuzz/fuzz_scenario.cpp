// SPDX-License-Identifier: BSL-1.0
//
// libFuzzer: each input is a sequence of events (two bytes each: the event,
// its parameter) played on a fresh scenario of awaitify's state machines;
// a broken invariant aborts with the sequence that broke it. See
// explore/scenario.hpp, and scripts/run_fuzzer.sh to build and run it.
//

#include "explore/scenario.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using awaitify_test::explore::event;
using awaitify_test::explore::step;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  constexpr std::size_t max_steps = 64;
  std::vector<step> steps;
  for (std::size_t i = 0; i + 1 < size && steps.size() < max_steps; i += 2)
    steps.push_back({static_cast<event>(data[i] % static_cast<std::uint8_t>(event::count)), data[i + 1]});
  const std::vector<std::string> broken = awaitify_test::explore::play_all(steps);
  if (broken.empty())
    return 0;
  std::fprintf(stderr, "awaitify_fuzz: %s\n  after:", broken.front().c_str());
  for (const step& s : steps)
    std::fprintf(stderr, " %s(%d)", to_string(s.what), int(s.parameter));
  std::fprintf(stderr, "\n");
  std::abort();
}
