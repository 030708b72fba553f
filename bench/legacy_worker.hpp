//
// bench/legacy_worker.hpp
// ~~~~~~~~~~~~~~~~~~~~~~~
//
// The stand-in legacy API of the benchmarks: a persistent worker thread with
// a queue that invokes each callback on its own thread, and an inline variant
// that calls back before returning.
//

#ifndef AWAITIFY_BENCH_LEGACY_WORKER_HPP
#define AWAITIFY_BENCH_LEGACY_WORKER_HPP

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

namespace bench {

class legacy_worker
{
public:
  legacy_worker() : thread_([this] { loop(); }) {}

  legacy_worker(const legacy_worker&) = delete;
  legacy_worker& operator=(const legacy_worker&) = delete;

  ~legacy_worker()
  {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_one();
    thread_.join();
  }

  /// Adds on the worker's thread and calls back there.
  void async_add(int a, int b, std::function<void(int)> cb)
  {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back({a, b, std::move(cb)});
    }
    ready_.notify_one();
  }

private:
  struct job
  {
    int a, b;
    std::function<void(int)> cb;
  };

  void loop()
  {
    std::unique_lock lock(mutex_);
    for (;;)
    {
      ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty())
        return;
      job j = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      j.cb(j.a + j.b);
      j.cb = nullptr;
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<job> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

/// The same API, calling back before it returns.
struct legacy_inline
{
  void async_add(int a, int b, const std::function<void(int)>& cb) { cb(a + b); }
};

} // namespace bench

#endif // AWAITIFY_BENCH_LEGACY_WORKER_HPP
