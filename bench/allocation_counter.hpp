// SPDX-License-Identifier: BSL-1.0
//
// bench/allocation_counter.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//
// Counts calls to the global operator new (replaced in main.cpp), to report
// heap allocations per operation.
//

#ifndef AWAITIFY_BENCH_ALLOCATION_COUNTER_HPP
#define AWAITIFY_BENCH_ALLOCATION_COUNTER_HPP

#include <atomic>
#include <cstdint>

namespace bench {

extern std::atomic<std::uint64_t> heap_allocations;

inline std::uint64_t allocations_now() noexcept
{
  return heap_allocations.load(std::memory_order_relaxed);
}

} // namespace bench

#endif // AWAITIFY_BENCH_ALLOCATION_COUNTER_HPP
