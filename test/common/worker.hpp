//
// test/common/worker.hpp
// ~~~~~~~~~~~~~~~~~~~~~~
//
// A stand-in for a legacy library's own thread: runs queued jobs in order.
//

#ifndef AWAITIFY_TEST_COMMON_WORKER_HPP
#define AWAITIFY_TEST_COMMON_WORKER_HPP

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

namespace awaitify_test {

class worker
{
public:
  worker() : thread_([this] { loop(); }) {}

  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  /// Runs the jobs still queued, then joins.
  ~worker()
  {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_one();
    thread_.join();
  }

  void post(std::function<void()> job)
  {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back(std::move(job));
    }
    ready_.notify_one();
  }

  std::thread::id id() const noexcept { return thread_.get_id(); }

private:
  void loop()
  {
    std::unique_lock lock(mutex_);
    for (;;)
    {
      ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty())
        return;
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      job = nullptr; // Destroy what the job holds before the next one runs.
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

/// The legacy API of the examples: adds on the worker's thread and calls back
/// there.
inline void async_add(worker& w, int a, int b, std::function<void(int)> cb)
{
  w.post([a, b, cb = std::move(cb)] { cb(a + b); });
}

} // namespace awaitify_test

#endif // AWAITIFY_TEST_COMMON_WORKER_HPP
