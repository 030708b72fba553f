// SPDX-License-Identifier: BSL-1.0
//
// bench/main.cpp: Google Benchmark's main, and counted heap allocation: the
// global operator new, and aligned_alloc, through which Asio's recycling
// allocator and its handler memory reach the heap.
//

#include "allocation_counter.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <new>

namespace bench {
std::atomic<std::uint64_t> heap_allocations{0};
}

void* operator new(std::size_t size)
{
  bench::heap_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1))
    return p;
  throw std::bad_alloc();
}

namespace {

void* counted_aligned(std::size_t align, std::size_t size) noexcept
{
  bench::heap_allocations.fetch_add(1, std::memory_order_relaxed);
  void* p = nullptr;
  if (posix_memalign(&p, align < sizeof(void*) ? sizeof(void*) : align, size ? size : 1) != 0)
    return nullptr;
  return p;
}

} // namespace

// Interposes the C library's: calls from this program land here.
extern "C" void* aligned_alloc(std::size_t align, std::size_t size) noexcept
{
  return counted_aligned(align, size);
}

void* operator new(std::size_t size, std::align_val_t align)
{
  if (void* p = counted_aligned(static_cast<std::size_t>(align), size))
    return p;
  throw std::bad_alloc();
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

BENCHMARK_MAIN();
