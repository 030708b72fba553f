// SPDX-License-Identifier: BSL-1.0
//
// bench/main.cpp: the benchmark's main (Google Benchmark's, plus the thread
// counts of the scaling scenario), and counted heap allocation: the global
// operator new, and aligned_alloc, through which Asio's recycling allocator
// and its handler memory reach the heap.
//

#include "allocation_counter.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>
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

namespace bench {
void register_scaling(int io_threads, int library_threads);
}

namespace {

constexpr std::string_view scaling_flag = "--scaling_threads=";

/// Reads `--scaling_threads=IO,LIBRARY` (2,2 unless given) and removes it
/// from the arguments Google Benchmark sees.
bool take_scaling_threads(int& argc, char** argv, int& io_threads, int& library_threads)
{
  io_threads = library_threads = 2;
  int kept = 1;
  for (int i = 1; i < argc; ++i)
  {
    const std::string_view arg(argv[i]);
    if (!arg.starts_with(scaling_flag))
    {
      argv[kept++] = argv[i];
      continue;
    }
    if (std::sscanf(argv[i] + scaling_flag.size(), "%d,%d", &io_threads, &library_threads) != 2 || io_threads < 1 ||
        library_threads < 1)
    {
      std::fprintf(stderr, "expected %sIO,LIBRARY with two positive thread counts, got %s\n", scaling_flag.data(),
          argv[i]);
      return false;
    }
  }
  argc = kept;
  return true;
}

} // namespace

int main(int argc, char** argv)
{
  int io_threads = 0;
  int library_threads = 0;
  if (!take_scaling_threads(argc, argv, io_threads, library_threads))
    return 2;
  bench::register_scaling(io_threads, library_threads);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
