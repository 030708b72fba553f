// SPDX-License-Identifier: BSL-1.0
//
// test/common/worker.hpp
// ~~~~~~~~~~~~~~~~~~~~~~
//
// A stand-in for a legacy library's own thread: runs queued jobs in order.
// Also the benchmark's legacy API (with a job type that allocates nothing).
//

#ifndef AWAITIFY_TEST_COMMON_WORKER_HPP
#define AWAITIFY_TEST_COMMON_WORKER_HPP

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <utility>

namespace awaitify_test {

template <typename Job>
class basic_worker
{
public:
  basic_worker() : thread_([this] { loop(); }) {}

  basic_worker(const basic_worker&) = delete;
  basic_worker& operator=(const basic_worker&) = delete;

  /// Runs the jobs still queued, then joins.
  ~basic_worker()
  {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_one();
    thread_.join();
  }

  void post(Job job)
  {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back(std::move(job));
    }
    ready_.notify_one();
  }

  std::thread::id id() const noexcept { return thread_.get_id(); }

  /// Returns once every job posted before has run to its end. A handler
  /// may run before the job that completed it has returned (awaitify does
  /// not wait for the library's thread to leave the executor).
  void drain()
  {
    std::promise<void> done;
    post([&done] { done.set_value(); });
    done.get_future().wait();
  }

private:
  void loop()
  {
    std::unique_lock lock(mutex_);
    for (;;)
    {
      ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty())
        return;
      {
        Job job = std::move(jobs_.front());
        jobs_.pop_front();
        lock.unlock();
        job();
      } // What the job holds is destroyed before the next one runs.
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

using worker = basic_worker<std::function<void()>>;

/// The legacy API of the examples: adds on the worker's thread and calls back
/// there.
inline void async_add(worker& w, int a, int b, std::function<void(int)> cb)
{
  w.post([a, b, cb = std::move(cb)] { cb(a + b); });
}

} // namespace awaitify_test

#endif // AWAITIFY_TEST_COMMON_WORKER_HPP
